"""The phone's settings as plain data (no I/O): what the core, the engine and the dialog share.

Each setting is declared once, on its field (declare.py says how and why): type, default,
range or choices, Yealink .cfg key, label and help. `app/store/` loads, saves, validates,
imports and exports them from those declarations. Defaults are the real handset's defaults
(docs/yealink.md §7, §8) unless the help says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.phone.settings.accounts import DTMF_MODES, MAX_ACCOUNTS, TRANSPORTS, AccountSettings
from app.phone.settings.audio import RINGTONES, TONE_COUNTRIES, TONE_NAMES, AudioSettings
from app.phone.settings.declare import (
    PATH_MAX,
    Choice,
    Declared,
    Setting,
    Table,
    declared,
    find,
    group,
    setting,
)
from app.phone.settings.declare import table as table_of
from app.phone.settings.dialplan import (
    SYNTAX_HELP,
    AreaCode,
    BlockOutRule,
    DialNowRule,
    DialPlanSettings,
    ReplaceRule,
)
from app.phone.settings.features import (
    REFUSE_CODES,
    DndSettings,
    FeatureSettings,
    IntercomSettings,
    RedirectSettings,
)
from app.phone.settings.forward import ForwardRule, ForwardSet, ForwardSettings
from app.phone.settings.linekeys import MAX_LINE_KEYS, KeyBehaviour, LineKeySettings
from app.phone.settings.remote import ACTION_URL_EVENTS, ProvisionSettings, RemoteSettings

__all__ = [
    "ACTION_URL_EVENTS",
    "DTMF_MODES",
    "MAX_ACCOUNTS",
    "REFUSE_CODES",
    "RINGTONES",
    "TONE_COUNTRIES",
    "TONE_NAMES",
    "TRANSPORTS",
    "AccountSettings",
    "AreaCode",
    "AudioSettings",
    "BlockOutRule",
    "Choice",
    "Declared",
    "DialNowRule",
    "DialPlanSettings",
    "DndSettings",
    "FeatureSettings",
    "ForwardRule",
    "ForwardSet",
    "ForwardSettings",
    "IntercomSettings",
    "KeyBehaviour",
    "LineKeySettings",
    "ProvisionSettings",
    "RedirectSettings",
    "RemoteSettings",
    "ReplaceRule",
    "Setting",
    "Settings",
    "declared",
    "spec",
]


# fmt: off
@dataclass
class Settings:
    """Every setting of the phone (settings.json); each field is declared once."""

    schema: int = setting(
        1, "Settings schema", help="The layout version of settings.json, written by DeskPhone.",
    )
    sip_port: int = setting(
        5060, "Local SIP port", "sip.listen_port", lo=0, hi=65535,
        help="The port the phone takes calls on; 0: the system picks a free one.",
    )
    tls_verify_server: bool = setting(
        True, "Only accept trusted certificates", "security.trust_certificates",
        help="TLS accounts check the server's certificate (chain and name) against the "
        "system's CAs or the CA certificates file; on by default, as on a Yealink.",
    )
    tls_ca_file: str = setting(
        "", "CA certificates", "tls.ca_file", own=True, max_len=PATH_MAX,
        hint="empty: the system's CA certificates",
        help="A PEM file of the CA certificates to trust instead of the system's list. Yealink's "
        "own CA keys (security.ca_cert, trusted_certificates.url) carry no local file.",
    )
    trust_ctrl: bool = setting(
        True, "Accept SIP trust server only", "sip.trust_ctrl",
        help="While an account is registered, calls and other requests from anywhere but its "
        "registrar or outbound proxy are dropped unanswered (SIP scanners' ghost calls). "
        "Yealink ships it off; DeskPhone turns it on, as a PC moves between networks.",
    )
    accounts: list[AccountSettings] = table_of(
        list, "Accounts", "account.{n}.{key}",
        Table(
            MAX_ACCOUNTS, "account", "DeskPhone has accounts 1-{count}", section="Account {n}",
            per_account=True, pad=(("enabled", False),),
            pad_note="account {n} added, disabled, to keep account numbers",
        ),
        help="SIP accounts, numbered 1-16 as Yealink's account.X.",
    )
    forward: ForwardSettings = group(ForwardSettings, "Call forward")
    dnd: DndSettings = group(DndSettings, "Do Not Disturb")
    features: FeatureSettings = group(FeatureSettings, "Features")
    audio: AudioSettings = group(AudioSettings, "Audio")
    remote: RemoteSettings = group(RemoteSettings, "Remote control")
    provisioning: ProvisionSettings = group(ProvisionSettings, "Auto provisioning")
    dialplan: DialPlanSettings = group(
        DialPlanSettings, "Dial Plan", block=True, help=SYNTAX_HELP,
    )
    keys: KeyBehaviour = group(KeyBehaviour, "Line key behaviour")
    line_keys: dict[int, LineKeySettings] = table_of(
        dict, "Line keys", "linekey.{n}.{key}",
        Table(MAX_LINE_KEYS, "line key", "DeskPhone has line keys 1-{count}"),
        help="Yealink's linekey.X.*: the keys beside the display, 10 a page.",
    )
# fmt: on


def spec(path: str) -> Declared:
    """The declaration of the setting at a key path (`accounts.0.port`, `dnd.refuse_code`)."""
    return find(Settings, path)
