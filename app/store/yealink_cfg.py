"""Import and export of Yealink provisioning `.cfg` files (the T4x/T5x auto-provisioning format).

Format: first line `#!version:1.0.0.1`, `#` comment lines, `key = value` lines. A blank value
leaves the setting unchanged and `%NULL%` clears it (back to DeskPhone's default; lists become
empty), as on the phone. Every key is accounted for in the ImportReport: applied, unsupported,
refused (with the reason, naming the key) or malformed (with its line number); the rest of the
file still imports. Export writes every setting DeskPhone has, so importing an export gives the
same settings. Passwords are left out of exports unless `include_passwords=True`; without them
a re-import keeps the passwords already set.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.phone.settings import AccountSettings, ForwardSet, Settings
from app.store.paths import get_path, has_path, path_sort_key, reset_path, set_path
from app.store.validate import ACTION_URL_EVENTS, MAX_ACCOUNTS, TONE_NAMES, validate_settings
from app.store.yealink_dialplan import dialplan_key
from app.store.yealink_export import export_cfg
from app.store.yealink_keys import (
    BOOL,
    DICT_KEYS,
    DIRECTORY_URL_KEY,
    EMERGENCY_ENABLE,
    EMERGENCY_NUMBERS,
    HEADER,
    KEYS,
    LIST,
    NULL,
    PROXY_KEYS,
    KeySpec,
    split_host_port,
)

_KEY_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")
_ACCOUNT_RE = re.compile(r"^account\.(\d+)\.(.+)$")
_DICT_NAMES = {"audio.custom_tones": TONE_NAMES, "remote.action_urls": ACTION_URL_EVENTS}


@dataclass(frozen=True)
class Entry:
    line: int
    key: str
    value: str
    source: str = ""

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.source else f"line {self.line}"


@dataclass
class ReportLine:
    line: int
    key: str
    message: str
    source: str = ""

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.source else f"line {self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


@dataclass
class ImportReport:
    applied: list[str] = field(default_factory=list)  # keys taken over
    unsupported: list[ReportLine] = field(default_factory=list)
    malformed: list[ReportLine] = field(default_factory=list)
    refused: list[ReportLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    directory_url: str = ""  # local_contact.data.url, if the file names one

    @property
    def unsupported_keys(self) -> list[str]:
        return [r.key for r in self.unsupported]

    def text(self) -> str:
        """A summary to show the user; never contains a value of a password key."""
        out = [f"{len(self.applied)} settings imported."]
        for title, rows in (
            ("Malformed lines (skipped)", self.malformed),
            ("Values refused", self.refused),
            ("Keys DeskPhone does not support (ignored)", self.unsupported),
        ):
            if rows:
                out.append(f"{title}:")
                out += [f"  {r}" for r in rows]
        out += self.notes
        return "\n".join(out)


# ---- parsing ------------------------------------------------------------------------------


def parse_cfg(text: str, source: str = "") -> tuple[list[Entry], list[ReportLine]]:
    """Split a .cfg into entries; malformed lines come back as report lines, never raise."""
    entries: list[Entry] = []
    bad: list[ReportLine] = []
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != HEADER:
        bad.append(ReportLine(1, "", f"first line must be '{HEADER}'", source))
    for n, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("include:"):
            bad.append(ReportLine(n, "", "include: lines (.boot files) are not followed", source))
            continue
        key, eq, value = line.partition("=")
        key = key.strip()
        if not eq:
            shown = "" if "pass" in line.lower() else f" ('{line[:40]}')"
            bad.append(ReportLine(n, "", f"no '=' between key and value{shown}", source))
        elif not _KEY_RE.match(key):
            shown = key[:40] if "pass" not in key.lower() else "?"
            bad.append(ReportLine(n, "", f"'{shown}' is not a key name", source))
        else:
            entries.append(Entry(n, key, value.strip(), source))
    return entries, bad


# ---- applying entries ---------------------------------------------------------------------


@dataclass
class _Apply:
    settings: Settings
    base: Settings
    report: ImportReport
    origin: dict[str, Entry] = field(default_factory=dict)  # settings path -> entry that set it
    proxy: dict[int, dict[str, Entry]] = field(default_factory=dict)
    emergency: dict[str, Entry] = field(default_factory=dict)

    def refuse(self, e: Entry, message: str) -> None:
        self.report.refused.append(ReportLine(e.line, e.key, message, e.source))

    def put(self, e: Entry, path: str, value: Any) -> None:
        set_path(self.settings, path, value)
        self.origin[path] = e
        self.report.applied.append(e.key)


def _decode(spec: KeySpec, e: Entry, s: Settings) -> tuple[bool, Any]:
    if e.value != NULL:
        return True, spec.codec.decode(e.value)
    current = get_path(s, spec.path)
    if isinstance(current, list):
        return True, []
    scratch = copy.deepcopy(s)
    reset_path(scratch, spec.path)
    return True, get_path(scratch, spec.path)


def _dict_target(key: str) -> tuple[str, str] | None:
    for prefix, path in DICT_KEYS:
        name = key[len(prefix) :]
        if key.startswith(prefix) and name in _DICT_NAMES[path]:
            return path, name
    return None


def _apply_one(job: _Apply, e: Entry) -> None:
    s = job.settings
    if e.key == DIRECTORY_URL_KEY:
        job.report.directory_url = e.value
        job.report.notes.append(
            f"{e.where}: the local directory at {e.value} is not fetched automatically; "
            "import it in Directory"
        )
        return
    m = _ACCOUNT_RE.match(e.key)
    if m and not 1 <= int(m.group(1)) <= MAX_ACCOUNTS and m.group(2) in _account_suffixes():
        job.refuse(e, f"DeskPhone has accounts 1-{MAX_ACCOUNTS}")
        return
    spec = KEYS.get(e.key)
    target = _dict_target(e.key)
    is_proxy = bool(m and m.group(2) in PROXY_KEYS)
    dial = dialplan_key(e.key)
    known = spec or target or dial or is_proxy or e.key in _EMERGENCY
    if not known:
        job.report.unsupported.append(ReportLine(e.line, e.key, "not supported", e.source))
        return
    if e.value == "":
        job.report.notes.append(f"{e.where}: {e.key} is blank, left unchanged (%NULL% clears)")
        return
    if is_proxy and m:
        job.proxy.setdefault(int(m.group(1)) - 1, {})[m.group(2)] = e
    elif e.key in _EMERGENCY:
        job.emergency[e.key] = e
    elif target is not None:
        path, name = target
        if e.value == NULL:
            get_path(s, path).pop(name, None)
            job.origin[f"{path}.{name}"] = e
            job.report.applied.append(e.key)
        else:
            job.put(e, f"{path}.{name}", e.value)
    elif dial is not None:
        try:
            job.put(e, dial.path, dial.decode(s, e.value))
        except ValueError as exc:
            job.refuse(e, str(exc))
    elif spec is not None:
        try:
            _, value = _decode(spec, e, s)
        except ValueError as exc:
            job.refuse(e, str(exc))
            return
        job.put(e, spec.path, value)


_EMERGENCY = (EMERGENCY_ENABLE, EMERGENCY_NUMBERS)


def _account_suffixes() -> set[str]:
    return {k.split(".", 2)[2] for k in KEYS if k.startswith("account.1.")} | set(PROXY_KEYS)


def _apply_proxies(job: _Apply) -> None:
    for i, keys in job.proxy.items():
        acc = job.settings.accounts[i]
        host, port = split_host_port(acc.outbound_proxy)
        enabled = bool(acc.outbound_proxy)
        first = next(iter(keys.values()))
        try:
            if "outbound_proxy_enable" in keys:
                e = keys["outbound_proxy_enable"]
                enabled = False if e.value == NULL else BOOL.decode(e.value)
            if "outbound_host" in keys:
                e = keys["outbound_host"]
                host = "" if e.value == NULL else e.value
            if "outbound_port" in keys:
                e = keys["outbound_port"]
                port = "" if e.value == NULL else str(int(e.value))
        except ValueError as exc:
            job.refuse(e, str(exc))
            continue
        if enabled and not host:
            job.refuse(first, f"outbound proxy enabled without account.{i + 1}.outbound_host")
            continue
        if host.count(":") > 1 and not host.startswith("["):
            host = f"[{host}]"  # a bare IPv6 address: outbound_proxy keeps IPv6 in brackets
        value = (f"{host}:{port}" if port else host) if enabled else ""
        job.put(first, f"accounts.{i}.outbound_proxy", value)
        job.report.applied += [k.key for k in keys.values() if k is not first]


def _apply_emergency(job: _Apply) -> None:
    if not job.emergency:
        return
    numbers = list(job.settings.forward.never_forward)
    numbers_entry = job.emergency.get(EMERGENCY_NUMBERS)
    if numbers_entry is not None:
        numbers = [] if numbers_entry.value == NULL else LIST.decode(numbers_entry.value)
    enable_entry = job.emergency.get(EMERGENCY_ENABLE)
    if enable_entry is not None:
        try:
            if enable_entry.value == NULL or not BOOL.decode(enable_entry.value):
                numbers = []
        except ValueError as exc:
            job.refuse(enable_entry, str(exc))
            return
    first = numbers_entry or enable_entry
    assert first is not None
    job.put(first, "forward.never_forward", numbers)
    job.report.applied += [e.key for e in job.emergency.values() if e is not first]


def _culprits(job: _Apply, path: str) -> list[str]:
    parts = path.split(".")
    for k in range(len(parts), 0, -1):
        ancestor = ".".join(parts[:k])
        if ancestor in job.origin:
            return [ancestor]
    parent = ".".join(parts[:-1]) + "."
    return [p for p in job.origin if p.startswith(parent)]


def _refuse_invalid(job: _Apply) -> None:
    """Values the file set that fail validation go back to what they were, and are reported."""
    noted: set[str] = set()
    for _ in range(5):
        errors = validate_settings(job.settings)
        changed = False
        for path in sorted(errors, key=path_sort_key, reverse=True):
            reason = errors[path].split(": ", 1)[-1]
            culprits = _culprits(job, path)
            if not culprits and path not in noted:
                noted.add(path)
                job.report.notes.append(f"already out of range, not from this file: {errors[path]}")
            for p in culprits:
                e = job.origin.pop(p)
                if has_path(job.base, p):
                    set_path(job.settings, p, copy.deepcopy(get_path(job.base, p)))
                elif has_path(job.settings, p):
                    reset_path(job.settings, p)
                job.refuse(e, reason if p == path else f"{reason} ({path})")
                changed = True
        if not changed:
            return


def _prepare_containers(job: _Apply, entries: list[Entry]) -> None:
    """Create the accounts and per-account forward sets the file mentions, in index order."""
    mentioned: set[int] = set()
    forwards: set[int] = set()
    for e in entries:
        spec = KEYS.get(e.key)
        m = _ACCOUNT_RE.match(e.key)
        if spec is not None and spec.account >= 0:
            mentioned.add(spec.account)
            if spec.forward:
                forwards.add(spec.account)
        elif m and m.group(2) in PROXY_KEYS and 1 <= int(m.group(1)) <= MAX_ACCOUNTS:
            mentioned.add(int(m.group(1)) - 1)
    accounts = job.settings.accounts
    for i in range(len(accounts), max(mentioned, default=-1) + 1):
        accounts.append(AccountSettings() if i in mentioned else AccountSettings(enabled=False))
        if i not in mentioned:
            job.report.notes.append(f"account {i + 1} added, disabled, to keep account numbers")
    for i in sorted(forwards):
        job.settings.forward.accounts.setdefault(i + 1, ForwardSet())


def apply_entries(
    entries: list[Entry], base: Settings | None = None, report: ImportReport | None = None
) -> tuple[Settings, ImportReport]:
    """Apply parsed entries onto a copy of `base` (later entries win); base is not changed."""
    base_copy = copy.deepcopy(base) if base is not None else Settings()
    job = _Apply(copy.deepcopy(base_copy), base_copy, report or ImportReport())
    last: dict[str, Entry] = {}
    for e in entries:
        if e.key in last:
            job.report.notes.append(
                f"{e.key} at {last[e.key].where} is set again at {e.where}; the later one is used"
            )
            del last[e.key]
        last[e.key] = e
    _prepare_containers(job, list(last.values()))
    for e in last.values():
        _apply_one(job, e)
    _apply_proxies(job)
    _apply_emergency(job)
    _refuse_invalid(job)
    return job.settings, job.report


def import_cfg(
    text: str, base: Settings | None = None, source: str = ""
) -> tuple[Settings, ImportReport]:
    entries, malformed = parse_cfg(text, source)
    return apply_entries(entries, base, ImportReport(malformed=malformed))


def read_cfg_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def import_cfg_file(path: Path, base: Settings | None = None) -> tuple[Settings, ImportReport]:
    return import_cfg(read_cfg_text(path), base, source=path.name)


__all__ = [
    "HEADER",
    "NULL",
    "Entry",
    "ImportReport",
    "ReportLine",
    "apply_entries",
    "export_cfg",
    "import_cfg",
    "import_cfg_file",
    "parse_cfg",
    "split_host_port",
]
