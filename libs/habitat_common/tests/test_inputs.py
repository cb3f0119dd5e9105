"""The shared input bounds: text without NUL, names without control characters, ISO dates in range."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from habitat_common.web.inputs import IsoDate, Name, RequestBody, Text
from pydantic import BaseModel, Field, ValidationError


class Body(RequestBody):
    text: Text = ""
    name: Name = "x"
    day: IsoDate | None = None
    tags: list[str] = Field(default_factory=list)


def code(**fields) -> str:
    with pytest.raises(ValidationError) as raised:
        Body(**fields)
    return raised.value.errors()[0]["type"]


def test_nul_anywhere_in_a_request_body_is_refused():
    assert code(text="a\x00b") == "nul_character"
    assert code(tags=["ok", "\x00"]) == "nul_character"


def test_names_refuse_control_characters_but_not_letters():
    assert code(name="Ada\tKing") == "control_character"
    assert code(name="Ada\x85King") == "control_character"
    assert Body(name="Zoë Ñúñez-O'Brien").name == "Zoë Ñúñez-O'Brien"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(86400000, "invalid_date"), (0, "invalid_date"), ("0", "invalid_date"), ("2026-1-1", "invalid_date"),
     ("2026-02-30", "invalid_date"), ("2026-01-01T00:00", "invalid_date"), ("9999-12-31", "date_out_of_range"),
     ("1899-12-31", "date_out_of_range")],
)
def test_dates_are_iso_strings_with_a_sane_year(value, expected):
    assert code(day=value) == expected


def test_an_iso_date_in_range_is_a_date_and_serialises_back():
    body = Body(day="2026-03-31")
    assert body.day == dt.date(2026, 3, 31)
    assert body.model_dump(mode="json")["day"] == "2026-03-31"
    assert Body(day=None).day is None


def test_the_json_schema_says_a_date_string():
    class Only(BaseModel):
        day: IsoDate

    assert Only.model_json_schema()["properties"]["day"]["format"] == "date"


@pytest.mark.parametrize(
    ("day", "valid"),
    [("1900-01-01", True), ("2200-12-31", True), ("2026-02-28", True), ("1899-12-31", False), ("2201-01-01", False),
     ("9999-12-31", False), ("0001-01-01", False)],
)
def test_the_date_pattern_in_the_schema_admits_the_years_the_validator_does(day, valid):
    """Fuzzing sent schema-valid dates (year 9999) the server refused: the pattern now spells 1900..2200."""
    pattern = Body.model_json_schema()["properties"]["day"]["anyOf"][0]["pattern"]
    assert bool(re.fullmatch(pattern, day)) is valid
    if valid:
        assert Body(day=day).day == dt.date.fromisoformat(day)
    else:
        assert code(day=day) == "date_out_of_range"


@pytest.mark.parametrize("text", ["plain", "tab\there", "nul\x00", "bell\x07", "del\x7f", "c1\x85", "é ünïcode"])
def test_name_and_text_patterns_in_the_schema_refuse_what_their_validators_refuse(text):
    """Fuzzing sent schema-valid names with control characters the server refused (control_character)."""
    schema = Body.model_json_schema()["properties"]
    name_ok = bool(re.fullmatch(schema["name"]["pattern"], text))
    text_ok = bool(re.fullmatch(schema["text"]["pattern"], text))
    assert name_ok is (code_of(name=text) is None)
    assert text_ok is (code_of(text=text) is None)


def code_of(**fields) -> str | None:
    try:
        Body(**fields)
    except ValidationError as error:
        return error.errors()[0]["type"]
    return None
