"""The Call Flow window (issue 18)."""
