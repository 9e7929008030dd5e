"""How the phone's audio settings map onto the bridge: device names and volume keys."""

from __future__ import annotations

from app.audio.bridge_config import BridgeConfig
from app.phone.settings import AudioSettings

# The bridge's volume targets and the settings that hold their levels (0-15).
VOLUME_KEYS = {
    "headset": "volume_handset",
    "speaker": "volume_handsfree",
    "ringer": "volume_ringer",
}


def bridge_config(audio: AudioSettings) -> BridgeConfig:
    return BridgeConfig(
        handset=audio.handset_device,
        handsfree=audio.handsfree_device,
        ringer=audio.ringer_device,
    )


def devices(audio: AudioSettings) -> tuple[str, str, str]:
    """(handset, handsfree, ringer) device names; "" is the system default."""
    return audio.handset_device, audio.handsfree_device, audio.ringer_device


def configured_devices(config: BridgeConfig) -> tuple[str, str, str]:
    return config.handset, config.handsfree, config.ringer


def volumes(audio: AudioSettings) -> dict[str, int]:
    return {target: int(getattr(audio, key)) for target, key in VOLUME_KEYS.items()}
