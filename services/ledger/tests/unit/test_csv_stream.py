"""Reading CSV uploads as they stream in: the same records as csv.reader on the whole file, wherever chunks split."""

from __future__ import annotations

import csv
import io
import random
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from habitat_common.csv_stream import CsvRecordStream, UnreadableFile

from habitat_ledger.domain.journal import Basis
from habitat_ledger.domain.opening_balance import (
    CurrentOpening,
    OpeningBalance,
    OpeningChange,
    opening_entries,
    source_id,
)

TRICKY = (
    'a,b,c\r\n'
    '"quoted, with comma","multi\nline\r\nfield",plain\n'
    '"doubled ""quotes"" inside",x"y,"ends with quote"""\n'
    '\n'
    'é,ü,"€"\n'
    'last,line,"no newline"'
)


def expected(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, start = [], 1
    for fields in reader:
        records.append((start, fields))
        start = reader.line_num + 1
    return records


def streamed(data: bytes, cuts: list[int]) -> list[tuple[int, list[str]]]:
    stream = CsvRecordStream()
    records = []
    for begin, end in zip([0, *cuts], [*cuts, len(data)], strict=True):
        records += stream.feed(data[begin:end])
    records += stream.finish()
    assert all(r.fields is not None for r in records)
    return [(r.line, r.fields) for r in records]


class TestCsvRecordStream:
    def test_whole_file_matches_csv_reader(self):
        assert streamed(TRICKY.encode(), []) == expected(TRICKY)

    @pytest.mark.parametrize("seed", range(30))
    def test_any_split_into_chunks_gives_the_same_records(self, seed):
        data = ("\ufeff" + TRICKY).encode()
        rng = random.Random(seed)
        cuts = sorted(rng.sample(range(1, len(data)), rng.randint(1, 12)))
        assert streamed(data, cuts) == expected(TRICKY)

    def test_one_byte_at_a_time(self):
        data = TRICKY.encode()
        assert streamed(data, list(range(1, len(data)))) == expected(TRICKY)

    def test_malformed_record_is_reported_and_reading_goes_on(self):
        stream = CsvRecordStream()
        records = stream.feed(b'a,"b"c\nd,e\n') + stream.finish()
        assert (records[0].line, records[0].fields) == (1, None) and records[0].error
        assert (records[1].line, records[1].fields) == (2, ["d", "e"])

    def test_an_unclosed_quote_at_the_end_is_malformed(self):
        stream = CsvRecordStream()
        records = stream.feed(b'a,b\n"never closed\nmore\n') + stream.finish()
        assert [(r.line, r.fields is None) for r in records] == [(1, False), (2, True)]

    def test_bytes_that_are_not_utf8_name_their_line_and_column(self):
        stream = CsvRecordStream()
        stream.feed(b"h1,h2\nok,fine\n")
        with pytest.raises(UnreadableFile) as raised:
            stream.feed(b"x,caf\xe9\n")
        problem = raised.value.problem
        assert (problem.line, problem.column, problem.code) == (3, 2, "bad_encoding")


class TestOpeningEntries:
    NOW = datetime(2026, 1, 5, tzinfo=UTC)

    def test_a_new_balance_credits_capital_against_opening_equity_skipping_zero(self):
        member, import_id = uuid.uuid4(), uuid.uuid4()
        wanted = OpeningBalance(member, Decimal("-20.50"), Decimal("0.00"), date(2025, 12, 31), "from the old books")
        reversals, openings = opening_entries([OpeningChange(wanted, None, True)], import_id, by=None, now=self.NOW)
        assert len(reversals) == 0 and len(openings) == 1
        assert openings.source_ids == [source_id(member, import_id, first_ever=True)] == [source_id(member, uuid.uuid4(), first_ever=True)]
        assert list(zip(openings.posting_account, openings.posting_basis, openings.posting_amount, strict=True)) == [
            ("coop:opening_equity", Basis.BOOK, Decimal("-20.50")), (f"member:{member}:capital", Basis.BOOK, Decimal("20.50"))]
        assert openings.descriptions == ["Opening balance carried from the previous system: from the old books"]

    def test_a_replaced_balance_is_reversed_on_its_own_date_first(self):
        member, import_id, old = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        first = OpeningBalance(member, Decimal("100.00"), Decimal("80.00"), date(2025, 12, 31))
        current = CurrentOpening(old, date(2025, 12, 31), "Opening balance carried from the previous system", first.legs())
        wanted = OpeningBalance(member, Decimal("0.00"), Decimal("0.00"), date(2025, 12, 31))
        reversals, openings = opening_entries([OpeningChange(wanted, current, False)], import_id, by=None, now=self.NOW)
        assert (reversals.reverses_ids, reversals.source_ids, reversals.occurred_on) == ([old], [old], [date(2025, 12, 31)])
        assert reversals.posting_amount == [-leg.amount for leg in first.legs()]
        assert len(openings) == 0  # a zero balance posts nothing
        assert openings.recorded_at > reversals.recorded_at


def test_a_nul_character_is_a_located_problem_not_a_database_error():
    """PostgreSQL refuses NUL in text: the file is refused with its FILE:LINE:COLUMN, wherever the chunks split."""
    data = b"email,book,tax\nada@example.org,10.00,5.00\nbob@example.org,1\x000.00,5.00\n"
    for split in (1, 7, len(data) - 10, len(data)):
        stream = CsvRecordStream()
        with pytest.raises(UnreadableFile) as raised:
            stream.feed(data[:split])
            stream.feed(data[split:])
            stream.finish()
        problem = raised.value.problem
        assert (problem.line, problem.column, problem.code) == (3, 2, "invalid_character"), split
