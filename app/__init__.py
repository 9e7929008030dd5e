"""DeskPhone: a Yealink-style desktop softphone. Everything that is not a Qt widget lives here."""

__version__ = "0.1.0"
