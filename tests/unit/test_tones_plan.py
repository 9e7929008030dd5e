"""The country tone plan: 29 Yealink countries + Custom, real frequencies, custom overrides."""

from __future__ import annotations

import json

import pytest

from app.audio.tone_plan import KINDS, PLAN_FILE, default_plan, tone_for, validate_custom_tones
from app.audio.tones import ToneError

YEALINK_COUNTRIES = [
    "Custom", "Australia", "Austria", "Brazil", "Belgium", "Chile", "China", "Czech", "Czech ETSI",
    "Denmark", "Finland", "France", "Germany", "Great Britain", "Greece", "Hungary", "Lithuania",
    "India", "Italy", "Japan", "Mexico", "New Zealand", "Netherlands", "Norway", "Portugal",
    "Spain", "Switzerland", "Sweden", "Russia", "United States",
]  # fmt: skip


def test_every_yealink_country_with_every_kind_and_a_source() -> None:
    plan = default_plan()
    assert plan.names() == YEALINK_COUNTRIES
    raw = json.loads(PLAN_FILE.read_text())["countries"]
    for name in YEALINK_COUNTRIES:
        assert raw[name]["source"]
        for kind in KINDS:
            spec = tone_for(name, kind)
            assert not spec.disabled, (name, kind)
            assert spec.frequencies() <= set(range(200, 7001))


@pytest.mark.parametrize(
    ("country", "freqs", "cadence"),
    [
        ("United States", {440, 480}, [2000, 4000]),
        ("Great Britain", {400, 450}, [400, 200, 400, 2000]),
        ("Germany", {425}, [1000, 4000]),
        ("Japan", {392, 408}, [1000, 2000]),
        ("France", {440}, [1500, 3500]),
        ("Australia", {413, 438}, [400, 200, 400, 2000]),
    ],
)
def test_ringback_values(country: str, freqs: set[int], cadence: list[int]) -> None:
    spec = tone_for(country, "ringback")
    assert spec.frequencies() == freqs
    assert [e.duration_ms for e in spec.elements] == cadence


def test_us_busy_and_congestion() -> None:
    assert tone_for("us", "busy").text() == "480+620/500,0/500"
    assert tone_for("United States", "congestion").text() == "480+620/250,0/250"


def test_custom_overrides_and_fallback() -> None:
    custom = {"busy": "480+620/500,0/500", "ring": "  "}
    assert tone_for("Custom", "busy", custom).text() == "480+620/500,0/500"
    assert tone_for("Custom", "ring", custom) == tone_for("United States", "ring")
    # overrides count only when the country is Custom, as on the phone
    assert tone_for("Germany", "busy", custom) == tone_for("Germany", "busy")


def test_bad_custom_string_names_key_and_element() -> None:
    with pytest.raises(ToneError, match=r"voice\.tone\.dial: element 2 \('9000/100'\)"):
        tone_for("Custom", "dial", {"dial": "425/100,9000/100"})
    errors = validate_custom_tones({"dial": "425/100,9000/100", "busy": "425/500,0/500"})
    assert list(errors) == ["dial"]


def test_unknown_country_and_kind() -> None:
    with pytest.raises(KeyError):
        tone_for("Atlantis", "dial")
    with pytest.raises(KeyError):
        tone_for("Germany", "howler")
