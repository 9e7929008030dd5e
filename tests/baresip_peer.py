"""baresip (Debian, 1.0) as another vendor's softphone on 127.0.0.1, for tests and benchmarks.

No sound card here: the source is baresip's sine generator and the player writes a WAV file.
`net_interface 127.0.0.1` keeps baresip off every other address (it would otherwise put the
machine's first interface in its SDP).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.sipnet import HOST, free_port

# The part every baresip here shares: SIP on 127.0.0.1 only, G.711 (tests/bench/baresip_call.py)
CONFIG_HEAD = """\
poll_method\t\tepoll
sip_listen\t\t{host}:{port}
sip_transports\t\tudp
net_interface\t\t{host}
module_path\t\t/usr/lib/baresip/modules
module\t\t\tg711.so
"""
_CONFIG = (
    CONFIG_HEAD
    + """\
module\t\t\tausine.so
module\t\t\taufile.so
module_app\t\taccount.so
module_app\t\tmenu.so
audio_player\t\taufile,{workdir}/played.wav
audio_source\t\tausine,440
audio_alert\t\taufile,{workdir}/alert.wav
ausrc_srate\t\t48000
auplay_srate\t\t48000
ausrc_channels\t\t2
rtp_ports\t\t{rtp_lo}-{rtp_hi}
"""
)


@dataclass
class Baresip:
    workdir: Path
    user: str = "alice"
    proxy: str = ""  # host:port of an outbound proxy (Kamailio)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    # SDES SRTP through baresip's srtp module: "" (plain RTP, module not loaded), "srtp"
    # (best effort: RTP/AVP with keys), "srtp-mand" (RTP/SAVP only).
    mediaenc: str = ""
    auto_answer: bool = False  # answer incoming calls at once (answermode=auto)

    def configure(self) -> None:
        if shutil.which("baresip") is None:
            raise RuntimeError("baresip is not installed: run `make test`")
        self.port = self.port or free_port()
        rtp = free_port(udp_and_tcp=False) & ~1
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = _CONFIG.format(
            host=HOST, port=self.port, workdir=self.workdir, rtp_lo=rtp, rtp_hi=rtp + 40
        )
        if self.mediaenc:
            config += "module\t\t\tsrtp.so\n"
        (self.workdir / "config").write_text(config)
        domain = self.proxy or HOST
        params = f';outbound="sip:{self.proxy}"' if self.proxy else ""
        params += f";mediaenc={self.mediaenc}" if self.mediaenc else ""
        params += ";answermode=auto" if self.auto_answer else ""
        (self.workdir / "accounts").write_text(f"<sip:{self.user}@{domain}>;regint=0{params}\n")

    @property
    def uri(self) -> str:
        """Where to call this baresip directly."""
        return f"sip:{self.user}@{HOST}:{self.port}"

    def listen(self, seconds: int) -> Baresip:
        """Start baresip waiting for calls (answered at once with `auto_answer`), quit after
        `seconds`."""
        self.configure()
        self._start(["-t", str(seconds)])
        return self

    def srtp_enabled(self) -> bool:
        """baresip's own word that a call's audio ran over SRTP."""
        return "SRTP is Enabled" in self.output()

    def dial(self, uri: str, seconds: int) -> Baresip:
        """Start baresip, dial `uri`, and quit (hanging up) after `seconds`."""
        self.configure()
        self._start(["-t", str(seconds), "-e", f"/dial {uri}"])
        return self

    def _start(self, args: list[str]) -> None:
        out = open(self.workdir / "baresip.out", "wb")  # noqa: SIM115 (lives with the process)
        self.proc = subprocess.Popen(
            ["baresip", "-f", str(self.workdir), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "HOME": str(self.workdir)},
        )

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def output(self) -> str:
        path = self.workdir / "baresip.out"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, 9)
            self.proc.wait(5)
