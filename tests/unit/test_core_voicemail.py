"""Voice mail in the core: counts per account, what counts as new voice mail arriving."""

from __future__ import annotations

from app.phone.core import PhoneCore
from app.phone.messages import MessageWaiting, Publish, RegistrationChanged
from app.phone.mwi import MessageSummary, parse_summary
from app.phone.settings import AccountSettings, Settings


def make_core(accounts: int = 2) -> PhoneCore:
    settings = Settings(
        accounts=[
            AccountSettings(user=f"u{i}", server="pbx.example", label=f"L{i}")
            for i in range(1, accounts + 1)
        ]
    )
    return PhoneCore(settings, lambda: 100.0)


def summary(body: str) -> MessageSummary:
    found = parse_summary(body)
    assert isinstance(found, MessageSummary)
    return found


def counts(new: int, old: int) -> MessageSummary:
    waiting = "yes" if new else "no"
    return summary(f"Messages-Waiting: {waiting}\r\nVoice-Message: {new}/{old} (0/0)\r\n")


def events(out: list[object]) -> list[dict[str, object]]:
    return [o.data for o in out if isinstance(o, Publish) and o.kind == "voice_mail"]


def test_counts_up_down_and_to_zero_with_arrivals_only_going_up() -> None:
    core = make_core()
    seen = []
    for new, old in ((2, 8), (3, 8), (1, 10), (0, 11)):
        seen += events(core.handle(MessageWaiting(1, counts(new, old))))
    assert [(e["new"], e["old"], e["waiting"], e["new_arrived"]) for e in seen] == [
        (2, 8, True, True),
        (3, 8, True, True),
        (1, 10, True, False),
        (0, 11, False, False),
    ]
    assert core.mailboxes[1].arrived == 2 and core.voice_mail_arrived == 2
    assert core.snapshot()["voice_mail"] == [
        {"account": 1, "new": 0, "old": 11, "urgent_new": 0, "urgent_old": 0, "arrived": 2,
         "waiting": False, "label": "L1", "shown": True}
    ]  # fmt: skip
    assert [e["notify"] for e in seen] == [True, True, False, False]


def test_the_same_summary_again_publishes_nothing() -> None:
    core = make_core()
    assert events(core.handle(MessageWaiting(1, counts(2, 0))))
    assert events(core.handle(MessageWaiting(1, counts(2, 0)))) == []
    assert core.voice_mail_arrived == 1


def test_accounts_are_kept_apart() -> None:
    core = make_core()
    core.handle(MessageWaiting(1, counts(2, 0)))
    core.handle(MessageWaiting(2, counts(5, 1)))
    core.handle(MessageWaiting(1, counts(0, 2)))
    assert (core.mailboxes[1].new, core.mailboxes[2].new) == (0, 5)
    assert core.voice_mail_arrived == 2


def test_waiting_without_a_count_arrives_once() -> None:
    core = make_core()
    first = events(core.handle(MessageWaiting(1, summary("Messages-Waiting: yes\r\n"))))
    again = events(core.handle(MessageWaiting(1, summary("Messages-Waiting: yes\r\n"))))
    assert first[0]["new"] is None and first[0]["waiting"] and first[0]["new_arrived"]
    assert again == []
    # a count after an unknown one is not new voice mail by itself
    later = events(core.handle(MessageWaiting(1, counts(1, 0))))
    assert later[0]["new_arrived"] is False


def test_unknown_account_is_ignored_and_reconfiguring_forgets_counts() -> None:
    core = make_core(1)
    assert core.handle(MessageWaiting(7, counts(2, 0))) == []
    core.handle(MessageWaiting(1, counts(2, 0)))
    core.reconfigure_accounts(core.settings)
    assert core.mailboxes == {} and core.snapshot()["voice_mail"] == []


def test_display_off_or_pop_ups_off_never_notify() -> None:
    core = make_core()
    core.settings.accounts[1].display_mwi = False
    hidden = events(core.handle(MessageWaiting(2, counts(1, 0))))
    assert hidden[0]["shown"] is False and hidden[0]["notify"] is False
    core.settings.features.voice_mail_popup = False
    quiet = events(core.handle(MessageWaiting(1, counts(1, 0))))
    assert quiet[0]["new_arrived"] and not quiet[0]["notify"]


def test_unsolicited_counts_only_from_the_accounts_own_server() -> None:
    core = make_core()  # accounts on pbx.example: a name, trusted once it answers a REGISTER
    core.settings.accounts[1].server = "192.0.2.20"  # account 2 on an IP address
    unsolicited = {"solicited": False}
    assert core.handle(MessageWaiting(1, counts(2, 0), "192.0.2.9:5060", **unsolicited)) == []
    core.handle(RegistrationChanged(1, 200, "OK", 3600, True, server="192.0.2.9:5060"))
    assert events(core.handle(MessageWaiting(1, counts(2, 0), "192.0.2.9:5060", **unsolicited)))
    # account 2's server cannot set account 1's count, nor a stranger account 2's
    assert core.handle(MessageWaiting(1, counts(7, 0), "192.0.2.20:5060", **unsolicited)) == []
    assert core.handle(MessageWaiting(2, counts(7, 0), "203.0.113.5:5060", **unsolicited)) == []
    assert events(core.handle(MessageWaiting(2, counts(1, 0), "192.0.2.20:5070", **unsolicited)))
    # this computer speaks for every server (as for the incoming policy); in-dialog NOTIFYs
    # are the subscription's own
    assert events(core.handle(MessageWaiting(1, counts(3, 0), "127.0.0.1:40000", **unsolicited)))
    assert events(core.handle(MessageWaiting(1, counts(4, 0), "203.0.113.5:5060")))
    assert (core.mailboxes[1].new, core.mailboxes[2].new) == (4, 1)
