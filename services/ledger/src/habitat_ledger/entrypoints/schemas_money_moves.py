"""Bodies of money moves waiting for a second admin; money travels as "500.00"."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from habitat_ledger.entrypoints.schemas import ApprovalOut, RejectionOut
from habitat_ledger.entrypoints.schemas_money import DistributionOut, TransactionOut


class MoneyMoveOut(BaseModel):
    """A request to move money: its frozen parameters, who approved, and what it did once executed."""

    id: uuid.UUID
    kind: Literal["complete_distribution", "reverse_transaction", "import_opening_balances"]
    status: Literal["requested", "approved", "executed", "rejected"]
    target_id: uuid.UUID | None = Field(description="The distribution or transaction; null for an import")
    parameters: dict[str, Any] = Field(
        description="As requested: complete_distribution {member_id, amount, reference, paid_on, method,"
        " override_reason}; reverse_transaction {reason, occurred_on}; import_opening_balances {rows, created,"
        " updated, unchanged, book_total, tax_total, columns, rows_sha256}"
    )
    content_hash: str = Field(description="sha256 of kind, target and parameters")
    requested_by: uuid.UUID
    requested_at: datetime
    approvals_required: int
    approvals: list[ApprovalOut] = Field(description="The request is its requester's approval")
    single_admin: bool = Field(description="Went through on one admin (LEDGER_SINGLE_ADMIN_COOP)")
    rejection: RejectionOut | None
    executed_at: datetime | None
    result_id: uuid.UUID | None = Field(description="The distribution paid, the reversing transaction or the import")
    distribution: DistributionOut | None = Field(default=None, description="complete_distribution: as it stands")
    reversal: TransactionOut | None = Field(default=None, description="reverse_transaction: once executed")


class MoneyMoveList(BaseModel):
    items: list[MoneyMoveOut]
