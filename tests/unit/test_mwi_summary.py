"""RFC 3842 message-summary bodies: what counts, and what is refused without changing anything."""

from __future__ import annotations

import pytest

from app.phone.mwi import MAX_BODY, Counts, MessageSummary, SummaryError, parse_summary


def test_rfc_example_with_account_and_urgent_counts() -> None:
    body = (
        "Messages-Waiting: yes\r\nMessage-Account: sip:alice@vmail.example.com\r\n"
        "Voice-Message: 4/8 (1/2)\r\n"
    )
    found = parse_summary(body)
    assert found == MessageSummary(True, Counts(4, 8, 1, 2), "sip:alice@vmail.example.com")
    assert isinstance(found, MessageSummary) and found.new_voice == 4


def test_names_and_values_in_any_case_and_spacing() -> None:
    found = parse_summary("messages-waiting:YES\nVOICE-MESSAGE :  3 / 1 ( 0 / 1 )\n")
    assert isinstance(found, MessageSummary)
    assert found.voice == Counts(3, 1, 0, 1)


def test_no_new_messages_and_the_optional_headers_after_a_blank_line() -> None:
    body = "Messages-Waiting: no\r\nVoice-Message: 0/5\r\n\r\nTo: <sip:a@b>\r\nnot a header\r\n"
    found = parse_summary(body)
    assert isinstance(found, MessageSummary)
    assert (found.waiting, found.new_voice, found.voice) == (False, 0, Counts(0, 5))


def test_waiting_without_a_count_is_unknown_not_zero() -> None:
    found = parse_summary("Messages-Waiting: yes\r\n")
    assert isinstance(found, MessageSummary) and found.new_voice is None
    none = parse_summary("Messages-Waiting: no\r\n")
    assert isinstance(none, MessageSummary) and none.new_voice == 0


def test_other_message_classes_are_not_voice_mail() -> None:
    found = parse_summary("Messages-Waiting: yes\nFax-Message: 2/0\nText-Message: 1/1\n")
    assert isinstance(found, MessageSummary)
    assert found.voice is None and dict(found.others) == {
        "fax-message": Counts(2, 0),
        "text-message": Counts(1, 1),
    }


def test_huge_but_well_formed_counts_are_kept_as_sent() -> None:
    found = parse_summary("Messages-Waiting: yes\r\nVoice-Message: 99999/99999\r\n")
    assert isinstance(found, MessageSummary) and found.voice == Counts(99999, 99999)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("", "no Messages-Waiting line"),
        ("Voice-Message: 2/8\r\n", "no Messages-Waiting line"),
        ("Messages-Waiting: maybe\r\n", "not yes or no"),
        ("Messages-Waiting: yes\r\nMessages-Waiting: no\r\n", "twice"),
        ("Messages-Waiting: yes\r\nVoice-Message: 1/2\r\nVoice-Message: 3/4\r\n", "twice"),
        ("Messages-Waiting: no\r\nVoice-Message: 4/0\r\n", "no with 4 new"),
        ("Messages-Waiting: yes\r\nVoice-Message: two/eight\r\n", "is not new/old"),
        ("Messages-Waiting: yes\r\nVoice-Message: 1000000/0\r\n", "above 999999"),
        ("Messages-Waiting: yes\r\nVoice-Message: 99999999999999999999/1\r\n", "not new/old"),
        ("Messages-Waiting: yes\r\nVoice-Message: -1/2\r\n", "not new/old"),
        ("Messages-Waiting: yes\x00\r\n", "control characters"),
        ("garbage\r\n", "not 'Name: value'"),
        ("Messages-Waiting: yes\r\n" + "X-Pad: a\r\n" * 70, "past 64 lines"),
        ("Messages-Waiting: yes\r\nX: " + "a" * 300 + "\r\n", "256 long"),
        ("Messages-Waiting: yes\r\n" + "a" * MAX_BODY, f"longer than {MAX_BODY}"),
    ],
)
def test_unusable_bodies_say_why(body: str, why: str) -> None:
    found = parse_summary(body)
    assert isinstance(found, SummaryError), found
    assert why in found.reason
