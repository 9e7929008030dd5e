"""Settings tab "Features": DND, call waiting, auto answer, refuse codes, redirects, timeouts.

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
from app.store.validate import REDIRECT_MODES, REFUSE_CODES
from ui.settings.form import FormTab

REFUSE_TEXT = {
    404: "404 Not Found",
    480: "480 Temporarily Unavailable",
    486: "486 Busy Here",
    603: "603 Decline",
}
REDIRECT_TEXT = {
    "auto": "Follow redirects",
    "ask": "Ask before following",
    "never": "Never follow",
}


def _refuse_choices() -> list[tuple[str, object]]:
    return [(REFUSE_TEXT.get(c, str(c)), c) for c in REFUSE_CODES]


class FeaturesTab(FormTab):
    title = "Features"
    prefixes = ("dnd", "features", "accounts")

    def __init__(self) -> None:
        super().__init__()
        dnd = QGroupBox("Do Not Disturb")
        f = QFormLayout(dnd)
        f.addRow("", self.check("dnd.enabled", "DND on (phone)"))
        f.addRow("Mode", self.choice("dnd.per_account", [("Phone", False), ("Custom", True)]))
        f.addRow("Refuse with", self.choice("dnd.refuse_code", _refuse_choices()))

        calls = QGroupBox("Calls")
        f = QFormLayout(calls)
        f.addRow("", self.check("features.call_waiting", "Call waiting"))
        f.addRow("", self.check("features.call_waiting_tone", "Call waiting tone"))
        f.addRow("Auto answer delay (s)", self.number("features.auto_answer_delay", "1-4"))
        f.addRow("Reject with", self.choice("features.normal_refuse_code", _refuse_choices()))
        f.addRow("Ringing timeout (s)", self.number("features.ringing_timeout", "120"))
        f.addRow("Ringback timeout (s)", self.number("features.ringback_timeout", "180"))

        self.per_account = QGroupBox("Per account")
        self.grid = QGridLayout(self.per_account)

        redirect = QGroupBox("Redirects (3xx)")
        f = QFormLayout(redirect)
        modes = [(REDIRECT_TEXT.get(m, m), m) for m in REDIRECT_MODES]
        f.addRow("Policy", self.choice("features.redirect.mode", modes))
        f.addRow("At most", self.number("features.redirect.max_redirects", "5"))
        f.addRow(
            "Blocked prefixes",
            self.lines("features.redirect.block_prefixes", "one a line, e.g. 00\n1900"),
        )
        f.addRow(
            "", self.check("features.redirect.allow_sips_downgrade", "Allow sips: → sip: downgrade")
        )

        layout = QVBoxLayout(self)
        layout.addWidget(dnd)
        layout.addWidget(calls)
        layout.addWidget(self.per_account)
        layout.addWidget(redirect)
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
        self.grid.addWidget(QLabel("Auto answer"), 0, 1)
        self.grid.addWidget(QLabel("DND (Custom mode)"), 0, 2)
        for i, acc in enumerate(work.accounts):
            name = acc.label or acc.user or "Account"
            self.grid.addWidget(QLabel(f"{i + 1}: {name}"), i + 1, 0)
            self.grid.addWidget(self.check(f"accounts.{i}.auto_answer", ""), i + 1, 1)
            self.grid.addWidget(self.check(f"accounts.{i}.dnd", ""), i + 1, 2)
        self.per_account.setVisible(bool(work.accounts))

    def errors(self) -> dict[str, str]:
        # only the account fields this tab edits; the Accounts tab reports the rest
        return {
            k: v
            for k, v in super().errors().items()
            if not k.startswith("accounts.") or k.rsplit(".", 1)[-1] in ("auto_answer", "dnd")
        }
