"""Completions of different distributions of one member, executed at once, never overdraw the capital
account between them (found by the fault suite, recipe 8: seven of fifty went through a five-share balance)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from decimal import Decimal

import pytest
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import temporary_database
from ledger_api import ADMIN, ADMIN2
from ledger_builders import approved, envelope
from ledger_db import alembic
from sqlalchemy import text

from habitat_ledger.bootstrap import build
from habitat_ledger.config import LedgerSettings
from habitat_ledger.domain.commands import CompleteDistribution, OpenPeriod, ScheduleDistribution
from habitat_ledger.domain.errors import WouldOverdrawCapital
from habitat_ledger.domain.money_move import ApprovalPolicy
from habitat_ledger.entrypoints.consumers import contribution_approved_handler
from habitat_ledger.service_layer.distributions import schedule_distribution
from habitat_ledger.service_layer.money_moves import approve_move, request_completion
from habitat_ledger.service_layer.periods import open_period

pytestmark = pytest.mark.integration
AT_ONCE = 8


@pytest.fixture(scope="module")
def committing_url():
    with temporary_database("ledger_completions") as url:
        alembic(url, ("upgrade", "head"))
        yield url


async def test_concurrent_completions_of_one_member_never_overdraw(committing_url):
    ledger = build(LedgerSettings(database=DatabaseSettings(url=committing_url)))
    try:
        member = uuid.uuid4()
        period = await open_period(OpenPeriod("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), ADMIN), ledger.uow())
        booked = approved(book="100.00", tax="100.00", member_id=member, period_id=period.id)
        await contribution_approved_handler(ledger.uow)(envelope(booked))
        moves = []
        for _ in range(AT_ONCE):  # each 40.00: the balance covers two
            scheduled = await schedule_distribution(
                ScheduleDistribution(member, Decimal("40.00"), "ach", date(2026, 4, 1), ADMIN), ledger.uow()
            )
            command = CompleteDistribution(scheduled.id, "ACH-1", date(2026, 4, 2), None, ADMIN)
            moves.append(await request_completion(command, ledger.uow(), policy=ApprovalPolicy()))
        results = await asyncio.gather(
            *(approve_move(move.id, ADMIN2, ledger.uow()) for move in moves), return_exceptions=True
        )
        assert sum(not isinstance(r, Exception) for r in results) == 2
        assert all(isinstance(r, WouldOverdrawCapital) for r in results if isinstance(r, Exception)), results
        async with ledger.engine.connect() as conn:
            balance = text(
                "SELECT coalesce(sum(p.amount), 0) FROM ledger.posting p JOIN ledger.account a ON a.id = p.account_id"
                " WHERE a.member_id = :m AND a.kind = 'member_capital' AND p.basis = 'book'"
            )
            assert abs(await conn.scalar(balance, {"m": member})) == Decimal("20.00")
    finally:
        await ledger.engine.dispose()
