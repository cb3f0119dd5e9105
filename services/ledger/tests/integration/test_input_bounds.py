"""Fuzzing found integers read as dates (86400000 as 1970-01-02, as_of=0 as 1970) and periods to year 9999:
dates are ISO strings YYYY-MM-DD only, years 1900..2200, else 422 with a code."""

from __future__ import annotations

import uuid

import pytest

Q1 = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}


class TestDates:
    @pytest.mark.parametrize(
        ("changes", "code"),
        [
            ({"starts_on": 86400000}, "invalid_date"),
            ({"starts_on": 0}, "invalid_date"),
            ({"starts_on": "20260101"}, "invalid_date"),
            ({"starts_on": "2026-02-30"}, "invalid_date"),
            ({"ends_on": "9999-12-31"}, "date_out_of_range"),
            ({"starts_on": "1066-10-14"}, "date_out_of_range"),
        ],
    )
    async def test_a_period_with_a_date_that_is_not_an_iso_string_in_range_is_422(self, api, changes, code):
        response = await api.post("/periods", {**Q1, **changes})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == code

    async def test_a_period_with_iso_dates_is_created(self, api):
        response = await api.post("/periods", Q1)
        assert response.status_code == 201, response.text

    @pytest.mark.parametrize(("as_of", "code"), [("0", "invalid_date"), ("86400", "invalid_date"), ("9999-01-01", "date_out_of_range")])
    async def test_a_statement_as_of_that_is_not_an_iso_date_in_range_is_422(self, api, as_of, code):
        member = uuid.uuid4()
        response = await api.get(f"/capital-accounts/{member}/statement", params={"as_of": as_of})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == code
        ok = await api.get(f"/capital-accounts/{member}/statement", params={"as_of": "2026-03-31"})
        assert ok.status_code != 422, ok.text
