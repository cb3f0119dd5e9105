"""Live intake's rules applied to an import file's rows: the very functions a submission goes through
(dates.check_contributed_on, corrections.check_correction); the database only fetches the facts they need.
Each refusal becomes a problem of the business pass at the row's line and the column of the field it is about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from habitat_contributions.domain.contribution_rows import Header
from habitat_contributions.domain.corrections import TARGET, CorrectionRefused, Entry, Figures, check_correction
from habitat_contributions.domain.dates import check_contributed_on
from habitat_contributions.domain.errors import InvalidContribution
from habitat_contributions.domain.import_problems import CsvProblem
from habitat_contributions.domain.model import ContributionStatus

# A file names what a row corrects by reference, not by id.
FILE_FIELD = {TARGET: "corrects_reference"}


@dataclass(frozen=True)
class DatedRow:
    line: int
    contributed_on: date
    joined_at: date | None


@dataclass(frozen=True)
class CorrectionRow:
    """A new correction row, what it corrects (in the file or imported before) and that original's corrections
    approved in the database."""

    line: int
    correction: Entry
    original: Entry
    approved_before: Figures


def date_problems(rows: Iterable[DatedRow], *, today: date, header: Header) -> list[CsvProblem]:
    """Rows dated after `today` (the co-op's) or before their member joined."""
    problems = []
    for row in rows:
        try:
            check_contributed_on(row.contributed_on, today=today, joined_at=row.joined_at)
        except InvalidContribution as error:
            problems.append(_problem(row.line, "contributed_on", error, header))
    return problems


def correction_problems(rows: Iterable[CorrectionRow], header: Header) -> list[CsvProblem]:
    """Correction rows that rule 10 refuses. Rows are taken in line order: an approved correction that passes
    counts toward the bound of the rows after it, as if they had been approved one after the other."""
    approved: dict[object, Figures] = {}
    problems = []
    for row in sorted(rows, key=lambda r: r.line):
        if not (row.correction.figures.known and row.original.figures.known):
            continue  # an amount is missing: the business pass reports that
        key = row.original.id
        so_far = approved.get(key, row.approved_before)
        try:
            check_correction(row.correction, row.original, so_far)
        except CorrectionRefused as error:
            problems.append(_problem(row.line, FILE_FIELD.get(error.field, error.field), error, header))
            continue
        if row.correction.status == ContributionStatus.APPROVED:
            approved[key] = so_far + row.correction.figures
    return problems


def _problem(line: int, field: str, error: InvalidContribution, header: Header) -> CsvProblem:
    return CsvProblem(line, header.column(field) or 1, field, error.code, error.message)
