"""No sound device at all: the engine starts, completes a call and says why there is no sound."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.audio.engine_rig import audio_engine, audio_status, target, uas

pytestmark = [pytest.mark.audio, pytest.mark.sip]


def no_sound_env(tmp_path: Path) -> dict[str, str]:
    """PortAudio with no device at all, whatever ran before in this test session: the
    system's ALSA configuration (this VM has no card) and a PulseAudio address that does not
    exist, so the ALSA pulse plugin offers no `default` and no daemon is autospawned.
    (An ALSA configuration that defines no PCM at all is no substitute: alsa-lib aborts the
    process inside Pa_Initialize, seen here.)"""
    env = dict(os.environ)
    runtime = tmp_path / "xdg-empty"
    runtime.mkdir(mode=0o700)
    env.update(
        ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf",
        PULSE_SERVER=f"unix:{runtime}/none",
        XDG_RUNTIME_DIR=str(runtime),
    )
    return env


def test_no_sound_device_call_completes_with_a_warning(tmp_path: Path, config_dir: Path) -> None:
    env = no_sound_env(tmp_path)
    with audio_engine(config_dir, env) as (engine, client):
        idle = audio_status(client)
        assert not idle["loaded"], "sound loaded before anything needed it"
        sipp = uas(tmp_path / "sipp", "uas-180-200.xml", {}, 500)
        since = len(client.events)
        client.send("dial", target=target(sipp))
        client.wait_call("Talking", 10, since)
        # the call screen says why there is no sound, without a pop-up taking the soft keys
        talking = client.wait_for(
            lambda e: (
                e.get("ev") == "screen"
                and e["screen"]["name"] == "talking"
                and any("without audio" in line for line in e["screen"]["lines"])
            ),
            5,
            since,
        )
        assert not talking["screen"].get("popup")
        assert talking["screen"]["softkeys"][-1] == "End Call"
        state = audio_status(client)
        assert state["loaded"] and not state["ok"], state
        assert "no" in state["status"].lower() and "sound" in state["status"].lower(), state
        # no device to clock the conference: the engine's own clock carries the call's RTP
        time.sleep(1.0)
        later = audio_status(client)
        assert later["ticks"]["own"] - state["ticks"]["own"] >= 40, (state, later)
        client.send("hangup")
        client.wait_call("Finished", 10, since)
        assert sipp.wait(15) == 0
    assert engine.proc is not None and engine.proc.returncode == 0
    assert "Traceback" not in engine.log_text()
