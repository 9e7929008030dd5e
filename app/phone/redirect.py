"""Following 3xx redirects as the caller, safely.

pjsua2 would follow any chain of fresh URIs forever, answer any realm's challenge and follow
tel:, premium and downgraded targets alike (docs/pjsua2.md §3). The SIP adapter asks a
`RedirectTracker` instead, synchronously inside `onCallRedirected` and when a target fails, so
every method here is quick, never raises and never blocks: errors become a FAIL decision.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from urllib.parse import unquote

from app.phone.model import failure_text
from app.phone.numbers import NO_COUNTRY, Numbering, number_of, spellings
from app.phone.settings import RedirectSettings
from app.phone.sipheaders import header_values
from app.phone.sipuri import (
    Contact,
    Diversion,
    SipUri,
    normalise_target,
    normalise_uri,
    parse_uri,
)

MAX_TARGETS = 16  # Contacts looked at per 3xx: each may cost a call attempt
# New INVITE legs per call, all hops together. Each leg costs pjsua2 two media sockets whose
# ioqueue slots are freed only ~0.5 s later; a hostile 302 with dozens of Contacts that all
# answer 486 at once exhausted them and aborted the engine (tests/robustness). Eight legs is
# far beyond any real forwarding chain.
MAX_ATTEMPTS = 8

REASON_PHRASE = {
    300: "Multiple Choices",
    301: "Moved Permanently",
    302: "Moved Temporarily",
    305: "Use Proxy",
    380: "Alternative Service",
}

TEXT_TOO_MANY = "Too many redirects!"
TEXT_LOOP = "Redirect loop!"
TEXT_NO_CONTACT = "Redirect without target!"
TEXT_UNUSABLE = "No usable redirect target!"
TEXT_OFF = "Call forwarded, redirects off!"
TEXT_USE_PROXY = "Use Proxy refused!"
TEXT_DECLINED = "Forward declined!"
TEXT_INSECURE = "Forward to non-secure sip: refused!"
TEXT_BLOCKED = "Forward blocked!"
TEXT_NOT_PENDING = "No redirect to confirm!"
TEXT_ERROR = "Redirect failed!"
TEXT_ATTEMPTS = "Too many redirect targets!"

# Why the Contacts of a 3xx were all refused, most telling first: failure texts.
_REJECTIONS = {
    "attempts": TEXT_ATTEMPTS,
    "blocked": TEXT_BLOCKED,
    "insecure": TEXT_INSECURE,
    "loop": TEXT_LOOP,
    "unusable": TEXT_UNUSABLE,
}

# What _clean() removes: C0 and C1 controls, DEL, and what lies beyond the BMP. The same set as
# [^\x20-\x7e\u00a0-\uffff], whose negated 64k-wide class took ~5-8 ms to compile at start-up.
_UNSHOWN = re.compile(r"[\x00-\x1f\x7f-\x9f\U00010000-\U0010ffff]")
_AUTH_SCHEME = re.compile(r"\s*[A-Za-z0-9_\-]+\s+(?=[A-Za-z0-9_\-]+\s*=)")
_AUTH_PARAM = re.compile(r'\s*,?\s*([A-Za-z0-9_\-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,"]*)')
_TOKEN = re.compile(r"^[a-z0-9\-]{1,24}$")


class DecisionKind(StrEnum):
    FOLLOW = "follow"  # place a new call (new Call-ID) to `target` via the account's route
    ASK = "ask"  # show `screen_text`, ask the user, then call `confirm()`
    FAIL = "fail"  # end the call; show `failure_text`


@dataclass(frozen=True)
class RedirectDecision:
    """What to do with a 3xx: follow a target, ask the user, or fail."""

    kind: DecisionKind
    target: str = ""  # the SIP URI to dial, embedded headers removed
    screen_text: str = ""  # "Forward to: carol", or why a target was not followed
    failure_text: str = ""  # the pop-up for FAIL
    code: int = 0  # for FAIL: the SIP status the call ends with (0: refused locally)
    # `target` parsed, for the route to it (not parsed a second time on the way to the INVITE)
    uri: SipUri | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Hop:
    """One target of the call: `code`/`reason` are its final answer (0 while unknown)."""

    target: str
    code: int = 0
    reason: str = ""
    diversion_reason: str = ""


def _clean(text: str, limit: int = 40) -> str:
    """Remote text made safe to show: no control characters, bounded length."""
    return _UNSHOWN.sub("", text).strip()[:limit]


class RedirectTracker:
    """The redirect policy of one outgoing call, fed with what its targets answer."""

    def __init__(
        self,
        original_uri: str,
        account_domain: str,
        settings: RedirectSettings,
        numbering: Numbering = NO_COUNTRY,
        block_out: Callable[[str], str | None] | None = None,
    ):
        """`block_out` names the dial plan rule that blocks a number (None if none blocks
        it): a 302 must not reach a number the user could not dial."""
        self._domain = account_domain
        self._settings = settings
        self._numbering = numbering
        self._block_out = block_out
        # Anything but the three known words is the default, like the store does.
        self._mode = str(settings.mode).strip().lower()
        first = normalise_target(original_uri, account_domain) or original_uri.strip()
        parsed = parse_uri(first)
        self._secure = parsed is not None and parsed.scheme == "sips"
        self._tried: set[tuple[str, str, str, int]] = set()
        self._attempts = 0
        if parsed is not None:
            self._tried.add(parsed.key())
        self._chain: list[Hop] = [Hop(first)]
        self._redirected = 0
        self._queue: list[Contact] = []
        self._redirects = 0
        self._pending: RedirectDecision | None = None
        self._notes: dict[str, str] = {}  # rejection kind -> screen text, for the latest 3xx
        self._failed: RedirectDecision | None = None  # a FAIL is final: later events repeat it

    @property
    def chain(self) -> list[Hop]:
        return list(self._chain)

    @property
    def redirects(self) -> int:
        """3xx responses followed so far (at most `max_redirects`)."""
        return self._redirects

    @property
    def current_target(self) -> str:
        return self._chain[-1].target

    def on_redirect(
        self, code: int, contacts: list[Contact], diversion: Diversion | None, reason: str = ""
    ) -> RedirectDecision:
        """The current target answered `code` (3xx) with these Contacts."""
        try:
            return self._on_redirect(code, contacts, diversion, reason)
        except Exception:
            return RedirectDecision(DecisionKind.FAIL, failure_text=TEXT_ERROR, code=code)

    def on_target_failed(self, code: int, reason: str) -> RedirectDecision:
        """The current target answered a final 4xx-6xx (or the attempt failed locally)."""
        try:
            return self._on_target_failed(code, reason)
        except Exception:
            return RedirectDecision(DecisionKind.FAIL, failure_text=TEXT_ERROR, code=code)

    def on_answered(self, code: int = 200, reason: str = "OK") -> None:
        """The current target answered: the history shows where the call ended up."""
        with contextlib.suppress(Exception):
            self._record(code, reason)

    def confirm(self, accept: bool) -> RedirectDecision:
        """The user's answer to the last ASK decision."""
        try:
            pending, self._pending = self._pending, None
            if self._failed is not None:
                return self._failed
            if pending is None:
                return RedirectDecision(DecisionKind.FAIL, failure_text=TEXT_NOT_PENDING)
            if not accept:
                return self._fail(TEXT_DECLINED, 0)
            self._chain.append(Hop(pending.target))
            return replace(pending, kind=DecisionKind.FOLLOW)
        except Exception:
            return RedirectDecision(DecisionKind.FAIL, failure_text=TEXT_ERROR)

    # ---- internals ---------------------------------------------------------------------------

    def note_diversion(self, diversion: Diversion | None) -> None:
        """The Diversion of the latest 3xx, when on_redirect() was given none (it is read
        after the new INVITE went out): its reason goes on the hop that answered it."""
        with contextlib.suppress(Exception):
            why = diversion.reason if diversion is not None else ""
            hop = self._chain[self._redirected]
            self._chain[self._redirected] = replace(
                hop, diversion_reason=why if _TOKEN.match(why) else ""
            )

    def _record(self, code: int, reason: str, diversion: str = "") -> None:
        hop = self._chain[-1]
        self._chain[-1] = Hop(hop.target, int(code), _clean(str(reason), 80), diversion)

    def _on_redirect(
        self, code: int, contacts: list[Contact], diversion: Diversion | None, reason: str
    ) -> RedirectDecision:
        if self._failed is not None:
            return self._failed
        self._pending = None
        self._queue = []
        reason = _clean(reason, 80) or REASON_PHRASE.get(code, "Redirection")
        why = diversion.reason if diversion is not None else ""
        self._record(code, reason, why if _TOKEN.match(why) else "")
        self._redirected = len(self._chain) - 1  # the hop that answered 3xx (note_diversion)
        if code == 305:
            return self._fail(TEXT_USE_PROXY, code)
        if code not in (301, 302):
            return self._fail(failure_text(code, reason), code)
        if self._mode == "never":
            return self._fail(TEXT_OFF, code)
        if self._redirects >= max(0, self._settings.max_redirects):
            return self._fail(TEXT_TOO_MANY, code)
        usable = [c for c in contacts[: MAX_TARGETS * 4] if not c.is_wildcard]
        if not usable:
            return self._fail(TEXT_NO_CONTACT, code)
        self._redirects += 1
        # Highest q first; sorted() is stable, so equal q keeps the header order.
        self._queue = sorted(usable, key=lambda c: -c.q)[:MAX_TARGETS]
        self._notes = {}
        return self._next() or self._fail(self._rejection_text(), code)

    def _on_target_failed(self, code: int, reason: str) -> RedirectDecision:
        if self._failed is not None:
            return self._failed
        self._pending = None
        self._record(code, reason, self._chain[-1].diversion_reason)
        text = failure_text(code, _clean(reason, 80))
        if 400 <= code < 600:
            decision = self._next()
            if decision is not None:
                return decision
            if "attempts" in self._notes:
                text = TEXT_ATTEMPTS  # more targets were left: say why they were not tried
        return self._fail(text, code)

    def _fail(self, text: str, code: int) -> RedirectDecision:
        note = next((self._notes[k] for k in _REJECTIONS if self._notes.get(k)), "")
        self._queue, self._pending = [], None
        self._failed = RedirectDecision(
            DecisionKind.FAIL, screen_text=note, failure_text=text, code=code
        )
        return self._failed

    def _rejection_text(self) -> str:
        return next((_REJECTIONS[k] for k in _REJECTIONS if k in self._notes), TEXT_UNUSABLE)

    def _next(self) -> RedirectDecision | None:
        """The next acceptable Contact of the latest 3xx as FOLLOW/ASK, None when none is left."""
        while self._queue:
            contact = self._queue.pop(0)
            parsed = normalise_uri(contact.uri, self._domain, self._secure)
            target = str(parsed) if parsed is not None else ""
            if parsed is None or parsed.scheme not in ("sip", "sips"):
                self._notes.setdefault("unusable", f"Not followed: {_clean(contact.uri)}")
                continue
            if self._secure and parsed.scheme == "sip" and not self._settings.allow_sips_downgrade:
                self._notes.setdefault("insecure", f"Not followed: {target}")
                continue
            why = self._blocked(parsed)
            if why is not None:
                number = _clean(parsed.number, 32)
                self._notes.setdefault("blocked", f"Forward to {number} blocked: {why}")
                continue
            if parsed.key() in self._tried:
                self._notes.setdefault("loop", f"Already tried: {target}")
                continue
            if self._attempts >= MAX_ATTEMPTS:
                self._notes.setdefault("attempts", f"Not followed: {target}")
                self._queue.clear()
                return None
            self._attempts += 1
            self._tried.add(parsed.key())
            self._secure = self._secure or parsed.scheme == "sips"
            decision = RedirectDecision(
                DecisionKind.FOLLOW,
                target=target,
                screen_text=self._forward_text(contact, parsed),
                uri=parsed,
            )
            if self._mode == "ask":
                self._pending = decision
                return replace(decision, kind=DecisionKind.ASK)
            self._chain.append(Hop(target))
            return decision
        return None

    def _blocked(self, uri: SipUri) -> str | None:
        """Why the target's number may not be called: a redirect block prefix or a dial plan
        block-out rule matching it in any spelling (+/00/national, numbers.py)."""
        if not self._settings.block_prefixes and self._block_out is None:
            return None  # nothing can block it: the number is not even worked out
        number = number_of(str(uri))
        if number is None:
            return None
        forms = spellings(number, self._numbering)
        for prefix in self._settings.block_prefixes:
            wanted = str(prefix).translate(str.maketrans("", "", "-.()/ "))
            if wanted and any(f.startswith(w) for f in forms for w in spellings(wanted)):
                return f"prefix {prefix}"
        rule = self._block_out(number) if self._block_out is not None else None
        return f"rule {rule}" if rule else None

    def _forward_text(self, contact: Contact, uri: SipUri) -> str:
        # The phone's "Forward to: %s" (docs/yealink.md §6), nothing after it: the guides show
        # no reason there (the Diversion reason stays in the call's redirect chain).
        name = _clean(contact.display) or _clean(unquote(uri.user)) or _clean(uri.host)
        return f"Forward to: {name}"


def credentials_allowed(account_realm: str, challenge_realm: str) -> bool:
    """Only the account's own realm ever gets its credentials: never a wildcard, never an
    unknown realm (pjsip's "*" would answer any host a redirect points at)."""
    try:
        mine, theirs = account_realm.strip(), challenge_realm.strip()
        return bool(mine) and mine != "*" and mine == theirs
    except Exception:
        return False


def parse_auth_realm(value: str) -> str | None:
    """The realm of a WWW-Authenticate / Proxy-Authenticate value (`Digest realm="x", ...`)."""
    try:
        scheme = _AUTH_SCHEME.match(value)
        pos = scheme.end() if scheme else 0
        # Walk the parameters in order so a "realm=" inside a quoted value is never taken.
        while (match := _AUTH_PARAM.match(value, pos)) is not None:
            if match.group(1).lower() == "realm":
                raw = match.group(2)
                return re.sub(r"\\(.)", r"\1", raw[1:-1]) if raw.startswith('"') else raw
            pos = match.end()
        return None
    except Exception:
        return None


def challenge_realms(message: str) -> list[str]:
    """The realms a raw 401/407 response challenges with (WWW- and Proxy-Authenticate)."""
    values = header_values(message, "www-authenticate") + header_values(
        message, "proxy-authenticate"
    )
    return [realm for realm in map(parse_auth_realm, values) if realm is not None]
