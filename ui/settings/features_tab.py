"""Settings tab "Features": DND, call waiting, auto answer, refuse codes, redirects, timeouts,
voice mail notices.

Per-account switches (auto answer, and DND in per-account mode) have a row for each account
the dialog was opened with; accounts added on the Accounts tab get theirs next time.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
)

from app.phone.settings import Settings
from ui.settings.form import FormTab, label_of

DND = ("dnd.enabled", "dnd.per_account", "dnd.refuse_code")
CALLS = (
    "features.call_waiting", "features.call_waiting_tone", "features.auto_answer_delay",
    "features.normal_refuse_code", "features.ringing_timeout", "features.ringback_timeout",
)  # fmt: skip
REDIRECT = (
    "features.redirect.mode", "features.redirect.max_redirects",
    "features.redirect.block_prefixes", "features.redirect.allow_sips_downgrade",
)  # fmt: skip
VOICE_MAIL = ("features.voice_mail_popup", "features.mail_power_led")
PER_ACCOUNT = ("auto_answer", "dnd")  # a column each, a row per account


class FeaturesTab(FormTab):
    title = "Features"
    prefixes = ("dnd", "features", "accounts")

    def __init__(self) -> None:
        super().__init__()
        dnd = QGroupBox(label_of("dnd"))
        self.rows(QFormLayout(dnd), *DND)
        calls = QGroupBox("Calls")
        self.rows(QFormLayout(calls), *CALLS)
        self.per_account = QGroupBox("Per account")
        self.grid = QGridLayout(self.per_account)
        redirect = QGroupBox(label_of("features.redirect"))
        self.rows(QFormLayout(redirect), *REDIRECT)
        voice_mail = QGroupBox("Voice mail")
        self.rows(QFormLayout(voice_mail), *VOICE_MAIL)

        layout = QVBoxLayout(self)
        layout.addWidget(dnd)
        layout.addWidget(calls)
        layout.addWidget(self.per_account)
        layout.addWidget(redirect)
        layout.addWidget(voice_mail)
        layout.addWidget(self.other_errors)
        layout.addStretch()

    def prepare(self, work: Settings) -> None:
        self.unbind("accounts.")
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.grid.addWidget(QLabel("Account"), 0, 0)
        for col, name in enumerate(PER_ACCOUNT, 1):
            self.grid.addWidget(QLabel(label_of(f"accounts.0.{name}")), 0, col)
        for i, acc in enumerate(work.accounts):
            name = acc.label or acc.user or "Account"
            self.grid.addWidget(QLabel(f"{i + 1}: {name}"), i + 1, 0)
            for col, field in enumerate(PER_ACCOUNT, 1):
                self.grid.addWidget(self.input(f"accounts.{i}.{field}", text=False), i + 1, col)
        self.per_account.setVisible(bool(work.accounts))

    def errors(self) -> dict[str, str]:
        # only the account fields this tab edits; the Accounts tab reports the rest
        return {
            k: v
            for k, v in super().errors().items()
            if not k.startswith("accounts.") or k.rsplit(".", 1)[-1] in PER_ACCOUNT
        }
