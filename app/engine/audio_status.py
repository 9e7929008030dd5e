"""Device trouble as the user is told of it: a line on the call screen, said once a call needs
the sound.

The bridge's monitor thread reports a new status text at any time (`report`); the SIP thread's
loop shows it on its next turn (`show`), which `wake` brings forward so that a lost device is
said at once, not at the loop's next timer second (app/engine/wake.py). No pop-up at start-up:
it would take the first key press; the user hears nothing only when a call is up, so the phone
says why then.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.engine.audio_state import is_ok


class SoundStatus:
    def __init__(
        self,
        publish_state: Callable[[], None],
        warn: Callable[[str], None],
        in_call: Callable[[], bool],
    ) -> None:
        self._publish_state = publish_state
        self._warn = warn
        self._in_call = in_call
        self._lock = threading.Lock()
        self._new: str | None = None
        self._shown = ""
        self._warned_in_call = False
        self.wake: Callable[[], None] | None = None  # ends the loop's wait

    def report(self, text: str) -> None:
        """Any thread: the sound's status is now `text` (shown by the loop's next `show`)."""
        with self._lock:
            self._new = text
        if self.wake is not None:
            self.wake()

    def show(self, status: str) -> None:
        """The loop's turn (SIP thread): publish a reported change; warn when a call is up and
        the sound is not well (`status`: the bridge's status now, or why there is none)."""
        with self._lock:
            text, self._new = self._new, None
        if text is not None:
            self._publish_state()
            if is_ok(text):
                self._warn("")
            elif self._in_call() and text != self._shown:
                self._shown = text
                self._warn(text)
        if status and self._in_call() and not self._warned_in_call and not is_ok(status):
            self._warned_in_call = True
            self._shown = status
            self._warn(status)
