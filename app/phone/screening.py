"""The core's side of the incoming policy: the snapshot it publishes, and the servers it trusts.

`PhoneCore` mixes this in. `incoming_policy()` is what the SIP adapter applies to each new
request inside pjsip's receive path (app/sip/flood_guard.py): a frozen snapshot, rebuilt only
when something it depends on changed (settings, registrations, whether a call is up), so the
adapter asks for it per request at the cost of building a small tuple.
"""

from __future__ import annotations

import copy
from typing import Any

from app.phone.incoming_policy import (
    IncomingPolicy,
    Source,
    literal_source,
    split_hostport,
)
from app.phone.messages import RegistrationChanged
from app.phone.model import AccountView, CallState, CallView, RegState
from app.phone.settings import Settings

_ENDED = (CallState.FINISHED, CallState.FAILED)


class IncomingScreening:
    """Mixin for PhoneCore."""

    settings: Settings
    accounts: dict[int, AccountView]
    calls: dict[str, CallView]
    local_domain: str

    def _init_screening(self) -> None:
        self._servers: dict[int, Source] = {}  # account -> where its REGISTER was answered
        self._settings_version = 0
        self._policy: tuple[Any, IncomingPolicy] | None = None

    def _settings_changed(self) -> None:
        self._settings_version += 1

    def _note_server(self, msg: RegistrationChanged) -> None:
        """A registration's answer names the server that speaks for the account."""
        if msg.active and msg.code // 100 == 2 and msg.server:
            source = split_hostport(msg.server)
            if source is not None:
                self._servers[msg.account] = source
        elif not msg.active:
            self._servers.pop(msg.account, None)

    def incoming_policy(self) -> IncomingPolicy:
        registered = tuple(i for i, a in self.accounts.items() if a.state == RegState.REGISTERED)
        in_call = any(c.state not in _ENDED for c in self.calls.values())
        key = (
            self._settings_version,
            registered,
            tuple(self.accounts),
            in_call,
            tuple(sorted(self._servers.items())),
            self.local_domain,
        )
        if self._policy is not None and self._policy[0] == key:
            return self._policy[1]
        servers = set(self._servers.values())
        for acc in self.settings.accounts:
            if acc.enabled and acc.server:
                servers.add(literal_source(acc.server, acc.port, acc.transport) or ("", 0))
            if acc.enabled and acc.outbound_proxy:
                host = split_hostport(acc.outbound_proxy)
                if host is not None:
                    servers.add(literal_source(*host, acc.transport) or ("", 0))
        servers.discard(("", 0))
        others = tuple(i for i in self.accounts if i not in registered)
        policy = IncomingPolicy(
            settings=copy.deepcopy(self.settings),
            accounts=registered + others,
            in_call=in_call,
            local_domain=self.local_domain,
            servers=frozenset(servers),
            trust_only=self.settings.trust_ctrl and bool(registered),
        )
        self._policy = (key, policy)
        return policy
