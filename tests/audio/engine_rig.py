"""The real engine process on the private PulseAudio server, with SIPp peers from tests/peers/audio.

The engine inherits the server's environment (ALSA_CONFIG_PATH, PULSE_SERVER, XDG_RUNTIME_DIR)
so PortAudio in the engine sees `dp_handset`, `dp_handsfree` and `dp_ringer` (tests/audio/README).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.phone.settings import AudioSettings, Settings
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.audio.pulse import PulseServer
from tests.engine_harness import EngineClient, EngineProcess, running_engine
from tests.sipnet import HOST, Sipp, free_port

PEERS = Path(__file__).resolve().parents[1] / "peers" / "audio"
WARM_UP = 1.0  # s after the streams run: PulseAudio's first-seconds stall (tests/audio/README)


def write_audio_settings(config_dir: Path, **audio: Any) -> None:
    settings = Settings(
        audio=AudioSettings(
            handset_device=audio.pop("handset_device", "dp_handset"),
            handsfree_device=audio.pop("handsfree_device", "dp_handsfree"),
            ringer_device=audio.pop("ringer_device", "dp_ringer"),
            **audio,
        )
    )
    save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))


def audio_status(client: EngineClient, timeout: float = 5.0) -> dict[str, Any]:
    since = len(client.events)
    client.send("status")
    ev = client.wait_for(lambda e: e.get("ev") == "status", timeout, since)
    audio: dict[str, Any] = ev["audio"]
    return audio


def wait_audio_ok(client: EngineClient, timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        state = audio_status(client)
        if state["ok"] or time.monotonic() > deadline:
            return state
        time.sleep(0.2)


@contextlib.contextmanager
def audio_engine(
    config_dir: Path, env: dict[str, str] | None, **audio: Any
) -> Iterator[tuple[EngineProcess, EngineClient]]:
    """An engine with the given AudioSettings; waits until its sound devices run."""
    write_audio_settings(config_dir, **audio)
    with running_engine(config_dir, env=env) as pair:
        yield pair


def engine_with_pulse(
    config_dir: Path, pulse: PulseServer, **audio: Any
) -> contextlib.AbstractContextManager[tuple[EngineProcess, EngineClient]]:
    return audio_engine(config_dir, dict(pulse.env), **audio)


def uas(
    workdir: Path,
    scenario: str,
    keys: dict[str, str],
    ring_ms: int = 0,
    extra: list[str] | None = None,
    timeout: float = 40,
) -> Sipp:
    """A SIPp UAS from tests/peers/audio; `ring_ms` is its `<pause/>` (SIPp's -d); SIPp exits
    after `timeout` seconds whatever the call does."""
    sipp = Sipp(str(PEERS / scenario), free_port(), workdir, keys=keys, timeout=timeout)
    sipp.extra = [*(["-d", str(ring_ms)] if ring_ms else []), *(extra or [])]
    sipp.listen()
    return sipp


def target(sipp: Sipp, user: str = "bob") -> str:
    return f"sip:{user}@{HOST}:{sipp.port}"
