"""The shared streaming CSV reader: the records csv.reader gives for the whole file, wherever the chunks split."""

from __future__ import annotations

import csv
import io
import random

import pytest
from habitat_common.csv_stream import CsvProblem, CsvRecordStream, ProblemLog, Record, UnreadableFile, match_header

TRICKY = (
    "a,b,c\r\n"
    '"quoted, with comma","multi\nline\r\nfield",plain\n'
    '"doubled ""quotes"" inside",x"y,"ends with quote"""\n'
    "\n"
    'é,ü,"€ and\nJosé"\n'
    'last,line,"no newline"'
)


def whole_file(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, start = [], 1
    for fields in reader:
        records.append((start, fields))
        start = reader.line_num + 1
    return records


def streamed(data: bytes, cuts: list[int], stream: CsvRecordStream | None = None) -> list:
    stream = stream or CsvRecordStream()
    records = []
    for begin, end in zip([0, *cuts], [*cuts, len(data)], strict=True):
        records += stream.feed(data[begin:end])
    return records + stream.finish()


def pairs(records: list) -> list[tuple[int, list[str] | None]]:
    return [(r.line, r.fields) for r in records]


class TestChunkBoundaries:
    def test_whole_file_in_one_chunk_matches_csv_reader(self):
        assert pairs(streamed(TRICKY.encode(), [])) == whole_file(TRICKY)

    def test_a_cut_anywhere_gives_the_same_records(self):
        data = ("\ufeff" + TRICKY).encode()
        for cut in range(1, len(data)):  # inside the BOM, multi-byte characters, quoted fields, CRLF
            assert pairs(streamed(data, [cut])) == whole_file(TRICKY), cut

    @pytest.mark.parametrize("seed", range(30))
    def test_several_cuts_anywhere_give_the_same_records(self, seed):
        data = ("\ufeff" + TRICKY).encode()
        rng = random.Random(seed)
        cuts = sorted(rng.sample(range(1, len(data)), rng.randint(1, 12)))
        assert pairs(streamed(data, cuts)) == whole_file(TRICKY), cuts

    def test_one_byte_at_a_time_gives_the_same_records(self):
        data = TRICKY.encode()
        assert pairs(streamed(data, list(range(1, len(data))))) == whole_file(TRICKY)

    def test_a_quoted_newline_waits_for_the_rest_of_its_record(self):
        stream = CsvRecordStream()
        assert pairs(stream.feed(b'h\n"one\n')) == [(1, ["h"])]
        assert pairs(stream.feed(b'two"\nnext\n')) == [(2, ["one\ntwo"]), (4, ["next"])]

    def test_a_record_knows_the_lines_it_spans(self):
        records = streamed(b'h\n"one\ntwo",x\nnext\n', [5])
        assert [(r.line, r.last_line) for r in records] == [(1, 1), (2, 3), (4, 4)]

    def test_a_multibyte_character_split_between_chunks_decodes(self):
        data = "name\nJosé Nuñez\n".encode()
        split = data.index("é".encode()) + 1
        assert pairs(streamed(data, [split])) == [(1, ["name"]), (2, ["José Nuñez"])]


class TestLineEndsAndMarks:
    def test_crlf_line_ends_and_a_byte_order_mark_are_dropped(self):
        records = streamed("\ufeffa,b\r\n1,2\r\n".encode(), [2, 5])
        assert pairs(records) == [(1, ["a", "b"]), (2, ["1", "2"])]

    def test_blank_lines_come_back_empty_and_count_as_lines(self):
        assert pairs(streamed(b"a\n\n\nb\n", [])) == [(1, ["a"]), (2, []), (3, []), (4, ["b"])]

    def test_a_last_line_without_line_break_is_a_record(self):
        assert pairs(streamed(b"a,b\n1,2", [5])) == [(1, ["a", "b"]), (2, ["1", "2"])]


class TestMacintoshLineEnds:
    """Older Excel's "CSV (Macintosh)" ends lines with a lone carriage return: read like the same file with "\\n"."""

    UNIX = 'member_email,hours\nada@example.coop,4\n"two\nlines",5\n\nlast,6'

    def test_lone_carriage_returns_end_lines_wherever_the_chunks_split(self):
        mac = self.UNIX.replace("\n", "\r").encode()
        expected = whole_file(self.UNIX)
        for cut in range(1, len(mac)):
            assert pairs(streamed(mac, [cut])) == expected, cut
        assert pairs(streamed(mac, list(range(1, len(mac))))) == expected

    def test_a_crlf_cut_between_chunks_stays_one_line_end(self):
        data = b"a,b\r\nc,d\r\ne,f"
        assert pairs(streamed(data, [4])) == pairs(streamed(data, [])) == [(1, ["a", "b"]), (2, ["c", "d"]), (3, ["e", "f"])]

    def test_a_file_ending_in_a_lone_carriage_return_ends_its_last_line(self):
        assert pairs(streamed(b"a,b\rc,d\r", [])) == [(1, ["a", "b"]), (2, ["c", "d"])]

    def test_a_bad_byte_after_lone_carriage_returns_is_located_on_its_line(self):
        with pytest.raises(UnreadableFile) as raised:
            streamed(b"h,i\rok,1\rbad,\xff", [])
        assert (raised.value.problem.line, raised.value.problem.column) == (3, 2)


class TestRecordsCsvRefuses:
    @pytest.mark.parametrize("cuts", [[], [6]])
    def test_an_unclosed_quote_at_the_end_is_refused_at_the_line_it_starts(self, cuts):
        records = streamed(b'a,b\n"never closed\nmore\n', cuts)
        assert pairs(records) == [(1, ["a", "b"]), (2, None)]
        assert records[1].error and records[1].last_line == 3

    def test_text_after_a_closing_quote_is_refused_and_reading_goes_on(self):
        records = streamed(b'a,"b"c\nd,e\n', [])
        assert pairs(records) == [(1, None), (2, ["d", "e"])]
        assert records[0].last_line == 1 and "expected" in records[0].error

    def test_records_with_too_many_or_too_few_fields_come_back_as_they_are(self):
        records = streamed(b"a,b,c\n1,2\n1,2,3,4\n", [7])
        assert pairs(records) == [(1, ["a", "b", "c"]), (2, ["1", "2"]), (3, ["1", "2", "3", "4"])]


class TestUnreadableFiles:
    def test_bytes_that_are_not_utf8_name_their_line_column_and_byte(self):
        stream = CsvRecordStream()
        assert pairs(stream.feed(b"h1,h2\nok,fine\n")) == [(1, ["h1", "h2"]), (2, ["ok", "fine"])]
        with pytest.raises(UnreadableFile) as raised:
            stream.feed(b'"x,y",caf\xe9\n')
        problem = raised.value.problem
        assert (problem.line, problem.column, problem.code) == (3, 2, "bad_encoding")
        assert (raised.value.byte, raised.value.line_text) == ("e9", '"x,y",caf')
        assert "0xe9" in problem.message

    # 59: the NUL starts the second chunk, 60: it ends the first, 70: the whole file is the first
    @pytest.mark.parametrize("split", [1, 7, 20, 30, 45, 59, 60, 70])
    def test_a_nul_character_is_located_wherever_the_chunks_split(self, split):
        data = b"email,book,tax\nada@example.org,10.00,5.00\nbob@example.org,1\x000.00,5.00\n"
        assert (data.index(b"\x00"), len(data)) == (59, 70)
        with pytest.raises(UnreadableFile) as raised:
            streamed(data, [split])
        problem = raised.value.problem
        assert (problem.line, problem.column, problem.code) == (3, 2, "invalid_character")

    def test_a_refusal_held_for_the_next_line_comes_with_the_unreadable_file(self):
        stream = CsvRecordStream()
        assert pairs(stream.feed(b'a\n"x"y\n')) == [(1, ["a"])]
        with pytest.raises(UnreadableFile) as raised:
            stream.feed(b"\xff\n")
        assert pairs(raised.value.records) == [(2, None)]

    def test_a_quoted_field_left_open_by_an_unreadable_file_is_not_a_refusal(self):
        stream = CsvRecordStream()
        stream.feed(b'a\n"open\n')
        with pytest.raises(UnreadableFile) as raised:
            stream.feed(b"\x00")
        assert raised.value.records == [] and raised.value.problem.code == "invalid_character"

    def test_a_record_longer_than_the_bound_stops_the_reading(self):
        stream = CsvRecordStream(max_record_chars=100)
        stream.feed(b'a\n"open')
        with pytest.raises(UnreadableFile) as raised:
            for _ in range(20):
                stream.feed(b"x" * 9 + b"\n")
        assert (raised.value.problem.line, raised.value.problem.code) == (2, "record_too_long")

    def test_a_long_record_after_a_refused_one_held_back_is_located_at_its_own_line(self):
        stream = CsvRecordStream(max_record_chars=100)
        assert stream.feed(b'a\n"x"y\n') == [Record(1, ["a"], last_line=1)]  # line 2 is held: more may come
        with pytest.raises(UnreadableFile) as raised:
            stream.feed(b"z" * 120)
        assert [(record.line, record.fields) for record in raised.value.records] == [(2, None)]
        assert (raised.value.problem.line, raised.value.problem.code) == (3, "record_too_long")
        assert "starting on line 3" in raised.value.problem.message


class TestProblemLog:
    def test_keeps_the_first_problems_and_counts_them_all(self):
        log = ProblemLog(limit=3)
        for line in range(1, 11):
            log.add(CsvProblem(line, 1, "", "bad", "Bad."))
        assert log.count == 10 and [p.line for p in log.listed] == [1, 2, 3]

    def test_is_false_until_a_problem_is_added(self):
        log = ProblemLog()
        assert not log
        log.add(CsvProblem(2, 3, "amount", "invalid_amount", "Bad amount."))
        assert log and log.listed[0].column == 3


class TestMatchHeader:
    def test_columns_match_in_any_order_whatever_the_case_and_spaces(self):
        columns, problems = match_header([" B ", "a"], ("a", "b", "c"), ("a",))
        assert (columns, problems) == ({"b": 1, "a": 2}, [])

    def test_unknown_repeated_and_missing_columns_are_problems_on_line_one(self):
        _, problems = match_header(["a", "x", "A"], ("a", "b"), ("a", "b"))
        assert [(p.line, p.column, p.field, p.code) for p in problems] == [
            (1, 2, "x", "unknown_column"),
            (1, 3, "a", "duplicate_column"),
            (1, 1, "b", "missing_column"),
        ]
