"""`deskphone --provision FILE` and `--provision-url URL [--mac MAC]`: Yealink provisioning
from the command line, into the config directory's settings, without opening a window.

The report (keys imported, unsupported keys, malformed lines with their numbers) goes to
stdout. Exit status: 0 when the settings were imported and saved, 1 (with the reason on
stderr) when the file or server could not be read or the settings could not be saved.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import TextIO

from app.phone.settings import Settings
from app.store.errors import StoreError
from app.store.provision_http import ProvisionError, provision
from app.store.provision_risk import plain_http_warning
from app.store.settings_file import SettingsFile
from app.store.yealink_cfg import ImportReport, import_cfg_file


def _finish(
    store: SettingsFile,
    before: Settings,
    settings: Settings,
    report: ImportReport,
    source: str,
    err: TextIO,
) -> int:
    print(f"Provisioning from {source}")
    print(report.text())
    try:
        # Only what the import changed: a running DeskPhone's own change meanwhile stays.
        store.save_edits(before, settings)
    except StoreError as exc:
        print(f"deskphone: settings not saved: {exc}", file=err)
        return 1
    print(f"Settings saved in {store.config_dir}")
    return 0


def provision_file(config_dir: Path, path: Path, err: TextIO | None = None) -> int:
    """Import a Yealink .cfg onto the saved settings and save them."""
    err = err or sys.stderr
    store = SettingsFile(config_dir)
    loaded = store.load()
    if loaded.warning:
        print(f"deskphone: {loaded.warning}", file=err)
    before = copy.deepcopy(loaded.settings)
    try:
        settings, report = import_cfg_file(path, loaded.settings)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        print(f"deskphone: cannot read {path}: {why}; nothing imported", file=err)
        return 1
    return _finish(store, before, settings, report, str(path), err)


def _confirm_plain_http(risks: list[str], accept: bool, err: TextIO) -> bool:
    """A plain-http file that opens remote control or moves a server: say so, then go on only
    when the user says yes (the flag, or "y" at a terminal); nobody to ask means no."""
    print(f"deskphone: WARNING: {plain_http_warning(risks)}", file=err)
    if accept:
        print("deskphone: applying them (--accept-plain-http)", file=err)
        return True
    if sys.stdin is not None and sys.stdin.isatty():
        print("Apply them anyway? [y/N] ", end="", file=err, flush=True)
        return sys.stdin.readline().strip().lower() in ("y", "yes")
    print(
        "deskphone: not applied; use an https:// URL, or --accept-plain-http if you trust "
        "the network path to the server",
        file=err,
    )
    return False


def provision_url(
    config_dir: Path,
    url: str,
    mac: str = "",
    err: TextIO | None = None,
    *,
    accept_plain_http: bool = False,
) -> int:
    """Fetch the common and <MAC>.cfg files from a provisioning server and import them."""
    err = err or sys.stderr
    store = SettingsFile(config_dir)
    loaded = store.load()
    if loaded.warning:
        print(f"deskphone: {loaded.warning}", file=err)
    before = copy.deepcopy(loaded.settings)
    try:
        result = provision(url, mac, loaded.settings)
    except ProvisionError as exc:
        print(f"deskphone: provisioning failed: {exc}; nothing imported", file=err)
        return 1
    if (
        result.insecure
        and result.risks
        and not _confirm_plain_http(result.risks, accept_plain_http, err)
    ):
        print("deskphone: nothing imported", file=err)
        return 1
    fetched = ", ".join(result.fetched)
    return _finish(store, before, result.settings, result.report, fetched, err)
