"""A flow's packets as a ladder: parties (columns) and numbered arrows, like the seed figures.

This phone sees only its own side of a call: the arrows are the messages it exchanged with
each network peer (the proxy, or the far end when dialled directly), numbered F1..Fn in time
order. Where a peer is a proxy, each remote target the call reached (User B, User C of the
seeds: the request-URI of each INVITE, or the caller of an incoming call) gets a column of its
own, and an arrow that the proxy carries on to or from that target says so (`relay`): a
request this phone sent through it, and a response or request that shows it came from the
target (its Contact, or a second Via). What the proxy did beyond that is not drawn: this
phone never saw it, and an admin debugging a PBX needs facts, not a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.callflow.model import Packet, SipInfo, sip_info, split_hostport
from app.phone.sipuri import parse_uri

PHONE = "This phone"
PROXY = "Proxy"
FAR_END = "Far end"
TARGET = "Target"
USERS = "BCDEFGHIJKLMNO"  # User B, User C ... as the seeds name them
PROXIES = "PQRSTUVWXYZ"


@dataclass(frozen=True)
class Party:
    letter: str  # A is this phone; then the peers and targets in order of appearance
    role: str  # PHONE, PROXY, FAR_END or TARGET
    address: str  # "host:port" of a network party, the URI of a target


@dataclass(frozen=True)
class Arrow:
    number: int  # the F in F1..Fn
    packet: Packet
    info: SipInfo
    src: int  # column of the sender
    dst: int  # column of the receiver
    offset: float  # seconds since the flow's first message
    leg: int  # which Call-ID (1, 2, ...) of the user call
    new_leg: bool  # the first message with a Call-ID after the first one
    retransmission_of: int = 0  # the F number of the same message seen before
    relay: int = -1  # the target column the proxy carries this to or from

    @property
    def label(self) -> str:
        return self.info.label


@dataclass(frozen=True)
class Ladder:
    parties: tuple[Party, ...]
    arrows: tuple[Arrow, ...]
    call_ids: tuple[str, ...]
    start: float  # wall-clock time of F1

    def party(self, column: int) -> Party:
        return self.parties[column]


def _same_place(uri: str, peer: str) -> bool:
    """Whether a URI (a Contact, a request-URI) points at the peer's own address."""
    parsed = parse_uri(uri)
    host, port = split_hostport(peer)
    if parsed is None or not parsed.host:
        return True  # nothing to compare: claim nothing
    default = 5061 if parsed.scheme == "sips" else 5060
    return parsed.host.strip("[]") == host.lower() and (parsed.port or default) == (port or 5060)


def _proxies(items: list[tuple[Packet, SipInfo]]) -> set[str]:
    """Peers that relay: they sent a request that had passed another hop (two Vias), or a
    provisional/success response whose Contact is another party's address."""
    found = set()
    for packet, info in items:
        if packet.sent:
            continue
        relayed_request = info.request and info.vias >= 2
        relayed_answer = 100 < info.code < 300 and bool(info.contact)
        if relayed_request or (relayed_answer and not _same_place(info.contact, packet.peer)):
            found.add(packet.peer)
    return found


def _leg_targets(items: list[tuple[Packet, SipInfo]]) -> dict[str, str]:
    """The remote party of each Call-ID: an INVITE's request-URI, or an incoming INVITE's
    caller; the first seen wins."""
    targets: dict[str, str] = {}
    for packet, info in items:
        if info.request and info.method == "INVITE" and info.call_id not in targets:
            uri = info.uri if packet.sent else info.from_uri
            if uri:
                targets[info.call_id] = uri.split(";", 1)[0] if packet.sent else uri
    return targets


def build_ladder(packets: list[Packet]) -> Ladder:
    items = [(p, sip_info(p.data)) for p in sorted(packets, key=lambda p: p.t)]
    proxies = _proxies(items)
    targets = _leg_targets(items)
    local = next((p.local for p, _ in items if p.local), "")
    parties: list[Party] = [Party("A", PHONE, local)]
    columns: dict[tuple[str, str], int] = {}

    def column(role: str, address: str) -> int:
        key = (TARGET if role == TARGET else "net", address)
        if key not in columns:
            if role == PROXY:
                letters, used = PROXIES, sum(p.role == PROXY for p in parties)
            else:
                letters, used = USERS, sum(p.role in (FAR_END, TARGET) for p in parties)
            letter = letters[used] if used < len(letters) else "?"
            columns[key] = len(parties)
            parties.append(Party(letter, role, address))
        return columns[key]

    call_ids: list[str] = []
    arrows: list[Arrow] = []
    seen: dict[tuple[bool, bytes], int] = {}
    failed_invites: set[tuple[str, int]] = set()  # (Call-ID, CSeq) answered >= 300
    start = items[0][0].t if items else 0.0
    for packet, info in items:
        peer = column(PROXY if packet.peer in proxies else FAR_END, packet.peer)
        new_leg = bool(call_ids) and info.call_id not in call_ids
        if info.call_id not in call_ids:
            call_ids.append(info.call_id)
        if not info.request and info.method == "INVITE" and info.code >= 300:
            failed_invites.add((info.call_id, info.cseq))
        relay = -1
        target = targets.get(info.call_id, "")
        if packet.peer in proxies and target and _relayed(packet, info, failed_invites):
            relay = column(TARGET, target)
        number = len(arrows) + 1
        key = (packet.sent, packet.data)
        arrows.append(
            Arrow(
                number=number,
                packet=packet,
                info=info,
                src=0 if packet.sent else peer,
                dst=peer if packet.sent else 0,
                offset=packet.t - start,
                leg=call_ids.index(info.call_id) + 1,
                new_leg=new_leg,
                retransmission_of=seen.get(key, 0),
                relay=relay,
            )
        )
        seen.setdefault(key, number)
    return Ladder(tuple(parties), tuple(arrows), tuple(call_ids), start)


def _relayed(packet: Packet, info: SipInfo, failed_invites: set[tuple[str, int]]) -> bool:
    """Whether the proxy carries this message on to (or brought it from) the leg's target."""
    if packet.sent:
        if info.method == "ACK" and (info.call_id, info.cseq) in failed_invites:
            return False  # the ACK of a 3xx-6xx ends at the proxy (it ACKs the target itself)
        return info.request or info.code > 100  # 100 Trying is hop by hop
    if info.request:
        return info.vias >= 2
    return (
        100 < info.code < 300 and bool(info.contact) and not _same_place(info.contact, packet.peer)
    )


def party_name(party: Party) -> str:
    """ "P (Proxy 127.0.0.1:5060)" for texts and tooltips."""
    return f"{party.letter} ({party.role} {party.address})".replace(" )", ")")
