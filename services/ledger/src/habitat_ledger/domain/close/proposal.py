"""The immutable calculation record of a period's allocation and its governance life cycle."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from habitat_ledger.domain.close.allocation import AllocationResult, Weights, plain, split_cash
from habitat_ledger.domain.errors import (
    AllocationNotApproved,
    AllocationNotPending,
    InvalidAllocationInput,
    LossHasNoCashPortion,
)


class AllocationStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    POSTED = "posted"


@dataclass(frozen=True)
class AllocationRow:
    """A member's row: allocation is of the book result, tax_allocation of the tax result (default:
    the book allocation); the cash and retained parts split the book allocation."""

    member_id: uuid.UUID
    weighted_patronage: Decimal
    share: Decimal
    allocation: Decimal
    cash_portion_amount: Decimal
    retained_amount: Decimal
    tax_allocation: Decimal = None  # type: ignore[assignment] - None means equal to allocation

    def __post_init__(self) -> None:
        if self.tax_allocation is None:
            object.__setattr__(self, "tax_allocation", self.allocation)

    def canonical(self, *, with_tax: bool = False) -> dict[str, str]:
        """The row as hashed, keys in sorted order (content_hash relies on it). The tax allocation is
        part of it only in records whose tax result differs from the book result, so records made
        before results could differ hash as they always did."""
        row = {  # str(), not an f-string: formatting a Decimal takes several times longer
            "allocation": str(self.allocation),
            "cash_portion_amount": str(self.cash_portion_amount),
            "member_id": str(self.member_id),
            "retained_amount": str(self.retained_amount),
            "share": str(self.share),
        }
        if with_tax:
            row["tax_allocation"] = str(self.tax_allocation)
        row["weighted_patronage"] = plain(self.weighted_patronage)
        return row


@dataclass(frozen=True)
class Approval:
    by: uuid.UUID
    at: datetime


@dataclass(frozen=True)
class Rejection:
    by: uuid.UUID
    at: datetime
    reason: str


def canonical_inputs(
    surplus: Decimal, weights: Weights, cash_portion: Decimal, tax_surplus: Decimal | None = None
) -> dict:
    """The inputs as hashed; tax_surplus only when the tax result differs from the book result."""
    inputs = {
        "surplus": f"{surplus}",
        "weights": {t: plain(weights.of(t)) for t in ("labor", "capital", "property")},
        "cash_portion": plain(cash_portion),
    }
    if tax_surplus is not None and tax_surplus != surplus:
        inputs["tax_surplus"] = f"{tax_surplus}"
    return inputs


def check_cash_portion(surplus: Decimal, cash_portion: Decimal) -> None:
    """A loss carries no cash portion (PRODUCT.md rule 9): there is nothing to pay out."""
    if surplus < 0 and cash_portion != 0:
        raise LossHasNoCashPortion(
            f"A loss of {-surplus} is allocated to capital only; its cash portion must be 0, not {plain(cash_portion)}%."
        )


@dataclass(frozen=True)
class ContributionGroup:
    """The approved contributions of one member and type behind a calculation record."""

    member_id: uuid.UUID
    type: str
    count: int
    value: Decimal
    id_digest: int  # sum of the ids' 64-bit hashes: order-free, so it is kept as rows are added

    def line(self) -> str:
        """The group as hashed: tab-separated, newline-terminated."""
        return f"{self.member_id}\t{self.type}\t{self.count}\t{self.value}\t{self.id_digest}\n"


def groups_sha256(groups: list[ContributionGroup]) -> str:
    """sha256 hex of the groups' lines concatenated in member id (string) then type order."""
    # UUIDs order by their integer, which is the order of their hex strings
    ordered = sorted(groups, key=lambda g: (g.member_id, g.type))
    return hashlib.sha256("".join(g.line() for g in ordered).encode()).hexdigest()


@dataclass(frozen=True)
class PatronageSnapshot:
    """A period's patronage as a proposal saw it: every row numbered up to through_seq.

    Patronage rows are append-only and numbered, so "the period's rows with seq <= through_seq"
    names exactly the contributions behind the record, now and later; groups_sha256 fingerprints
    them (see groups_sha256()) without a million ids leaving the database. values holds what
    allocate_by_member() weighs: the value per member and type.
    """

    through_seq: int | None
    contribution_count: int
    values: dict[uuid.UUID, dict[str, Decimal]]
    groups_sha256: str

    def canonical(self) -> dict:
        return {"through_seq": self.through_seq, "groups_sha256": self.groups_sha256}


def content_hash(inputs: dict, snapshot: PatronageSnapshot, rows: list[AllocationRow]) -> str:
    """sha256 hex of the canonical JSON (sorted keys, no spaces) of contributions, inputs and rows.

    When the inputs name a tax result (it differs from the book result), each row carries its tax
    allocation too (AllocationRow.canonical(with_tax=True)).
    """
    # the document's keys in sorted order, each part encoded on its own; the rows' keys come sorted
    # already (AllocationRow.canonical), which spares sorting them for thousands of members
    with_tax = "tax_surplus" in inputs
    document = (
        f'{{"contributions":{_canonical_json(snapshot.canonical(), sort_keys=True)}'
        f',"inputs":{_canonical_json(inputs, sort_keys=True)}'
        f',"rows":{_canonical_json([r.canonical(with_tax=with_tax) for r in rows])}}}'
    )
    return hashlib.sha256(document.encode()).hexdigest()


def _canonical_json(value: object, *, sort_keys: bool = False) -> str:
    return json.dumps(value, sort_keys=sort_keys, separators=(",", ":"))


def rows_of(result: AllocationResult, cash_portion: Decimal) -> list[AllocationRow]:
    """Rows of a proposal: each member's book allocation split into its cash and retained parts,
    and their tax allocation. A loss has no cash portion (LossHasNoCashPortion)."""
    check_cash_portion(result.surplus, cash_portion)
    # lines are in member id order, so ties between positions go to the smaller id, as by id
    cash = split_cash({index: line.allocation for index, line in enumerate(result.lines)}, cash_portion, tie_key=int)
    return [
        AllocationRow(
            line.member_id, line.weighted, line.share, line.allocation, cash[index], line.allocation - cash[index],
            line.tax_allocation,
        )
        for index, line in enumerate(result.lines)
    ]


@dataclass(eq=False)
class Allocation:
    """What was calculated stays as calculated; only its governance status moves on."""

    id: uuid.UUID
    period_id: uuid.UUID
    status: AllocationStatus
    surplus: Decimal
    weights: Weights
    cash_portion: Decimal
    rows: list[AllocationRow]
    contribution_count: int
    content_hash: str
    proposed_by: uuid.UUID
    proposed_at: datetime
    approvals_required: int
    patronage_through_seq: int | None = None  # None on records that copied their contribution ids
    approvals: list[Approval] = field(default_factory=list)
    rejection: Rejection | None = None
    posted_at: datetime | None = None
    tax_surplus: Decimal = None  # type: ignore[assignment] - the tax result; None means equal to surplus

    def __post_init__(self) -> None:
        if self.tax_surplus is None:
            self.tax_surplus = self.surplus

    @property
    def inputs(self) -> dict:
        return canonical_inputs(self.surplus, self.weights, self.cash_portion, self.tax_surplus)

    def approve(self, by: uuid.UUID, at: datetime) -> Approval | None:
        """Record a distinct approval; None when this approver already approved (nothing changes).

        Approved once enough distinct admins approved and at least one of them is not the proposer.
        """
        if self.status not in (AllocationStatus.PROPOSED, AllocationStatus.APPROVED):
            raise AllocationNotPending(f"This allocation is {self.status}; it cannot be approved.")
        if any(a.by == by for a in self.approvals):
            return None
        approval = Approval(by, at)
        self.approvals.append(approval)
        enough = len(self.approvals) >= self.approvals_required
        independent = any(a.by != self.proposed_by for a in self.approvals)
        if self.status == AllocationStatus.PROPOSED and enough and independent:
            self.status = AllocationStatus.APPROVED
        return approval

    def reject(self, by: uuid.UUID, at: datetime, reason: str) -> None:
        if self.status not in (AllocationStatus.PROPOSED, AllocationStatus.APPROVED):
            raise AllocationNotPending(f"This allocation is {self.status}; it cannot be rejected.")
        if not reason.strip():
            raise InvalidAllocationInput("A rejection needs a reason.")
        self.status = AllocationStatus.REJECTED
        self.rejection = Rejection(by, at, reason.strip())

    def mark_posted(self, at: datetime) -> None:
        if self.status != AllocationStatus.APPROVED:
            raise AllocationNotApproved(f"This allocation is {self.status}; only an approved one is posted.")
        self.status = AllocationStatus.POSTED
        self.posted_at = at

    def row_of(self, member_id: uuid.UUID) -> AllocationRow | None:
        return next((row for row in self.rows if row.member_id == member_id), None)

    def only_row_of(self, member_id: uuid.UUID) -> Allocation:
        """A copy showing one member's row only (what a member may see)."""
        return replace(self, rows=[r for r in self.rows if r.member_id == member_id], approvals=list(self.approvals))
