"""Reading a roster file through the shared CSV stream; the domain judges its header and rows."""

from __future__ import annotations

from habitat_common.csv_stream import CsvRecordStream, Record, UnreadableFile

from habitat_identity.domain.roster import CsvError, EmailCheck, RosterRow, read_header, read_rows


def parse_roster(data: bytes, check_email: EmailCheck) -> tuple[list[RosterRow], list[CsvError]]:
    """Rows of a roster file, or every error found (then the rows must not be used).

    A record that is not valid CSV is an error on the line it starts on (column 1), listed with the others,
    and the reading goes on at the next line. An unreadable file (not UTF-8, a NUL character, a record too
    long) is the only error; so is a header that is not valid CSV, or a bad one.
    """
    stream = CsvRecordStream()
    try:
        records = stream.feed(data) + stream.finish()
    except UnreadableFile as unreadable:
        return [], [_worded(unreadable)]
    records = [record for record in records if record.fields is None or record.fields]  # blank lines dropped
    if not records:
        return [], [CsvError(1, 1, "", "empty_file", "The file is empty; expected a header line.")]
    header, *rest = records
    if header.fields is None:
        return [], [_malformed(header)]
    # identity has always numbered a record it reads by the line where csv finished reading it
    columns, bad_header = read_header(header.last_line, header.fields)
    if bad_header is not None:
        return [], [bad_header]
    lines = [(record.last_line, record.fields) for record in rest if record.fields is not None]
    rows, errors = read_rows(lines, columns, check_email)
    refused = [_malformed(record) for record in rest if record.fields is None]
    return rows, sorted([*errors, *refused], key=lambda e: (e.line, e.column)) if refused else errors


def _malformed(record: Record) -> CsvError:
    """A record csv refused, on the line it starts on: an unclosed quote is found only at the end of the file."""
    return CsvError(record.line, 1, "", "malformed_csv", f"The file is not valid CSV: {record.error}.")


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
