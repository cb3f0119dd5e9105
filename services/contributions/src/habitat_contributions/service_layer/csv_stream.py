"""The contributions file's records, read through the shared stream: the first unreadable part ends the reading."""

from __future__ import annotations

from habitat_common.csv_stream import CsvRecordStream, Record, UnreadableFile
from habitat_contributions.domain.contribution_rows import Record as Row
from habitat_contributions.domain.import_problems import CsvProblem


class CsvStream:
    """feed() each chunk and close() at the end; both return the records completed so far.

    A file that is not UTF-8, holds a NUL character, has a record too long or not valid CSV stops the stream:
    `fatal` then holds the problem, and neither the records completed with it nor any later come back. Blank
    lines come back as empty records (they count as lines)."""

    def __init__(self) -> None:
        self._stream = CsvRecordStream()
        self.fatal: CsvProblem | None = None

    def feed(self, chunk: bytes) -> list[Row]:
        if self.fatal:
            return []
        try:
            return self._rows(self._stream.feed(chunk))
        except UnreadableFile as unreadable:
            return self._stop(_worded(unreadable))

    def close(self) -> list[Row]:
        if self.fatal:
            return []
        try:
            return self._rows(self._stream.finish())
        except UnreadableFile as unreadable:
            return self._stop(_worded(unreadable))

    def _rows(self, records: list[Record]) -> list[Row]:
        rows: list[Row] = []
        for record in records:
            if record.fields is None:
                message = f"The file is not valid CSV: {record.error}."
                return self._stop(CsvProblem(record.line, 1, "", "malformed_csv", message))
            rows.append((record.line, record.fields))
        return rows

    def _stop(self, problem: CsvProblem) -> list[Row]:
        self.fatal = problem
        return []


def _worded(unreadable: UnreadableFile) -> CsvProblem:
    """The shared problem in this service's words (clients may match on them)."""
    found = unreadable.problem
    if found.code == "bad_encoding":
        say = f"The file is not UTF-8 (byte 0x{unreadable.byte}); save it as UTF-8 and upload it again"
    elif found.code == "invalid_character":
        say = "The file contains a NUL character; save it as plain UTF-8 text"
    else:
        return CsvProblem(found.line, found.column, found.field, found.code, found.message)
    return CsvProblem(found.line, found.column, "", found.code, f"{say} (line {found.line}, column {found.column}).")
