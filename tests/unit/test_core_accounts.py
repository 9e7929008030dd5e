"""Accounts in the core: re-registration with a growing backoff, the failure's
reason on the idle screen, several accounts each with its own state."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

from app.phone.accounts import REG_RETRY_MAX, retry_delay
from app.phone.core import PhoneCore
from app.phone.messages import Publish, RegistrationChanged, RetryRegistration, Tick
from app.phone.model import AccountView, RegState
from app.phone.settings import AccountSettings, Settings
from tests.gui.fake_phone import FakePhone


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make_core(accounts: int = 2) -> tuple[PhoneCore, Clock]:
    settings = Settings(
        accounts=[
            AccountSettings(user=f"u{i}", server="pbx.example", label=f"L{i}")
            for i in range(1, accounts + 1)
        ]
    )
    clock = Clock()
    return PhoneCore(settings, clock), clock


def state_of(core: PhoneCore, account: int) -> RegState:
    return core.accounts[account].state


def retries(out: Sequence[object]) -> list[int]:
    return [o.account for o in out if isinstance(o, RetryRegistration)]


def wait_for_retry(core: PhoneCore, clock: Clock, account: int) -> float:
    """Advance the clock a second at a time until the core asks to register again."""
    start = clock.now
    for _ in range(400):
        clock.now += 1.0
        if account in retries(core.handle(Tick(clock.now))):
            return clock.now - start
    raise AssertionError("no retry within 400 s")


def test_backoff_grows_doubles_and_is_capped_with_jitter_below_the_step() -> None:
    rng = random.Random(7)
    for failures, base in ((1, 5), (2, 10), (3, 20), (4, 40), (5, 80), (6, 160), (7, 300)):
        delays = [retry_delay(failures, rng) for _ in range(200)]
        assert all(0.8 * base <= d <= base for d in delays), (failures, min(delays))
        assert max(delays) - min(delays) > 0.05 * base  # jitter really spreads them
    assert retry_delay(60, rng) <= REG_RETRY_MAX


def test_failed_register_is_retried_later_and_later_then_reset_on_success() -> None:
    core, clock = make_core()
    waits = []
    for _ in range(5):
        out = core.handle(RegistrationChanged(2, 403, "Forbidden", 0, False))
        assert core.accounts[2].state == RegState.FAILED
        assert core.accounts[2].reason == "Forbidden"
        assert out and isinstance(out[-1], Publish)
        waits.append(wait_for_retry(core, clock, 2))
        assert state_of(core, 2) == RegState.REGISTERING
    # whole-second ticks: each wait is its delay rounded up
    assert all(0.8 * b <= w <= b + 1 for w, b in zip(waits, (5, 10, 20, 40, 80), strict=True)), (
        waits
    )
    assert all(later > earlier for earlier, later in itertools.pairwise(waits))
    assert core.registration_failures(2) == 5
    assert core.accounts[1].state == RegState.REGISTERING  # the other account is untouched
    core.handle(RegistrationChanged(2, 200, "OK", 3600, True))
    assert core.registration_failures(2) == 0
    assert core.next_deadline() is None  # no retry pending once registered
    core.handle(RegistrationChanged(2, 408, "Request Timeout", 0, False))
    assert wait_for_retry(core, clock, 2) <= 5  # back to the first step


def test_no_retry_while_the_account_is_fine_or_after_it_is_reconfigured() -> None:
    core, clock = make_core(1)
    core.handle(RegistrationChanged(1, 200, "OK", 3600, True))
    clock.now += 1000
    assert retries(core.handle(Tick(clock.now))) == []
    core.handle(RegistrationChanged(1, 503, "Service Unavailable", 0, False))
    core.reconfigure_accounts(core.settings)  # new pjsua2 accounts register by themselves
    clock.now += 1000
    assert retries(core.handle(Tick(clock.now))) == []


def test_registration_failure_reason_on_the_idle_screen() -> None:
    p = FakePhone([AccountView(1, "Office", "sip:office@127.0.0.1", RegState.REGISTERED)])
    p.feed(RegistrationChanged(1, 403, "Forbidden", 0, False))
    p.sync()
    s = p.handset.screen()
    assert s.name == "idle" and s.status.registration == "Register failed!"
    assert s.note == "Register failed! 403 Forbidden"
    p.feed(RegistrationChanged(1, 200, "OK", 3600, True))
    p.sync()
    assert p.handset.screen().note == ""


def test_second_account_failure_is_named_and_the_first_account_heads_the_status_bar() -> None:
    accounts = [
        AccountView(1, "Office", "sip:office@127.0.0.1", RegState.REGISTERED),
        AccountView(2, "Home", "sip:home@127.0.0.1", RegState.REGISTERED),
    ]
    p = FakePhone(accounts)
    p.feed(RegistrationChanged(2, 408, "Request Timeout", 0, False))
    p.sync()
    s = p.handset.screen()
    assert s.status.account == "Office" and s.status.registration == "Registered"
    assert s.note == "Home: Register failed! 408 Request Timeout"
    assert s.line_keys[0].icon != "failed" and s.line_keys[1].icon == "failed"
