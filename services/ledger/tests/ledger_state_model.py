"""What the ledger should hold, kept by the stateful test from the operations it made.

Plain Python, no database: the expected capital per member (book and tax), patronage per period,
opening balances in force, distributions and the lock date. The state machine asks it what an
operation should do (booked, set aside, refused with which error) before running it for real.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from habitat_ledger.domain.commands import BookContribution

ZERO = Decimal("0.00")
MAX_MONEY = Decimal("999999999999.99")  # NUMERIC(14, 2), the bound contributions and the ledger document


@dataclass
class ProposalModel:
    id: uuid.UUID
    rows: dict[uuid.UUID, tuple[Decimal, Decimal, Decimal]]  # member -> (book, tax, cash)
    surplus: Decimal
    tax_surplus: Decimal
    approvers: set[uuid.UUID] = field(default_factory=set)
    stale: bool = False  # a contribution of the period was booked after it was proposed

    @property
    def approved(self) -> bool:
        return len(self.approvers) >= 2


@dataclass
class PeriodModel:
    id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    status: str = "open"
    # member -> type -> value, and member -> count of booked contributions
    values: dict[uuid.UUID, dict[str, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Decimal))
    )
    counts: dict[uuid.UUID, int] = field(default_factory=lambda: defaultdict(int))
    proposal: ProposalModel | None = None

    def weighted(self, weights: dict[str, Decimal]) -> dict[uuid.UUID, Decimal]:
        return {
            m: sum((v * weights[t] for t, v in by_type.items()), Decimal(0))
            for m, by_type in self.values.items()
        }


@dataclass
class DistributionModel:
    member_id: uuid.UUID
    amount: Decimal
    status: str = "scheduled"


@dataclass
class LedgerModel:
    members: dict[uuid.UUID, str] = field(default_factory=dict)  # id -> email
    periods: list[PeriodModel] = field(default_factory=list)
    capital: dict[uuid.UUID, list[Decimal]] = field(default_factory=lambda: defaultdict(lambda: [ZERO, ZERO]))
    booked: dict[uuid.UUID, BookContribution] = field(default_factory=dict)
    recorded: set[uuid.UUID] = field(default_factory=set)  # booked or set aside (waiting / exception)
    opening: dict[uuid.UUID, tuple[date, Decimal, Decimal]] = field(default_factory=dict)  # in force
    distributions: dict[uuid.UUID, DistributionModel] = field(default_factory=dict)
    posted: list[ProposalModel] = field(default_factory=list)

    @property
    def lock(self) -> date | None:
        """The end of the latest closed period (no K-1 year is issued here)."""
        return max((p.ends_on for p in self.periods if p.status == "closed"), default=None)

    def locked(self, day: date) -> bool:
        return self.lock is not None and day <= self.lock

    def period(self, period_id: uuid.UUID) -> PeriodModel | None:
        return next((p for p in self.periods if p.id == period_id), None)

    def credit(self, member_id: uuid.UUID, book: Decimal, tax: Decimal) -> None:
        balance = self.capital[member_id]
        balance[0] += book
        balance[1] += tax

    def book(self, command: BookContribution) -> str:
        """What book_contribution does with it: 'skipped', 'set_aside' or 'booked' (and the model follows)."""
        if command.contribution_id in self.recorded:
            return "skipped"
        self.recorded.add(command.contribution_id)
        period = self.period(command.period_id)
        if period is None or period.status == "closed" or self.locked(command.contributed_on):
            return "set_aside"
        self.booked[command.contribution_id] = command
        period.values[command.member_id][command.type] += command.value
        period.counts[command.member_id] += 1
        if period.proposal is not None:
            period.proposal.stale = True
        if command.type != "labor":
            self.credit(command.member_id, command.book_amount, command.tax_amount)
        return "booked"

    def seal_of(self, period: PeriodModel) -> dict[uuid.UUID, tuple[int, Decimal]]:
        """What the contributions service would seal: per member, approved count and value."""
        return {m: (n, sum(period.values[m].values(), ZERO)) for m, n in period.counts.items() if n}

    def opening_action(self, member_id: uuid.UUID, as_of: date, book: Decimal, tax: Decimal) -> str:
        current = self.opening.get(member_id)
        if current is None:
            return "unchanged" if book == ZERO and tax == ZERO else "created"
        return "unchanged" if current == (as_of, book, tax) else "updated"

    def opening_breach(self, member_id: uuid.UUID, as_of: date, action: str, today: date) -> bool:
        """Whether the import's business pass refuses the row (capital_imports: future, under the lock)."""
        if as_of > today:
            return True
        if action != "unchanged" and self.locked(as_of):
            return True
        current = self.opening.get(member_id)
        return action == "updated" and current is not None and self.locked(current[0])

    def replace_opening(self, member_id: uuid.UUID, as_of: date, book: Decimal, tax: Decimal) -> None:
        self.reverse_opening(member_id)
        if book != ZERO or tax != ZERO:
            self.opening[member_id] = (as_of, book, tax)
            self.credit(member_id, book, tax)

    def reverse_opening(self, member_id: uuid.UUID) -> None:
        current = self.opening.pop(member_id, None)
        if current is not None:
            self.credit(member_id, -current[1], -current[2])

    def post(self, period: PeriodModel) -> ProposalModel:
        proposal = period.proposal
        assert proposal is not None
        for member_id, (book, tax, _) in proposal.rows.items():
            self.credit(member_id, book, tax)
        period.status, period.proposal = "closed", None
        self.posted.append(proposal)
        return proposal

    def pay(self, distribution_id: uuid.UUID) -> None:
        distribution = self.distributions[distribution_id]
        distribution.status = "completed"
        self.credit(distribution.member_id, -distribution.amount, -distribution.amount)
