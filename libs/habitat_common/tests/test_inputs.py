"""The shared input bounds: text without NUL, names without control characters, ISO dates in range."""

from __future__ import annotations

import datetime as dt

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
