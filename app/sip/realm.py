"""The account's realm, learnt from the registrar's first challenge.

pjsip answers any challenge with a credential whose realm is "*" (docs/pjsua2.md §3): an
account configured without a realm is given one as soon as its own registrar names it, and from
then on its credentials go to that realm and that account's servers only.
"""

from __future__ import annotations

import logging

from app.phone.redirect import challenge_realms
from app.phone.settings import AccountSettings
from app.sip.account import SipAccount, account_config
from app.sip.cred_guard import HopPolicy, account_servers
from app.sip.liveness import with_liveness

log = logging.getLogger("deskphone.sip")


def learn_realm(
    index: int,
    account: SipAccount,
    acc: AccountSettings | None,
    challenge: str,
    policy: HopPolicy,
    bind: str,
) -> bool:
    """True when the account now registers again with credentials for the realm `challenge`
    (the registrar's 401/407, whole) names; False when there is nothing to learn."""
    if acc is None or not acc.password or account.realm or account.realm_asked:
        return False
    account.realm_asked = True
    try:
        realms = challenge_realms(challenge)
    except Exception:  # a malformed challenge teaches nothing
        realms = []
    if not realms or realms[0] == "*":
        return False
    account.realm = realms[0]
    policy.set_account(index, account.realm, account_servers(acc))
    log.info("account %d: realm %r learnt from the registrar", index, account.realm)
    account.modify(with_liveness(account_config(index, acc, bind, account.realm)))
    return True
