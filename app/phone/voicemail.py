"""Voice mail waiting, per account, inside the phone core (RFC 3842 message summaries).

`PhoneCore` mixes this in. The SIP adapter feeds a `MessageWaiting` with each message-summary
NOTIFY whose body parsed (app/sip/mwi.py); an unsolicited one counts only when it came from the
account's own registrar or outbound proxy (`from_its_server`). The core keeps the last
count of each account and publishes `voice_mail` when it changes. New voice mail has *arrived*
when an account's new count goes up (or voice mail starts to wait with no count): the handset's
pop-up and the desktop notification (`notify`: arrived, shown for the account and pop-ups on)
key on that, so a count going down never pops anything up. Counts are forgotten when the
accounts are re-created: the new accounts' subscriptions bring them back, and an account that no
longer subscribes shows none.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from app.phone.incoming_policy import THIS_HOST, Source, literal_source, split_hostport
from app.phone.messages import MessageWaiting, Output, Publish
from app.phone.model import AccountView
from app.phone.settings import Settings


@dataclass(frozen=True)
class Mailbox:
    """What one account's voice mail server last said."""

    account: int
    new: int | None  # new voice messages; None: voice mail waits, the server gave no count
    old: int = 0
    urgent_new: int = 0
    urgent_old: int = 0
    arrived: int = 0  # bumped each time new voice mail arrived on this account

    @property
    def waiting(self) -> bool:
        return self.new is None or self.new > 0


def mailbox_dict(box: Mailbox) -> dict[str, Any]:
    return {**asdict(box), "waiting": box.waiting}


class VoiceMail:
    """Mixin for PhoneCore: the mailboxes of the accounts."""

    settings: Settings
    accounts: dict[int, AccountView]
    _servers: dict[int, Source]  # where each account's REGISTER was answered (screening.py)

    def _init_voice_mail(self) -> None:
        self.mailboxes: dict[int, Mailbox] = {}
        self.voice_mail_arrived = 0  # bumped on every arrival, on any account

    def _forget_voice_mail(self) -> None:
        self.mailboxes = {}

    def from_its_server(self, account: int, source: str) -> bool:
        """Whether `source` is the account's registrar or outbound proxy: where its REGISTER
        was answered from, or the configured address (this computer counts as every server,
        as for the incoming policy, app/phone/incoming_policy.py)."""
        found = split_hostport(source)
        if found is None:
            return False
        host = found[0].strip("[]")
        if host in THIS_HOST:
            return True
        known = [self._servers.get(account)]
        if 0 < account <= len(self.settings.accounts):
            acc = self.settings.accounts[account - 1]
            known.append(literal_source(acc.server, acc.port, acc.transport))
            proxy = split_hostport(acc.outbound_proxy) if acc.outbound_proxy else None
            known.append(literal_source(*proxy, acc.transport) if proxy else None)
        return any(k is not None and k[0] == host for k in known)

    def _on_message_waiting(self, msg: MessageWaiting) -> list[Output]:
        if msg.account not in self.accounts:
            return []
        if not msg.solicited and not self.from_its_server(msg.account, msg.source):
            return []  # unsolicited, from another host: nothing changes
        summary, old = msg.summary, self.mailboxes.get(msg.account)
        voice = summary.voice
        new = summary.new_voice
        arrived = _more(new, old.new if old is not None else 0)
        if arrived:
            self.voice_mail_arrived += 1
        box = Mailbox(
            msg.account,
            new,
            voice.old if voice is not None else 0,
            voice.urgent_new if voice is not None else 0,
            voice.urgent_old if voice is not None else 0,
            (old.arrived if old is not None else 0) + int(arrived),
        )
        if box == old:
            return []
        self.mailboxes[msg.account] = box
        data = self._mailbox_data(box)
        notify = arrived and data["shown"] and self.settings.features.voice_mail_popup
        return [Publish("voice_mail", {**data, "new_arrived": arrived, "notify": notify})]

    def _mailbox_data(self, box: Mailbox) -> dict[str, Any]:
        """A mailbox for the UI: its counts, its account's label and whether its count is shown
        (account.X.display_mwi.enable)."""
        accounts = self.settings.accounts
        acc = accounts[box.account - 1] if 0 < box.account <= len(accounts) else None
        view = self.accounts.get(box.account)
        label = view.label if view is not None else str(box.account)
        return {**mailbox_dict(box), "label": label, "shown": acc is None or acc.display_mwi}

    def voice_mail_snapshot(self) -> list[dict[str, Any]]:
        return [self._mailbox_data(b) for _, b in sorted(self.mailboxes.items())]


def _more(now: int | None, before: int | None) -> bool:
    """New voice mail arrived: more new messages than before, or waiting with no count after
    nothing was waiting. After "waiting, no count" no count tells whether more came."""
    if before is None:
        return False
    return before == 0 if now is None else now > before
