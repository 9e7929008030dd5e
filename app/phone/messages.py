"""What flows into and out of the phone core.

Inputs are facts (from the SIP, audio and store adapters) or user intents (from the UI, the
command line or remote control). Outputs are commands for the adapters, or events for the UI.
Every message is a frozen dataclass so the core stays a pure function of its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.phone.incoming import Route
from app.phone.mwi import MessageSummary
from app.phone.sipuri import Contact, Diversion

# ---- facts from the SIP adapter -------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationChanged:
    """An account's registration state from pjsua2 (onRegState)."""

    account: int
    code: int  # last REGISTER final status; 0 while in progress
    reason: str
    expires: int  # >0 while registered
    active: bool  # pjsua2's "regIsActive"
    server: str = ""  # "host:port" the answer came from (registrar or outbound proxy)


@dataclass(frozen=True)
class IncomingCall:
    """A new incoming INVITE that pjsua2 made a call of (onIncomingCall)."""

    call: str  # id chosen by the adapter ("i<n>")
    account: int
    remote_uri: str
    remote_name: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class IncomingAnswered:
    """A new call the SIP layer answered itself from the core's IncomingPolicy, before pjsua
    made a call of it (a forward's 302, DND's or a busy phone's refusal): recorded, never
    rung. `route` is what was sent."""

    call: str  # id chosen by the adapter ("i<n>")
    account: int
    remote_uri: str
    remote_name: str
    route: Route
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CallProgress:
    """A pjsua2 invite-session state change of a known call."""

    call: str
    sip_state: str  # CALLING, INCOMING, EARLY, CONNECTING, CONFIRMED, DISCONNECTED
    code: int
    reason: str
    has_sdp: bool = False  # the message that caused it carried SDP (early media)
    remote_uri: str = ""
    remote_name: str = ""


@dataclass(frozen=True)
class CallRedirected:
    """The current leg of an outgoing call got a 3xx (read inside `onCallRedirected`).

    The adapter has already told pjsua2 to stop this leg; the core decides what comes next."""

    call: str
    code: int
    reason: str
    contacts: tuple[Contact, ...] = ()
    diversion: Diversion | None = None
    # The 3xx's Diversion header values unparsed (the adapter's way): only the reason goes in
    # the call's redirect chain, so they are parsed after the new INVITE is out.
    diversion_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class RedirectFollowed:
    """The core's own follow-up (through `Then`) once a redirect's new INVITE is out: the
    call's event, the redirect event and the tones, which the INVITE does not wait for."""

    call: str
    target: str
    text: str
    diversion_values: tuple[str, ...] = ()  # CallRedirected's, for the redirect chain


@dataclass(frozen=True)
class MessageReceived:
    """An out-of-dialog SIP MESSAGE (the handset's MESSAGE key shows these)."""

    account: int
    from_uri: str
    body: str
    received_at: float  # monotonic time the callback ran


@dataclass(frozen=True)
class MessageWaiting:
    """A message-summary NOTIFY for an account (RFC 3842) whose body parsed (app/sip/mwi.py).
    An unsolicited one counts only from the account's own server (app/phone/voicemail.py)."""

    account: int
    summary: MessageSummary
    source: str = ""  # "host:port" it came from
    solicited: bool = True  # inside the account's subscription (else unsolicited)


@dataclass(frozen=True)
class TransportInfo:
    """Where the engine listens; the idle screen shows the port when it is not the asked one."""

    port: int
    asked_port: int
    note: str = ""


@dataclass(frozen=True)
class CallMediaChanged:
    """The call's audio direction after an offer/answer: "active", "local_hold" (we hold),
    "remote_hold" (the peer sent sendonly/inactive), or "none" (no audio yet)."""

    call: str
    status: str


@dataclass(frozen=True)
class CallSecured:
    """Whether the call's media is encrypted (SRTP) after the latest offer/answer."""

    call: str
    encrypted: bool


@dataclass(frozen=True)
class TransferStatus:
    """A NOTIFY about a REFER we sent (or the REFER's own failure): code 1xx-6xx."""

    call: str
    code: int
    reason: str
    final: bool


# ---- user intents ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Dial:
    """Place a call to what the user typed or clicked."""

    target: str  # number, sip:/sips:/tel: URI or user@host
    account: int | None = None


@dataclass(frozen=True)
class Answer:
    """Answer a ringing call."""

    call: str | None = None  # None: the ringing call


@dataclass(frozen=True)
class Hangup:
    """End a call, or reject the ringing one."""

    call: str | None = None  # None: the active call, else the ringing one


@dataclass(frozen=True)
class HangupAll:
    """End every call (quitting the phone)."""

    pass


@dataclass(frozen=True)
class RedirectConfirm:
    """The user's answer when the redirect mode is "ask": follow the offered target or not."""

    call: str | None = None  # None: the one call waiting for an answer
    accept: bool = True


@dataclass(frozen=True)
class Tick:
    """Time passed; the core fires due timers."""

    now: float


# ---- commands for the adapters --------------------------------------------------------------


@dataclass(frozen=True)
class PlaceCall:
    """Send an INVITE for a new call."""

    call: str
    account: int
    uri: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AnswerCall:
    """Send a response to an incoming INVITE: 180, 200, or a final 3xx-6xx."""

    call: str
    code: int
    reason: str = ""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class HangupCall:
    """End a call: CANCEL, BYE or a final response, as its state needs."""

    call: str
    code: int = 0  # 0: pjsua2 picks (CANCEL/BYE/603)


@dataclass(frozen=True)
class RetryRegistration:
    """Send a REGISTER for this account again (the core's backoff after a failure)."""

    account: int


@dataclass(frozen=True)
class HoldCall:
    """Send the re-INVITE that holds or resumes a call."""

    call: str
    hold: bool = True  # False: resume (re-INVITE with sendrecv)


@dataclass(frozen=True)
class SendDtmfCall:
    """Send DTMF digits in a call."""

    call: str
    digits: str
    method: str = "rfc2833"  # rfc2833 | info


@dataclass(frozen=True)
class TransferCall:
    """REFER: blind to `target_uri`, or attended (Replaces) to the peer of call `replaces`."""

    call: str
    target_uri: str = ""
    replaces: str = ""


@dataclass(frozen=True)
class ConferenceCalls:
    """Bridge the audio of these calls to each other (a local three-way conference); the audio
    of `muted` ones goes to nobody (far mute). Calls bridged before and not named now are
    unbridged; no calls ends the conference."""

    calls: tuple[str, ...]
    muted: tuple[str, ...] = ()


# ---- audio commands (executed by the engine on the sound device bridge) -----------------------


@dataclass(frozen=True)
class PlayTone:
    """Play a local tone of the configured country: ring (ringback), busy, congestion,
    callwaiting, dial. Replaces whatever tone plays."""

    kind: str
    call: str = ""  # the call it is for, for logs and events


@dataclass(frozen=True)
class StopTone:
    """Stop the local tone."""

    pass


@dataclass(frozen=True)
class Ring:
    """Ring the ringer device for an incoming call with a ringtone name (Ring1-8, Silent, path)."""

    call: str
    ringtone: str


@dataclass(frozen=True)
class StopRing:
    """Stop ringing."""

    pass


@dataclass(frozen=True)
class MuteMic:
    """Mute (or unmute) the microphone without the user's key: an intercom call answered
    with features.intercom.mute."""

    on: bool


# ---- ordering ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Then:
    """Handle `input` as soon as the commands before this one are carried out, before any
    other input. The core answers a fact with what the wire needs first (a redirect's new
    INVITE) and does the bookkeeping (events, history, tones) in `input`'s turn."""

    input: Input


# ---- events for the UI ----------------------------------------------------------------------


@dataclass(frozen=True)
class Publish:
    """An event for whoever listens (the UI, tests, later Action URL)."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)


Input = (
    RegistrationChanged
    | IncomingCall
    | IncomingAnswered
    | CallProgress
    | CallRedirected
    | RedirectFollowed
    | MessageReceived
    | MessageWaiting
    | TransportInfo
    | Dial
    | Answer
    | Hangup
    | HangupAll
    | RedirectConfirm
    | Tick
    | CallMediaChanged
    | CallSecured
    | TransferStatus
)
AudioCommand = PlayTone | StopTone | Ring | StopRing | MuteMic
Command = (
    PlaceCall
    | AnswerCall
    | HangupCall
    | HoldCall
    | SendDtmfCall
    | TransferCall
    | ConferenceCalls
    | RetryRegistration
    | AudioCommand
)
Output = Command | Publish | Then
