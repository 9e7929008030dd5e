"""Loading and saving the settings (app/phone/settings.py) as JSON in the config directory.

Writes are atomic (write, fsync, rename) so a crash mid-save leaves the previous file intact.
A file that cannot be read is moved aside with a timestamp and defaults are used; the caller
gets a warning text to show. Passwords never reach settings.json: they go to the SecretStore
(keyring or a private file). The file carries a schema number; older files are migrated.
"""

from __future__ import annotations

import functools
import json
import logging
import shutil
import time
import typing
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

from app.phone.settings import Settings, spec
from app.phone.settings.declare import declared
from app.phone.settings.remote import split_url_credentials
from app.store.errors import InvalidSettings, StoreError
from app.store.fsutil import atomic_write, safe_write
from app.store.paths import get_path, path_sort_key, reset_path
from app.store.secrets import SecretStore
from app.store.validate import validate_settings

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SETTINGS_FILE",
    "InvalidSettings",
    "LoadResult",
    "StoreError",
    "atomic_write",
    "load_settings",
    "migrate",
    "save_settings",
    "settings_from_dict",
    "settings_to_dict",
]

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"
# 1: the first store, passwords inside settings.json. 2: passwords in the SecretStore.
# 3: "Allow remote control?" on by default, as on a Yealink.
SCHEMA_VERSION = 3


def _build(cls: type[Any], raw: Any) -> Any:
    """Rebuild a (nested) settings dataclass from JSON, ignoring unknown keys."""
    if not isinstance(raw, dict):
        raise ValueError(f"{cls.__name__}: expected an object, got {type(raw).__name__}")
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in raw:
            continue
        value = raw[f.name]
        hint = hints[f.name]
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if is_dataclass(hint):
            value = _build(hint, value)  # type: ignore[arg-type]
        elif origin is list and args and is_dataclass(args[0]):
            value = [_build(args[0], v) for v in value]  # type: ignore[arg-type]
        elif origin is dict and len(args) == 2 and is_dataclass(args[1]):
            value = {args[0](k): _build(args[1], v) for k, v in value.items()}  # type: ignore[arg-type]
        elif origin is dict and len(args) == 2 and args[0] is int:
            value = {int(k): v for k, v in value.items()}
        kwargs[f.name] = value
    return cls(**kwargs)


def settings_from_dict(raw: dict[str, Any]) -> Settings:
    result: Settings = _build(Settings, raw)
    return result


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    return asdict(settings)


# ---- passwords: the settings declared secret=True --------------------------------------------


@functools.cache
def _secret_templates() -> tuple[tuple[str, int], ...]:
    """(key path with {i} for a list index, how many entries the list may have) per password."""
    out: list[tuple[str, int]] = []

    def walk(cls: Any, path: str, count: int) -> None:
        for d in declared(cls):
            sub = f"{path}{d.name}"
            t = d.setting.table
            if t is not None and typing.get_origin(d.type) is list:
                walk(d.entry, f"{sub}.{{i}}.", t.count)
            elif d.is_group:
                walk(d.type, f"{sub}.", count)
            elif d.setting.secret:
                out.append((sub, count))

    walk(Settings, "", 0)
    return tuple(out)


def secret_name(path: str) -> str:
    """A password's name in the SecretStore: its key path (accounts were named
    `account.<index>.password` first; kept, so stored passwords are found)."""
    return "account." + path.removeprefix("accounts.") if path.startswith("accounts.") else path


def _slots(root: Any) -> list[tuple[str, Any, str]]:
    """(secret name, parent, attribute) of every password in settings or a raw settings dict."""
    found: list[tuple[str, Any, str]] = []
    for template, _ in _secret_templates():
        parents: list[tuple[str, Any]] = [("", root)]
        *steps, attr = template.split(".")
        for step in steps:
            nxt: list[tuple[str, Any]] = []
            for path, obj in parents:
                items = obj if isinstance(obj, list) else []
                if step == "{i}":
                    nxt += [(f"{path}{i}.", item) for i, item in enumerate(items)]
                elif isinstance(obj, dict) and isinstance(obj.get(step), dict | list):
                    nxt.append((f"{path}{step}.", obj[step]))
                elif not isinstance(obj, dict | list) and hasattr(obj, step):
                    nxt.append((f"{path}{step}.", getattr(obj, step)))
            parents = nxt
        found += [(secret_name(path + attr), obj, attr) for path, obj in parents]
    return found


def _strip_inline_passwords(raw: dict[str, Any], secrets: SecretStore) -> bool:
    """Move passwords found in a raw settings dict into the secret store; True if any."""
    found = {
        name: str(obj.pop(attr))
        for name, obj, attr in _slots(raw)
        if isinstance(obj, dict) and obj.get(attr)
    }
    if found:
        secrets.set_many(found)
    return bool(found)


def _unused_secrets(settings: Settings) -> list[str]:
    """Names of passwords of list entries beyond the ones in use (removed accounts)."""
    names = []
    for template, count in _secret_templates():
        if "{i}" in template:
            used = len(get_path(settings, template.split(".{i}.")[0]))
            names += [secret_name(template.replace("{i}", str(i))) for i in range(used, count)]
    return names


# ---- migrations: MIGRATIONS[n] turns a schema-n dict into a schema-(n+1) dict --------------

Migration = Callable[[dict[str, Any], SecretStore], dict[str, Any]]


def _v1_to_v2(raw: dict[str, Any], secrets: SecretStore) -> dict[str, Any]:
    _strip_inline_passwords(raw, secrets)
    return raw


def _v2_to_v3(raw: dict[str, Any], secrets: SecretStore) -> dict[str, Any]:
    """Schema 2 wrote the old default (no prompt) into every file. Where Action URI is off
    nobody relies on it, so the new default applies; where it is on, a dialler program may
    depend on no question being asked, so the user's working set-up is kept. And a
    provisioning URL carrying user:password is split into the user and password settings,
    the password going to the secret store."""
    remote = raw.get("remote")
    if isinstance(remote, dict) and not remote.get("action_uri_enabled"):
        remote["action_uri_prompt"] = True
    prov = raw.get("provisioning")
    if isinstance(prov, dict) and isinstance(prov.get("url"), str):
        prov["url"], user, password = split_url_credentials(prov["url"])
        if user or password:
            prov["user"], prov["password"] = user, password
    _strip_inline_passwords(raw, secrets)  # the password leaves the file now
    return raw


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2, 2: _v2_to_v3}


def migrate(raw: dict[str, Any], secrets: SecretStore) -> tuple[dict[str, Any], int]:
    """Run the migrations from the file's schema (1 when absent) up; returns (dict, old)."""
    old = raw.get("schema", 1)
    if not isinstance(old, int) or isinstance(old, bool) or old < 1:
        raise ValueError(f"schema {old!r} is not a version number")
    version = old
    while version < SCHEMA_VERSION:
        raw = MIGRATIONS[version](raw, secrets)
        version += 1
        raw["schema"] = version
    return raw, old


# ---- load ---------------------------------------------------------------------------------


@dataclass
class LoadResult:
    """The settings read from disk, and what to tell the user about them."""

    settings: Settings
    warning: str = ""  # shown on screen and logged when the file was broken or values reset
    secrets_note: str = ""  # where passwords are kept, for the settings dialog


def _move_aside(path: Path, why: str, secrets: SecretStore) -> LoadResult:
    aside = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
    n = 1
    while aside.exists():
        aside = aside.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
        n += 1
    try:
        path.rename(aside)
    except OSError:
        aside = path
    msg = f"Settings file unreadable ({why}); kept as {aside.name}, defaults loaded"
    log.error(msg)
    settings = Settings(schema=SCHEMA_VERSION)
    _fill_secrets(settings, secrets)
    return LoadResult(settings, warning=msg, secrets_note=secrets.where)


def _fill_secrets(settings: Settings, secrets: SecretStore) -> None:
    for name, obj, attr in _slots(settings):
        setattr(obj, attr, secrets.get(name))


def _too_long(path: str) -> int:
    """The entry count of the list table at `path` (e.g. accounts), 0 if it is not one."""
    try:
        d = spec(path)
    except KeyError:
        return 0
    table = d.setting.table
    is_list = d.name == path.rsplit(".", 1)[-1] and typing.get_origin(d.type) is list
    return table.count if table is not None and is_list else 0


def _reset_invalid(settings: Settings) -> list[str]:
    errors = validate_settings(settings)
    tables = {p: n for p in errors if (n := _too_long(p))}
    for path, count in tables.items():  # too many: keep the first ones rather than none
        del get_path(settings, path)[count:]
    for path in sorted((p for p in errors if p not in tables), key=path_sort_key, reverse=True):
        try:
            reset_path(settings, path)
        except (KeyError, IndexError, AttributeError, ValueError):
            log.warning("could not reset %s", path)
    return list(errors.values())


def load_settings(config_dir: Path, secrets: SecretStore | None = None) -> LoadResult:
    secrets = secrets if secrets is not None else SecretStore(config_dir)
    path = config_dir / SETTINGS_FILE
    if not path.exists():
        settings = Settings(schema=SCHEMA_VERSION)
        _fill_secrets(settings, secrets)
        return LoadResult(settings, secrets_note=secrets.where)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("top level is not an object")
        raw, old = migrate(raw, secrets)
        dirty = old < SCHEMA_VERSION or _strip_inline_passwords(raw, secrets)
        settings = settings_from_dict(raw)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        return _move_aside(path, str(exc), secrets)
    warnings: list[str] = []
    if old > SCHEMA_VERSION:
        keep = path.with_name(f"{path.name}.schema{old}")
        if not keep.exists():
            shutil.copy2(path, keep)
        warnings.append(
            f"Settings were written by a newer DeskPhone (schema {old}); loaded what this "
            f"version knows, the original is kept as {keep.name}"
        )
    settings.schema = SCHEMA_VERSION
    refused = _reset_invalid(settings)
    if refused:
        warnings.append("Settings out of range were reset to defaults: " + "; ".join(refused))
    _fill_secrets(settings, secrets)
    if dirty and not refused:
        try:  # rewrite now so no password stays in settings.json on disk
            _write(config_dir, settings)
        except StoreError as exc:
            warnings.append(str(exc))
    for w in warnings:
        log.warning(w)
    return LoadResult(settings, warning="\n".join(warnings), secrets_note=secrets.where)


# ---- save ---------------------------------------------------------------------------------


def _write(config_dir: Path, settings: Settings) -> None:
    data = settings_to_dict(settings)
    data["schema"] = SCHEMA_VERSION
    for _, obj, attr in _slots(data):
        obj[attr] = ""
    text = json.dumps(data, indent=2, sort_keys=True)
    safe_write("the settings", config_dir / SETTINGS_FILE, text.encode("utf-8"))


def save_settings(config_dir: Path, settings: Settings, secrets: SecretStore | None = None) -> None:
    """Validate, put the passwords in the secret store, then write settings.json atomically.

    Raises InvalidSettings (errors by key path) or StoreError (a sentence for the user); in
    both cases the previously saved settings are untouched.
    """
    errors = validate_settings(settings)
    if errors:
        raise InvalidSettings(errors)
    secrets = secrets if secrets is not None else SecretStore(config_dir)
    values = {name: str(getattr(obj, attr)) for name, obj, attr in _slots(settings)}
    values.update({name: "" for name in _unused_secrets(settings) if secrets.get(name)})
    secrets.set_many(values)
    _write(config_dir, settings)
