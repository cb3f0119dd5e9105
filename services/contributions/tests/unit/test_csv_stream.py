import csv
import io

import pytest

from habitat_common.csv_stream import MAX_RECORD_CHARS
from habitat_contributions.service_layer.csv_stream import CsvStream

TEXT = 'a,b,c\n1,"two\nlines, and a comma",3\n\n4,"say ""hi""",6\n7,8,9'


def records(data: bytes, chunk: int) -> tuple[list, object]:
    found, _, fatal = read(data, chunk)
    return found, fatal


def read(data: bytes, chunk: int) -> tuple[list, list, object]:
    """The records read, the problems of those refused, and the problem that stopped the reading."""
    stream = CsvStream()
    found, refused = [], []
    for batch in [*(stream.feed(data[start : start + chunk]) for start in range(0, len(data), chunk)), stream.close()]:
        found.extend(batch.rows)
        refused.extend(batch.refused)
    return found, refused, stream.fatal


class TestRecords:
    @pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 10_000])
    def test_any_chunking_gives_what_csv_gives_for_the_whole_file(self, chunk):
        found, fatal = records(TEXT.encode(), chunk)
        assert fatal is None
        assert [fields for _, fields in found] == list(csv.reader(io.StringIO(TEXT, newline="")))

    def test_records_carry_the_physical_line_they_start_on(self):
        found, _ = records(TEXT.encode(), 5)
        assert [(line, fields[0] if fields else None) for line, fields in found] == [
            (1, "a"),
            (2, "1"),
            (4, None),  # the blank line
            (5, "4"),
            (6, "7"),
        ]

    def test_byte_order_mark_and_crlf_line_ends_are_handled(self):
        found, fatal = records("\ufeffa,b\r\n1,2\r\n".encode(), 3)
        assert fatal is None and [fields for _, fields in found] == [["a", "b"], ["1", "2"]]

    def test_multibyte_characters_split_between_chunks_decode(self):
        found, _ = records("name\nJosé Nuñez\n".encode(), 1)
        assert found[1] == (2, ["José Nuñez"])


class TestFatalProblems:
    def test_bytes_that_are_not_utf8_are_located(self):
        found, fatal = records(b"a,b\n1,2\n3,caf\xe9\n", 4)
        assert (fatal.line, fatal.column, fatal.code) == (3, 2, "bad_encoding")
        assert "0xe9" in fatal.message and [line for line, _ in found] == [1, 2]

    def test_a_nul_character_is_reported_where_it_is(self):
        _, fatal = records(b"a,b\n1,2\x00\n", 100)
        assert (fatal.line, fatal.column, fatal.code) == (2, 2, "invalid_character")

    def test_a_refusal_held_back_when_the_reading_stops_is_returned_with_it(self):
        found, refused, fatal = read(b'a,b\n1,"x"y\n\xff\n', 11)  # line 2 is refused with the next chunk
        assert [(p.line, p.code) for p in refused] == [(2, "malformed_csv")]
        assert (fatal.line, fatal.code) == (3, "bad_encoding") and [line for line, _ in found] == [1]

    def test_a_record_too_long_stops_the_reading_after_the_refusals_before_it(self):
        found, refused, fatal = read(b'a,b\n1,"x"y\n2,3\n4,"' + b"z" * 2 * MAX_RECORD_CHARS + b"\n5,6\n", 65536)
        assert [(p.line, p.code) for p in refused] == [(2, "malformed_csv")]
        assert (fatal.line, fatal.code) == (4, "record_too_long") and [line for line, _ in found] == [1, 3]


class TestMalformedRecords:
    def test_an_unterminated_quote_is_malformed_at_the_record_start(self):
        found, refused, fatal = read(b'a,b\n1,2\n3,"never closed\n4,5\n', 6)
        assert fatal is None
        assert [(p.line, p.column, p.field, p.code) for p in refused] == [(3, 1, "", "malformed_csv")]
        assert refused[0].message.startswith("The file is not valid CSV: ")
        assert [line for line, _ in found] == [1, 2]

    def test_text_after_a_closing_quote_is_malformed_and_reading_goes_on(self):
        found, refused, fatal = read(b'a,b\n1,"x"y\n2,3\n', 100)
        assert fatal is None and [(p.line, p.code) for p in refused] == [(2, "malformed_csv")]
        assert found == [(1, ["a", "b"]), (3, ["2", "3"])]

    @pytest.mark.parametrize("chunk", [1, 5, 100])
    def test_every_malformed_record_is_refused_at_the_line_it_starts_on(self, chunk):
        data = b'a,b\n1,"x"y\n2,3\n"multi\nline"z,4\n5,6\n'
        found, refused, fatal = read(data, chunk)
        assert fatal is None and [(p.line, p.column) for p in refused] == [(2, 1), (4, 1)]
        assert [line for line, _ in found] == [1, 3, 6]

    def test_nothing_more_is_returned_after_a_fatal_problem(self):
        stream = CsvStream()
        stream.feed(b"a\n\xff\n")
        assert stream.fatal is not None
        assert stream.feed(b'b\n"c"d\n') == ([], []) and stream.close() == ([], [])
