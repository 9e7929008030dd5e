"""The test peers' port race: free_port() hands out an ephemeral port that another process may
bind before SIPp or Kamailio does (a clean-clone CI run once failed registering a far end with
SIPp's exit 254). The helpers must then carry on with a fresh port (for a far end, registered
as the contact), and say so plainly where the port must stay."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import sipnet
from tests.sipnet import (
    HOST,
    SIPP_BIND_FAILED,
    Kamailio,
    PortTaken,
    Sipp,
    SippExited,
    free_port,
    is_bound,
    kamailio,
    port_is_free,
    register_user,
    sip_options_ping,
    start_registered,
)

pytestmark = pytest.mark.sip


@pytest.fixture
def taken() -> Iterator[int]:
    """A port on HOST that this test holds, as another process would."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((HOST, 0))
        yield int(s.getsockname()[1])


def test_a_taken_port_is_replaced_and_the_new_one_registered(tmp_path: Path, taken: int) -> None:
    with kamailio(tmp_path / "kam") as kam:
        with pytest.raises(SippExited, match=f"port {taken} was taken"):
            register_user(kam, "bob", taken, tmp_path / "reg")
        bob = Sipp("uas-180-200-rtp.xml", taken, tmp_path / "sipp", service="bob", timeout=10)
        try:
            start_registered(kam, "bob", bob)
            assert bob.port != taken
            assert bob.proc is not None and bob.proc.poll() is None  # listening on the new port
            reg_log = (tmp_path / "sipp" / f"reg-{bob.port}.messages.log").read_text()
            assert f"Contact: <sip:bob@{HOST}:{bob.port}>" in reg_log, reg_log
            assert "SIP/2.0 200 OK" in reg_log, reg_log
        finally:
            bob.stop()


def test_sipp_says_254_when_its_port_is_taken(tmp_path: Path, taken: int) -> None:
    """The exit code Sipp.start() relies on, seen on this SIPp."""
    reg = Sipp("reg.xml", taken, tmp_path, target=f"{HOST}:{free_port()}", timeout=3)
    with pytest.raises(SippExited, match=f"port {taken} was taken: sipp exited 254"):
        reg.start()
    assert reg.proc is not None and reg.proc.returncode == SIPP_BIND_FAILED


def test_a_taken_media_port_is_replaced_unless_it_was_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIPp binds audio at -mp and video at -mp + 2, whatever the scenario: with the video port
    held, a fixed -mp is reported, a chosen one is replaced by a fresh pair."""
    media = sipnet.free_even_port_pair()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as video:
        video.bind((HOST, media + 2))
        fixed = Sipp("uas-180-200-rtp.xml", free_port(), tmp_path, timeout=10, media_port=media)
        with pytest.raises(SippExited, match=f"media port {media} or {media + 2}"):
            fixed.start()
        assert fixed.proc is not None and fixed.proc.returncode == SIPP_BIND_FAILED
        firsts = iter([media])
        chosen = sipnet.free_even_port_pair
        monkeypatch.setattr(sipnet, "free_even_port_pair", lambda: next(firsts, 0) or chosen())
        uas = Sipp("uas-180-200-rtp.xml", free_port(), tmp_path, timeout=10).listen()
        try:
            assert uas.proc is not None and uas.proc.poll() is None
            assert next(firsts, None) is None  # the held pair was tried first
            assert is_bound(uas.port) and not is_bound(media)
        finally:
            uas.stop()


def test_listen_moves_off_a_taken_port(tmp_path: Path, taken: int) -> None:
    uas = Sipp("uas-180-200-rtp.xml", taken, tmp_path, timeout=10).listen()
    try:
        assert uas.port != taken
        assert uas.proc is not None and uas.proc.poll() is None
        assert not port_is_free(uas.port)  # SIPp holds the new one
    finally:
        uas.stop()


def test_kamailio_moves_off_a_taken_port_unless_told_to_keep_it(tmp_path: Path, taken: int) -> None:
    kept = Kamailio(taken, tmp_path / "kept")
    with pytest.raises(PortTaken, match="Address already in use"):
        kept.start(keep_port=True)
    kam = Kamailio(taken, tmp_path / "moved")
    kam.start()
    try:
        assert kam.port != taken
        assert sip_options_ping(kam.port, 2.0)
    finally:
        kam.stop()
