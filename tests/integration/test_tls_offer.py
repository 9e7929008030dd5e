"""What TLS the pjsua2 wheel (its bundled OpenSSL 1.0.2k) speaks, measured against Kamailio.

The engine registers a TLS account at Kamailio's TLS listener through a relay on 127.0.0.1
that copies bytes both ways and keeps the first flight of each side: the ClientHello (the
versions and cipher suites DeskPhone offers) and the ServerHello (what was chosen). Kamailio
logs the session it saw. Run with `-s` to print the table the README's Security section
quotes. Kamailio's side is Debian's OpenSSL 3; its accepted versions come from tls.cfg.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.phone.settings import AccountSettings, Settings
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.engine_harness import running_engine
from tests.peers.calls.tiny_registrar import self_signed_cert
from tests.sipnet import HOST, Kamailio, free_port

pytestmark = pytest.mark.sip

VERSIONS = {0x0300: "SSL 3.0", 0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2"}


class Relay:
    """127.0.0.1:port -> target, recording the first 16 KiB each way of the first connection."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.up = bytearray()  # client -> server
        self.down = bytearray()  # server -> client
        self._listener = socket.create_server((HOST, 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection((HOST, self.target))
            for src, dst, log in ((client, server, self.up), (server, client, self.down)):
                threading.Thread(target=self._pipe, args=(src, dst, log), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket, log: bytearray) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                if len(log) < 16384:
                    log.extend(data[: 16384 - len(log)])
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._listener.close()


def handshake(flight: bytes, kind: int) -> bytes:
    """The body of the first handshake message of `kind` (1 ClientHello, 2 ServerHello)."""
    pos = 0
    while pos + 5 <= len(flight):
        ctype, _version, length = struct.unpack("!BHH", flight[pos : pos + 5])
        record = flight[pos + 5 : pos + 5 + length]
        if ctype == 22 and record and record[0] == kind:
            size = int.from_bytes(record[1:4], "big")
            return record[4 : 4 + size]
        pos += 5 + length
    raise AssertionError(f"no handshake message {kind} in {flight[:40].hex()}")


def client_hello(body: bytes) -> tuple[int, list[int], list[int]]:
    """(legacy version, cipher suite ids, extension types)."""
    version = int.from_bytes(body[0:2], "big")
    pos = 34 + 1 + body[34]  # version, random, session id
    n = int.from_bytes(body[pos : pos + 2], "big")
    suites = [int.from_bytes(body[i : i + 2], "big") for i in range(pos + 2, pos + 2 + n, 2)]
    pos += 2 + n
    pos += 1 + body[pos]  # compression methods
    extensions: list[int] = []
    if pos + 2 <= len(body):
        end = pos + 2 + int.from_bytes(body[pos : pos + 2], "big")
        pos += 2
        while pos + 4 <= end:
            extensions.append(int.from_bytes(body[pos : pos + 2], "big"))
            pos += 4 + int.from_bytes(body[pos + 2 : pos + 4], "big")
    return version, suites, extensions


def server_hello(body: bytes) -> tuple[int, int]:
    """(version, chosen cipher suite id)."""
    version = int.from_bytes(body[0:2], "big")
    pos = 34 + 1 + body[34]
    return version, int.from_bytes(body[pos : pos + 2], "big")


# Static (EC)DH suites: OpenSSL 1.1 dropped them, so this machine's OpenSSL 3 has no names.
_STATIC_DH = {
    0x00A5: "DH-DSS-AES256-GCM-SHA384", 0x00A1: "DH-RSA-AES256-GCM-SHA384",
    0x0069: "DH-RSA-AES256-SHA256", 0x0068: "DH-DSS-AES256-SHA256",
    0x0037: "DH-RSA-AES256-SHA", 0x0036: "DH-DSS-AES256-SHA",
    0x0086: "DH-RSA-CAMELLIA256-SHA", 0x0085: "DH-DSS-CAMELLIA256-SHA",
    0xC032: "ECDH-RSA-AES256-GCM-SHA384", 0xC02E: "ECDH-ECDSA-AES256-GCM-SHA384",
    0xC02A: "ECDH-RSA-AES256-SHA384", 0xC026: "ECDH-ECDSA-AES256-SHA384",
    0xC00F: "ECDH-RSA-AES256-SHA", 0xC005: "ECDH-ECDSA-AES256-SHA",
    0x00A4: "DH-DSS-AES128-GCM-SHA256", 0x00A0: "DH-RSA-AES128-GCM-SHA256",
    0x003F: "DH-RSA-AES128-SHA256", 0x003E: "DH-DSS-AES128-SHA256",
    0x0031: "DH-RSA-AES128-SHA", 0x0030: "DH-DSS-AES128-SHA",
    0x0043: "DH-RSA-CAMELLIA128-SHA", 0x0042: "DH-DSS-CAMELLIA128-SHA",
    0xC031: "ECDH-RSA-AES128-GCM-SHA256", 0xC02D: "ECDH-ECDSA-AES128-GCM-SHA256",
    0xC029: "ECDH-RSA-AES128-SHA256", 0xC025: "ECDH-ECDSA-AES128-SHA256",
    0xC00E: "ECDH-RSA-AES128-SHA", 0xC004: "ECDH-ECDSA-AES128-SHA",
}  # fmt: skip


def suite_names() -> dict[int, str]:
    """IANA id -> OpenSSL name: this machine's OpenSSL (every suite it knows), then the
    static (EC)DH suites it no longer has."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.set_ciphers("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
    return {**_STATIC_DH, **{c["id"] & 0xFFFF: str(c["name"]) for c in ctx.get_ciphers()}}


def forward_secret(name: str) -> bool:
    return name.startswith(("ECDHE-", "DHE-"))


@pytest.fixture
def tls_kamailio(tmp_path: Path) -> Iterator[tuple[Kamailio, Path]]:
    workdir = tmp_path / "kam"
    cert, _key = self_signed_cert(workdir)  # key.pem next to cert.pem (write_tls_cfg)
    kam = Kamailio(free_port(), workdir, template="kamailio-tls.cfg")
    yield kam, cert
    kam.stop()


def register_through(relay: Relay, config_dir: Path, cert: Path, kam: Kamailio) -> str:
    """The account's registration state once it settled."""
    acc = AccountSettings(user="alice", server=HOST, port=relay.port, transport="tls")
    settings = Settings(accounts=[acc], tls_ca_file=str(cert))
    save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))
    with running_engine(config_dir) as (_engine, client):
        event = client.wait_account("Registered", 15)
    return str(event.get("state") or "Registered")


def write_tls_cfg(kam: Kamailio, cert: Path, method: str) -> None:
    kam.workdir.mkdir(parents=True, exist_ok=True)
    (kam.workdir / "tls.cfg").write_text(
        f"[server:default]\nmethod = {method}\nverify_certificate = no\n"
        f"require_certificate = no\ncertificate = {cert}\n"
        f"private_key = {cert.with_name('key.pem')}\n"
    )


def test_what_the_wheels_openssl_offers_and_gets_from_kamailio(
    tls_kamailio: tuple[Kamailio, Path], config_dir: Path
) -> None:
    kam, cert = tls_kamailio
    write_tls_cfg(kam, cert, "TLSv1+")  # Kamailio takes anything its OpenSSL allows
    kam.start()
    relay = Relay(kam.port)
    try:
        register_through(relay, config_dir, cert, kam)
    finally:
        relay.close()
    version, suites, extensions = client_hello(handshake(bytes(relay.up), 1))
    chosen_version, chosen = server_hello(handshake(bytes(relay.down), 2))
    names = suite_names()
    offered = [names.get(s, f"0x{s:04x}") for s in suites if s not in (0x00FF, 0x5600)]
    kam_log = (kam.workdir / "kamailio.log").read_text(errors="replace")
    session = next(line for line in kam_log.splitlines() if "TLS-SESSION" in line)
    secret = [n for n in offered if forward_secret(n)]
    aead = [n for n in offered if "GCM" in n]
    print(f"\nClientHello: {VERSIONS.get(version, hex(version))}, {len(offered)} suites")
    print(f"  forward secret (ECDHE/DHE): {len(secret)}, AES-GCM: {len(aead)}; first 6:")
    print("  " + " ".join(offered[:6]))
    print("  without forward secrecy: " + " ".join(n for n in offered if not forward_secret(n)))
    print(f"extensions: {extensions} (43 = supported_versions, TLS 1.3)")
    print(f"ServerHello: {VERSIONS.get(chosen_version)} {names.get(chosen, hex(chosen))}")
    print("Kamailio:", session.split("TLS-SESSION", 1)[1].strip())

    assert version == 0x0303 and 43 not in extensions  # TLS 1.2 at most: no TLS 1.3 offered
    assert chosen_version == 0x0303
    assert names.get(chosen, "").startswith("ECDHE-")  # forward secrecy against Kamailio
    assert "TLSv1.2" in session
    assert all(not n.startswith("0x") for n in offered), offered
    weak = [n for n in offered if any(w in n for w in ("RC4", "NULL", "EXP", "DES-CBC", "MD5"))]
    assert not weak, weak  # what the wheel's OpenSSL 1.0.2k still has, it does not offer
    assert offered[0] == "ECDHE-RSA-AES256-GCM-SHA384"  # forward secret AEAD first
