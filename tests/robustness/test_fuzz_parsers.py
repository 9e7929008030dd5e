"""Bounded hypothesis fuzzing of the project's own parsers.

Property everywhere: a parser fed hostile text returns, or raises only its documented error
type. Inputs are both arbitrary text and text built from each format's own pieces (keys,
separators, tags), so the fuzzer gets past the first line of each parser. app/audio/tones.py
does not exist on main yet: tone strings are not fuzzed here.
"""

from __future__ import annotations

import contextlib
import json

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from app.engine.ops import to_input
from app.phone import sipheaders, sipuri
from app.phone.dialing import DialError, to_request_uri
from app.protocol import ProtocolError, decode
from app.remote import action_uri
from app.store.contact_formats import parse_vcards, parse_yealink_xml, to_yealink_xml
from app.store.yealink_cfg import import_cfg

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SIP_BITS = st.sampled_from(
    [
        "sip:", "sips:", "tel:", "<", ">", '"', "\\", "@", ":", ";", ",", "?", "&", "=", "%",
        "%4", "%00", "127.0.0.1", "[::1]", ":5060", ":99999", "user", "+49", " ", "\t", "\r\n",
        "lr", "q=0.5", "q=x", "tag=", "transport=tcp", "reason=", "counter=", "index=1.2",
        "*", "#", "-", "()", "\x00", "é",
    ]
)  # fmt: skip
sip_text = st.one_of(st.text(max_size=200), st.lists(SIP_BITS, max_size=40).map("".join))


@FUZZ
@given(sip_text)
def test_sipuri_helpers_never_raise(text: str) -> None:
    sipuri.parse_uri(text)
    sipuri.parse_contacts(text)
    sipuri.parse_diversion(text)
    sipuri.parse_history_info(text)
    sipuri.strip_uri_headers(text)
    sipuri.normalise_target(text, "127.0.0.1")
    sipuri.normalise_target(text, "", secure=True)
    message = f"SIP/2.0 302 Moved\r\nContact: {text}\r\nDiversion: {text}\r\n\r\n"
    sipheaders.status_of(message)
    sipheaders.contacts_in(message)
    sipheaders.diversion_in(message)
    sipheaders.history_info_in(message)
    sipheaders.header_values(text, "contact")


@FUZZ
@given(sip_text, st.sampled_from([None, "127.0.0.1", "pbx.example", ""]))
def test_dial_strings_give_a_uri_or_dial_error(text: str, domain: str | None) -> None:
    try:
        uri = to_request_uri(text, domain)
    except DialError:
        return
    assert uri.startswith(("sip:", "sips:", "tel:")), uri


CFG_KEYS = st.sampled_from(
    [
        "account.1.enable", "account.1.user_name", "account.1.sip_server.1.address",
        "account.1.sip_server.1.port", "account.2.label", "account.99.enable",
        "features.dnd.enable", "forward.always.enable", "forward.always.target",
        "local_contact.data.url", "phone_setting.ring_type", "static.network.ip", "x", "",
        "account.1.sip_server.1.expires", "features.normal_refuse_code",
    ]
)  # fmt: skip
cfg_line = st.one_of(
    st.tuples(CFG_KEYS, st.sampled_from(["=", " = ", ":", ""]), st.text(max_size=30)).map("".join),
    st.sampled_from(["#!version:1.0.0.1", "# comment", "", "=", "==", "\ufeff", "\x00"]),
    st.text(max_size=60),
)


@FUZZ
@given(st.lists(cfg_line, max_size=30))
def test_yealink_cfg_import_never_raises(lines: list[str]) -> None:
    settings_out, report = import_cfg("\n".join(lines), source="fuzz.cfg")
    assert settings_out is not None and report is not None


XML_BITS = st.sampled_from(
    [
        "<YealinkIPPhoneDirectory>", "</YealinkIPPhoneDirectory>", "<DirectoryEntry>",
        "</DirectoryEntry>", "<Name>", "</Name>", "<Telephone>", "</Telephone>",
        '<contact display_name="', '" office_number="', '" line="', '" ring="', '"/>',
        "<root_contact>", "</root_contact>", "<root_group>", "</root_group>", "&amp;", "&lt;",
        "&#0;", "&#xD800;", "<![CDATA[", "]]>", "<!--", "-->", "<?xml version='1.0'?>",
        "<!DOCTYPE x>", "Alice", "+4930123", "\x00", "é", " ",
    ]
)  # fmt: skip
VCARD_BITS = st.sampled_from(
    [
        "BEGIN:VCARD\r\n", "END:VCARD\r\n", "VERSION:3.0\r\n", "FN:", "N:", "TEL;TYPE=WORK:",
        "TEL;TYPE=CELL,VOICE:", "TEL:", "item1.TEL:", "EMAIL:", "\r\n ", "\n\t", "\\n", "\\,",
        "Alice", "+4930123", ";", ":", "=", "ENCODING=QUOTED-PRINTABLE:", "=0D=0A", "\x00",
    ]
)  # fmt: skip


@FUZZ
@given(st.one_of(st.text(max_size=300), st.lists(XML_BITS, max_size=40).map("".join)))
def test_yealink_xml_contacts_never_raise_and_round_trip(text: str) -> None:
    parsed = parse_yealink_xml(text)
    again = parse_yealink_xml(to_yealink_xml(parsed.contacts))
    assert [c.name for c in again.contacts] == [c.name for c in parsed.contacts]


@FUZZ
@given(st.one_of(st.text(max_size=300), st.lists(VCARD_BITS, max_size=40).map("".join)))
def test_vcards_never_raise(text: str) -> None:
    parsed = parse_vcards(text)
    assert isinstance(parsed.errors, list)


QUERY_BITS = st.sampled_from(
    [
        "key=", "OK", "CANCEL", "F1", "L1", "OFFHOOK", "number=", "outgoing_uri=", "phonecfg=",
        "get", "set", "account=", "dnd=", "on", "off", "&", "=", "%", "%2", "%zz", "%00", "+",
        ";", "1234", "sip:x@127.0.0.1", "P1", "key=DTMF_*", "key=SPEAKER", "\x00", "é",
    ]
)  # fmt: skip


@FUZZ
@given(st.one_of(st.text(max_size=200), st.lists(QUERY_BITS, max_size=30).map("".join)))
def test_action_uri_query_parses_without_hidden_errors(query: str) -> None:
    result = action_uri.parse_servlet_query(query)
    # parse_servlet_query turns any exception into this 400: seeing it means a parser bug.
    assert "unparsable query" not in str(getattr(result, "text", "")), result
    assert "unparsable query" not in repr(result), result


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=300),
        st.dictionaries(
            st.sampled_from(["v", "op", "target", "account", "call", "ts", "x"]), json_values
        ).map(lambda d: json.dumps({"v": 1, **d}).encode()),
        st.sampled_from(["dial", "answer", "hangup", "dtmf", "hold", "transfer", "x"]).map(
            lambda op: json.dumps({"v": 1, "op": op}).encode()
        ),
    )
)
def test_protocol_decode_raises_only_protocol_error(line: bytes) -> None:
    try:
        obj = decode(line)
    except ProtocolError:
        return
    assert isinstance(obj, dict) and obj["v"] == 1
    with contextlib.suppress(ProtocolError):
        to_input(obj)  # what the engine does next with every control line


@pytest.mark.parametrize("line", [b'{"v":1,"op":[]}', b'{"v":1,"op":{}}'])
def test_unhashable_op_is_a_protocol_error(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        to_input(decode(line))
