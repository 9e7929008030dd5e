"""Writing the settings as a Yealink `.cfg` that imports back to the same settings."""

from __future__ import annotations

import time
from typing import Any

from app import __version__
from app.phone.settings import Settings
from app.store.paths import get_path
from app.store.yealink_dialplan import export_dialplan
from app.store.yealink_keys import (
    DICT_KEYS,
    EMERGENCY_ENABLE,
    EMERGENCY_NUMBERS,
    HEADER,
    KEYS,
    LIST,
    NULL,
    KeySpec,
    split_host_port,
)


def _encode(spec: KeySpec, value: Any) -> str:
    if value == "" or value == []:
        return NULL
    return spec.codec.encode(value)


def export_cfg(settings: Settings, include_passwords: bool = False) -> str:
    """The settings as `.cfg` text; password keys are left out unless `include_passwords`."""
    phone: list[str] = []
    per_account: dict[int, list[str]] = {i: [] for i in range(len(settings.accounts))}
    per_forward: dict[int, list[str]] = {k - 1: [] for k in sorted(settings.forward.accounts)}
    for spec in KEYS.values():
        if spec.secret and not include_passwords:
            continue
        if spec.account < 0:
            out = phone
        elif spec.forward:
            if spec.account not in per_forward:
                continue
            out = per_forward[spec.account]
        elif spec.account in per_account:
            out = per_account[spec.account]
        else:
            continue
        out.append(f"{spec.key} = {_encode(spec, get_path(settings, spec.path))}")
        if spec.key.endswith(".sip_server.1.expires"):
            out += _proxy_lines(spec.account + 1, settings.accounts[spec.account].outbound_proxy)
    numbers = settings.forward.never_forward
    phone.append(f"{EMERGENCY_ENABLE} = {1 if numbers else 0}")
    phone.append(f"{EMERGENCY_NUMBERS} = {LIST.encode(numbers) if numbers else NULL}")
    for prefix, path in DICT_KEYS:
        values: dict[str, str] = get_path(settings, path)
        phone += [f"{prefix}{name} = {values[name]}" for name in sorted(values)]
    phone += export_dialplan(settings)
    when = time.strftime("%Y-%m-%d %H:%M:%S")
    lines = [
        HEADER,
        f"# DeskPhone {__version__} settings export, {when}.",
        "# Passwords included." if include_passwords else "# Passwords are not included.",
        "",
        "## Phone",
        *phone,
    ]
    for i, rows in per_account.items():
        lines += ["", f"## Account {i + 1}", *rows]
    for i, rows in per_forward.items():
        lines += ["", f"## Call forward of account {i + 1}", *rows]
    return "\n".join(lines) + "\n"


def _proxy_lines(n: int, proxy: str) -> list[str]:
    host, port = split_host_port(proxy)
    return [
        f"account.{n}.outbound_proxy_enable = {1 if proxy else 0}",
        f"account.{n}.outbound_host = {host or NULL}",
        f"account.{n}.outbound_port = {port or NULL}",
    ]
