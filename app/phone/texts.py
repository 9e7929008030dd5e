"""Every word the handset display shows, in one catalog ready for Qt translation.

The strings are Yealink's English GUI words (docs/yealink.md §6) where the
phone has them. `tr()` marks a string for translation with the context `CONTEXT`, the way Qt's
`QCoreApplication.translate(context, text)` expects; the default translator is the identity, and
the process that builds screens (the engine) may install a real one with `set_translator`.
Formatted texts use `str.format` fields, so a translation can move them.
"""

from __future__ import annotations

from collections.abc import Callable

CONTEXT = "Handset"


def _identity(_context: str, text: str) -> str:
    return text


_translator: Callable[[str, str], str] = _identity


def set_translator(translate: Callable[[str, str], str]) -> None:
    """Install `translate(context, source_text) -> text` (e.g. QCoreApplication.translate)."""
    global _translator
    _translator = translate


def tr(text: str, **fields: object) -> str:
    """The translation of a catalog string, with `{name}` fields filled in."""
    out = _translator(CONTEXT, text)
    return out.format(**fields) if fields else out


class T:
    """The catalog: source texts (English, as on the phone)."""

    # soft keys
    HISTORY = "History"
    DIRECTORY = "Directory"
    DND = "DND"
    MENU = "Menu"
    SEND = "Send"
    IME = "IME"
    DELETE = "Delete"
    CANCEL = "Cancel"
    ANSWER = "Answer"
    FORWARD = "Forward"
    SILENCE = "Silence"
    REJECT = "Reject"
    TRANSFER = "Transfer"
    B_TRANSFER = "B Transfer"
    HOLD = "Hold"
    RESUME = "Resume"
    CONFERENCE = "Conference"
    END_CALL = "End Call"
    NEW_CALL = "New Call"
    BACK = "Back"
    ENTER = "Enter"
    SAVE = "Save"
    SWITCH = "Switch"
    VIEW = "View"
    EXIT = "Exit"
    OK = "OK"
    # the Conference screen and its Manage list (docs/yealink.md §14)
    MANAGE = "Manage"
    SPLIT = "Split"
    FAR_MUTE = "Far Mute"
    REMOVE = "Remove"
    # call and registration states (the same words as model.CALL_TEXT / REG_TEXT)
    DIAL = "Dial"
    CONNECTING = "Connecting..."
    RINGING = "Ringing"
    TALKING = "Talking"
    HELD = "Held"
    INCOMING_CALL = "Incoming call"
    CALL_FAILED = "Call failed!"
    CALL_FINISH = "Call Finish"
    TRANSFERRING = "Transferring"
    REGISTERED = "Registered"
    REGISTERING = "Registering"
    REGISTER_FAILED = "Register failed!"
    UNREGISTERED = "Unregistered"
    NO_SERVICE = "No Service"
    # forwarding
    FROM_FWD = "From FWD"
    FORWARD_TO = "Forward to"
    FORWARDED_CALLS = "Forwarded Calls"
    # history lists
    ALL_CALLS = "All Calls"
    MISSED_CALLS = "Missed Calls"
    PLACED_CALLS = "Placed Calls"
    RECEIVED_CALLS = "Received Calls"
    NO_RECORDS = "None"
    # menus
    STATUS = "Status"
    FEATURES = "Features"
    MESSAGE = "Message"
    CALL_FORWARD = "Call Forward"
    ALWAYS_FORWARD = "Always Forward"
    BUSY_FORWARD = "Busy Forward"
    NO_ANSWER_FORWARD = "No Answer Forward"
    AFTER_RING_TIME = "After Ring Time"
    ON_CODE = "On Code"
    OFF_CODE = "Off Code"
    RING_SECONDS = "{n}s"  # an After Ring Time choice (unconfirmed format, docs/yealink.md §7)
    DND_STATUS = "DND Status"
    CALL_WAITING = "Call Waiting"
    AUTO_ANSWER = "Auto Answer"
    DSS_KEYS = "DSS Keys"
    BASIC = "Basic"
    ADVANCED = "Advanced"
    LANGUAGE = "Language"
    TIME_DATE = "Time & Date"
    RING_TONES = "Ring Tones"
    VOLUME = "Volume"
    ACCOUNTS = "Accounts"
    NETWORK = "Network"
    ACTION_URI = "Action URI"
    LOCAL_DIRECTORY = "Local Directory"
    ENABLED = "Enabled"
    DISABLED = "Disabled"
    SIP_PORT = "SIP Port"
    # pop-ups and formatted lines
    NEW_MISSED = "{n} New Missed Call(s)"
    TEXT_MESSAGE = "Text Message"
    VOICE_MAIL = "Voice Mail"
    SET_VOICE_MAIL = "Set Voice Mail"
    CONNECT = "Connect"
    NEW_VOICE_MAIL = "{n} New Voice Mail(s)"
    VOICE_MAIL_WAITING = "New Voice Mail"  # waiting, the server gave no count
    FROM = "From: {who}"
    # DeskPhone's own words, patterned on "{n} New Missed Call(s)": the guides say a forwarded
    # call pops a prompt up but not its text (docs/yealink.md §7)
    NEW_FORWARDED = "{n} New Forwarded Call(s)"
    # the 403 text of docs/yealink.md §6, also for a dial plan block-out rule's refusal
    FORBIDDEN_NUMBER = "Forbidden number!"
    # A call from an account with SRTP compulsory that the other side refused (488 and kin):
    # no Yealink text for it, and "Not acceptable here!" would not say why.
    SRTP_REFUSED = "Encrypted call not accepted!"
    ADD_ACCOUNT = "No account yet: press Accounts to add one"  # DeskPhone's own
    PAGE = "{page}/{pages}"


def catalog() -> list[str]:
    """Every source text, for building a Qt .ts file."""
    return [v for k, v in vars(T).items() if k.isupper() and isinstance(v, str)]
