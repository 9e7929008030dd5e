"""Who may use Action URI: the allowlist, HTTP Basic credentials and the on-screen prompt.

Like the phone (`features.action_uri_limit_ip`): a list of IPv4 addresses where `*` stands for
any value of one octet (`10.10.*.*`), or `any`. An empty list allows nobody.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Final, Literal

AuthResult = Literal["ok", "missing", "wrong"]
# Open "Allow remote control?" questions at once; a request beyond them is refused (429).
MAX_PENDING_PROMPTS: Final = 3


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
    import hmac  # OpenSSL's libcrypto (3 MB) only once someone logs in

    ok_user = hmac.compare_digest(got_user.encode(), user.encode())
    ok_password = hmac.compare_digest(got_password.encode(), password.encode())
    return ok_user and ok_password


def basic_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


@dataclass(frozen=True)
class Caller:
    """Who asks, as far as the "Allow remote control?" prompt is concerned.

    `key` is what the user's answer is remembered under: the client address, as on the phone,
    for programs; a key of its own per request for a web browser (`remember` False), so a
    "Yes" given to a dialler on 127.0.0.1 never admits the pages of a browser on that address.
    """

    ip: str
    key: str
    label: str  # shown in the prompt
    remember: bool = True


_once = itertools.count(1)


def caller_for(client_ip: str, browser: bool) -> Caller:
    ip = normalise_ip(client_ip)
    if browser:
        return Caller(ip, f"{ip}#browser-{next(_once)}", f"a web browser on {ip}", False)
    return Caller(ip, ip, ip)


Decision = Literal["yes", "no", "wait", "busy"]


class PromptBroker:
    """The "Allow remote control?" decisions, shared by the HTTP threads and the engine.

    The HTTP thread calls `ask(caller)` (non-blocking): "yes"/"no" once the user decided,
    "wait" while undecided, "busy" when `max_pending` questions are already open (the request
    is refused at once, so no client can pile prompts onto the screen). The first undecided ask
    calls `on_prompt(caller)`, which must only post to the engine/UI, not block. The UI thread
    calls `answer(key, allowed)`. A request that stops waiting calls `withdraw(key)`, which
    calls `on_withdrawn(key)` so the window can close the question. Remembered decisions last
    until `forget()` (a refused client cannot make the prompt pop up again); a browser's
    answer is used by its one request only.
    """

    def __init__(
        self,
        on_prompt: Callable[[Caller], None],
        on_withdrawn: Callable[[str], None] | None = None,
        *,
        max_pending: int = MAX_PENDING_PROMPTS,
    ) -> None:
        self._on_prompt = on_prompt
        self._on_withdrawn = on_withdrawn
        self._max_pending = max_pending
        self._lock = threading.Lock()
        self._decided: dict[str, bool] = {}
        self._pending: dict[str, Caller] = {}

    def ask(self, caller: Caller) -> Decision:
        with self._lock:
            if caller.key in self._decided:
                allowed = (
                    self._decided[caller.key] if caller.remember else self._decided.pop(caller.key)
                )
                return "yes" if allowed else "no"
            if caller.key in self._pending:
                return "wait"
            if len(self._pending) >= self._max_pending:
                return "busy"
            self._pending[caller.key] = caller
        self._on_prompt(caller)
        return "wait"

    def answer(self, key: str, allowed: bool) -> None:
        with self._lock:
            caller = self._pending.pop(key, None)
            if caller is None and "#" in key:
                return  # a browser's request that gave up waiting: nobody to tell
            self._decided[key] = allowed

    def withdraw(self, key: str) -> None:
        """The request asking under `key` stopped waiting (timeout or shutdown)."""
        with self._lock:
            if self._pending.pop(key, None) is None:
                return
        if self._on_withdrawn is not None:
            self._on_withdrawn(key)

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
                self._pending.pop(ip, None)
