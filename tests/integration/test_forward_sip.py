"""DeskPhone as the callee forwards with 302, checked with SIPp on 127.0.0.1."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from app.phone.settings import AccountSettings, ForwardRule, Settings
from app.store.settings import load_settings, save_settings
from tests.engine_harness import running_engine
from tests.sipnet import HOST, Sipp, free_port

pytestmark = pytest.mark.sip

_STAMP = re.compile(
    r"^-+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n(?:UDP|TCP) message received"
    r"[^\n]*\n\n(SIP/2\.0 (\d{3})[^\n]*)",
    re.MULTILINE,
)


def received_responses(sipp: Sipp) -> list[tuple[datetime, int]]:
    """(time, code) of every response SIPp received, from its message log."""
    return [
        (datetime.fromisoformat(m.group(1)), int(m.group(3)))
        for m in _STAMP.finditer(sipp.messages())
    ]


def forwarding_settings(config_dir: Path, **rules: ForwardRule) -> Settings:
    settings = Settings()
    for name, rule in rules.items():
        setattr(settings.forward.phone, name, rule)
    save_settings(config_dir, settings)
    return settings


def caller(tmp_path: Path, scenario: str, port: int) -> Sipp:
    return Sipp(
        scenario,
        free_port(),
        tmp_path / "sipp",
        target=f"{HOST}:{port}",
        service="deskphone",
        timeout=25,
    )


def test_always_answers_302_at_once_with_diversion(tmp_path: Path, config_dir: Path) -> None:
    forwarding_settings(config_dir, always=ForwardRule(True, "sip:carol@127.0.0.1:5999"))
    with running_engine(config_dir) as (engine, client):
        sipp = caller(tmp_path, "uac-call-expect-302.xml", engine.port)
        assert sipp.run() == 0, sipp.messages()[-1500:]
        ended = client.wait_for(lambda e: e.get("ev") == "call" and e["state"] == "Finished")
        assert ended["extra"]["result"] == "forwarded"
        assert ended["extra"]["forwarded_to"] == "sip:carol@127.0.0.1:5999"
    codes = [code for _, code in received_responses(sipp)]
    assert 180 not in codes and codes[-1] == 302  # nothing rang
    log = sipp.messages()
    assert "Contact: <sip:carol@127.0.0.1:5999>" in log
    assert re.search(r"Diversion: <sip:deskphone@127\.0\.0\.1:\d+>;reason=unconditional", log)
    assert "302 Contact target = sip:carol@127.0.0.1:5999" in sipp.log_file.read_text()


def test_no_answer_after_one_ring_forwards_after_6_s(tmp_path: Path, config_dir: Path) -> None:
    settings = forwarding_settings(config_dir, no_answer=ForwardRule(True, "2002"))
    settings.forward.phone.no_answer_rings = 1
    settings.accounts = [AccountSettings(enabled=False, user="x", server="pbx.invalid")]
    save_settings(config_dir, settings)
    with running_engine(config_dir) as (engine, client):
        sipp = caller(tmp_path, "uac-call-expect-302.xml", engine.port)
        assert sipp.run() == 0, sipp.messages()[-1500:]
        client.wait_for(lambda e: e.get("ev") == "call" and e["state"] == "CallIn")
    times = {code: t for t, code in received_responses(sipp)}
    assert 180 in times and 302 in times
    rang = (times[302] - times[180]).total_seconds()
    assert 5.5 <= rang <= 6.5, rang
    log = sipp.messages()
    # a number goes to the embedded account's own host when no server is set
    assert re.search(r"Contact: <sip:2002@127\.0\.0\.1:\d+>", log)
    assert "reason=no-answer" in log


def test_busy_forwards_a_second_caller(tmp_path: Path, config_dir: Path) -> None:
    settings = forwarding_settings(config_dir, busy=ForwardRule(True, "sip:voicemail@127.0.0.1"))
    settings.features.call_waiting = False
    save_settings(config_dir, settings)
    callee = Sipp("uas-180-200-rtp.xml", free_port(), tmp_path / "sipp", timeout=30).listen()
    with running_engine(config_dir) as (engine, client):
        client.send("dial", target=f"sip:carol@{HOST}:{callee.port}")
        client.wait_call("Talking")
        second = caller(tmp_path, "uac-call-expect-302.xml", engine.port)
        assert second.run() == 0, second.messages()[-1500:]
        client.send("hangup")
        client.wait_call("Finished")
    assert callee.wait(15) == 0
    log = second.messages()
    assert "Contact: <sip:voicemail@127.0.0.1>" in log and "reason=user-busy" in log


def test_dnd_refuses_with_480_and_settings_reload_at_once(tmp_path: Path, config_dir: Path) -> None:
    save_settings(config_dir, Settings())
    with running_engine(config_dir) as (engine, client):
        settings = Settings()
        settings.dnd.enabled = True
        save_settings(config_dir, settings)
        client.send("reload_settings")
        client.wait_for(lambda e: e.get("ev") == "settings_reloaded")
        sipp = caller(tmp_path, "uac-call-expect-200.xml", engine.port)
        assert sipp.run() != 0  # it expected 200 and got 480
    assert [code for _, code in received_responses(sipp)][-1] == 480


def test_forward_soft_key_sends_the_ringing_call_to_the_typed_target(
    tmp_path: Path, config_dir: Path
) -> None:
    save_settings(config_dir, Settings())
    with running_engine(config_dir) as (engine, client):
        sipp = caller(tmp_path, "uac-call-expect-302.xml", engine.port).start()
        client.wait_call("CallIn")
        screen = client.wait_for(
            lambda e: e.get("ev") == "screen" and e["screen"]["name"] == "incoming"
        )
        assert screen["screen"]["softkeys"] == ["Answer", "Forward", "Silence", "Reject"]
        client.send("key", key="F2")  # Forward
        client.send("text", text="sip:dave@127.0.0.1:5999")
        client.send("key", key="OK")
        assert sipp.wait(20) == 0, sipp.messages()[-1500:]
        ended = client.wait_for(lambda e: e.get("ev") == "call" and e["state"] == "Finished")
        assert ended["extra"]["forwarded_to"] == "sip:dave@127.0.0.1:5999"
    log = sipp.messages()
    assert "Contact: <sip:dave@127.0.0.1:5999>" in log and "reason=deflection" in log


def test_handset_menu_switches_forward_on_persists_dials_code_and_forwards(
    tmp_path: Path, config_dir: Path
) -> None:
    code_sink = Sipp("uas-180-200-rtp.xml", free_port(), tmp_path / "sipp", timeout=30)
    settings = Settings(accounts=[AccountSettings(user="alice", server=HOST, port=code_sink.port)])
    settings.forward.phone.always.on_code = "*72"
    save_settings(config_dir, settings)
    code_sink.start()  # not listen(): its port is in the settings already
    code_sink.wait_listening()
    with running_engine(config_dir) as (engine, client):
        for key in ("F4", "DOWN", "OK", "OK", "OK", "RIGHT", "DOWN"):  # Menu → Features → CF
            client.send("key", key=key)
        client.send("text", text="sip:carol@127.0.0.1:5999")
        client.send("key", key="F4")  # Save
        # the on code goes to the server as a call to *72<target>
        placed = client.wait_for(lambda e: e.get("ev") == "call" and e["direction"] == "out")
        # a SIP URI target cannot follow the code, so the code goes alone
        assert placed["remote_uri"] == f"sip:*72@{HOST}:{code_sink.port}"
        client.send("hangup_all")
        sipp = caller(tmp_path, "uac-call-expect-302.xml", engine.port)
        assert sipp.run() == 0, sipp.messages()[-1500:]
    assert "Contact: <sip:carol@127.0.0.1:5999>" in sipp.messages()
    saved = load_settings(config_dir).settings.forward.phone.always
    assert saved.enabled and saved.target == "sip:carol@127.0.0.1:5999"
