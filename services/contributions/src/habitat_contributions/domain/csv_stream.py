"""CSV records from a byte stream fed chunk by chunk: incremental UTF-8 decoding, the csv module for parsing.

Only whole lines go to csv.reader (strict). A record still open at the end of a chunk (a quoted field holding
a newline) makes the reader fail at the very end of its input; its lines are then kept and parsed again in
front of the next chunk's, so records spanning chunks parse exactly as they would from the whole file.
"""

from __future__ import annotations

import codecs
import csv

from habitat_contributions.domain.import_problems import CsvProblem

Record = tuple[int, list[str]]  # physical line where the record starts (1-based), its fields


class CsvStream:
    """feed() each chunk and close() at the end; both return the records completed so far.

    A file that is not UTF-8, holds a NUL character or is not valid CSV stops the stream: `fatal` then holds
    the problem and nothing more is returned. Blank lines come back as empty records (they count as lines)."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._partial = ""  # text after the last newline
        self._carried: list[str] = []  # lines of a record left open by the previous chunk
        self._lines_done = 0  # physical lines taken by records already returned
        self._newlines = 0  # newlines decoded so far: locates encoding problems
        self.fatal: CsvProblem | None = None

    def feed(self, chunk: bytes) -> list[Record]:
        text = self._decode(chunk, final=False)
        if text is None:
            return []
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        return self._parse(self._carried + [line + "\n" for line in lines], final=False)

    def close(self) -> list[Record]:
        text = self._decode(b"", final=True)
        if text is None:
            return []
        rest = self._partial + text
        self._partial = ""
        return self._parse(self._carried + ([rest] if rest else []), final=True)

    def _decode(self, chunk: bytes, *, final: bool) -> str | None:
        if self.fatal is not None:
            return None
        try:
            text = self._decoder.decode(chunk, final)
        except UnicodeDecodeError as error:
            before = self._partial + error.object[: error.start].decode("utf-8", errors="replace")
            byte = error.object[error.start : error.start + 1].hex()
            say = f"The file is not UTF-8 (byte 0x{byte}); save it as UTF-8 and upload it again"
            self.fatal = self._located(before, "bad_encoding", say)
            return None
        if "\x00" in text:  # PostgreSQL cannot store it
            before = self._partial + text[: text.index("\x00")]
            say = "The file contains a NUL character; save it as plain UTF-8 text"
            self.fatal = self._located(before, "invalid_character", say)
            return None
        self._newlines += text.count("\n")
        return text

    def _parse(self, lines: list[str], *, final: bool) -> list[Record]:
        reader = csv.reader(lines, strict=True)
        records: list[Record] = []
        taken = 0
        base = self._lines_done + 1
        try:
            for fields in reader:
                records.append((base + taken, fields))
                taken = reader.line_num
        except csv.Error as error:
            if final or reader.line_num < len(lines):
                self.fatal = CsvProblem(base + taken, 1, "", "malformed_csv", f"The file is not valid CSV: {error}.")
                return []
            # ran out of lines inside a quoted field: wait for the rest of the record
        self._carried = lines[taken:]
        self._lines_done += taken
        return records

    def _located(self, before: str, code: str, say: str) -> CsvProblem:
        """A problem at the end of `before`, the text decoded after the newlines counted so far."""
        line = self._newlines + before.count("\n") + 1
        current = before.rpartition("\n")[2]
        column = len(next(csv.reader([current]), [""])) if current else 1
        return CsvProblem(line, column, "", code, f"{say} (line {line}, column {column}).")
