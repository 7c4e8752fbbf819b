"""An account's sound library (`/campaigns/sounds`) and the audio of sounds and call recordings.

Seeded sounds 1-50 and seeded recordings play generated tones (bridge.sim.audio); an uploaded
sound keeps its bytes and answers them in its own format.  The other format of an upload, and
every format of a text-to-speech or recorded sound, is a generated tone of the sound's length:
the simulator does not transcode or speak.
"""
from __future__ import annotations

import email.message
import email.parser
import email.policy
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from bridge.sim import audio
from bridge.sim.errors import bad_request, not_found
from bridge.sim.seed import DAY_MS, SEED_ANCHOR_MS, SOUND_IDS
from bridge.sim.validate import check_shape
from bridge.sim.vocab import VOICES, nanp_e164

RECORDING_MS = 60_000          # a sound recorded over the phone is ready a minute after it was asked for
RECORDED_SECONDS = 5
SOUND_STATUSES = ("UPLOAD", "RECORDING", "ACTIVE", "ACTIVE_SYSTEM", "FAILED", "ARCHIVED", "SCRUBBED")
TEXT_TO_SPEECH = {"message": "string", "voice": VOICES}
CALL_CREATE_SOUND = {"name": "string", "toNumber": "string"}
FORMATS = {"mp3": "audio/mpeg", "wav": "audio/wav"}


@dataclass(frozen=True)
class Audio:
    """A binary answer: what GET .../{id}.mp3|.wav returns."""

    content: bytes
    content_type: str


@dataclass
class Sound:
    wire: dict                                  # the CampaignSound (status computed on read)
    ready_at: int = 0                           # RECORDING until then
    files: dict[str, bytes] = field(default_factory=dict)  # uploaded bytes by format

    def at(self, now: int) -> dict:
        status = "RECORDING" if now < self.ready_at else self.wire["status"]
        return {**self.wire, "status": status}


def tone_hertz(sound_id: int) -> float:
    """Each sound its own pitch, so two sounds never sound alike."""
    return 300.0 + 20.0 * (sound_id % 30)


def seed_sound(sound_id: int) -> Sound:
    return Sound({"id": sound_id, "name": f"Sample sound {sound_id}", "status": "ACTIVE",
                  "created": SEED_ANCHOR_MS - (60 - sound_id) * DAY_MS, "lengthInSeconds": 2 + sound_id % 9})


class Sounds:
    """One account's library: the seeded sounds plus what it created."""

    def __init__(self, take_id: Callable[[], int]) -> None:   # the account's "sound" id sequence
        self._take_id = take_id
        self._sounds = {sound_id: seed_sound(sound_id) for sound_id in sorted(SOUND_IDS)}

    def __contains__(self, sound_id: object) -> bool:   # a broadcast may name any sound of the library
        return sound_id in self._sounds

    def find(self, limit: int, offset: int, now: int, *, pending: bool, archived: bool, scrubbed: bool,
             name: str | None) -> dict:
        """A CampaignSoundPage, newest first; PENDING-like (UPLOAD, RECORDING), ARCHIVED and
        SCRUBBED sounds only when asked for; `filter` is a case-insensitive name substring."""
        hidden = ({"UPLOAD", "RECORDING"} if not pending else set()) | ({"ARCHIVED"} if not archived else set()) \
            | ({"SCRUBBED"} if not scrubbed else set())
        items = [s.at(now) for s in sorted(self._sounds.values(), key=lambda s: (-s.wire["created"], -s.wire["id"]))]
        items = [i for i in items if i["status"] not in hidden and (not name or name.lower() in i["name"].lower())]
        return {"items": items[offset:offset + limit], "limit": limit, "offset": offset, "totalCount": len(items)}

    def get(self, sound_id: int, now: int) -> dict:
        return self._sound(sound_id).at(now)

    def upload(self, form: dict[str, object], now: int) -> dict:
        """POST /campaigns/sounds/files: `file` (WAV or MP3) and an optional `name`."""
        upload = form.get("file")
        if not isinstance(upload, tuple):
            raise bad_request("file: a sound file is required")
        filename, content = upload
        kind, seconds = "wav", audio.wav_seconds(content)
        if seconds is None:
            kind, seconds = "mp3", audio.mp3_seconds(content)
        if seconds is None:
            raise bad_request(f"file: {filename or 'the file'} is not a WAV or MP3 sound")
        duplicate = any(kind in s.files and s.files[kind] == content for s in self._sounds.values())
        name = form.get("name") if isinstance(form.get("name"), str) else None
        sound = self._add(name or filename or "sound", now, seconds)
        sound.files[kind] = content
        sound.wire["duplicate"] = duplicate
        return sound.at(now)

    def text_to_speech(self, body: object, now: int) -> dict:
        """POST /campaigns/sounds/tts: a TextToSpeech; about 2.5 words a second."""
        check_shape(body, TEXT_TO_SPEECH, "body")
        message = body.get("message", "").strip()
        if not message:
            raise bad_request("message: the text to speak is required")
        return self._add(f"TTS: {message[:40]}", now, max(1, math.ceil(len(message.split()) / 2.5))).at(now)

    def record_call(self, body: object, now: int) -> dict:
        """POST /campaigns/sounds/calls: CallFire calls `toNumber`; RECORDING for a minute."""
        check_shape(body, CALL_CREATE_SOUND, "body")
        if nanp_e164(body.get("toNumber", "")) is None:
            raise bad_request(f"toNumber: {body.get('toNumber')!r} is not a valid number")
        sound = self._add(body.get("name") or f"Recording {body['toNumber']}", now, RECORDED_SECONDS)
        sound.ready_at = now + RECORDING_MS
        return sound.at(now)

    def data(self, sound_id: int, kind: str, now: int) -> Audio:
        sound = self._sound(sound_id)
        if now < sound.ready_at:
            raise not_found(f"sound {sound_id} is still being recorded")
        content = sound.files.get(kind)
        if content is None:
            content = tone(kind, sound.wire["lengthInSeconds"], tone_hertz(sound_id))
        return Audio(content, FORMATS[kind])

    def _add(self, name: str, now: int, seconds: float) -> Sound:
        sound_id = self._take_id()
        sound = Sound({"id": sound_id, "name": name, "status": "ACTIVE", "created": now,
                       "lengthInSeconds": max(1, round(seconds))})
        self._sounds[sound_id] = sound
        return sound

    def _sound(self, sound_id: int) -> Sound:
        if sound_id not in self._sounds:
            raise not_found(f"sound {sound_id} not found")
        return self._sounds[sound_id]


def tone(kind: str, seconds: float, hertz: float) -> bytes:
    return audio.mp3_tone(seconds, hertz) if kind == "mp3" else audio.wav_tone(seconds, hertz)


def recording_audio(recording: dict) -> Audio:
    """A call recording's MP3: a tone of its length (its lengthInBytes is this file's size)."""
    return Audio(audio.mp3_tone(recording["lengthInSeconds"], tone_hertz(recording["id"])), FORMATS["mp3"])


def read_form(content_type: str, body: bytes) -> dict[str, object]:
    """A multipart/form-data body: text fields as str, files as (filename, bytes).  Split on
    the boundary by hand: the stdlib's email parser takes seconds on a file of a few MB."""
    header = email.message.Message()
    header["Content-Type"] = content_type
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not boundary:
        raise bad_request(f"Content-Type must be multipart/form-data, not {content_type or 'missing'}")
    form: dict[str, object] = {}
    for chunk in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break                                   # the closing delimiter
        head, separator, payload = chunk.partition(b"\r\n\r\n")
        if not separator:
            raise bad_request("body: a multipart part has no headers")
        part = email.parser.BytesHeaderParser(policy=email.policy.HTTP).parsebytes(head.strip() + b"\r\n\r\n")
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        content = payload.removesuffix(b"\r\n")
        form[name] = (filename, content) if filename is not None else content.decode("utf-8", "replace")
    return form


def form_summary(form: dict[str, object]) -> dict[str, object]:
    """What /__sim/requests logs of a form: fields, and each file's name, size and digest."""
    return {name: {"filename": v[0], "size": len(v[1]), "sha256": hashlib.sha256(v[1]).hexdigest()}
            if isinstance(v, tuple) else v for name, v in form.items()}
