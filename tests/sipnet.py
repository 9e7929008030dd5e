"""Real SIP peers on 127.0.0.1 for tests: Kamailio (registrar/proxy) and SIPp, with free ports.

Every peer gets its own ports, bounded run time and a clean teardown, so tests can run one after
another without clashes. Traffic stays on loopback.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tests.ports import HOST, free_even_port_pair, free_port, is_bound, port_is_free

PEERS = Path(__file__).resolve().parent / "peers"
SIPP_BIND_FAILED = 254  # SIPp's exit (-2) when it cannot bind its SIP or its media socket


def sip_options_ping(port: int, timeout: float = 0.5) -> bool:
    """True if something answers a SIP OPTIONS on 127.0.0.1:port over UDP."""
    call_id = uuid.uuid4().hex
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((HOST, 0))
        lport = s.getsockname()[1]
        msg = (
            f"OPTIONS sip:ping@{HOST}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {HOST}:{lport};branch=z9hG4bK{call_id[:12]};rport\r\n"
            f"From: <sip:probe@{HOST}:{lport}>;tag={call_id[:8]}\r\n"
            f"To: <sip:ping@{HOST}:{port}>\r\nCall-ID: {call_id}\r\nCSeq: 1 OPTIONS\r\n"
            "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        )
        s.settimeout(timeout)
        s.sendto(msg.encode(), (HOST, port))
        try:
            data, _ = s.recvfrom(65535)
        except TimeoutError:
            return False
        return data.startswith(b"SIP/2.0 ")


DB_TEXT_SCHEMA = Path("/usr/share/kamailio/dbtext/kamailio")  # from Debian's kamailio package
DB_TEXT_TABLES = ("version", "presentity", "active_watchers", "watchers", "xcap", "pua")


def _db_text_tables(db: Path) -> None:
    """Empty db_text tables for the presence modules (Kamailio writes into them)."""
    db.mkdir(parents=True, exist_ok=True)
    for name in DB_TEXT_TABLES:
        shutil.copyfile(DB_TEXT_SCHEMA / name, db / name)


class PortTaken(RuntimeError):
    """A peer could not bind its port: another process took it after free_port() chose it."""


@dataclass
class Kamailio:
    port: int
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None
    template: str = "kamailio-min.cfg"  # tests/peers/: or kamailio-tls.cfg, kamailio-presence.cfg

    @property
    def domain(self) -> str:
        return f"{HOST}:{self.port}"

    def start(
        self,
        follow_3xx: bool = False,
        auth: tuple[str, str, str] | None = None,
        keep_port: bool = False,
    ) -> None:
        """`auth` = (realm, user, password): REGISTER and INVITE from that user are challenged
        (401 / 407) and must answer with that password; nobody else is asked.

        free_port()'s port can be bound by another process before Kamailio binds it: Kamailio
        then starts on a fresh one (read .port after this), unless `keep_port` (a registrar
        coming back where it was)."""
        for attempt in range(3):
            try:
                self._start_once(follow_3xx, auth)
                return
            except PortTaken:
                if keep_port or attempt == 2:
                    raise
                self.port = free_port()

    def _start_once(self, follow_3xx: bool, auth: tuple[str, str, str] | None) -> None:
        if shutil.which("kamailio") is None:
            raise RuntimeError("kamailio is not installed: run `make test`")
        cfg_text = (PEERS / self.template).read_text()
        cfg_text = cfg_text.replace("127.0.0.1:5070", f"{HOST}:{self.port}")
        cfg_text = cfg_text.replace("@WORKDIR@", str(self.workdir))
        if follow_3xx:
            cfg_text = cfg_text.replace("#!define FOLLOW3XX 0", "#!define FOLLOW3XX_ON")
        if auth is not None:
            realm, user, password = auth
            cfg_text = cfg_text.replace("#!define AUTH 0", "#!define AUTH_ON")
            for key, value in (("AUTH_REALM", realm), ("AUTH_USER", user), ("AUTH_PASS", password)):
                cfg_text = cfg_text.replace(f"@{key}@", value)
        self.workdir.mkdir(parents=True, exist_ok=True)
        if "text://" in cfg_text:
            _db_text_tables(self.workdir / "db")
        cfg = self.workdir / "kamailio.cfg"
        cfg.write_text(cfg_text)
        with open(self.workdir / "kamailio.log", "wb") as log:  # the child keeps its own copy
            self.proc = self._popen(cfg, log)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                said = (self.workdir / "kamailio.log").read_text(errors="replace")
                self.proc = None
                kind = PortTaken if "Address already in use" in said else RuntimeError
                raise kind(f"kamailio exited: {said[-2000:]}")
            if sip_options_ping(self.port, 0.2):
                return
        raise RuntimeError("kamailio did not answer OPTIONS within 10 s")

    def _popen(self, cfg: Path, log: IO[bytes]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                "kamailio",
                "-f",
                str(cfg),
                "-DD",
                "-E",
                "-Y",
                str(self.workdir),
                "-m",
                "32",
                "-M",
                "4",
                "-P",
                str(self.workdir / "kamailio.pid"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, 15)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, 9)
            self.proc.wait(5)
        self.proc = None


class SippExited(RuntimeError):
    """SIPp ended before it was listening."""


@dataclass
class Sipp:
    """One SIPp instance running a scenario file from tests/peers (or an absolute path)."""

    scenario: str
    port: int
    workdir: Path
    target: str = ""  # host:port to send to (UAC); empty for a UAS
    service: str = ""
    keys: dict[str, str] = field(default_factory=dict)
    calls: int = 1
    timeout: float = 30.0
    media_port: int = 0
    extra: list[str] = field(default_factory=list)
    host: str = HOST  # another loopback address (127.0.0.2 ...) stands in for another host
    proc: subprocess.Popen[bytes] | None = None
    _media: int = field(default=0, init=False, repr=False)  # -mp of the current start

    @property
    def name(self) -> str:
        return f"{Path(self.scenario).stem}-{self.port}"

    @property
    def message_file(self) -> Path:
        return self.workdir / f"{self.name}.messages.log"

    @property
    def log_file(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def argv(self) -> list[str]:
        scenario = Path(self.scenario)
        if not scenario.is_absolute():
            scenario = PEERS / scenario
        args = [
            "sipp",
            "-sf",
            str(scenario),
            "-i",
            self.host,
            "-mi",
            self.host,
            "-p",
            str(self.port),
            "-mp",
            str(self._media),
            "-m",
            str(self.calls),
            "-nostdin",
            "-timeout",
            f"{int(self.timeout)}s",
            "-timeout_error",
            "-trace_msg",
            "-message_file",
            str(self.message_file),
            "-trace_err",
            "-error_file",
            str(self.workdir / f"{self.name}.errors.log"),
            "-trace_logs",
            "-log_file",
            str(self.log_file),
        ]
        if self.service:
            args += ["-s", self.service]
        for key, value in self.keys.items():
            args += ["-key", key, value]
        args += self.extra
        if self.target:
            args.append(self.target)
        return args

    def start(self, attempts: int = 3) -> Sipp:
        """Start SIPp and return once it has bound its sockets (or ended on its own).

        free_port() hands out ephemeral ports, so another process may bind one before SIPp does;
        SIPp then exits 254 before it sends anything. A taken media port is tried again with a
        fresh pair (CI once saw a 500/s flood send nothing, SIPp gone after 0.25 s). A taken SIP
        port is SippExited: only the caller knows whether this peer's port may change (listen(),
        start_registered()).
        """
        if shutil.which("sipp") is None:
            raise RuntimeError("sipp is not installed: run `make test`")
        self.workdir.mkdir(parents=True, exist_ok=True)
        for attempt in range(attempts):
            self._media = self.media_port or free_even_port_pair()
            out = open(self.workdir / f"{self.name}.stdout", "wb")  # noqa: SIM115
            self.proc = subprocess.Popen(
                self.argv(),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            out.close()
            if self._wait_bound() != SIPP_BIND_FAILED:
                return self
            said = f"sipp exited 254 (could not bind): {self.output()[-600:]}"
            if not port_is_free(self.port, self.host):
                raise SippExited(f"port {self.port} was taken: {said}")
            if self.media_port or attempt == attempts - 1:
                raise SippExited(f"media port {self._media} or {self._media + 2}: {said}")
        raise AssertionError("unreachable")

    def _wait_bound(self, timeout: float = 15.0) -> int | None:
        """SIPp binds its SIP port, then audio at -mp, then video at -mp + 2: once the video
        socket is held, all are. Its exit code if it ended first."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return self.proc.returncode
            if is_bound(self._media + 2, self.host, pid=self.proc.pid):
                return None
            time.sleep(0.005)
        raise RuntimeError(f"sipp did not bind in {timeout:.0f} s: {self.output()[-600:]}")

    def wait(self, timeout: float | None = None) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout if timeout is not None else self.timeout + 5)

    def run(self) -> int:
        return self.start().wait()

    def messages(self) -> str:
        return self.message_file.read_text(errors="replace") if self.message_file.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, 9)
            self.proc.wait(5)

    def listen(self, attempts: int = 3, tcp: bool = False) -> Sipp:
        """Start this UAS (or a UAC whose own port nobody knows yet) and wait until it listens,
        on a fresh port if free_port()'s was taken by another process before SIPp could bind it
        (SIPp exits 254): read .port afterwards."""
        for attempt in range(attempts):
            if not port_is_free(self.port, self.host):
                self.port = free_port(host=self.host)
            try:
                self.start().wait_listening(tcp=tcp)
                return self
            except SippExited:
                assert self.proc is not None
                if self.proc.returncode != SIPP_BIND_FAILED or attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def wait_listening(self, timeout: float = 15.0, tcp: bool = False) -> None:
        """A SIPp UAS is up once its port is bound (UDP; TCP for `-t t1`, which binds only TCP).

        A loaded CI machine once took more than 5 s to start SIPp, hence the long limit; a SIPp
        that exits instead (port taken meanwhile) is reported with its own output at once.
        """
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if is_bound(self.port, self.host, tcp, pid=self.proc.pid):
                return
            if self.proc.poll() is not None:
                raise SippExited(
                    f"sipp exited {self.proc.returncode} before binding {self.port}: "
                    + self.output()[-600:]
                )
            time.sleep(0.02)
        tail = self.output()[-600:]
        raise RuntimeError(f"sipp did not bind {self.port} in {timeout:.0f} s: {tail}")

    def output(self) -> str:
        path = self.workdir / f"{self.name}.stdout"
        return path.read_text(errors="replace") if path.exists() else ""


@contextlib.contextmanager
def kamailio(
    workdir: Path, follow_3xx: bool = False, auth: tuple[str, str, str] | None = None
) -> Iterator[Kamailio]:
    kam = Kamailio(free_port(), workdir)
    kam.start(follow_3xx, auth)
    try:
        yield kam
    finally:
        kam.stop()


def register_user(kam: Kamailio, user: str, port: int, workdir: Path) -> None:
    """Register a SIPp-played user at Kamailio so the proxy can route to 127.0.0.1:port.

    free_port() hands out ephemeral ports, so another process can take the SIP port before SIPp
    binds it (CI once failed so, exit 254): that is SippExited from Sipp.start(), which
    start_registered() answers with a new port. A taken media pair is retried by start().
    """
    reg = Sipp("reg.xml", port, workdir, target=kam.domain, service=user, timeout=10)
    code = reg.run()
    if code != 0:
        said = reg.output()[-600:]
        raise RuntimeError(f"registering {user} failed with sipp exit {code}: {said}")


def start_registered(kam: Kamailio, user: str, sipp: Sipp, attempts: int = 3) -> Sipp:
    """Register `user` with `sipp`'s port as its contact, then start `sipp` and wait until it
    listens. A port taken meanwhile by another process is replaced by a fresh one."""
    for attempt in range(attempts):
        try:
            register_user(kam, user, sipp.port, sipp.workdir)
            if not port_is_free(sipp.port, sipp.host):  # taken since the register let it go
                raise SippExited(f"port {sipp.port} was taken")
            sipp.start().wait_listening()
            return sipp
        except SippExited:
            broken = sipp.proc is not None and sipp.proc.returncode not in (None, SIPP_BIND_FAILED)
            if broken or attempt == attempts - 1:
                raise
            sipp.port = free_port(host=sipp.host)
    raise AssertionError("unreachable")
