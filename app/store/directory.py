"""The local directory: contacts kept in `contacts.json` in the config directory.

Every change is written at once, atomically (write, fsync, rename), so a crash never loses a
contact that `add`/`edit`/`delete` returned for. An unreadable file is moved aside with a
timestamp and an empty directory is used, with `warning` saying so.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import asdict, fields, replace
from pathlib import Path

from app.store.contact_formats import (
    Contact,
    ParsedContacts,
    contact_error,
    parse_vcards,
    parse_yealink_xml,
    to_vcards,
    to_yealink_xml,
)
from app.store.errors import StoreError
from app.store.fsutil import safe_write

log = logging.getLogger(__name__)

CONTACTS_FILE = "contacts.json"
MAX_CONTACTS = 1000  # the T46G's local directory holds 1000 entries


class Directory:
    def __init__(self, config_dir: Path) -> None:
        self.path = config_dir / CONTACTS_FILE
        self.warning = ""
        self._contacts: list[Contact] = self._load()

    def _load(self) -> list[Contact]:
        if not self.path.exists():
            return []
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            names = {f.name for f in fields(Contact)}
            return [Contact(**{k: str(v) for k, v in c.items() if k in names}) for c in raw]
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            aside = self.path.with_name(f"{self.path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                self.path.rename(aside)
            except OSError:
                aside = self.path
            self.warning = f"Directory file unreadable ({exc}); kept as {aside.name}"
            log.error(self.warning)
            return []

    def _save(self, contacts: list[Contact]) -> None:
        text = json.dumps([asdict(c) for c in contacts], indent=1, ensure_ascii=False)
        safe_write("the directory", self.path, text.encode("utf-8"))
        self._contacts = contacts  # only once it is on disk

    # ---- editing ----------------------------------------------------------------------

    def contacts(self) -> list[Contact]:
        """All contacts by name, as copies."""
        return [replace(c) for c in sorted(self._contacts, key=lambda c: c.name.casefold())]

    def get(self, contact_id: str) -> Contact | None:
        return next((replace(c) for c in self._contacts if c.id == contact_id), None)

    def add(self, contact: Contact) -> Contact:
        """Store a new contact; returns it with its id. ValueError if it is not valid."""
        self._check(contact)
        if len(self._contacts) >= MAX_CONTACTS:
            raise StoreError(f"The directory is full ({MAX_CONTACTS} contacts)")
        new = replace(contact, id=uuid.uuid4().hex)
        self._save([*self._contacts, new])
        return replace(new)

    def edit(self, contact: Contact) -> None:
        """Replace the stored contact with the same id."""
        self._check(contact)
        if not any(c.id == contact.id for c in self._contacts):
            raise KeyError(contact.id)
        self._save([replace(contact) if c.id == contact.id else c for c in self._contacts])

    def delete(self, contact_id: str) -> None:
        kept = [c for c in self._contacts if c.id != contact_id]
        if len(kept) == len(self._contacts):
            raise KeyError(contact_id)
        self._save(kept)

    @staticmethod
    def _check(contact: Contact) -> None:
        error = contact_error(contact)
        if error:
            raise ValueError(error)

    # ---- searching --------------------------------------------------------------------

    def search(self, text: str, limit: int = 20) -> list[Contact]:
        """Contacts whose number starts with `text`, or a word of whose name does."""
        query = text.strip().casefold()
        if not query:
            return self.contacts()[:limit]
        hits: list[Contact] = []
        for c in self.contacts():
            words = [c.name.casefold(), *c.name.casefold().split()]
            if any(n.startswith(query) for n in c.numbers) or any(
                w.startswith(query) for w in words
            ):
                hits.append(c)
        return hits[:limit]

    # ---- import and export ------------------------------------------------------------

    def _merge(self, parsed: ParsedContacts) -> tuple[int, list[str]]:
        """Add the parsed contacts not already present; returns (added, problems)."""
        contacts = list(self._contacts)
        added = 0
        problems = list(parsed.errors)
        for c in parsed.contacts:
            if any(c.same_as(old) for old in contacts):
                continue
            if len(contacts) >= MAX_CONTACTS:
                problems.append(f"directory full: {c.name} and later contacts not added")
                break
            contacts.append(replace(c, id=uuid.uuid4().hex))
            added += 1
        if added:
            self._save(contacts)
        return added, problems

    def import_yealink_xml(self, text: str) -> tuple[int, list[str]]:
        return self._merge(parse_yealink_xml(text))

    def import_vcard(self, text: str) -> tuple[int, list[str]]:
        return self._merge(parse_vcards(text))

    def export_yealink_xml(self) -> str:
        return to_yealink_xml(self.contacts())

    def export_vcard(self) -> str:
        return to_vcards(self.contacts())


__all__ = ["CONTACTS_FILE", "MAX_CONTACTS", "Contact", "Directory"]
