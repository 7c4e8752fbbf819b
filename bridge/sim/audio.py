"""Real, small audio for the simulator's sounds and recordings, made in code (no files, no
dependency): a sine tone as a WAV (stdlib `wave`) and as MPEG-1 Layer III frames a player
decodes, plus the length of an uploaded WAV or MP3.

The MP3 is 32 kHz mono at 32 kbit/s: every frame is 144 bytes holding 1152 samples (36 ms).
Each granule carries one non-zero spectral line (Huffman table 1, no scalefactors, no bit
reservoir), which a decoder's synthesis turns into a steady tone near that line's frequency.
"""
from __future__ import annotations

import array
import functools
import io
import math
import sys
import wave

WAV_RATE = 8000              # telephone audio, 16-bit mono
MP3_RATE = 32000
MP3_FRAME_SAMPLES = 1152
MP3_FRAME_BYTES = 144        # 144 * bitrate / rate, no padding
MP3_HEADER = bytes((0xFF, 0xFB, 0x18, 0xC4))  # MPEG-1, Layer III, no CRC, 32 kbit/s, 32 kHz, mono, original
_SIDE_INFO_BITS = 136        # mono MPEG-1: 17 bytes
_LINE_HZ = MP3_RATE / 2 / 576  # width of one of a granule's 576 spectral lines
_GLOBAL_GAIN = 202           # a line of 1 dequantizes to 2 ** ((202 - 210) / 4) = 0.25 of full scale
# MPEG-1 Layer III bit rates (kbit/s) by index, and sampling rates (Hz) by index.
_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_RATES = (44100, 48000, 32000)


class _Bits:
    """Big-endian bit packing."""

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, value: int, width: int) -> None:
        self.value = (self.value << width) | (value & ((1 << width) - 1))
        self.length += width

    def code(self, bits: str) -> None:
        self.put(int(bits, 2), len(bits))

    def to_bytes(self, size: int) -> bytes:
        """Padded with zero bits to `size` bytes."""
        return (self.value << (size * 8 - self.length)).to_bytes(size, "big")


def _granule_data(line: int) -> tuple[_Bits, int]:
    """Huffman data of a granule whose only non-zero line is `line` (value +1): (bits, big_values)."""
    data = _Bits()
    pairs = line // 2 + 1
    for _ in range(pairs - 1):
        data.code("1")                               # (0, 0)
    data.code("001" if line % 2 else "01")         # (0, 1) or (1, 0)
    data.put(0, 1)                                   # its sign: positive
    return data, pairs


@functools.lru_cache(maxsize=64)
def _mp3_frame(line: int) -> bytes:
    data, big_values = _granule_data(line)
    side = _Bits()
    side.put(0, 9)    # main_data_begin: no bit reservoir
    side.put(0, 5)    # private bits
    side.put(0, 4)    # scfsi
    for _ in range(2):
        side.put(data.length, 12)   # part2_3_length (no scalefactor bits)
        side.put(big_values, 9)
        side.put(_GLOBAL_GAIN, 8)
        side.put(0, 4)              # scalefac_compress: slen 0/0
        side.put(0, 1)              # window_switching_flag: long blocks
        for _region in range(3):
            side.put(1, 5)          # table_select: Huffman table 1
        side.put(0, 4)              # region0_count
        side.put(0, 3)              # region1_count
        side.put(0, 3)              # preflag, scalefac_scale, count1table_select
    assert side.length == _SIDE_INFO_BITS
    main = _Bits()
    for _ in range(2):
        main.put(data.value, data.length)
    return MP3_HEADER + side.to_bytes(17) + main.to_bytes(MP3_FRAME_BYTES - 4 - 17)


def mp3_frames(seconds: float) -> int:
    return max(1, math.ceil(seconds * MP3_RATE / MP3_FRAME_SAMPLES))


def mp3_size(seconds: float) -> int:
    """The length in bytes of `mp3_tone(seconds, ...)`."""
    return mp3_frames(seconds) * MP3_FRAME_BYTES


def mp3_tone(seconds: float, hertz: float) -> bytes:
    """An MP3 of about `seconds` (whole 36 ms frames) playing a tone near `hertz`."""
    line = min(575, max(0, round(hertz / _LINE_HZ - 0.5)))
    return _mp3_frame(line) * mp3_frames(seconds)


def wav_tone(seconds: float, hertz: float) -> bytes:
    """A 16-bit mono 8 kHz WAV of `seconds` playing a sine at `hertz`, faded in and out (10 ms)."""
    count = max(1, round(seconds * WAV_RATE))
    fade = WAV_RATE // 100
    step = 2 * math.pi * hertz / WAV_RATE
    samples = array.array("h", (round(9000 * min(1.0, i / fade, (count - i) / fade) * math.sin(step * i))
                                for i in range(count)))
    if sys.byteorder == "big":
        samples.byteswap()  # WAV is little-endian
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(WAV_RATE)
        writer.writeframes(samples.tobytes())
    return out.getvalue()


def wav_seconds(content: bytes) -> float | None:
    """A WAV file's duration, None when it is not one the `wave` module reads."""
    try:
        with wave.open(io.BytesIO(content), "rb") as reader:
            return reader.getnframes() / reader.getframerate()
    except (wave.Error, EOFError, ZeroDivisionError):
        return None


def mp3_seconds(content: bytes) -> float | None:
    """An MPEG-1 Layer III file's duration from its frame headers (an ID3v2 tag is skipped),
    None when no run of frames is found."""
    position = 0
    if content[:3] == b"ID3" and len(content) >= 10:
        position = 10 + int.from_bytes(bytes(b & 0x7F for b in content[6:10]), "big")  # syncsafe size
    frames: dict[int, int] = {}   # frames per sampling rate
    while position + 4 <= len(content):
        header = content[position:position + 4]
        if header[0] != 0xFF or header[1] & 0xFE != 0xFA:   # sync, MPEG-1, Layer III
            break
        bitrate, rate = _BITRATES[header[2] >> 4] if header[2] >> 4 < 15 else 0, (header[2] >> 2) & 3
        if not bitrate or rate == 3:
            break
        size = 144 * bitrate * 1000 // _RATES[rate] + ((header[2] >> 1) & 1)
        frames[_RATES[rate]] = frames.get(_RATES[rate], 0) + 1
        position += size
    return sum(count * MP3_FRAME_SAMPLES / rate for rate, count in frames.items()) if frames else None
