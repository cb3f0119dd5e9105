"""Invariants under random operations (issue 14): a hypothesis state machine drives the ledger's service
layer and consumers on a real database — bookings, corrections, replays, imports, closes, allocations,
distributions — and after every step checks what must always hold: every transaction balances per
basis, capital is the sum of its postings and what the test's own model expects, posted allocations
sum to their result, nothing lands under a close, the journal only grows, and a replay changes nothing.

One temporary database per run, migrated once; each example starts from empty tables (the fixture
truncates them, with the append-only triggers off for that one transaction). HABITAT_STATEFUL_EXAMPLES
and HABITAT_STATEFUL_STEPS raise the budget for nightly runs (`make chaos`).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from habitat_common.contracts import (
    ContributionApprovedV1,
    ContributionsImportedV1,
    Envelope,
    MemberRegisteredV1,
    PeriodSealedV1,
)
from habitat_common.contracts.contributions import ImportedContribution, SealedMemberTotal
from habitat_common.read_pool import ReadPool
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import temporary_database
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from habitat_ledger.adapters.statement_reads import PooledStatementReads
from habitat_ledger.adapters.translators import to_book_contribution, to_book_contributions
from habitat_ledger.adapters.uow import SqlAlchemyUnitOfWork
from habitat_ledger.domain import errors
from habitat_ledger.domain.commands import (
    CompleteDistribution,
    OpenPeriod,
    ProposeAllocation,
    ScheduleDistribution,
)
from habitat_ledger.domain.distributions.money_move import ApprovalPolicy
from habitat_ledger.entrypoints.consumers import (
    MEMBER_REGISTERED,
    contribution_approved_handler,
    contributions_imported_handler,
    member_handler,
    period_sealed_handler,
)
from habitat_ledger.service_layer.close import allocations, closing, periods
from habitat_ledger.service_layer.close.posting import post_allocation
from habitat_ledger.service_layer.distributions import distributions, money_moves
from habitat_ledger.service_layer.exports.statements import capital_statement
from habitat_ledger.service_layer.journal.capital import get_capital_account
from tests.ledger_db import alembic
from tests.ledger_state_model import (
    MAX_MONEY,
    ZERO,
    DistributionModel,
    LedgerModel,
    PeriodModel,
    ProposalModel,
)
from tests.ledger_state_probe import (
    allocations_off,
    capital_sums,
    fingerprint,
    opening_transactions,
    orphan_postings,
    posted_without_entry,
    row_hashes,
    unbalanced,
    under_a_close,
    workflow_transactions,
)

EXAMPLES = int(os.environ.get("HABITAT_STATEFUL_EXAMPLES", "25"))
STEPS = int(os.environ.get("HABITAT_STATEFUL_STEPS", "30"))
# explain traces every line while shrinking, which makes a database-bound machine crawl
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target) + (
    () if os.environ.get("HABITAT_STATEFUL_NO_SHRINK") else (Phase.shrink,)
)

TODAY = date(2027, 6, 30)  # the co-op's today, passed to every use case that asks
ADMIN, SECOND_ADMIN, THIRD_ADMIN = (uuid.UUID(int=n) for n in (1, 2, 3))
POLICY = ApprovalPolicy(required=2)

CENTS = st.decimals(min_value=0, max_value=Decimal(100000), places=2)
# every amount up to the documented bound, so sums of them pass it (test_totals_beyond_one_amount.py)
AMOUNTS = st.one_of(CENTS, st.sampled_from([ZERO, Decimal("0.01"), MAX_MONEY]))
SIGNED = st.one_of(AMOUNTS, AMOUNTS.map(lambda amount: ZERO - amount))
RESULTS = st.tuples(st.booleans(), AMOUNTS).map(
    lambda loss_and_amount: ZERO - loss_and_amount[1] if loss_and_amount[0] else loss_and_amount[1]
)
WEIGHTS = st.sampled_from([Decimal(1), Decimal("0.5"), Decimal(0), Decimal("1.0001"), Decimal(1000)])
CASH_PORTIONS = st.sampled_from([Decimal(0), Decimal(20), Decimal("33.33"), Decimal(100)])


def _quarter_end(year: int, quarter: int) -> date:
    first_of_next = date(year + quarter // 4, quarter % 4 * 3 + 1, 1)
    return first_of_next - timedelta(days=1)


QUARTERS = [
    (f"{year}-Q{q}", date(year, 3 * q - 2, 1), _quarter_end(year, q))
    for year in (2025, 2026, 2027)
    for q in (1, 2, 3, 4)
][:9]


def wrap(contract, producer: str) -> Envelope:
    """An envelope as the consumer receives it off the wire."""
    wrapped = Envelope.wrap(contract, producer=producer)
    return Envelope[type(contract)].model_validate_json(wrapped.model_dump_json())


def redelivered(envelope: Envelope, new_id: bool) -> Envelope:
    return envelope.model_copy(update={"event_id": uuid.uuid4()}) if new_id else envelope


class Harness:
    """One event loop and engine for the whole run, so every example reuses the migrated database."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.engine = create_async_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.reads = ReadPool(DatabaseSettings(url=url), service="ledger-stateful")

    def run(self, work: Awaitable):
        return self.loop.run_until_complete(work)

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.sessions)

    async def empty(self) -> None:
        """The test's own setup between examples: every ledger table emptied (triggers off for this transaction)."""
        async with self.engine.begin() as conn:
            tables = (
                await conn.execute(
                    text(
                        "SELECT string_agg(format('ledger.%I', table_name), ', ') FROM information_schema.tables"
                        " WHERE table_schema = 'ledger' AND table_type = 'BASE TABLE' AND table_name <> 'alembic_version'"
                    )
                )
            ).scalar_one()
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY"))

    def close(self) -> None:
        self.run(self.reads.close())
        self.run(self.engine.dispose())
        self.loop.close()


class LedgerMachine(RuleBasedStateMachine):
    harness: Harness  # set by the test

    def __init__(self) -> None:
        super().__init__()
        self.h = self.harness
        self.h.run(self.h.empty())
        self.model = LedgerModel()
        self.numbers = itertools.count(1)
        self.deliveries: list[tuple[str, Envelope]] = []
        self.hashes: dict[str, dict[str, str]] = {}
        self.handlers = {
            "approved": contribution_approved_handler(self.h.uow),
            "imported": contributions_imported_handler(self.h.uow),
            "sealed": period_sealed_handler(self.h.uow),
            "member": member_handler(self.h.uow, MEMBER_REGISTERED),
        }

    # ---- helpers -------------------------------------------------------------------------------

    def new_id(self) -> uuid.UUID:
        """Ids the test makes are numbered, so a replayed example draws from the same ordered choices."""
        return uuid.UUID(int=(0xA << 124) + next(self.numbers))

    def deliver(self, kind: str, envelope: Envelope) -> bool:
        self.deliveries.append((kind, envelope))
        return self.h.run(self.handlers[kind](envelope))

    def snapshot(self) -> dict[str, str]:
        async def read():
            async with self.h.engine.connect() as conn:
                return await fingerprint(conn)

        return self.h.run(read())

    def refused(self, error: type[errors.LedgerError], work: Callable[[], Awaitable]) -> errors.LedgerError:
        """The operation raises exactly `error` and changes nothing at all."""
        event(f"refused: {error.__name__}")
        before = self.snapshot()
        with pytest.raises(error) as raised:
            self.h.run(work())
        assert type(raised.value) is error, (
            f"refused with {type(raised.value).__name__}, not {error.__name__}"
        )
        assert self.snapshot() == before, f"a refused operation ({error.__name__}) changed the ledger"
        return raised.value

    def pick_day(self, data) -> date:
        """A date the operation is dated on: today, around the lock date, or inside some period."""
        lock = self.model.lock
        choices = [TODAY, QUARTERS[0][1]]
        if lock is not None:
            choices += [lock, lock + timedelta(days=1), lock - timedelta(days=1)]
        if self.model.periods:
            period = data.draw(st.sampled_from(self.model.periods))
            choices += [period.starts_on, period.ends_on]
        return data.draw(st.sampled_from(choices))

    def approved_event(
        self, data, member_id: uuid.UUID, period: PeriodModel | None
    ) -> ContributionApprovedV1:
        type_ = data.draw(st.sampled_from(["labor", "capital", "property"]))
        value = data.draw(AMOUNTS)
        book, tax = (ZERO, ZERO) if type_ == "labor" else (value, value)
        if type_ == "property":
            tax = data.draw(st.one_of(st.just(value), AMOUNTS))  # adjusted basis, may differ from fair value
        period_id = period.id if period else uuid.uuid4()
        day = data.draw(st.sampled_from([period.starts_on, period.ends_on])) if period else TODAY
        return ContributionApprovedV1(
            contribution_id=self.new_id(),
            member_id=member_id,
            period_id=period_id,
            type=type_,
            contributed_on=day,
            value=value,
            book_amount=book,
            tax_amount=tax,
            approved_by=ADMIN,
            approved_at=datetime.now(UTC),
        )

    def any_period(self, data) -> PeriodModel | None:
        """A known period, or now and then one the ledger has never heard of (its event must wait)."""
        if not self.model.periods or data.draw(st.integers(0, 9)) == 5:
            return None
        return data.draw(st.sampled_from(self.model.periods))

    # ---- members and periods -----------------------------------------------------------------------

    @initialize()
    def start(self) -> None:
        for _ in range(3):
            self.register_member()
        self.open_next_period()
        self.open_next_period()

    @precondition(lambda self: len(self.model.members) < 6)
    @rule()
    def register_member(self) -> None:
        member_id = self.new_id()
        email = f"m{len(self.model.members)}-{member_id.hex[:6]}@example.org"
        contract = MemberRegisteredV1(
            member_id=member_id,
            email=email,
            display_name=f"Member {member_id.hex[:4]}",
            role="member",
            status="active",
            joined_at=date(2025, 1, 1),
        )
        assert self.deliver("member", wrap(contract, "identity")) is True
        self.model.members[member_id] = email

    @precondition(lambda self: len(self.model.periods) < len(QUARTERS))
    @rule()
    def open_next_period(self) -> None:
        name, starts_on, ends_on = QUARTERS[len(self.model.periods)]
        period = self.h.run(periods.open_period(OpenPeriod(name, starts_on, ends_on, ADMIN), self.h.uow()))
        self.model.periods.append(PeriodModel(period.id, name, starts_on, ends_on))

    @rule(data=st.data())
    def open_a_period_over_another(self, data) -> None:
        clash = data.draw(st.sampled_from(self.model.periods))
        command = OpenPeriod(
            f"again {clash.name} {uuid.uuid4().hex[:6]}", clash.starts_on, clash.ends_on, ADMIN
        )
        error = errors.PeriodBeforeLock if self.model.locked(clash.starts_on) else errors.PeriodOverlap
        self.refused(error, lambda: periods.open_period(command, self.h.uow()))

    # ---- contributions ----------------------------------------------------------------------------

    @rule(data=st.data())
    def contribution_approved(self, data) -> None:
        member_id = data.draw(st.sampled_from(sorted(self.model.members)))
        contract = self.approved_event(data, member_id, self.any_period(data))
        outcome = self.model.book(to_book_contribution(contract))
        event(f"contribution {outcome}")
        assert self.deliver("approved", wrap(contract, "contributions")) is (outcome != "skipped")

    @precondition(lambda self: bool(self.model.booked))
    @rule(data=st.data())
    def contribution_corrected(self, data) -> None:
        """A correction (a reversal of all or part of an approved contribution), booked in a period of its own."""
        original = data.draw(
            st.sampled_from(sorted(self.model.booked.values(), key=lambda c: c.contribution_id))
        )
        part = data.draw(st.sampled_from([Decimal(1), Decimal("0.5")]))
        period = self.any_period(data)
        contract = ContributionApprovedV1(
            contribution_id=self.new_id(),
            member_id=original.member_id,
            period_id=period.id if period else uuid.uuid4(),
            type=original.type,
            contributed_on=period.ends_on if period else TODAY,
            value=-(original.value * part).quantize(Decimal("0.01")),
            book_amount=-(original.book_amount * part).quantize(Decimal("0.01")),
            tax_amount=-(original.tax_amount * part).quantize(Decimal("0.01")),
            corrects_contribution_id=original.contribution_id,
            approved_by=ADMIN,
            approved_at=datetime.now(UTC),
        )
        outcome = self.model.book(to_book_contribution(contract))
        event(f"contribution {outcome}")
        assert self.deliver("approved", wrap(contract, "contributions")) is (outcome != "skipped")

    @rule(data=st.data())
    def contributions_imported(self, data) -> None:
        """A batch of historical contributions: fresh ones, a repeat inside the batch, one booked before."""
        rows = []
        for _ in range(data.draw(st.integers(1, 3))):
            member_id = data.draw(st.sampled_from(sorted(self.model.members)))
            event = self.approved_event(data, member_id, self.any_period(data))
            rows.append(ImportedContribution(**event.model_dump(exclude={"corrects_contribution_id"})))
        if data.draw(st.booleans()):
            rows.append(rows[0])
        if self.model.booked and data.draw(st.booleans()):
            seen = data.draw(
                st.sampled_from(sorted(self.model.booked.values(), key=lambda c: c.contribution_id))
            )
            if seen.corrects_contribution_id is None:
                rows.append(
                    ImportedContribution(
                        contribution_id=seen.contribution_id,
                        member_id=seen.member_id,
                        period_id=seen.period_id,
                        type=seen.type,
                        contributed_on=seen.contributed_on,
                        value=seen.value,
                        book_amount=seen.book_amount,
                        tax_amount=seen.tax_amount,
                        approved_by=ADMIN,
                        approved_at=datetime.now(UTC),
                    )
                )
        contract = ContributionsImportedV1(import_id=uuid.uuid4(), batch=1, batches=1, contributions=rows)
        outcomes = [self.model.book(command) for command in to_book_contributions(contract)]
        changed = any(outcome != "skipped" for outcome in outcomes)
        assert self.deliver("imported", wrap(contract, "contributions")) is changed

    @rule(data=st.data())
    def replay(self, data) -> None:
        """Any event delivered before, again (same event id, or the same contents under a new one): nothing changes."""
        kind, envelope = data.draw(st.sampled_from(self.deliveries))
        new_id = kind in ("approved", "imported") and data.draw(st.booleans())
        before = self.snapshot()
        event(f"replayed a {kind} event" + (" under a new id" if new_id else ""))
        assert self.h.run(self.handlers[kind](redelivered(envelope, new_id))) is False
        assert self.snapshot() == before, f"replaying a {kind} event changed the ledger"

    # ---- opening balances and their reversal -------------------------------------------------------------

    @rule(data=st.data())
    def import_opening_balances(self, data) -> None:
        members = data.draw(
            st.lists(st.sampled_from(sorted(self.model.members)), min_size=1, max_size=3, unique=True)
        )
        as_of = (
            self.pick_day(data)
            if data.draw(st.booleans())
            else data.draw(st.sampled_from([TODAY, TODAY + timedelta(days=1)]))
        )
        rows = []
        for member_id in members:
            book = data.draw(SIGNED)
            tax = data.draw(st.one_of(st.just(book), SIGNED))
            current = self.model.opening.get(member_id)
            if current is not None and data.draw(st.integers(0, 3)) == 0:
                as_of_row, book, tax = current  # restated unchanged
            else:
                as_of_row = as_of
            rows.append((member_id, as_of_row, book, tax))
        csv = "member_email,book_balance,tax_balance,as_of,note\n" + "".join(
            f"{self.model.members[m]},{book},{tax},{day.isoformat()},carried over\n"
            for m, day, book, tax in rows
        )
        actions = [self.model.opening_action(m, day, book, tax) for m, day, book, tax in rows]
        breach = any(
            self.model.opening_breach(m, day, action, TODAY) for (m, day, _, _), action in zip(rows, actions)
        )

        async def chunks():
            yield csv.encode()

        def request():
            return money_moves.request_capital_import(
                chunks(), self.h.uow(), dry_run=False, requested_by=ADMIN, policy=POLICY, today=TODAY
            )

        if breach:
            assert self.refused(errors.InvalidCsv, request).pass_name == "business"
            return
        report, move = self.h.run(request())
        if all(action == "unchanged" for action in actions):
            assert move is None and report.summary.unchanged == len(rows)
            return
        assert move is not None and move.status == "requested"
        executed = self.h.run(money_moves.approve_move(move.id, SECOND_ADMIN, self.h.uow(), today=TODAY))
        assert executed.status == "executed"
        event("opening balances imported")
        for (member_id, day, book, tax), action in zip(rows, actions):
            if action != "unchanged":
                self.model.replace_opening(member_id, day, book, tax)

    @rule(data=st.data())
    def reverse_a_transaction(self, data) -> None:
        """Only an opening balance is reversed directly, once, and not under the lock; anything else is refused."""

        async def read():
            async with self.h.engine.connect() as conn:
                return await opening_transactions(conn), await workflow_transactions(conn)

        openings, others = self.h.run(read())
        candidates = list(openings) if openings and data.draw(st.integers(0, 3)) else []
        candidates = candidates or [*openings, *((t, None, None) for t in others)]
        if not candidates:
            return
        transaction_id, member_id, reversed_ = data.draw(st.sampled_from(candidates))
        day = self.pick_day(data)

        def request():
            return money_moves.request_reversal(
                transaction_id,
                "imported twice",
                ADMIN,
                self.h.uow(),
                policy=POLICY,
                occurred_on=day,
                today=TODAY,
            )

        if member_id is None:
            self.refused(errors.ReversalBelongsToWorkflow, request)
        elif reversed_:
            self.refused(errors.AlreadyReversed, request)
        elif self.model.locked(day):
            self.refused(errors.PeriodLocked, request)
        else:
            move = self.h.run(request())
            executed = self.h.run(money_moves.approve_move(move.id, SECOND_ADMIN, self.h.uow(), today=TODAY))
            assert executed.status == "executed"
            self.model.reverse_opening(member_id)
            event("opening balance reversed")

    # ---- close, allocation ------------------------------------------------------------------------

    @precondition(lambda self: any(p.status == "open" for p in self.model.periods))
    @rule(data=st.data())
    def start_close(self, data) -> None:
        period = data.draw(st.sampled_from([p for p in self.model.periods if p.status == "open"]))
        closing_ = self.h.run(closing.start_close(period.id, ADMIN, self.h.uow()))
        if period.status == "open":
            period.status = "closing"
        assert closing_.status == period.status

    @precondition(lambda self: any(p.status == "closing" for p in self.model.periods))
    @rule(data=st.data())
    def propose(self, data) -> None:
        closing_ = [p for p in self.model.periods if p.status == "closing"]
        self.propose_for(
            data.draw(st.sampled_from(closing_ if data.draw(st.booleans()) else self.model.periods)), data
        )

    def propose_for(self, period: PeriodModel, data) -> None:
        """Propose for any period: refused unless it is closing, has no proposal in play and has patronage."""
        surplus = data.draw(RESULTS)
        tax_surplus = data.draw(st.one_of(st.none(), RESULTS))
        weights = {t: data.draw(WEIGHTS) for t in ("labor", "capital", "property")}
        cash = ZERO if surplus < 0 else data.draw(CASH_PORTIONS)
        command = ProposeAllocation(period.id, surplus, weights, cash, ADMIN, tax_surplus)

        def propose():
            return allocations.propose_allocation(command, self.h.uow(), approvals_required=2)

        if period.status == "closing":
            self.seal(period)
        weighted = period.weighted(weights)
        total = sum((w for w in weighted.values() if w > 0), Decimal(0))
        if period.status == "open":
            self.refused(errors.PeriodNotClosing, propose)
        elif period.status == "closed":
            self.refused(errors.PeriodClosed, propose)
        elif period.proposal is not None:
            self.refused(errors.ProposalPending, propose)
        elif total <= 0:
            self.refused(errors.NoPatronage, propose)
        else:
            allocation = self.h.run(propose())
            tax_result = surplus if tax_surplus is None else tax_surplus
            rows = {
                r.member_id: (r.allocation, r.tax_allocation, r.cash_portion_amount) for r in allocation.rows
            }
            self.check_rows(rows, weighted, total, surplus, tax_result, cash)
            period.proposal = ProposalModel(allocation.id, rows, surplus, tax_result)
            event("allocation proposed")

    def seal(self, period: PeriodModel) -> None:
        """The contributions service answers the close with the totals it approved (the model's)."""
        sealed = self.model.seal_of(period)
        contract = PeriodSealedV1(
            period_id=period.id,
            members=[
                SealedMemberTotal(member_id=m, approved_count=n, approved_value=v)
                for m, (n, v) in sealed.items()
            ],
            total_count=sum(n for n, _ in sealed.values()),
            total_value=sum((v for _, v in sealed.values()), ZERO),
            pending_count=0,
        )
        assert self.deliver("sealed", wrap(contract, "contributions")) is True

    @staticmethod
    def check_rows(rows, weighted, total, surplus, tax_surplus, cash) -> None:
        """To the cent, each basis on its own: shares within a cent of score x result, summing exactly."""
        assert set(rows) <= set(weighted)
        assert sum((b for b, _, _ in rows.values()), ZERO) == surplus
        assert sum((t for _, t, _ in rows.values()), ZERO) == tax_surplus
        for member_id, w in weighted.items():
            book, tax, _ = rows.get(member_id, (ZERO, ZERO, ZERO))
            if w <= 0:
                assert (book, tax) == (ZERO, ZERO), "a member without positive patronage got a share"
            else:
                assert abs(book - surplus * w / total) < Decimal("0.01")
                assert abs(tax - tax_surplus * w / total) < Decimal("0.01")
        cash_total = (surplus * cash / 100).quantize(Decimal("0.01"), ROUND_HALF_UP) if surplus > 0 else ZERO
        assert sum((c for _, _, c in rows.values()), ZERO) == cash_total

    def has_proposal(self) -> bool:
        return any(p.proposal is not None for p in self.model.periods)

    def proposed(self, data) -> PeriodModel:
        return data.draw(st.sampled_from([p for p in self.model.periods if p.proposal is not None]))

    @precondition(lambda self: self.has_proposal())
    @rule(data=st.data())
    def approve(self, data) -> None:
        period = self.proposed(data)
        self.approve_by(
            period, data.draw(st.lists(st.sampled_from([SECOND_ADMIN, THIRD_ADMIN]), min_size=1, max_size=2))
        )

    def approve_by(self, period: PeriodModel, approvers: list[uuid.UUID]) -> None:
        for approver in approvers:
            allocation = self.h.run(
                allocations.approve_allocation(period.proposal.id, approver, self.h.uow())
            )
            period.proposal.approvers.add(approver)
            assert (allocation.status == "approved") is period.proposal.approved

    @precondition(lambda self: self.has_proposal())
    @rule(data=st.data())
    def reject(self, data) -> None:
        period = self.proposed(data)
        self.h.run(allocations.reject_allocation(period.proposal.id, SECOND_ADMIN, "try again", self.h.uow()))
        period.proposal = None

    @precondition(lambda self: self.has_proposal())
    @rule(data=st.data())
    def post(self, data) -> None:
        self.post_of(self.proposed(data))

    def post_of(self, period: PeriodModel) -> None:
        """Post a period's proposal: refused unless approved, after the lock date and not stale."""
        proposal = period.proposal

        def post():
            return closing_post(proposal.id, self.h)

        if not proposal.approved:
            self.refused(errors.AllocationNotApproved, post)
        elif self.model.locked(period.ends_on):
            self.refused(errors.PeriodLocked, post)
        elif proposal.stale:
            self.refused(errors.StaleProposal, post)
        else:
            assert self.h.run(post()).status == "posted"
            self.model.post(period)
            event("allocation posted" + (" (a loss)" if proposal.surplus < 0 else ""))
            scheduled = self.h.run(distributions.list_distributions(self.h.uow(), None, "scheduled"))
            cash = {d.member_id: d for d in scheduled if d.allocation_id == proposal.id}
            expected = {m: c for m, (_, _, c) in proposal.rows.items() if c > 0}
            assert {m: d.amount for m, d in cash.items()} == expected
            for member_id, distribution in sorted(cash.items()):  # a stable order, for hypothesis
                self.model.distributions[distribution.id] = DistributionModel(member_id, distribution.amount)

    @precondition(lambda self: any(p.status != "closed" for p in self.model.periods))
    @rule(data=st.data())
    def close_a_period(self, data) -> None:
        """The whole close in one step (start, seal, propose, two approvals, post), so full cycles come
        often; the single-step rules above interleave other operations between those steps."""
        candidates = [p for p in self.model.periods if p.status != "closed"]
        with_patronage = [p for p in candidates if p.counts]
        period = data.draw(
            st.sampled_from(with_patronage if with_patronage and data.draw(st.booleans()) else candidates)
        )
        self.h.run(closing.start_close(period.id, ADMIN, self.h.uow()))
        period.status = "closing"
        if period.proposal is None:
            self.propose_for(period, data)
        if period.proposal is not None:
            self.approve_by(period, [SECOND_ADMIN, THIRD_ADMIN])
            self.post_of(period)

    @precondition(lambda self: bool(self.model.posted))
    @rule()
    def post_again(self) -> None:
        """Posting a posted allocation answers it as it is and changes nothing."""
        before = self.snapshot()
        assert self.h.run(closing_post(self.model.posted[-1].id, self.h)).status == "posted"
        assert self.snapshot() == before

    # ---- distributions ------------------------------------------------------------------------------

    @rule(data=st.data())
    def schedule_distribution(self, data) -> None:
        member_id = data.draw(st.sampled_from(sorted(self.model.members)))
        book, tax = self.model.capital[member_id]
        amount = data.draw(
            st.one_of(
                CENTS.filter(lambda a: a > 0),
                st.sampled_from([Decimal("0.01"), MAX_MONEY]),
                st.just(max(min(book, tax), ZERO) + Decimal("0.01")),  # just more than the balance
            )
        )
        command = ScheduleDistribution(member_id, amount, "ach", TODAY, ADMIN)
        if amount > MAX_MONEY:  # just more than a balance at the maximum: the domain refuses, nothing is written
            with pytest.raises(errors.InvalidDistribution):
                self.h.run(distributions.schedule_distribution(command, self.h.uow()))
            return
        distribution = self.h.run(distributions.schedule_distribution(command, self.h.uow()))
        self.model.distributions[distribution.id] = DistributionModel(member_id, amount)

    def pick_distribution(self, data) -> tuple[uuid.UUID, DistributionModel]:
        return data.draw(st.sampled_from(list(self.model.distributions.items())))

    @precondition(lambda self: bool(self.model.distributions))
    @rule(data=st.data())
    def complete_distribution(self, data) -> None:
        """Requested by one admin, executed by a second; refused under the lock or beyond the balance without override."""
        distribution_id, distribution = self.pick_distribution(data)
        paid_on = self.pick_day(data)
        override = data.draw(st.sampled_from([None, "member's deficit restoration obligation"]))
        command = CompleteDistribution(distribution_id, "ref-1", paid_on, override, ADMIN)
        book, tax = self.model.capital[distribution.member_id]

        def request():
            return money_moves.request_completion(command, self.h.uow(), policy=POLICY, today=TODAY)

        if distribution.status != "scheduled":
            self.refused(errors.DistributionNotScheduled, request)
        elif self.model.locked(paid_on):
            self.refused(errors.PeriodLocked, request)
        elif min(book, tax) < distribution.amount and override is None:
            self.refused(errors.WouldOverdrawCapital, request)
        else:
            move = self.h.run(request())
            executed = self.h.run(money_moves.approve_move(move.id, SECOND_ADMIN, self.h.uow(), today=TODAY))
            assert executed.status == "executed"
            self.model.pay(distribution_id)
            event("distribution completed" + (" (overdrawn)" if min(book, tax) < distribution.amount else ""))

    @precondition(lambda self: bool(self.model.distributions))
    @rule(data=st.data())
    def cancel_distribution(self, data) -> None:
        distribution_id, distribution = self.pick_distribution(data)

        def cancel():
            return distributions.cancel_distribution(distribution_id, "not owed", ADMIN, self.h.uow())

        if distribution.status != "scheduled":
            self.refused(errors.DistributionNotScheduled, cancel)
        else:
            self.h.run(cancel())
            distribution.status = "cancelled"

    # ---- closed means closed ------------------------------------------------------------------------

    @precondition(lambda self: self.model.lock is not None)
    @rule(data=st.data())
    def post_into_a_closed_period(self, data) -> None:
        """A payment, a reversal or an opening balance dated on or before the lock date: refused, nothing changes."""
        lock = self.model.lock
        closed = [p for p in self.model.periods if p.status == "closed"]
        day = data.draw(st.sampled_from([lock, *(p.ends_on for p in closed), *(p.starts_on for p in closed)]))
        scheduled = [d for d, m in self.model.distributions.items() if m.status == "scheduled"]
        openings = [(t, m) for t, m, reversed_ in self.h.run(self.openings()) if not reversed_]
        member_id = data.draw(st.sampled_from(sorted(self.model.members)))
        what = data.draw(st.sampled_from(["payment", "reversal", "opening"]))
        if what == "payment" and scheduled:
            command = CompleteDistribution(
                data.draw(st.sampled_from(scheduled)), "ref-2", day, "override", ADMIN
            )
            self.refused(
                errors.PeriodLocked,
                lambda: money_moves.request_completion(command, self.h.uow(), policy=POLICY, today=TODAY),
            )
        elif what == "reversal" and openings:
            transaction_id, _ = data.draw(st.sampled_from(openings))
            self.refused(
                errors.PeriodLocked,
                lambda: money_moves.request_reversal(
                    transaction_id, "late", ADMIN, self.h.uow(), policy=POLICY, occurred_on=day, today=TODAY
                ),
            )
        else:
            current = self.model.opening.get(member_id)
            book = (current[1] if current else ZERO) + Decimal("1.00")
            csv = f"member_email,book_balance,tax_balance,as_of,note\n{self.model.members[member_id]},{book},0,{day},\n"

            async def chunks():
                yield csv.encode()

            self.refused(
                errors.InvalidCsv,
                lambda: money_moves.request_capital_import(
                    chunks(), self.h.uow(), dry_run=False, requested_by=ADMIN, policy=POLICY, today=TODAY
                ),
            )

    async def openings(self):
        async with self.h.engine.connect() as conn:
            return await opening_transactions(conn)

    # ---- invariants ---------------------------------------------------------------------------------

    @invariant()
    def the_books_hold(self) -> None:
        self.h.run(self.check_tables())
        self.h.run(self.check_through_the_service_layer())

    async def check_tables(self) -> None:
        async with self.h.engine.connect() as conn:
            assert await unbalanced(conn) == [], "a transaction does not balance on a basis"
            assert await orphan_postings(conn) == 0
            sums = await capital_sums(conn)
            for member_id in set(sums) | set(self.model.capital):
                expected = tuple(self.model.capital.get(member_id, (ZERO, ZERO)))
                assert sums.get(member_id, (ZERO, ZERO)) == expected, (
                    f"capital of {member_id} is not what was booked"
                )
            assert await allocations_off(conn) == [], "a posted allocation does not sum to its result"
            assert await posted_without_entry(conn) == 0
            assert await under_a_close(conn) == [], (
                "something was booked under a closed period after it closed"
            )
            hashes = await row_hashes(conn)
        for table, rows in self.hashes.items():
            changed = {key for key, digest in rows.items() if hashes[table].get(key) != digest}
            assert not changed, f"{table} rows were updated or deleted: {sorted(changed)[:3]}"
        self.hashes = hashes

    async def check_through_the_service_layer(self) -> None:
        for member_id, (book, tax) in list(self.model.capital.items()):
            balance = await get_capital_account(member_id, self.h.uow(), today=TODAY)
            assert (balance.book_balance, balance.tax_balance) == (book, tax)
            reads = PooledStatementReads(self.h.reads)
            statement = await capital_statement(member_id, reads, today=TODAY)
            assert (statement.book_balance, statement.tax_balance) == (book, tax)
            latest = await capital_statement(member_id, reads, today=TODAY, last=1)
            assert (latest.lines, latest.as_of) == (statement.lines[-1:], statement.as_of)
        for period in self.model.periods:
            found = await periods.get_period(period.id, self.h.uow())
            assert found.status == period.status
            uow = self.h.uow()
            async with uow:
                totals = await uow.patronage.totals(period.id)
            assert {(t.member_id, t.type): t.value for t in totals} == {
                (m, t): v
                for m, by_type in period.values.items()
                for t, v in by_type.items()
                if period.counts.get(m)
            }
        held = await distributions.list_distributions(self.h.uow(), None, None)
        assert {d.id: (d.member_id, d.amount, str(d.status)) for d in held} == {
            i: (d.member_id, d.amount, d.status) for i, d in self.model.distributions.items()
        }


async def closing_post(allocation_id: uuid.UUID, harness: Harness):
    return await post_allocation(allocation_id, THIRD_ADMIN, harness.uow(), today=TODAY)


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    with temporary_database("ledger_stateful") as url:
        alembic(url, ("upgrade", "head"))
        harness = Harness(url)
        try:
            yield harness
        finally:
            harness.close()


# A pass takes about a minute; a failure is then shrunk, which hypothesis gives up to five minutes more.
@pytest.mark.timeout(900)
def test_the_ledger_keeps_its_invariants_under_random_operations(harness: Harness) -> None:
    LedgerMachine.harness = harness
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            phases=PHASES,
        ),
    )
