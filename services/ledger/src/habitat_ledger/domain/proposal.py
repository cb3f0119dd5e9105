"""The immutable calculation record of a period's allocation and its governance life cycle."""

from __future__ import annotations

import binascii
import hashlib
import json
import uuid
from collections.abc import Iterator
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
        return {
            "member_id": str(self.member_id),
            "weighted_patronage": plain(self.weighted_patronage),
            "share": f"{self.share}",
            "allocation": f"{self.allocation}",
            "cash_portion_amount": f"{self.cash_portion_amount}",
            "retained_amount": f"{self.retained_amount}",
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


def hash_parts(inputs: dict, rows: list[AllocationRow]) -> tuple[str, str]:
    """The canonical JSON document around its sorted contribution-id array: (before, after).

    The document is {"contribution_ids": [...sorted ids...], "inputs": ..., "rows": ...} with
    sorted keys and no spaces; the database fills the middle so a million ids never leave it.
    """
    rest = json.dumps({"inputs": inputs, "rows": [r.canonical() for r in rows]}, sort_keys=True, separators=(",", ":"))
    return '{"contribution_ids":', "," + rest[1:]


def content_hash(inputs: dict, contribution_ids: list[uuid.UUID], rows: list[AllocationRow]) -> str:
    """sha256 hex of the canonical JSON of inputs, sorted contribution ids and rows."""
    return content_hash_of_packed(inputs, pack_ids(contribution_ids), rows)


def pack_ids(ids: list[uuid.UUID]) -> bytes:
    """The ids sorted and packed 16 bytes each (byte order is the order of their hex strings)."""
    return b"".join(sorted(i.bytes for i in ids))


def content_hash_of_packed(inputs: dict, packed_ids: bytes, rows: list[AllocationRow]) -> str:
    """content_hash() of ids already sorted and packed 16 bytes each (see pack_ids)."""
    before, after = hash_parts(inputs, rows)
    digest = hashlib.sha256(before.encode())
    for part in id_list_json_parts(packed_ids):
        digest.update(part)
    digest.update(after.encode())
    return digest.hexdigest()


UUID_TEXT = b'"00000000-0000-0000-0000-000000000000",'  # one element of the JSON array, with its comma
HEX_AT = [1 + k + (k >= 8) + (k >= 12) + (k >= 16) + (k >= 20) for k in range(32)]  # hex digit k's offset
IDS_PER_PART = 4096  # ~160 KB of JSON a part: the strided copies stay in the CPU cache


def id_list_json(packed_ids: bytes) -> bytes:
    """["…","…"] of ids packed 16 bytes each, as lower-case hyphenated strings, in their order."""
    return b"".join(id_list_json_parts(packed_ids))


def id_list_json_parts(packed_ids: bytes, per_part: int = IDS_PER_PART) -> Iterator[bytes]:
    """id_list_json() in consecutive parts of at most per_part ids, to hash without building it whole.

    Each part is built by 32 strided copies (one per hex digit position) instead of str(uuid) calls.
    """
    count, rest = divmod(len(packed_ids), 16)
    if rest:
        raise ValueError("Packed ids are 16 bytes each.")
    if not count:
        yield b"[]"
        return
    yield b"["
    packed, width = memoryview(packed_ids), len(UUID_TEXT)
    for start in range(0, count, per_part):
        n = min(per_part, count - start)
        digits = binascii.hexlify(packed[16 * start : 16 * (start + n)])
        out = bytearray(UUID_TEXT * n)
        for k, at in enumerate(HEX_AT):
            out[at::width] = digits[k::32]
        if start + n == count:
            out[-1:] = b"]"
        yield bytes(out)


def rows_of(result: AllocationResult, cash_portion: Decimal) -> list[AllocationRow]:
    """Rows of a proposal: each member's allocation split into its cash and retained parts."""
    cash = split_cash({line.member_id: line.allocation for line in result.lines}, cash_portion)
    return [
        AllocationRow(
            line.member_id, line.weighted, line.share, line.allocation, cash[line.member_id],
            line.allocation - cash[line.member_id],
        )
        for line in result.lines
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
