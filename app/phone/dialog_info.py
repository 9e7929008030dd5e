"""RFC 4235 dialog-info bodies (the NOTIFY of a BLF subscription), read safely.

A NOTIFY body comes from the network, so the reader refuses instead of trusting:
- no DTD at all (a `<!DOCTYPE`, entity declarations, external entities): the classic XML
  bombs (entity expansion, "billion laughs") and external entity reads need one;
- bodies over MAX_BODY bytes, more than MAX_ELEMENTS elements, nesting deeper than MAX_DEPTH,
  more than MAX_DIALOGS dialogs; every kept text is cut to MAX_TEXT characters.
Elements are matched by local name (the dialog-info namespace is not required: servers differ)
and unknown elements are skipped. Pure code: no I/O, no pjsua2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

MAX_BODY = 32 * 1024  # pjsip reads at most 4000 bytes of a message (docs/pjsua2.md §1)
MAX_ELEMENTS = 2000
MAX_DEPTH = 12
MAX_DIALOGS = 32
MAX_TEXT = 256

# RFC 4235 §4.1.2: the dialog states in their order of progress
STATES = ("trying", "proceeding", "early", "confirmed", "terminated")


class BadDialogInfo(ValueError):
    """The body is not a dialog-info document this phone accepts; the text says why."""


@dataclass(frozen=True)
class Party:
    """<local> or <remote> of a dialog: who, and the target URI with its rendering param."""

    identity: str = ""  # the URI of <identity>
    display: str = ""  # its display attribute
    target: str = ""  # the uri attribute of <target>
    rendering: str = ""  # the +sip.rendering param of <target>: yes | no | unknown | ""


@dataclass(frozen=True)
class Dialog:
    """One <dialog> of a dialog-info document (RFC 4235)."""

    id: str
    state: str  # one of STATES, lower case; "" when missing or unknown
    direction: str = ""  # initiator | recipient | ""
    call_id: str = ""
    local_tag: str = ""
    remote_tag: str = ""
    event: str = ""  # the event attribute of <state> (e.g. replaced, rejected)
    local: Party = field(default_factory=Party)
    remote: Party = field(default_factory=Party)


@dataclass(frozen=True)
class DialogInfo:
    """A parsed dialog-info NOTIFY body (RFC 4235): the entity and its dialogs."""

    entity: str
    version: int
    full: bool  # state="full": the whole list; "partial": changes only
    dialogs: tuple[Dialog, ...] = ()


@dataclass
class _Open:
    """What the parser has collected of the dialog being read."""

    attrs: dict[str, str]
    state: str = ""
    event: str = ""
    parties: dict[str, dict[str, str]] = field(default_factory=dict)


def _cut(text: str) -> str:
    return text.strip()[:MAX_TEXT]


def _local(name: str) -> str:
    """The local name of an element or attribute ("ns local" with namespace processing)."""
    return name.rsplit(" ", 1)[-1].rsplit(":", 1)[-1]


class _Reader:
    def __init__(self) -> None:
        self.root: dict[str, str] | None = None
        self.dialogs: list[Dialog] = []
        self.stack: list[str] = []
        self.elements = 0
        self.text: list[str] = []
        self.open: _Open | None = None
        self.party = ""  # "local" | "remote" while inside one

    def refuse(self, *_args: object) -> int:
        raise BadDialogInfo("a DTD or an entity declaration is not accepted")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise BadDialogInfo(f"more than {MAX_ELEMENTS} elements")
        if len(self.stack) >= MAX_DEPTH:
            raise BadDialogInfo(f"nested deeper than {MAX_DEPTH}")
        plain = {_local(k): _cut(v) for k, v in list(attrs.items())[:16]}
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(tag)
        self.text = []
        if not parent:
            if tag != "dialog-info":
                raise BadDialogInfo(f"the root element is <{tag[:40]}>, not <dialog-info>")
            self.root = plain
        elif tag == "dialog" and parent == "dialog-info":
            if len(self.dialogs) >= MAX_DIALOGS:
                raise BadDialogInfo(f"more than {MAX_DIALOGS} dialogs")
            self.open = _Open(plain)
        elif self.open is not None:
            self._inside_dialog(tag, parent, plain)

    def _inside_dialog(self, tag: str, parent: str, attrs: dict[str, str]) -> None:
        assert self.open is not None
        if tag in ("local", "remote") and parent == "dialog":
            self.party = tag
            self.open.parties.setdefault(tag, {})
        elif tag == "state" and parent == "dialog":
            self.open.event = attrs.get("event", "")
        elif self.party and parent == self.party:
            party = self.open.parties[self.party]
            if tag == "identity":
                party["display"] = attrs.get("display", "")
            elif tag == "target":
                party["target"] = attrs.get("uri", "")
        elif (
            self.party
            and tag == "param"
            and parent == "target"
            and attrs.get("pname", "").lower() == "+sip.rendering"
        ):
            self.open.parties[self.party]["rendering"] = attrs.get("pvalue", "").lower()

    def chars(self, data: str) -> None:
        if sum(len(t) for t in self.text) < MAX_TEXT:
            self.text.append(data)

    def end(self, name: str) -> None:
        tag = self.stack.pop()
        text = _cut("".join(self.text))
        self.text = []
        parent = self.stack[-1] if self.stack else ""
        if self.open is None:
            return
        if tag == "state" and parent == "dialog":
            self.open.state = text.lower() if text.lower() in STATES else ""
        elif tag == "identity" and self.party and parent == self.party:
            self.open.parties[self.party]["identity"] = text
        elif tag in ("local", "remote") and parent == "dialog":
            self.party = ""
        elif tag == "dialog" and parent == "dialog-info":
            self.dialogs.append(_dialog(self.open))
            self.open = None


def _dialog(o: _Open) -> Dialog:
    a = o.attrs
    direction = a.get("direction", "").lower()
    return Dialog(
        id=a.get("id", ""),
        state=o.state,
        direction=direction if direction in ("initiator", "recipient") else "",
        call_id=a.get("call-id", ""),
        local_tag=a.get("local-tag", ""),
        remote_tag=a.get("remote-tag", ""),
        event=o.event.lower(),
        local=Party(**o.parties.get("local", {})),
        remote=Party(**o.parties.get("remote", {})),
    )


def parse_dialog_info(body: bytes | str) -> DialogInfo:
    """The dialog-info document in `body`; BadDialogInfo when it is refused."""
    data = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else bytes(body)
    if len(data) > MAX_BODY:
        raise BadDialogInfo(f"body of {len(data)} bytes (at most {MAX_BODY})")
    if not data.strip():
        raise BadDialogInfo("empty body")
    reader = _Reader()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = reader.refuse
    parser.EntityDeclHandler = reader.refuse
    parser.UnparsedEntityDeclHandler = reader.refuse
    parser.ExternalEntityRefHandler = reader.refuse
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.chars
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise BadDialogInfo(f"not well-formed XML ({expat.errors.messages[exc.code]})") from None
    root = reader.root
    if root is None:
        raise BadDialogInfo("no <dialog-info> element")
    version = root.get("version", "0")
    return DialogInfo(
        entity=root.get("entity", ""),
        version=int(version) if version.isdigit() and len(version) < 10 else 0,
        full=root.get("state", "full").lower() != "partial",
        dialogs=tuple(reader.dialogs),
    )
