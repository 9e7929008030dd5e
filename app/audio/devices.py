"""PortAudio (through sounddevice) loading, device lookup by name, and rescanning.

sounddevice is imported lazily: a machine without libportaudio2 must still run the phone
without audio, so every failure here becomes a message, never an exception.
"""

from __future__ import annotations

import ctypes
import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Found:
    index: int | None  # None: no usable device
    name: str  # the device's own name, or "" when none
    note: str  # why another device was taken, or why none; "" when exactly as asked


def load_sounddevice() -> tuple[Any, str]:
    """(module, "") or (None, reason)."""
    try:
        sd = importlib.import_module("sounddevice")
    except (ImportError, OSError) as exc:  # OSError: libportaudio2 missing
        return None, f"PortAudio not available ({exc})"
    release_alsa_config()
    return sd, ""


def release_alsa_config() -> None:
    """Unload the ALSA plugins that PortAudio's device probe loaded and no stream uses.

    Pa_Initialize opens every PCM the ALSA configuration defines (a52, jack, oss, speex, upmix
    ... from libasound2-plugins) to list devices, and alsa-lib keeps each plugin library, with
    its dependencies (libavcodec for a52), in its cache until the global configuration is
    freed: on a Debian desktop about 11 MiB and 70 libraries for the life of the engine.
    snd_config_update_free_global() frees them (PortAudio's own Pa_Terminate calls it); the
    next snd_pcm_open reads the configuration again and loads only the plugin that device
    needs. Only called with no stream open. No libasound (another host API): nothing to do.
    """
    try:
        asound = ctypes.CDLL("libasound.so.2")
        asound.snd_config_update_free_global()
    except (OSError, AttributeError):
        pass


def rescan(sd: Any) -> None:
    """Re-initialise PortAudio so devices that appeared or vanished are seen.

    PortAudio builds its device list once, in Pa_Initialize; sounddevice exposes the
    terminate/initialize pair only as private functions (stable since 0.3). Every stream must be
    closed before this is called.
    """
    sd._terminate()
    sd._initialize()
    release_alsa_config()


def find_device(sd: Any, wanted: str, direction: str, role: str) -> Found:
    """A device index for `wanted` (exact name, else case-insensitive substring, else default).

    direction is "output" or "input"; role names the device in messages ("Speaker", "Ringer"...).
    """
    key = f"max_{direction}_channels"
    try:
        devices = list(sd.query_devices())
    except Exception as exc:  # PortAudio errors are plain Exceptions subclasses
        return Found(None, "", f"{role}: cannot list sound devices ({exc})")
    usable = [(i, d) for i, d in enumerate(devices) if d.get(key, 0) > 0]
    if not usable:
        return Found(None, "", f"{role}: no {direction} sound device")
    if wanted:
        for i, d in usable:
            if d["name"] == wanted:
                return Found(i, d["name"], "")
        for i, d in usable:
            if wanted.casefold() in d["name"].casefold():
                return Found(i, d["name"], "")
    default = _default_index(sd, direction)
    if default is None or not any(i == default for i, _ in usable):
        default = usable[0][0]
    name = devices[default]["name"]
    note = f"{role}: device {wanted!r} not found, using {name!r}" if wanted else ""
    return Found(default, name, note)


def _default_index(sd: Any, direction: str) -> int | None:
    try:
        pair = sd.default.device
        index = pair[0 if direction == "input" else 1]
        return int(index) if index is not None and int(index) >= 0 else None
    except Exception:
        return None
