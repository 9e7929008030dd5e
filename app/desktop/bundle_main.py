"""Entry point of the PyInstaller bundle (packaging/deskphone.spec).

In a bundle `sys.executable` is the `deskphone` program itself, so the supervisor's
`sys.executable -m app.engine ...` comes back here: dispatch it to the engine. PortAudio is
looked up by sounddevice with ctypes.util.find_library, which on Linux only asks the system
(ldconfig): point it at the copy inside the bundle so a machine without libportaudio2 works.
"""

from __future__ import annotations

import ctypes.util
import sys
from collections.abc import Callable
from pathlib import Path


def _prefer_bundled_portaudio(bundle: Path) -> None:
    bundled = sorted(bundle.glob("libportaudio.so*"))
    if not bundled:
        return
    system_find: Callable[[str], str | None] = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        if name == "portaudio":
            return str(bundled[0])
        return system_find(name)

    ctypes.util.find_library = find_library


def main() -> int:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        _prefer_bundled_portaudio(Path(bundle))
    args = sys.argv[1:]
    if args[:2] == ["-m", "app.engine"]:
        from app.engine.__main__ import main as engine_main

        sys.argv = ["deskphone-engine", *args[2:]]
        return engine_main(args[2:])
    if args[:2] == ["-m", "app"]:
        args = args[2:]
    from app.__main__ import main as deskphone_main

    return deskphone_main(args)


if __name__ == "__main__":
    sys.exit(main())
