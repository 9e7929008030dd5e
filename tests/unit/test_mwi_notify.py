"""Which unsolicited message-summary NOTIFYs are taken, and the answer to the others."""

from __future__ import annotations

import pytest

from app.sip.mwi_guard import address_of
from app.sip.mwi_notify import Refusal, check_unsolicited, in_dialog, parse_request, via_transport

GOOD = "Messages-Waiting: yes\r\nVoice-Message: 2/0 (0/0)\r\n"


def notify(body: str = GOOD, *headers: str, to_tag: bool = False) -> str:
    lines = [
        "NOTIFY sip:1001@127.0.0.1:5062 SIP/2.0",
        "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1",
        "From: <sip:vm@127.0.0.1>;tag=a",
        "To: <sip:1001@127.0.0.1>" + (";tag=b" if to_tag else ""),
        "Call-ID: x",
        "CSeq: 1 NOTIFY",
        *headers,
        f"Content-Length: {len(body)}",
    ]
    return "\r\n".join(lines) + "\r\n\r\n" + body


MWI = ("Event: message-summary", "Content-Type: application/simple-message-summary")


def test_a_good_notify_from_the_registrar_passes() -> None:
    request = parse_request(notify(GOOD, *MWI))
    assert request is not None and request.method == "NOTIFY" and not in_dialog(request)
    assert check_unsolicited(request, trusted=True) is None
    # compact header names count too (o: Event, c: Content-Type)
    compact = parse_request(
        notify(GOOD, "o: message-summary;id=1", "c: application/simple-message-summary")
    )
    assert compact is not None and check_unsolicited(compact, trusted=True) is None


@pytest.mark.parametrize(
    ("text", "trusted", "answer"),
    [
        (notify(GOOD, MWI[1]), True, Refusal(400, "Missing Event header")),
        (
            notify(GOOD, "Event: presence", MWI[1]),
            True,
            Refusal(489, "Bad Event", (("Allow-Events", "message-summary"),)),
        ),
        (notify(GOOD, *MWI), False, Refusal(403, "Forbidden")),
        (notify(GOOD, *MWI), False, Refusal(403, "Forbidden")),
        (
            notify(GOOD, MWI[0], "Content-Type: text/plain"),
            True,
            Refusal(415, "Unsupported Media Type", (("Accept", MWI[1].split(": ")[1]),)),
        ),
        (
            notify("Voice-Message: 5/0\r\n", *MWI),
            True,
            Refusal(400, "Bad message-summary body"),
        ),
        (notify("", *MWI), True, Refusal(400, "Bad message-summary body")),
    ],
)
def test_refusals(text: str, trusted: bool, answer: Refusal) -> None:
    request = parse_request(text)
    assert request is not None
    assert check_unsolicited(request, trusted) == answer


def test_unknown_event_is_answered_even_from_strangers() -> None:
    request = parse_request(notify(GOOD, "Event: dialog"))
    assert request is not None
    refusal = check_unsolicited(request, trusted=False)
    assert refusal is not None and refusal.code == 489


def test_in_dialog_transport_and_addresses() -> None:
    request = parse_request(notify(GOOD, *MWI, to_tag=True))
    assert request is not None and in_dialog(request) and via_transport(request) == "UDP"
    assert parse_request("garbage") is None
    assert address_of('"Bob" <sip:1001@PBX:5070;transport=udp>;tag=1') == "sip:1001@pbx:5070"
    assert address_of("sip:1001@pbx;tag=9") == "sip:1001@pbx"
