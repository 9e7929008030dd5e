"""Mono int16 PCM in bytes (native byte order, as PortAudio and pjmedia hand it over): the one
sample format of the bridge, worked on without numpy.

Why not numpy: in a call numpy was ~11 MiB of the engine's file pages (_multiarray_umath,
OpenBLAS, libgfortran) plus its heap, for 20 ms frames that need a copy, a gain and a sum
(docs/footprint.md §3). The stdlib's `audioop` does those in C, per frame, faster than the numpy
code did (320 samples: gain 2 µs against 4, mix and gain 3.4 µs against 14). It is deprecated
from Python 3.11 and gone in 3.13; the project runs on 3.11, and `audioop-lts` on PyPI is the
same module for later versions.
"""

from __future__ import annotations

import warnings
from array import array

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

WIDTH = 2  # bytes per sample

Pcm = bytes | bytearray | memoryview  # int16 samples; a memoryview is of format "B"


def scale(frame: Pcm, gain: float) -> bytes:
    """Every sample times `gain`, clipped to int16."""
    return bytes(frame) if gain == 1.0 else audioop.mul(frame, WIDTH, gain)


def add(a: Pcm, b: Pcm) -> bytes:
    """Sample-wise sum of two frames of the same length, clipped to int16."""
    return audioop.add(a, b, WIDTH)


def samples(data: Pcm) -> array[int]:
    """The samples as an array of ints (for the few per-sample steps: edges, tables)."""
    out = array("h")
    out.frombytes(data)
    return out


def byte_view(buffer: object) -> memoryview:
    """A writable buffer (PortAudio's, a ctypes array) as bytes, so slices assign between them."""
    return memoryview(buffer).cast("B")  # type: ignore[arg-type]
