"""`deskphone --provision FILE` / `--provision-url URL`: import into the config dir and exit."""

from __future__ import annotations

import http.server
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.phone.settings import AccountSettings, Settings
from app.store.settings import load_settings, save_settings
from app.store.yealink_cfg import import_cfg
from tests.unit.conftest import serving

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "t46g-sample.cfg"


@pytest.fixture(autouse=True)
def _keep_logging() -> Iterator[None]:
    """main() points the root logger at the config dir's log file: undo that afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for h in root.handlers:
        if h not in handlers:
            h.close()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_provision_file_imports_and_lists_unsupported_keys(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save_settings(config_dir, Settings(accounts=[AccountSettings(user="old", server="h")]))
    code = main(["--config-dir", str(config_dir), "--provision", str(SAMPLE)])
    out = capsys.readouterr().out
    assert code == 0
    assert "settings imported." in out
    assert "Keys DeskPhone does not support (ignored):" in out
    for key in ("account.1.nat.nat_traversal", "voice.vad", "phone_setting.backlight_time"):
        assert f": {key}: not supported" in out
    assert "t46g-sample.cfg:30: account.1.nat.nat_traversal" in out  # with its line
    saved = load_settings(config_dir).settings
    expected, report = import_cfg(SAMPLE.read_text(), Settings())
    assert [a.user for a in saved.accounts] == [a.user for a in expected.accounts]
    assert saved.forward == expected.forward and saved.dnd == expected.dnd
    assert saved.audio.tone_country == expected.audio.tone_country
    assert report.unsupported  # the sample really has keys DeskPhone does not take


def test_provision_unreadable_file_fails_clearly(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = Settings(accounts=[AccountSettings(user="keep", server="h")])
    save_settings(config_dir, before)
    code = main(["--config-dir", str(config_dir), "--provision", str(tmp_path / "nope.cfg")])
    err = capsys.readouterr().err
    assert code == 1
    assert "cannot read" in err and "nope.cfg" in err and "nothing imported" in err
    assert load_settings(config_dir).settings.accounts[0].user == "keep"


def test_provision_malformed_lines_are_reported_rest_imports(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "p.cfg"
    cfg.write_text(
        "#!version:1.0.0.1\naccount.1.enable = 1\nthis line is broken\n"
        "account.1.user_name = 3001\naccount.1.sip_server.1.address = 127.0.0.1\n"
    )
    assert main(["--config-dir", str(config_dir), "--provision", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "Malformed lines (skipped):" in out and "p.cfg:3" in out
    assert load_settings(config_dir).settings.accounts[0].user == "3001"


class _Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def http_folder(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    folder = tmp_path / "www"
    folder.mkdir()
    with serving(folder, _Files) as url:
        yield url, folder


def test_provision_url_with_mac(
    config_dir: Path, http_folder: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url, folder = http_folder
    (folder / "y000000000028.cfg").write_text(
        "#!version:1.0.0.1\nfeatures.dnd.enable = 1\naccount.1.user_name = common\n"
    )
    (folder / "001565aabbcc.cfg").write_text("#!version:1.0.0.1\naccount.1.user_name = 4001\n")
    args = ["--config-dir", str(config_dir), "--provision-url", url, "--mac", "00:15:65:AA:BB:CC"]
    assert main(args) == 0
    assert "001565aabbcc.cfg" in capsys.readouterr().out
    saved = load_settings(config_dir).settings
    assert saved.dnd.enabled and saved.accounts[0].user == "4001"  # the device file wins
    assert saved.provisioning.url == url


def test_provision_url_dead_server(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = main(["--config-dir", str(config_dir), "--provision-url", f"http://127.0.0.1:{port}/"])
    err = capsys.readouterr().err
    assert code == 1 and "provisioning failed" in err and "nothing imported" in err
    assert not (config_dir / "settings.json").exists()
