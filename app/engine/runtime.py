"""The engine: one thread owns pjsua2 and the phone core and blocks in libHandleEvents().

Facts from pjsua2 callbacks go straight into the core on this same thread, and the core's
commands are executed before the callback returns, so a decision (like following a 302) never
waits for another thread. Intents from the control socket arrive through a queue.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from types import FrameType
from typing import Any, TypeVar

from app import __version__
from app.engine import ops
from app.engine.audio import EngineAudio
from app.engine.callflow import FlowRecorder
from app.engine.control import ControlServer, Inbound
from app.engine.display import Display
from app.engine.gc_pacer import GcPacer
from app.engine.handset_intents import run_intents
from app.engine.heap import HeapTrimmer
from app.engine.history_writer import HistoryWriter
from app.engine.line_keys import EngineLineKeys
from app.engine.options import EngineOptions
from app.engine.outbox import Outbox
from app.engine.remote import RemoteControl
from app.engine.wake import Waker, bound_ms, wait_ms
from app.phone.core import CoreInput
from app.phone.core_audio import SoundingPhoneCore
from app.phone.messages import Input, Publish, Then, Tick, TransportInfo
from app.phone.settings import Settings
from app.protocol import PROTOCOL_VERSION, event, ready_line
from app.sip import guard
from app.sip.account import sip_accounts
from app.sip.adapter import SipAdapter
from app.sip.audio_port import bridge_port
from app.sip.stack import SipStack, StackOptions
from app.store.directory import Directory
from app.store.errors import StoreError
from app.store.history import CallHistory
from app.store.settings_file import SettingsFile

log = logging.getLogger("deskphone.engine")


T = TypeVar("T")


class Engine:
    """The engine process. Its helpers see it through narrow hosts it implements:
    ops.OpHost (control ops), remote.RemoteHost (Action URI/URL), handset_intents.IntentHost."""

    def __init__(self, options: EngineOptions) -> None:
        self.options = options
        self.store = SettingsFile(options.config_dir)  # this process's one settings writer
        loaded = self.store.load()
        self.settings = loaded.settings
        self.settings_warning = loaded.warning
        port = options.sip_port if options.sip_port is not None else self.settings.sip_port
        self.flows = FlowRecorder(options.config_dir, self.to_window)
        self.stack = SipStack(
            StackOptions(
                port=port,
                bind=options.bind,
                log_dir=options.config_dir / "logs",
                log_level=options.sip_log_level,
                capture=self.flows.capture,
            )
        )
        self.core = SoundingPhoneCore(self.settings, time.monotonic)
        self.adapter = SipAdapter(self.stack, self.feed)
        self.adapter.sip_call_ids.on_new = self.flows.link
        self.outbox = Outbox(self._emit, self.stack.poll)  # every event goes out through it
        self._publish = self.outbox.put  # emitted after SIP is served (outbox.py)
        self.stack.guard.policy = self.core.incoming_policy  # applied before pjsua sees a call
        self.display = Display(self.core, self._publish)
        self.display.keys = self.line_keys = EngineLineKeys(self.stack.dialogs, self.settings)
        self.audio = EngineAudio(
            lambda: self.settings,
            self._publish,
            self.display.show_error,
            lambda: bool(self.core.live_calls()),
            warn=self.display.set_audio_warning,
            dialing=lambda: not self.display.handset.resting(),
        )
        self.adapter.on_media = self.audio.on_media
        self.history = HistoryWriter(CallHistory(options.config_dir))
        self.history.on_written = lambda call, row: self.flows.on_publish("call", call, row)
        self.heap = HeapTrimmer()
        self.gc = GcPacer()  # collections between loop turns, never inside pjsip's work
        self.display.missed = self.history.history.missed_unviewed()
        self.display.history = self.history.items()
        self.display.load_directory(Directory(self.options.config_dir))
        if self.settings_warning:
            # the handset shows it as a pop-up from the first screen on
            log.warning("settings: %s", self.settings_warning)
            self.display.show_error(self.settings_warning)
        self._accounts_pending = False  # account edits wait for the calls to end
        self.control: ControlServer | None = None
        self.waker: Waker | None = None
        self.remote = RemoteControl(self)
        self._pending: deque[CoreInput] = deque()
        self._draining = False
        self._stop = False

    # ---- the phone core's single entry point on this thread ---------------------------

    def feed(self, msg: CoreInput) -> None:
        """Run an input through the core and carry out what it says; re-entrant safe."""
        self._pending.append(msg)
        if self._draining:
            return  # a command being executed fed back a fact: handled by the outer loop
        self._draining = True
        try:
            while self._pending:
                then: list[Input] = []
                for out in self.core.handle(self._pending.popleft()):
                    if isinstance(out, Publish):
                        self._publish(out.kind, out.data)
                    elif isinstance(out, Then):
                        then.append(out.input)
                    elif not self.audio.execute(out):
                        self.adapter.execute(out)
                self._pending.extendleft(reversed(then))  # before anything fed meanwhile
        finally:
            self._draining = False

    def _emit(self, kind: str, data: dict[str, Any]) -> None:
        data = self.remote.on_publish(kind, data)  # Action URL events; adds the SIP Call-ID
        self.flows.on_publish(kind, data)  # an ended call's history row follows (on_written)
        if kind == "call":
            self.history.on_call(data)  # written in show_on(), with others of this loop turn
        elif kind == "call_removed":
            # The core never publishes a removed call again: its once-only guard can go, or
            # an always-on engine keeps one entry per call it ever had.
            self.history.forget(str(data.get("id")))
        elif kind == "error":
            self.display.show_error(str(data.get("text", "")))
        elif kind == "message":
            self.display.show_message(str(data.get("from_uri", "")), str(data.get("body", "")))
        if self.control is not None:
            self.control.send(event(kind, **data))

    # ---- life cycle --------------------------------------------------------------------

    def run(self) -> int:
        self.stack.start()
        self.flows.start(f"{self.options.bind or '0.0.0.0'}:{self.stack.port}")
        self.waker = Waker(self.options.bind, self.stack.port)
        self.outbox.wake = self.waker.wake
        self.control = ControlServer(self.options.control_path, self.waker.wake)
        self.control.start()
        self.adapter.create_accounts(self.settings, self.options.bind)
        asked = (
            self.options.sip_port if self.options.sip_port is not None else self.settings.sip_port
        )
        self.core.local_domain = f"{self.options.bind or '127.0.0.1'}:{self.stack.port}"
        self.feed(TransportInfo(self.stack.port, asked, self.stack.port_note))
        self.remote.start()
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        # A signal's byte, written by the C-level handler, ends the current libHandleEvents()
        # wait so the Python handler runs now, not at the end of a 1 s wait.
        signal.set_wakeup_fd(self.waker.signal_fd(), warn_on_full_buffer=False)
        # The supervisor waits for this line before connecting.
        sys.stdout.flush()
        os.write(1, ready_line(str(self.options.control_path), self.stack.port))
        # The conference's clock and the calls' link to it; sound libraries load when needed.
        stack = self.stack
        self.audio.start(stack.master, bridge_port(stack.ep), stack.master_problem, self.waker.wake)
        try:
            self.gc.start()
            self._loop()
        finally:
            self._shutdown()
        return 0

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: shutting down", signum)
        self._stop = True

    def _loop(self) -> None:
        assert self.control is not None and self.waker is not None
        while not self._stop:
            times = (self.core.next_deadline(), self.line_keys.next_deadline())
            deadline = min((t for t in times if t is not None), default=None)
            wait = 0 if self.waker.pending else wait_ms(deadline, self._wait_bound)
            self.stack.handle_events(wait)
            self.waker.woken()
            self.control.drain(self._on_inbound)
            self.stack.serve_answers()  # a call just placed: its 302 may be back at once
            self.outbox.flush()  # what SIP has meanwhile goes first, then the events
            self.remote.drain()
            self.line_keys.turn(time.monotonic(), self.core.accounts)
            if self.core.next_deadline() is not None:
                self.feed(Tick(time.monotonic()))
            self.run_intents(self.display.tick())
            self.audio.poll()
            if self._accounts_pending and not self.core.live_calls():
                self._reconfigure_accounts()
            self.stack.serve_answers()  # a call placed by a key or a timer (redial, ask)
            self.outbox.flush()  # the display shows what the events (history) changed
            self.history.show_on(self.display, time.monotonic())
            self.display.refresh()
            self.outbox.flush()
            self.remote.refresh_state()
            self.heap.note(time.monotonic(), bool(self.core.live_calls()))
            self.gc.turn()

    def _wait_bound(self) -> int:
        quiet = (
            self.display.handset.resting()
            and not self.audio.tone_pending
            and not self._accounts_pending
            and not self.history.stale
        )
        return bound_ms(quiet, self.core.live_calls(), time.monotonic())

    def _shutdown(self) -> None:
        log.info("engine stopping")
        self.gc.stop()
        self.line_keys.reset()  # the un-SUBSCRIBEs go out with the un-REGISTERs
        self.adapter.shutdown()
        self.audio.shutdown()
        self.outbox.flush()
        self.history.flush()
        self.remote.stop()  # after the hang-ups, so their call_terminated events still go out
        self.stack.destroy()
        self.flows.stop()
        if self.control is not None:
            self.control.close()
        if self.waker is not None:
            signal.set_wakeup_fd(-1)
            self.waker.close()

    # ---- control messages --------------------------------------------------------------

    def _on_inbound(self, item: Inbound) -> None:
        assert self.control is not None
        self.outbox.flush()  # replies below must not overtake the events before them
        if item.kind == "connected":
            self.control.send(self._hello(), item.client)
            self.control.send(event("snapshot", **self.core.snapshot()), item.client)
            self.control.send(event("screen", screen=self.display.current()), item.client)
        elif item.kind == "disconnected":
            if self.options.exit_on_disconnect and self.control.client_count == 0:
                log.info("last control client left: shutting down")
                self._stop = True
        elif item.kind == "message":
            ops.dispatch(self, item.client, item.msg)

    def _hello(self) -> dict[str, Any]:
        stack = self.stack
        return event(
            "hello", protocol=PROTOCOL_VERSION, version=__version__, pjsua2=stack.version,
            pid=os.getpid(), port=stack.port, port_note=stack.port_note,
            settings_warning=self.settings_warning,
        )  # fmt: skip

    # ---- ops.OpHost: what the control ops do ---------------------------------------------

    @property
    def test_hooks(self) -> bool:
        return self.options.test_hooks

    def press_key(self, key: str, key_tone: bool = True) -> None:
        """A handset key, from the window (with its key tone) or Action URI (without)."""
        if key_tone:
            self.audio.key_pressed(key)
        self.run_intents(self.display.press(key))

    def type_text(self, text: str) -> None:
        self.run_intents(self.display.type_text(text))

    def snapshot(self) -> dict[str, Any]:
        return self.core.snapshot()

    def status(self) -> dict[str, Any]:
        return {
            "callback_failures": guard.failures,
            "audio": self.audio.state(),
            "pid": os.getpid(),
            "media_polls": self.stack.media.polls,  # RTP socket polls: none while idle
            **self.stack.guard.counts(),  # the incoming guard's 503s, drops, answers
            "blf": self.line_keys.status(),
        }

    def reply(self, client: int, message: dict[str, Any]) -> None:
        assert self.control is not None
        self.control.send(message, client)

    def stop(self) -> None:
        self._stop = True

    # ---- remote.RemoteHost: what Action URI and Action URL reach -------------------------

    @property
    def sip_call_ids(self) -> Mapping[str, str]:
        return self.adapter.sip_call_ids

    @property
    def local_address(self) -> str:
        return self.options.bind or "127.0.0.1"

    def softkeys(self) -> list[str]:
        return [str(k) for k in self.display.current().get("softkeys", [])]

    def show_error(self, text: str) -> None:
        self.display.show_error(text)

    def wake(self) -> None:
        """Any thread."""
        if self.waker is not None:
            self.waker.wake()

    def to_window(self, message: dict[str, Any]) -> bool:
        """Any thread: the control socket's send only queues."""
        control = self.control
        if control is None or control.client_count == 0:
            return False
        control.send(message)
        return True

    # ---- handset_intents.IntentHost: the engine's part of the handset's intents ----------

    def run_intents(self, intents: Sequence[object]) -> None:
        """Carry out what the handset asked for: core intents, or the engine's own."""
        self.adapter.ops.retry_pending()  # holds that waited for a re-INVITE (once a turn)
        run_intents(self, list(intents))

    def edit_settings(self, change: Callable[[Settings], T]) -> T:
        """Apply `change` to the settings in use and to settings.json (a read-modify-write
        under the store's lock, so the window's newer edits on disk are kept). A change the
        SIP accounts are built from re-creates them once no call is up."""
        accounts = sip_accounts(self.settings)
        result = change(self.settings)
        if sip_accounts(self.settings) != accounts:
            self._accounts_pending = True
        try:
            self.store.update(change)
        except StoreError as exc:
            self._publish("error", {"text": str(exc)})
        self.core.update_settings(self.settings)
        self.line_keys.apply(self.settings)
        self.remote.settings_changed(self.settings)
        return result

    def clear_missed(self) -> None:
        self.history.history.mark_viewed()
        self.display.missed = 0

    def open_settings(self, section: str) -> None:
        self._publish("open_settings", {"section": section})

    def audio_intent(self, intent: object) -> bool:
        return self.audio.handle_intent(intent, self.core.silence)

    def unsupported(self, name: str) -> None:
        log.info("handset intent %s not supported yet", name)
        self.display.show_error(f"{name}: not available yet")

    # ---- settings and contacts -----------------------------------------------------------

    def reload_settings(self) -> None:
        """The UI saved new settings: forward, DND and feature rules apply to the next call."""
        loaded = self.store.load()
        if loaded.warning:
            self._publish("error", {"text": loaded.warning})
            return
        accounts_changed = sip_accounts(loaded.settings) != sip_accounts(self.settings)
        self.audio.apply_settings(self.settings.audio, loaded.settings.audio)
        self.settings = loaded.settings
        self.core.update_settings(loaded.settings)
        self.line_keys.apply(loaded.settings)
        self.display.load_directory(Directory(self.options.config_dir))
        if accounts_changed:
            self._accounts_pending = True
            if not self.core.live_calls():
                self._reconfigure_accounts()
            else:
                log.info("account changes wait for the calls to end")
        self.remote.settings_changed(loaded.settings)
        log.info("settings reloaded")
        self._publish("settings_reloaded", {})

    def _reconfigure_accounts(self) -> None:
        """Account settings changed: new pjsua2 accounts register, without a restart."""
        self._accounts_pending = False
        for out in self.core.reconfigure_accounts(self.settings):
            if isinstance(out, Publish):
                self._publish(out.kind, out.data)
        self.line_keys.reset()  # made again once the new accounts register
        self.adapter.reconfigure_accounts(self.settings, self.options.bind)
