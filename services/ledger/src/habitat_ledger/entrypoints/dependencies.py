"""FastAPI dependencies: the caller, by role, a fresh unit of work per request and the hot reads."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from habitat_common.auth import Principal, TokenVerifier
from habitat_common.web.security import principal_dependency

from habitat_ledger.domain.distributions.money_move import ApprovalPolicy
from habitat_ledger.entrypoints.unit_of_work import LedgerUnitOfWork
from habitat_ledger.service_layer.exports.ports import CapitalStatementReads


def verifier_of(request: Request) -> TokenVerifier:
    return request.app.state.verifier


async def unit_of_work(request: Request) -> LedgerUnitOfWork:
    # async on purpose: FastAPI runs plain-def dependencies in a thread pool, per request
    return request.app.state.ledger.uow()


async def statement_reads(request: Request) -> CapitalStatementReads:
    return request.app.state.ledger.statement_reads


Member = Annotated[Principal, Depends(principal_dependency(verifier_of, "member"))]
admin_principal = principal_dependency(verifier_of, "admin")
Admin = Annotated[Principal, Depends(admin_principal)]
Uow = Annotated[LedgerUnitOfWork, Depends(unit_of_work)]
StatementReads = Annotated[CapitalStatementReads, Depends(statement_reads)]
Steward = Annotated[Principal, Depends(principal_dependency(verifier_of, "steward"))]


async def approvals_required(request: Request) -> int:
    return request.app.state.ledger.settings.allocation_approvals_required


ApprovalsRequired = Annotated[int, Depends(approvals_required)]


async def money_move_policy(request: Request) -> ApprovalPolicy:
    settings = request.app.state.ledger.settings
    return ApprovalPolicy(settings.money_move_approvals_required, settings.single_admin_coop)


MoneyMovePolicy = Annotated[ApprovalPolicy, Depends(money_move_policy)]


async def coop_today(request: Request) -> date:
    return request.app.state.ledger.today()


Today = Annotated[date, Depends(coop_today)]
