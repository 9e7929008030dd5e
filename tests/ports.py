"""Ports for the test peers on loopback: free ones to hand out, and who holds one now.

free_port() can only say a port is free at the moment it asks: the peers that take one
(tests/sipnet.py) start again on a fresh port when another process got there first.
"""

from __future__ import annotations

import contextlib
import os
import socket

HOST = "127.0.0.1"


def free_port(udp_and_tcp: bool = True, host: str = HOST) -> int:
    """A port on `host` that is free for UDP (and TCP) right now."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((host, 0))
            port = int(udp.getsockname()[1])
            if not udp_and_tcp:
                return port
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                    tcp.bind((host, port))
                    return port
            except OSError:
                continue
    raise RuntimeError("no free port")


def port_is_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_even_port_pair() -> int:
    """An even port with the next two free too: RTP + RTCP, and for SIPp's -mp its audio socket
    there and its video socket at +2 (both bound at start, whatever the scenario)."""
    for _ in range(200):
        port = free_port(udp_and_tcp=False)
        if port % 2 == 0 and port_is_free(port + 1) and port_is_free(port + 2):
            return port
    raise RuntimeError("no free RTP port pair")


def is_bound(port: int, host: str = HOST, tcp: bool = False, pid: int | None = None) -> bool:
    """Whether a socket holds `port` on `host` (or on every address), UDP or listening TCP;
    with `pid`, a socket of that process.

    Read from /proc rather than by binding a probe: a probe holds the port for a moment, and a
    peer binding it just then would fail as if another process had taken it.
    """
    table = "/proc/net/tcp" if tcp else "/proc/net/udp"
    wanted = {f"{_proc_hex(host)}:{port:04X}", f"00000000:{port:04X}"}
    inodes = _socket_inodes(pid) if pid is not None else None
    with open(table) as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] not in wanted or (tcp and fields[3] != "0A"):  # 0A: LISTEN
                continue
            if inodes is None or fields[9] in inodes:
                return True
    return False


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    return inodes


def _proc_hex(host: str) -> str:
    return "".join(f"{int(part):02X}" for part in reversed(host.split(".")))
