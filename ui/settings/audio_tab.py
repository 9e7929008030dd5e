"""Settings tab "Audio": devices by name, tone country, ringtone and volumes (0-15).

Devices are kept by name (sounddevice.query_devices), not by index: indexes change when a
headset is plugged in. A saved device that is not connected now stays selected and says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from app.phone.settings import RINGTONES, Settings
from ui.settings.form import FormTab, error_label, label_of, short

log = logging.getLogger("deskphone.ui")

FILE_CHOICE = "File…"
DEFAULT_DEVICE = "System default"


def query_devices() -> list[dict[str, Any]]:
    """sounddevice's device list; empty (logged) when PortAudio is missing or fails."""
    try:
        import sounddevice

        return [dict(d) for d in sounddevice.query_devices()]
    except Exception as exc:  # no PortAudio, no server: the tab still works with "default"
        log.warning("audio devices unavailable: %s", exc)
        return []


def device_choices(
    devices: list[dict[str, Any]], want_input: bool, current: str
) -> list[tuple[str, object]]:
    names: list[str] = []
    for d in devices:
        ok = int(d.get("max_output_channels", 0)) > 0
        if want_input:
            ok = ok and int(d.get("max_input_channels", 0)) > 0
        name = str(d.get("name", ""))
        if ok and name and name not in names:
            names.append(name)
    out: list[tuple[str, object]] = [(DEFAULT_DEVICE, "")]
    out += [(n, n) for n in names]
    if current and current not in names:
        out.append((f"{current} (not connected)", current))
    return out


class AudioTab(FormTab):
    title = "Audio"
    prefixes = ("audio",)

    def __init__(self, devices: Callable[[], list[dict[str, Any]]] = query_devices) -> None:
        super().__init__()
        self._devices = devices
        self.handset_cell = self.choice("audio.handset_device", [])
        self.handsfree_cell = self.choice("audio.handsfree_device", [])
        self.ringer_cell = self.choice("audio.ringer_device", [])
        self.ringtone = QComboBox()
        self.ringtone.setObjectName("audio.ringtone")
        for name in (*RINGTONES, FILE_CHOICE):
            self.ringtone.addItem(name)
        self.ring_file = QLineEdit()
        self.ring_file.setObjectName("audio.ringtone_file")
        self.ring_file.setPlaceholderText("/path/to/ringtone.wav")
        self.browse = QPushButton("Browse…")
        self.ring_error = error_label("audio.ringtone")
        ring_row = QHBoxLayout()
        ring_row.addWidget(self.ringtone)
        ring_row.addWidget(self.ring_file, 1)
        ring_row.addWidget(self.browse)

        form = QFormLayout()
        form.addRow(label_of("audio.handset_device"), self.handset_cell)
        form.addRow(label_of("audio.handsfree_device"), self.handsfree_cell)
        form.addRow(label_of("audio.ringer_device"), self.ringer_cell)
        self.rows(form, "audio.tone_country")
        form.addRow(label_of("audio.ringtone"), ring_row)
        form.addRow("", self.ring_error)
        for path in ("audio.volume_handset", "audio.volume_handsfree", "audio.volume_ringer"):
            form.addRow(label_of(path), self.spin(path))
        self.rows(form, "audio.key_tones")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.other_errors)
        layout.addStretch()

        self.ringtone.currentIndexChanged.connect(self._ringtone_picked)
        self.ring_file.textEdited.connect(self._edited)
        self.browse.clicked.connect(self._browse)

    # ---- FormTab hooks -----------------------------------------------------------------

    def prepare(self, work: Settings) -> None:
        devices = self._devices()
        audio = work.audio
        for path, current, want_input in (
            ("audio.handset_device", audio.handset_device, True),
            ("audio.handsfree_device", audio.handsfree_device, True),
            ("audio.ringer_device", audio.ringer_device, False),
        ):
            combo = self.editor(path)
            assert isinstance(combo, QComboBox)
            combo.clear()
            for shown, value in device_choices(devices, want_input, current):
                combo.addItem(shown, value)

    def show_extra(self, work: Settings) -> None:
        ring = work.audio.ringtone
        is_file = ring not in RINGTONES
        self.ringtone.setCurrentText(FILE_CHOICE if is_file else ring)
        self.ring_file.setText(ring if is_file else "")
        self.ring_file.setEnabled(is_file)
        self.browse.setEnabled(is_file)

    def read_extra(self, work: Settings, parse: dict[str, str]) -> None:
        picked = self.ringtone.currentText()
        is_file = picked == FILE_CHOICE
        self.ring_file.setEnabled(is_file)
        self.browse.setEnabled(is_file)
        if not is_file:
            work.audio.ringtone = picked
            return
        path = self.ring_file.text().strip()
        if not path:
            parse["audio.ringtone"] = "audio.ringtone: choose a ringtone file"
        work.audio.ringtone = path

    def store_extra(self, settings: Settings) -> None:
        settings.audio.ringtone = self._work.audio.ringtone

    def shown_elsewhere(self, errors: dict[str, str]) -> set[str]:
        text = errors.get("audio.ringtone", "")
        self.ring_error.setText(short(text, "audio.ringtone"))
        self.ring_error.setVisible(bool(text))
        return {"audio.ringtone"} if text else set()

    def _ringtone_picked(self) -> None:
        self._edited()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Ringtone", "", "Sound files (*.wav *.mp3 *.ogg);;All files (*)"
        )
        if path:
            self.ring_file.setText(path)
            self._edited()
