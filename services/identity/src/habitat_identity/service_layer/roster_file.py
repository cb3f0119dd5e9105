"""Reading a roster file through the shared CSV stream; the domain judges its header and rows."""

from __future__ import annotations

from habitat_common.csv_stream import CsvRecordStream, UnreadableFile

from habitat_identity.domain.roster import CsvError, EmailCheck, RosterRow, read_header, read_rows


def parse_roster(data: bytes, check_email: EmailCheck) -> tuple[list[RosterRow], list[CsvError]]:
    """Rows of a roster file, or every error found (then the rows must not be used).

    An unreadable file (not UTF-8, a NUL character) or a record that is not valid CSV is the only error.
    """
    stream = CsvRecordStream()
    try:
        records = stream.feed(data) + stream.finish()
    except UnreadableFile as unreadable:
        return [], [_worded(unreadable)]
    refused = next((record for record in records if record.fields is None), None)
    if refused is not None:
        message = f"The file is not valid CSV: {refused.error}."
        return [], [CsvError(refused.last_line, 1, "", "malformed_csv", message)]
    # identity has always numbered a record (and a refusal) by the line where csv finished reading it
    lines = [(record.last_line, record.fields) for record in records if record.fields]
    if not lines:
        return [], [CsvError(1, 1, "", "empty_file", "The file is empty; expected a header line.")]
    (header_line, header), *rows = lines
    columns, bad_header = read_header(header_line, header)
    if bad_header is not None:
        return [], [bad_header]
    return read_rows(rows, columns, check_email)


def _worded(unreadable: UnreadableFile) -> CsvError:
    """The shared problem in this service's words (clients may match on them)."""
    found = unreadable.problem
    message = found.message
    if found.code == "bad_encoding":
        in_line = len(unreadable.line_text.encode()) + 1
        message = (
            f"The file is not UTF-8: byte 0x{unreadable.byte} at line {found.line}, column {found.column}"
            f" (byte {in_line} of the line). Save it as UTF-8 and upload it again."
        )
    return CsvError(found.line, found.column, found.field, found.code, message)
