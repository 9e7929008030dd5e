"""The incoming policy the SIP layer applies before pjsua (app/phone/incoming_policy.py,
app/phone/screening.py), and the request head it reads (app/sip/request_head.py)."""

from __future__ import annotations

from app.phone.core import PhoneCore
from app.phone.incoming import Route
from app.phone.incoming_policy import IncomingPolicy, literal_source, split_hostport
from app.phone.messages import IncomingAnswered, IncomingCall, Publish, RegistrationChanged
from app.phone.model import CallState
from app.phone.settings import AccountSettings, ForwardRule, Settings
from app.sip.request_head import parse_head


def core_with(*accounts: AccountSettings) -> PhoneCore:
    core = PhoneCore(Settings(accounts=list(accounts)), lambda: 100.0)
    core.local_domain = "127.0.0.1:5062"
    return core


def registered(core: PhoneCore, index: int, server: str) -> None:
    core.handle(RegistrationChanged(index, 200, "OK", 3600, True, server))


def test_no_account_registered_means_no_filter() -> None:
    core = core_with(AccountSettings(user="alice", server="pbx.example"))
    policy = core.incoming_policy()
    assert not policy.trust_only and policy.accepts("198.51.100.7", 5060)


def test_a_registered_account_trusts_only_where_its_register_was_answered() -> None:
    core = core_with(AccountSettings(user="alice", server="pbx.example"))
    registered(core, 1, "192.0.2.10:5060")
    policy = core.incoming_policy()
    assert policy.trust_only
    assert policy.accepts("192.0.2.10", 5060)
    assert not policy.accepts("192.0.2.10", 5070)  # another port of that host, over UDP
    assert policy.accepts("192.0.2.10", 40123, stream=True)  # a new TCP connection from it
    assert not policy.accepts("198.51.100.7", 5060)
    assert not policy.accepts("127.0.0.2", 5060)  # another host, in the tests
    assert policy.accepts("127.0.0.1", 40000) and policy.accepts("::1", 40000)  # this one
    core.handle(RegistrationChanged(1, 408, "Request Timeout", 0, False))
    assert not core.incoming_policy().trust_only  # nothing registered: direct calls again


def test_configured_ip_servers_and_proxies_are_trusted_too() -> None:
    acc = AccountSettings(
        user="a", server="127.0.0.25", port=5080, outbound_proxy="127.0.0.26:5090"
    )
    core = core_with(acc)
    registered(core, 1, "127.0.0.26:5090")
    assert core.incoming_policy().servers == {("127.0.0.25", 5080), ("127.0.0.26", 5090)}


def test_the_snapshot_is_rebuilt_only_when_something_it_uses_changed() -> None:
    core = core_with()
    first = core.incoming_policy()
    assert core.incoming_policy() is first
    core.settings.dnd.enabled = True  # an edit in place, then announced
    assert core.incoming_policy() is first
    core.update_settings(core.settings)
    second = core.incoming_policy()
    assert second is not first and second.route(0, "<sip:bob@h>").kind == "refuse"
    core.settings.dnd.enabled = False  # the snapshot holds its own copy
    assert second.route(0, "<sip:bob@h>").kind == "refuse"
    core.handle(IncomingCall("i1", 0, "<sip:bob@h>", ""))
    assert core.incoming_policy() is not second  # a call is up now


def test_route_is_the_core_rule() -> None:
    settings = Settings()
    settings.forward.phone.always = ForwardRule(True, "2000")
    policy = IncomingPolicy(settings, accounts=(0,), local_domain="127.0.0.1:5062")
    route = policy.route(0, '"Bob" <sip:bob@198.51.100.7>')
    assert route.kind == "forward" and route.forward is not None
    assert route.forward.headers[0] == ("Contact", "<sip:2000@127.0.0.1:5062>")
    assert policy.account(7) == 0  # pjsua's account unknown to the core: as the core picks


def test_answered_calls_are_recorded_and_gone_at_once() -> None:
    core = core_with()
    settings = Settings()
    settings.forward.phone.always = ForwardRule(True, "sip:carol@h")
    route = IncomingPolicy(settings).route(0, "<sip:bob@h>")
    out = core.handle(IncomingAnswered("i1", 0, '"Bob" <sip:bob@h>', "Bob", route))
    call, removed = out
    assert isinstance(call, Publish) and call.kind == "call"
    assert call.data["state"] == CallState.FINISHED and call.data["remote_name"] == "Bob"
    assert call.data["extra"]["result"] == "forwarded"
    assert call.data["extra"]["forwarded_to"] == "sip:carol@h"
    assert removed == Publish("call_removed", {"id": "i1"})
    assert core.calls == {} and core.next_deadline() is None
    refused = core.handle(IncomingAnswered("i2", 0, "<sip:x@h>", "", Route("refuse", 480, "DND")))
    assert refused[0].data["code"] == 480 and refused[0].data["extra"]["result"] == "refused"


def test_hosts_and_ports() -> None:
    assert split_hostport("192.0.2.1:5070") == ("192.0.2.1", 5070)
    assert split_hostport("[2001:db8::1]:5061") == ("2001:db8::1", 5061)
    assert split_hostport("pbx.example") == ("pbx.example", 5060)
    assert literal_source("pbx.example", 5060, "udp") is None
    assert literal_source("192.0.2.1", 0, "tls") == ("192.0.2.1", 5061)


INVITE = (
    b"INVITE sip:100@127.0.0.1:5062 SIP/2.0\r\n"
    b"v: SIP/2.0/UDP 127.0.0.2:5060;rport;branch=z9hG4bK-1\r\n"
    b"Via: SIP/2.0/TCP 127.0.0.21;branch=z9hG4bK-other\r\n"
    b'f: "A;b<c>" <sip:alice@127.0.0.2>;tag=abc\r\n'
    b"To: <sip:100@127.0.0.1>\r\n"
    b"i: 42@127.0.0.2\r\n"
    b"CSeq: 7 INVITE\r\n"
    b"Diversion: <sip:bob@pbx>;reason=user-busy\r\n"
    b"P-Asserted-Identity: <sip:+4930123@pbx>\r\n"
    b"Content-Length: 0\r\n\r\n"
)


def test_request_head_reads_what_the_guard_needs() -> None:
    head = parse_head(INVITE)
    assert head is not None
    assert (head.method, head.call_id, head.cseq) == ("INVITE", "42@127.0.0.2", "7")
    assert (head.transport, head.branch, head.to_tag) == ("UDP", "z9hG4bK-1", False)
    assert head.from_value == '"A;b<c>" <sip:alice@127.0.0.2>'
    assert head.headers == (
        ("Diversion", "<sip:bob@pbx>;reason=user-busy"),
        ("P-Asserted-Identity", "<sip:+4930123@pbx>"),
    )
    in_dialog = parse_head(INVITE.replace(b"To: <sip:100@127.0.0.1>", b"t: <sip:100@h>;tag=x"))
    assert in_dialog is not None and in_dialog.to_tag
    assert parse_head(b"SIP/2.0 200 OK\r\nVia: x\r\n\r\n") is None
    assert parse_head(INVITE.replace(b"i: 42@127.0.0.2\r\n", b"")) is None


def test_a_provisioned_trust_ctrl_0_turns_the_filter_off() -> None:
    from app.store.yealink_cfg import apply_entries, parse_cfg

    core = core_with(AccountSettings(user="alice", server="pbx.example"))
    registered(core, 1, "192.0.2.10:5060")
    assert core.incoming_policy().trust_only  # on by default while registered
    entries, _ = parse_cfg("#!version:1.0.0.1\nsip.trust_ctrl = 0\n")
    settings, _ = apply_entries(entries, core.settings)
    assert settings.trust_ctrl is False
    core.update_settings(settings)
    assert not core.incoming_policy().trust_only
    assert core.incoming_policy().accepts("198.51.100.7", 5060)
