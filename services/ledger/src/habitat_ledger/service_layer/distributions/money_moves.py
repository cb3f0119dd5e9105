"""Money moves that need a second admin (PRODUCT.md rule 12): requested, approved, executed once.

Completing a distribution (with any overdraw override), reversing a transaction and importing
opening balances are requested here with their parameters frozen; the approval that makes them
approved executes them in the same transaction, re-checking everything (lock date, overdraw, not
reversed or paid already). The move's row is locked while it is approved, so concurrent approvals
execute it once.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable
from datetime import UTC, date, datetime

from habitat_ledger.domain.commands import CompleteDistribution
from habitat_ledger.domain.distributions.money_move import (
    ApprovalPolicy,
    MoneyMove,
    MoneyMoveKind,
    MoneyMoveStatus,
    parameters_hash,
)
from habitat_ledger.domain.errors import MoneyMoveNotFound, MoneyMovePending
from habitat_ledger.service_layer.distributions.distributions import (
    completion_checks,
    pay_distribution,
    refuse_own,
    require_distribution,
)
from habitat_ledger.service_layer.distributions.ports import DistributionsUnitOfWork
from habitat_ledger.service_layer.journal import capital_imports
from habitat_ledger.service_layer.journal.capital_imports import CapitalImportReport
from habitat_ledger.service_layer.journal.reversals import record_reversal, reversal_checks


async def request_completion(
    command: CompleteDistribution,
    uow: DistributionsUnitOfWork,
    *,
    policy: ApprovalPolicy,
    method: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> MoneyMove:
    """Ask for a distribution to be marked paid; checked now (not to oneself, scheduled, after the
    lock date, would_overdraw_capital without an override) and again when executed."""
    now = now or datetime.now(UTC)
    async with uow:
        distribution, paid_on, method = await completion_checks(command, uow, method=method, today=today or now.date())
        parameters = {
            "member_id": str(distribution.member_id),
            "amount": str(distribution.amount),
            "reference": command.reference.strip(),
            "paid_on": paid_on.isoformat(),
            "method": method,
            "override_reason": (command.override_reason or "").strip() or None,
        }
        move = await _request(uow, MoneyMoveKind.COMPLETE_DISTRIBUTION, distribution.id, parameters, command.requested_by,
                              policy=policy, today=today, now=now)
        await uow.commit()
    return move


async def request_reversal(
    transaction_id: uuid.UUID,
    reason: str,
    requested_by: uuid.UUID,
    uow: DistributionsUnitOfWork,
    *,
    policy: ApprovalPolicy,
    occurred_on: date | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> MoneyMove:
    """Ask for a transaction to be reversed, dated occurred_on (default today, the co-op's); checked
    now and again when executed (directly reversible, not reversed yet, after the lock date)."""
    now = now or datetime.now(UTC)
    day = occurred_on or today or now.date()
    async with uow:
        await reversal_checks(transaction_id, reason, day, uow)
        parameters = {"reason": reason.strip(), "occurred_on": day.isoformat()}
        move = await _request(uow, MoneyMoveKind.REVERSE_TRANSACTION, transaction_id, parameters, requested_by,
                              policy=policy, today=today, now=now)
        await uow.commit()
    return move


async def request_capital_import(
    chunks: AsyncIterable[bytes],
    uow: DistributionsUnitOfWork,
    *,
    dry_run: bool,
    requested_by: uuid.UUID,
    policy: ApprovalPolicy,
    today: date | None = None,
    now: datetime | None = None,
) -> tuple[CapitalImportReport, MoneyMove | None]:
    """Check a capital accounts CSV in passes (InvalidCsv lists a pass's problems) and, unless a dry
    run or a file that changes nothing, keep its valid rows with a request to import them.

    The approval imports exactly the kept rows, planned and checked afresh at that moment.
    """
    now = now or datetime.now(UTC)
    async with uow:
        report = await capital_imports.check_upload(chunks, uow, dry_run=dry_run, today=today or now.date())
        summary = report.summary
        if dry_run or not summary.created + summary.updated:
            return report, None
        parameters = {
            "rows": summary.rows, "created": summary.created, "updated": summary.updated,
            "unchanged": summary.unchanged, "book_total": str(summary.book_total), "tax_total": str(summary.tax_total),
            "columns": report.columns, "rows_sha256": await uow.capital_imports.staged_sha256(),
        }
        move = MoneyMove.request(kind=MoneyMoveKind.IMPORT_OPENING_BALANCES, target_id=None, parameters=parameters,
                                 by=requested_by, at=now, policy=policy)
        await _add(move, uow)
        await uow.capital_imports.keep(move.id)
        if move.is_approved:  # one admin is enough here: the plan staged a moment ago is the one to write
            report = await capital_imports.write_planned(uow, report, by=requested_by, now=now)
            await _mark_executed(move, report.import_id, uow, now)
        await uow.commit()
    return report, move


async def approve_move(
    move_id: uuid.UUID, by: uuid.UUID, uow: DistributionsUnitOfWork, *, today: date | None = None, now: datetime | None = None
) -> MoneyMove:
    """Approve as one more distinct admin (the requester alone is never enough; nobody approves a
    payment to themselves); the approval that completes the count executes the move. Approving
    twice changes nothing."""
    now = now or datetime.now(UTC)
    async with uow:
        move = await require_move(move_id, uow, for_update=True)
        if move.status == MoneyMoveStatus.EXECUTED and any(a.by == by for a in move.approvals):
            return move
        if move.kind == MoneyMoveKind.COMPLETE_DISTRIBUTION and move.target_id is not None:
            refuse_own((await require_distribution(move.target_id, uow)).member_id, by)
        approval = move.approve(by, now)
        if approval is None:
            return move
        await uow.money_moves.add_approval(move, approval)
        if move.is_approved:
            await _execute(move, uow, today=today or now.date(), now=now)
        await uow.commit()
    return move


async def reject_move(
    move_id: uuid.UUID, by: uuid.UUID, reason: str, uow: DistributionsUnitOfWork, *, now: datetime | None = None
) -> MoneyMove:
    """Turn a requested move down with a reason (its requester may withdraw it so); nothing moves."""
    async with uow:
        move = await require_move(move_id, uow, for_update=True)
        move.reject(by, now or datetime.now(UTC), reason)
        await uow.money_moves.update_status(move)
        await uow.commit()
    return move


async def list_moves(uow: DistributionsUnitOfWork, status: str | None) -> list[MoneyMove]:
    """Money moves, newest first, optionally in one status."""
    async with uow:
        return await uow.money_moves.list(status)


async def get_move(move_id: uuid.UUID, uow: DistributionsUnitOfWork) -> MoneyMove:
    async with uow:
        return await require_move(move_id, uow)


async def require_move(move_id: uuid.UUID, uow: DistributionsUnitOfWork, *, for_update: bool = False) -> MoneyMove:
    move = await uow.money_moves.get(move_id, for_update=for_update)
    if move is None:
        raise MoneyMoveNotFound("No such money move.")
    return move


async def _request(
    uow: DistributionsUnitOfWork, kind: MoneyMoveKind, target_id: uuid.UUID, parameters: dict, by: uuid.UUID, *,
    policy: ApprovalPolicy, today: date | None, now: datetime,
) -> MoneyMove:
    """The same request again answers the one waiting; a different one waits for that to be decided."""
    waiting = await uow.money_moves.open_for(kind, target_id)
    if waiting is not None:
        if waiting.content_hash == parameters_hash(kind, target_id, parameters):
            return waiting
        raise MoneyMovePending(f"Money move {waiting.id} on this waits for approval; approve or reject it first.")
    move = MoneyMove.request(kind=kind, target_id=target_id, parameters=parameters, by=by, at=now, policy=policy)
    await _add(move, uow)
    if move.is_approved:
        await _execute(move, uow, today=today or now.date(), now=now)
    return move


async def _add(move: MoneyMove, uow: DistributionsUnitOfWork) -> None:
    await uow.money_moves.add(move)
    for approval in move.approvals:
        await uow.money_moves.add_approval(move, approval)


async def _execute(move: MoneyMove, uow: DistributionsUnitOfWork, *, today: date, now: datetime) -> None:
    p = move.parameters
    match move.kind:
        case MoneyMoveKind.COMPLETE_DISTRIBUTION:
            command = CompleteDistribution(
                move.target_id, p["reference"], date.fromisoformat(p["paid_on"]), p["override_reason"], move.requested_by
            )
            result_id = (await pay_distribution(command, uow, now=now, method=p["method"])).id
        case MoneyMoveKind.REVERSE_TRANSACTION:
            day = date.fromisoformat(p["occurred_on"])
            result_id = (await record_reversal(move.target_id, p["reason"], move.requested_by, uow, day=day, now=now)).id
        case MoneyMoveKind.IMPORT_OPENING_BALANCES:
            report = await capital_imports.check_kept(move.id, p["columns"], uow, today=today)
            result_id = (await capital_imports.write_planned(uow, report, by=move.requested_by, now=now)).import_id
    await _mark_executed(move, result_id, uow, now)


async def _mark_executed(move: MoneyMove, result_id: uuid.UUID | None, uow: DistributionsUnitOfWork, now: datetime) -> None:
    move.mark_executed(now, result_id)
    await uow.money_moves.update_status(move)
