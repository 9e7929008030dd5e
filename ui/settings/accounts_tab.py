"""Settings tab "Accounts": up to six SIP accounts, one page each, as on the T46G's web UI.

The model allows 16 (provisioning may set more); accounts beyond the sixth are kept as they
are. Empty slots are not saved. Passwords are masked and the tab says where they are kept
(keyring or a private file), never shows them in clear. Below the accounts, the phone-wide TLS
settings (ui/settings/tls_section.py) used by every account whose transport is TLS.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.phone.settings import AccountSettings, Settings
from ui.settings.form import FormTab
from ui.settings.tls_section import CA_PATH, VERIFY_PATH, TlsSection

SHOWN_ACCOUNTS = 6
# an account page's settings, in order (labels and hints: app/phone/settings/accounts.py)
PAGE = (
    "enabled", "label", "display_name", "user", "auth_name", "password", "server", "port",
    "transport", "outbound_proxy", "expires", "srtp", "voice_mail", "subscribe_mwi",
    "subscribe_mwi_expires", "subscribe_mwi_to_vm", "display_mwi",
)  # fmt: skip


def _used(acc: AccountSettings) -> bool:
    return bool(acc.user or acc.server or acc.label or acc.password or acc.display_name)


class AccountsTab(FormTab):
    title = "Accounts"
    prefixes = ("accounts", VERIFY_PATH, CA_PATH)

    def __init__(self, secrets_note: str = "") -> None:
        super().__init__()
        self._loaded = 0  # accounts in the settings given to load()
        self.account = QComboBox()
        self.account.setObjectName("accounts.current")
        self.pages = QStackedWidget()
        for i in range(SHOWN_ACCOUNTS):
            self.account.addItem(f"Account {i + 1}")
            self.pages.addWidget(self._page(i))
        self.account.currentIndexChanged.connect(self.pages.setCurrentIndex)
        self.tls = TlsSection(self, self._edited)
        self.where = QLabel(secrets_note)
        self.where.setObjectName("accounts.where")
        self.where.setWordWrap(True)
        self.where.setStyleSheet("color: #555;")
        top = QFormLayout()
        top.addRow("Account", self.account)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages)
        layout.addWidget(self.tls)
        layout.addWidget(self.where)
        layout.addWidget(self.other_errors)
        layout.addStretch()

    def _page(self, i: int) -> QWidget:
        page = QWidget()
        self.rows(QFormLayout(page), *(f"accounts.{i}.{name}" for name in PAGE))
        return page

    def show_account(self, index: int) -> None:
        self.account.setCurrentIndex(index)

    def set_secrets_note(self, text: str) -> None:
        self.where.setText(text)

    # ---- FormTab hooks -----------------------------------------------------------------

    def prepare(self, work: Settings) -> None:
        self._loaded = len(work.accounts)
        while len(work.accounts) < SHOWN_ACCOUNTS:
            work.accounts.append(AccountSettings(enabled=False))
        for i in range(SHOWN_ACCOUNTS):
            used = i < self._loaded
            self.account.setItemText(i, f"Account {i + 1}" + (" (in use)" if used else ""))

    def _kept(self) -> int:
        """How many account slots to save: up to the last one in use (or loaded)."""
        last = self._loaded
        for i in range(SHOWN_ACCOUNTS):
            if _used(self._work.accounts[i]):
                last = max(last, i + 1)
        return max(last, len(self._work.accounts) if self._loaded > SHOWN_ACCOUNTS else 0)

    def show_extra(self, work: Settings) -> None:
        self.tls.show_state(work)

    def read_extra(self, work: Settings, parse: dict[str, str]) -> None:
        self.tls.show_state(work)

    def extra_errors(self, work: Settings) -> dict[str, str]:
        out = self.tls.errors(work)
        for i, acc in enumerate(work.accounts[: self._kept()]):
            if not acc.enabled:
                continue
            if acc.user and not acc.server:
                out[f"accounts.{i}.server"] = f"accounts.{i}.server: a server is needed"
            if acc.server and not acc.user:
                out[f"accounts.{i}.user"] = f"accounts.{i}.user: a register name is needed"
        return out

    def errors(self) -> dict[str, str]:
        kept = self._kept()
        found = super().errors()
        # an untouched empty slot past the saved ones is not an account: never an error
        return {
            k: v
            for k, v in found.items()
            if not (k.startswith("accounts.") and k.split(".")[1].isdigit())
            or int(k.split(".")[1]) < kept
        }

    def before_store(self, settings: Settings) -> None:
        kept = self._kept()
        if len(settings.accounts) <= SHOWN_ACCOUNTS:
            del settings.accounts[kept:]
        while len(settings.accounts) < kept:
            settings.accounts.append(AccountSettings(enabled=False))

    def _edited(self) -> None:
        slots = range(self._loaded, SHOWN_ACCOUNTS)
        fresh = [i for i in slots if not _used(self._work.accounts[i])]
        super()._edited()
        for i in fresh:
            if _used(self._work.accounts[i]):
                # filling in an empty slot means using it: switch the line on once
                self._work.accounts[i].enabled = True
                self._loading = True
                box = self.editor(f"accounts.{i}.enabled")
                if isinstance(box, QCheckBox):
                    box.setChecked(True)
                self._loading = False
                self._show_errors()
        # the label says which slots will be saved
        for i in range(SHOWN_ACCOUNTS):
            used = i < self._kept()
            self.account.setItemText(i, f"Account {i + 1}" + (" (in use)" if used else ""))
