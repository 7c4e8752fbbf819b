"""The audio of the seed's sounds and call recordings: the very bytes the v2 simulator serves
(bridge.sim.sounds generates them: a tone of the sound's length and pitch, in MP3 or WAV).

The v2 simulator serves a call recording as MP3 only; a 2014 v1.1 server also answered WAV
(GetRecordingData/Format), so the WAV of a recording is the same tone made as a WAV, the way
the v2 simulator makes a sound's other format.
"""
from __future__ import annotations

from bridge.sim.sounds import recording_audio, tone, tone_hertz

FORMATS = {"MP3": "mp3", "WAV": "wav"}   # svc:SoundFormat -> the v2 simulator's file kind


def sound_bytes(sound: dict, sound_format: str) -> bytes:
    """A seed sound (a v2 CampaignSound) in `sound_format` (MP3 or WAV)."""
    return tone(FORMATS[sound_format], sound["lengthInSeconds"], tone_hertz(sound["id"]))


def recording_bytes(recording: dict, sound_format: str) -> bytes:
    """A seed call recording (a v2 CallRecording) in `sound_format` (MP3 or WAV)."""
    if sound_format == "MP3":
        return recording_audio(recording).content
    return tone(FORMATS[sound_format], recording["lengthInSeconds"], tone_hertz(recording["id"]))
