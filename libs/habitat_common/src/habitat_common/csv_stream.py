"""Reading a CSV upload as it arrives: bytes in, records out, memory bounded by the longest record.

Bytes are decoded incrementally (UTF-8, an optional BOM dropped) and split into physical lines at "\\n"; a
lone carriage return (the line ending of "CSV (Macintosh)" files from older Excel) counts as one, and "\\r\\n"
stays one line ending. The stdlib csv module (strict, default dialect) does all the parsing. A record still open
at the end of the lines received so far (a quoted field holding a newline) makes csv.reader fail at the very end
of its input: its lines are kept and parsed again in front of the next chunk's, so records spanning chunks come
out exactly as they would from the whole file. Each record carries the 1-based physical line it starts on
(header = 1).
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass, field

MAX_LISTED = 200
MAX_RECORD_CHARS = 1_000_000
_LONE_CR = re.compile(r"\r(?!\n)")


@dataclass(frozen=True)
class CsvProblem:
    """One problem in a file: 1-based line (1 = header) and column (field index), field name, code, sentence."""

    line: int
    column: int
    field: str
    code: str
    message: str


@dataclass
class ProblemLog:
    """Keeps the first problems (at most limit) and counts them all, so memory stays flat on huge files."""

    limit: int = MAX_LISTED
    listed: list[CsvProblem] = field(default_factory=list)
    count: int = 0

    def add(self, problem: CsvProblem) -> None:
        self.count += 1
        if len(self.listed) < self.limit:
            self.listed.append(problem)

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass(frozen=True)
class Record:
    """A record, the physical lines it starts and ends on; fields is None when csv refused it (for error).

    The last line of a refused record is the one where csv found the error."""

    line: int
    fields: list[str] | None
    error: str | None = None
    last_line: int = 0


class UnreadableFile(Exception):
    """The rest of the file cannot be read: not UTF-8, a NUL character, or a record beyond any sensible size.

    line_text is the text of the problem's line before the offending byte or character; byte is the
    offending byte in hex (bad_encoding only); records holds a refused record the stream was still holding
    back (see CsvRecordStream), which a reader collecting every problem reports first."""

    def __init__(self, problem: CsvProblem, line_text: str = "", byte: str = "") -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.line_text = line_text
        self.byte = byte
        self.records: list[Record] = []


class CsvRecordStream:
    """Push parser: feed() byte chunks as they arrive, finish() at the end; both return the records completed.

    A record csv refuses comes back with fields None, and reading goes on at the line after the one where
    csv found the error (as csv.reader itself would). A refusal on the last line received so far may be a
    quoted field still open, so it comes back once the next line has arrived (or at finish). Blank lines
    come back as empty records. Every UnreadableFile raised ends the stream."""

    def __init__(self, max_record_chars: int = MAX_RECORD_CHARS) -> None:
        self._max_record_chars = max_record_chars
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._partial = ""  # text after the last newline
        self._carried: list[str] = []  # lines of the record still open (or refused) at the last line received
        self._lines_done = 0  # physical lines taken by records already returned
        self._newlines = 0  # newlines decoded so far: locates encoding problems
        self._held_cr = ""  # a carriage return ending the text so far: a "\r\n" may be cut between chunks

    def feed(self, chunk: bytes) -> list[Record]:
        lines = (self._partial + self._decoded(chunk, final=False)).split("\n")
        self._partial = lines.pop()
        records = self._parse([line + "\n" for line in lines], final=False)
        if sum(map(len, self._carried)) + len(self._partial) > self._max_record_chars:
            unreadable = self._with_held(UnreadableFile(self._too_long(self._lines_done + 1)))
            if unreadable.records:  # the long record starts after the refused one held back
                unreadable.problem = self._too_long(unreadable.records[-1].last_line + 1)
            raise unreadable
        return records

    def finish(self) -> list[Record]:
        """The records still held: a last line without a line break, an unterminated quoted field."""
        rest = self._partial + self._decoded(b"", final=True)
        self._partial = ""
        return self._parse([rest] if rest else [], final=True)

    def _decoded(self, chunk: bytes, *, final: bool) -> str:
        try:
            return self._decode(chunk, final=final)
        except UnreadableFile as unreadable:
            self._with_held(unreadable)
            raise

    def _decode(self, chunk: bytes, *, final: bool) -> str:
        try:
            text = self._decoder.decode(chunk, final)
        except UnicodeDecodeError as error:
            decoded = self._held_cr + bytes(error.object[: error.start]).decode("utf-8", errors="replace")
            before = self._partial + _LONE_CR.sub("\n", decoded)
            byte = bytes(error.object[error.start : error.start + 1]).hex()
            line, column, line_text = self._location(before)
            say = "Save it as UTF-8 (CSV UTF-8) and upload it again."
            message = f"The file is not UTF-8: byte 0x{byte} on line {line}. {say}"
            problem = CsvProblem(line, column, "", "bad_encoding", message)
            raise UnreadableFile(problem, line_text, byte) from error
        text = self._held_cr + text
        self._held_cr = "\r" if text.endswith("\r") and not final else ""
        text = _LONE_CR.sub("\n", text[: len(text) - len(self._held_cr)])  # same length: columns unchanged
        if "\x00" in text:  # PostgreSQL cannot store it
            line, column, line_text = self._location(self._partial + text[: text.index("\x00")])
            message = f"The file contains a NUL character (line {line}, column {column}); save it as plain UTF-8 text."
            raise UnreadableFile(CsvProblem(line, column, "", "invalid_character", message), line_text)
        self._newlines += text.count("\n")
        return text

    def _parse(self, new_lines: list[str], *, final: bool) -> list[Record]:
        if not new_lines and not final:
            return []  # the open record is as it was
        lines = self._carried + new_lines
        records: list[Record] = []
        start = 0  # index in lines of the next record
        while start < len(lines):
            reader = csv.reader(lines[start:], strict=True)
            first = self._lines_done + start + 1  # physical line of lines[start]
            taken = 0  # lines taken by the records read from this reader
            try:
                for fields in reader:
                    records.append(Record(first + taken, fields, last_line=first + reader.line_num - 1))
                    taken = reader.line_num
                start += taken
                break
            except csv.Error as error:
                if not final and reader.line_num == len(lines) - start:
                    start += taken  # maybe a quoted field still open: judge it once the next line is here
                    break
                records.append(Record(first + taken, None, str(error), last_line=first + reader.line_num - 1))
                start += reader.line_num
        self._carried = lines[start:]
        self._lines_done += start
        return records

    def _with_held(self, unreadable: UnreadableFile) -> UnreadableFile:
        """The exception, with the refused record held back for the next line, if any: none will come now."""
        source = _Lines(self._carried)
        reader = csv.reader(source, strict=True)
        try:
            for _ in reader:
                break
        except csv.Error as error:
            if not source.exhausted:  # not a quoted field left open: csv refused the record itself
                first = self._lines_done + 1
                unreadable.records = [Record(first, None, str(error), last_line=first + reader.line_num - 1)]
        return unreadable

    def _location(self, before: str) -> tuple[int, int, str]:
        """Line, column (csv field) and line text at the end of `before`, text decoded after the counted newlines."""
        line = self._newlines + before.count("\n") + 1
        current = before.rpartition("\n")[2]
        try:
            column = len(next(csv.reader([current]), [""])) if current else 1
        except csv.Error:  # a lone carriage return before the problem: csv cannot split the line
            column = current.count(",") + 1
        return line, column, current

    def _too_long(self, line: int) -> CsvProblem:
        limit = self._max_record_chars
        message = f"A record starting on line {line} is longer than {limit} characters (an unclosed quote?)."
        return CsvProblem(line, 1, "", "record_too_long", message)


class _Lines:
    """The lines csv.reader reads, telling whether it asked for more than there were."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = iter(lines)
        self.exhausted = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines, None)
        if line is None:
            self.exhausted = True
            raise StopIteration
        return line


def match_header(
    fields: list[str], known: tuple[str, ...], required: tuple[str, ...]
) -> tuple[dict[str, int], list[CsvProblem]]:
    """Column name → 1-based column, matched case-insensitively and trimmed, in any order.

    Unknown, repeated and missing columns are problems (on line 1); the columns are only usable
    when there are none.
    """
    columns: dict[str, int] = {}
    problems: list[CsvProblem] = []
    for index, raw in enumerate(fields, start=1):
        name = raw.strip().lower()
        if name not in known:
            message = f"Unknown column {raw.strip()!r}; the columns are {', '.join(known)}."
            problems.append(CsvProblem(1, index, raw.strip(), "unknown_column", message))
        elif name in columns:
            message = f"Column {name} appears twice (columns {columns[name]} and {index})."
            problems.append(CsvProblem(1, index, name, "duplicate_column", message))
        else:
            columns[name] = index
    for name in required:
        if name not in columns:
            message = f"The required column {name} is missing; the header must name {', '.join(required)}."
            problems.append(CsvProblem(1, 1, name, "missing_column", message))
    return columns, problems
