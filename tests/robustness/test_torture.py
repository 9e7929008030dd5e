"""RFC 4475 torture messages at the real engine over UDP and TCP.

The engine is registered at its own Kamailio for the whole module. After every message it must
still be the same process, answer an OPTIONS, be registered, and have no live call left. The
codes it sends are pinned in EXPECTED (what pjsua2 2.15.1 does); where they differ from what the
RFC names, tests/robustness/README.md says why. A change in either direction fails here, so the
table stays true.
"""

from __future__ import annotations

import pytest

from tests.robustness.conftest import RunningPhone
from tests.robustness.replay import (
    Exchange,
    TcpPeer,
    UdpPeer,
    assert_healthy,
    end_live_calls,
    live_calls,
    load_torture,
    rewrite_for_loopback,
    torture_names,
)

pytestmark = pytest.mark.sip

DROP = 0  # no response at all: pjsip dropped the message (parse error or no module took it)
RING = 180  # an INVITE accepted as a call: it rings until the test refuses it (486)

# name: (RFC 4475 expects, engine over UDP, engine over TCP). "handle" = parse and answer normally.
EXPECTED: dict[str, tuple[str, int, int]] = {
    "badaspec": ("400", 200, 200),
    "badbranch": ("handle or 400", 200, 200),
    "baddate": ("400 or handle", RING, RING),
    "baddn": ("400", 200, DROP),
    "badinv01": ("400", DROP, DROP),
    "badvers": ("505", DROP, DROP),
    "bcast": ("drop (response)", DROP, DROP),
    "bext01": ("420 + Unsupported", 200, 200),
    "bigcode": ("drop (response)", DROP, DROP),
    "clerr": ("400", RING, DROP),
    "cparam01": ("handle REGISTER", DROP, DROP),
    "cparam02": ("handle REGISTER", DROP, DROP),
    "dblreq": ("handle REGISTER, ignore rest", DROP, 400),
    "esc01": ("handle", RING, RING),
    "esc02": ("handle (405/501)", DROP, DROP),
    "escnull": ("handle REGISTER", DROP, DROP),
    "escruri": ("400", RING, RING),
    "insuf": ("400", DROP, DROP),
    "intmeth": ("405/501", DROP, DROP),
    "inv2543": ("handle", 400, DROP),
    "invut": ("415 + Accept", 415, 415),
    "longreq": ("handle", RING, RING),
    "ltgtruri": ("400", DROP, DROP),
    "lwsdisp": ("handle", 200, 200),
    "lwsruri": ("400", DROP, DROP),
    "lwsstart": ("400", RING, RING),
    "mcl01": ("400", 200, 200),
    "mismatch01": ("400", 200, 200),
    "mismatch02": ("501 or 400", DROP, DROP),
    "mpart01": ("handle", 200, 200),
    "multi01": ("400", RING, RING),
    "ncl": ("400", DROP, DROP),
    "noreason": ("drop (response)", DROP, DROP),
    "novelsc": ("416", DROP, DROP),
    "quotbal": ("400", DROP, DROP),
    "regaut01": ("handle REGISTER", DROP, DROP),
    "regbadct": ("400", DROP, DROP),
    "regescrt": ("handle REGISTER", DROP, DROP),
    "scalar02": ("400", DROP, DROP),
    "scalarlg": ("drop (response)", DROP, DROP),
    "sdp01": ("406", RING, RING),
    "semiuri": ("handle", 200, 200),
    "transports": ("handle", 200, 200),
    "trws": ("400", 200, 200),
    "unkscm": ("416", DROP, DROP),
    "unksm2": ("handle REGISTER", DROP, DROP),
    "unreason": ("drop (response)", DROP, DROP),
    "wsinv": ("481", 481, 481),
    "zeromf": ("handle", 200, 200),
}

QUIET = 0.8  # seconds of silence that count as "dropped"


def test_the_table_covers_all_49_messages() -> None:
    assert sorted(EXPECTED) == torture_names()
    assert len(EXPECTED) == 49


@pytest.mark.parametrize("transport", ["UDP", "TCP"])
@pytest.mark.parametrize("name", torture_names())
def test_torture_message(phone: RunningPhone, name: str, transport: str) -> None:
    engine, client = phone.engine, phone.client
    assert not live_calls(client), "a call was left over before this message"
    peer = UdpPeer() if transport == "UDP" else TcpPeer(engine.port)
    try:
        tag = f"-{name}-{transport.lower()}"
        msg = rewrite_for_loopback(load_torture(name), engine.port, peer.port, transport, tag)
        ex = Exchange(msg)
        peer.send(msg, engine.port)
        peer.collect(ex, QUIET)
        rang = live_calls(client)
        if rang:
            # The engine accepted it as a call: refusing it must end it with the refuse code.
            end_live_calls(client)
            peer.collect(ex, 3.0)
        got = RING if rang else (ex.final or DROP)
        rfc, want_udp, want_tcp = EXPECTED[name]
        want = want_udp if transport == "UDP" else want_tcp
        assert got == want, (
            f"{name} over {transport}: got {got} (codes {ex.codes}), table says {want}; RFC: {rfc}"
        )
        if rang:
            assert 180 in ex.codes and ex.final == 486, ex.codes
    finally:
        peer.close()
    assert_healthy(engine, client, registered=True)
    assert engine.proc is not None and engine.proc.pid == phone.pid
