"""Yealink local-directory XML and vCard 3.0, to and from Contact lists.

Yealink XML: `<root_group><group display_name=".." ring=".."/></root_group>` then
`<root_contact display_name=".." office_number=".." mobile_number=".." other_number=".."
line=".." ring=".." group_id_name=".."/>` elements (any root element name is accepted).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

CONTROL = re.compile(r"[\x00-\x1f]")


@dataclass
class Contact:
    """One directory entry as imported or exported."""

    name: str
    office: str = ""
    mobile: str = ""
    other: str = ""
    line: str = ""  # Yealink's `line` attribute, kept as given ("0" = first account)
    ring: str = ""  # ringtone name; "" = the account's
    group: str = ""
    id: str = ""  # set by the Directory

    @property
    def numbers(self) -> list[str]:
        return [n for n in (self.office, self.mobile, self.other) if n]

    def same_as(self, other: Contact) -> bool:
        return (self.name, self.numbers) == (other.name, other.numbers)


def contact_error(c: Contact) -> str:
    """'' if the contact can be stored, else why not."""
    if not c.name.strip():
        return "a contact needs a name"
    if not c.numbers:
        return f"{c.name}: a contact needs at least one number"
    for value in (c.name, c.office, c.mobile, c.other, c.line, c.ring, c.group):
        if CONTROL.search(value):
            return f"{c.name!r}: contains a line break or control character"
    return ""


@dataclass
class ParsedContacts:
    """The contacts read from a file, and the entries skipped."""

    contacts: list[Contact] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # entries skipped, with the reason


# ---- Yealink XML ---------------------------------------------------------------------------

_ATTRS = {
    "display_name": "name", "office_number": "office", "mobile_number": "mobile",
    "other_number": "other", "line": "line", "ring": "ring", "group_id_name": "group",
}  # fmt: skip


def parse_yealink_xml(text: str) -> ParsedContacts:
    out = ParsedContacts()
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        out.errors.append("XML with DOCTYPE/ENTITY declarations is refused")
        return out
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        out.errors.append(f"not a Yealink contact file: {exc}")
        return out
    for n, el in enumerate(root.iter("root_contact"), start=1):
        values = {attr: (el.get(xml) or "").strip() for xml, attr in _ATTRS.items()}
        c = Contact(**values)
        error = contact_error(c)
        if error:
            out.errors.append(f"contact {n}: {error}")
        else:
            out.contacts.append(c)
    if not out.contacts and not out.errors and root.find(".//root_contact") is None:
        out.errors.append("no <root_contact> entries found")
    return out


def to_yealink_xml(contacts: list[Contact]) -> str:
    root = ET.Element("root_contact_list")  # what a T46G exports; import ignores the name
    groups = ET.SubElement(root, "root_group")
    for name in sorted({c.group for c in contacts if c.group}):
        ET.SubElement(groups, "group", display_name=name, ring="")
    for c in contacts:
        attrs = {xml: getattr(c, attr) for xml, attr in _ATTRS.items()}
        ET.SubElement(root, "root_contact", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


# ---- vCard 3.0 -----------------------------------------------------------------------------


def _unescape(v: str) -> str:
    return re.sub(r"\\([\\,;nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), v)


def _escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")


def _unfold(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    return lines


def parse_vcards(text: str) -> ParsedContacts:
    out = ParsedContacts()
    card: dict[str, str] | None = None
    tels: list[tuple[set[str], str]] = []
    for n, line in enumerate(_unfold(text), start=1):
        if not line.strip():
            continue
        head, _, value = line.partition(":")
        name, *params = head.split(";")
        name = name.split(".")[-1].upper()  # drop "item1." groups
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            card, tels = {}, []
        elif name == "END" and card is not None:
            out_contact = _card_contact(card, tels)
            error = contact_error(out_contact)
            if error:
                out.errors.append(f"vCard ending on line {n}: {error}")
            else:
                out.contacts.append(out_contact)
            card = None
        elif card is not None and name in ("FN", "N", "CATEGORIES"):
            card[name] = value
        elif card is not None and name == "TEL":
            types: set[str] = set()
            for p in params:
                key, _, val = p.partition("=")
                types |= {t.strip().upper() for t in (val if val else key).split(",")}
            tels.append((types, value.strip().removeprefix("tel:")))
    if card is not None:
        out.errors.append("the last vCard has no END:VCARD")
    return out


def _card_contact(card: dict[str, str], tels: list[tuple[set[str], str]]) -> Contact:
    name = _unescape(card.get("FN", "")).strip()
    if not name and "N" in card:
        parts = [_unescape(p).strip() for p in card["N"].split(";")]
        name = " ".join(p for p in (parts[1:2] + parts[:1]) if p)
    c = Contact(name=name, group=_unescape(card.get("CATEGORIES", "").split(",")[0]).strip())
    rest: list[str] = []
    for types, number in tels:
        if "CELL" in types and not c.mobile:
            c.mobile = number
        elif "WORK" in types and not c.office:
            c.office = number
        else:
            rest.append(number)
    for number in rest:  # untyped numbers fill office first, then other
        if not c.office:
            c.office = number
        elif not c.other:
            c.other = number
    return c


def to_vcards(contacts: list[Contact]) -> str:
    out: list[str] = []
    for c in contacts:
        out += ["BEGIN:VCARD", "VERSION:3.0", f"FN:{_escape(c.name)}", f"N:{_escape(c.name)};;;;"]
        if c.office:
            out.append(f"TEL;TYPE=WORK,VOICE:{c.office}")
        if c.mobile:
            out.append(f"TEL;TYPE=CELL,VOICE:{c.mobile}")
        if c.other:
            out.append(f"TEL;TYPE=OTHER,VOICE:{c.other}")
        if c.group:
            out.append(f"CATEGORIES:{_escape(c.group)}")
        out.append("END:VCARD")
    return "\r\n".join(out) + "\r\n"
