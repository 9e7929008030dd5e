"""Desktop links made dialable, and the per-config-dir instance lock."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from app.desktop.single_instance import (
    HandoffError,
    InstanceLock,
    InstancePaths,
    decode_message,
    hand_over,
)
from app.desktop.uris import is_link, normalise


@pytest.mark.parametrize(
    ("link", "target"),
    [
        ("sip:bob@example.org", "sip:bob@example.org"),
        ("SIP:bob@example.org", "sip:bob@example.org"),
        ("sips:bob@example.org;transport=tls", "sips:bob@example.org;transport=tls"),
        ("sip://bob@example.org", "sip:bob@example.org"),
        ("sip:bob%40home@example.org", "sip:bob%40home@example.org"),
        ("tel:+1-555-1234", "+15551234"),
        ("tel:+1 (555) 123.4;phone-context=example.com", "+15551234"),
        ("tel:%2B15551234", "+15551234"),
        ("callto:+15551234", "+15551234"),
        ("callto://+15551234", "+15551234"),
        ("callto:bob@example.org", "sip:bob@example.org"),
        ("callto:sip:bob@example.org", "sip:bob@example.org"),
        ("callto:tel:555-0100", "5550100"),
        ("  sip:bob@example.org\n", "sip:bob@example.org"),
        ("1234", "1234"),
        ("bob@example.org", "bob@example.org"),
    ],
)
def test_links_become_dial_targets(link: str, target: str) -> None:
    assert normalise(link) == target


@pytest.mark.parametrize(
    "link",
    ["", "tel:", "tel:call-me", "callto:", "callto:callto:1", "sip:", "sip:a b@c", "sip:x\x00"],
)
def test_bad_links_are_refused(link: str) -> None:
    assert normalise(link) is None


def test_is_link() -> None:
    assert is_link("tel:1") and is_link("CallTo:1") and is_link("sips:a@b")
    assert not is_link("http://x") and not is_link("1234") and not is_link("bob@host")


def test_lock_is_per_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    a, b = tmp_path / "a", tmp_path / "b"
    with InstanceLock(InstancePaths.for_config(a)) as first:
        assert first.acquire()
        assert not InstanceLock(InstancePaths.for_config(a)).acquire()
        # The same dir reached through a symlink is the same phone.
        (tmp_path / "link").symlink_to(a, target_is_directory=True)
        a.mkdir()
        assert not InstanceLock(InstancePaths.for_config(tmp_path / "link")).acquire()
        other = InstanceLock(InstancePaths.for_config(b))
        assert other.acquire()
        other.release()
    again = InstanceLock(InstancePaths.for_config(a))
    assert again.acquire(), "a released lock must be free again"
    again.release()


def test_insecure_shared_dir_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    (tmp_path / "deskphone").mkdir(mode=0o777)
    (tmp_path / "deskphone").chmod(0o777)
    with pytest.raises(PermissionError):
        InstancePaths.for_config(tmp_path / "cfg")


def test_messages_are_validated() -> None:
    assert decode_message(b'{"op":"open","uri":"sip:a@b"}') == {"op": "open", "uri": "sip:a@b"}
    assert decode_message(b'{"op":"show"}') == {"op": "show"}
    for bad in (b"", b"nonsense", b'{"op":"quit"}', b'{"op":"open"}', b"[1]", b"\xff"):
        assert decode_message(bad) is None


def test_hand_over_waits_for_ack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    paths = InstancePaths.for_config(tmp_path / "cfg")
    got: list[bytes] = []
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(paths.socket))
    server.listen(1)

    def serve(reply: bytes) -> None:
        conn, _ = server.accept()
        with conn:
            got.append(conn.makefile("rb").readline())
            conn.sendall(reply)

    t = threading.Thread(target=serve, args=(b"ok\n",))
    t.start()
    hand_over(paths, "open", uri="sip:a@b")
    t.join()
    assert decode_message(got[0]) == {"op": "open", "uri": "sip:a@b"}
    t = threading.Thread(target=serve, args=(b"error\n",))
    t.start()
    with pytest.raises(HandoffError):
        hand_over(paths, "open", uri="sip:a@b")
    t.join()
    server.close()


def test_hand_over_gives_up_when_nobody_listens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    with pytest.raises(HandoffError):
        hand_over(InstancePaths.for_config(tmp_path / "cfg"), "show", timeout=0.3)
