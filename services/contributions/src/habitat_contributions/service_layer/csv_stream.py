"""The contributions file's records, read through the shared stream: only an unreadable part ends the reading."""

from __future__ import annotations

from typing import NamedTuple

from habitat_common.csv_stream import CsvRecordStream, Record, UnreadableFile
from habitat_contributions.domain.contribution_rows import Record as Row
from habitat_contributions.domain.import_problems import CsvProblem


class Batch(NamedTuple):
    """The records a chunk completed: those csv read, and a problem for each it refused, both in line order."""

    rows: list[Row]
    refused: list[CsvProblem]


class CsvStream:
    """feed() each chunk and close() at the end; both return the Batch of records completed so far.

    A record that is not valid CSV comes back as a malformed_csv problem (the line it starts on, column 1) and
    reading goes on at the next line, so every such record of a file is reported. A file that is not UTF-8,
    holds a NUL character or has a record too long stops the stream: `fatal` then holds the problem, the batch
    returned with it holds only the refusals read before it, and nothing more comes back. Blank lines come back
    as empty records (they count as lines)."""

    def __init__(self) -> None:
        self._stream = CsvRecordStream()
        self.fatal: CsvProblem | None = None

    def feed(self, chunk: bytes) -> Batch:
        if self.fatal:
            return Batch([], [])
        try:
            return _batch(self._stream.feed(chunk))
        except UnreadableFile as unreadable:
            return self._stop(unreadable)

    def close(self) -> Batch:
        if self.fatal:
            return Batch([], [])
        try:
            return _batch(self._stream.finish())
        except UnreadableFile as unreadable:
            return self._stop(unreadable)

    def _stop(self, unreadable: UnreadableFile) -> Batch:
        self.fatal = _worded(unreadable)
        return Batch([], _batch(unreadable.records).refused)  # a refused record the stream was holding back


def _batch(records: list[Record]) -> Batch:
    rows: list[Row] = []
    refused: list[CsvProblem] = []
    for record in records:
        if record.fields is None:
            message = f"The file is not valid CSV: {record.error}."
            refused.append(CsvProblem(record.line, 1, "", "malformed_csv", message))
        else:
            rows.append((record.line, record.fields))
    return Batch(rows, refused)


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
