"""The format pass over a capital accounts upload as it arrives, read through the shared CSV stream."""

from __future__ import annotations

from habitat_common.csv_stream import (
    CsvProblem,
    CsvRecordStream,
    ProblemLog,
    Record,
    UnreadableFile,
    match_header,
)

from habitat_ledger.domain.journal.capital_import import COLUMNS, REQUIRED, OpeningBalanceRow, check_row


class CapitalAccountsFile:
    """feed() chunks, finish(); format-valid rows come out.

    Every format problem is logged (the first 200 kept). After one the rows are of no use, so
    callers may stop keeping them; an unreadable file or a bad header stops the reading itself.
    """

    def __init__(self) -> None:
        self.problems = ProblemLog()
        self.columns: dict[str, int] = {}
        self.rows = 0
        self._stream = CsvRecordStream()
        self._header_seen = False
        self._stopped = False

    def feed(self, chunk: bytes) -> list[OpeningBalanceRow]:
        if self._stopped:
            return []
        try:
            return self._rows(self._stream.feed(chunk))
        except UnreadableFile as unreadable:
            return self._unreadable(unreadable)

    def finish(self) -> list[OpeningBalanceRow]:
        if self._stopped:
            return []
        try:
            rows = self._rows(self._stream.finish())
        except UnreadableFile as unreadable:
            return self._unreadable(unreadable)
        if not self._header_seen:
            self._stop(
                CsvProblem(
                    1, 1, "", "empty_file", f"The file is empty; expected a header: {','.join(COLUMNS)}."
                )
            )
        return rows

    def _unreadable(self, unreadable: UnreadableFile) -> list[OpeningBalanceRow]:
        self._rows(unreadable.records)  # refused records only: no rows
        return [] if self._stopped else self._stop(_worded(unreadable))

    def _stop(self, problem: CsvProblem) -> list[OpeningBalanceRow]:
        self.problems.add(problem)
        self._stopped = True
        return []

    def _rows(self, records: list[Record]) -> list[OpeningBalanceRow]:
        rows = []
        for record in records:
            if self._stopped:
                break
            if record.fields is not None and not any(f.strip() for f in record.fields):
                continue  # blank lines, and the ",,,," spreadsheets leave behind
            if not self._header_seen:
                self._header(record)
            elif (row := self._row(record)) is not None:
                rows.append(row)
        return rows

    def _header(self, record: Record) -> None:
        self._header_seen = True
        if record.fields is None:
            self._stop(
                CsvProblem(
                    record.line, 1, "", "malformed_csv", f"The header is not valid CSV: {record.error}."
                )
            )
            return
        self.columns, problems = match_header(record.fields, COLUMNS, REQUIRED)
        for problem in problems:
            self.problems.add(problem)
        if problems:
            self._stopped = True

    def _row(self, record: Record) -> OpeningBalanceRow | None:
        self.rows += 1
        if record.fields is None:
            self.problems.add(
                CsvProblem(record.line, 1, "", "malformed_csv", f"Not valid CSV: {record.error}.")
            )
            return None
        fields = record.fields
        if len(fields) != len(self.columns):
            column = min(len(fields), len(self.columns)) + 1
            message = f"Expected {len(self.columns)} fields, found {len(fields)}."
            self.problems.add(CsvProblem(record.line, column, "", "wrong_column_count", message))
            return None
        values = {name: fields[index - 1].strip() for name, index in self.columns.items()}
        checked = check_row(record.line, values)
        if isinstance(checked, OpeningBalanceRow):
            return checked
        for found in sorted(checked, key=lambda f: self.columns[f.field]):
            self.problems.add(
                CsvProblem(record.line, self.columns[found.field], found.field, found.code, found.message)
            )
        return None


def _worded(unreadable: UnreadableFile) -> CsvProblem:
    """The shared problem as this service answers it: a bad byte's column counts the commas before it."""
    found = unreadable.problem
    if found.code != "bad_encoding":
        return found
    return CsvProblem(found.line, unreadable.line_text.count(",") + 1, "", found.code, found.message)
