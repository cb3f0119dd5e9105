"""The immutable calculation record of a period's allocation and its governance life cycle."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from habitat_ledger.domain.allocation import AllocationResult, Weights, plain, split_cash
from habitat_ledger.domain.errors import AllocationNotApproved, AllocationNotPending, InvalidAllocationInput


class AllocationStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    POSTED = "posted"


@dataclass(frozen=True)
class AllocationRow:
    member_id: uuid.UUID
    weighted_patronage: Decimal
    share: Decimal
    allocation: Decimal
    cash_portion_amount: Decimal
    retained_amount: Decimal

    def canonical(self) -> dict[str, str]:
        """The row as hashed, keys in sorted order (content_hash relies on it)."""
        return {  # str(), not an f-string: formatting a Decimal takes several times longer
            "allocation": str(self.allocation),
            "cash_portion_amount": str(self.cash_portion_amount),
            "member_id": str(self.member_id),
            "retained_amount": str(self.retained_amount),
            "share": str(self.share),
            "weighted_patronage": plain(self.weighted_patronage),
        }


@dataclass(frozen=True)
class Approval:
    by: uuid.UUID
    at: datetime


@dataclass(frozen=True)
class Rejection:
    by: uuid.UUID
    at: datetime
    reason: str


def canonical_inputs(surplus: Decimal, weights: Weights, cash_portion: Decimal) -> dict:
    return {
        "surplus": f"{surplus}",
        "weights": {t: plain(weights.of(t)) for t in ("labor", "capital", "property")},
        "cash_portion": plain(cash_portion),
    }


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
    """sha256 hex of the canonical JSON (sorted keys, no spaces) of contributions, inputs and rows."""
    # the document's keys in sorted order, each part encoded on its own; the rows' keys come sorted
    # already (AllocationRow.canonical), which spares sorting them for thousands of members
    document = (
        f'{{"contributions":{_canonical_json(snapshot.canonical(), sort_keys=True)}'
        f',"inputs":{_canonical_json(inputs, sort_keys=True)}'
        f',"rows":{_canonical_json([r.canonical() for r in rows])}}}'
    )
    return hashlib.sha256(document.encode()).hexdigest()


def _canonical_json(value: object, *, sort_keys: bool = False) -> str:
    return json.dumps(value, sort_keys=sort_keys, separators=(",", ":"))


def rows_of(result: AllocationResult, cash_portion: Decimal) -> list[AllocationRow]:
    """Rows of a proposal: each member's allocation split into its cash and retained parts."""
    # lines are in member id order, so ties between positions go to the smaller id, as by id
    cash = split_cash({index: line.allocation for index, line in enumerate(result.lines)}, cash_portion, tie_key=int)
    return [
        AllocationRow(
            line.member_id, line.weighted, line.share, line.allocation, cash[index], line.allocation - cash[index]
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

    @property
    def inputs(self) -> dict:
        return canonical_inputs(self.surplus, self.weights, self.cash_portion)

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
