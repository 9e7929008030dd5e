"""`deskphone`'s command line (the program is app/__main__.py, also `python -m app`).

The window is Qt and lives in ui/, above this layer: the program hands in a `WindowSide`
(ui/launch.py), so this module starts the window without importing it, and the headless
commands (--version, --provision, --install-desktop) never load Qt.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from app import __version__
from app.desktop.early_engine import start_engine
from app.desktop.single_instance import (
    HandoffError,
    InstanceDirError,
    InstanceLock,
    InstancePaths,
    hand_over,
)
from app.desktop.uris import normalise
from app.paths import default_config_dir, log_problems, prepare_config_dir, runtime_dir

if TYPE_CHECKING:  # tempfile, shutil...: not on the way to the engine's start (start-up time)
    from app.desktop.early_engine import EarlyEngine
    from app.desktop.selftest import Report

NO_DISPLAY = (
    "deskphone: no display found (DISPLAY and WAYLAND_DISPLAY are unset).\n"
    "Run it on a desktop, or on a virtual display:  xvfb-run -a deskphone"
)


class UiOptions(NamedTuple):
    """How the window process runs: what the command line asked for.

    A NamedTuple, not a dataclass: `dataclasses` (and the `inspect` it loads) would be loaded
    before the engine is started, on the way to the registered screen (docs/footprint.md §1)."""

    config_dir: Path
    control_path: Path
    sip_port: int | None = None
    bind: str = ""
    log_level: str = "INFO"
    dial: str = ""
    startup_probe: bool = False
    test_hooks: bool = False
    instance: InstancePaths | None = None  # listen here for links from later launches
    engine: EarlyEngine | None = None  # started before the window loads Qt (_run_ui)


class WindowSide(Protocol):
    """The window, as the command line sees it (ui/launch.py)."""

    def run(self, options: UiOptions) -> int:
        """Open the window and run until it quits; the exit code."""
        ...

    def check_window(self, report: Report) -> None:
        """--selftest: can the window be drawn here (offscreen)?"""
        ...


NO_WINDOW = "deskphone: this command needs the window, which this program was started without"


def pjsua2_version() -> str:
    from importlib import metadata  # email, zipfile, csv...: only for --version

    try:
        return metadata.version("pjsua2-python")
    except metadata.PackageNotFoundError:
        return "not installed"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="deskphone", description="A Yealink-style desk softphone")
    p.add_argument("uri", nargs="?", default="", help="sip:, sips:, tel: URI or number to dial")
    p.add_argument(
        "--config-dir",
        type=Path,
        default=None,
        help="settings, history and logs (default: $XDG_CONFIG_HOME/deskphone)",
    )
    p.add_argument("--sip-port", type=int, default=None, help="SIP port (default 5060)")
    p.add_argument("--bind", default="", help="address for SIP and media (default: all)")
    p.add_argument("--log-file", type=Path, default=None)
    p.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR", "debug", "info", "warning", "error"],
    )
    p.add_argument("--version", action="store_true", help="print versions and exit")
    p.add_argument(
        "--selftest", action="store_true", help="check engine, window, audio and resources"
    )
    p.add_argument(
        "--install-desktop",
        action="store_true",
        help="install the menu entry and icons, handle sip:/tel:/callto: links",
    )
    p.add_argument("--uninstall-desktop", action="store_true", help="undo --install-desktop")
    p.add_argument(
        "--provision",
        type=Path,
        metavar="FILE",
        default=None,
        help="import a Yealink .cfg into the settings and exit",
    )
    p.add_argument(
        "--provision-url",
        metavar="URL",
        default="",
        help="fetch the common and <MAC>.cfg files from a provisioning server and exit",
    )
    p.add_argument("--mac", default="", help="this device's MAC for --provision-url")
    p.add_argument(
        "--accept-plain-http",
        action="store_true",
        help="apply a plain-http file even where it turns on remote control or moves a server",
    )
    p.add_argument(
        "--call-flow",
        metavar="last|ID|list",
        default=None,
        help="print a recorded call's SIP ladder (or list them) and exit",
    )
    p.add_argument("--format", choices=["text", "pcap"], default="text", help="for --call-flow")
    p.add_argument("-o", "--output", type=Path, default=None, help="--call-flow into FILE")
    p.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--test-hooks", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None, window: WindowSide | None = None) -> int:
    """Run one command line; `window` is needed to open the window or for --selftest."""
    args = parse_args(argv)
    if args.version:
        print(
            f"DeskPhone {__version__} (pjsua2 {pjsua2_version()}, Python {sys.version.split()[0]})"
        )
        return 0
    if args.install_desktop or args.uninstall_desktop:
        from app.desktop.integration import main as integration_main

        return integration_main(install=args.install_desktop)
    if args.provision is not None or args.provision_url:
        return run_provision(args)
    if args.call_flow is not None:
        from app.callflow_cli import export

        return export(
            args.config_dir or default_config_dir(), args.call_flow, args.format, args.output
        )
    if window is None:
        print(NO_WINDOW, file=sys.stderr)
        return 2
    if args.selftest:
        from app.desktop.selftest import main as selftest_main

        return selftest_main(window.check_window)
    dial = ""
    if args.uri:
        dial = normalise(args.uri) or ""
        if not dial:
            print(f"deskphone: cannot dial {args.uri!r}", file=sys.stderr)
            return 2
    config_dir: Path = args.config_dir or default_config_dir()
    problems = prepare_config_dir(config_dir)
    try:
        instance = InstanceLock(InstancePaths.for_config(config_dir))
    except InstanceDirError as exc:
        print(f"deskphone: {exc}", file=sys.stderr)
        return 1
    if not instance.acquire():
        # Another DeskPhone owns this config dir: it dials (or just shows itself), we leave.
        try:
            hand_over(instance.paths, "open" if dial else "show", uri=dial)
        except HandoffError as exc:
            print(f"deskphone: {exc}", file=sys.stderr)
            return 1
        return 0
    with instance:
        return _run_ui(args, config_dir, dial, instance.paths, window, problems)


def _run_ui(
    args: argparse.Namespace,
    config_dir: Path,
    dial: str,
    paths: InstancePaths,
    window: WindowSide,
    problems: list[str],
) -> int:
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    control = runtime_dir() / f"engine-{os.getpid()}.sock"
    # The engine loads and registers while this process loads Qt (app/desktop/early_engine.py):
    # started before anything else is loaded here, logging included (docs/footprint.md §1).
    engine = start_engine(
        config_dir, control, args.sip_port, args.bind, args.log_level.upper(), args.test_hooks
    )
    from app.logs import setup_logging

    setup_logging(args.log_file or config_dir / "logs" / "deskphone.log", args.log_level)
    log_problems(problems)
    return window.run(
        UiOptions(
            config_dir=config_dir,
            control_path=control,
            sip_port=args.sip_port,
            bind=args.bind,
            log_level=args.log_level.upper(),
            dial=dial,
            instance=paths,
            startup_probe=args.startup_probe,
            test_hooks=args.test_hooks,
            engine=engine,
        )
    )


def run_provision(args: argparse.Namespace) -> int:
    from app.logs import setup_logging
    from app.provision_cli import provision_file, provision_url

    config_dir: Path = args.config_dir or default_config_dir()
    problems = prepare_config_dir(config_dir)
    setup_logging(args.log_file or config_dir / "logs" / "deskphone.log", args.log_level)
    log_problems(problems)
    if args.provision is not None:
        return provision_file(config_dir, args.provision)
    return provision_url(
        config_dir, args.provision_url, args.mac, accept_plain_http=args.accept_plain_http
    )
