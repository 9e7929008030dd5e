"""Call flows, the pure parts: pjsua's message log entries into packets, the facts
of a message, the ladder (numbering, Call-IDs, retransmissions, relays) and the text export."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.callflow.ladder import FAR_END, PHONE, PROXY, TARGET, build_ladder
from app.callflow.model import Flow, FlowMeta, Packet, sip_info, split_hostport
from app.callflow.text import flow_text
from app.sip.capture import is_message, parse_entry, quick_ids

PHONE_ADDR = "127.0.0.1:5070"
PROXY_ADDR = "127.0.0.1:5060"


def entry(direction: str, msg: bytes, peer: str = PROXY_ADDR, transport: str = "UDP") -> str:
    """A pjsua log entry as the writer gets it (decoration, indent, message, end mark)."""
    kind = "Response" if msg.startswith(b"SIP/2.0") else "Request"
    where = "to" if direction == "TX" else "from"
    text = msg.decode("utf-8", "surrogateescape")
    return (
        f"10:00:18.988           pjsua_core.c ....{direction} {len(msg)} bytes {kind} msg "
        f"INVITE/cseq=1 (tdta0x55a12f940f38) {where} {transport} {peer}:\n{text}\n--end msg--\n"
    )


def request(
    method: str, uri: str, call_id: str, cseq: int = 1, vias: int = 1, extra: str = ""
) -> bytes:
    via = "".join(f"Via: SIP/2.0/UDP {PHONE_ADDR};branch=z9hG4bK{n}{cseq}\r\n" for n in range(vias))
    return (
        f"{method} {uri} SIP/2.0\r\n{via}From: <sip:alice@x>;tag=a1\r\nTo: <{uri}>\r\n"
        f"Call-ID: {call_id}\r\nCSeq: {cseq} {method}\r\n{extra}Content-Length: 0\r\n\r\n"
    ).encode()


def response(code: int, reason: str, call_id: str, cseq: int = 1, extra: str = "") -> bytes:
    return (
        f"SIP/2.0 {code} {reason}\r\nVia: SIP/2.0/UDP {PHONE_ADDR};branch=z9hG4bK0{cseq}\r\n"
        f"From: <sip:alice@x>;tag=a1\r\nTo: <sip:bob@x>;tag=b1\r\nCall-ID: {call_id}\r\n"
        f"CSeq: {cseq} INVITE\r\n{extra}Content-Length: 0\r\n\r\n"
    ).encode()


def packet(t: float, sent: bool, data: bytes, peer: str = PROXY_ADDR) -> Packet:
    return Packet(t, sent, "UDP", PHONE_ADDR, peer, data, len(data))


def test_a_log_entry_gives_the_exact_message_direction_and_peer() -> None:
    msg = request("INVITE", "sip:bob@127.0.0.1", "c1")
    text = entry("TX", msg)
    assert is_message(text)
    got = parse_entry(12.5, text, PHONE_ADDR)
    assert got == Packet(12.5, True, "UDP", PHONE_ADDR, PROXY_ADDR, msg, len(msg))
    rx = parse_entry(13.0, entry("RX", response(180, "Ringing", "c1"), "[::1]:5062", "TCP6"))
    assert rx is not None and not rx.sent and rx.peer == "[::1]:5062" and rx.transport == "TCP6"
    assert split_hostport(rx.peer) == ("::1", 5062)


def test_other_log_lines_and_garbage_are_not_messages() -> None:
    assert not is_message("10:00:18.691 pjsua_acc.c Registration sent")
    assert parse_entry(0, "10:00:18 RX 12 bytes Request msg broken", "") is None
    assert parse_entry(0, "", "") is None


def test_bytes_that_are_not_utf8_survive_and_a_body_cannot_fake_the_end() -> None:
    msg = request("INVITE", "sip:bob@x", "c1", extra="Subject: caf\xe9\r\n")
    raw = msg.replace("caf\xe9".encode(), b"caf\xe9\xff")  # Latin-1 and a stray byte
    raw = raw.replace(b"\r\n\r\n", b"\r\n\r\nbody\n--end msg--\nmore")
    got = parse_entry(1.0, entry("RX", raw), "")
    assert got is not None and got.data == raw
    assert "caf\\xe9\\xff" in got.text


def test_a_message_the_log_cut_short_says_so() -> None:
    msg = request("INVITE", "sip:bob@x", "c1")
    text = entry("TX", msg).replace(f"TX {len(msg)} bytes", f"TX {len(msg) + 500} bytes")
    cut = text[: text.index("--end msg--") - 1].rstrip("\n") + "\r\n"  # pj_log's cut
    got = parse_entry(1.0, cut, "")
    assert got is not None and got.truncated and got.size == len(msg) + 500
    assert got.data == msg.rstrip(b"\r\n")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_no_bytes_make_the_parsers_raise(data: bytes) -> None:
    info = sip_info(data)
    assert isinstance(info.label, str)
    text = entry("RX", data)
    got = parse_entry(0.0, text, "")
    assert got is None or got.data == data[: got.size]
    assert all(isinstance(part, str) for part in quick_ids(text))
    build_ladder([packet(0.0, False, data)])


def test_sip_info_reads_requests_responses_and_compact_headers() -> None:
    info = sip_info(request("INVITE", "sip:bob@x;user=phone", "abc", 7, vias=2))
    assert (info.request, info.method, info.uri, info.call_id, info.cseq, info.vias) == (
        True, "INVITE", "sip:bob@x;user=phone", "abc", 7, 2,
    )  # fmt: skip
    assert info.via == PHONE_ADDR and info.label == "INVITE"
    compact = (
        b"SIP/2.0 302 Moved Temporarily\r\ni: xyz\r\nm: <sip:carol@y>\r\nCSeq: 7 INVITE\r\n\r\n"
    )
    info = sip_info(compact)
    assert (info.code, info.reason, info.method, info.call_id, info.contact) == (
        302, "Moved Temporarily", "INVITE", "xyz", "sip:carol@y",
    )  # fmt: skip
    assert info.label == "302 Moved Temporarily"


def always_forward() -> list[Packet]:
    """The phone's side of the seed's always-forward flow, with one retransmitted 200."""
    c1, c2 = "leg-one", "leg-two"
    carol = "Contact: <sip:carol@127.0.0.1:5090>\r\n"
    return [
        packet(0.000, True, request("INVITE", "sip:bob@127.0.0.1", c1)),
        packet(0.002, False, response(100, "Trying", c1)),
        packet(0.004, False, response(302, "Moved Temporarily", c1, extra=carol)),
        packet(0.005, True, request("ACK", "sip:bob@127.0.0.1", c1)),
        packet(0.006, True, request("INVITE", "sip:carol@127.0.0.1", c2, 2)),
        packet(0.008, False, response(180, "Ringing", c2, 2, extra=carol)),
        packet(0.500, False, response(200, "OK", c2, 2, extra=carol)),
        packet(0.900, False, response(200, "OK", c2, 2, extra=carol)),
        packet(0.901, True, request("ACK", "sip:carol@127.0.0.1:5090", c2, 2)),
    ]


def test_the_ladder_numbers_every_message_and_spans_the_call_ids() -> None:
    ladder = build_ladder(always_forward())
    assert [(p.letter, p.role, p.address) for p in ladder.parties] == [
        ("A", PHONE, PHONE_ADDR),
        ("P", PROXY, PROXY_ADDR),  # it relayed carol's answers: a proxy
        ("B", TARGET, "sip:bob@127.0.0.1"),
        ("C", TARGET, "sip:carol@127.0.0.1"),
    ]
    arrows = ladder.arrows
    assert [a.number for a in arrows] == list(range(1, 10))
    assert [a.label for a in arrows] == [
        "INVITE", "100 Trying", "302 Moved Temporarily", "ACK", "INVITE", "180 Ringing",
        "200 OK", "200 OK", "ACK",
    ]  # fmt: skip
    assert [a.leg for a in arrows] == [1, 1, 1, 1, 2, 2, 2, 2, 2]
    assert [a.number for a in arrows if a.new_leg] == [5]
    assert [(a.src, a.dst) for a in arrows[:3]] == [(0, 1), (1, 0), (1, 0)]
    assert arrows[7].retransmission_of == 7 and not arrows[6].retransmission_of
    # relayed on to / from the targets: not the 100 (hop by hop), not the 302's ACK
    assert [a.relay for a in arrows] == [2, -1, -1, -1, 3, 3, 3, 3, 3]
    assert ladder.call_ids == ("leg-one", "leg-two")
    assert arrows[6].offset == 0.5


def test_a_direct_call_has_a_far_end_and_no_target_columns() -> None:
    peer = "127.0.0.2:5060"
    contact = "Contact: <sip:bob@127.0.0.2:5060>\r\n"
    ladder = build_ladder(
        [
            packet(0, True, request("INVITE", "sip:bob@127.0.0.2", "d"), peer),
            packet(1, False, response(200, "OK", "d", extra=contact), peer),
        ]
    )
    assert [p.role for p in ladder.parties] == [PHONE, FAR_END]
    assert all(a.relay == -1 for a in ladder.arrows)


def test_the_text_export_has_the_steps_and_every_message_whole() -> None:
    packets = always_forward()
    meta = FlowMeta(4, direction="out", remote_uri="sip:carol@127.0.0.1", state="Finished")
    meta.original_uri = "sip:bob@127.0.0.1"
    text = flow_text(Flow(meta, packets))
    assert text.startswith("DeskPhone call flow 4\n")
    assert "outgoing sip:bob@127.0.0.1 → sip:carol@127.0.0.1, Finished" in text
    steps = [line.split()[0] for line in text.splitlines() if line.startswith("  F")]
    assert steps == [f"F{n}" for n in range(1, 10)]
    assert "  F3     +0.004 s  P -> A  302 Moved Temporarily      [Call-ID 1]" in text
    assert "--- new Call-ID 2 ---" in text
    assert "(from C; retransmission of F7)" in text
    assert "F1 INVITE—A (This phone 127.0.0.1:5070) to P (Proxy 127.0.0.1:5060)" in text
    for p in packets:  # every message whole, line endings as text
        assert p.data.decode().replace("\r\n", "\n").rstrip("\n") in text


def test_quick_ids_sorts_a_message_by_call_id_and_cseq_method() -> None:
    assert quick_ids(entry("TX", request("INVITE", "sip:b@x", "abc@host", 5))) == (
        "abc@host", "INVITE",
    )  # fmt: skip
    compact = b"SIP/2.0 200 OK\r\nv: SIP/2.0/UDP h\r\ni:  xyz \r\ncseq:7   bye\r\n\r\n"
    assert quick_ids(entry("RX", compact)) == ("xyz", "BYE")
    body_only = b"SIP/2.0 200 OK\r\nVia: x\r\n\r\nCall-ID: not-a-header\r\n"
    assert quick_ids(entry("RX", body_only)) == ("", "")
    assert quick_ids("") == ("", "")
    for p in always_forward():  # the same Call-ID sip_info reads
        assert quick_ids(entry("TX" if p.sent else "RX", p.data))[0] == sip_info(p.data).call_id
