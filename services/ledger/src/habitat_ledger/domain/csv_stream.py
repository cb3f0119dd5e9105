"""Reading a CSV upload as it arrives: bytes in, records out, memory flat in the file's size.

Bytes are decoded incrementally (UTF-8, an optional BOM dropped) and split into physical lines; the
lines of one record (a quoted field may span lines) go to csv.reader together, so the reader never
sees half a record. Each record carries the 1-based physical line it starts on (header = 1).
"""

from __future__ import annotations

import codecs
import csv
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_PROBLEMS = 200
MAX_RECORD_CHARS = 1_000_000


@dataclass(frozen=True)
class CsvProblem:
    """One problem in the file: 1-based line (1 = header) and column (field index), field name, code, sentence."""

    line: int
    column: int
    field: str
    code: str
    message: str


@dataclass
class ProblemLog:
    """The first MAX_PROBLEMS problems and how many there were in all."""

    listed: list[CsvProblem] = field(default_factory=list)
    count: int = 0

    def add(self, problem: CsvProblem) -> None:
        self.count += 1
        if len(self.listed) < MAX_PROBLEMS:
            self.listed.append(problem)

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass(frozen=True)
class Record:
    """A CSV record and the line it starts on; fields is None when the record is not valid CSV."""

    line: int
    fields: list[str] | None
    error: str | None = None


class UnreadableFile(Exception):
    """The rest of the file cannot be read: not UTF-8, or a record beyond any sensible size."""

    def __init__(self, problem: CsvProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class _Lines:
    """The iterator csv.reader reads: only ever holds whole records, so it ends between records."""

    def __init__(self) -> None:
        self.queue: deque[str] = deque()

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if not self.queue:
            raise StopIteration
        return self.queue.popleft()


class CsvRecordStream:
    """Push parser: feed() byte chunks as they arrive, finish() at the end; both return whole records."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._partial = ""  # the last line, not ended yet
        self._record_lines: list[str] = []  # lines of a record whose quoted field is still open
        self._record_chars = 0
        self._inside_quotes = False
        self._lines_done = 0  # physical lines handed on so far
        self._source = _Lines()
        self._reader = csv.reader(self._source, strict=True)

    def feed(self, chunk: bytes) -> list[Record]:
        try:
            text = self._decoder.decode(chunk)
        except UnicodeDecodeError as error:
            raise UnreadableFile(self._not_utf8(error)) from error
        return self._text(text)

    def finish(self) -> list[Record]:
        """The records still held: a last line without a line break, an unterminated quoted field."""
        try:
            records = self._text(self._decoder.decode(b"", final=True))
        except UnicodeDecodeError as error:
            raise UnreadableFile(self._not_utf8(error)) from error
        if self._partial:
            records += self._line(self._partial)
            self._partial = ""
        if self._record_lines:  # an open quote at the end: csv reports it
            records.append(self._record())
        return records

    def _text(self, text: str) -> list[Record]:
        if "\x00" in text:  # PostgreSQL cannot store it
            raise UnreadableFile(self._nul(self._partial + text[: text.index("\x00")]))
        records: list[Record] = []
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        if len(self._partial) + self._record_chars > MAX_RECORD_CHARS:
            raise UnreadableFile(self._too_long())
        for line in lines:
            records += self._line(line + "\n")
        return records

    def _line(self, line: str) -> list[Record]:
        self._record_lines.append(line)
        self._record_chars += len(line)
        if '"' in line or self._inside_quotes:
            self._inside_quotes = ends_inside_quotes(line, self._inside_quotes)
        if self._inside_quotes:
            if self._record_chars > MAX_RECORD_CHARS:
                raise UnreadableFile(self._too_long())
            return []
        return [self._record()]

    def _record(self) -> Record:
        start = self._lines_done + 1
        self._lines_done += len(self._record_lines)
        self._source.queue.extend(self._record_lines)
        self._record_lines, self._record_chars, self._inside_quotes = [], 0, False
        try:
            fields = next(self._reader, [])
        except csv.Error as error:
            self._source.queue.clear()
            return Record(start, None, str(error))
        self._source.queue.clear()
        return Record(start, fields)

    def _not_utf8(self, error: UnicodeDecodeError) -> CsvProblem:
        before = bytes(error.object[: error.start])
        line = self._lines_done + len(self._record_lines) + before.count(b"\n") + 1
        current = self._partial if b"\n" not in before else ""
        column = current.count(",") + before.rpartition(b"\n")[2].count(b",") + 1
        byte = bytes(error.object[error.start : error.start + 1]).hex()
        message = (
            f"The file is not UTF-8: byte 0x{byte} on line {line}. Save it as UTF-8 (CSV UTF-8) and upload it again."
        )
        return CsvProblem(line, column, "", "bad_encoding", message)

    def _nul(self, before: str) -> CsvProblem:
        line = self._lines_done + len(self._record_lines) + before.count("\n") + 1
        current = before.rpartition("\n")[2]
        column = len(next(csv.reader([current]), [""])) if current else 1
        message = f"The file contains a NUL character (line {line}, column {column}); save it as plain UTF-8 text."
        return CsvProblem(line, column, "", "invalid_character", message)

    def _too_long(self) -> CsvProblem:
        line = self._lines_done + 1
        message = f"A record starting on line {line} is longer than {MAX_RECORD_CHARS} characters (an unclosed quote?)."
        return CsvProblem(line, 1, "", "record_too_long", message)


def ends_inside_quotes(line: str, inside: bool) -> bool:
    """Whether a quoted field is still open at the end of line, as csv's default dialect reads it.

    A quote opens a quoted field only at the start of a field; inside one, a doubled quote is a
    literal quote and a single one closes it.
    """
    state = "quoted" if inside else "start"
    for char in line:
        if state == "start":
            state = "quoted" if char == '"' else "start" if char == "," else "field"
        elif state == "field":
            if char == ",":
                state = "start"
        elif state == "quoted":
            if char == '"':
                state = "closing"
        else:  # closing: just after a quote inside a quoted field
            state = "quoted" if char == '"' else "start" if char == "," else "field"
    return state == "quoted"


def match_header(fields: list[str], known: tuple[str, ...], required: tuple[str, ...]) -> tuple[dict[str, int], list[CsvProblem]]:
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
