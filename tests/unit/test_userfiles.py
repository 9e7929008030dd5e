"""Files named in the settings are read only if they are small regular files."""

from __future__ import annotations

import os
import threading
import time
import wave
from pathlib import Path

import pytest

from app.audio.ringtone_loader import RingtoneLoader, load_ringtone
from app.audio.ringtones import Ringtone, RingtoneError
from app.userfiles import UserFileError, ca_file_problem, read_user_file


def test_only_small_regular_files_are_read(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2049)
    ok = tmp_path / "ok"
    ok.write_bytes(b"hello")
    started = time.monotonic()
    for path, why in (
        (fifo, "not a regular file"),  # at once: no writer is waited for
        (Path("/dev/zero"), "not a regular file"),
        (tmp_path, "not a regular file"),
        (big, "larger than 2 KB"),
        (tmp_path / "missing", "No such file"),
    ):
        with pytest.raises(UserFileError, match=why):
            read_user_file(path, 2048)
    assert time.monotonic() - started < 2
    assert read_user_file(ok, 2048) == b"hello"


def test_ca_files(tmp_path: Path) -> None:
    pem = tmp_path / "ca.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    assert ca_file_problem(str(pem)) == ""
    assert ca_file_problem("") == ""
    assert ca_file_problem("ca.pem").startswith("give the full path")
    assert ca_file_problem(str(tmp_path / "no.pem")) == "no such file"
    assert ca_file_problem("/dev/zero") == "not a regular file"
    (tmp_path / "shadow").write_text("root:$6$salt$hash:19000:0:99999:7:::\n")
    assert ca_file_problem(str(tmp_path / "shadow")).startswith("not a PEM certificate file")


def _wav(path: Path, rate: int = 8000) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x10" * rate)


def test_a_fifo_ringtone_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "ring.wav"
    os.mkfifo(fifo)
    with pytest.raises(RingtoneError, match=r"ring\.wav: not a regular file"):
        load_ringtone(str(fifo))


def test_ringtone_files_are_loaded_off_the_calling_thread(tmp_path: Path) -> None:
    good = tmp_path / "good.wav"
    _wav(good)
    release = threading.Event()
    asked: list[str] = []

    def slow_load(choice: str) -> Ringtone:
        asked.append(choice)
        release.wait(5)
        return load_ringtone(choice)

    loader = RingtoneLoader(slow_load)
    loader.want("Ring3")  # built-ins are made where they ring, never queued here
    assert loader.get(str(good)) is None  # asked: loading, the caller is not held
    release.set()
    deadline = time.monotonic() + 5
    while (got := loader.get(str(good))) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert isinstance(got, Ringtone) and got.seconds == pytest.approx(1.0)
    assert asked == [str(good)]
    fifo = tmp_path / "fifo.wav"
    os.mkfifo(fifo)
    loader.want(str(fifo))
    while (bad := loader.get(str(fifo))) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert isinstance(bad, RingtoneError) and "not a regular file" in str(bad)
