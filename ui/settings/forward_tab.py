"""Settings tab "Call Forward": phone or per-account mode, Always / Busy / No answer.

Works on a private copy of ForwardSettings. Each edit is written into the copy and checked
with app.phone.forward.validate_forward; errors show in red under their field at once.
"""

from __future__ import annotations

import copy

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.phone.forward import RULE_NAMES, rings_text, validate_forward
from app.phone.settings import ForwardRule, ForwardSet, ForwardSettings, Settings, spec
from app.store.yealink_keys import cfg_key
from ui.settings.tab import ERROR_EDIT_STYLE, ERROR_STYLE, SettingsTab

# labels, hints and ranges: app/phone/settings/forward.py (a rule's fields are alike in each)
RULE = "forward.phone.always"
RINGS = spec("forward.phone.no_answer_rings")
MODES = tuple(c.label for c in spec("forward.per_account").setting.choices)
RINGS_ERROR = f"Ring time must be {RINGS.setting.lo} to {RINGS.setting.hi} rings"


def _label(path: str) -> str:
    return spec(path).setting.label


def _field(path: str, name: str, width: int = 0, prefix: str = "") -> Field:
    return Field(name, spec(path).placeholder, width, prefix=prefix)


class Field(QWidget):
    """A line edit with its red error label underneath; for a fixed-width edit the owner
    places the label (in that narrow column its text would be squeezed)."""

    def __init__(
        self, name: str, placeholder: str = "", width: int = 0, *, prefix: str = ""
    ) -> None:
        super().__init__()
        self.prefix = prefix
        self.edit = QLineEdit()
        self.edit.setObjectName(name)
        self.edit.setPlaceholderText(placeholder)
        self.error = QLabel()
        self.error.setObjectName(f"{name}.error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(self.edit)
        if width:
            self.edit.setFixedWidth(width)
            self.setFixedWidth(width)
        else:
            layout.addWidget(self.error)

    def set_error(self, text: str) -> None:
        self.error.setText(f"{self.prefix}{text}" if text else "")
        self.error.setVisible(bool(text))
        self.edit.setStyleSheet(ERROR_EDIT_STYLE if text else "")


class RuleBox(QGroupBox):
    """On/off, target and codes of one forward type (plus the ring time for No answer)."""

    def __init__(self, name: str) -> None:
        super().__init__(_label(f"forward.phone.{name}"))
        self.name = name
        self.enabled = QCheckBox(_label(f"{RULE}.enabled"))
        self.enabled.setObjectName(f"forward.{name}.enabled")
        self.target = _field(f"{RULE}.target", f"forward.{name}.target")
        on, off = _label(f"{RULE}.on_code"), _label(f"{RULE}.off_code")
        self.on_code = _field(f"{RULE}.on_code", f"forward.{name}.on_code", 110, f"{on}: ")
        self.off_code = _field(f"{RULE}.off_code", f"forward.{name}.off_code", 110, f"{off}: ")
        form = QFormLayout(self)
        form.addRow(self.enabled)
        form.addRow(_label(f"{RULE}.target"), self.target)
        codes = QHBoxLayout()
        codes.addWidget(self.on_code)
        codes.addSpacing(12)
        codes.addWidget(QLabel(off))
        codes.addWidget(self.off_code)
        codes.addStretch()
        form.addRow(on, codes)
        code_errors = QVBoxLayout()
        code_errors.setSpacing(1)
        code_errors.addWidget(self.on_code.error)
        code_errors.addWidget(self.off_code.error)
        form.addRow("", code_errors)
        self.rings: Field | None = None
        self.seconds = QLabel()
        if name == "no_answer":
            self.rings = Field("forward.no_answer_rings", RINGS.placeholder, 50)
            self.rings.edit.setToolTip(RINGS.setting.help)
            self.seconds.setObjectName("forward.no_answer_seconds")
            row = QHBoxLayout()
            row.addWidget(self.rings)
            row.addSpacing(8)
            row.addWidget(self.seconds)
            row.addStretch()
            form.addRow(RINGS.setting.label, row)
            form.addRow("", self.rings.error)

    def show_rule(self, rule: ForwardRule) -> None:
        self.enabled.setChecked(rule.enabled)
        self.target.edit.setText(rule.target)
        self.on_code.edit.setText(rule.on_code)
        self.off_code.edit.setText(rule.off_code)

    def read_rule(self) -> ForwardRule:
        return ForwardRule(
            enabled=self.enabled.isChecked(),
            target=self.target.edit.text().strip(),
            on_code=self.on_code.edit.text().strip(),
            off_code=self.off_code.edit.text().strip(),
        )


class ForwardTab(SettingsTab):
    title = "Call Forward"

    def __init__(self) -> None:
        super().__init__()
        self._work = ForwardSettings()
        self._accounts: list[str] = []
        self._key = "phone"  # the set on screen: "phone" or "accounts.N"
        self._bad_rings: dict[str, str] = {}  # set key -> ring text that is not a number
        self._loading = False

        allow = cfg_key("forward.allowed")
        self.not_allowed = QLabel(f"Call forward is disabled on this phone ({allow}).")
        self.not_allowed.setStyleSheet(ERROR_STYLE)
        self.mode = QComboBox()
        self.mode.setObjectName("forward.mode")
        self.mode.addItems(MODES)
        self.account = QComboBox()
        self.account.setObjectName("forward.account")
        self.other_errors = QLabel()
        self.other_errors.setObjectName("forward.other_errors")
        self.other_errors.setStyleSheet(ERROR_STYLE)
        self.other_errors.hide()
        self.boxes = {name: RuleBox(name) for name in RULE_NAMES}
        self.international = QCheckBox(_label("forward.international"))
        self.international.setObjectName("forward.international")
        self.never_forward = QPlainTextEdit()
        self.never_forward.setObjectName("forward.never_forward")
        self.never_forward.setPlaceholderText(spec("forward.never_forward").placeholder)
        self.never_forward.setFixedHeight(60)
        self.never_forward_error = QLabel()
        self.never_forward_error.setObjectName("forward.never_forward.error")
        self.never_forward_error.setStyleSheet(ERROR_STYLE)
        self.never_forward_error.hide()

        top = QFormLayout()
        top.addRow(_label("forward.per_account"), self.mode)
        top.addRow("Account", self.account)
        layout = QVBoxLayout(self)
        layout.addWidget(self.not_allowed)
        layout.addLayout(top)
        layout.addWidget(self.other_errors)
        for box in self.boxes.values():
            layout.addWidget(box)
        layout.addWidget(self.international)
        layout.addWidget(QLabel(_label("forward.never_forward")))
        layout.addWidget(self.never_forward)
        layout.addWidget(self.never_forward_error)
        layout.addStretch()

        self.mode.currentIndexChanged.connect(self._switch_set)
        self.account.currentIndexChanged.connect(self._switch_set)
        for box in self.boxes.values():
            box.enabled.toggled.connect(self._edited)
            fields = [box.target, box.on_code, box.off_code, *([box.rings] if box.rings else [])]
            for f in fields:
                f.edit.textChanged.connect(self._edited)
        self.international.toggled.connect(self._edited)
        self.never_forward.textChanged.connect(self._edited)

    # ---- SettingsTab -------------------------------------------------------------------------

    def load(self, settings: Settings) -> None:
        self._loading = True
        self._work = copy.deepcopy(settings.forward)
        self._bad_rings = {}
        self._accounts = [
            f"{i + 1}: {a.label or a.user or 'Account'}" for i, a in enumerate(settings.accounts)
        ]
        self.not_allowed.setVisible(not self._work.allowed)
        self.account.clear()
        self.account.addItems(self._accounts)
        self.mode.setCurrentIndex(1 if self._work.per_account else 0)
        self.international.setChecked(self._work.international)
        self.never_forward.setPlainText("\n".join(self._work.never_forward))
        self._key = self._set_key()
        self._show_set()
        self._loading = False
        self._show_errors()

    def errors(self) -> dict[str, str]:
        errors = {f"forward.{k}": v for k, v in validate_forward(self._work).items()}
        active = self._active_keys() if self._work.per_account else ["phone"]
        for key in self._bad_rings:
            if key in active:
                errors[f"forward.{key}.no_answer_rings"] = RINGS_ERROR
        return errors

    def store(self, settings: Settings) -> None:
        settings.forward = copy.deepcopy(self._work)

    # ---- editing -----------------------------------------------------------------------------

    def current_key(self) -> str:
        return self._key

    def _set_key(self) -> str:
        if self.mode.currentIndex() == 1:
            # Account keys are 1-based, like Yealink's account.X and the phone core's indices.
            index = self.account.currentIndex()
            return f"accounts.{index + 1}" if index >= 0 else ""
        return "phone"

    def _current_set(self, create: bool) -> ForwardSet | None:
        if self._key == "phone":
            return self._work.phone
        if not self._key:
            return None
        index = int(self._key.split(".")[1])
        if create:
            return self._work.accounts.setdefault(index, ForwardSet())
        return self._work.accounts.get(index, ForwardSet())

    def _show_set(self) -> None:
        rules = self._current_set(create=False)
        self.account.setEnabled(self.mode.currentIndex() == 1)
        for box in self.boxes.values():
            box.setEnabled(rules is not None)
            box.show_rule(getattr(rules or ForwardSet(), box.name))
        no_answer = self.boxes["no_answer"]
        assert no_answer.rings is not None
        rings = (rules or ForwardSet()).no_answer_rings
        no_answer.rings.edit.setText(self._bad_rings.get(self._key, str(rings)))

    def _read_widgets(self) -> None:
        self._work.per_account = self.mode.currentIndex() == 1
        self._work.international = self.international.isChecked()
        lines = self.never_forward.toPlainText().splitlines()
        self._work.never_forward = [line.strip() for line in lines if line.strip()]
        if not self._key:
            return
        existing = self._current_set(create=False)
        assert existing is not None
        edited = ForwardSet(
            always=self.boxes["always"].read_rule(),
            busy=self.boxes["busy"].read_rule(),
            no_answer=self.boxes["no_answer"].read_rule(),
            no_answer_rings=existing.no_answer_rings,
        )
        rings_edit = self.boxes["no_answer"].rings
        assert rings_edit is not None
        text = rings_edit.edit.text().strip()
        self._bad_rings.pop(self._key, None)
        try:
            edited.no_answer_rings = int(text)
        except ValueError:
            self._bad_rings[self._key] = text
        # browsing an account must not give it a set: only edits do
        keep = self._key == "phone" or self._key in self._active_keys()
        if keep or edited != existing or self._key in self._bad_rings:
            target = self._current_set(create=True)
            assert target is not None
            for name in RULE_NAMES:
                setattr(target, name, getattr(edited, name))
            target.no_answer_rings = edited.no_answer_rings

    def _active_keys(self) -> list[str]:
        return [f"accounts.{i}" for i in self._work.accounts]

    def _edited(self) -> None:
        if self._loading:
            return
        self._read_widgets()
        self._show_errors()
        self.changed.emit()

    def _switch_set(self) -> None:
        if self._loading:
            return
        self._loading = True
        mode_changed = (self.mode.currentIndex() == 1) != self._work.per_account
        self._work.per_account = self.mode.currentIndex() == 1
        self._key = self._set_key()
        self._show_set()
        self._loading = False
        self._show_errors()
        if mode_changed:
            self.changed.emit()

    def _show_errors(self) -> None:
        errors = self.errors()
        prefix = f"forward.{self._key}."
        for name, box in self.boxes.items():
            box.target.set_error(errors.get(f"{prefix}{name}.target", ""))
            box.on_code.set_error(errors.get(f"{prefix}{name}.on_code", ""))
            box.off_code.set_error(errors.get(f"{prefix}{name}.off_code", ""))
        rings = self.boxes["no_answer"].rings
        assert rings is not None
        rings_error = errors.get(f"{prefix}no_answer_rings", "")
        rings.set_error(rings_error)
        rules = self._current_set(create=False)
        seconds = "" if rings_error or rules is None else rings_text(rules.no_answer_rings)
        self.boxes["no_answer"].seconds.setText(seconds)
        never = [v for k, v in errors.items() if k.startswith("forward.never_forward.")]
        self.never_forward_error.setText("\n".join(never))
        self.never_forward_error.setVisible(bool(never))
        self.never_forward.setStyleSheet(ERROR_EDIT_STYLE if never else "")
        others = sorted(
            {
                int(k.split(".")[2])
                for k in errors
                if k.startswith("forward.accounts.") and not k.startswith(prefix)
            }
        )
        text = ", ".join(
            self._accounts[i - 1] if 0 < i <= len(self._accounts) else str(i) for i in others
        )
        self.other_errors.setText(f"Also fix account {text}" if others else "")
        self.other_errors.setVisible(bool(others))
