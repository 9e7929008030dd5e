"""Voice mail in the core: counts per account, what counts as new voice mail arriving."""

from __future__ import annotations

from app.phone.core import PhoneCore
from app.phone.messages import MessageWaiting, Publish
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
