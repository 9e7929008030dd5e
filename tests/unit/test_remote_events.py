"""Action URL events derived from what the real phone core publishes (no network, no engine)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from app.engine.remote_events import ActionUrlEvents
from app.phone.core import PhoneCore
from app.phone.messages import (
    CallProgress,
    Dial,
    Hangup,
    IncomingCall,
    Input,
    Publish,
    RegistrationChanged,
)
from app.phone.settings import AccountSettings, ForwardRule, Settings


class Sender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, str]]] = []

    def emit(self, event: str, values: dict[str, str] | None = None) -> bool:
        self.sent.append((event, dict(values or {})))
        return True

    def names(self) -> list[str]:
        return [n for n, _ in self.sent]


class Rig:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings(
            accounts=[AccountSettings(user="alice", server="pbx.test", display_name="Alice")]
        )
        self.now = 100.0
        self.core = PhoneCore(self.settings, lambda: self.now)
        self.sip_ids: dict[str, str] = {}
        host: Any = SimpleNamespace(
            core=self.core, settings=self.settings, sip_call_ids=self.sip_ids
        )
        self.sender = Sender()
        self.events = ActionUrlEvents(host, self.sender)
        self.published: list[dict[str, Any]] = []

    def feed(self, msg: Input) -> None:
        for out in self.core.handle(msg):
            if isinstance(out, Publish):
                self.published.append(self.events.on_publish(out.kind, out.data))


def incoming(rig: Rig, call: str = "i1") -> None:
    rig.sip_ids[call] = f"{call}-abc@203.0.113.9"
    rig.feed(IncomingCall(call, 1, '"Bob" <sip:bob@pbx.test>', "Bob"))


def test_outgoing_call_events_carry_the_sip_call_id_and_uris() -> None:
    rig = Rig()
    rig.feed(Dial("2001"))
    rig.sip_ids["o1"] = "XyZ-123"
    rig.feed(CallProgress("o1", "EARLY", 180, "Ringing"))
    rig.feed(CallProgress("o1", "CONFIRMED", 200, "OK"))
    rig.feed(CallProgress("o1", "CONFIRMED", 200, "OK"))  # a re-INVITE: no second event
    rig.feed(CallProgress("o1", "DISCONNECTED", 200, "Normal"))
    assert rig.sender.names() == ["outgoing_call", "call_established", "call_terminated"]
    first, *rest = [v for _, v in rig.sender.sent]
    assert first["remote"] == "sip:2001@pbx.test" and first["local"] == "sip:alice@pbx.test"
    assert (first["active_user"], first["active_host"]) == ("alice", "pbx.test")
    assert first["display_local"] == "Alice" and first["calledNumber"] == "2001"
    # The id was only known after the first event (as when makeCall fails early): core id then.
    assert first["call_id"] == "o1"
    assert [v["call_id"] for v in rest] == ["XyZ-123", "XyZ-123"]
    assert rig.published[-1]["extra"]["sip_call_id"] == "XyZ-123"


def test_failed_outgoing_call_is_terminated_not_established() -> None:
    rig = Rig()
    rig.feed(Dial("2001"))
    rig.feed(CallProgress("o1", "DISCONNECTED", 486, "Busy Here"))
    assert rig.sender.names() == ["outgoing_call", "call_terminated"]


def test_missed_rejected_and_forwarded_incoming_calls() -> None:
    rig = Rig()
    incoming(rig, "i1")
    rig.feed(CallProgress("i1", "DISCONNECTED", 487, "Request Terminated"))
    assert rig.sender.names() == ["incoming_call", "missed_call", "call_terminated"]
    values = rig.sender.sent[0][1]
    assert values["call_id"] == "i1-abc@203.0.113.9"
    assert values["remote"] == "sip:bob@pbx.test" and values["display_remote"] == "Bob"
    assert values["callerID"] == "Bob"

    rig.sender.sent.clear()
    incoming(rig, "i2")
    rig.feed(Hangup("i2"))  # the user refuses it; pjsua2 then reports the end
    rig.feed(CallProgress("i2", "DISCONNECTED", 486, "Busy Here"))
    assert rig.sender.names() == ["incoming_call", "reject_incoming_call", "call_terminated"]
    assert rig.published[-1]["extra"]["result"] == "rejected"  # the history says so too

    rig.sender.sent.clear()
    rig.settings.forward.phone.always = ForwardRule(True, "3001")
    incoming(rig, "i3")
    assert rig.sender.names() == ["incoming_call", "forward_incoming_call", "call_terminated"]


def test_hold_unhold_and_redirect_from_call_changes() -> None:
    rig = Rig()
    base = {"id": "o9", "account": 1, "direction": "out", "remote_uri": "sip:2001@pbx.test"}
    for state, extra in [
        ("Talking", {}),
        ("Hold", {}),
        ("Talking", {}),
        ("Talking", {"redirected_to": "sip:3001@pbx.test"}),
        ("Finished", {}),
        ("Finished", {}),  # a repeat after the end adds nothing
    ]:
        rig.events.on_publish("call", {**base, "state": state, "answered": 1.0, "extra": extra})
    assert rig.sender.names() == [
        "outgoing_call",
        "call_established",
        "hold",
        "unhold",
        "call_redirected",
        "call_terminated",
    ]


def test_account_and_switch_events() -> None:
    rig = Rig()
    rig.feed(RegistrationChanged(1, 200, "OK", 3600, True))
    rig.feed(RegistrationChanged(1, 200, "OK", 3600, True))  # a refresh: no new event
    rig.feed(RegistrationChanged(1, 403, "Forbidden", 0, False))
    rig.feed(RegistrationChanged(1, 200, "OK", 0, False))
    assert rig.sender.names() == ["registered", "register_failed", "unregistered"]
    assert rig.sender.sent[0][1]["active_user"] == "alice"

    rig.sender.sent.clear()
    changed = Settings(accounts=rig.settings.accounts)
    changed.dnd.enabled = True
    changed.forward.phone.busy = ForwardRule(True, "3001")
    rig.events.settings_changed(changed)
    rig.events.settings_changed(changed)
    changed.forward.allowed = False  # forward switched off for the whole phone
    rig.events.settings_changed(changed)
    assert rig.sender.names() == ["dnd_on", "busy_fwd_on", "busy_fwd_off"]
