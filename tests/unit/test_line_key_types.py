"""What each line key type draws, lights and does (app/phone/handset/linekeys/), on the real
phone core (tests/gui/fake_phone): BLF lamps from NOTIFY bodies and presses (call, pickup by
code or Replaces, transfer per transfer.dsskey_deal_type), Speed Dial, Intercom, pickup, park,
DND and Forward keys, the page key's LED."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.engine.line_keys import key_features, voice_mail_numbers
from app.phone.blf import BlfBoard, Watch, WatchKey
from app.phone.handset import LineKey
from app.phone.handset.linekeys import config as C
from app.phone.handset.linekeys.config import KeyFeatures, line_key_list
from app.phone.intents import (
    DirectedPickup,
    NewCall,
    OpenSettings,
    SetDnd,
    SetForward,
    SetVoiceMail,
    Transfer,
)
from app.phone.intents import Intercom as IntercomCall
from app.phone.messages import Dial, PlaceCall
from app.phone.model import AccountView, CallState, RegState
from tests.gui.fake_phone import FakePhone, settings_for
from tests.unit.test_blf_state import body, dialog


@dataclass
class Keys:
    """The engine's line key source (app/engine/line_keys.py) without SIP."""

    keys: tuple[LineKey, ...]
    features: KeyFeatures = field(default_factory=KeyFeatures)
    board: BlfBoard = field(default_factory=BlfBoard)

    def key_list(self, accounts: Any) -> tuple[LineKey, ...] | None:
        return line_key_list(dict(enumerate(self.keys, start=1)), accounts)

    def watches(self) -> dict[WatchKey, Watch]:
        return self.board.views()


def phone(*keys: LineKey, **features: str) -> tuple[FakePhone, Keys]:
    p = FakePhone()
    source = Keys(keys, KeyFeatures(**features))
    source.board.watch({(k.line or 1, k.value) for k in keys if k.value})
    p.display.keys = source
    p.sync()
    return p, source


def lamp(p: FakePhone, key: str) -> tuple[str, str, str, str]:
    view = next(k for k in p.handset.screen().line_keys if k.key == key)
    return view.label, view.icon, view.led_colour, view.led_mode


def notify(p: FakePhone, keys: Keys, number: str, data: bytes) -> None:
    keys.board.notify((1, number), data)
    p.sync()


def placed(p: FakePhone) -> PlaceCall:
    return next(c for c in reversed(p.commands) if isinstance(c, PlaceCall))


def in_a_call(p: FakePhone) -> str:
    p.ring_in("sip:2001@127.0.0.1", "Carol")
    p.press("OK")
    return next(c.id for c in p.core.calls.values() if c.state == CallState.TALKING)


BOB = LineKey(C.BLF, 1, "1005", "Bob")


def test_blf_lamps_and_the_caller_on_the_key() -> None:
    p, keys = phone(BOB)
    assert lamp(p, "L1") == ("Bob", "blf_unknown", "off", "off")  # subscribing
    notify(p, keys, "1005", body(0))
    assert lamp(p, "L1") == ("Bob", "blf_idle", "green", "solid")
    notify(p, keys, "1005", body(1, dialog("d", "early")))
    assert lamp(p, "L1") == ("Carol", "blf_ringing", "red", "fast")
    notify(p, keys, "1005", body(2, dialog("d", "confirmed")))
    assert lamp(p, "L1") == ("Bob", "blf_busy", "red", "solid")
    notify(p, keys, "1005", body(3, dialog("d", "confirmed", rendering="no")))
    assert lamp(p, "L1") == ("Bob", "blf_held", "red", "slow")
    keys.board.failed((1, "1005"), "403 Forbidden")
    p.sync()
    assert lamp(p, "L1") == ("Bob", "blf_failed", "off", "off")


def test_blf_press_calls_when_idle_and_picks_up_with_replaces_when_ringing() -> None:
    p, keys = phone(BOB)
    notify(p, keys, "1005", body(0))
    assert p.press("L1") == [Dial("1005", 1)]
    p.press("X")
    notify(p, keys, "1005", body(1, dialog("d", "early")))
    replaces = "c1@pbx;to-tag=caller;from-tag=callee;early-only"
    assert p.press("L1") == [DirectedPickup("sip:2001@127.0.0.27:5062", replaces, 1)]
    call = placed(p)
    assert call.uri == "sip:2001@127.0.0.27:5062"
    assert call.headers == (("Replaces", replaces), ("Require", "replaces"))


def test_blf_pickup_by_code_the_keys_own_first() -> None:
    p, keys = phone(LineKey(C.BLF, 1, "1005", extension="*8"), directed_pickup_code="**")
    notify(p, keys, "1005", body(1, dialog("d", "early")))
    assert p.press("L1") == [Dial("*81005", 1)]
    p2, keys2 = phone(BOB, directed_pickup_code="**")
    notify(p2, keys2, "1005", body(1, dialog("d", "early", ids=False)))
    assert p2.press("L1") == [Dial("**1005", 1)]
    p3, keys3 = phone(BOB)
    notify(p3, keys3, "1005", body(1, dialog("d", "early", ids=False)))
    assert p3.press("L1") == [Dial("1005", 1)]  # neither a code nor the ids: a call


def test_in_a_call_a_blf_or_speed_dial_key_transfers_as_the_setting_says() -> None:
    speed = LineKey(C.SPEED_DIAL, 1, "5551234", "Taxi")
    p, keys = phone(BOB, speed)
    notify(p, keys, "1005", body(0))
    call = in_a_call(p)
    assert p.press("L1") == [Transfer(call, "1005", attended=False)]  # blind: the default
    p, keys = phone(BOB, speed, transfer_mode=C.ATTENDED)
    call = in_a_call(p)
    assert p.press("L2") == [NewCall(), Dial("5551234", 1)]
    assert p.core.calls[call].state == CallState.HOLD
    consult = placed(p).call
    p.far_answers(consult)
    p.press("TRAN")  # completes the attended transfer with the consultation call
    assert p.intents[-1] == Transfer(call, consult, attended=True)
    p, keys = phone(speed, transfer_mode=C.NEW_CALL)
    call = in_a_call(p)
    assert p.press("L1") == [NewCall(), Dial("5551234", 1)]
    assert p.handset.screen().name != "dialing"


def test_speed_dial_and_intercom_keys() -> None:
    p, _ = phone(LineKey(C.SPEED_DIAL, 0, "5551234"), LineKey(C.INTERCOM, 1, "1005", "Ops"))
    assert [lamp(p, k)[:3] for k in ("L1", "L2")] == [
        ("5551234", "speed_dial", "off"), ("Ops", "intercom", "off"),
    ]  # fmt: skip
    assert p.press("L1") == [Dial("5551234", None)]
    p.press("X")
    assert p.press("L2") == [IntercomCall("1005", 1)]
    assert placed(p).headers == (("Call-Info", "<sip:notused>;answer-after=0"),)
    p.settings.features.intercom.header = "Alert-Info: Intercom"
    p.settings_changed()
    p.press("X")
    p.press("L2")
    assert placed(p).headers == (("Alert-Info", "Intercom"),)


def test_pickup_keys_dial_their_codes() -> None:
    p, _ = phone(
        LineKey(C.DIRECTED_PICKUP, 1, "1005"), LineKey(C.GROUP_PICKUP, 1),
        LineKey(C.GROUP_PICKUP, 1, "*99"), directed_pickup_code="*97", group_pickup_code="*98",
    )  # fmt: skip
    assert p.press("L1") == [Dial("*971005", 1)]
    p.press("X")
    assert p.press("L2") == [Dial("*98", 1)]
    p.press("X")
    assert p.press("L3") == [Dial("*99", 1)]


def test_park_keys_transfer_to_the_orbit_and_show_a_parked_call() -> None:
    park = LineKey(C.CALL_PARK, 1, "701", "Park 1")
    p, keys = phone(park, LineKey(C.RETRIEVE_PARK, 1, "702"), retrieve_code="*88")
    assert lamp(p, "L1") == ("Park 1", "park", "off", "off")
    notify(p, keys, "701", body(1, dialog("p", "confirmed")))
    assert lamp(p, "L1") == ("Park 1", "parked", "red", "slow")
    assert p.press("L1") == [Dial("*88701", 1)]  # idle: take the parked call back
    p.press("X")
    assert p.press("L2") == [Dial("*88702", 1)]
    p2, _ = phone(park)
    call = in_a_call(p2)
    assert p2.press("L1") == [Transfer(call, "701", attended=False)]


def test_dnd_and_forward_keys_switch_their_feature_and_light_while_on() -> None:
    p, _ = phone(LineKey(C.DND, 1), LineKey(C.FORWARD, 1, "5000"))
    assert lamp(p, "L1") == ("DND", "dnd", "off", "off")
    assert p.press("L1") == [SetDnd(True)]
    assert lamp(p, "L1")[2:] == ("green", "solid")
    assert p.press("L1") == [SetDnd(False)]
    assert p.press("L2") == [SetForward("always", True, "5000")]
    assert lamp(p, "L2")[2:] == ("green", "solid")
    assert p.press("L2") == [SetForward("always", False, "5000")]
    ringing = p.ring_in("sip:2001@127.0.0.1")
    out = p.press("L2")
    assert [type(i).__name__ for i in out] == ["ForwardCall"] and out[0].call == ringing.id


def test_voice_mail_keys_call_their_value_or_the_accounts_voice_mail_number() -> None:
    keys = (
        LineKey(C.VOICE_MAIL, 1), LineKey(C.VOICE_MAIL, 2, "*98", "VM 2"),
        LineKey(C.VOICE_MAIL, 3), LineKey(C.VOICE_MAIL),
    )  # fmt: skip
    p, source = phone(*keys)
    source.features = KeyFeatures(voice_mail={1: "*97", 2: "*96"})
    p.sync()
    assert [lamp(p, k) for k in ("L1", "L2")] == [
        ("Voice Mail", "voice_mail_key", "off", "off"), ("VM 2", "voice_mail_key", "off", "off"),
    ]  # fmt: skip
    assert p.press("L1") == [Dial("*97", 1)]  # the account's number
    p.press("X")
    assert p.press("L2") == [Dial("*98", 2)]  # the key's own value wins
    p.press("X")
    assert p.press("L3") == []  # account 3 has no number: nothing to call
    assert p.press("L4") == [Dial("*97", 1)]  # no line: the first account
    p.press("X")
    in_a_call(p)
    assert p.press("L1") == [NewCall(), Dial("*97", 1)]  # the call is held first


def test_the_engine_hands_each_accounts_voice_mail_number_to_the_keys() -> None:
    settings = settings_for(
        [AccountView(i, f"A{i}", f"sip:{i}@h", RegState.REGISTERED) for i in (1, 2, 3)]
    )
    assert voice_mail_numbers(settings) == {}  # no account has one
    for account, number in zip(settings.accounts, ("*97", " ", " 5000 "), strict=True):
        account.voice_mail = number  # voice_mail.number.X
    assert voice_mail_numbers(settings) == {1: "*97", 3: "5000"}
    assert key_features(settings).voice_mail == {1: "*97", 3: "5000"}


def test_the_page_key_shows_a_ringing_blf_or_a_parked_call_on_another_page() -> None:
    keys = [LineKey(C.SPEED_DIAL, 1, str(n)) for n in range(9)]
    p, source = phone(*keys, BOB, LineKey(C.CALL_PARK, 1, "701"))
    assert p.handset.screen().line_pages == 2
    notify(p, source, "701", body(1, dialog("p", "confirmed")))
    assert p.handset.screen().led("L10") == ("red", "solid")  # a parked call elsewhere
    notify(p, source, "1005", body(1, dialog("d", "early")))
    assert p.handset.screen().led("L10") == ("red", "fast")  # a ringing BLF elsewhere
    p.press("L10")
    assert lamp(p, "L1")[2:] == ("red", "fast")


def test_the_configured_list_keeps_the_defaults_of_keys_not_configured() -> None:
    accounts = [AccountView(i, f"A{i}", f"sip:{i}@h", "Registered") for i in (1, 2)]  # type: ignore[arg-type]
    assert line_key_list({}, accounts) is None
    keys = line_key_list({2: BOB, 5: LineKey(C.NA)}, accounts)
    assert keys == (LineKey(C.LINE, 1), BOB)  # trailing empty keys go
    assert line_key_list({4: BOB}, accounts) == (
        LineKey(C.LINE, 1), LineKey(C.LINE, 2), LineKey(), BOB,
    )  # fmt: skip


def test_menu_features_dss_keys_opens_the_line_keys_settings() -> None:
    p, _ = phone(BOB)
    p.press("F4", "2")  # Menu -> Features
    assert p.handset.screen().items[-1] == "DSS Keys"
    assert p.press("5") == [OpenSettings("line_keys")]  # the dialog's Line Keys tab


def test_a_voice_mail_key_without_a_number_asks_for_it_like_connect() -> None:
    p, _source = phone(LineKey(C.VOICE_MAIL, 1))
    assert p.press("L1") == []  # account 1 has no Voice Mail number yet
    s = p.handset.screen()
    assert (s.name, s.title, s.values) == ("form", "Set Voice Mail", [""])
    p.press("*", "9", "7")
    assert p.press("F4") == [SetVoiceMail(1, "*97"), Dial("*97", 1)]  # Save: kept and dialled
    assert p.settings.accounts[0].voice_mail == "*97"
