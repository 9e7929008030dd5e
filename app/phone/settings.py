"""The phone's settings as plain data (no I/O): what the core, the engine and the dialog share.

`app/store/` loads and saves these; Yealink provisioning keys map onto them. Defaults are the
real handset's defaults (docs/yealink.md §7, §8) unless a comment says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AccountSettings:
    enabled: bool = True
    label: str = ""
    display_name: str = ""
    user: str = ""
    auth_name: str = ""
    password: str = ""  # the store keeps it in the keyring; in memory only here
    realm: str = ""  # empty: learnt from the registrar's first challenge
    server: str = ""
    port: int = 5060
    transport: str = "udp"  # udp | tcp | tls
    outbound_proxy: str = ""  # host[:port]
    expires: int = 3600
    auto_answer: bool = False
    dnd: bool = False  # used when DndSettings.per_account
    dtmf: str = "rfc2833"  # rfc2833 | info | inband | both

    @property
    def domain(self) -> str:
        return self.server if self.port in (0, 5060) else f"{self.server}:{self.port}"

    @property
    def aor(self) -> str:
        return f"sip:{self.user}@{self.domain}"


@dataclass
class ForwardRule:
    enabled: bool = False
    target: str = ""  # number or SIP URI, at most 32 characters on the handset
    on_code: str = ""
    off_code: str = ""


@dataclass
class ForwardSet:
    always: ForwardRule = field(default_factory=ForwardRule)
    busy: ForwardRule = field(default_factory=ForwardRule)
    no_answer: ForwardRule = field(default_factory=ForwardRule)
    no_answer_rings: int = 2  # rings of 6 s; 0-20 (forward.no_answer.timeout)


@dataclass
class ForwardSettings:
    allowed: bool = True  # features.fwd.allow
    per_account: bool = False  # features.fwd_mode: 0 phone, 1 custom
    phone: ForwardSet = field(default_factory=ForwardSet)
    accounts: dict[int, ForwardSet] = field(default_factory=dict)
    international: bool = True  # forward.international.enable
    never_forward: list[str] = field(default_factory=list)  # emergency/authorized numbers
    show_diversion: bool = True  # features.fwd_diversion_enable


@dataclass
class DndSettings:
    enabled: bool = False
    per_account: bool = False  # features.dnd_mode
    refuse_code: int = 480  # features.dnd_refuse_code: 404/480/486/603


@dataclass
class RedirectSettings:
    mode: str = "auto"  # auto | ask | never
    max_redirects: int = 5
    block_prefixes: list[str] = field(default_factory=list)  # toll-fraud guard, e.g. "00", "1900"
    allow_sips_downgrade: bool = False


@dataclass
class FeatureSettings:
    call_waiting: bool = True
    call_waiting_tone: bool = True
    auto_answer_delay: int = 1  # seconds, 1-4
    normal_refuse_code: int = 486
    ringing_timeout: int = 120  # incoming ring stops, call is missed
    ringback_timeout: int = 180  # outgoing call left in ringback is cancelled
    hold_mode: str = "sendonly"  # sendonly | rfc2543
    redirect: RedirectSettings = field(default_factory=RedirectSettings)


@dataclass
class AudioSettings:
    tone_country: str = "United States"
    custom_tones: dict[str, str] = field(default_factory=dict)  # dial/ring/busy/... -> tone string
    ringtone: str = "Ring1"  # Ring1-Ring8, Silent, or a file path
    handset_device: str = ""  # empty: system default
    handsfree_device: str = ""
    ringer_device: str = ""
    volume_handset: int = 8  # 0-15 as on the phone
    volume_handsfree: int = 8
    volume_ringer: int = 8
    key_tones: bool = True


@dataclass
class RemoteSettings:
    action_uri_enabled: bool = False
    action_uri_port: int = 8765
    action_uri_bind_any: bool = False  # else 127.0.0.1 only
    action_uri_allow: list[str] = field(default_factory=lambda: ["127.0.0.1"])
    action_uri_user: str = ""
    action_uri_password: str = ""
    action_uri_prompt: bool = False  # "Allow remote control?" on screen
    action_urls: dict[str, str] = field(default_factory=dict)  # event name -> URL template


@dataclass
class ProvisionSettings:
    """Yealink-style auto-provisioning (app/store/provision_http.py)."""

    url: str = ""  # static.auto_provision.server.url: folder holding the .cfg files
    mac: str = ""  # this device's MAC for <MAC>.cfg; 12 hex digits, separators allowed


@dataclass
class ReplaceRule:
    prefix: str = ""  # dialplan.replace.prefix.X: the pattern the whole number must match
    replace: str = ""  # dialplan.replace.replace.X: what is dialled; $N is group N's text
    line_id: list[int] = field(default_factory=list)  # accounts (1-based); empty: all


@dataclass
class DialNowRule:
    rule: str = ""  # dialplan.dialnow.rule.X
    line_id: list[int] = field(default_factory=list)


@dataclass
class BlockOutRule:
    number: str = ""  # dialplan.block_out.number.X (a pattern, like the other rules)
    line_id: list[int] = field(default_factory=list)


@dataclass
class AreaCode:
    code: str = ""  # dialplan.area_code.code; empty: off
    min_len: int = 1  # numbers of min_len..max_len characters get the code in front
    max_len: int = 15
    line_id: list[int] = field(default_factory=list)


@dataclass
class DialPlanSettings:
    """Yealink's dial plan (app/phone/dialplan.py). Rules are keyed by the Yealink slot X
    (replace and dial-now 1-100, block out 1-10); lower slots are tried first."""

    replace: dict[int, ReplaceRule] = field(default_factory=dict)
    dialnow: dict[int, DialNowRule] = field(default_factory=dict)
    block_out: dict[int, BlockOutRule] = field(default_factory=dict)
    area_code: AreaCode = field(default_factory=AreaCode)
    dialnow_delay: int = 1  # phone_setting.dialnow_delay: seconds, 0-14


@dataclass
class Settings:
    schema: int = 1
    sip_port: int = 5060
    # TLS accounts: check the server's certificate (chain and name) against the system's CAs
    # or this PEM file. On by default, as on a Yealink ("Only Accept Trusted Certificates").
    tls_verify_server: bool = True
    tls_ca_file: str = ""
    accounts: list[AccountSettings] = field(default_factory=list)
    forward: ForwardSettings = field(default_factory=ForwardSettings)
    dnd: DndSettings = field(default_factory=DndSettings)
    features: FeatureSettings = field(default_factory=FeatureSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    remote: RemoteSettings = field(default_factory=RemoteSettings)
    provisioning: ProvisionSettings = field(default_factory=ProvisionSettings)
    dialplan: DialPlanSettings = field(default_factory=DialPlanSettings)
