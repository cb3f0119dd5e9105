"""Rule 10 applied to an import file's correction rows: the very function a submission goes through
(corrections.check_correction), row after row in line order; the database only fetches the facts it needs.
Each refusal becomes a problem of the business pass at the row's line and the column of the field it is about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from habitat_contributions.domain.contribution_rows import Header
from habitat_contributions.domain.corrections import TARGET, CorrectionRefused, Entry, Figures, check_correction
from habitat_contributions.domain.import_problems import CsvProblem
from habitat_contributions.domain.statuses import ContributionStatus

# A file names what a row corrects by reference, not by id.
FILE_FIELD = {TARGET: "corrects_reference"}


@dataclass(frozen=True)
class CorrectionRow:
    """A new correction row, what it corrects (in the file or imported before) and that original's corrections
    approved in the database."""

    line: int
    correction: Entry
    original: Entry
    approved_before: Figures


class CorrectionTally:
    """Rule 10 over correction rows taken in line order: an approved correction that passes counts toward the
    bound of the rows after it, as if they had been approved one after the other."""

    def __init__(self) -> None:
        self._approved: dict[object, Figures] = {}

    def judge(self, row: CorrectionRow) -> tuple[str, CorrectionRefused] | None:
        """The file field a refusal is about and the refusal, or None when the row passes (or lacks an amount:
        the business pass reports that)."""
        if not (row.correction.figures.known and row.original.figures.known):
            return None
        key = row.original.id
        so_far = self._approved.get(key, row.approved_before)
        try:
            check_correction(row.correction, row.original, so_far)
        except CorrectionRefused as error:
            return FILE_FIELD.get(error.field, error.field), error
        if row.correction.status == ContributionStatus.APPROVED:
            self._approved[key] = so_far + row.correction.figures
        return None


def correction_problems(rows: Iterable[CorrectionRow], header: Header) -> list[CsvProblem]:
    """Correction rows that rule 10 refuses, at their line and the column of the field each refusal is about."""
    tally = CorrectionTally()
    problems = []
    for row in sorted(rows, key=lambda r: r.line):
        if refused := tally.judge(row):
            field, error = refused
            problems.append(CsvProblem(row.line, header.column(field) or 1, field, error.code, error.message))
    return problems
