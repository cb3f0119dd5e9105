"""The references, business and reconciliation passes of a contributions import, judged in Python.

The database resolves each staged row (its member, period and approver, the contribution imported before
under its reference, what it corrects, the first line of a repeated reference) and hands the rows over in line
order; every rule below is a pure predicate over one ResolvedRow. Live intake goes through the same rules
(self_decision, amount_problems, dates.check_contributed_on, corrections.check_correction), so each refusal
has one wording.

Only the first pass that finds problems is reported, its problems sorted by line, column and code, the first
`limit` listed and all counted; rows arrive in line order, so memory stays flat in file size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache

from habitat_contributions.domain.contribution_rows import Header
from habitat_contributions.domain.corrections import Entry
from habitat_contributions.domain.dates import check_contributed_on
from habitat_contributions.domain.errors import InvalidContribution
from habitat_contributions.domain.import_problems import MAX_LISTED, CsvProblem, ProblemLog
from habitat_contributions.domain.import_rows import Member, Names, Period, ResolvedRow, Stored
from habitat_contributions.domain.import_rules import CorrectionRow, CorrectionTally
from habitat_contributions.domain.intake import FIELDS_BY_TYPE, MONEY_FIELDS, amount_problems
from habitat_contributions.domain.replicas import PERIOD_CLOSED, PERIOD_CLOSING
from habitat_contributions.domain.review_policy import self_decision
from habitat_contributions.domain.valuation import MAX_MONEY, valuation_of

PASSES = ("references", "business", "reconciliation")
REVIEWER_ROLES = ("steward", "admin")
SEALED = (PERIOD_CLOSING, PERIOD_CLOSED)
DECIDED = ("approved", "rejected")

# A rule's finding: the field it is about, its code and message, and the column to point at when the file
# leaves that field out (None: the first column).
Finding = tuple[str, str, str, str | None]


def references(r: ResolvedRow, m: Member | None, a: Member | None, p: Period | None) -> Iterator[Finding]:
    """Every name resolves to exactly one member, period, reviewer or contribution (m, a, p: what the member's
    email, the approver's email and the period's name resolve to)."""
    if m is None:
        yield "member_email", "unknown_member", f"No member has the email {r.member_email}.", None
    elif m.matches > 1:
        say = f"{m.matches} members share the email {r.member_email}; fix the member records first."
        yield "member_email", "ambiguous_member", say, None
    if p is None:
        yield "period", "unknown_period", f"No period is named {r.period}.", None
    elif p.matches > 1:
        yield "period", "ambiguous_period", f"{p.matches} periods are named {r.period}.", None
    if a is not None:
        if a.matches > 1:
            yield "approver_email", "ambiguous_member", f"{a.matches} members share the email {r.approver_email}.", None
        if r.is_new and a.role not in REVIEWER_ROLES:
            role = a.role or "member without a role"
            say = f"{r.approver_email} is a {role}; only a steward or an admin may approve or reject."
            yield "approver_email", "approver_not_reviewer", say, None
    elif r.approver_email is not None:
        yield "approver_email", "unknown_approver", f"No member has the email {r.approver_email}.", None
    if r.is_correction and r.target is None:
        say = f"No contribution has the reference {r.corrects_reference}, in this file or imported before."
        yield "corrects_reference", "unknown_correction_target", say, None


def business(r: ResolvedRow, m: Member, a: Member | None, p: Period, *, today: date) -> list[Finding]:
    """The decision, the amounts, the dates and the approver of a row whose names all resolve (rule 10 on
    corrections is judged across rows by CorrectionTally). Each rule depends on a few facts that repeat from
    row to row, so each is judged once per distinct set of them."""
    found = [
        *_decision(r.status, r.approver_email is not None, r.decided_at is not None),
        *_amounts(r.type, r.hours, r.rate, r.amount, r.fair_market_value, r.adjusted_basis, r.is_correction),
        *_in_period(r.contributed_on, r.period, p.starts_on, p.ends_on),
        *_decided_after(r.contributed_on, r.decided_at),
        *(_dated(r.contributed_on, today, m.joined_at) if r.is_new else ()),
    ]
    if a is not None and (refusal := self_decision(m.member_id, a.member_id)):
        found.append(("approver_email", refusal.code, refusal.message, None))
    if r.corrects_reference is not None and r.corrects_reference == r.reference:
        found.append(("corrects_reference", "corrects_itself", "A contribution cannot correct itself.", None))
    return found


_FACTS = 4096  # distinct sets of facts remembered per rule


@lru_cache(_FACTS)
def _decision(status: str, has_approver: bool, has_decided_at: bool) -> tuple[Finding, ...]:
    """A decided row says who decided and when; a pending one neither."""
    found: list[Finding] = []
    if status in DECIDED:
        if not has_approver:
            say = f"approver_email (who decided) is required when the status is {status}."
            found.append(("approver_email", "missing_approver", say, "status"))
        if not has_decided_at:
            say = f"decided_at (when it was decided) is required when the status is {status}."
            found.append(("decided_at", "missing_decided_at", say, "status"))
        return tuple(found)
    if has_approver:
        say = "A pending contribution has not been decided; leave approver_email empty."
        found.append(("approver_email", "unexpected_approver", say, None))
    if has_decided_at:
        say = "A pending contribution has not been decided; leave decided_at empty."
        found.append(("decided_at", "unexpected_decided_at", say, None))
    return tuple(found)


@lru_cache(_FACTS)
def _amounts(kind: str, *amounts: Decimal | None) -> tuple[Finding, ...]:
    """The amounts the type needs, their signs and what hours x rate comes to (see intake.amount_problems)."""
    *given, correction = amounts
    named = dict(zip(MONEY_FIELDS, given, strict=True))
    found = [(field, code, message, "type") for field, code, message in
             amount_problems(kind, named, correction=correction, required=FIELDS_BY_TYPE)]  # fmt: skip
    value = valuation_of(kind, hours=named["hours"], rate=named["rate"]).value if kind == "labor" else None
    if value is not None and abs(value) > MAX_MONEY:
        found.append(("rate", "value_too_large", "hours x rate is too large an amount.", "type"))
    return tuple(found)


@lru_cache(_FACTS)
def _in_period(day: date, period: str, starts_on: date, ends_on: date) -> tuple[Finding, ...]:
    if starts_on <= day <= ends_on:
        return ()
    message = f"contributed_on {day} is outside period {period} ({starts_on} to {ends_on})."
    return (("contributed_on", "outside_period", message, None),)


@lru_cache(_FACTS)
def _decided_after(day: date, decided_at: datetime | None) -> tuple[Finding, ...]:
    if decided_at is None or decided_at >= datetime.combine(day, time(), UTC):
        return ()
    message = f"decided_at {pg_timestamp(decided_at)} is before contributed_on {day}."
    return (("decided_at", "decided_before_contributed", message, None),)


@lru_cache(_FACTS)
def _dated(day: date, today: date, joined_at: date | None) -> tuple[Finding, ...]:
    try:
        check_contributed_on(day, today=today, joined_at=joined_at)
    except InvalidContribution as error:
        return (("contributed_on", error.code, error.message, None),)
    return ()


# Field by field against the contribution imported before: (field, the row's value, how to show it, the stored
# value, how to show that).
_COMPARED = (
    ("member_email", lambda r, ids: ids[0], lambda r: r.member_email,
     lambda s: s.member_id, lambda s: s.member_email or str(s.member_id)),
    ("period", lambda r, ids: ids[2], lambda r: r.period, lambda s: s.period_id, lambda s: s.period_name or str(s.period_id)),
    ("type", lambda r, ids: r.type, lambda r: r.type, lambda s: s.type, lambda s: s.type),
    ("contributed_on", lambda r, ids: r.contributed_on, lambda r: str(r.contributed_on),
     lambda s: s.contributed_on, lambda s: str(s.contributed_on)),
    ("description", lambda r, ids: r.description, lambda r: r.description, lambda s: s.description, lambda s: s.description),
    *((name, (lambda r, ids, n=name: getattr(r, n)), (lambda r, n=name: _text(getattr(r, n))),
       (lambda s, n=name: getattr(s, n)), (lambda s, n=name: _text(getattr(s, n)))) for name in MONEY_FIELDS),
    ("status", lambda r, ids: r.status, lambda r: r.status, lambda s: s.status, lambda s: s.status),
    ("approver_email", lambda r, ids: ids[1], lambda r: r.approver_email,
     lambda s: s.decided_by, lambda s: s.approver_email or _text(s.decided_by)),
    ("decided_at", lambda r, ids: r.decided_at, lambda r: _text(r.decided_at),
     lambda s: s.decided_at, lambda s: _text(s.decided_at)),
    ("corrects_reference", lambda r, ids: r.target.id if r.target else None, lambda r: r.corrects_reference,
     lambda s: s.corrects_contribution_id, lambda s: _text(s.corrects_contribution_id)),
)  # fmt: skip


def reconciliation(r: ResolvedRow, m: Member, a: Member | None, p: Period) -> Iterator[Finding]:
    """Each reference once in the file; a reference imported before unchanged; no approved row into a period
    being sealed."""
    if r.first_line is not None and r.first_line < r.line:
        say = f"reference {r.reference} already appears on line {r.first_line}."
        yield "reference", "duplicate_reference", say, None
    if r.stored is not None and _unchanged(r, m, a, p) != _as_stored(r.stored):
        ids = (m.member_id, a.member_id if a else None, p.period_id)
        for field, mine, shown_mine, theirs, shown_theirs in _COMPARED:
            if mine(r, ids) != theirs(r.stored):
                before, now = shown_theirs(r.stored) or "none", shown_mine(r) or "none"
                say = (
                    f"reference {r.reference} was imported before with {field} {before}, not {now}; an imported "
                    "contribution never changes (add a correction instead)."
                )
                yield field, "conflicts_with_import", say, None
    elif r.status == "approved" and p.status in SEALED:
        say = (
            f"Period {r.period} is {p.status}: the ledger would set approved contributions aside. Import them "
            "before the period starts closing."
        )
        yield "period", "period_closed", say, None


def _unchanged(r: ResolvedRow, m: Member, a: Member | None, p: Period) -> tuple:
    """What _COMPARED compares, the row's side at once (a re-run compares every row; most are unchanged)."""
    return (m.member_id, p.period_id, r.type, r.contributed_on, r.description, r.hours, r.rate, r.amount,
            r.fair_market_value, r.adjusted_basis, r.status, a.member_id if a else None, r.decided_at,
            r.target.id if r.target else None)  # fmt: skip


def _as_stored(s: Stored) -> tuple:
    return (s.member_id, s.period_id, s.type, s.contributed_on, s.description, s.hours, s.rate, s.amount,
            s.fair_market_value, s.adjusted_basis, s.status, s.decided_by, s.decided_at,
            s.corrects_contribution_id)  # fmt: skip


def pg_timestamp(moment: datetime) -> str:
    """A time as PostgreSQL writes a timestamptz in UTC (2026-02-09 23:59:59+00)."""
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return text.rstrip("0").rstrip(".") + "+00" if "." in text else text + "+00"


def _text(fact: object) -> str | None:
    if fact is None:
        return None
    return pg_timestamp(fact) if isinstance(fact, datetime) else str(fact)


class ImportJudgement:
    """The passes over a file's resolved rows, fed chunk by chunk in line order."""

    def __init__(self, header: Header, names: Names, *, today: date, limit: int = MAX_LISTED) -> None:
        self._header = header
        self._names = names
        self._today = today
        self._logs = {name: ProblemLog(limit) for name in PASSES}
        self._corrections = CorrectionTally()

    def feed(self, rows: Iterable[ResolvedRow]) -> None:
        references_log, business_log, reconciliation_log = self._logs.values()
        members, periods, today = self._names.members, self._names.periods, self._today
        for row in rows:
            m, p = members.get(row.member_email), periods.get(row.period)
            a = None if row.approver_email is None else members.get(row.approver_email)
            self._add(references_log, row, list(references(row, m, a, p)))
            if references_log.count:
                continue  # only the first failing pass is reported: the later ones need not be judged
            found = business(row, m, a, p, today=today)
            if row.target is not None and row.is_new and row.corrects_reference != row.reference:
                found.extend(self._correction(row, m))
            self._add(business_log, row, found)
            if not business_log.count:
                self._add(reconciliation_log, row, list(reconciliation(row, m, a, p)))

    @property
    def clean(self) -> bool:
        """No pass has found a problem in the rows fed so far."""
        return not any(self._logs.values())

    def outcome(self) -> tuple[str | None, list[CsvProblem], int]:
        """The first failing pass: its name, its first problems and their count; (None, [], 0) if none fails."""
        for name, log in self._logs.items():
            if log:
                return name, log.listed, log.count
        return None, [], 0

    def _correction(self, row: ResolvedRow, m: Member) -> Iterator[Finding]:
        correction = Entry(None, m.member_id, row.type, row.status, None, row.figures())
        refused = self._corrections.judge(CorrectionRow(row.line, correction, row.target, row.approved_before))
        if refused is not None:
            field, error = refused
            yield field, error.code, error.message, None

    def _add(self, log: ProblemLog, row: ResolvedRow, found: list[Finding]) -> None:
        if not found:
            return
        column = self._header.column
        problems = [
            CsvProblem(row.line, column(field) or (fallback and column(fallback)) or 1, field, code, message)
            for field, code, message, fallback in found
        ]
        for problem in sorted(problems, key=lambda p: (p.column, p.code)):
            log.add(problem)
