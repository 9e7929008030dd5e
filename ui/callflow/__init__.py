"""The Call Flow window."""
