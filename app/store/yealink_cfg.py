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

from app.phone.settings import Settings
from app.phone.settings.declare import Declared
from app.store.paths import get_path, has_path, path_sort_key, reset_path, set_path
from app.store.validate import validate_settings
from app.store.yealink_export import export_cfg
from app.store.yealink_keys import (
    DIRECTORY_URL_KEY,
    HEADER,
    NULL,
    KeyRef,
    lookup,
    out_of_range,
    split_host_port,
)

_KEY_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")


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
    joints: dict[str, dict[str, tuple[Entry, KeyRef]]] = field(default_factory=dict)
    created: list[tuple[str, Declared]] = field(default_factory=list)  # (entry, its table)

    def refuse(self, e: Entry, message: str) -> None:
        self.report.refused.append(ReportLine(e.line, e.key, message, e.source))

    def put(self, e: Entry, path: str, value: Any) -> None:
        set_path(self.settings, path, value)
        self.origin[path] = e
        self.report.applied.append(e.key)


def _decode(ref: KeyRef, e: Entry, s: Settings) -> Any:
    if e.value != NULL:
        return ref.codec.decode(e.value)
    if isinstance(get_path(s, ref.path), list):
        return []
    scratch = copy.deepcopy(s)
    reset_path(scratch, ref.path)
    return get_path(scratch, ref.path)


def _apply_one(job: _Apply, e: Entry) -> None:
    if e.key == DIRECTORY_URL_KEY:
        job.report.directory_url = e.value
        job.report.notes.append(
            f"{e.where}: the local directory at {e.value} is not fetched automatically; "
            "import it in Directory"
        )
        return
    ref = lookup(e.key)
    if ref is None:
        refusal = out_of_range(e.key)
        if refusal:
            job.refuse(e, refusal)
        else:
            job.report.unsupported.append(ReportLine(e.line, e.key, "not supported", e.source))
        return
    if e.value == "":
        job.report.notes.append(f"{e.where}: {e.key} is blank, left unchanged (%NULL% clears)")
        return
    if ref.part:
        job.joints.setdefault(ref.path, {})[ref.part] = (e, ref)
    elif ref.name and e.value == NULL:
        dict_path = ref.path.rsplit(".", 1)[0]
        get_path(job.settings, dict_path).pop(ref.name, None)
        job.origin[ref.path] = e
        job.report.applied.append(e.key)
    else:
        try:
            value = _decode(ref, e, job.settings)
        except ValueError as exc:
            job.refuse(e, str(exc))
            return
        job.put(e, ref.path, value)
        warn = ref.declared.setting.warn
        if warn is not None and (why := warn(value)):
            job.report.notes.append(f"{e.where}: {e.key} = {e.value}: {why}")


def _apply_joint(job: _Apply, path: str, parts: dict[str, tuple[Entry, KeyRef]]) -> None:
    """The keys of one Joint setting (e.g. an account's outbound proxy), taken together."""
    given: dict[str, Any] = {}
    for part, (e, ref) in parts.items():
        try:
            given[part] = None if e.value == NULL else ref.codec.decode(e.value)
        except ValueError as exc:
            job.refuse(e, str(exc))
            return
    first, ref = next(iter(parts.values()))
    joint = ref.declared.setting.joint
    assert joint is not None
    keys = _part_keys(ref)
    try:
        value = joint.join(get_path(job.settings, path), given, keys)
    except ValueError as exc:
        job.refuse(first, str(exc))
        return
    job.put(first, path, value)
    job.report.applied += [e.key for e, _ in parts.values() if e is not first]


def _part_keys(ref: KeyRef) -> dict[str, str]:
    """Every part of ref's Joint -> its concrete key (for messages naming a missing one)."""
    joint = ref.declared.setting.joint
    assert joint is not None
    stem = ref.key[: len(ref.key) - len(ref.part)]
    return {part: stem + part for part, _ in joint.parts}


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


def _prepare_tables(job: _Apply, refs: list[KeyRef]) -> None:
    """Make the table entries the file names (accounts, forward sets, dial plan slots), in
    number order; a list keeps its numbering with padding entries."""
    wanted: dict[str, tuple[Declared, set[int]]] = {}
    for ref in refs:
        if ref.table is not None:
            table_path = ref.entry.rsplit(".", 1)[0]
            wanted.setdefault(table_path, (ref.table, set()))[1].add(ref.number)
    for table_path, (table, numbers) in wanted.items():
        t, fresh = table.setting.table, table.entry
        assert t is not None
        container = get_path(job.settings, table_path)
        if isinstance(container, list):
            for i in range(len(container), max(numbers)):
                if i + 1 in numbers:
                    container.append(fresh())
                else:
                    container.append(fresh(**dict(t.pad)))
                    job.report.notes.append(t.pad_note.format(n=i + 1))
            continue
        for n in sorted(numbers):
            if n not in container:
                container[n] = fresh()
                job.created.append((f"{table_path}.{n}", table))


def _drop_empty(job: _Apply) -> None:
    """Entries this import made that stayed empty are not kept where empty ones are not
    exported (dial plan slots whose only key was refused)."""
    for entry, table in job.created:
        t = table.setting.table
        if t is not None and t.skip_empty and get_path(job.settings, entry) == table.entry():
            reset_path(job.settings, entry)


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
    refs = [lookup(e.key) for e in last.values()]
    _prepare_tables(job, [r for r in refs if r is not None])
    for e in last.values():
        _apply_one(job, e)
    for path, parts in job.joints.items():
        _apply_joint(job, path, parts)
    _refuse_invalid(job)
    _drop_empty(job)
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
