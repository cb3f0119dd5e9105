"""What an import reports: problems found in a file (bounded), and the summary of a valid one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

MAX_LISTED = 200


@dataclass(frozen=True)
class CsvProblem:
    """One problem: 1-based physical line where the record starts (header = 1) and 1-based field index."""

    line: int
    column: int
    field: str
    code: str
    message: str


@dataclass
class ProblemLog:
    """Keeps the first problems (at most limit) and counts them all, so memory stays flat on huge files."""

    limit: int = MAX_LISTED
    listed: list[CsvProblem] = field(default_factory=list)
    count: int = 0

    def add(self, problem: CsvProblem) -> None:
        self.count += 1
        if len(self.listed) < self.limit:
            self.listed.append(problem)

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass(frozen=True)
class ImportSummary:
    """Counts of a valid file: rows, what was (or would be) created, rows already imported identically."""

    rows: int
    created: int
    unchanged: int
    by_status: dict[str, int]
    by_type: dict[str, int]
    approved_value: Decimal
    created_by_type: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportReport:
    """Outcome of an import run; import_id is None when nothing was written (dry run or re-run)."""

    dry_run: bool
    import_id: uuid.UUID | None
    summary: ImportSummary
    sample: list[dict]
