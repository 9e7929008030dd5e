"""The layers of app/ and ui/: which may import which, no import cycles, a pure phone core, and
the README's picture of the layers ("How it is built") saying the same as RULES below.

Every import counts: module level, inside functions (the lazy Qt imports) and under
TYPE_CHECKING, because each one is a dependency a reader and a type checker follow.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The programs: each wires the layers together, and nothing but a program imports one.
PROGRAMS = frozenset({"app.__main__", "app.engine.__main__", "app.desktop.bundle_main"})
# The version, paths, logging, the safe reading of user-named files and libc: every layer but the
# phone core may import these.
BASE = frozenset({"app", "app.paths", "app.logs", "app.userfiles", "app.libc"})

# Layer -> the layers its modules may import (besides their own layer and BASE), top down.
RULES: dict[str, frozenset[str]] = {
    "ui": frozenset(
        {"app.cli", "app.client", "app.desktop", "app.store", "app.remote", "app.audio"}
        | {"app.callflow", "app.phone"}
    ),
    "app.cli": frozenset({"app.provision_cli", "app.callflow_cli", "app.desktop"}),
    "app.provision_cli": frozenset({"app.store", "app.phone"}),
    "app.callflow_cli": frozenset({"app.store", "app.callflow"}),
    "app.desktop": frozenset({"app.client"}),
    "app.client": frozenset({"app.protocol"}),
    "app.engine": frozenset(
        {"app.protocol", "app.sip", "app.audio", "app.store", "app.remote", "app.callflow"}
        | {"app.phone"}
    ),
    "app.protocol": frozenset(),
    "app.sip": frozenset({"app.callflow", "app.phone"}),
    "app.audio": frozenset({"app.phone"}),
    "app.store": frozenset({"app.callflow", "app.phone"}),
    "app.remote": frozenset({"app.phone"}),
    "app.callflow": frozenset({"app.phone"}),
    "app.phone": frozenset(),
}

# What the phone core must never import: it is a pure state machine, tested without I/O, with
# the clock passed in (no pjsua2, Qt, sounddevice, sockets, files, processes, threads, time).
IMPURE = frozenset(
    {
        "pjsua2", "PySide6", "shiboken6", "sounddevice", "numpy", "keyring", "jeepney",
        "sqlite3", "socket", "ssl", "select", "selectors", "asyncio", "http", "urllib.request",
        "subprocess", "multiprocessing", "threading", "signal", "ctypes",
        "os", "io", "pathlib", "shutil", "tempfile", "glob", "fcntl", "mmap", "wave", "time",
    }
)  # fmt: skip

# Cycles left to other work in progress, each with the reason; nothing else may cycle.
KNOWN_CYCLES = {
    # The audio bridge is being rewritten (streams.py takes the whole DeviceBridge today).
    frozenset({"app.audio.device_bridge", "app.audio.streams"}),
}


@cache
def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for top in ("app", "ui"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _owner(name: str) -> str | None:
    """The module of ours that `import name` loads last (a package's __init__ for a name in it)."""
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


@cache
def imports(module: str) -> tuple[frozenset[str], frozenset[str]]:
    """(our modules, other modules) that `module` imports anywhere in its file."""
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    ours: set[str] = set()
    others: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            # `from a import b`: the submodule a.b when there is one, else a itself
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base
                for alias in node.names
            ]
        for name in names:
            owner = _owner(name)
            if owner is not None and owner != module:
                ours.add(owner)
            elif owner is None and name.split(".")[0] not in ("app", "ui", "__future__"):
                others.add(name)
    return frozenset(ours), frozenset(others)


def layer(module: str) -> str:
    """The RULES key a module belongs to (its own name for BASE and PROGRAMS)."""
    if module in BASE or module in PROGRAMS:
        return module
    if module.startswith("ui"):
        return "ui"
    parts = module.split(".")
    name = ".".join(parts[:2])
    assert name in RULES, f"{module}: a module outside every layer; add its layer to RULES"
    return name


def edges() -> Iterator[tuple[str, str]]:
    for module in modules():
        for target in imports(module)[0]:
            yield module, target


def cycles() -> list[frozenset[str]]:
    """Strongly connected groups of modules (Tarjan), each an import cycle."""
    graph = {m: sorted(imports(m)[0]) for m in modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(frozenset(group))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    unexpected = [sorted(group) for group in cycles() if group not in KNOWN_CYCLES]
    assert not unexpected, f"import cycles: {unexpected}"


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for module, target in edges():
        if module in PROGRAMS:
            continue
        if target in PROGRAMS:
            wrong.append(f"{module} -> {target} (a program)")
            continue
        mine, theirs = layer(module), layer(target)
        if mine == theirs:
            continue
        if module in BASE:
            wrong.append(f"{module} -> {target} (the base imports nothing of ours)")
        elif theirs in BASE:
            if mine == "app.phone":
                wrong.append(f"{module} -> {target} (the phone core imports no app module)")
        elif theirs not in RULES[mine]:
            wrong.append(f"{module} -> {target} ({mine} may not import {theirs})")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_phone_core_imports_nothing_impure() -> None:
    wrong = []
    for module in modules():
        if layer(module) != "app.phone":
            continue
        for name in imports(module)[1]:
            parts = name.split(".")
            if any(".".join(parts[:n]) in IMPURE for n in range(1, len(parts) + 1)):
                wrong.append(f"{module} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_the_checks_see_what_they_check() -> None:
    """The graph is not empty and each rule kind has something to bite on."""
    assert len(modules()) > 100 and {"app.phone.core", "ui.app", "app.engine.runtime"} <= set(
        modules()
    )
    assert ("app.engine.runtime", "app.sip.adapter") in set(edges())
    assert "app.phone.settings" in imports("ui.tray")[0]  # a lazy or typed import counts too
    assert "PySide6.QtWidgets" in imports("ui.app")[1]
    assert {layer(m) for m in modules()} >= set(RULES)


# ---- the README's picture -----------------------------------------------------------------

_LAYER_LINE = re.compile(r"^    ((?:app|ui)/\S*(?: (?:app|ui)/\S*)*)(?:\s{2,}\S.*)?$")
_ARROW_LINE = re.compile(r"^\s+→ (.*)$")


def _names(text: str) -> frozenset[str]:
    """`app/engine/ app/cli.py` -> {"app.engine", "app.cli"}."""
    out = set()
    for word in text.split():
        if not re.fullmatch(r"(?:app|ui)(?:/[\w.]*)*", word):
            break  # the rest of the line is words
        dotted = word.removesuffix("/").removesuffix(".py").replace("/", ".")
        out.add(dotted.removesuffix(".__init__"))
    return frozenset(out)


def readme_picture() -> dict[frozenset[str], str]:
    """Layer names -> the text after their → line, from README's "How it is built" block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## How it is built", 1)[1].split("\n## ", 1)[0]
    picture: dict[frozenset[str], str] = {}
    current: frozenset[str] | None = None
    arrow_of: frozenset[str] | None = None  # the layer whose → line may go on below
    for line in section.splitlines():
        head, arrow = _LAYER_LINE.match(line), _ARROW_LINE.match(line)
        if head:
            current, arrow_of = _names(head.group(1)), None
        elif arrow and current is not None:
            picture[current], arrow_of, current = arrow.group(1), current, None
        elif arrow_of is not None and line.startswith("      ") and line.strip():
            picture[arrow_of] += " " + line.strip()
        else:
            arrow_of = None
    return picture


def test_readme_picture_matches_the_rules() -> None:
    picture = readme_picture()
    expected: dict[frozenset[str], str] = {}
    for name, allowed in RULES.items():
        expected[frozenset({name})] = " ".join(sorted(allowed)) if allowed else "nothing"
    expected[PROGRAMS] = "anything"
    expected[BASE] = "nothing"
    got = {
        names: " ".join(sorted(_names(rest))) if _names(rest) else rest.split()[0].rstrip(":,")
        for names, rest in picture.items()
    }
    assert got == expected
    # the two general rules are written out where the picture shows those groups
    assert "every layer but app/phone" in picture[BASE]
    assert "nothing imports a program" in picture[PROGRAMS]
