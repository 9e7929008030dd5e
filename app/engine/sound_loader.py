"""Sound libraries load when sound is first needed, in the background.

PortAudio (sounddevice, whose import runs Pa_Initialize: ALSA's configuration, its pulse
plugin, a probe of every device) and, before the bridge went without numpy, numpy cost the
engine about 37 MB and 0.3-0.6 s of CPU on the test machine (docs/audio.md §2). An always-on
phone that is never called would pay that for nothing, so the engine loads them the first
time it needs sound: the dial screen, a key, a call placed or coming in. The SIP thread never
waits for the load: a thread of its own builds the DeviceBridge, and the SIP thread adopts it
on the loop turn after `ready` woke it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger("deskphone.audio")

T = TypeVar("T")


class SoundLoader(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._thread: threading.Thread | None = None
        self._result: T | None = None
        self._taken = False
        self._lock = threading.Lock()
        self.ready: Callable[[], None] | None = None  # called from the loading thread
        self.error = ""

    @property
    def requested(self) -> bool:
        return self._thread is not None

    def request(self) -> None:
        """Start loading (once); returns at once."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._load, name="sound-loader", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            made = self._make()
        except Exception as exc:  # a broken install must not take the engine down
            log.exception("sound could not be loaded")
            self.error = f"Sound could not be loaded ({exc}); calls continue without audio"
            return
        with self._lock:
            self._result = made
        ready = self.ready
        if ready is not None:
            ready()

    def take(self) -> T | None:
        """The loaded object, once (the caller owns it from then on)."""
        with self._lock:
            if self._result is None or self._taken:
                return None
            self._taken = True
            return self._result

    def abandon(self, timeout: float) -> T | None:
        """Shutting down: wait for a load under way; return what was loaded and not taken."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.take()
