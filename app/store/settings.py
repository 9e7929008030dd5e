"""The settings model, saved as JSON in the config directory.

Writes are atomic (write, fsync, rename) so a crash mid-save leaves the previous file intact.
A file that cannot be read is moved aside with a timestamp and defaults are used; the caller
gets a warning text to show.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SETTINGS_FILE = "settings.json"


@dataclass
class AccountSettings:
    enabled: bool = True
    label: str = ""
    display_name: str = ""
    user: str = ""
    auth_name: str = ""
    password: str = ""
    realm: str = ""  # empty: learnt from the registrar's first challenge
    server: str = ""
    port: int = 5060
    transport: str = "udp"  # udp | tcp | tls
    outbound_proxy: str = ""
    expires: int = 3600

    @property
    def domain(self) -> str:
        return self.server if self.port in (0, 5060) else f"{self.server}:{self.port}"

    @property
    def aor(self) -> str:
        return f"sip:{self.user}@{self.server}"


@dataclass
class Settings:
    schema: int = SCHEMA_VERSION
    sip_port: int = 5060
    accounts: list[AccountSettings] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Settings:
        known = {f.name for f in fields(AccountSettings)}
        accounts = [
            AccountSettings(**{k: v for k, v in a.items() if k in known})
            for a in raw.get("accounts", [])
        ]
        return cls(
            schema=int(raw.get("schema", SCHEMA_VERSION)),
            sip_port=int(raw.get("sip_port", 5060)),
            accounts=accounts,
        )


@dataclass
class LoadResult:
    settings: Settings
    warning: str = ""  # shown on screen and logged when the file was broken


def load_settings(config_dir: Path) -> LoadResult:
    path = config_dir / SETTINGS_FILE
    if not path.exists():
        return LoadResult(Settings())
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("top level is not an object")
        return LoadResult(Settings.from_dict(raw))
    except (OSError, ValueError, TypeError) as exc:
        aside = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            path.rename(aside)
        except OSError:
            aside = path
        msg = f"Settings file unreadable ({exc}); kept as {aside.name}, defaults loaded"
        log.error(msg)
        return LoadResult(Settings(), warning=msg)


def atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def save_settings(config_dir: Path, settings: Settings) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(settings.to_dict(), indent=2, sort_keys=True)
    atomic_write(config_dir / SETTINGS_FILE, text.encode("utf-8"))
