"""Custom ringtone files read and decoded on a worker thread, never on the SIP thread.

Why: the ringer used to read the WAV when a call came in, on the engine's
SIP thread: a FIFO there blocked that thread for good, and even a large legitimate file held
up SIP for the time its decoding and resampling took. The engine asks for the configured
ringtone when the settings are loaded; by the time a call rings it is ready. A ringtone not
ready yet (or broken) rings as Ring1 for that call. Only the decoded Ringtone crosses threads.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.phone.ringtone_names import BUILTIN, SILENT

if TYPE_CHECKING:  # synthesised or decoded when a ringtone is wanted, not at start-up
    from app.audio.ringtones import Ringtone, RingtoneError

log = logging.getLogger("deskphone.audio")

MAX_KEPT = 4  # decoded files kept; the settings name one


def is_builtin(choice: str) -> bool:
    return choice.strip().capitalize() in (*BUILTIN, SILENT)


def load_ringtone(choice: str) -> Ringtone:
    """Ring1–Ring8, Silent (any case), or a path to a WAV file."""
    from app.audio.ringtones import RingtoneError, builtin_ringtone

    stripped = choice.strip()
    if is_builtin(stripped):
        return builtin_ringtone(stripped)
    if not stripped:
        raise RingtoneError("no ringtone chosen")
    from app.audio.ringtone_wav import load_wav  # numpy: only for a file, on the worker thread

    return load_wav(Path(stripped).expanduser())


class RingtoneLoader:
    def __init__(self, load: Callable[[str], Ringtone] | None = None) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._done: dict[str, Ringtone | RingtoneError] = {}
        self._pending: set[str] = set()
        self._queue: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def want(self, choice: str, fresh: bool = False) -> None:
        """Start loading a file ringtone (again, if `fresh`: the file may have changed)."""
        if is_builtin(choice) or not choice.strip():
            return
        with self._lock:
            if fresh:
                self._done.pop(choice, None)
            if choice in self._done or choice in self._pending:
                return
            self._pending.add(choice)
            if self._thread is None:
                # A daemon: a read stuck on a dead network mount must not hold up exit.
                self._thread = threading.Thread(target=self._run, name="ringtone", daemon=True)
                self._thread.start()
        self._queue.put(choice)

    def get(self, choice: str) -> Ringtone | RingtoneError | None:
        """The decoded ringtone, why it cannot be used, or None while it is still loading."""
        with self._lock:
            done = self._done.get(choice)
        if done is None:
            self.want(choice)
        return done

    def ringtone(self, name: str, show_error: Callable[[str], None]) -> Ringtone:
        """What rings now: a built-in at once; a file only once it has been read (Ring1
        until then, and Ring1 with an error shown for a file that cannot be used)."""
        from app.audio.ringtones import RingtoneError, builtin_ringtone

        try:
            if is_builtin(name):
                return builtin_ringtone(name)
            got = self.get(name)
            if isinstance(got, RingtoneError):
                raise got
        except RingtoneError as exc:
            show_error(f"Ringtone: {exc}")
            return builtin_ringtone("Ring1")
        if got is None:
            log.warning("ringtone %r is still being read: Ring1 for this call", name[:200])
            return builtin_ringtone("Ring1")
        return got

    def _run(self) -> None:
        from app.audio.ringtones import RingtoneError

        load = self._load or load_ringtone
        while True:
            choice = self._queue.get()
            try:
                result: Ringtone | RingtoneError = load(choice)
            except RingtoneError as exc:
                result = exc
            except Exception as exc:  # a decoder bug must not end the thread
                log.exception("ringtone %r", choice)
                result = RingtoneError(f"cannot be used ({type(exc).__name__})")
            with self._lock:
                self._pending.discard(choice)
                self._done[choice] = result
                while len(self._done) > MAX_KEPT:
                    del self._done[next(iter(self._done))]
            log.info(
                "ringtone %r: %s", choice, result if isinstance(result, Exception) else "ready"
            )
