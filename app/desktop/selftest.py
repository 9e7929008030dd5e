"""`deskphone --selftest`: can this installation run? Engine, window, audio, resources.

Useful to users ("does it work here?") and to test a packaged bundle on a clean machine. The
window is opened offscreen and the engine binds 127.0.0.1 on a free port with a throwaway
config dir, so a self-test never touches the user's settings or the network. A missing audio
device is only a warning (a headless box can still prove the rest); everything else fails.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import __version__
from app.desktop.resources import icon_svg, required_files

OK, WARN, FAIL = "ok", "warn", "FAIL"
ENGINE_TIMEOUT = 30.0


@dataclass
class Report:
    lines: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, status: str, what: str, detail: str) -> None:
        self.lines.append((status, what, detail))

    @property
    def failed(self) -> bool:
        return any(status == FAIL for status, _, _ in self.lines)

    def render(self) -> str:
        out = [f"DeskPhone {__version__} self-test (Python {sys.version.split()[0]})"]
        out += [f"  [{status:>4}] {what}: {detail}" for status, what, detail in self.lines]
        warnings = sum(1 for status, _, _ in self.lines if status == WARN)
        verdict = "FAILED" if self.failed else "passed"
        out.append(f"self-test {verdict} ({warnings} warning{'s' * (warnings != 1)})")
        return "\n".join(out)


def check_resources(report: Report) -> None:
    missing = [str(p) for p in required_files() if not p.is_file()]
    if missing:
        report.add(FAIL, "resources", "missing " + ", ".join(missing))
        return
    from PySide6.QtSvg import QSvgRenderer

    if not QSvgRenderer(str(icon_svg())).isValid():
        report.add(FAIL, "resources", f"cannot draw {icon_svg()}")
        return
    report.add(OK, "resources", str(icon_svg().parent.parent))


def check_audio(report: Report) -> None:
    try:
        import sounddevice
    except (OSError, ImportError) as exc:  # no PortAudio: no call could ever have sound
        report.add(FAIL, "audio", f"PortAudio not usable ({exc})")
        return
    if importlib.util.find_spec("audioop") is None:  # the bridge's arithmetic (app/audio/pcm.py)
        report.add(FAIL, "audio", "the audioop module is missing: calls would have no sound")
        return
    try:
        devices = list(sounddevice.query_devices())
    except Exception as exc:  # PortAudio raises its own error types
        report.add(WARN, "audio", f"cannot list devices: {exc}")
        return
    inputs = sum(1 for d in devices if d.get("max_input_channels", 0) > 0)
    outputs = sum(1 for d in devices if d.get("max_output_channels", 0) > 0)
    version = sounddevice.get_portaudio_version()[1].split(",")[0]
    library = getattr(sounddevice, "_libname", "?")
    detail = f"{inputs} input, {outputs} output devices ({version}, {library})"
    report.add(OK if inputs and outputs else WARN, "audio", detail)


def check_engine(report: Report, engine_timeout: float = ENGINE_TIMEOUT) -> None:
    from app.client.supervisor import EngineConfig, EngineSupervisor

    snapshot: dict[str, Any] = {}
    ready = threading.Event()

    def on_event(msg: dict[str, Any]) -> None:
        if msg.get("ev") == "snapshot" and not ready.is_set():
            snapshot.update(msg)
            ready.set()

    with tempfile.TemporaryDirectory(prefix="deskphone-selftest-") as tmp:
        config = EngineConfig(
            config_dir=Path(tmp) / "config",
            control_path=Path(tmp) / "engine.sock",
            sip_port=0,
            bind="127.0.0.1",
        )
        config.config_dir.mkdir()
        supervisor = EngineSupervisor(config, on_event, lambda status, info: None)
        started = time.monotonic()
        supervisor.start()
        got = ready.wait(engine_timeout)
        took = time.monotonic() - started
        code = supervisor.stop()
        if not got:
            report.add(FAIL, "engine", f"no answer within {engine_timeout:.0f} s ({code})")
            return
        transport = snapshot.get("transport") or {}
        where = f"SIP on port {transport.get('port', '?')}" if transport else "no SIP transport"
        status = OK if code == 0 and transport else FAIL
        report.add(status, "engine", f"{where}, ready in {took:.1f} s, exit code {code}")


Check = Callable[[Report], None]


def run_checks(checks: list[Check]) -> Report:
    report = Report()
    for check in checks:
        try:
            check(report)
        except Exception as exc:  # a broken install must give a report, not a traceback
            name = check.__name__.removeprefix("check_")
            report.add(FAIL, name, f"{type(exc).__name__}: {exc}")
    return report


def main(check_window: Check) -> int:
    """The report on stdout; exit 1 if a check failed. `check_window` comes from ui/launch.py
    (the window is a layer above this one)."""
    # Offscreen on purpose: the self-test must also run over SSH and in CI.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    report = run_checks([check_resources, check_window, check_audio, check_engine])
    print(report.render(), flush=True)
    return 1 if report.failed else 0
