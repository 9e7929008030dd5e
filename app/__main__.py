"""The `deskphone` program (also `python -m app`): the command line with the Qt window.

A program, not a layer: it is the one place that hands the window (ui/, the top layer) to the
command line below it, so no module of app/ imports ui/.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from app.cli import main as command_line
    from ui.launch import QtWindow

    return command_line(argv, QtWindow())


if __name__ == "__main__":
    sys.exit(main())
