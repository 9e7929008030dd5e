"""Reading, writing and resetting a Settings value by its key path (`accounts.0.port`)."""

from __future__ import annotations

import re
from dataclasses import is_dataclass
from typing import Any


def _step(obj: Any, part: str) -> Any:
    if isinstance(obj, list):
        return obj[int(part)]
    if isinstance(obj, dict):
        return obj[_dict_key(obj, part)]
    return getattr(obj, part)


def _dict_key(obj: dict[Any, Any], part: str) -> Any:
    for k in obj:
        if str(k) == part:
            return k
    return part


def get_path(root: Any, path: str) -> Any:
    obj = root
    for part in path.split("."):
        obj = _step(obj, part)
    return obj


def set_path(root: Any, path: str, value: Any) -> None:
    parts = path.split(".")
    parent = root
    for part in parts[:-1]:
        parent = _step(parent, part)
    last = parts[-1]
    if isinstance(parent, list):
        parent[int(last)] = value
    elif isinstance(parent, dict):
        parent[_dict_key(parent, last)] = value
    else:
        setattr(parent, last, value)


def has_path(root: Any, path: str) -> bool:
    try:
        get_path(root, path)
    except (KeyError, IndexError, AttributeError, ValueError):
        return False
    return True


def reset_path(root: Any, path: str) -> None:
    """Put the value at `path` back to its default; list items and dict entries are removed."""
    parts = path.split(".")
    parent = root
    for part in parts[:-1]:
        parent = _step(parent, part)
    last = parts[-1]
    if isinstance(parent, list):
        del parent[int(last)]
    elif isinstance(parent, dict):
        parent.pop(_dict_key(parent, last), None)
    elif is_dataclass(parent):
        cls: Any = type(parent)
        fresh = cls()
        setattr(parent, last, getattr(fresh, last))


def path_sort_key(path: str) -> list[tuple[int, int | str]]:
    """Natural order, so resetting from the last path keeps list indexes of earlier ones valid."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"\.", path)]
