"""Action URI without sockets: the query parser, the access checks and the request handler."""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.phone.settings import RemoteSettings
from app.remote.access import (
    Caller,
    PromptBroker,
    basic_header,
    caller_for,
    check_basic_auth,
    ip_allowed,
)
from app.remote.action_uri import (
    MAX_ACTIONS,
    BadRequest,
    ConfigQuery,
    RemoteAction,
    config_report,
    parse_servlet_query,
)
from app.remote.handler import ActionUriHandler

# ---- parser ---------------------------------------------------------------------------------

KEY_TABLE = {
    **{d: d for d in "0123456789"},
    "STAR": "*",
    "POUND": "#",
    "OK": "OK",
    "ENTER": "OK",
    "X": "X",
    "CANCEL": "X",
    "F1": "F1",
    "F2": "F2",
    "F3": "F3",
    "F4": "F4",
    "L1": "L1",
    "L5": "L5",
    "L10": "L10",
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
    "VOLUME_UP": "VOL+",
    "VOLUME_DOWN": "VOL-",
    "CALLEND": "CALLEND",
}


@pytest.mark.parametrize(("value", "key"), sorted(KEY_TABLE.items()))
def test_each_key_value_presses_its_handset_key(value: str, key: str) -> None:
    assert parse_servlet_query(f"key={value}") == [RemoteAction("key", key)]
    assert parse_servlet_query(f"key={value.lower()}") == [RemoteAction("key", key)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("key=ANSWER", RemoteAction("answer")),
        ("key=ASW", RemoteAction("answer")),
        ("key=ASW:33093", RemoteAction("answer", call_id="33093")),
        ("key=CANCEL:i12", RemoteAction("hangup", call_id="i12")),
        ("key=HOLD:o7", RemoteAction("hold", call_id="o7")),
        ("key=UNHOLD", RemoteAction("unhold")),
        ("key=UNHOLD:o7", RemoteAction("unhold", call_id="o7")),
        ("key=F_CONFERENCE", RemoteAction("softkey", "Conference")),
        ("key=DNDOn", RemoteAction("dnd", "on", enable=True)),
        ("key=DNDOff", RemoteAction("dnd", "off", enable=False)),
        ("dnd=on", RemoteAction("dnd", "on", enable=True)),
        ("dnd=0", RemoteAction("dnd", "off", enable=False)),
        ("key=AlwaysFwdOn", RemoteAction("forward", "always", enable=True)),
        ("key=ALWAYSFWDOFF", RemoteAction("forward", "always", enable=False)),
        ("key=BusyFwdOn", RemoteAction("forward", "busy", enable=True)),
        ("key=BusyFwdOff", RemoteAction("forward", "busy", enable=False)),
        ("key=NoAnswerFwdOn", RemoteAction("forward", "no_answer", enable=True)),
        ("key=NoAnswerFwdOff", RemoteAction("forward", "no_answer", enable=False)),
        (
            "always_fwd=on&fwd_target=2001",
            RemoteAction("forward", "always", enable=True, target="2001"),
        ),
        ("no_answer_fwd=off&fwd_target=2001", RemoteAction("forward", "no_answer", enable=False)),
        ("number=2001", RemoteAction("dial", "2001")),
        ("number=sip%3A2001%40127.0.0.1", RemoteAction("dial", "sip:2001@127.0.0.1")),
        (
            "number=2001&outgoing_uri=1001%40pbx.local",
            RemoteAction("dial", "2001", account_uri="1001@pbx.local"),
        ),
        ("key=number=2001", RemoteAction("dial", "2001")),
    ],
)
def test_special_forms(query: str, expected: RemoteAction) -> None:
    assert parse_servlet_query(query) == [expected]


def test_semicolon_list_keeps_order_and_trailing_semicolon_is_fine() -> None:
    assert parse_servlet_query("key=ASW;MUTE") == [
        RemoteAction("answer"),
        RemoteAction("key", "MUTE"),
    ]
    assert parse_servlet_query("key=F1;F3;DOWN;DOWN;OK;") == [
        RemoteAction("key", k) for k in ("F1", "F3", "DOWN", "DOWN", "OK")
    ]


def test_parameters_apply_in_query_order_and_login_prefix_is_ignored() -> None:
    query = "p=login&q=login&username=admin&pwd=x&jumpto=status&number=200&key=MUTE"
    assert parse_servlet_query(query) == [RemoteAction("dial", "200"), RemoteAction("key", "MUTE")]


def test_phonecfg_flags() -> None:
    assert parse_servlet_query("phonecfg=get&accounts=1&dnd=1&fw=1") == ConfigQuery(
        True, True, True
    )
    assert parse_servlet_query("phonecfg=get&accounts=0&fw=1") == ConfigQuery(False, True, True)
    assert parse_servlet_query("phonecfg=get&dnd=0&fw=0") == ConfigQuery(True, False, False)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("", "empty query"),
        ("key=", "empty key value"),
        ("key=BOGUS", "unknown key"),
        ("key=L11", "unknown key"),
        ("key=F5", "unknown key"),
        ("key=OK;;MUTE", "empty key value"),
        ("key=MUTE:5", "unknown key"),
        ("key=ASW:", "bad call id"),
        ("key=ASW:a%20b", "bad call id"),
        ("number=", "bad number"),
        ("number=12%2034", "bad number"),
        ("number=" + "1" * 200, "bad number"),
        ("number=1%0A2", "control characters"),
        ("outgoing_uri=1001%40x", "nothing to do"),
        ("key=OK&outgoing_uri=1001%40x", "outgoing_uri without number"),
        ("dnd=maybe", "dnd must be on or off"),
        ("busy_fwd=sometimes", "busy_fwd must be on or off"),
        ("phonecfg=set", "phonecfg must be get"),
        ("phonecfg=get&fw=2", "fw must be 0 or 1"),
        ("phonecfg=get&key=OK", "cannot be mixed"),
        ("accounts=1", "only goes with phonecfg"),
        ("frobnicate=1", "unknown parameter"),
        ("=OK", "malformed query"),
        ("key=%ff", "malformed query"),
        ("key=" + ";".join(["1"] * (MAX_ACTIONS + 1)), "more than"),
        ("key=" + "1" * 3000, "query too long"),
        ("&".join(["t=1"] * 70), "malformed query"),
    ],
)
def test_bad_queries_give_a_short_reason(query: str, reason: str) -> None:
    result = parse_servlet_query(query)
    assert isinstance(result, BadRequest)
    assert reason in result.reason
    assert len(result.reason) < 100


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_any_text_never_raises(query: str) -> None:
    result = parse_servlet_query(query)
    assert isinstance(result, BadRequest | ConfigQuery | list)
    if isinstance(result, list):
        assert 0 < len(result) <= MAX_ACTIONS
        assert all(isinstance(a, RemoteAction) for a in result)


_TOKENS = st.sampled_from(
    ["key", "number", "dnd", "phonecfg", "fw", "ASW", ":", ";", "=", "&", "%", "%3B", "OK", "on"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_TOKENS, st.text(max_size=4)), max_size=30))
def test_fuzz_query_shaped_input_never_raises(tokens: list[str]) -> None:
    result = parse_servlet_query("".join(tokens))
    assert isinstance(result, BadRequest | ConfigQuery | list)


def test_config_report_only_gives_what_was_asked() -> None:
    state: dict[str, Any] = {
        "firmware": "1.0",
        "accounts": [
            {"index": 0, "label": "A", "uri": "sip:1@h", "state": "Registered", "code": 200}
        ],
        "dnd": True,
        "forward": {"always": True, "busy": False, "no_answer": False, "always_target": "9"},
        "calls": [],
    }
    full = config_report(ConfigQuery(), state)
    assert full["accounts"][0]["state"] == "Registered"
    assert full["dnd"] is True
    assert full["forward"]["always_target"] == "9"
    assert full["firmware"] == "1.0"
    assert "calls" not in full
    only_fw = config_report(ConfigQuery(accounts=False, dnd=False, fw=True), state)
    assert set(only_fw) == {"firmware", "forward"}


# ---- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ip", "allow", "ok"),
    [
        ("127.0.0.1", ["127.0.0.1"], True),
        ("127.0.0.2", ["127.0.0.1"], False),
        ("203.0.113.4", ["203.0.*.*"], True),
        ("203.1.113.4", ["203.0.*.*"], False),
        ("203.10.3.4", ["203.*"], False),  # a * stands for one octet only
        ("198.51.100.9", ["203.1.4.3, 198.51.100.*"], True),  # a comma list in one entry
        ("8.8.8.8", ["any"], True),
        ("8.8.8.8", ["ANY"], True),
        ("8.8.8.8", [], False),
        ("::ffff:127.0.0.1", ["127.0.0.1"], True),
        ("127.0.0.12", ["127.0.0.1*"], True),
    ],
)
def test_allowlist(ip: str, allow: list[str], ok: bool) -> None:
    assert ip_allowed(ip, allow) is ok


def test_basic_auth_check() -> None:
    assert check_basic_auth(None, "", "") == "ok"
    assert check_basic_auth(None, "admin", "pw") == "missing"
    assert check_basic_auth(basic_header("admin", "pw"), "admin", "pw") == "ok"
    assert check_basic_auth(basic_header("admin", "no"), "admin", "pw") == "wrong"
    assert check_basic_auth("Basic !!!notbase64", "admin", "pw") == "wrong"
    assert check_basic_auth("Bearer abc", "admin", "pw") == "wrong"


def test_prompt_broker_asks_once_and_remembers() -> None:
    shown: list[Caller] = []
    broker = PromptBroker(shown.append)
    program = caller_for("203.0.113.5", browser=False)
    assert broker.ask(program) == "wait"
    assert broker.ask(program) == "wait"
    assert [c.key for c in shown] == ["203.0.113.5"]
    assert broker.pending() == ["203.0.113.5"]
    broker.answer("203.0.113.5", False)
    assert broker.ask(program) == "no"
    broker.forget("203.0.113.5")
    assert broker.ask(program) == "wait"
    assert len(shown) == 2


def test_prompt_broker_browser_answers_are_used_once_and_pending_is_capped() -> None:
    shown: list[Caller] = []
    withdrawn: list[str] = []
    broker = PromptBroker(shown.append, withdrawn.append, max_pending=2)
    page = caller_for("127.0.0.1", browser=True)
    other = caller_for("127.0.0.1", browser=True)
    assert page.key != other.key and not page.remember
    assert broker.ask(page) == "wait" and broker.ask(other) == "wait"
    assert broker.ask(caller_for("127.0.0.1", browser=False)) == "busy"
    broker.answer(page.key, True)
    assert broker.ask(page) == "yes"
    assert broker.ask(page) == "wait"  # used up: a new question
    broker.withdraw(other.key)
    broker.answer(other.key, True)  # the box was answered after its request gave up
    assert withdrawn == [other.key]
    assert broker.ask(other) == "wait"


# ---- handler ----------------------------------------------------------------------------------


class Engine:
    """Stands in for the engine's callbacks and records what it was given."""

    def __init__(self) -> None:
        self.submitted: list[list[RemoteAction]] = []
        self.png: bytes | None = b"\x89PNG\r\n\x1a\nfake"
        self.snapshot: dict[str, Any] = {"accounts": [], "dnd": False, "forward": {}, "calls": []}

    def submit(self, actions: list[RemoteAction]) -> None:
        self.submitted.append(actions)

    def state(self) -> dict[str, Any]:
        return self.snapshot

    def screenshot(self) -> bytes | None:
        return self.png


def make(engine: Engine, **overrides: Any) -> ActionUriHandler:
    values: dict[str, Any] = {
        "action_uri_enabled": True,
        "action_uri_allow": ["127.0.0.1"],
        "action_uri_prompt": False,
    }
    values.update(overrides)
    ask = values.pop("ask", None)
    timeout = values.pop("timeout", 0.5)
    return ActionUriHandler(
        RemoteSettings(**values),
        engine.submit,
        engine.state,
        engine.screenshot,
        ask,
        prompt_timeout=timeout,
        prompt_poll=0.01,
    )


def test_disabled_refuses_with_403_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    engine = Engine()
    handler = make(engine, action_uri_enabled=False)
    with caplog.at_level(logging.WARNING, logger="deskphone.remote"):
        assert handler.handle("GET", "/servlet?key=OK", "127.0.0.1").status == 403
    assert engine.submitted == []
    assert "disabled" in caplog.text


def test_good_request_is_submitted_in_order() -> None:
    engine = Engine()
    response = make(engine).handle("GET", "/servlet?key=ASW;MUTE", "127.0.0.1")
    assert response.status == 200
    assert engine.submitted == [[RemoteAction("answer"), RemoteAction("key", "MUTE")]]


def test_legacy_paths_and_unknown_path() -> None:
    engine = Engine()
    handler = make(engine)
    assert handler.handle("GET", "/cgi-bin/ConfigManApp.com?key=OK", "127.0.0.1").status == 200
    assert handler.handle("GET", "/index.html", "127.0.0.1").status == 404
    assert handler.handle("POST", "/servlet?key=OK", "127.0.0.1").status == 405
    assert len(engine.submitted) == 1


def test_query_credentials_like_the_phone() -> None:
    engine = Engine()
    handler = make(engine, action_uri_user="admin", action_uri_password="pw")
    ok = "/servlet?p=login&q=login&username=admin&pwd=pw&jumpto=x&key=OK"
    bad = "/servlet?p=login&q=login&username=admin&pwd=no&key=OK"
    assert handler.handle("GET", ok, "127.0.0.1").status == 200
    assert handler.handle("GET", bad, "127.0.0.1").status == 403
    assert handler.handle("GET", "/servlet?key=OK", "127.0.0.1").status == 401
    assert len(engine.submitted) == 1


def test_phonecfg_answers_json_from_state() -> None:
    engine = Engine()
    engine.snapshot["dnd"] = True
    response = make(engine).handle(
        "GET", "/servlet?phonecfg=get&accounts=0&dnd=1&fw=0", "127.0.0.1"
    )
    assert response.status == 200
    assert response.content_type == "application/json"
    assert json.loads(response.body) == {"dnd": True}


def test_screencapture_and_503_without_image() -> None:
    engine = Engine()
    handler = make(engine)
    response = handler.handle("GET", "/screencapture", "127.0.0.1")
    assert (response.status, response.body, response.content_type) == (200, engine.png, "image/png")
    engine.png = None
    assert handler.handle("GET", "/screencapture", "127.0.0.1").status == 503


def test_engine_that_raises_gives_503_not_a_crash() -> None:
    engine = Engine()

    def broken(actions: list[RemoteAction]) -> None:
        raise RuntimeError("queue full")

    handler = ActionUriHandler(
        RemoteSettings(action_uri_enabled=True, action_uri_prompt=False),
        broken,
        engine.state,
        engine.screenshot,
    )
    assert handler.handle("GET", "/servlet?key=OK", "127.0.0.1").status == 503


def test_prompt_answered_later_by_another_thread() -> None:
    engine = Engine()
    broker = PromptBroker(lambda caller: None)
    handler = make(engine, action_uri_prompt=True, ask=broker, timeout=5.0)
    answer = threading.Timer(0.2, broker.answer, args=("127.0.0.1", True))
    answer.start()
    started = time.monotonic()
    assert handler.handle("GET", "/servlet?key=OK", "127.0.0.1").status == 200
    assert 0.15 < time.monotonic() - started < 2.0
    assert engine.submitted == [[RemoteAction("key", "OK")]]


def test_prompt_declined_and_unanswered(caplog: pytest.LogCaptureFixture) -> None:
    engine = Engine()
    broker = PromptBroker(lambda caller: None)
    handler = make(engine, action_uri_prompt=True, ask=broker, timeout=0.2)
    with caplog.at_level(logging.WARNING, logger="deskphone.remote"):
        started = time.monotonic()
        assert handler.handle("GET", "/servlet?key=OK", "127.0.0.1").status == 403
        assert 0.15 < time.monotonic() - started < 1.5
        assert "no answer" in caplog.text
        broker.answer("127.0.0.1", False)
        assert handler.handle("GET", "/servlet?key=OK", "127.0.0.1").status == 403
        assert "declined" in caplog.text
    assert engine.submitted == []


def test_bad_request_does_not_prompt() -> None:
    asked: list[str] = []
    broker = PromptBroker(lambda caller: asked.append(caller.ip))
    engine = Engine()
    handler = make(engine, action_uri_prompt=True, ask=broker)
    assert handler.handle("GET", "/servlet?key=NOPE", "127.0.0.1").status == 400
    assert asked == []
