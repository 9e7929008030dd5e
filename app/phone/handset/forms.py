"""The handset's small edit forms (Call Forward, DND) as pure data, and what Save asks for.

A row is a switch (Enabled/Disabled), a list to choose from (After Ring Time), or text typed on
the keypad. The forward forms have the rows of the SIP-T46G's in the order its user guide
fills them: "<Kind> Forward" Enabled/Disabled, Forward to, (After Ring Time,) On Code, Off
Code (docs/yealink.md §7).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.phone.forward import SECONDS_PER_RING
from app.phone.intents import SetDnd, SetForward
from app.phone.settings.forward import MAX_RINGS, TARGET_MAX
from app.phone.texts import T, tr

TOGGLE = "toggle"  # value "1" / "0", shown Enabled / Disabled
CHOICE = "choice"  # value: the index of the chosen option
TEXT = "text"  # a number or SIP URI
CODE = "code"  # a feature code: digits, * and #

CODE_CHARS = frozenset("0123456789*#")
# After Ring Time is chosen, not typed: forward.no_answer.timeout is 0-20 rings of 6 s, which
# the handset lists as seconds ("The default ring time is 12 seconds", docs/yealink.md §7).
RING_CHOICES = tuple(range(0, MAX_RINGS * SECONDS_PER_RING + 1, SECONDS_PER_RING))


@dataclass
class FormField:
    """One editable line of a handset form (a toggle, a choice or a text)."""

    label: str  # catalog source text
    kind: str  # TOGGLE | CHOICE | TEXT | CODE
    value: str
    options: tuple[str, ...] = ()  # CHOICE: the options as shown

    def shown(self) -> str:
        if self.kind == TOGGLE:
            return tr(T.ENABLED) if self.value == "1" else tr(T.DISABLED)
        if self.kind == CHOICE:
            return self.options[int(self.value)]
        return self.value

    @property
    def switches(self) -> bool:
        """Left/Right and the Switch soft key change it (no typing)."""
        return self.kind in (TOGGLE, CHOICE)


@dataclass
class Form:
    """A handset form (forward, DND): its fields and the one selected."""

    id: str  # always | busy | no_answer | dnd
    title: str
    fields: list[FormField]
    selected: int = 0
    max_len: dict[int, int] = field(default_factory=dict)

    @property
    def current(self) -> FormField:
        return self.fields[self.selected]

    def move(self, delta: int) -> None:
        self.selected = (self.selected + delta) % len(self.fields)

    def toggle(self, step: int = 1) -> None:
        f = self.current
        if f.kind == TOGGLE:
            f.value = "0" if f.value == "1" else "1"
        elif f.kind == CHOICE:
            f.value = str((int(f.value) + step) % len(f.options))

    def type(self, text: str) -> None:
        f = self.current
        if f.switches:
            return
        if f.kind == CODE:
            text = "".join(c for c in text if c in CODE_CHARS)
        # forward.*.target and the codes: strings within 32 characters (docs/yealink.md §7)
        limit = self.max_len.get(self.selected, TARGET_MAX)
        f.value = (f.value + text)[:limit]

    def delete(self) -> None:
        if not self.current.switches:
            self.current.value = self.current.value[:-1]

    def _value(self, label: str) -> str:
        return next((f.value for f in self.fields if f.label == label), "")

    def intent(self) -> SetDnd | SetForward:
        on = self.fields[0].value == "1"
        if self.id == "dnd":
            return SetDnd(on)
        ring = next((f for f in self.fields if f.kind == CHOICE), None)
        return SetForward(
            self.id,
            on,
            self._value(T.FORWARD_TO).strip(),
            RING_CHOICES[int(ring.value)] if ring is not None else None,
            self._value(T.ON_CODE).strip(),
            self._value(T.OFF_CODE).strip(),
        )


FORWARD_TITLES = {
    "always": T.ALWAYS_FORWARD,
    "busy": T.BUSY_FORWARD,
    "no_answer": T.NO_ANSWER_FORWARD,
}


@dataclass(frozen=True)
class ForwardRuleView:
    """One phone-wide forward rule as the handset's form shows it."""

    enabled: bool = False
    target: str = ""
    on_code: str = ""
    off_code: str = ""


def _ring_index(seconds: int) -> int:
    """The listed ring time nearest to `seconds`."""
    return min(range(len(RING_CHOICES)), key=lambda i: abs(RING_CHOICES[i] - seconds))


def forward_form(kind: str, rule: ForwardRuleView, ring_seconds: int = 12) -> Form:
    fields = [
        FormField(FORWARD_TITLES[kind], TOGGLE, "1" if rule.enabled else "0"),
        FormField(T.FORWARD_TO, TEXT, rule.target),
    ]
    if kind == "no_answer":
        options = tuple(tr(T.RING_SECONDS, n=s) for s in RING_CHOICES)
        fields.append(FormField(T.AFTER_RING_TIME, CHOICE, str(_ring_index(ring_seconds)), options))
    fields += [FormField(T.ON_CODE, CODE, rule.on_code), FormField(T.OFF_CODE, CODE, rule.off_code)]
    return Form(kind, FORWARD_TITLES[kind], fields)


def dnd_form(on: bool) -> Form:
    # "Menu->Features->DND->DND Status" in the later guides ("DND Enable" in the V73-era ones);
    # DND's On/Off Code rows wait for DND codes in the settings (docs/yealink.md §8).
    return Form("dnd", T.DND, [FormField(T.DND_STATUS, TOGGLE, "1" if on else "0")])
