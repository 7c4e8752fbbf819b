"""CallService sounds and recordings from PHP's own SoapClient against the running bridge: files
read with file_get_contents go up as Data, GetSoundData / GetRecordingData come back as bytes."""
from __future__ import annotations

import json
from pathlib import Path

from bridge.config import Settings
from bridge.sim import audio

from test_php import php

LIMIT = Settings().max_sound_bytes  # the default the `live` bridge runs with


def sounds(live, operation: str, request: dict, *files: Path, login: str) -> dict:
    return json.loads(php(live, "sounds.php", operation, json.dumps(request), *map(str, files), login=login))


def ok(result: dict) -> object:
    assert result["ok"], result
    return result.get("response", result.get("size"))


def test_a_wav_file_goes_up_and_comes_back_the_same(live, login: str, tmp_path: Path) -> None:
    wav = tmp_path / "greeting.wav"
    wav.write_bytes(audio.wav_tone(3, 440))
    sound_id = int(ok(sounds(live, "CreateSound", {"Name": "Greeting"}, wav, login=login)))
    back = tmp_path / "back.wav"
    ok(sounds(live, "GetSoundData", {"Id": sound_id, "Format": "WAV"}, Path(""), back, login=login))
    assert back.read_bytes() == wav.read_bytes()
    meta = ok(sounds(live, "GetSoundMeta", {"Id": sound_id}, login=login))
    assert (meta["id"], meta["Name"], meta["Status"], meta["LengthInSeconds"]) == (sound_id, "Greeting", "ACTIVE", 3)
    sent = [r for r in live.sim_requests(login) if r["method"] == "POST"]
    assert [r["path"] for r in sent] == ["/v2/campaigns/sounds/files"]
    assert sent[0]["body"]["file"] == {"filename": "sound.wav", "size": wav.stat().st_size,
                                       "sha256": sent[0]["body"]["file"]["sha256"]} and sent[0]["body"]["name"] == "Greeting"


def test_text_to_speech_then_the_library(live, login: str, tmp_path: Path) -> None:
    sound_id = int(ok(sounds(live, "CreateSound", {"SoundText": "Your table is ready", "SoundTextVoice": "MALE1"},
                             login=login)))
    assert live.sim_requests(login)[-1]["body"] == {"message": "Your table is ready", "voice": "MALE1"}
    library = ok(sounds(live, "QuerySoundMeta", {"MaxResults": 3}, login=login))
    assert library["TotalResults"] == 51
    assert [m["id"] for m in library["SoundMeta"]] == [sound_id, 50, 49]
    assert library["SoundMeta"][0]["Status"] == "ACTIVE" and library["SoundMeta"][0]["Name"].startswith("TTS: ")
    mp3 = tmp_path / "spoken.mp3"
    ok(sounds(live, "GetSoundData", {"Id": sound_id}, Path(""), mp3, login=login))  # Format: MP3 by default
    assert mp3.read_bytes()[:4] == b"\xff\xfb\x18\xc4"


def test_a_seeded_recording_comes_back_as_playable_mp3(live, login: str, tmp_path: Path) -> None:
    out = tmp_path / "voicemail.mp3"
    size = ok(sounds(live, "GetRecordingData", {"RecordingId": 3001}, Path(""), out, login=login))
    content = out.read_bytes()
    assert size == len(content) > 0
    header = content[:4]  # MPEG audio frame header: sync, MPEG-1, Layer III, 32 kbit/s, 32 kHz, mono
    assert header[0] == 0xFF and header[1] >> 5 == 0b111 and (header[1] >> 1) & 0b1111 == 0b1101
    assert header[2] >> 4 == 0b0001 and (header[2] >> 2) & 0b11 == 0b10 and header[3] >> 6 == 0b11
    assert audio.mp3_seconds(content) > 1
    by_name = tmp_path / "by-name.mp3"
    ok(sounds(live, "GetRecordingData", {"CallId": 10120, "Name": "voicemail"}, Path(""), by_name, login=login))
    assert by_name.read_bytes() == content
    wav = sounds(live, "GetRecordingData", {"RecordingId": 3001, "Format": "WAV"}, login=login)
    assert wav["ServiceFaultInfo"]["FaultCode"] == "BAD_REQUEST" and "MP3 only" in wav["ServiceFaultInfo"]["Message"]


def test_an_oversized_upload_is_refused_before_v2_hears_of_it(live, login: str, tmp_path: Path) -> None:
    big = tmp_path / "long.wav"
    seconds = (LIMIT - 44) // (2 * audio.WAV_RATE) + 1  # just over the limit
    big.write_bytes(audio.wav_tone(seconds, 440))
    assert big.stat().st_size > LIMIT
    refused = sounds(live, "CreateSound", {"Name": "too long"}, big, login=login)
    assert refused["ok"] is False and refused["ServiceFaultInfo"]["FaultCode"] == "BAD_REQUEST"
    assert f"over the bridge's limit of {LIMIT} bytes" in refused["ServiceFaultInfo"]["Message"]
    assert live.sim_requests(login) == []
