"""The BLF board (app/phone/blf.py) and the SIP messages it is fed from (app/sip/dialog_msgs.py):
RFC 4235 full/partial state by version, the lamp summary, pickup ids, empty bodies, refusals."""

from __future__ import annotations

from app.phone.blf import BlfBoard, Lamp, Monitor, PickupTarget, Watch
from app.phone.dialog_info import Dialog, DialogInfo, Party
from app.sip.dialog_msgs import presentity_of, read_notify, read_subscribe_answer

KEY = (1, "1005")


def body(version: int, *dialogs: str, state: str = "full") -> bytes:
    inner = "".join(dialogs)
    return (
        f'<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="{version}" '
        f'state="{state}" entity="sip:1005@pbx">{inner}</dialog-info>'
    ).encode()


def dialog(
    id: str, state: str, direction: str = "recipient", rendering: str = "", ids: bool = True
) -> str:
    attrs = 'call-id="c1@pbx" local-tag="callee" remote-tag="caller"' if ids else ""
    param = f'<param pname="+sip.rendering" pvalue="{rendering}"/>' if rendering else ""
    return (
        f'<dialog id="{id}" {attrs} direction="{direction}"><state>{state}</state>'
        f'<local><identity>sip:1005@pbx</identity><target uri="sip:1005@127.0.0.25">{param}'
        "</target></local>"
        '<remote><identity display="Carol">sip:2001@pbx</identity>'
        '<target uri="sip:2001@127.0.0.27:5062"/></remote></dialog>'
    )


def board() -> BlfBoard:
    b = BlfBoard()
    b.watch({KEY})
    return b


def test_lamp_states_from_notifies() -> None:
    b = board()
    assert b.view(KEY) == Watch(Lamp.UNKNOWN)
    assert b.notify(KEY, body(0))
    assert b.view(KEY).lamp == Lamp.IDLE
    assert b.notify(KEY, body(1, dialog("d1", "early")))
    ringing = b.view(KEY)
    assert (ringing.lamp, ringing.caller) == (Lamp.RINGING, "Carol")
    assert ringing.pickup == PickupTarget("sip:2001@127.0.0.27:5062", "c1@pbx", "caller", "callee")
    assert ringing.pickup.replaces() == "c1@pbx;to-tag=caller;from-tag=callee;early-only"
    b.notify(KEY, body(2, dialog("d1", "confirmed")))
    assert b.view(KEY) == Watch(Lamp.TALKING)
    b.notify(KEY, body(3, dialog("d1", "confirmed", rendering="no")))
    assert b.view(KEY).lamp == Lamp.HELD
    b.notify(KEY, body(4, dialog("d2", "early", direction="initiator")))
    assert b.view(KEY).lamp == Lamp.CALLING
    assert b.notify(KEY, body(5, dialog("d2", "terminated")))
    assert b.view(KEY).lamp == Lamp.IDLE
    assert not b.notify(KEY, body(6))  # no change: nothing to redraw


def test_ringing_wins_over_a_call_in_progress_and_partial_updates_apply() -> None:
    b = board()
    b.notify(KEY, body(1, dialog("talk", "confirmed"), dialog("ring", "early")))
    assert b.view(KEY).lamp == Lamp.RINGING  # a waiting call can be picked up
    b.notify(KEY, body(2, dialog("ring", "terminated"), state="partial"))
    assert b.view(KEY).lamp == Lamp.TALKING  # the other dialog stays
    b.notify(KEY, body(1, dialog("ring", "early")))  # older than what was applied
    assert b.view(KEY).lamp == Lamp.TALKING


def test_no_pickup_ids_without_tags_and_no_caller_name_falls_back_to_the_number() -> None:
    m = Monitor()
    remote = Party(identity="sip:2001@pbx")
    m.apply(DialogInfo("e", 1, True, (Dialog("x", "early", "recipient", remote=remote),)))
    assert m.watch == Watch(Lamp.RINGING, "2001", None)


def test_empty_bodies_refusals_and_failures() -> None:
    b = board()
    assert b.notify(KEY, b"")  # Kamailio: no dialog to aggregate, an empty body
    assert b.view(KEY).lamp == Lamp.IDLE
    assert not b.notify(KEY, b'<!DOCTYPE x [<!ENTITY a "b">]><dialog-info/>')
    assert not b.notify(KEY, b"<dialog-info><dialog>")
    assert b.refused == 2 and b.view(KEY).lamp == Lamp.IDLE  # refused bodies change nothing
    assert b.failed(KEY, "403 Forbidden")
    assert b.view(KEY) == Watch(Lamp.FAILED, reason="403 Forbidden")
    assert not b.failed(KEY, "403 Forbidden")  # reported once
    b.restart(KEY)
    assert b.view(KEY) == Watch(Lamp.UNKNOWN)
    assert not b.notify((2, "9"), body(0))  # a key nobody watches
    b.watch(set())
    assert b.views() == {}


def test_notify_and_subscribe_answers_are_read_from_the_wire() -> None:
    notify = (
        b"NOTIFY sip:alice@127.0.0.21:5060;ob SIP/2.0\r\nVia: SIP/2.0/UDP pbx;branch=z9hG4bK1\r\n"
        b'f: "Bob" <sip:1005@PBX.example:5060>;tag=n1\r\nTo: <sip:alice@pbx>;tag=s1\r\n'
        b"Call-ID: abc\r\nCSeq: 7 NOTIFY\r\no: dialog;id=x\r\n"
        b"Subscription-State: terminated;reason=noresource\r\nContent-Length: 4\r\n\r\nbody"
    )
    n = read_notify(notify)
    assert n is not None
    assert (n.cseq, n.presentity, n.body, n.state, n.reason, n.expires) == (
        "7", ("1005", "pbx.example"), b"body", "terminated", "noresource", None,
    )  # fmt: skip
    assert read_notify(notify.replace(b"o: dialog", b"Event: presence")) is None
    assert read_notify(b"INVITE sip:a SIP/2.0\r\n\r\n") is None
    answer = (
        b"SIP/2.0 489 Bad Event\r\nVia: SIP/2.0/UDP 127.0.0.21;rport;branch=z9hG4bKPjabc\r\n"
        b"From: <sip:alice@pbx>;tag=a\r\nTo: <sip:1005@pbx:5070>;tag=b\r\nCall-ID: x\r\n"
        b"CSeq: 2 SUBSCRIBE\r\nExpires: 0\r\n\r\n"
    )
    a = read_subscribe_answer(answer)
    assert a is not None
    assert (a.code, a.reason, a.presentity, a.branch, a.expires) == (
        489, "Bad Event", ("1005", "pbx"), "z9hG4bKPjabc", 0,
    )  # fmt: skip
    assert read_subscribe_answer(answer.replace(b"2 SUBSCRIBE", b"2 INVITE")) is None
    assert presentity_of("sips:Bob@[::1]:5061;transport=tls") == ("Bob", "[::1]")
    assert presentity_of('"x" <sip:1005@Host.Example>') == ("1005", "host.example")


def test_pickup_ids_that_could_forge_headers_are_not_used() -> None:
    m = Monitor()
    remote = Party(identity="sip:2001@pbx", target="sip:2001@pbx>\r\nX-Evil: 1")
    bad_tag = Dialog("x", "early", "recipient", "c1", "a;b", "r", remote=Party("sip:2@pbx"))
    m.apply(
        DialogInfo(
            "e", 1, True, (Dialog("x", "early", "recipient", "c1", "l", "r", remote=remote),)
        )
    )
    assert m.watch.lamp == Lamp.RINGING and m.watch.pickup is None
    m.apply(DialogInfo("e", 2, True, (bad_tag,)))
    assert m.watch.pickup is None
    routed = Party("sip:2@pbx", target="sip:2@pbx?Route=%3Csip:evil%3E")
    m.apply(
        DialogInfo("e", 3, True, (Dialog("x", "early", "recipient", "c", "l", "r", remote=routed),))
    )
    assert m.watch.pickup is None
    ok = Dialog("x", "early", "recipient", "c1@h", "l", "r", remote=Party("sip:2@pbx"))
    m.apply(DialogInfo("e", 4, True, (ok,)))
    assert m.watch.pickup == PickupTarget("sip:2@pbx", "c1@h", "r", "l")
