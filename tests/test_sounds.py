"""Sounds through the in-process bridge: what is refused before v2 hears of it (size, format,
the choice of source), the download cap, and what explain shows of an upload."""
from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest

from bridge.config import Settings
from bridge.sim import audio
from bridge.sim.app import create_app as create_sim
from bridge.wsgi import create_app as create_bridge
from conftest import InProcess, basic
from contract_check import ContractCheck

LIMIT = 20_000  # bytes: a small max_sound_bytes, so a test needs no 10 MiB files


@pytest.fixture
def small(tmp_path: Path, contract_checker) -> InProcess:
    """The bridge with max_sound_bytes = LIMIT, over the in-process simulator."""
    sim = create_sim()
    transport = httpx.WSGITransport(app=sim)
    bridge = create_bridge(Settings(store_path=tmp_path / "store.sqlite3", max_sound_bytes=LIMIT),
                           upstream="http://sim/v2", transport=transport)
    client = httpx.Client(transport=httpx.WSGITransport(app=ContractCheck(bridge, contract_checker)),
                          base_url="http://bridge")
    return InProcess(client, sim, httpx.Client(transport=transport, base_url="http://sim"))


def fault(response: httpx.Response) -> tuple[str, str]:
    text = response.text
    return (text.split("<FaultCode>")[1].split("<")[0], text.split("<Message>")[1].split("</Message>")[0])


def create_sound(data: bytes, extra: str = "") -> str:
    return f"<ns1:CreateSound>{extra}<ns1:Data>{base64.b64encode(data).decode()}</ns1:Data></ns1:CreateSound>"


def test_an_upload_over_the_limit_is_refused_naming_it(small: InProcess, login: str) -> None:
    within = audio.wav_tone((LIMIT - 44) / 16000, 440)
    assert len(within) <= LIMIT
    assert small.soap(create_sound(within), login=login).status_code == 200
    over = audio.wav_tone(2, 440)
    response = small.soap(create_sound(over), login=login)
    assert fault(response) == ("BAD_REQUEST", f"Data: the sound is {len(over)} bytes, over the bridge's limit of "
                                              f"{LIMIT} bytes (max_sound_bytes, CALLFIRE_BRIDGE_MAX_SOUND_BYTES)")
    far_over = audio.wav_tone(140, 440)  # past the room an upload request may take (2 MiB at least)
    response = small.soap(create_sound(far_over), login=login)
    assert response.status_code == 413 and fault(response)[0] == "BAD_REQUEST"
    assert f"max_sound_bytes {LIMIT}" in fault(response)[1]
    assert [r["path"] for r in small.sim_requests(login)] == ["/v2/campaigns/sounds/files"]  # the first only


def test_only_an_upload_gets_more_room_than_2_mib(inproc: InProcess, login: str) -> None:
    padding = "x" * (3 * 1024 * 1024)
    response = inproc.soap(f"<ns1:GetSoundMeta><ns1:Id>9</ns1:Id><!-- {padding} --></ns1:GetSoundMeta>", login=login)
    assert response.status_code == 413 and fault(response) == ("BAD_REQUEST", "request body over 2097152 bytes")
    four_mb = audio.wav_tone(250, 440)
    assert len(four_mb) > 2 * 1024 * 1024
    assert inproc.soap(create_sound(four_mb), login=login).status_code == 200


def test_a_download_over_the_limit_is_a_fault_naming_it(small: InProcess, login: str) -> None:
    response = small.soap("<ns1:GetSoundData><ns1:Id>9</ns1:Id><ns1:Format>WAV</ns1:Format></ns1:GetSoundData>",
                          login=login)  # sound 9: 2 s of 16-bit 8 kHz WAV, 32 044 bytes
    assert fault(response)[0] == "BAD_REQUEST" and f"more than {LIMIT} bytes" in fault(response)[1]
    assert small.soap("<ns1:GetSoundData><ns1:Id>9</ns1:Id></ns1:GetSoundData>", login=login).status_code == 200


@pytest.mark.parametrize("data, problem", [
    (b"hello, not audio", "Data: is not a WAV or MP3 file (the formats CallFire takes)"),
    (None, "Data: is not valid xs:base64Binary")])
def test_data_that_is_not_a_sound_is_refused(inproc: InProcess, login: str, data: bytes | None, problem: str) -> None:
    body = create_sound(data) if data else "<ns1:CreateSound><ns1:Data>@@@@</ns1:Data></ns1:CreateSound>"
    assert fault(inproc.soap(body, login=login)) == ("BAD_REQUEST", problem)
    assert inproc.sim_requests(login) == []


def test_base64_with_line_breaks_is_read(inproc: InProcess, login: str) -> None:
    wav = audio.wav_tone(0.5, 440)
    mime = base64.encodebytes(wav).decode()  # 76 characters a line, as MIME-style encoders write
    response = inproc.soap(f"<ns1:CreateSound><ns1:Data>{mime}</ns1:Data></ns1:CreateSound>", login=login)
    sound_id = response.text.split("<svc:CreatedId")[1].split(">")[1].split("<")[0]
    data = inproc.soap(f"<ns1:GetSoundData><ns1:Id>{sound_id}</ns1:Id><ns1:Format>WAV</ns1:Format></ns1:GetSoundData>",
                       login=login)
    assert base64.b64decode(data.text.split("<svc:SoundData")[1].split(">", 1)[1].split("<")[0]) == wav


@pytest.mark.parametrize("body, problem", [
    ("<ns1:CreateSound><ns1:Name>x</ns1:Name></ns1:CreateSound>", "Data or SoundText or RecordingCall/ToNumber: one is required"),
    ("<ns1:CreateSound><ns1:SoundText>a</ns1:SoundText><ns1:RecordingCall><ns1:ToNumber>12135550101</ns1:ToNumber>"
     "</ns1:RecordingCall></ns1:CreateSound>", "Data or SoundText or RecordingCall/ToNumber: only one may be given"),
    ("<ns1:GetRecordingData><ns1:CallId>10120</ns1:CallId></ns1:GetRecordingData>",
     "Name: is required (a call's recording is named by the IVR's record element)"),
    ("<ns1:GetRecordingData><ns1:RecordingId>3001</ns1:RecordingId><ns1:Format>WAV</ns1:Format></ns1:GetRecordingData>",
     "Format: WAV: CallFire v2 serves call recordings as MP3 only: refused with a BAD_REQUEST fault "
     "(ask for MP3; the bridge does not transcode)")])
def test_requests_v2_cannot_serve_are_refused_before_sending(inproc: InProcess, login: str, body: str,
                                                             problem: str) -> None:
    assert fault(inproc.soap(body, login=login)) == ("BAD_REQUEST", problem)
    assert inproc.sim_requests(login) == []


def test_a_recording_sound_goes_to_the_calls_endpoint_and_shows_pending(inproc: InProcess, login: str) -> None:
    body = ("<ns1:CreateSound><ns1:Name>Greeting</ns1:Name><ns1:RecordingCall><ns1:ToNumber>+12135550101"
            "</ns1:ToNumber></ns1:RecordingCall></ns1:CreateSound>")
    sound_id = inproc.soap(body, login=login).text.split("<svc:CreatedId")[1].split(">")[1].split("<")[0]
    assert inproc.sim_requests(login)[0]["body"] == {"name": "Greeting", "toNumber": "12135550101"}
    meta = inproc.soap(f"<ns1:GetSoundMeta><ns1:Id>{sound_id}</ns1:Id></ns1:GetSoundMeta>", login=login).text
    assert "<data:Status>PENDING</data:Status>" in meta  # v2 RECORDING


def test_explain_shows_the_upload_without_its_bytes(inproc: InProcess) -> None:
    wav = audio.wav_tone(0.25, 440)
    result = inproc.client.post("/explain", content=create_sound(wav, "<Name>Hi</Name>").replace("ns1:", "")).json()
    request = result["requests"][0]
    assert (request["method"], request["path"]) == ("POST", "/campaigns/sounds/files")
    assert request["form"] == {"name": "Hi", "file": {"filename": "sound.wav", "content_type": "audio/wav",
                                                     "size": len(wav)}}
    assert "-F 'file=@sound.wav;type=audio/wav'" in request["curl"]
    spoken = inproc.client.post("/explain", content=b"<CreateSound><Name>Hi</Name><SoundText>Hello</SoundText>"
                                                    b"</CreateSound>").json()
    assert spoken["requests"][0]["json"] == {"message": "Hello", "voice": "FEMALE1"}
    assert spoken["lossy"][0].startswith("Name: ")
