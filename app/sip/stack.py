"""pjsua2 Endpoint lifecycle: start and stop in the order that survived (docs/pjsua2.md §2).

Only the engine's SIP thread may call anything here: it is the thread that ran libCreate().
"""

from __future__ import annotations

import gc
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pjsua2 as pj

from app.sip.cred_guard import CredentialGuard
from app.sip.dialog_watch import DialogWatch
from app.sip.flood_guard import FloodGuard
from app.sip.guard import clear_last_exception, guarded
from app.sip.logwriter import MessageSink, PjLogWriter, SipLogFile
from app.sip.master_port import MasterPort
from app.sip.media_poll import MediaPoller
from app.sip.media_quality import CONFERENCE_QUALITY, restore_speex_quality
from app.sip.mwi_guard import MwiGuard
from app.sip.oversize import OversizeWatch
from app.sip.pjlog_spool import PjLogSpool
from app.userfiles import ca_file_problem

log = logging.getLogger("deskphone.sip")

EADDRINUSE_HINT = "address already in use"

# After an INVITE goes out, the engine's bookkeeping (screen, history, events) waits this long
# for SIP first: a redirect server or a PBX on the LAN answers within a few ms, and its 302 sat
# in the socket behind up to ~1 ms of the dial's own bookkeeping (profiled with
# tests/bench/redirect_bench.py). The screen showing "Calling" a few ms later is not seen.
ANSWER_GRACE = 0.004


class CaFileRefused(ValueError):
    """The configured CA file is not a small regular PEM file: OpenSSL never gets to read it."""


@dataclass
class StackOptions:
    """How the SIP stack starts: port, address, logging."""

    port: int = 5060
    bind: str = ""  # empty: all interfaces, as a desk phone listens
    log_dir: Path | None = None
    log_level: int = 4  # 4 logs every SIP message
    capture: MessageSink | None = None  # every SIP message, for the call flows (capture.py)
    user_agent: str = "DeskPhone"
    flood_guard: bool = True


def _free_port_pair(bind: str) -> int:
    """A port number free for both UDP and TCP."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((bind or "0.0.0.0", 0))
            port = int(udp.getsockname()[1])
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                    tcp.bind((bind or "0.0.0.0", port))
                    return port
            except OSError:
                continue
    raise OSError("no free port for SIP")


class _Endpoint(pj.Endpoint):  # type: ignore[misc]
    """The endpoint, for its transport events (runs on the SIP thread, in libHandleEvents)."""

    def __init__(self, stack: SipStack) -> None:
        super().__init__()
        self._stack = stack

    @guarded()
    def onTransportState(self, prm: Any) -> None:
        if prm.state == pj.PJSIP_TP_STATE_DISCONNECTED and self._stack.on_transport_lost:
            self._stack.on_transport_lost(str(prm.type))


class SipStack:
    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.ep: pj.Endpoint | None = None
        self.port = 0
        self.port_note = ""
        self._writer: PjLogWriter | None = None
        self._transports: list[int] = []
        self._tls: tuple[int, bool, str] | None = None  # transport id, verify, CA file
        self.master: MasterPort | None = None  # the conference's clock input (docs/pjsua2.md §6)
        self.master_problem = ""
        self.guard = FloodGuard()
        self.oversize = OversizeWatch()
        self.dialogs = DialogWatch()  # NOTIFYs of the BLF subscriptions (app/sip/blf.py)
        self.creds = CredentialGuard()  # credentials to the account's own servers only
        self.mwi_guard = MwiGuard(lambda: self.guard.policy())  # the same trusted servers
        self.media = MediaPoller()  # RTP sockets polled only while calls exist (media_poll.py)
        self._answer_due = 0.0  # until then SIP goes before the bookkeeping (ANSWER_GRACE)
        # A TCP/TLS connection to a server went away (registrar restarted, network lost).
        self.on_transport_lost: Callable[[str], None] | None = None

    @property
    def version(self) -> str:
        return str(self.ep.libVersion().full) if self.ep else ""

    def start(self) -> None:
        opts = self.options
        ep = _Endpoint(self)
        ep.libCreate()
        self.ep = ep
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.userAgent = opts.user_agent
        # NOTIFYs for voice mail outside a subscription reach Account.onMwiInfo too; the MWI
        # guard refuses those not from an account's server first (app/sip/mwi_guard.py).
        cfg.uaConfig.mwiUnsolicitedEnabled = True
        cfg.medConfig.threadCnt = 1  # pjsua insists; stopped and replaced after libInit()
        # Never close the (null) sound device when idle: the conference bridge adds and removes
        # a call's port only on its clock tick, so with the device closed and nothing
        # connected, every answered call left its port queued and after ~250 calls each new
        # one failed 488 PJ_ETOOMANY (soak, tests/robustness/test_soak.py).
        cfg.medConfig.sndAutoCloseTime = -1
        # The conference's small resampling filter (speex keeps its quality: media_quality.py).
        cfg.medConfig.quality = CONFERENCE_QUALITY
        # The call flow capture needs the messages (level 4) whatever sip.log is to keep.
        level = max(opts.log_level, 4) if opts.capture is not None else opts.log_level
        cfg.logConfig.consoleLevel = 0
        cfg.logConfig.level = level
        cfg.logConfig.msgLogging = True
        if opts.log_dir is not None:
            # pjsua writes every line up to `level` into the spool in C; the Python writer
            # gets what passes consoleLevel, only needed when sip.log wants less than the
            # spool holds (pjlog_spool.py, docs/pjsua2.md §7).
            spool = PjLogSpool(opts.log_dir)
            spool_is_file = level == opts.log_level
            cfg.logConfig.filename = str(spool.path)
            cfg.logConfig.fileFlags = pj.PJ_O_APPEND
            cfg.logConfig.consoleLevel = 0 if spool_is_file else opts.log_level
            self._writer = PjLogWriter(SipLogFile(opts.log_dir), opts.capture, spool, spool_is_file)
            cfg.logConfig.writer = self._writer
            cfg.logConfig.decor = (
                pj.PJ_LOG_HAS_TIME
                | pj.PJ_LOG_HAS_MICRO_SEC
                | pj.PJ_LOG_HAS_SENDER
                | pj.PJ_LOG_HAS_NEWLINE
                | pj.PJ_LOG_HAS_INDENT
            )
        ep.libInit(cfg)
        restore_speex_quality()
        self.media.take_over(ep.libRegisterThread)
        self._create_transports()
        ep.libStart()
        self._take_conference(ep)
        if opts.flood_guard:
            self.guard.register()
        self.oversize.register()
        self.dialogs.register()
        self.creds.register()
        self.mwi_guard.register()
        log.info("pjsua2 %s started on port %d", self.version, self.port)

    def _create_transports(self) -> None:
        assert self.ep is not None
        asked = self.options.port
        candidates = [asked] if asked else []
        for attempt in range(len(candidates) + 3):
            port = (
                candidates[attempt]
                if attempt < len(candidates)
                else _free_port_pair(self.options.bind)
            )
            created: list[int] = []
            try:
                for kind in (pj.PJSIP_TRANSPORT_UDP, pj.PJSIP_TRANSPORT_TCP):
                    tcfg = pj.TransportConfig()
                    tcfg.port = port
                    if self.options.bind:
                        tcfg.boundAddress = self.options.bind
                        tcfg.publicAddress = self.options.bind
                    created.append(self.ep.transportCreate(kind, tcfg))
            except pj.Error as exc:
                for tid in created:
                    self.ep.transportClose(tid)
                log.warning("SIP port %d unusable: %s", port, exc.info())
                continue
            self._transports = created
            self.port = port
            if asked and port != asked:
                self.port_note = f"SIP port {asked} is in use; using {port}"
                log.warning(self.port_note)
            return
        raise RuntimeError("could not open any SIP port")

    def tls_problem(self, verify_server: bool, ca_file: str) -> str:
        """ensure_tls(), and '' if a TLS transport is ready, else why not (for the screen)."""
        try:
            self.ensure_tls(verify_server, ca_file)
        except (pj.Error, CaFileRefused) as exc:
            why = str(exc.reason) if isinstance(exc, pj.Error) else str(exc)
            log.error("no TLS transport: %s", why)
            return why
        return ""

    def ensure_tls(self, verify_server: bool, ca_file: str = "") -> None:
        """A TLS transport for accounts with transport=tls, made when the first one needs it
        (again when the verification settings change). It binds any free port: the accounts
        only connect out over it, and the registrar sends calls back on that connection."""
        assert self.ep is not None
        if problem := ca_file_problem(ca_file):
            raise CaFileRefused(f"CA file {ca_file[:200]}: {problem}")
        if self._tls is not None:
            if self._tls[1:] == (verify_server, ca_file):
                return
            self.ep.transportClose(self._tls[0])
            self._tls = None
        log.warning(
            "TLS uses the OpenSSL bundled in the pjsua2 wheel (1.0.2k, out of support since "
            "2019): fine against a trusted registrar, not a strong defence on hostile networks"
        )
        tcfg = pj.TransportConfig()
        tcfg.port = 0
        if self.options.bind:
            tcfg.boundAddress = self.options.bind
            tcfg.publicAddress = self.options.bind
        # pjsip's default is verifyServer=False: any certificate, any name. A desk phone set
        # up for TLS expects the server to be checked (Yealink: "Only Accept Trusted
        # Certificates", on by default), so the setting says so unless the user turns it off.
        tcfg.tlsConfig.verifyServer = verify_server
        if ca_file:
            tcfg.tlsConfig.CaListFile = ca_file
        tcfg.tlsConfig.method = pj.PJSIP_TLSV1_2_METHOD
        tid = int(self.ep.transportCreate(pj.PJSIP_TRANSPORT_TLS, tcfg))
        self._tls = (tid, verify_server, ca_file)
        log.info("TLS transport ready (verify server: %s, CA file: %s)", verify_server, ca_file)

    def _take_conference(self, ep: Any) -> None:
        """No sound device for pjsua: the engine's audio clocks the conference itself through
        its master port (app/sip/master_port.py). Should the port not be what this code was
        written for, pjsua's null device clocks it instead: calls work, without sound."""
        try:
            self.master = MasterPort.take(ep)
            if self.media.active:  # each tick takes the RTP that arrived (media_poll.py)
                self.master.receive = self.media.poll_ready
        except (ValueError, OSError) as exc:
            self.master_problem = f"Sound unavailable: {exc}"
            log.error("conference master port: %s; using pjsua's null sound device", exc)
            ep.audDevManager().setNullDev()

    def handle_events(self, timeout_ms: int) -> int:
        assert self.ep is not None
        handled = int(self.ep.libHandleEvents(timeout_ms))
        self.media.want(time.monotonic())
        self.oversize.drain()
        self.guard.drain()  # calls answered inside pjsip's receive path reach the core now
        self.drain_log()
        return handled

    def expect_answer(self) -> None:
        """An INVITE just went out: its answer (a 302 to follow, say) may be back at once."""
        self._answer_due = time.monotonic() + ANSWER_GRACE

    def serve_answers(self) -> None:
        """Before the loop's bookkeeping: SIP only, until ANSWER_GRACE after the last INVITE
        (a 302 handled here places the next one, which waits for its own answer alike). The
        logs and guards drain afterwards in the loop's own handle_events()."""
        ep = self.ep
        while ep is not None:
            left = self._answer_due - time.monotonic()
            if left <= 0:
                return
            ep.libHandleEvents(max(1, round(left * 1000)))

    def poll(self) -> None:
        """Handle what has already arrived, without waiting (about 2 µs when nothing has)."""
        if self.ep is not None:
            self.handle_events(0)

    def drain_log(self) -> None:
        """pjsip's log lines of this loop turn into sip.log (logwriter.py: never in the path)."""
        if self._writer is not None:
            self._writer.drain()

    def pump(self, seconds: float) -> None:
        assert self.ep is not None
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.ep.libHandleEvents(10)
            self.media.want(time.monotonic())
            self.oversize.drain()
            self.guard.drain()
            self.drain_log()

    def destroy(self) -> None:
        """Last step of teardown: every Call, Account and port must already be gone."""
        if self.ep is None:
            return
        clear_last_exception()
        gc.collect()
        self.guard.unregister()
        self.oversize.unregister()
        self.dialogs.unregister()
        self.creds.unregister()
        self.mwi_guard.unregister()
        self.media.close()
        # Calls and accounts were ended, and their messages sent, by the adapter's shutdown:
        # without NO_RX_MSG pjsua_destroy2() sleeps about 1 s more whatever is left to wait for.
        self.ep.libDestroy(pj.PJSUA_DESTROY_NO_RX_MSG)
        self.ep = None
        if self._writer is not None:
            self._writer.close()  # what libDestroy() logged
        self._writer = None
        log.info("pjsua2 stopped")
