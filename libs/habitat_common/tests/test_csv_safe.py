"""CSV cells a spreadsheet will not run as formulas; numbers stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from habitat_common.csv_safe import spreadsheet_row, spreadsheet_safe


@pytest.mark.parametrize("text", ["=1+2", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_text_that_could_start_a_formula_is_prefixed(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["Ana Ruiz", "", "a=b", " =x", "'already", "opening balances -50.00"])
def test_other_text_is_unchanged(text):
    assert spreadsheet_safe(text) == text


def test_numbers_stay_numbers_negative_ones_too():
    assert spreadsheet_row([Decimal("-12.50"), Decimal("0.00"), 3, None]) == ["-12.50", "0.00", "3", ""]


def test_a_written_row_round_trips_as_text():
    out = io.StringIO()
    csv.writer(out).writerow(spreadsheet_row(["=cmd|' /C calc'!A0", Decimal("-1.00")]))
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=cmd|' /C calc'!A0", "-1.00"]
