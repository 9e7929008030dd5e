"""Country tone plans (resources/tones/countries.json) and the Custom tones of `voice.tone.*`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.audio.tones import ToneError, ToneSpec, parse_tone

PLAN_FILE = Path(__file__).resolve().parents[2] / "resources" / "tones" / "countries.json"
KINDS = ("dial", "ring", "busy", "congestion", "callwaiting")
CUSTOM = "Custom"
# Names used elsewhere in the app for the same kinds.
_ALIASES = {"ringback": "ring", "call_waiting": "callwaiting", "call-waiting": "callwaiting"}
# Kinds the country tables do not list: the country's tone they sound like, unless Custom
# gives them their own string (voice.tone.autoanswer: the intercom warning beep).
_BORROWED = {"autoanswer": "callwaiting"}


@dataclass(frozen=True)
class CountryTones:
    name: str
    code: str
    source: str
    notes: str
    tones: Mapping[str, str]  # kind -> Yealink tone string
    base: str = ""  # Custom only: country whose tones fill blanks


@dataclass(frozen=True)
class TonePlan:
    countries: Mapping[str, CountryTones]

    def names(self) -> list[str]:
        """Country names in Yealink's order (Custom first)."""
        return list(self.countries)

    def country(self, name: str) -> CountryTones:
        key = name.strip().casefold()
        for country in self.countries.values():
            if key in (country.name.casefold(), country.code.casefold()):
                return country
        raise KeyError(f"unknown tone country {name!r}")

    def tone_for(
        self, country: str, kind: str, custom_overrides: Mapping[str, str] | None = None
    ) -> ToneSpec:
        """The tone of `kind` for `country`; Custom uses `custom_overrides` (kind -> string).

        As on the phone, custom strings only count when the country is Custom; a blank one falls
        back to the base country. A malformed one raises ToneError naming the key and element.
        """
        kind = _ALIASES.get(kind, kind)
        own = kind
        kind = _BORROWED.get(kind, kind)
        if kind not in KINDS:
            raise KeyError(f"unknown tone kind {kind!r} (one of {', '.join(KINDS)})")
        entry = self.country(country)
        if entry.name == CUSTOM:
            custom = custom_overrides or {}
            text = (custom.get(own, "") or custom.get(kind, "")).strip()
            if text:
                try:
                    return parse_tone(text)
                except ToneError as exc:
                    raise ToneError(f"voice.tone.{own}: {exc}") from exc
            entry = self.country(entry.base)
        return parse_tone(entry.tones[kind])


def validate_custom_tones(custom: Mapping[str, str]) -> dict[str, str]:
    """Errors per kind for a settings dialog ({} when every non-blank string parses)."""
    errors: dict[str, str] = {}
    for kind, text in custom.items():
        if kind not in KINDS:
            errors[kind] = f"unknown tone kind {kind!r}"
        elif text.strip():
            try:
                parse_tone(text)
            except ToneError as exc:
                errors[kind] = str(exc)
    return errors


def load_plan(path: Path = PLAN_FILE) -> TonePlan:
    data = json.loads(path.read_text(encoding="utf-8"))
    countries: dict[str, CountryTones] = {}
    for name, raw in data["countries"].items():
        countries[name] = CountryTones(
            name=name,
            code=raw["code"],
            source=raw["source"],
            notes=raw.get("notes", ""),
            tones=dict(raw.get("tones", {})),
            base=raw.get("base", ""),
        )
    return TonePlan(countries)


@cache
def default_plan() -> TonePlan:
    return load_plan()


def tone_for(
    country: str, kind: str, custom_overrides: Mapping[str, str] | None = None
) -> ToneSpec:
    """`default_plan().tone_for(...)`: the tone of a kind for a country (see TonePlan)."""
    return default_plan().tone_for(country, kind, custom_overrides)
