"""CSV cells that are safe to open in a spreadsheet (no formula injection).

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula
(or stripped into one); it is written with a leading `'`, which spreadsheets show as text. Numbers
(int, Decimal) are written as they are, a negative one with its minus sign, so they stay numbers.
"""

from __future__ import annotations

from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> str:
    """The cell as CSV text: a number unchanged, text prefixed with `'` when it could start a formula."""
    if cell is None:
        return ""
    if isinstance(cell, (int, Decimal)) and not isinstance(cell, bool):
        return str(cell)
    text = str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def spreadsheet_row(cells: list[object]) -> list[str]:
    """Every cell of a row through spreadsheet_safe."""
    return [spreadsheet_safe(cell) for cell in cells]
