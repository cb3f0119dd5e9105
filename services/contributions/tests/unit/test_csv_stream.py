import csv
import io

import pytest

from habitat_contributions.service_layer.csv_stream import CsvStream

TEXT = 'a,b,c\n1,"two\nlines, and a comma",3\n\n4,"say ""hi""",6\n7,8,9'


def records(data: bytes, chunk: int) -> tuple[list, object]:
    stream = CsvStream()
    found = []
    for start in range(0, len(data), chunk):
        found.extend(stream.feed(data[start : start + chunk]))
    found.extend(stream.close())
    return found, stream.fatal


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

    def test_an_unterminated_quote_is_malformed_at_the_record_start(self):
        found, fatal = records(b'a,b\n1,2\n3,"never closed\n4,5\n', 6)
        assert (fatal.line, fatal.code) == (3, "malformed_csv")
        assert [line for line, _ in found] == [1, 2]

    def test_text_after_a_closing_quote_is_malformed(self):
        _, fatal = records(b'a,b\n1,"x"y\n2,3\n', 100)
        assert (fatal.line, fatal.code) == (2, "malformed_csv")

    def test_nothing_more_is_returned_after_a_fatal_problem(self):
        stream = CsvStream()
        stream.feed(b"a\n\xff\n")
        assert stream.fatal is not None
        assert stream.feed(b"b\nc\n") == [] and stream.close() == []
