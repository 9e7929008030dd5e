"""BLF keys end to end: the real engine subscribes to a SIPp notifier (RFC 4235 dialog event).

The lamp follows the NOTIFYs (idle, ringing with the caller's name, talking, held), bad bodies
(an XML entity bomb, malformed XML) leave it alone, the subscription is refreshed before it
expires, a server that ends or refuses the subscription darkens the key with the reason in the
log, and the subscription ends when the key is removed.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from app.phone.settings import AccountSettings, LineKeySettings, Settings
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.engine_harness import EngineClient, running_engine
from tests.integration.calls_util import call_event, requests, sip_messages, wait_until
from tests.sipnet import HOST, PEERS, Sipp, free_port

pytestmark = pytest.mark.sip

BLF = 16
# "billion laughs": 10^9 "lol"s if a reader expanded the entities (it must refuse the DTD)
BOMB = (
    '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def blf_settings(config_dir: Path, port: int, **keys: LineKeySettings) -> Settings:
    acc = AccountSettings(user="alice", server=HOST, port=port, label="Alice")
    line_keys = {int(n[1:]): k for n, k in keys.items()}
    settings = Settings(accounts=[acc], line_keys=line_keys)
    save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))
    return settings


def notifier(tmp_path: Path, scenario: str, **keys: str) -> Sipp:
    path = scenario if scenario.startswith("/") else f"blf/{scenario}"
    return Sipp(
        path, free_port(), tmp_path / "sipp", service="1005", keys=keys, calls=2, timeout=60
    )


def key_state(client: EngineClient, key: str, since: int = 0) -> list[tuple[str, str, str]]:
    """Every (label, LED colour, LED mode) the key showed in screen events, in order."""
    out = []
    for e in client.events[since:]:
        if e.get("ev") != "screen":
            continue
        for k in e["screen"]["line_keys"]:
            if k["key"] == key:
                state = (k["label"], k["led_colour"], k["led_mode"])
                if not out or out[-1] != state:
                    out.append(state)
    return out


class KeyWatcher:
    """Waits for a key's states in order: each wait looks only after the last one found."""

    def __init__(self, client: EngineClient, key: str) -> None:
        self.client, self.key, self.seen = client, key, 0

    def next(self, want: tuple[str, str, str], timeout: float) -> None:
        def found() -> bool:
            states = key_state(self.client, self.key)
            if want in states[self.seen :]:
                self.seen += states[self.seen :].index(want) + 1
                return True
            return False

        ok = wait_until(found, timeout)
        assert ok, f"{self.key} never showed {want}: {key_state(self.client, self.key)}"


def status(client: EngineClient) -> dict[str, Any]:
    since = len(client.events)
    client.send("status")
    return client.wait_for(lambda e: e.get("ev") == "status", 5, since)


def test_lamp_follows_the_notifies_and_bad_bodies_change_nothing(
    tmp_path: Path, config_dir: Path
) -> None:
    sipp = notifier(
        tmp_path, "uas-blf-notifier.xml", expires="20", bomb_doctype=BOMB, huge="x" * 6000
    ).listen()
    blf_settings(config_dir, sipp.port, L2=LineKeySettings(BLF, 1, "1005", "Bob"))
    try:
        with running_engine(config_dir) as (engine, client):
            client.wait_account("Registered")
            lamp = KeyWatcher(client, "L2")
            lamp.next(("Bob", "green", "solid"), 10)
            lamp.next(("Carol", "red", "fast"), 5)  # the caller's name shows
            lamp.next(("Bob", "red", "solid"), 5)
            lamp.next(("Bob", "red", "slow"), 5)
            lamp.next(("Bob", "green", "solid"), 25)  # after the refresh (Expires 20)
            lamp.next(("Bob", "off", "off"), 5)  # subscription ended
            assert sipp.wait(15) == 0, sipp.messages()[-3000:]
            shown = key_state(client, "L2")
            st = status(client)
            log = engine.log_text()
    finally:
        sipp.stop()
    held = shown.index(("Bob", "red", "slow"))
    # neither the entity bomb nor the malformed body changed the lamp
    assert shown[held + 1] == ("Bob", "green", "solid"), shown
    assert st["blf"]["refused"] == 1  # the external entity (pjsip answered the others 488)
    assert "a DTD or an entity declaration is not accepted" in log
    assert "failed: ended (noresource)" in log
    subscribes = requests(sipp, "SUBSCRIBE")
    assert len(subscribes) == 2 and all("Event: dialog" in m for m in subscribes)
    assert "application/dialog-info+xml" in subscribes[0]
    sent = sip_messages(sipp, "sent")
    assert sum(m.startswith("NOTIFY ") for m in sent) >= 8


@pytest.mark.parametrize(
    ("code", "reason"), [("403", "Forbidden"), ("404", "Not Found"), ("489", "Bad Event")]
)
def test_a_refused_subscription_leaves_the_key_dark_and_the_phone_working(
    tmp_path: Path, config_dir: Path, code: str, reason: str
) -> None:
    template = (PEERS / "blf" / "uas-blf-refuse.xml").read_text()
    scenario = tmp_path / "refuse.xml"
    scenario.write_text(template.replace("@CODE@", code).replace("@REASON@", reason))
    sipp = notifier(tmp_path, str(scenario)).listen()
    blf_settings(config_dir, sipp.port, L2=LineKeySettings(BLF, 1, "1005", "Bob"))
    try:
        with running_engine(config_dir) as (engine, client):
            client.wait_account("Registered")
            ok = wait_until(lambda: f"failed: {code} " in engine.log_text(), 10)
            assert ok, engine.log_text()[-2000:]
            assert key_state(client, "L2")[-1] == ("Bob", "off", "off")
            client.send("key", key="L2")  # still a key that calls: the phone works on
            assert wait_until(lambda: any(e.get("ev") == "call" for e in client.events), 5)
            assert sipp.wait(15) == 0, sipp.messages()[-3000:]
    finally:
        sipp.stop()


def test_removing_the_key_ends_its_subscription(tmp_path: Path, config_dir: Path) -> None:
    sipp = notifier(tmp_path, "uas-blf-unsubscribe.xml", expires="600").listen()
    blf_settings(config_dir, sipp.port, L2=LineKeySettings(BLF, 1, "1005", "Bob"))
    try:
        with running_engine(config_dir) as (_engine, client):
            client.wait_account("Registered")
            KeyWatcher(client, "L2").next(("Bob", "green", "solid"), 10)
            blf_settings(config_dir, sipp.port)  # the key is gone
            client.send("reload_settings")
            assert sipp.wait(15) == 0, sipp.messages()[-3000:]  # got SUBSCRIBE Expires: 0
            assert status(client)["blf"]["subscriptions"] == 0
    finally:
        sipp.stop()


def test_a_notify_flood_does_not_stall_calls(tmp_path: Path, config_dir: Path) -> None:
    """Three subscriptions, each flooded with 2001 NOTIFYs as fast as the phone answers them,
    while the phone places a call."""
    flood = notifier(tmp_path, "uas-blf-flood.xml", expires="600")
    flood.calls = 4  # the REGISTER and three SUBSCRIBEs
    # no UDP retransmissions on loopback: on a loaded machine a NOTIFY answered after 500 ms
    # was sent again, and SIPp aborts its call on the second 200 (not the phone's doing)
    flood.extra = ["-nr"]
    callee = Sipp("uas-180-200-rtp.xml", free_port(), tmp_path / "callee", timeout=60)
    callee.listen()
    flood.listen()
    keys = {f"L{n}": LineKeySettings(BLF, 1, f"100{n}", f"K{n}") for n in (2, 3, 4)}
    blf_settings(config_dir, flood.port, **keys)
    try:
        with running_engine(config_dir) as (engine, client):
            client.wait_account("Registered")
            # dial early: on a quiet machine the whole flood takes about 2 s
            assert wait_until(lambda: status(client)["blf"]["accepted"] > 30, 20)
            started = time.monotonic()
            client.send("dial", target=f"sip:callee@{HOST}:{callee.port}")
            call_event(client, "Talking")
            setup = time.monotonic() - started
            during = status(client)["blf"]["accepted"]
            client.send("key", key="X")
            call_event(client, "Finished")
            # SIPp's verdict first: a flood that stopped short never sent the keys' last NOTIFY
            assert flood.wait(60) == 0, flood.messages()[-2000:]
            for n in (2, 3, 4):  # each key ends on its last NOTIFY
                KeyWatcher(client, f"L{n}").next((f"K{n}", "green", "solid"), 30)
            st = status(client)["blf"]
            alive = engine.proc is not None and engine.proc.poll() is None
    finally:
        flood.stop()
        callee.stop()
    total = 3 * 2001
    notifies = [m for m in sip_messages(flood, "sent") if m.startswith("NOTIFY ")]
    assert (len(notifies), st["accepted"], st["refused"]) == (total, total, 0), st
    assert alive and during < total, f"the call was not placed during the flood ({during})"
    span = _span_seconds(flood)
    print(f"\n{total} NOTIFYs in {span:.1f} s ({total / span:.0f}/s); call set up in {setup:.2f} s")


def _span_seconds(sipp: Sipp) -> float:
    """From the first to the last NOTIFY SIPp sent, by its message log's timestamps."""
    stamps = re.findall(
        r"^-+ (\d{4}-\d\d-\d\d [\d:.]+)\n\S+ message sent[^\n]*\n\nNOTIFY ",
        sipp.messages(),
        re.MULTILINE,
    )
    first, last = (datetime.strptime(s, "%Y-%m-%d %H:%M:%S.%f") for s in (stamps[0], stamps[-1]))
    return max((last - first).total_seconds(), 0.001)


def test_subscriptions_are_made_again_after_a_new_registration(
    tmp_path: Path, config_dir: Path
) -> None:
    """The registrar refuses a refresh (503): the keys go dark; the core's retry registers
    again, and the subscription is made anew (the old one ended with an un-SUBSCRIBE)."""
    sipp = notifier(tmp_path, "uas-blf-reregister.xml")
    sipp.calls = 4  # two registrations (pjsua starts over after the 503), two SUBSCRIBEs
    sipp.listen()
    blf_settings(config_dir, sipp.port, L2=LineKeySettings(BLF, 1, "1005", "Bob"))
    try:
        with running_engine(config_dir) as (engine, client):
            key = KeyWatcher(client, "L2")
            key.next(("Bob", "green", "solid"), 10)
            key.next(("Bob", "off", "off"), 15)  # the refresh was refused
            key.next(("2001", "red", "fast"), 20)  # registered again, subscribed again
            log = engine.log_text()
        assert sipp.wait(15) == 0, sipp.messages()[-3000:]  # both un-SUBSCRIBEs came
    finally:
        sipp.stop()
    assert "failed: account not registered" in log
    initial = [m for m in requests(sipp, "SUBSCRIBE") if "Expires: 0" not in m]
    assert len({_call_id(m) for m in initial}) == 2


def test_subscriptions_are_made_again_when_the_engine_restarts(
    tmp_path: Path, config_dir: Path
) -> None:
    sipp = notifier(tmp_path, "uas-blf-unsubscribe.xml", expires="600")
    sipp.calls = 4  # two engines: a REGISTER and a SUBSCRIBE each
    sipp.listen()
    blf_settings(config_dir, sipp.port, L2=LineKeySettings(BLF, 1, "1005", "Bob"))
    try:
        for _ in range(2):
            with running_engine(config_dir) as (_engine, client):
                KeyWatcher(client, "L2").next(("Bob", "green", "solid"), 10)
        assert sipp.wait(15) == 0, sipp.messages()[-3000:]  # each ended with an un-SUBSCRIBE
    finally:
        sipp.stop()
    assert len(requests(sipp, "SUBSCRIBE")) == 4  # two subscriptions, two un-SUBSCRIBEs


def _call_id(message: str) -> str:
    found = re.search(r"^Call-ID:\s*(\S+)", message, re.MULTILINE | re.IGNORECASE)
    return found.group(1) if found else ""
