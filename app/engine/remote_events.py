"""Action URL events derived from what the engine publishes (SIP thread only).

Each published call or account is compared with the last one seen: a new outgoing call is
`outgoing_call`, `answered` set is `call_established`, Hold/Talking flips are `hold`/`unhold`,
an end is `call_terminated` (after `missed_call`, `reject_incoming_call` or
`forward_incoming_call` for an incoming call that ended that way), `extra["redirected_to"]`
changing is `call_redirected`. DND and forward switches are compared on each settings change.
Mute and transfer events wait for the engine to know those (the calls issue).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final, Protocol

from app.phone.core import PhoneCore
from app.phone.incoming import dnd_active
from app.phone.model import CallState, RegState
from app.phone.settings import Settings
from app.remote.action_url import ActionUrlSender, call_vars, split_uri

log = logging.getLogger("deskphone.remote")

_ENDED: Final = {CallState.FINISHED.value, CallState.FAILED.value}
_END_RESULT_EVENT: Final = {
    "missed": "missed_call",
    "rejected": "reject_incoming_call",
    "refused": "reject_incoming_call",
    "forwarded": "forward_incoming_call",
}
_ACCOUNT_EVENT: Final = {
    RegState.REGISTERED.value: "registered",
    RegState.FAILED.value: "register_failed",
    RegState.UNREGISTERED.value: "unregistered",
}
RULES: Final = ("always", "busy", "no_answer")


class EventsHost(Protocol):
    """What the events are derived from: the engine's state, read on the SIP thread."""

    @property
    def settings(self) -> Settings: ...

    @property
    def core(self) -> PhoneCore: ...

    @property
    def sip_call_ids(self) -> Mapping[str, str]:
        """The SIP Call-ID of each call, by the core's id."""
        ...


class ActionUrlEvents:
    def __init__(self, host: EventsHost, sender: ActionUrlSender) -> None:
        self.host = host
        self.sender = sender
        self._calls: dict[str, dict[str, Any]] = {}  # last published call, by core id
        self._accounts: dict[int, str] = {}  # last registration state, by account index
        self._switches = switches(host.settings)

    def settings_changed(self, settings: Settings) -> None:
        new = switches(settings)
        for name, on in new.items():
            if self._switches.get(name) != on:
                self.sender.emit(f"{name}_{'on' if on else 'off'}", self._account_vars())
        self._switches = new

    def on_publish(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """Emit the Action URL events a published change means; returns the data to publish
        (a call gets its SIP Call-ID in extra["sip_call_id"])."""
        try:
            if kind == "call":
                sip_id = self.host.sip_call_ids.get(str(data.get("id")))
                if sip_id:
                    data = {**data, "extra": {**(data.get("extra") or {}), "sip_call_id": sip_id}}
                self._on_call(data)
            elif kind == "call_removed":
                self._calls.pop(str(data.get("id")), None)
            elif kind == "account":
                self._on_account(data)
        except Exception:
            log.exception("action URL: deriving events from %s failed", kind)
        return data

    def _on_account(self, data: dict[str, Any]) -> None:
        index, state = int(data.get("index", 0)), str(data.get("state", ""))
        if self._accounts.get(index) == state:
            return
        self._accounts[index] = state
        name = _ACCOUNT_EVENT.get(state)
        if name is not None:
            self.sender.emit(name, self._account_vars(index))

    def _on_call(self, new: dict[str, Any]) -> None:
        call_id = str(new.get("id"))
        old = self._calls.get(call_id)
        self._calls[call_id] = new
        state, extra = str(new.get("state")), dict(new.get("extra") or {})
        old_state = str(old.get("state")) if old else ""
        old_extra = dict(old.get("extra") or {}) if old else {}
        names: list[str] = []
        if old is None:
            names.append("incoming_call" if new.get("direction") == "in" else "outgoing_call")
        elif old_state in _ENDED:
            return
        if new.get("answered") and not (old or {}).get("answered"):
            names.append("call_established")
        if state == CallState.HOLD.value and old_state != state:
            names.append("hold")
        elif old_state == CallState.HOLD.value and state == CallState.TALKING.value:
            names.append("unhold")
        if extra.get("redirected_to") and extra.get("redirected_to") != old_extra.get(
            "redirected_to"
        ):
            names.append("call_redirected")
        if state in _ENDED:
            result = _END_RESULT_EVENT.get(extra.get("result", ""))
            if result is not None and new.get("direction") == "in":
                names.append(result)
            names.append("call_terminated")
        if names:
            values = self._call_vars(new)
            for name in names:
                self.sender.emit(name, values)

    def _call_vars(self, call: dict[str, Any]) -> dict[str, str]:
        index = int(call.get("account", 0))
        extra = call.get("extra") or {}
        return call_vars(
            account_uri=self._account_uri(index),
            remote_uri=str(call.get("remote_uri", "")),
            call_id=str(extra.get("sip_call_id") or call.get("id", "")),
            incoming=call.get("direction") == "in",
            local_name=self._display_name(index),
            remote_name=str(call.get("remote_name", "")),
        )

    def _account_vars(self, index: int | None = None) -> dict[str, str]:
        if index is None:
            index = next(iter(self.host.core.accounts), 0)
        uri = self._account_uri(index)
        user, host = split_uri(uri)
        return {
            "active_url": uri,
            "active_user": user,
            "active_host": host,
            "local": uri,
            "display_local": self._display_name(index),
        }

    def _account_uri(self, index: int) -> str:
        view = self.host.core.accounts.get(index)
        if view is not None and view.uri:
            return view.uri
        domain = self.host.core.local_domain
        return f"sip:{domain}" if domain else ""

    def _display_name(self, index: int) -> str:
        accounts = self.host.settings.accounts
        if 1 <= index <= len(accounts):
            acc = accounts[index - 1]
            return acc.display_name or acc.label
        return ""


def switches(settings: Settings) -> dict[str, bool]:
    """What DND and each forward rule look like, by Action URL event prefix."""
    account = 1 if settings.accounts else 0
    out = {"dnd": dnd_active(settings, account)}
    for name in RULES:
        rule = getattr(settings.forward.phone, name)
        out[f"{name}_fwd"] = bool(settings.forward.allowed and rule.enabled)
    return out
