"""Loading and saving the settings (app/phone/settings.py) as JSON in the config directory.

Writes are atomic (write, fsync, rename) so a crash mid-save leaves the previous file intact.
A file that cannot be read is moved aside with a timestamp and defaults are used; the caller
gets a warning text to show.
"""

from __future__ import annotations

import json
import logging
import os
import time
import typing
from dataclasses import asdict, dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

from app.phone.settings import Settings

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"


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
        return LoadResult(settings_from_dict(raw))
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
    text = json.dumps(settings_to_dict(settings), indent=2, sort_keys=True)
    atomic_write(config_dir / SETTINGS_FILE, text.encode("utf-8"))
