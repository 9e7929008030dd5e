"""`python -m app.engine`: the engine process, started by the UI or run headless."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from app.engine.options import EngineOptions
from app.engine.runtime import Engine
from app.logs import setup_logging
from app.paths import default_config_dir, log_problems, prepare_config_dir, runtime_dir


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="deskphone-engine", description="DeskPhone SIP engine")
    p.add_argument("--config-dir", type=Path, default=None)
    p.add_argument("--control", type=Path, default=None, help="Unix socket path for clients")
    p.add_argument("--sip-port", type=int, default=None)
    p.add_argument("--bind", default="", help="address to bind SIP and media to (default all)")
    p.add_argument("--log-file", type=Path, default=None)
    p.add_argument("--log-level", default="INFO")
    p.add_argument("--sip-log-level", type=int, default=4)
    p.add_argument(
        "--exit-on-disconnect",
        action="store_true",
        help="stop when the last control client goes (used by the UI)",
    )
    p.add_argument("--test-hooks", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def _die_with_parent() -> None:
    """A supervised engine must not outlive its window, even if the UI is SIGKILLed."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


# The SIP thread takes the GIL back for every pjsua2 callback (each log line too); a thread
# running Python meanwhile (the call flow recorder's batch, an audio callback) gives it up only
# after the switch interval: 5 ms by default, the whole budget of a 302 -> INVITE many times.
GIL_SWITCH_S = 0.0005


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.setswitchinterval(GIL_SWITCH_S)
    if args.exit_on_disconnect:
        _die_with_parent()
    config_dir: Path = args.config_dir or default_config_dir()
    problems = prepare_config_dir(config_dir)
    setup_logging(args.log_file or config_dir / "logs" / "engine.log", args.log_level)
    log_problems(problems)
    control = args.control or runtime_dir() / "engine.sock"
    engine = Engine(
        EngineOptions(
            config_dir=config_dir,
            control_path=control,
            sip_port=args.sip_port,
            bind=args.bind,
            exit_on_disconnect=args.exit_on_disconnect,
            test_hooks=args.test_hooks,
            sip_log_level=args.sip_log_level,
        )
    )
    try:
        return engine.run()
    except Exception:
        logging.getLogger("deskphone.engine").exception("engine failed")
        return 1


if __name__ == "__main__":
    sys.exit(main())
