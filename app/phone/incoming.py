"""What the phone does with a new incoming INVITE: forward, refuse, or ring.

Order as on the handset: an Always forward (and a Busy forward while busy or in DND) wins;
then DND refuses with its code; then a busy phone without call waiting refuses with 486;
otherwise the call rings, and a No answer forward is armed for later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.phone.forward import ForwardDecision, decide_incoming
from app.phone.settings import AccountSettings, Settings

RouteKind = Literal["forward", "refuse", "ring"]


@dataclass(frozen=True)
class Route:
    """What happens to an incoming call: it rings, is refused, or is forwarded."""

    kind: RouteKind
    code: int = 180
    reason: str = ""
    forward: ForwardDecision | None = None  # for "forward" now, or "ring" then forward later
    why: str = ""  # for the log and the history


def dnd_active(settings: Settings, account: int) -> bool:
    if not settings.dnd.per_account:
        return settings.dnd.enabled
    return 0 < account <= len(settings.accounts) and settings.accounts[account - 1].dnd


def account_settings(settings: Settings, account: int) -> AccountSettings:
    """The settings of a core account index; the embedded one is sip:deskphone@host:port."""
    if 0 < account <= len(settings.accounts):
        return settings.accounts[account - 1]
    return AccountSettings(user="deskphone")


def route_incoming(
    settings: Settings, account: int, caller: str, in_call: bool, fallback_domain: str = ""
) -> Route:
    acc = account_settings(settings, account)
    dnd = dnd_active(settings, account)
    busy = in_call and not settings.features.call_waiting
    decision = decide_incoming(
        settings.forward, dnd, account, acc, caller, busy, fallback_domain=fallback_domain
    )
    if decision.kind == "now":
        return Route("forward", 302, "Moved Temporarily", decision, f"forward {decision.reason}")
    if dnd:
        return Route("refuse", settings.dnd.refuse_code, "Do Not Disturb", why="DND")
    if busy:
        return Route("refuse", 486, "Busy Here", why="busy, call waiting off")
    return Route("ring", 180, "Ringing", decision if decision.kind == "after" else None)


def diversion_extra(headers: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Who diverted this call to us (Diversion, RFC 5806): the screen shows "From FWD"."""
    for name, value in headers:
        if name.lower() == "diversion":
            uri = value.split(">", 1)[0].lstrip(" <") if "<" in value else value.split(";")[0]
            reason = ""
            for param in value.split(">", 1)[-1].split(";"):
                key, _, val = param.strip().partition("=")
                if key.lower() == "reason":
                    reason = val.strip('"')
            return {"diverted_by": uri.strip(), "diversion_reason": reason}
    return {}
