"""The UI's copy of the engine's state, rebuilt from snapshots and events (no widgets here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.phone.model import CALL_TEXT, REG_TEXT, CallState, RegState


@dataclass
class UiState:
    """What the window knows of its engine process."""

    engine: str = "starting"  # starting | running | restarting | stopped
    restarts: int = 0
    last_exit: str = ""
    port: int = 0
    port_note: str = ""
    warning: str = ""
    accounts: dict[int, dict[str, Any]] = field(default_factory=dict)
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    voice_mail: dict[int, dict[str, Any]] = field(default_factory=dict)  # by account
    error: str = ""

    def apply(self, msg: dict[str, Any]) -> None:
        ev = msg.get("ev")
        if ev == "hello":
            self.port = int(msg.get("port", 0))
            self.port_note = str(msg.get("port_note", ""))
            self.warning = str(msg.get("settings_warning", ""))
        elif ev == "snapshot":
            self.accounts = {int(a["index"]): a for a in msg.get("accounts", [])}
            self.calls = {str(c["id"]): c for c in msg.get("calls", [])}
            self.voice_mail = {int(v["account"]): v for v in msg.get("voice_mail", [])}
        elif ev == "account":
            self.accounts[int(msg["index"])] = msg
        elif ev == "call":
            self.calls[str(msg["id"])] = msg
        elif ev == "voice_mail":
            self.voice_mail[int(msg["account"])] = msg
        elif ev == "call_removed":
            self.calls.pop(str(msg["id"]), None)
        elif ev == "error":
            self.error = str(msg.get("text", ""))

    def registration_text(self) -> str:
        if self.engine == "restarting":
            return "Restarting…"
        if not self.accounts:
            return "Registering" if self.engine != "stopped" else "No Service"
        first = self.accounts[min(self.accounts)]
        return REG_TEXT.get(RegState(first["state"]), str(first["state"]))

    def account_label(self) -> str:
        if not self.accounts:
            return ""
        return str(self.accounts[min(self.accounts)].get("label", ""))

    def is_registered(self) -> bool:
        return any(a["state"] == RegState.REGISTERED for a in self.accounts.values())

    def new_voice_mail(self) -> int:
        """New voice messages of the accounts whose count is shown; -1 when voice mail waits
        somewhere without a count."""
        shown = [v for v in self.voice_mail.values() if v.get("shown", True) and v.get("waiting")]
        if any(v.get("new") is None for v in shown):
            return -1
        return sum(int(v["new"]) for v in shown)

    def current_call(self) -> dict[str, Any] | None:
        return next(iter(self.calls.values()), None)

    def call_text(self) -> str:
        call = self.current_call()
        if call is None:
            return ""
        state = CallState(call["state"])
        return str(call.get("text") or CALL_TEXT.get(state, state))
