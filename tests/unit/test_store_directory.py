"""Local directory: editing, dial-pad search, Yealink XML and vCard import/export."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.store.directory import CONTACTS_FILE, Contact, Directory

YEALINK_XML = """<?xml version="1.0" encoding="UTF-8"?>
<root_contact_list>
  <root_group>
    <group display_name="Sales" ring="Auto"/>
  </root_group>
  <root_contact display_name="Bob Builder" office_number="1003" mobile_number="+4915112345"
      other_number="" line="0" ring="Auto" group_id_name="Sales"/>
  <root_contact display_name="Carol &amp; Co" office_number="sip:carol@pbx.example.com"
      mobile_number="" other_number="555" line="1" ring="Ring2" group_id_name=""/>
  <root_contact display_name="" office_number="999"/>
</root_contact_list>
"""  # written by hand in the T46G export layout (docs/yealink.md §8: root_group/root_contact)

VCARDS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dave Jones\r\nN:Jones;Dave;;;\r\n"
    "TEL;TYPE=WORK,VOICE:2001\r\nTEL;TYPE=CELL:+44 7700 900123\r\nCATEGORIES:Friends\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Smith;Eve;;;\r\nitem1.TEL:3003\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Number\r\nEND:VCARD\r\n"
)


def test_add_edit_delete_persist(config_dir: Path) -> None:
    d = Directory(config_dir)
    bob = d.add(Contact("Bob", office="1003"))
    alice = d.add(Contact("alice", mobile="0171"))
    assert [c.name for c in Directory(config_dir).contacts()] == ["alice", "Bob"]
    bob.office = "1004"
    d.edit(bob)
    assert Directory(config_dir).get(bob.id) == bob
    d.delete(alice.id)
    assert [c.name for c in Directory(config_dir).contacts()] == ["Bob"]
    with pytest.raises(KeyError):
        d.delete(alice.id)


def test_invalid_contacts_refused(config_dir: Path) -> None:
    d = Directory(config_dir)
    with pytest.raises(ValueError, match="name"):
        d.add(Contact("", office="1"))
    with pytest.raises(ValueError, match="number"):
        d.add(Contact("Nobody"))
    assert not (config_dir / CONTACTS_FILE).exists()


def test_search_by_number_prefix_and_name_word_prefix(config_dir: Path) -> None:
    d = Directory(config_dir)
    d.add(Contact("Bob Builder", office="1003", mobile="0170"))
    d.add(Contact("Alice Baker", office="2003"))
    d.add(Contact("Carol", office="1100"))
    assert [c.name for c in d.search("10")] == ["Bob Builder"]
    assert [c.name for c in d.search("1")] == ["Bob Builder", "Carol"]
    assert [c.name for c in d.search("ba")] == ["Alice Baker"]
    assert [c.name for c in d.search("b")] == ["Alice Baker", "Bob Builder"]
    assert [c.name for c in d.search("017")] == ["Bob Builder"]
    assert d.search("003") == []


def test_yealink_xml_import_and_export_round_trip(config_dir: Path) -> None:
    d = Directory(config_dir)
    added, problems = d.import_yealink_xml(YEALINK_XML)
    assert added == 2 and len(problems) == 1 and "contact 3" in problems[0]
    bob = d.search("Bob")[0]
    assert (bob.office, bob.mobile, bob.group, bob.line) == ("1003", "+4915112345", "Sales", "0")
    assert d.search("Carol")[0].name == "Carol & Co"
    text = d.export_yealink_xml()
    assert "<root_group>" in text and 'display_name="Carol &amp; Co"' in text
    other = Directory(config_dir / "other")
    assert other.import_yealink_xml(text) == (2, [])
    strip = [(c.name, c.numbers, c.group, c.line, c.ring) for c in other.contacts()]
    assert strip == [(c.name, c.numbers, c.group, c.line, c.ring) for c in d.contacts()]
    assert d.import_yealink_xml(text) == (0, [])  # already there: not doubled


def test_vcard_import_and_export_round_trip(config_dir: Path) -> None:
    d = Directory(config_dir)
    added, problems = d.import_vcard(VCARDS)
    assert added == 2 and problems and "number" in problems[0]
    dave = d.search("Dave")[0]
    assert (dave.office, dave.mobile, dave.group) == ("2001", "+44 7700 900123", "Friends")
    assert d.search("Eve")[0].office == "3003"
    text = d.export_vcard()
    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    other = Directory(config_dir / "other")
    assert other.import_vcard(text) == (2, [])
    assert [(c.name, c.numbers, c.group) for c in other.contacts()] == [
        (c.name, c.numbers, c.group) for c in d.contacts()
    ]


def test_hostile_xml_is_refused(config_dir: Path) -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><root_contact_list/>'
    added, problems = Directory(config_dir).import_yealink_xml(bomb)
    assert added == 0 and "DOCTYPE" in problems[0]


def test_broken_file_is_moved_aside(config_dir: Path) -> None:
    (config_dir / CONTACTS_FILE).write_text("[{broken")
    d = Directory(config_dir)
    assert d.contacts() == [] and "kept as" in d.warning
    assert list(config_dir.glob(f"{CONTACTS_FILE}.broken-*"))
