"""The ledger API's bodies for money moved only with a second admin's approval: the money moves themselves and the
import of opening balances (a file that changes balances waits as one)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from habitat_common.api.ledger import Answer, Distribution, Money, Transaction

# money moves waiting for a second admin


class MoneyMoveApproval(Answer):
    by: uuid.UUID
    at: datetime


class MoneyMoveRejection(MoneyMoveApproval):
    reason: str


class MoneyMove(Answer):
    """Money moved only with a second admin's approval (completing a distribution with any overdraw
    override, reversing a transaction, importing opening balances): the request, its parameters
    frozen, who approved, and what it did once executed."""

    id: uuid.UUID
    kind: Literal["complete_distribution", "reverse_transaction", "import_opening_balances"]
    status: Literal["requested", "approved", "executed", "rejected"] = Field(
        description="requested: waits for a second admin; executed once approved; rejected: nothing moved"
    )
    target_id: uuid.UUID | None = Field(description="The distribution or transaction; null for an import")
    parameters: dict[str, Any] = Field(
        description="As requested (money as decimal strings): complete_distribution {member_id, amount, reference,"
        " paid_on, method, override_reason}; reverse_transaction {reason, occurred_on}; import_opening_balances"
        " {rows, created, updated, unchanged, book_total, tax_total, columns, rows_sha256}"
    )
    content_hash: str = Field(description="sha256 of kind, target and parameters")
    requested_by: uuid.UUID
    requested_at: datetime
    approvals_required: int
    approvals: list[MoneyMoveApproval] = Field(description="The request counts as its requester's approval")
    single_admin: bool = Field(description="Went through on one admin (a co-op set up as single-admin)")
    rejection: MoneyMoveRejection | None
    executed_at: datetime | None
    result_id: uuid.UUID | None = Field(description="The distribution paid, the reversing transaction or the import")
    distribution: Distribution | None = Field(default=None, description="complete_distribution: as it stands")
    reversal: Transaction | None = Field(default=None, description="reverse_transaction: once executed")


class MoneyMoveList(Answer):
    items: list[MoneyMove]


# the import of opening balances


class CapitalAccountsImportSummary(Answer):
    rows: int = Field(description="Data lines in the file")
    created: int = Field(description="Members whose opening balance is new")
    updated: int = Field(description="Members whose earlier opening balance was reversed and replaced")
    unchanged: int = Field(description="Members whose opening balance was already exactly this")
    book_total: Money = Field(description="Sum of book balances in the file")
    tax_total: Money = Field(description="Sum of tax balances in the file")


class OpeningBalanceRow(Answer):
    """A row of the file as it would be / was booked."""

    line: int
    member_email: str
    member_id: uuid.UUID
    book_balance: Money
    tax_balance: Money
    as_of: date
    note: str | None
    action: Literal["created", "updated", "unchanged"]


class CapitalAccountsImportReport(Answer):
    """What the import did, or on a dry run would do; import_id is null when nothing was written (yet)."""

    dry_run: bool
    import_id: uuid.UUID | None = Field(
        description="The import run; null when nothing was written (a dry run, or a file waiting for approval)"
    )
    summary: CapitalAccountsImportSummary
    sample: list[OpeningBalanceRow] = Field(description="Up to 10 rows as they would be / were booked")
    money_move: MoneyMove | None = Field(
        default=None,
        description="A file that changes balances waits for a second admin (202; GET/POST /money-moves/{id}):"
        " the money move (import_opening_balances); executed at once in a single-admin co-op",
    )
