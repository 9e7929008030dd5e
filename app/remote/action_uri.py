"""Yealink Action URI requests (`GET /servlet?...`) turned into `RemoteAction`s. Pure: no I/O.

Accepted query forms (parameter names and key values are case-insensitive; values are
percent-decoded first; parameters are applied in the order they appear):

- `key=VALUE[;VALUE...]`: up to `MAX_ACTIONS` values, run in order, as on the phone.
- `number=XXX[&outgoing_uri=USER@HOST]`: dial XXX (from the account whose URI is given);
  `key=number=XXX` (sent by some dialer plug-ins) dials too.
- `dnd=on|off` (also 1/0, true/false): DND on or off.
- `always_fwd=on|off`, `busy_fwd=on|off`, `no_answer_fwd=on|off` with an optional
  `fwd_target=XXX` (applies to the rules switched on in the same request): forward on or off.
- `phonecfg=get[&accounts=0|1][&dnd=0|1][&fw=0|1]`: a report, not an action (`ConfigQuery`);
  each account's entry carries its voice mail counts (None before its server sent any).
  A missing flag counts as 1. It cannot be mixed with actions.
- `p`, `q`, `username`, `pwd`, `jumpto` (Yealink's login prefix) and cache busters such as
  `_` or `t` are ignored here; credentials are checked by `access.py`.

`key` values and what they become (`RemoteAction(kind, value, call_id)`; kind "key" carries
the handset key name the engine presses on its Handset model, exactly like a click):

    Action URI value            RemoteAction
    0-9                         key "0".."9"
    STAR / POUND                key "*" / "#"
    OK, ENTER                   key "OK" (ENTER is the Enter soft key; on a T4x it is OK)
    X, CANCEL                   key "X"
    F1-F4                       key "F1".."F4" (soft keys)
    L1-L10                      key "L1".."L10" (line keys)
    UP DOWN LEFT RIGHT          key "UP" "DOWN" "LEFT" "RIGHT"
    SPEAKER, HEADSET, MUTE      key "SPEAKER", "HEADSET", "MUTE"
    HOLD, F_HOLD                key "HOLD"
    F_TRANSFER                  key "TRAN"
    REDIAL                      key "REDIAL"
    MSG, MESSAGE                key "MESSAGE"
    VOLUME_UP / VOLUME_DOWN     key "VOL+" / "VOL-"
    CALLEND                     key "CALLEND"
    F_CONFERENCE                softkey "Conference" (press the soft key with that label)
    ANSWER, ASW                 answer (the ringing call)
    ASW:<id>                    answer call_id=<id>
    CANCEL:<id>                 hangup call_id=<id> (end, reject or cancel that call)
    HOLD:<id>                   hold call_id=<id>
    UNHOLD[:<id>]               unhold (call_id=<id>, else the held call)
    DNDON / DNDOFF              dnd value "on" / "off"
    ALWAYSFWDON / ALWAYSFWDOFF  forward value "always", enable True / False
    BUSYFWDON / BUSYFWDOFF      forward value "busy", ...
    NOANSWERFWDON / ...OFF      forward value "no_answer", ...

Anything else is a `BadRequest` with a short reason (the server answers 400 with it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import parse_qsl

ActionKind = Literal[
    "key", "softkey", "dial", "answer", "hangup", "hold", "unhold", "dnd", "forward"
]

MAX_QUERY: Final = 2048  # characters of the raw query; the phone's own URLs are far shorter
MAX_ACTIONS: Final = 32
MAX_NUMBER: Final = 128
MAX_CALL_ID: Final = 64
LINE_KEYS: Final = 10  # a T46 has L1-L10

FORWARD_RULES: Final = ("always", "busy", "no_answer")


@dataclass(frozen=True)
class RemoteAction:
    """One thing a remote client asked for; the engine runs them in order on its own thread.

    kind "key": value is a handset key name. "softkey": value is a soft key label.
    "dial": value is the number or URI, account_uri the `outgoing_uri` (may be empty).
    "answer" / "hangup" / "hold" / "unhold": call_id or None for the obvious call.
    "dnd": value "on" | "off", enable True | False.
    "forward": value "always" | "busy" | "no_answer", enable True | False, target (may be empty).
    """

    kind: ActionKind
    value: str = ""
    call_id: str | None = None
    enable: bool | None = None
    target: str = ""
    account_uri: str = ""


@dataclass(frozen=True)
class ConfigQuery:
    """`phonecfg=get`: which parts of the state to report."""

    accounts: bool = True
    dnd: bool = True
    fw: bool = True


@dataclass(frozen=True)
class BadRequest:
    """Why an Action URI request was refused."""

    reason: str


ParseResult = list[RemoteAction] | ConfigQuery | BadRequest

# Plain key presses; the table in the module docstring is the documentation of this mapping.
_KEYS: Final[dict[str, str]] = {
    **{d: d for d in "0123456789"},
    "STAR": "*",
    "POUND": "#",
    "OK": "OK",
    "ENTER": "OK",
    "X": "X",
    "CANCEL": "X",
    **{f"F{i}": f"F{i}" for i in range(1, 5)},
    **{f"L{i}": f"L{i}" for i in range(1, LINE_KEYS + 1)},
    "UP": "UP",
    "DOWN": "DOWN",
    "LEFT": "LEFT",
    "RIGHT": "RIGHT",
    "SPEAKER": "SPEAKER",
    "HEADSET": "HEADSET",
    "MUTE": "MUTE",
    "HOLD": "HOLD",
    "F_HOLD": "HOLD",
    "F_TRANSFER": "TRAN",
    "REDIAL": "REDIAL",
    "MSG": "MESSAGE",
    "MESSAGE": "MESSAGE",
    "VOLUME_UP": "VOL+",
    "VOLUME_DOWN": "VOL-",
    "CALLEND": "CALLEND",
}

_SPECIAL: Final[dict[str, RemoteAction]] = {
    "F_CONFERENCE": RemoteAction("softkey", "Conference"),
    "ANSWER": RemoteAction("answer"),
    "ASW": RemoteAction("answer"),
    "UNHOLD": RemoteAction("unhold"),
    "DNDON": RemoteAction("dnd", "on", enable=True),
    "DNDOFF": RemoteAction("dnd", "off", enable=False),
    "ALWAYSFWDON": RemoteAction("forward", "always", enable=True),
    "ALWAYSFWDOFF": RemoteAction("forward", "always", enable=False),
    "BUSYFWDON": RemoteAction("forward", "busy", enable=True),
    "BUSYFWDOFF": RemoteAction("forward", "busy", enable=False),
    "NOANSWERFWDON": RemoteAction("forward", "no_answer", enable=True),
    "NOANSWERFWDOFF": RemoteAction("forward", "no_answer", enable=False),
}

# VALUE:call-id forms; CANCEL:<id> ends that call while bare CANCEL is the X key.
_WITH_ID: Final[dict[str, ActionKind]] = {
    "ASW": "answer",
    "ANSWER": "answer",
    "CANCEL": "hangup",
    "HOLD": "hold",
    "UNHOLD": "unhold",
}

_IGNORED: Final = frozenset({"p", "q", "username", "pwd", "jumpto", "_", "t", "ts"})
_ON: Final = frozenset({"on", "1", "true", "yes"})
_OFF: Final = frozenset({"off", "0", "false", "no"})
_CALL_ID_RE: Final = re.compile(rf"[A-Za-z0-9._~@+\-]{{1,{MAX_CALL_ID}}}")
# Dial strings: digits and the characters of SIP/tel URIs; no spaces, quotes or controls.
_NUMBER_RE: Final = re.compile(rf"[A-Za-z0-9*#+@.:;=_\-~!$&'()%/?\[\]]{{1,{MAX_NUMBER}}}")


def parse_key_value(raw: str) -> RemoteAction | BadRequest:
    """One `key=` value (already split on ';')."""
    text = raw.strip()
    if not text:
        return BadRequest("empty key value")
    upper = text.upper()
    if upper.startswith("NUMBER="):  # `servlet?key=number=123`, as some dialer plug-ins send
        number = text[len("NUMBER=") :].strip()
        if not _NUMBER_RE.fullmatch(number):
            return BadRequest("bad number")
        return RemoteAction("dial", number)
    if ":" in upper:
        name, _, call_id = text.partition(":")
        kind = _WITH_ID.get(name.strip().upper())
        if kind is None:
            return BadRequest(f"unknown key: {_short(text)}")
        call_id = call_id.strip()
        if not _CALL_ID_RE.fullmatch(call_id):
            return BadRequest(f"bad call id: {_short(call_id)}")
        return RemoteAction(kind, call_id=call_id)
    if upper in _KEYS:
        return RemoteAction("key", _KEYS[upper])
    if upper in _SPECIAL:
        return _SPECIAL[upper]
    return BadRequest(f"unknown key: {_short(text)}")


def parse_servlet_query(query: str) -> ParseResult:
    """Parse the query of `/servlet?...`; never raises."""
    try:
        return _parse(query)
    except Exception as exc:  # a parser bug must become a 400, not a dead server thread
        return BadRequest(f"unparsable query ({type(exc).__name__})")


def _parse(query: str) -> ParseResult:
    if len(query) > MAX_QUERY:
        return BadRequest("query too long")
    if not query:
        return BadRequest("empty query")
    try:
        pairs = parse_qsl(
            query,
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=64,
        )
    except (ValueError, UnicodeDecodeError):
        return BadRequest("malformed query")
    for k, v in pairs:
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in k + v):
            return BadRequest("control characters in query")
    params = [(k.strip().lower(), v.strip()) for k, v in pairs]
    if any(not k for k, _ in params):
        return BadRequest("malformed query")
    names = [k for k, _ in params]
    if "phonecfg" in names:
        return _parse_phonecfg(params)

    actions: list[RemoteAction] = []
    fwd_target = _single(params, "fwd_target")
    outgoing_uri = _single(params, "outgoing_uri")
    for name, value in params:
        result = _parse_param(name, value, fwd_target or "", outgoing_uri or "")
        if isinstance(result, BadRequest):
            return result
        actions.extend(result)
        if len(actions) > MAX_ACTIONS:
            return BadRequest(f"more than {MAX_ACTIONS} actions")
    if not actions:
        return BadRequest("nothing to do: expected key=, number=, dnd= or phonecfg=get")
    if outgoing_uri and not any(a.kind == "dial" for a in actions):
        return BadRequest("outgoing_uri without number")
    return actions


def _parse_param(
    name: str, value: str, fwd_target: str, outgoing_uri: str
) -> list[RemoteAction] | BadRequest:
    if name == "key":
        out: list[RemoteAction] = []
        parts = value.split(";")
        if len(parts) > 1 and not parts[-1].strip():
            parts.pop()  # "key=OK;" is common in hand-written URLs
        for part in parts:
            action = parse_key_value(part)
            if isinstance(action, BadRequest):
                return action
            out.append(action)
            if len(out) > MAX_ACTIONS:
                return BadRequest(f"more than {MAX_ACTIONS} actions")
        return out
    if name == "number":
        if not _NUMBER_RE.fullmatch(value):
            return BadRequest("bad number")
        if outgoing_uri and not _NUMBER_RE.fullmatch(outgoing_uri):
            return BadRequest("bad outgoing_uri")
        return [RemoteAction("dial", value, account_uri=outgoing_uri)]
    if name == "dnd":
        on = _switch(value)
        if on is None:
            return BadRequest("dnd must be on or off")
        return [RemoteAction("dnd", "on" if on else "off", enable=on)]
    if name in ("always_fwd", "busy_fwd", "no_answer_fwd"):
        on = _switch(value)
        if on is None:
            return BadRequest(f"{name} must be on or off")
        if fwd_target and not _NUMBER_RE.fullmatch(fwd_target):
            return BadRequest("bad fwd_target")
        rule = name.removesuffix("_fwd")
        return [RemoteAction("forward", rule, enable=on, target=fwd_target if on else "")]
    if name in ("fwd_target", "outgoing_uri") or name in _IGNORED:
        return []
    if name in ("accounts", "fw"):
        return BadRequest(f"{name}= only goes with phonecfg=get")
    return BadRequest(f"unknown parameter: {_short(name)}")


def _parse_phonecfg(params: list[tuple[str, str]]) -> ConfigQuery | BadRequest:
    flags = {"accounts": True, "dnd": True, "fw": True}
    for name, value in params:
        if name == "phonecfg":
            if value.lower() != "get":
                return BadRequest("phonecfg must be get")
        elif name in flags:
            on = _switch(value)
            if on is None:
                return BadRequest(f"{name} must be 0 or 1")
            flags[name] = on
        elif name not in _IGNORED:
            return BadRequest(f"{_short(name)} cannot be mixed with phonecfg")
    return ConfigQuery(**flags)


def config_report(query: ConfigQuery, state: dict[str, Any]) -> dict[str, Any]:
    """The `phonecfg=get` answer: the asked parts of the engine's state snapshot."""
    report: dict[str, Any] = {}
    for name in ("model", "firmware"):
        if name in state:
            report[name] = state[name]
    if query.accounts:
        report["accounts"] = [
            {k: a.get(k) for k in ("index", "label", "uri", "state", "code", "voice_mail")}
            for a in state.get("accounts", [])
            if isinstance(a, dict)
        ]
    if query.dnd:
        report["dnd"] = bool(state.get("dnd", False))
    if query.fw:
        fwd = state.get("forward", {})
        report["forward"] = dict(fwd) if isinstance(fwd, dict) else {}
    return report


def _single(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    return values[-1] if values else None


def _switch(value: str) -> bool | None:
    low = value.lower()
    if low in _ON:
        return True
    if low in _OFF:
        return False
    return None


def _short(text: str) -> str:
    """Echo at most a little of the client's input, printable only, into reasons and logs."""
    clean = "".join(c if c.isprintable() else "?" for c in text[:40])
    return clean + ("..." if len(text) > 40 else "")
