"""Accounts inside the phone core: their registration state and re-registration with backoff.

`PhoneCore` mixes this in. pjsua2's own auto-retry is off (app/sip/account.py): after a failed
REGISTER the core waits 5, 10, 20, 40 ... seconds (at most 300, less up to a fifth at random
so that many phones behind one registrar do not retry in step) and then asks the adapter to
register again with `RetryRegistration`. A success resets the count.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, replace

from app.phone.messages import Output, Publish, RegistrationChanged, RetryRegistration
from app.phone.model import AccountView, RegState
from app.phone.settings import Settings

LOCAL_ACCOUNT = 0  # the embedded account that needs no server (direct IP calls)
REG_RETRY_FIRST = 5.0
REG_RETRY_MAX = 300.0
REG_RETRY_JITTER = 0.2  # the wait is shortened by up to this fraction


def retry_delay(failures: int, rng: random.Random) -> float:
    """Seconds to wait after the `failures`-th failure in a row (1-based)."""
    base = min(REG_RETRY_MAX, REG_RETRY_FIRST * float(2 ** max(0, min(failures - 1, 16))))
    return base * (1.0 - REG_RETRY_JITTER * rng.random())


def reg_state_of(msg: RegistrationChanged) -> RegState:
    if msg.code // 100 == 2 and msg.expires > 0:
        return RegState.REGISTERED
    if msg.code // 100 == 2:
        return RegState.UNREGISTERED
    if msg.code == 0 or msg.code in (100, 180):
        return RegState.REGISTERING
    return RegState.FAILED


class AccountRegistry:
    """Mixin for PhoneCore: the account views and their re-registration timers."""

    settings: Settings
    accounts: dict[int, AccountView]
    _timers: dict[str, float]
    _clock: Callable[[], float]

    def _init_accounts(self, rng: random.Random | None = None) -> None:
        self._reg_failures: dict[int, int] = {}
        self._reg_rng = rng or random.Random()
        self._configure_accounts()

    def _configure_accounts(self) -> None:
        self.accounts = {}
        self._reg_failures = {}
        for key in [k for k in self._timers if k.startswith("reg:")]:
            del self._timers[key]
        for index, acc in enumerate(self.settings.accounts, start=1):
            if acc.enabled and acc.server and acc.user:
                label = acc.label or acc.user
                self.accounts[index] = AccountView(index, label, acc.aor, RegState.REGISTERING)
        if not self.accounts:
            self.accounts[LOCAL_ACCOUNT] = AccountView(
                LOCAL_ACCOUNT, "DeskPhone", "", RegState.NO_SERVICE
            )

    def _on_registration(self, msg: RegistrationChanged) -> list[Output]:
        view = self.accounts.get(msg.account)
        if view is None:
            return []
        state = reg_state_of(msg)
        key = f"reg:{msg.account}"
        if state == RegState.FAILED:
            failures = self._reg_failures.get(msg.account, 0) + 1
            self._reg_failures[msg.account] = failures
            self._timers[key] = self._clock() + retry_delay(failures, self._reg_rng)
        elif state in (RegState.REGISTERED, RegState.UNREGISTERED):
            self._reg_failures.pop(msg.account, None)
            self._timers.pop(key, None)
        new = replace(view, state=state, code=msg.code, reason=msg.reason, expires=msg.expires)
        self.accounts[msg.account] = new
        return [Publish("account", asdict(new))]

    def registration_failures(self, account: int) -> int:
        """Failed REGISTERs in a row (0 once one succeeds)."""
        return self._reg_failures.get(account, 0)

    def _reg_timer(self, arg: str) -> list[Output]:
        """A re-registration wait ran out: register again, showing "Registering" meanwhile.
        The reason of the last failure stays on the view until the answer comes."""
        index = int(arg) if arg.lstrip("-").isdigit() else -1
        view = self.accounts.get(index)
        if view is None or view.state != RegState.FAILED:
            return []
        new = replace(view, state=RegState.REGISTERING)
        self.accounts[index] = new
        return [RetryRegistration(index), Publish("account", asdict(new))]
