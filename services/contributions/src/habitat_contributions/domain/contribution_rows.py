"""Historical contributions file: its columns, its header and the format pass over each record.

Columns are matched by header name (case-insensitive, trimmed), in any order; an unknown or repeated column
is an error, optional ones may be left out:

  reference           required  natural key of the contribution, unique per co-op, at most 100 characters
  member_email        required  the contributing member (known to this service's member replica)
  period              required  period NAME as the ledger announced it (this service's period replica)
  type                required  labor | capital | property
  contributed_on      required  date, YYYY-MM-DD, within the period
  description         optional  defaults to "Imported contribution"; white space folded, at most 2000 characters
  hours, rate                   labor: both required; decimals with at most 2 places (value = hours x rate)
  amount                        capital: required; decimal with at most 2 places
  fair_market_value,            property: both required; decimals with at most 2 places
  adjusted_basis                (book credit = fair market value, tax credit = adjusted basis)
  status              required  pending | approved | rejected
  approver_email                who decided (a steward or admin, not the contributor); approved/rejected only
  decided_at                    ISO 8601 date and time of the decision, naive means UTC; approved/rejected only
  corrects_reference  optional  this row corrects the approved contribution with that reference (in the file
                                or imported before), of the same member and type; its amounts are the changes,
                                may be negative, never zero (a property row may fix the basis alone), and the
                                original plus its approved corrections never goes below zero (rule 10)

Here each record is checked on its own, without the database (the format pass); references, business rules
and reconciliation are checked later over the whole file: the database resolves the rows, domain.import_passes
judges them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache, partial
from hashlib import sha1
from itertools import repeat

from habitat_contributions.domain import column_checks as checks
from habitat_contributions.domain.import_problems import CsvProblem, ProblemLog
from habitat_contributions.domain.review_policy import DEFAULT_POLICY, ReviewPolicy
from habitat_contributions.domain.statuses import ContributionType
from habitat_contributions.domain.valuation import valuation_of

Record = tuple[int, list[str]]  # physical line where the record starts (1-based), its fields

COLUMNS = (
    "reference",
    "member_email",
    "period",
    "type",
    "contributed_on",
    "description",
    "hours",
    "rate",
    "amount",
    "fair_market_value",
    "adjusted_basis",
    "status",
    "approver_email",
    "decided_at",
    "corrects_reference",
)
REQUIRED = ("reference", "member_email", "period", "type", "contributed_on", "status")
# What the format pass gives each row besides its fields: its value and capital credits by the valuation rules
# and the approvals the review policy requires of it, staged with it so the write only copies them.
FIGURES = ("value", "book_amount", "tax_amount", "approvals_required")
STAGED = ("line", "id", *COLUMNS, *FIGURES)
AMOUNT_COLUMNS = ("hours", "rate", "amount", "fair_market_value", "adjusted_basis")
TYPES = frozenset(str(t) for t in ContributionType)
STATUSES = frozenset(("pending", "approved", "rejected"))
DEFAULT_DESCRIPTION = "Imported contribution"
MAX_REFERENCE = 100
MAX_DESCRIPTION = 2000
# NUMERIC(5,2) for hours, NUMERIC(14,2) for money; ranges and signs are business rules.
NUMBERS = {name: checks.number_pattern(3 if name == "hours" else 12) for name in AMOUNT_COLUMNS}
# How each column is checked: a function of (values, name, problems) returning the cleaned values.
CHECKS = {
    "reference": lambda v, n, b: checks.required_text(v, n, b, MAX_REFERENCE),
    "member_email": lambda v, n, b: checks.emails(v, n, b, required_=True),
    "period": checks.required_text,
    "type": lambda v, n, b: checks.choice(v, n, b, TYPES),
    "contributed_on": checks.dates,
    "description": lambda v, n, b: checks.folded_text(v, n, b, MAX_DESCRIPTION, DEFAULT_DESCRIPTION),
    **{name: (lambda v, n, b: checks.numbers(v, n, b, NUMBERS[n])) for name in AMOUNT_COLUMNS},
    "status": lambda v, n, b: checks.choice(v, n, b, STATUSES),
    "approver_email": lambda v, n, b: checks.emails(v, n, b, required_=False),
    "decided_at": checks.datetimes,
    "corrects_reference": lambda v, n, b: checks.optional_text(v, n, b, MAX_REFERENCE),
}
# What an absent optional column stands for.
ABSENT = {"description": DEFAULT_DESCRIPTION}

# A fixed namespace: the same reference always names the same contribution id, so re-runs are stable.
IMPORT_NAMESPACE = uuid.UUID("8a3c6f4e-2b1d-4e7a-9c5f-0d6b2e8f1a37")
_ID_HASH = sha1(IMPORT_NAMESPACE.bytes)
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def contribution_id_for(reference: str) -> str:
    """uuid5(IMPORT_NAMESPACE, reference) as 32 hex digits (hashed directly: a UUID object per row costs more)."""
    digest = _ID_HASH.copy()
    digest.update(reference.encode())
    h = digest.hexdigest()
    return h[:12] + "5" + h[13:16] + _VARIANT[h[16]] + h[17:32]


@dataclass(frozen=True)
class Header:
    """The file's columns, canonical names in file order."""

    line: int
    names: tuple[str, ...]

    def column(self, name: str) -> int | None:
        """1-based position of a column, None when the file leaves it out."""
        return self.names.index(name) + 1 if name in self.names else None


def read_header(line: int, fields: list[str], log: ProblemLog) -> Header | None:
    """The header, or None after logging every unknown, repeated or missing column."""
    names = tuple(name.strip().lower() for name in fields)
    before = log.count
    for column, name in enumerate(names, start=1):
        if name not in COLUMNS:
            known = ", ".join(COLUMNS)
            log.add(CsvProblem(line, column, name, "unknown_column", f"Unknown column {name!r}; columns are {known}."))
        elif name in names[: column - 1]:
            log.add(CsvProblem(line, column, name, "duplicate_column", f"Column {name!r} appears more than once."))
    for name in REQUIRED:
        if name not in names:
            log.add(CsvProblem(line, 1, name, "missing_column", f"The required column {name!r} is missing."))
    return None if log.count > before else Header(line, names)


class RowParser:
    """The format pass over a batch of records: staged rows, or none after logging every bad field of the batch.

    A staged row is a tuple of text in STAGED order, "" for an empty value, ready for PostgreSQL to cast."""

    def __init__(self, header: Header, log: ProblemLog, policy: ReviewPolicy = DEFAULT_POLICY) -> None:
        self._log = log
        # a file repeats its amounts (a day's hours at the card's rate, the usual cash amounts)
        self._valued = lru_cache(4096)(partial(_figures, policy))
        self._width = len(header.names)
        self._column = {name: header.column(name) for name in COLUMNS}
        self.rows = 0

    def parse(self, records: list[Record], refused: Sequence[CsvProblem] = ()) -> list[tuple]:
        """Staged rows of the batch's data records (blank ones are skipped); refused holds a problem for each
        record of the batch the reader could not read (not valid CSV), logged in line order with the others."""
        width, first = self._width, (self._column["reference"] or 1) - 1
        rows: list[tuple[int, list[str]]] = []
        problems: list[CsvProblem] = list(refused)
        for line, fields in records:
            if len(fields) == width:
                if fields[first].strip() or "".join(fields).strip():
                    rows.append((line, fields))
            elif "".join(fields).strip():
                problems.append(_wrong_count(line, fields, width))
        self.rows += len(rows) + len(problems)
        staged = self._checked(rows, problems)
        for problem in sorted(problems, key=lambda p: (p.line, p.column)):
            self._log.add(problem)
        return [] if self._log else staged

    def _checked(self, rows: list[tuple[int, list[str]]], problems: list[CsvProblem]) -> list[tuple]:
        if not rows:
            return []
        lines = [line for line, _ in rows]
        columns = list(zip(*(fields for _, fields in rows), strict=True))
        bad: list[checks.Bad] = []
        cleaned = []
        for name in COLUMNS:
            column = self._column[name]
            if column is None:
                cleaned.append(repeat(ABSENT.get(name, "")))
            else:
                cleaned.append(CHECKS[name](columns[column - 1], name, bad))
        problems.extend(CsvProblem(lines[i], self._column[name], name, code, say) for i, name, code, say in bad)
        if bad or self._log:
            return []
        ids = [contribution_id_for(reference) for reference in cleaned[0]]
        figures = map(self._valued, cleaned[_TYPE], *(cleaned[index] for index in _AMOUNTS))
        return [row + row_figures for row, row_figures in zip(zip(map(str, lines), ids, *cleaned), figures)]


def _figures(policy: ReviewPolicy, kind: str, hours: str, rate: str, amount: str, fmv: str, basis: str) -> tuple:
    """Value, book and tax credits (valuation_of) and the approvals required, as staged text; empty where an
    amount the type needs is missing (the business pass refuses that row)."""
    valued = valuation_of(
        kind, hours=Decimal(hours) if hours else None, rate=Decimal(rate) if rate else None,
        amount=Decimal(amount) if amount else None, fair_market_value=Decimal(fmv) if fmv else None,
        adjusted_basis=Decimal(basis) if basis else None,
    )
    if valued.value is None or valued.tax_amount is None:
        return _NOT_VALUED
    required = policy.approvals_required(valued.value)
    return str(valued.value), str(valued.book_amount), str(valued.tax_amount), str(required)


_NOT_VALUED = ("",) * len(FIGURES)
_TYPE = COLUMNS.index("type")
_AMOUNTS = [COLUMNS.index(name) for name in AMOUNT_COLUMNS]


def _wrong_count(line: int, fields: list[str], width: int) -> CsvProblem:
    message = f"Expected {width} fields as in the header, found {len(fields)}."
    return CsvProblem(line, min(len(fields), width) + 1, "", "wrong_field_count", message)
