"""Call forward as the callee: which forward applies to a new incoming call.

Pure rules, no I/O: the engine asks `decide_incoming` synchronously in `onIncomingCall` and
answers the INVITE from the returned decision (302 with its headers, at once or after ringing).
Behaviour follows the Yealink T4x/T5x guides (docs/yealink.md §7):

- Always forwards at once; Busy forwards at once while the phone is busy; No answer rings
  (180) for `no_answer_rings` x 6 s, then forwards. Always wins over Busy wins over No answer.
- DND disables the local no-answer forward. The research notes call DND "busy" for forwarding
  ("Busy (already in a call, or DND-busy)"; unconfirmed, docs/yealink.md §7), so a Busy
  forward catches calls while DND is on.
- Calls from never-forward (emergency/authorized) numbers are never forwarded.
- With forward international off, targets starting with 00 or + are not used.
- A rule whose target cannot be used (empty, malformed, international when blocked, or the
  phone's own address) counts as off and the next rule is tried: our choice, the guides say
  nothing; a forward loop back to the phone itself would be worse than ringing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from app.phone.settings import AccountSettings, ForwardRule, ForwardSet, ForwardSettings
from app.phone.settings.forward import MAX_RINGS  # ranges declared with the settings
from app.phone.settings.forward import TARGET_MAX as MAX_TARGET_LEN
from app.phone.sipuri import strip_uri_headers

ForwardKind = Literal["none", "now", "after"]

SECONDS_PER_RING = 6  # forward.no_answer.timeout counts rings of 6 s

# Diversion reasons (RFC 5806).
REASON_ALWAYS = "unconditional"
REASON_BUSY = "user-busy"
REASON_NO_ANSWER = "no-answer"
REASON_DEFLECTION = "deflection"  # the Forward soft key on a ringing call

RULE_NAMES: tuple[str, ...] = ("always", "busy", "no_answer")

_NUMBER = re.compile(r"^\+?[0-9*#]+$")
_CODE = re.compile(r"^[0-9*#]+$")
_SIP_URI = re.compile(
    r"""^(?P<scheme>sips?):
        (?:(?P<user>[^@\s<>"]+)@)?
        (?P<host>[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])
        (?::(?P<port>[0-9]{1,5}))?
        (?P<params>;[^\s<>"]*)?$""",
    re.IGNORECASE | re.VERBOSE,
)
_VISUAL_SEPARATORS = re.compile(r"[\s\-().]")


@dataclass(frozen=True)
class ForwardDecision:
    """What to do with a new incoming call; kind "none" means ring (or reject) as usual."""

    kind: ForwardKind = "none"
    target: str = ""  # normalised SIP URI the call goes to
    reason: str = ""  # Diversion reason
    delay: int = 0  # seconds to ring (180) before the 302; 0 unless kind is "after"
    contact: str = ""  # value of the 302's Contact header, "<sip:...>"
    diversion: str = ""  # value of the 302's Diversion header
    note: str = ""  # why nothing is forwarded or a rule was skipped (for the log)
    code: int = 302
    status_text: str = "Moved Temporarily"

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """The 302's extra headers, ready for `AnswerCall.headers` / `SipHeader`s."""
        if self.kind == "none":
            return ()
        return (("Contact", self.contact), ("Diversion", self.diversion))


# ---- targets ---------------------------------------------------------------------------------


def is_number(text: str) -> bool:
    """Something typed on a keypad: digits, * and #, optionally one leading +."""
    return bool(_NUMBER.match(text))


def is_sip_uri(text: str) -> bool:
    """A sip:/sips: URI, or user@host (taken as sip:user@host)."""
    match = _SIP_URI.match(text if text.lower().startswith(("sip:", "sips:")) else f"sip:{text}")
    if match is None:
        return False
    if not text.lower().startswith(("sip:", "sips:")) and match.group("user") is None:
        return False  # a bare word is neither a number nor an address
    port = match.group("port")
    return port is None or 0 < int(port) <= 65535


def target_error(target: str) -> str:
    """Why `target` cannot be a forward target, or "" when it can."""
    if not target:
        return "Enter the number or SIP URI to forward to"
    if len(target) > MAX_TARGET_LEN:
        return f"At most {MAX_TARGET_LEN} characters"
    if not (is_number(target) or is_sip_uri(target)):
        return "Not a number or SIP URI"
    return ""


def normalize_target(target: str, domain: str) -> str:
    """The SIP URI a target stands for: a number becomes sip:NUMBER@domain, URIs are kept.

    Returns "" when the target is malformed, or is a number and there is no domain.
    """
    target = target.strip()
    if is_number(target):
        if not domain:
            return ""
        return f"sip:{target.replace('#', '%23')}@{domain}"  # '#' is not allowed unescaped
    if is_sip_uri(target):
        # Headers embedded in the target would be the caller's to obey (dialing.py says why).
        uri = target if target.lower().startswith(("sip:", "sips:")) else f"sip:{target}"
        return strip_uri_headers(uri) if "?" in uri else uri
    return ""


def _user_part(address: str) -> str:
    """The user part of a number, URI or name-addr ('"Bob" <sip:12@h>' -> '12')."""
    text = address.strip()
    if "<" in text and ">" in text[text.index("<") :]:
        text = text[text.index("<") + 1 : text.index(">", text.index("<"))]
    lower = text.lower()
    for scheme in ("sips:", "sip:", "tel:"):
        if lower.startswith(scheme):
            text = text[len(scheme) :]
            break
    if "@" in text:
        text = text.split("@", 1)[0]
    return text.split(";", 1)[0].replace("%23", "#")


def _host_part(address: str) -> str:
    text = address.strip()
    if "<" in text and ">" in text[text.index("<") :]:
        text = text[text.index("<") + 1 : text.index(">", text.index("<"))]
    if "@" not in text:
        return ""
    return text.split("@", 1)[1].split(";", 1)[0].lower()


def _canonical_user(user: str) -> str:
    """Compare numbers by their digits (+49 == 0049, separators ignored), names caselessly."""
    stripped = _VISUAL_SEPARATORS.sub("", user)
    if stripped and is_number(stripped):
        return "00" + stripped[1:] if stripped.startswith("+") else stripped
    return user.lower()


def _strip_default_port(host: str) -> str:
    return host[:-5] if host.endswith(":5060") else host


def same_address(a: str, b: str) -> bool:
    """Same user and host (a bare number matches any host)."""
    if _canonical_user(_user_part(a)) != _canonical_user(_user_part(b)):
        return False
    host_a, host_b = _host_part(a), _host_part(b)
    return not host_a or not host_b or _strip_default_port(host_a) == _strip_default_port(host_b)


def is_international(target: str) -> bool:
    """Dialled abroad: the number (or the URI's user part) starts with 00 or +."""
    return _user_part(target).startswith(("00", "+"))


def is_never_forward(never_forward: list[str], caller: str) -> bool:
    return any(entry.strip() and same_address(entry, caller) for entry in never_forward)


# ---- rules -----------------------------------------------------------------------------------


def rings_to_seconds(rings: int) -> int:
    return rings * SECONDS_PER_RING


def rings_text(rings: int) -> str:
    """'2 rings = 12 s', as the dialog shows the ring time."""
    return f"{rings} ring{'' if rings == 1 else 's'} = {rings_to_seconds(rings)} s"


def effective_rules(settings: ForwardSettings, account: int) -> ForwardSet:
    """The forward set in effect for calls to `account` (phone mode: the phone-wide set).

    In custom mode an account without its own set forwards nothing.
    """
    if settings.per_account:
        return settings.accounts.get(account, ForwardSet())
    return settings.phone


def any_forward_on(settings: ForwardSettings) -> bool:
    """Whether the idle screen shows the forward icon."""
    if not settings.allowed:
        return False
    sets = list(settings.accounts.values()) if settings.per_account else [settings.phone]
    return any(getattr(s, name).enabled for s in sets for name in RULE_NAMES)


def _domain(account: AccountSettings, fallback_domain: str) -> str:
    return account.domain if account.server else fallback_domain


def _diversion(account: AccountSettings, reason: str, fallback_domain: str) -> str:
    domain = _domain(account, fallback_domain)
    who = f"sip:{account.user}@{domain}" if account.user else f"sip:{domain}"
    return f"<{who}>;reason={reason}"


def _build(
    kind: ForwardKind,
    target: str,
    reason: str,
    delay: int,
    account: AccountSettings,
    *,
    international: bool,
    fallback_domain: str,
) -> ForwardDecision | str:
    """A decision for `target`, or the reason it cannot be used."""
    target = target.strip()
    if not target:
        return "no target"
    # Longer than the handset's 32 characters is still a usable address: only the dialog
    # refuses it, so a provisioned value keeps working.
    uri = normalize_target(target, _domain(account, fallback_domain))
    if not uri:
        return "no domain for a number" if is_number(target) else "not a number or SIP URI"
    if not international and is_international(uri):
        return "international forward is off"
    if account.user and same_address(
        uri, f"sip:{account.user}@{_domain(account, fallback_domain)}"
    ):
        return "target is this phone"
    return ForwardDecision(
        kind=kind,
        target=uri,
        reason=reason,
        delay=delay,
        contact=f"<{uri}>",
        diversion=_diversion(account, reason, fallback_domain),
    )


def decide_incoming(
    settings: ForwardSettings,
    dnd_active: bool,
    account: int,
    account_settings: AccountSettings,
    caller: str,
    busy: bool,
    *,
    fallback_domain: str = "",
) -> ForwardDecision:
    """Whether and how to forward a new incoming call to `account` from `caller`.

    `busy`: the phone cannot ring this call (in a call with call waiting off, or every line
    in use). `dnd_active`: DND applies to this account (the engine resolves phone/custom DND
    mode). `fallback_domain` turns a number target into a URI when the account has no server
    (the local account): e.g. the host the INVITE was sent to.
    """
    if not settings.allowed:
        return ForwardDecision(note="forwarding is not allowed")
    if is_never_forward(settings.never_forward, caller):
        return ForwardDecision(note="caller is on the never-forward list")
    rules = effective_rules(settings, account)
    rings = min(max(rules.no_answer_rings, 0), MAX_RINGS)
    candidates: list[tuple[str, ForwardRule, ForwardKind, str, int]] = [
        ("always", rules.always, "now", REASON_ALWAYS, 0),
    ]
    if busy or dnd_active:
        candidates.append(("busy", rules.busy, "now", REASON_BUSY, 0))
    else:
        candidates.append(
            ("no_answer", rules.no_answer, "after", REASON_NO_ANSWER, rings_to_seconds(rings))
        )
    notes: list[str] = []
    if dnd_active and rules.no_answer.enabled:
        notes.append("no_answer: off while DND is on")
    for name, rule, kind, reason, delay in candidates:
        if not rule.enabled:
            continue
        built = _build(
            kind,
            rule.target,
            reason,
            delay,
            account_settings,
            international=settings.international,
            fallback_domain=fallback_domain,
        )
        if isinstance(built, ForwardDecision):
            return built
        notes.append(f"{name}: {built}")
    return ForwardDecision(note="; ".join(notes))


def forward_now(
    target: str,
    account_settings: AccountSettings,
    reason: str = REASON_DEFLECTION,
    *,
    international: bool = True,
    fallback_domain: str = "",
) -> ForwardDecision:
    """The Forward soft key on a ringing call: 302 to the typed target at once.

    Kind "none" (with a note) when the target cannot be used.
    """
    built = _build(
        "now",
        target,
        reason,
        0,
        account_settings,
        international=international,
        fallback_domain=fallback_domain,
    )
    return built if isinstance(built, ForwardDecision) else ForwardDecision(note=built)


# ---- validation and feature codes ------------------------------------------------------------


def code_error(code: str) -> str:
    """Why a forward on/off code cannot be used ("" when it can, or when it is empty)."""
    code = code.strip()
    if len(code) > MAX_TARGET_LEN:
        return f"At most {MAX_TARGET_LEN} characters"
    return "Use digits, * and # only" if code and not _CODE.match(code) else ""


def _validate_set(prefix: str, rules: ForwardSet, errors: dict[str, str]) -> None:
    for name in RULE_NAMES:
        rule: ForwardRule = getattr(rules, name)
        target = rule.target.strip()
        if (rule.enabled or target) and (error := target_error(target)):
            errors[f"{prefix}.{name}.target"] = error
        for code_field in ("on_code", "off_code"):
            if error := code_error(getattr(rule, code_field)):
                errors[f"{prefix}.{name}.{code_field}"] = error
    if not 0 <= rules.no_answer_rings <= MAX_RINGS:
        errors[f"{prefix}.no_answer_rings"] = f"Ring time must be 0 to {MAX_RINGS} rings"


def validate_forward(settings: ForwardSettings) -> dict[str, str]:
    """Errors by field path inside ForwardSettings ("phone.always.target", "accounts.1.busy...").

    Only the sets in effect are checked (the phone set in phone mode, the account sets in
    custom mode): the others are kept as they are but never used.
    """
    errors: dict[str, str] = {}
    if settings.per_account:
        for index, rules in sorted(settings.accounts.items()):
            _validate_set(f"accounts.{index}", rules, errors)
    else:
        _validate_set("phone", settings.phone, errors)
    for i, entry in enumerate(settings.never_forward):
        entry = entry.strip()
        if entry and not (is_number(entry) or is_sip_uri(entry)):
            errors[f"never_forward.{i}"] = f"{entry!r} is not a number or SIP URI"
    return errors


def code_to_dial(old: ForwardSet, new: ForwardSet) -> list[str]:
    """Feature codes to dial to the server for the switch from `old` to `new`.

    As on the handset, switching a forward on dials its on code followed by the target
    number (the server learns where to forward); switching it off dials the off code. A
    forward that stays on with a new target is switched on again. Targets that are SIP URIs
    cannot be dialled after a code, so then only the code is sent.
    """
    dials: list[str] = []
    for name in RULE_NAMES:
        before: ForwardRule = getattr(old, name)
        after: ForwardRule = getattr(new, name)
        on_code, off_code = after.on_code.strip(), (after.off_code or before.off_code).strip()
        target = after.target.strip()
        if after.enabled and (not before.enabled or target != before.target.strip()):
            if on_code:
                dials.append(on_code + (target if is_number(target) else ""))
        elif before.enabled and not after.enabled and off_code:
            dials.append(off_code)
    return dials
