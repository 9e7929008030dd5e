"""Who may use Action URI: the allowlist, HTTP Basic credentials and the on-screen prompt.

Like the phone (`features.action_uri_limit_ip`): a list of IPv4 addresses where `*` stands for
any value of one octet (`10.10.*.*`), or `any`. An empty list allows nobody.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import threading
from collections.abc import Callable, Iterable, Sequence
from fnmatch import fnmatchcase
from typing import Literal

AuthResult = Literal["ok", "missing", "wrong"]


def normalise_ip(ip: str) -> str:
    """`::ffff:1.2.3.4` (a v4 client on a dual-stack socket) is just 1.2.3.4."""
    ip = ip.strip()
    return ip[7:] if ip.lower().startswith("::ffff:") and "." in ip else ip


def parse_allowlist(entries: Iterable[str]) -> list[str]:
    """Entries may themselves be comma lists (as provisioning writes them)."""
    out: list[str] = []
    for entry in entries:
        out.extend(p.strip() for p in str(entry).split(",") if p.strip())
    return out


def ip_allowed(client_ip: str, allow: Sequence[str]) -> bool:
    ip = normalise_ip(client_ip)
    octets = ip.split(".")
    for pattern in parse_allowlist(allow):
        low = pattern.lower()
        if low in ("any", "*"):
            return True
        parts = low.split(".")
        if len(parts) != len(octets):
            continue
        # Per octet, so a `*` never spans a dot: 10.* does not match 10.1.2.3.
        if all(fnmatchcase(o, p) for o, p in zip(octets, parts, strict=True)):
            return True
    return False


def check_basic_auth(header: str | None, user: str, password: str) -> AuthResult:
    """Check an `Authorization: Basic ...` header (or "user:password" from the query)."""
    if not user and not password:
        return "ok"
    if not header:
        return "missing"
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return "wrong"
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return "wrong"
    got_user, sep, got_password = decoded.partition(":")
    if not sep:
        return "wrong"
    return "ok" if credentials_match(got_user, got_password, user, password) else "wrong"


def credentials_match(got_user: str, got_password: str, user: str, password: str) -> bool:
    # Both compared, constant time, so timing does not tell which one was wrong.
    ok_user = hmac.compare_digest(got_user.encode(), user.encode())
    ok_password = hmac.compare_digest(got_password.encode(), password.encode())
    return ok_user and ok_password


def basic_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


class PromptBroker:
    """The "Allow remote control?" decision per client address, shared by two threads.

    The HTTP thread calls `ask(ip)` (non-blocking): True/False once the user decided, None
    while undecided; the first undecided ask calls `on_prompt(ip)` (which must only post to
    the engine/UI, not block). The UI thread calls `answer(ip, allowed)`. The HTTP thread
    polls `ask` until its own timeout, so neither the engine nor the UI ever waits.
    Decisions last until `forget()` (a refused client cannot make the prompt pop up again).
    """

    def __init__(self, on_prompt: Callable[[str], None]) -> None:
        self._on_prompt = on_prompt
        self._lock = threading.Lock()
        self._decided: dict[str, bool] = {}
        self._pending: set[str] = set()

    def ask(self, client_ip: str) -> bool | None:
        ip = normalise_ip(client_ip)
        with self._lock:
            if ip in self._decided:
                return self._decided[ip]
            if ip in self._pending:
                return None
            self._pending.add(ip)
        self._on_prompt(ip)
        return None

    def answer(self, client_ip: str, allowed: bool) -> None:
        ip = normalise_ip(client_ip)
        with self._lock:
            self._pending.discard(ip)
            self._decided[ip] = allowed

    def pending(self) -> list[str]:
        with self._lock:
            return sorted(self._pending)

    def forget(self, client_ip: str | None = None) -> None:
        with self._lock:
            if client_ip is None:
                self._decided.clear()
                self._pending.clear()
            else:
                ip = normalise_ip(client_ip)
                self._decided.pop(ip, None)
                self._pending.discard(ip)
