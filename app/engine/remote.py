"""Action URI and Action URL wired into the engine.

Threads: the Action URI server answers on its own threads and reaches the engine only through
`submit`, `state`, `screenshot` and the prompt broker, all thread-safe and non-blocking for the
SIP thread:
- `submit(actions)` (HTTP thread) puts the actions on a queue and wakes the SIP thread, which
  runs them in `drain()`: keys go through the handset exactly like a click on the faceplate;
  dial/answer/hangup become core intents; DND, forward and hold are the handset's intents.
- `state()` (HTTP thread) returns the last snapshot; the SIP thread builds a new dict after
  each loop turn and swaps the reference (copy-on-write), so no core object is read elsewhere.
- `screenshot()` (HTTP thread): the window owns the display widget, so the engine asks the UI
  (`remote_screencapture` event with an id) and waits, on the HTTP thread only, up to
  `SCREENSHOT_TIMEOUT` for the `remote_screen` op carrying the PNG of the display rect. Asking
  on demand keeps the picture current and costs nothing while nobody asks; without a UI
  connected the answer is 503.
- The "Allow remote control?" prompt: the broker publishes `remote_prompt` (HTTP thread; the
  control socket's send is thread-safe); the UI answers with the `remote_prompt_answer` op.

The engine is reached only through `RemoteHost` below (app/engine/runtime.py implements it),
so this module does not import the engine.

Action URL: `on_publish` and `settings_changed` (SIP thread) hand over to remote_events.py,
which derives Yealink's events from what changed. The sender only queues (it has its own
threads), so a dead receiver never delays SIP.

`$call_id` is the SIP Call-ID of the call (what a Yealink sends, and what SIPp's `[call_id]`
is); `ASW:<id>`/`CANCEL:<id>`/`HOLD:<id>` accept it or the core's own id (i1, o2, ...).
"""

from __future__ import annotations

import base64
import binascii
import copy
import logging
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from app import __version__
from app.engine.remote_events import RULES, ActionUrlEvents, EventsHost
from app.phone import intents as ui_intents
from app.phone.incoming import dnd_active
from app.phone.messages import Answer, Dial, Hangup
from app.phone.settings import Settings
from app.phone.voicemail import Mailbox
from app.protocol import event
from app.remote.access import Caller, PromptBroker
from app.remote.action_uri import RemoteAction
from app.remote.action_url import ActionUrlSender, split_uri
from app.remote.http_server import ActionUriServer

log = logging.getLogger("deskphone.remote")

MODEL: Final = "DeskPhone"
SCREENSHOT_TIMEOUT: Final = 3.0
MAX_QUEUED: Final = 256  # requests waiting for the SIP thread; more are refused (503)


class RemoteHost(EventsHost, Protocol):
    """The engine as Action URI and Action URL see it."""

    @property
    def local_address(self) -> str:
        """The address SIP is bound to, for Action URL's $ip."""
        ...

    # SIP thread
    def feed(self, msg: Dial | Answer | Hangup) -> None: ...

    def run_intents(self, intents: Sequence[object]) -> None:
        """Carry out handset intents (DND, forward, hold...) as a key on the handset would."""
        ...

    def press_key(self, key: str, key_tone: bool = True) -> None: ...

    def softkeys(self) -> list[str]:
        """The soft key labels on the handset's screen now, F1 first."""
        ...

    def show_error(self, text: str) -> None: ...

    # any thread
    def wake(self) -> None:
        """End the SIP thread's current wait so it runs `drain()` now."""
        ...

    def to_window(self, message: dict[str, Any]) -> bool:
        """Send an event to every connected window; False when none is connected."""
        ...


@dataclass
class _Shot:
    """A screen capture asked of the window: set once its PNG arrived."""

    done: threading.Event = field(default_factory=threading.Event)
    png: bytes | None = None


class RemoteControl:
    def __init__(self, host: RemoteHost) -> None:
        self.host = host
        settings = host.settings
        self._actions: queue.Queue[list[RemoteAction]] = queue.Queue(MAX_QUEUED)
        self._state: dict[str, Any] = {}
        self._shots: dict[int, _Shot] = {}
        self._shot_seq = 0
        self._lock = threading.Lock()
        self._remote = copy.deepcopy(settings.remote)
        self.broker = PromptBroker(self._on_prompt, self._on_withdrawn)
        self.server = ActionUriServer(
            settings.remote, self.submit, self.state, self.screenshot, self.broker
        )
        self.sender = ActionUrlSender(settings.remote.action_urls, self._device())
        self.events = ActionUrlEvents(host, self.sender)

    # ---- life cycle (SIP thread) ------------------------------------------------------

    def start(self) -> None:
        self._apply_server(self.host.settings)
        self.refresh_state()
        self.sender.emit("setup_completed")

    def stop(self) -> None:
        self.server.stop()
        self.sender.flush(1.0)  # a dead receiver may hold up the exit this long, no more
        self.sender.stop(0.5)

    def settings_changed(self, settings: Settings) -> None:
        """New settings (the handset, a remote request or the dialog changed them)."""
        if settings.remote != self._remote:
            if settings.remote.action_uri_prompt != self._remote.action_uri_prompt:
                self.broker.forget()
            self._remote = copy.deepcopy(settings.remote)
            self.sender.update_urls(settings.remote.action_urls)
            self.sender.update_device(self._device())
            self._apply_server(settings)
        # After the URLs: a change the new settings make is reported where they say.
        self.events.settings_changed(settings)

    def _apply_server(self, settings: Settings) -> None:
        remote = settings.remote
        try:
            if not remote.action_uri_enabled:
                self.server.stop()
                self.server.update_settings(remote)
            elif self.server.running:
                self.server.update_settings(remote)  # rebinds when the port or address changed
            else:
                self.server.update_settings(remote)
                self.server.start()
        except OSError as exc:
            log.warning("action URI: cannot listen on port %d: %s", remote.action_uri_port, exc)
            self.host.show_error(f"Action URI port {remote.action_uri_port} busy")

    # ---- Action URI: the HTTP threads' side -------------------------------------------

    def submit(self, actions: list[RemoteAction]) -> None:
        """HTTP thread: queue for the SIP thread and wake it; raises queue.Full (-> 503)."""
        self._actions.put_nowait(list(actions))
        self.host.wake()

    def state(self) -> dict[str, Any]:
        """HTTP thread: the snapshot the SIP thread made last (never mutated once made)."""
        return self._state

    def screenshot(self) -> bytes | None:
        """HTTP thread: ask the UI for the display PNG and wait for it (never the SIP thread)."""
        with self._lock:
            self._shot_seq += 1
            rid, shot = self._shot_seq, _Shot()
            self._shots[rid] = shot
        try:
            if not self.host.to_window(event("remote_screencapture", id=rid)):
                log.info("action URI: screen capture asked but no window is connected")
                return None
            if not shot.done.wait(SCREENSHOT_TIMEOUT):
                log.warning(
                    "action URI: the window sent no screen image within %.0f s", SCREENSHOT_TIMEOUT
                )
            return shot.png
        finally:
            with self._lock:
                self._shots.pop(rid, None)

    def _on_prompt(self, caller: Caller) -> None:
        prompt = event("remote_prompt", ip=caller.ip, key=caller.key, who=caller.label)
        if not self.host.to_window(prompt):
            log.warning("action URI: %s needs the prompt but no window is connected", caller.label)

    def _on_withdrawn(self, key: str) -> None:
        self.host.to_window(event("remote_prompt_closed", key=key))

    # ---- SIP thread ----------------------------------------------------------------------

    def screen_arrived(self, request_id: int, png: str) -> None:
        """The `remote_screen` op: the window's PNG (base64) for `screenshot()`'s request."""
        with self._lock:
            shot = self._shots.get(request_id)
        if shot is not None:
            try:
                shot.png = base64.b64decode(png, validate=True) or None
            except (binascii.Error, ValueError):
                log.warning("action URI: the window sent a broken screen image")
            shot.done.set()

    def prompt_answered(self, key: str, allowed: bool) -> None:
        """The `remote_prompt_answer` op: the user's Yes or No to "Allow remote control?"
        for `key` (the address, or one request of a web browser; access.Caller)."""
        self.broker.answer(key, allowed)
        log.info(
            "action URI: the user %s remote control for %s",
            "allowed" if allowed else "refused",
            key,
        )

    def drain(self) -> None:
        """Run what remote clients asked for, in order."""
        while True:
            try:
                actions = self._actions.get_nowait()
            except queue.Empty:
                return
            for action in actions:
                try:
                    self._run(action)
                except Exception:  # one bad request must never stop the SIP loop
                    log.exception("action URI: %s failed", action)

    def _run(self, action: RemoteAction) -> None:
        host = self.host
        kind = action.kind
        if kind == "key":
            host.press_key(action.value, key_tone=False)
        elif kind == "softkey":
            labels = host.softkeys()
            wanted = action.value.lower()
            index = next((i for i, k in enumerate(labels) if k.lower() == wanted), None)
            if index is None:
                log.info("action URI: no %r soft key on this screen", action.value)
            else:
                host.press_key(f"F{index + 1}", key_tone=False)
        elif kind == "dial":
            host.feed(Dial(action.value, self._account_for(action.account_uri)))
        elif kind in ("answer", "hangup", "hold", "unhold"):
            call = self._core_id(action.call_id)
            if action.call_id is not None and call is None:
                log.info("action URI: no call %r", action.call_id)
                return
            if kind == "answer":
                host.feed(Answer(call))
            elif kind == "hangup":
                host.feed(Hangup(call))
            else:
                intent = ui_intents.Hold(call) if kind == "hold" else ui_intents.Resume(call)
                host.run_intents([intent])
        elif kind == "dnd":
            host.run_intents([ui_intents.SetDnd(bool(action.enable))])
        elif kind == "forward":
            rule = getattr(host.settings.forward.phone, action.value)
            target = action.target or rule.target
            if action.enable and not target:
                log.info("action URI: %s forward needs a target", action.value)
                host.show_error("Forward: no target")
                return
            forward = ui_intents.SetForward(action.value, bool(action.enable), target)
            host.run_intents([forward])

    def _core_id(self, call_id: str | None) -> str | None:
        if call_id is None:
            return None
        calls = self.host.core.calls
        if call_id in calls:
            return call_id
        for core_id, sip_id in self.host.sip_call_ids.items():
            if sip_id == call_id and core_id in calls:
                return core_id
        return None

    def _account_for(self, uri: str) -> int | None:
        if not uri:
            return None
        user, host = split_uri(uri if "@" in uri else f"{uri}@")
        for index, view in self.host.core.accounts.items():
            v_user, v_host = split_uri(view.uri)
            if v_user == user and (not host or v_host == host):
                return index
        log.info("action URI: no account %r, dialing from the default one", uri)
        return None

    def on_publish(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """Emit the Action URL events a published change means; returns the data to publish
        (a call gets its SIP Call-ID in extra["sip_call_id"])."""
        return self.events.on_publish(kind, data)

    def refresh_state(self) -> None:
        """After each loop turn: a new snapshot for `state()` (only while serving)."""
        if not self.server.running and self._state:
            return
        core, settings = self.host.core, self.host.settings
        first = next(iter(core.accounts), 0)
        rules = settings.forward.phone
        forward: dict[str, Any] = {}
        for name in RULES:
            rule = getattr(rules, name)
            forward[name] = bool(rule.enabled and settings.forward.allowed)
            forward[f"{name}_target"] = rule.target
        forward["no_answer_rings"] = rules.no_answer_rings
        sip_ids = self.host.sip_call_ids
        self._state = {
            "model": MODEL,
            "firmware": __version__,
            "accounts": [
                {
                    "index": a.index,
                    "label": a.label,
                    "uri": a.uri,
                    "state": a.state.value,
                    "code": a.code,
                    "voice_mail": voice_mail_report(core.mailboxes.get(a.index)),
                }
                for a in core.accounts.values()
            ],
            "dnd": dnd_active(settings, first),
            "forward": forward,
            "calls": [
                {
                    "id": c.id,
                    "call_id": sip_ids.get(c.id, c.id),
                    "state": c.state.value,
                    "direction": c.direction.value,
                    "remote": c.remote_uri,
                }
                for c in core.calls.values()
            ],
        }

    def _device(self) -> dict[str, str]:
        return {
            "mac": self.host.settings.provisioning.mac,
            "ip": self.host.local_address,
            "model": MODEL,
            "firmware": __version__,
        }


def voice_mail_report(box: Mailbox | None) -> dict[str, Any] | None:
    """An account's voice mail for phonecfg=get: None until its server said anything; `new`
    is None when voice mail waits and the server gave no count."""
    if box is None:
        return None
    return {"new": box.new, "old": box.old, "urgent_new": box.urgent_new,
            "urgent_old": box.urgent_old, "waiting": box.waiting}  # fmt: skip
