"""One phone number, however it was written: what block lists compare.

A block-out rule or a redirect block prefix written for `0900...` must also stop `tel:0900...`,
`sip:0900...@pbx`, `0900...@pbx`, and the same number in international form (`+49900...`,
`0049900...`); one written as `00...` (every international call) must also stop `+...`.

`+` and `00` are always the same thing: the international prefix (ITU-T E.164, E.123), and
Yealink's dial plans treat `+` as dialable. Between international and national forms the
phone needs its country: the guides have no country setting besides the tone country
(voice.tone.country), so that one is used; "Custom" knows no country and only `+`/`00` are
alike then. The calling codes and national (trunk) prefixes below are ITU-T E.164 country
codes and each country's numbering plan; countries without a trunk prefix (Italy, Spain, ...)
or whose prefix changed recently are given none, so only their `+CC`/`00CC` forms are matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from app.phone.sipuri import parse_uri

_VISUAL = str.maketrans("", "", "-.()/ ")
_NUMBER = re.compile(r"^\+?[0-9*#]+$")
MAX_DIGITS = 64  # longer is no phone number (E.164 allows 15 digits)
# A national number shorter than this (with its trunk prefix) is an extension or a short
# code, never written internationally: turning "1234" into "+1234" would let an "00." block
# rule stop a colleague's extension.
MIN_NATIONAL = 8


@dataclass(frozen=True)
class Numbering:
    """The tone country's numbering: country code and trunk prefix."""

    country_code: str = ""  # "49"; empty: unknown
    trunk_prefix: str = ""  # "0"; empty: none (the national form is the number itself)


NO_COUNTRY = Numbering()  # "Custom" tones, or a country not listed: only + and 00 are alike

# tone country -> (calling code, trunk prefix)
_COUNTRIES: dict[str, tuple[str, str]] = {
    "Australia": ("61", "0"), "Austria": ("43", "0"), "Brazil": ("55", "0"),
    "Belgium": ("32", "0"), "Chile": ("56", ""), "China": ("86", "0"), "Czech": ("420", ""),
    "Czech ETSI": ("420", ""), "Denmark": ("45", ""), "Finland": ("358", "0"),
    "France": ("33", "0"), "Germany": ("49", "0"), "Great Britain": ("44", "0"),
    "Greece": ("30", ""), "Hungary": ("36", "06"), "Lithuania": ("370", ""),
    "India": ("91", "0"), "Italy": ("39", ""), "Japan": ("81", "0"), "Mexico": ("52", ""),
    "New Zealand": ("64", "0"), "Netherlands": ("31", "0"), "Norway": ("47", ""),
    "Portugal": ("351", ""), "Spain": ("34", ""), "Switzerland": ("41", "0"),
    "Sweden": ("46", "0"), "Russia": ("7", "8"), "United States": ("1", "1"),
}  # fmt: skip


def numbering_for(tone_country: str) -> Numbering:
    code, trunk = _COUNTRIES.get(str(tone_country).strip(), ("", ""))
    return Numbering(code, trunk)


def number_of(target: str) -> str | None:
    """The phone number a dial target stands for, separators dropped: a plain number, the
    number of a tel: URI, or the user part of sip:/sips: URIs and user@host when it is a
    number. None for names (sip:alice@host) and anything else."""
    text = str(target).strip()
    if not text or len(text) > 1024:
        return None
    if "@" in text and not text.lower().startswith(("sip:", "sips:", "tel:")):
        text = f"sip:{text}"
    if ":" in text:
        uri = parse_uri(text)
        if uri is None:
            uri = parse_uri(text.partition("?")[0])  # raw <...> in headers: dialing.py drops them
        if uri is None or not uri.user:
            return None
        text = unquote(uri.user).partition(";")[0]  # ;isub=, ;phone-context= of a user part
    digits = text.translate(_VISUAL)
    return digits if _NUMBER.match(digits) and len(digits) <= MAX_DIGITS else None


def spellings(number: str, numbering: Numbering = NO_COUNTRY) -> list[str]:
    """`number` and every other way of writing the same number: `+` <-> `00`, and, with a
    known country, its international <-> national forms. The number itself comes first."""
    out = [number]
    international = ""
    if number.startswith("+"):
        international = number[1:]
    elif number.startswith("00"):
        international = number[2:]
    cc, trunk = numbering.country_code, numbering.trunk_prefix
    if international:
        out += ["+" + international, "00" + international]
        if cc and international.startswith(cc) and len(international) > len(cc):
            out.append(trunk + international[len(cc) :])
    elif cc and trunk and number.startswith(trunk) and len(number) >= MIN_NATIONAL:
        national = number[len(trunk) :]
        out += ["+" + cc + national, "00" + cc + national]
    return list(dict.fromkeys(out))
