"""RFC 4235 dialog-info bodies (app/phone/dialog_info.py): read what servers send, refuse what
could hurt (DTDs and entity bombs, external entities, huge or deep documents), never raise
anything but BadDialogInfo."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.phone.dialog_info import (
    MAX_BODY,
    MAX_DEPTH,
    MAX_DIALOGS,
    MAX_TEXT,
    BadDialogInfo,
    parse_dialog_info,
)

# RFC 4235 §4.4 style, as Kamailio's presence_dialoginfo aggregates it (two dialogs)
TWO = b"""<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="full"
             entity="sip:1005@pbx">
  <dialog id="as7d900as8" call-id="a84b4c76e66710" local-tag="1928301774"
          remote-tag="hh76a" direction="initiator">
    <state>confirmed</state>
    <local><identity display="Bob">sip:1005@pbx</identity>
      <target uri="sip:1005@127.0.0.25"><param pname="+sip.rendering" pvalue="no"/></target>
    </local>
  </dialog>
  <dialog id="j7zgt54" call-id="ASDRRVASDRF" local-tag="123456789" remote-tag="EE345"
          direction="recipient">
    <state event="replaced">early</state>
    <remote><identity display="Carol">sip:2001@pbx</identity>
      <target uri="sip:2001@127.0.0.27:5062"/></remote>
  </dialog>
</dialog-info>"""

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{"&lol;" * 10 if i == 1 else f"&lol{i - 1};" * 10}">'
        for i in range(1, 10)
    )
    + ']><dialog-info version="1" state="full" entity="x"><dialog id="a"><state>&lol9;</state>'
    "</dialog></dialog-info>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<dialog-info version="1" state="full" entity="x"><dialog id="a">'
    "<remote><identity>&xxe;</identity></remote></dialog></dialog-info>"
)


def test_a_full_document_with_two_dialogs() -> None:
    info = parse_dialog_info(TWO)
    assert (info.entity, info.version, info.full) == ("sip:1005@pbx", 3, True)
    talk, ring = info.dialogs
    assert (talk.id, talk.state, talk.direction, talk.call_id) == (
        "as7d900as8", "confirmed", "initiator", "a84b4c76e66710",
    )  # fmt: skip
    assert talk.local.display == "Bob" and talk.local.rendering == "no"
    assert talk.local.target == "sip:1005@127.0.0.25"
    assert (ring.state, ring.direction, ring.event) == ("early", "recipient", "replaced")
    assert (ring.local_tag, ring.remote_tag) == ("123456789", "EE345")
    assert (ring.remote.identity, ring.remote.display, ring.remote.target) == (
        "sip:2001@pbx", "Carol", "sip:2001@127.0.0.27:5062",
    )  # fmt: skip


def test_partial_state_missing_parts_and_no_namespace() -> None:
    info = parse_dialog_info(
        '<dialog-info version="x" state="partial"><dialog id="1"><state>Bogus</state>'
        "</dialog><dialog><state>TERMINATED</state></dialog></dialog-info>"
    )
    assert (info.version, info.full, info.entity) == (0, False, "")
    assert [(d.id, d.state) for d in info.dialogs] == [("1", ""), ("", "terminated")]
    assert parse_dialog_info("<dialog-info/>").dialogs == ()


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (BILLION_LAUGHS, "DTD"),
        (XXE, "DTD"),
        ('<!DOCTYPE dialog-info SYSTEM "http://127.0.0.1/x.dtd"><dialog-info/>', "DTD"),
        ("<presence/>", "root element"),
        ("<dialog-info><dialog>", "well-formed"),
        ("", "empty"),
        ("   ", "empty"),
        (b"\xff\xfe<\x00", "well-formed"),
        (
            "<dialog-info>" + "<a>" * (MAX_DEPTH + 2) + "</a>" * (MAX_DEPTH + 2) + "</dialog-info>",
            "nested",
        ),
        ("<dialog-info>" + '<dialog id="x"/>' * (MAX_DIALOGS + 1) + "</dialog-info>", "dialogs"),
        ("<dialog-info>" + "<x/>" * 3000 + "</dialog-info>", "elements"),
        ("<dialog-info>" + " " * MAX_BODY + "</dialog-info>", "bytes"),
    ],
)
def test_refused_bodies(body: str | bytes, why: str) -> None:
    started = time.monotonic()
    with pytest.raises(BadDialogInfo, match=why):
        parse_dialog_info(body)
    assert time.monotonic() - started < 0.5  # refused, not expanded


def test_texts_are_cut() -> None:
    long_name = "N" * 10_000
    info = parse_dialog_info(
        f'<dialog-info><dialog id="{"i" * 999}"><remote><identity display="{long_name}">'
        f"sip:{'u' * 5000}@h</identity></remote></dialog></dialog-info>"
    )
    d = info.dialogs[0]
    assert len(d.id) == MAX_TEXT and len(d.remote.display) == MAX_TEXT
    assert len(d.remote.identity) <= MAX_TEXT


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600) | st.text(max_size=600))
def test_anything_is_read_or_refused_never_raises_otherwise(body: bytes | str) -> None:
    with contextlib.suppress(BadDialogInfo):
        parse_dialog_info(body)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<dialog-info>",
                "</dialog-info>",
                '<dialog id="1">',
                "</dialog>",
                "<state>",
                "</state>",
                "early",
                "confirmed",
                "<remote>",
                "</remote>",
                "<identity>",
                "</identity>",
                '<target uri="sip:a@b">',
                "</target>",
                "&amp;",
                "&#x41;",
                "<!--c-->",
                "<![CDATA[x]]>",
                '<param pname="+sip.rendering" pvalue="no"/>',
            ]
        ),
        max_size=40,
    )
)
def test_fragments_in_any_order(parts: list[str]) -> None:
    with contextlib.suppress(BadDialogInfo):
        parse_dialog_info("".join(parts))
