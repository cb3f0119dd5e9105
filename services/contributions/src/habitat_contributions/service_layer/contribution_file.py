"""A whole historical contributions file, fed chunk by chunk: header first, then staged rows."""

from __future__ import annotations

from habitat_contributions.domain.contribution_rows import Header, Record, RowParser, read_header
from habitat_contributions.domain.import_problems import CsvProblem, ProblemLog
from habitat_contributions.domain.review_policy import DEFAULT_POLICY, ReviewPolicy
from habitat_contributions.service_layer.csv_stream import Batch, CsvStream


class ContributionFile:
    """feed() and close() return the staged rows the chunk completed; every format problem goes to the log.

    Once a problem is logged no more rows are returned (nothing will be written), but the rest of the file
    is still checked so that every format problem is reported, a record that is not valid CSV among them;
    after a bad header (or one that is not valid CSV) or an unreadable part (not UTF-8, a NUL character, a
    record too long), the remaining bytes are only drained."""

    def __init__(self, log: ProblemLog, policy: ReviewPolicy = DEFAULT_POLICY) -> None:
        self._log = log
        self._policy = policy
        self._stream = CsvStream()
        self._parser: RowParser | None = None
        self._gave_up = False
        self.header: Header | None = None

    @property
    def rows(self) -> int:
        """Data records seen so far (blank lines excluded)."""
        return self._parser.rows if self._parser else 0

    def feed(self, chunk: bytes) -> list[tuple]:
        return [] if self._gave_up else self._staged(self._stream.feed(chunk))

    def close(self) -> list[tuple]:
        if self._gave_up:
            return []
        staged = self._staged(self._stream.close())
        if self.header is None and not self._log:
            self._log.add(CsvProblem(1, 1, "", "empty_file", "The file is empty; expected a header line first."))
        return staged

    def _staged(self, batch: Batch) -> list[tuple]:
        records, refused = batch
        if self._parser is None:
            records, refused = self._read_header(records, refused)
        staged = self._parser.parse(records, refused) if self._parser and (records or refused) else []
        if self._stream.fatal is not None:
            self._log.add(self._stream.fatal)
            self._gave_up = True
            return []
        return staged

    def _read_header(
        self, records: list[Record], refused: list[CsvProblem]
    ) -> tuple[list[Record], list[CsvProblem]]:
        """The records and refusals after the header (the first non-blank record); none when it is bad."""
        at, first = next(((at, r) for at, r in enumerate(records) if "".join(r[1]).strip()), (len(records), None))
        if refused and (first is None or refused[0].line < first[0]):
            self._log.add(refused[0])  # the header is not valid CSV: no column can be known
            self._gave_up = True
            return [], []
        if first is None:
            return [], []
        self.header = read_header(*first, self._log)
        if self.header is None:
            self._gave_up = True
            return [], []
        self._parser = RowParser(self.header, self._log, self._policy)
        return records[at + 1 :], refused
