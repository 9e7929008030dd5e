from __future__ import annotations

from ui.state import UiState


def test_restart_and_registration_words() -> None:
    state = UiState()
    state.apply(
        {
            "ev": "snapshot",
            "accounts": [{"index": 1, "label": "Alice", "state": "Registering"}],
            "calls": [],
        }
    )
    assert state.registration_text() == "Registering" and state.account_label() == "Alice"
    state.apply({"ev": "account", "index": 1, "label": "Alice", "state": "RegisterFailed"})
    assert state.registration_text() == "Register failed!"
    state.engine = "restarting"
    assert state.registration_text() == "Restarting…"


def test_calls_follow_events() -> None:
    state = UiState()
    state.apply({"ev": "call", "id": "o1", "state": "RingBack", "text": ""})
    assert state.call_text() == "Ringing"
    state.apply({"ev": "call", "id": "o1", "state": "CallFailed", "text": "Busy here!"})
    assert state.call_text() == "Busy here!"
    state.apply({"ev": "call_removed", "id": "o1"})
    assert state.current_call() is None
