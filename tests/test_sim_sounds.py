"""The simulator's sound library and audio: /campaigns/sounds (files, tts, calls, .mp3/.wav) and
call recordings' MP3, over real HTTP, every answer checked against the v2 spec (`checked`)."""
from __future__ import annotations

import io
import wave

import httpx

from bridge.sim import audio
from tests.sim_fixtures import advance, checked, client, login, sent_requests, sim  # noqa: F401  (fixtures)

WAV = audio.wav_tone(1.0, 600)


def mp3_frames(content: bytes) -> list[bytes]:
    """The 4-byte headers of an MP3's frames, walked by their sizes (MPEG-1 Layer III, 32 kHz, 32 kbit/s)."""
    headers = [content[i:i + 4] for i in range(0, len(content), audio.MP3_FRAME_BYTES)]
    assert len(content) % audio.MP3_FRAME_BYTES == 0
    return headers


def test_seeded_sounds_are_listed_and_play_as_real_wav_and_mp3(checked: httpx.Client) -> None:
    page = checked.get("/campaigns/sounds", params={"limit": 100}).json()
    assert page["totalCount"] == 50 and [s["id"] for s in page["items"]][:2] == [50, 49]
    sound = checked.get("/campaigns/sounds/9").json()
    assert sound["status"] == "ACTIVE" and sound["lengthInSeconds"] == 2
    wav = checked.get("/campaigns/sounds/9.wav")
    with wave.open(io.BytesIO(wav.content)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (1, 2, 8000)
        assert reader.getnframes() == 2 * 8000
    mp3 = checked.get("/campaigns/sounds/9.mp3")
    assert set(mp3_frames(mp3.content)) == {b"\xff\xfb\x18\xc4"}
    assert audio.mp3_seconds(mp3.content) == audio.mp3_frames(2) * 1152 / 32000


def test_an_uploaded_sound_keeps_its_bytes_and_is_usable_in_a_broadcast(checked: httpx.Client, sim, login: str) -> None:
    created = checked.post("/campaigns/sounds/files", files={"file": ("hello.wav", WAV, "audio/wav")},
                           data={"name": "Hello"}).json()
    assert created["name"] == "Hello" and created["status"] == "ACTIVE" and created["duplicate"] is False
    assert created["lengthInSeconds"] == 1 and created["id"] == 51
    assert checked.get(f"/campaigns/sounds/{created['id']}.wav").content == WAV
    assert checked.get(f"/campaigns/sounds/{created['id']}.mp3").content[:4] == b"\xff\xfb\x18\xc4"  # a stand-in tone
    again = checked.post("/campaigns/sounds/files", files={"file": ("hello.wav", WAV, "audio/wav")}).json()
    assert again["duplicate"] is True and again["name"] == "hello.wav"
    broadcast = {"name": "uses it", "sounds": {"liveSoundId": created["id"]}}
    assert checked.post("/calls/broadcasts", json=broadcast).status_code == 201
    logged = sent_requests(sim, login)[0]["body"]
    assert logged["name"] == "Hello" and logged["file"]["filename"] == "hello.wav" and logged["file"]["size"] == len(WAV)


def test_an_upload_that_is_not_audio_is_refused(checked: httpx.Client) -> None:
    response = checked.post("/campaigns/sounds/files", files={"file": ("notes.txt", b"hello", "text/plain")})
    assert response.status_code == 400 and "not a WAV or MP3" in response.json()["message"]
    assert checked.post("/campaigns/sounds/files", json={"name": "x"}).status_code == 400


def test_text_to_speech_and_recorded_sounds(checked: httpx.Client, sim) -> None:
    spoken = checked.post("/campaigns/sounds/tts", json={"message": "Your appointment is tomorrow at nine",
                                                         "voice": "MALE1"}).json()
    assert spoken["status"] == "ACTIVE" and spoken["lengthInSeconds"] == 3
    assert checked.post("/campaigns/sounds/tts", json={"message": "x", "voice": "ROBOT"}).status_code == 400
    assert checked.post("/campaigns/sounds/tts", json={"message": "x", "name": "n"}).status_code == 400  # no name in TTS
    recorded = checked.post("/campaigns/sounds/calls", json={"name": "Greeting", "toNumber": "12135550101"}).json()
    assert recorded["status"] == "RECORDING"
    assert checked.get(f"/campaigns/sounds/{recorded['id']}.mp3").status_code == 404
    listed = checked.get("/campaigns/sounds").json()["items"]
    assert recorded["id"] not in [s["id"] for s in listed]                      # pending: hidden by default
    assert checked.get("/campaigns/sounds", params={"includePending": "true"}).json()["items"][0]["id"] == recorded["id"]
    advance(sim, 60)
    assert checked.get(f"/campaigns/sounds/{recorded['id']}").json()["status"] == "ACTIVE"
    assert checked.get(f"/campaigns/sounds/{recorded['id']}.mp3").status_code == 200


def test_recordings_play_mp3_of_their_stated_size(checked: httpx.Client) -> None:
    call = next(c for c in checked.get("/calls", params={"campaignId": 102, "limit": 100}).json()["items"]
                if any("recordings" in r for r in c.get("records", ())))
    recording = next(r for record in call["records"] for r in record.get("recordings", ()))
    by_id = checked.get(f"/calls/recordings/{recording['id']}.mp3")
    assert by_id.headers["content-type"] == "audio/mpeg" and len(by_id.content) == recording["lengthInBytes"]
    assert set(mp3_frames(by_id.content)) == {b"\xff\xfb\x18\xc4"}
    assert round(audio.mp3_seconds(by_id.content)) == recording["lengthInSeconds"]
    by_name = checked.get(f"/calls/{call['id']}/recordings/{recording['name']}.mp3")
    assert by_name.content == by_id.content
    assert checked.get(f"/calls/{call['id']}/recordings/nope.mp3").status_code == 404
    assert checked.get("/calls/recordings/1.mp3").status_code == 404


def test_unknown_sounds_are_404_and_accounts_are_isolated(checked: httpx.Client, sim) -> None:
    assert checked.get("/campaigns/sounds/51").status_code == 404
    other = httpx.Client(base_url=sim.base_url, auth=("someone-else", "x"))
    made = other.post("/campaigns/sounds/tts", json={"message": "mine"}).json()
    assert checked.get(f"/campaigns/sounds/{made['id']}").status_code == 404


def test_the_generated_mp3_is_mpeg1_layer3_a_decoder_reads() -> None:
    tone = audio.mp3_tone(1.0, 440)
    first = tone[:4]
    assert first[0] == 0xFF and first[1] >> 5 == 0b111              # frame sync
    assert (first[1] >> 3) & 0b11 == 0b11 and (first[1] >> 1) & 0b11 == 0b01  # MPEG-1, Layer III
    assert first[2] >> 4 == 1 and (first[2] >> 2) & 0b11 == 0b10    # 32 kbit/s, 32 kHz
    assert first[3] >> 6 == 0b11                                      # mono
    assert len(tone) == audio.mp3_size(1.0) == 28 * 144
    assert audio.mp3_seconds(b"ID3\x03\x00\x00\x00\x00\x00\x00" + tone) == audio.mp3_seconds(tone)
    assert audio.wav_seconds(tone) is None and audio.mp3_seconds(WAV) is None
