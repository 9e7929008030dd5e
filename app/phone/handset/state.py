"""The handset's mutable display state and the questions asked of it (which call, which pop-up)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.phone.accounts import LOCAL_ACCOUNT
from app.phone.handset import screens as S
from app.phone.handset.dial_buffer import DialBuffer
from app.phone.handset.flags import FORWARDED, MISSED, PLACED, RECEIVED, HandsetFlags
from app.phone.handset.forms import Form
from app.phone.handset.linekeys.config import KeyFeatures, LineKey, default_line_keys
from app.phone.handset.menus import MenuNav
from app.phone.handset.screens import PopupView
from app.phone.handset.voicemail import arrivals, voice_mail_form
from app.phone.handset.voicemail import popup as voice_mail_popup
from app.phone.model import AccountView, CallState, CallView
from app.phone.texts import T, tr

FINISH_SECONDS = 3.0  # how long "Call Finish" stays before idle returns
SENT_SECONDS = 3.0  # the dial screen waits this long for the dialled call to appear

# History lists in the order of the phone's History screen: kind None is "All Calls".
HISTORY_TABS: tuple[tuple[str, str | None], ...] = (
    (T.ALL_CALLS, None),
    (T.MISSED_CALLS, MISSED),
    (T.PLACED_CALLS, PLACED),
    (T.RECEIVED_CALLS, RECEIVED),
    (T.FORWARDED_CALLS, FORWARDED),
)

# focus priority: a ringing call first, then the one in conversation, then held ones
_RANK: dict[CallState, int] = {
    CallState.CALLIN: 0,
    CallState.TALKING: 1,
    CallState.CONNECTING: 1,
    CallState.RINGBACK: 1,
    CallState.DIALING: 1,
    CallState.HELD: 2,
    CallState.HOLD: 3,
    CallState.FAILED: 4,
    CallState.FINISHED: 9,
}


@dataclass
class HandsetState:
    """What the handset knows of the phone, and which view it shows."""

    accounts: list[AccountView] = field(default_factory=list)
    calls: list[CallView] = field(default_factory=list)
    flags: HandsetFlags = field(default_factory=HandsetFlags)
    now: float = 0.0
    view: str = S.IDLE  # idle | dialing | menu | history | directory | form | status
    back_to: str = S.IDLE  # where Back leads from a list or form opened from the menu
    # dialing
    dial: DialBuffer = field(default_factory=DialBuffer)
    purpose: str = "new"  # new | transfer | conference | forward
    purpose_call: str | None = None
    dial_account: int | None = None
    last_key_at: float = 0.0
    sent_at: float = -1.0  # >= 0: Send was pressed, waiting for the call to appear
    match_sel: int = -1
    # menus and lists
    menu: MenuNav = field(default_factory=MenuNav)
    form: Form | None = None
    tab: int = 0
    row: int = 0
    # calls
    focus: str | None = None
    known: dict[str, CallView] = field(default_factory=dict)
    finished: CallView | None = None
    finished_until: float = 0.0
    dismissed: set[str] = field(default_factory=set)  # calls the user closed
    hung_up: set[str] = field(default_factory=set)  # calls the user ended (no Call Finish)
    silenced: set[str] = field(default_factory=set)
    consult: tuple[str, str] | None = None  # (transfer | conference, original call id)
    pending_consult: tuple[str, str] | None = None
    page: int = 0
    # calls this phone forwarded (a 302 sent): counted once each, for their pop-up
    forwarded: int = 0
    forwarded_ids: set[str] = field(default_factory=set)
    # pop-ups already seen
    ack_missed: int = 0
    ack_message: int = 0
    ack_error: int = 0
    ack_forwarded: int = 0
    # new voice mail seen, by account (voicemail.arrivals): the pop-up shows for later ones
    ack_voice_mail: dict[int, int] = field(default_factory=dict)

    def live(self) -> list[CallView]:
        return [
            c for c in self.calls if c.state != CallState.FINISHED and c.id not in self.dismissed
        ]

    def call(self, call_id: str | None) -> CallView | None:
        return next((c for c in self.live() if c.id == call_id), None)

    def focused(self) -> CallView | None:
        return self.call(self.focus)

    def pick_focus(self) -> str | None:
        live = self.live()
        if not live:
            return None
        best = min(range(len(live)), key=lambda i: (_RANK[live[i].state], -i))
        return live[best].id

    def others(self) -> list[CallView]:
        """Live calls besides the focused one that are not ringing (for Swap / Conference)."""
        return [c for c in self.live() if c.id != self.focus and c.state != CallState.CALLIN]

    def history_rows(self) -> list[tuple[str, str]]:
        kind = HISTORY_TABS[self.tab][1]
        rows = [h for h in self.flags.history if kind is None or h.kind == kind]
        return [(h.name or h.number, h.number) for h in rows]

    def history_when(self) -> list[str]:
        kind = HISTORY_TABS[self.tab][1]
        return [h.when for h in self.flags.history if kind is None or h.kind == kind]

    def history_ids(self) -> list[int]:
        kind = HISTORY_TABS[self.tab][1]
        return [h.row for h in self.flags.history if kind is None or h.kind == kind]

    def no_account(self) -> bool:
        """No account set up (or none enabled): only the built-in one for direct calls."""
        return all(a.index == LOCAL_ACCOUNT for a in self.accounts)

    def call_screen_active(self) -> bool:
        return self.focused() is not None or self.finished is not None

    def conference_calls(self) -> list[CallView]:
        """The live calls of the local conference, when it still joins two or more."""
        if not self.flags.conference:
            return []  # the common case, asked on every screen: no walk through the calls
        members = [c for c in self.live() if c.id in self.flags.conference]
        return members if len(members) >= 2 else []

    def unread_texts(self) -> int:
        """Text messages not seen yet: the pop-up shows the whole message, so closing it reads
        it (the phone's Text Message inbox is not kept here, only the newest message)."""
        return max(0, self.flags.message_id - self.ack_message) if self.flags.message else 0

    def count_forwarded(self, calls: list[CallView]) -> None:
        """Calls the core ended by forwarding them (302) count once each for their pop-up."""
        for call in calls:
            if call.extra.get("result") == "forwarded" and call.id not in self.forwarded_ids:
                self.forwarded_ids.add(call.id)
                self.forwarded += 1
        self.forwarded_ids &= {c.id for c in calls}

    def popup(self) -> PopupView | None:
        """The pop-up on top: errors anywhere; missed and forwarded calls, voice mail and
        messages over idle screens."""
        f = self.flags
        if f.error and f.error_id > self.ack_error:
            # the phone's error prompts carry no title (docs/yealink.md §6)
            return PopupView(f.error, "error")
        if self.call_screen_active() or self.view == S.DIALING:
            return None
        if f.missed_count > self.ack_missed:
            return PopupView(tr(T.NEW_MISSED, n=f.missed_count), "missed", tr(T.MISSED_CALLS))
        if self.forwarded > self.ack_forwarded:
            n = self.forwarded - self.ack_forwarded
            return PopupView(tr(T.NEW_FORWARDED, n=n), "forwarded", tr(T.FORWARDED_CALLS))
        if (voice_mail := voice_mail_popup(f, self.ack_voice_mail)) is not None:
            return voice_mail
        if f.message and f.message_id > self.ack_message:
            title = tr(T.TEXT_MESSAGE)
            text = f"{tr(T.FROM, who=f.message_from)}\n{f.message}" if f.message_from else f.message
            return PopupView(text, "message", title)
        return None

    def ack_popup(self, popup: PopupView) -> None:
        if popup.kind == "error":
            self.ack_error = self.flags.error_id
        elif popup.kind == "missed":
            self.ack_missed = self.flags.missed_count
        elif popup.kind == "forwarded":
            self.ack_forwarded = self.forwarded
        elif popup.kind == "voice_mail":
            self.ack_voice_mail = arrivals(self.flags)
        elif popup.kind == "message":
            self.ack_message = self.flags.message_id

    def open_dialing(self, purpose: str = "new", call: str | None = None) -> None:
        self.view = S.DIALING
        self.purpose, self.purpose_call = purpose, call
        self.dial.clear()
        self.dial_account = None
        self.sent_at = -1.0
        self.match_sel = -1
        self.last_key_at = self.now

    def seize(self, account: int) -> None:
        """A line key took the phone off hook: the dial screen, calling out on `account`."""
        self.open_dialing()
        self.dial_account = account

    def consult_for(self, call: str) -> None:
        """A line key starts an attended transfer: its call is the consultation for `call`."""
        self.pending_consult = ("transfer", call)

    def ask_voice_mail(self, account: int) -> None:
        """A Voice Mail key found no number: the Set Voice Mail form, as the menu's Connect."""
        box = next((b for b in self.flags.voice_mail if b.account == account), None)
        if box is not None:
            self.form, self.view = voice_mail_form(box), S.FORM

    @property
    def features(self) -> KeyFeatures:
        return self.flags.key_features

    @property
    def dnd(self) -> bool:
        return self.flags.dnd

    @property
    def forward_always(self) -> tuple[bool, str]:
        rule = self.flags.forward.get("always")
        return (rule.enabled, rule.target) if rule is not None else (False, "")

    def line_key_config(self) -> tuple[LineKey, ...]:
        configured = self.flags.line_keys
        return configured if configured is not None else default_line_keys(self.accounts)

    def seizing(self) -> int | None:
        """The account whose line is seized: off hook on the dial screen, no call yet."""
        if self.view != S.DIALING or self.live() or not self.accounts:
            return None
        return self.dial_account if self.dial_account is not None else self.accounts[0].index

    def leave_to_idle(self) -> None:
        self.view = S.IDLE
        self.back_to = S.IDLE
        self.dial.clear()
        self.purpose, self.purpose_call = "new", None
        self.sent_at = -1.0
        self.form = None
        self.menu = MenuNav()
