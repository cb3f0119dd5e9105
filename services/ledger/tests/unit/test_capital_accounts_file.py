"""The ledger's format pass over a capital accounts upload (CapitalAccountsFile), wherever the chunks split.

The shared reader's own cases (chunk boundaries, line ends, refused records, unreadable bytes) are in
libs/habitat_common/tests/test_csv_stream.py.
"""

from __future__ import annotations

import pytest

from habitat_ledger.service_layer.journal.capital_accounts_file import CapitalAccountsFile

HEADER = b"member_email,book_balance,tax_balance,as_of,note\n"
GOOD = b"ana@example.org,10.00,5.00,2025-12-31,\n"


def read(data: bytes, chunk: int) -> tuple[list, CapitalAccountsFile]:
    file = CapitalAccountsFile()
    rows = []
    for start in range(0, len(data), chunk):
        rows += file.feed(data[start : start + chunk])
    return rows + file.finish(), file


def problems(file: CapitalAccountsFile) -> list[tuple[int, int, str, str]]:
    return [(p.line, p.column, p.field, p.code) for p in file.problems.listed]


class TestMalformedRecords:
    @pytest.mark.parametrize("chunk", [1, 7, 10_000])
    def test_every_malformed_record_is_a_problem_on_its_first_line_and_reading_goes_on(self, chunk):
        data = (
            HEADER + GOOD
            + b'"bob@example.org"x,1.00,1.00,2025-12-31,\n'
            + b"cy@example.org,lots,1.00,2025-12-31,\n"
            + b'dee@example.org,1.00,1.00,2025-12-31,"two\nlines"x\n'
            + GOOD.replace(b"ana", b"eve")
        )  # fmt: skip
        rows, file = read(data, chunk)
        assert problems(file) == [
            (3, 1, "", "malformed_csv"),
            (4, 2, "book_balance", "invalid_amount"),
            (5, 1, "", "malformed_csv"),
        ]
        assert file.problems.listed[0].message.startswith("Not valid CSV: ") and file.rows == 5
        assert [row.line for row in rows] == [2, 7]  # format-valid rows; the file is refused as a whole

    def test_thousands_of_malformed_records_are_all_counted_but_200_listed(self):
        data = HEADER + b"".join(b'"m%d@example.org"x,1,1,2025-12-31,\n' % n for n in range(5000))
        _, file = read(data, 65536)
        assert (file.problems.count, len(file.problems.listed), file.problems.listed[-1].line) == (5000, 200, 201)

    def test_a_header_that_is_not_valid_csv_stops_the_reading(self):
        _, file = read(b'"member_email"x,book_balance\n"a"b,c\n', 100)
        assert problems(file) == [(1, 1, "", "malformed_csv")]
        assert file.problems.listed[0].message.startswith("The header is not valid CSV: ")


class TestUnreadableFiles:
    def test_a_refusal_held_back_comes_before_the_problem_that_stops_the_reading(self):
        data = HEADER + b'"bob@example.org"x,1.00,1.00,2025-12-31,\n' + b"\xff\n" + b'"c"x\n'
        _, file = read(data, data.index(b"\xff"))
        assert problems(file) == [(2, 1, "", "malformed_csv"), (3, 1, "", "bad_encoding")]

    @pytest.mark.parametrize("chunk", [1, 7, 105, 106, 200])  # 105: the NUL starts the second chunk; 200: one
    def test_a_nul_character_is_a_located_problem_not_a_database_error(self, chunk):
        """PostgreSQL refuses NUL in text: the file is refused with its line and column, wherever the chunks split."""
        data = HEADER + b"ada@example.org,10.00,5.00,2025-12-31,\nbob@example.org,1\x000.00,5.00,2025-12-31,\n"
        assert data.index(b"\x00") == 105
        _, file = read(data, chunk)
        assert problems(file) == [(3, 2, "", "invalid_character")]
