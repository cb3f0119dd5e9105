"""A money move waiting for a second admin: completing a distribution, reversing a transaction or
importing opening balances (PRODUCT.md rule 12).

The parameters are frozen when the move is requested (their content hash is kept), so what the
approvers see is exactly what is executed. The request is its requester's approval; the move is
approved once enough distinct admins approved and at least one of them is not the requester, as
an allocation is (proposal.Allocation.approve). A co-op with a single admin may run with one
required approval; such a move executes at once and is marked single_admin, so the audit shows it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from habitat_ledger.domain.close.proposal import Approval, Rejection
from habitat_ledger.domain.errors import InvalidAllocationInput, MoneyMoveNotPending


class MoneyMoveKind(StrEnum):
    COMPLETE_DISTRIBUTION = "complete_distribution"
    REVERSE_TRANSACTION = "reverse_transaction"
    IMPORT_OPENING_BALANCES = "import_opening_balances"


class MoneyMoveStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"  # enough approvals; executed in the same transaction
    EXECUTED = "executed"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ApprovalPolicy:
    """How many distinct admins approve a money move; one only in a co-op set up as single-admin."""

    required: int = 2
    single_admin_coop: bool = False

    def __post_init__(self) -> None:
        if self.required < 1 or (self.required == 1 and not self.single_admin_coop):
            raise ValueError("One approval is allowed only in a co-op set up as single-admin.")


def parameters_hash(kind: MoneyMoveKind, target_id: uuid.UUID | None, parameters: dict) -> str:
    """sha256 hex of the canonical JSON (sorted keys, no spaces) of what the move does."""
    document = {"kind": str(kind), "target_id": str(target_id) if target_id else None, "parameters": parameters}
    return hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass(eq=False)
class MoneyMove:
    """What was requested stays as requested; only approvals and the status move on."""

    id: uuid.UUID
    kind: MoneyMoveKind
    target_id: uuid.UUID | None  # the distribution or transaction; None for an import
    parameters: dict  # JSON-ready: strings, numbers, None
    content_hash: str
    requested_by: uuid.UUID
    requested_at: datetime
    approvals_required: int
    single_admin: bool = False
    status: MoneyMoveStatus = MoneyMoveStatus.REQUESTED
    approvals: list[Approval] = field(default_factory=list)
    rejection: Rejection | None = None
    executed_at: datetime | None = None
    result_id: uuid.UUID | None = None  # the distribution paid, the reversing transaction, the import

    @classmethod
    def request(
        cls,
        *,
        kind: MoneyMoveKind,
        target_id: uuid.UUID | None,
        parameters: dict,
        by: uuid.UUID,
        at: datetime,
        policy: ApprovalPolicy,
    ) -> MoneyMove:
        """A new request, approved by its requester; approved outright only where one admin is enough."""
        move = cls(
            uuid.uuid4(), kind, target_id, parameters, parameters_hash(kind, target_id, parameters), by, at,
            policy.required, single_admin=policy.required == 1,
        )
        move.approve(by, at)
        return move

    @property
    def is_approved(self) -> bool:
        return self.status == MoneyMoveStatus.APPROVED

    def approve(self, by: uuid.UUID, at: datetime) -> Approval | None:
        """Record a distinct approval; None when this admin already approved (nothing changes)."""
        if self.status != MoneyMoveStatus.REQUESTED:
            raise MoneyMoveNotPending(f"This money move is {self.status}; it cannot be approved.")
        if any(a.by == by for a in self.approvals):
            return None
        approval = Approval(by, at)
        self.approvals.append(approval)
        enough = len(self.approvals) >= self.approvals_required
        independent = self.single_admin or any(a.by != self.requested_by for a in self.approvals)
        if enough and independent:
            self.status = MoneyMoveStatus.APPROVED
        return approval

    def reject(self, by: uuid.UUID, at: datetime, reason: str) -> None:
        if self.status != MoneyMoveStatus.REQUESTED:
            raise MoneyMoveNotPending(f"This money move is {self.status}; it cannot be rejected.")
        if not reason.strip():
            raise InvalidAllocationInput("A rejection needs a reason.")
        self.status = MoneyMoveStatus.REJECTED
        self.rejection = Rejection(by, at, reason.strip())

    def mark_executed(self, at: datetime, result_id: uuid.UUID | None) -> None:
        if self.status != MoneyMoveStatus.APPROVED:
            raise MoneyMoveNotPending(f"This money move is {self.status}; only an approved one is executed.")
        self.status = MoneyMoveStatus.EXECUTED
        self.executed_at, self.result_id = at, result_id
