"""The idempotent consumer helpers against a fake unit of work: claim and effect commit together, a duplicate
runs nothing, a failing use case commits nothing, after_commit follows the commit only; for one event and for a
batch."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Self

import pytest
from habitat_common.contracts import Envelope, PeriodOpenedV1
from habitat_common.messaging.idempotent import idempotent, idempotent_batch

CONSUMER = "sample.period_opened"


def period_opened() -> Envelope:
    payload = PeriodOpenedV1(
        period_id=uuid.uuid4(), name="Q1", starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31), status="open"
    )
    return Envelope.wrap(payload, producer="ledger")


class FakeUnitOfWork:
    """An inbox shared across units of work; claims and effects become visible only on commit."""

    def __init__(self, journal: list[str], inbox: set[tuple[str, uuid.UUID]]) -> None:
        self.journal = journal
        self.inbox = inbox
        self.claimed: set[tuple[str, uuid.UUID]] = set()
        self.effects: list[str] = []

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.claimed or self.effects:
            self.journal.append("rollback")

    async def claim_event(self, consumer: str, event_id: uuid.UUID) -> bool:
        key = (consumer, event_id)
        if key in self.inbox or key in self.claimed:
            return False
        self.claimed.add(key)
        return True

    async def claim_events(self, consumer: str, event_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        self.journal.append(f"claim {len(event_ids)}")
        return {event_id for event_id in event_ids if await self.claim_event(consumer, event_id)}

    async def commit(self) -> None:
        self.inbox |= self.claimed
        self.journal.append(f"commit {len(self.claimed)} claim(s), effects {self.effects}")
        self.claimed, self.effects = set(), []


class Harness:
    """A unit-of-work factory over one inbox, recording what every unit of work did, in order."""

    def __init__(self) -> None:
        self.journal: list[str] = []
        self.inbox: set[tuple[str, uuid.UUID]] = set()

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.journal, self.inbox)


async def record_name(name: str, uow: FakeUnitOfWork) -> str:
    uow.effects.append(name)
    uow.journal.append(f"use case {name}")
    return name


class TestIdempotent:
    async def test_a_fresh_event_commits_its_claim_and_effect_once(self) -> None:
        harness = Harness()
        handle = idempotent(CONSUMER, lambda e: e.payload.name, record_name, harness.uow)
        envelope = period_opened()

        assert await handle(envelope) is True
        assert harness.journal == ["use case Q1", "commit 1 claim(s), effects ['Q1']"]
        assert harness.inbox == {(CONSUMER, envelope.event_id)}

    async def test_took_effect_decides_the_answer_for_a_fresh_event(self) -> None:
        harness = Harness()
        results: list[str] = []

        def nothing_changed(result: str) -> bool:
            results.append(result)
            return False

        handle = idempotent(CONSUMER, lambda e: e.payload.name, record_name, harness.uow, took_effect=nothing_changed)

        assert await handle(period_opened()) is False
        assert results == ["Q1"]
        assert harness.journal[-1] == "commit 1 claim(s), effects ['Q1']"

    async def test_a_duplicate_runs_nothing_and_returns_false(self) -> None:
        harness = Harness()
        after: list[str] = []
        handle = idempotent(
            CONSUMER,
            lambda e: e.payload.name,
            record_name,
            harness.uow,
            took_effect=lambda _: pytest.fail("took_effect asked for a duplicate"),
            after_commit=after.append,
        )
        envelope = period_opened()
        harness.inbox.add((CONSUMER, envelope.event_id))

        assert await handle(envelope) is False
        assert harness.journal == [] and after == []

    async def test_the_same_event_under_another_consumer_is_not_a_duplicate(self) -> None:
        harness = Harness()
        envelope = period_opened()
        harness.inbox.add(("other.period_opened", envelope.event_id))

        assert await idempotent(CONSUMER, lambda e: e.payload.name, record_name, harness.uow)(envelope) is True

    async def test_a_failing_use_case_commits_nothing_and_its_error_propagates(self) -> None:
        harness = Harness()
        after: list[object] = []

        async def fail(name: str, uow: FakeUnitOfWork) -> str:
            uow.effects.append(name)
            raise RuntimeError("numeric field overflow")

        handle = idempotent(CONSUMER, lambda e: e.payload.name, fail, harness.uow, after_commit=after.append)
        envelope = period_opened()

        with pytest.raises(RuntimeError, match="numeric field overflow"):
            await handle(envelope)
        assert harness.journal == ["rollback"]
        assert harness.inbox == set() and after == []
        assert await idempotent(CONSUMER, lambda e: e.payload.name, record_name, harness.uow)(envelope) is True

    async def test_after_commit_runs_after_the_commit_with_the_result(self) -> None:
        harness = Harness()

        def count(result: str) -> None:
            harness.journal.append(f"after commit {result}")

        handle = idempotent(CONSUMER, lambda e: e.payload.name, record_name, harness.uow, after_commit=count)

        assert await handle(period_opened()) is True
        assert harness.journal == ["use case Q1", "commit 1 claim(s), effects ['Q1']", "after commit Q1"]

    async def test_after_commit_does_not_run_when_the_commit_fails(self) -> None:
        harness = Harness()
        after: list[str] = []

        class FailingCommit(FakeUnitOfWork):
            async def commit(self) -> None:
                raise ConnectionError("connection lost")

        handle = idempotent(
            CONSUMER,
            lambda e: e.payload.name,
            record_name,
            lambda: FailingCommit(harness.journal, harness.inbox),
            after_commit=after.append,
        )

        with pytest.raises(ConnectionError):
            await handle(period_opened())
        assert after == [] and harness.inbox == set()


def named(name: str) -> Envelope:
    payload = PeriodOpenedV1(
        period_id=uuid.uuid4(), name=name, starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31), status="open"
    )
    return Envelope.wrap(payload, producer="ledger")


class TestIdempotentBatch:
    async def test_a_batch_claims_once_applies_in_order_and_commits_once(self) -> None:
        harness = Harness()
        handle = idempotent_batch(CONSUMER, lambda e: e.payload.name, record_name, harness.uow)
        batch = [named("Q1"), named("Q2"), named("Q3")]

        assert await handle(batch) == [True, True, True]
        assert harness.journal == [
            "claim 3", "use case Q1", "use case Q2", "use case Q3", "commit 3 claim(s), effects ['Q1', 'Q2', 'Q3']"
        ]
        assert harness.inbox == {(CONSUMER, e.event_id) for e in batch}

    async def test_events_handled_before_and_redeliveries_within_the_batch_run_nothing(self) -> None:
        harness = Harness()
        seen, fresh = named("Q1"), named("Q2")
        harness.inbox.add((CONSUMER, seen.event_id))
        handle = idempotent_batch(
            CONSUMER, lambda e: e.payload.name, record_name, harness.uow,
            took_effect=lambda result: result != "never",
        )

        assert await handle([seen, fresh, fresh]) == [False, True, False]
        assert harness.journal == ["claim 3", "use case Q2", "commit 1 claim(s), effects ['Q2']"]

    async def test_one_failing_use_case_commits_nothing_of_the_batch(self) -> None:
        harness = Harness()
        after: list[str] = []

        async def fail_on_q2(name: str, uow: FakeUnitOfWork) -> str:
            if name == "Q2":
                raise RuntimeError("member not replicated yet")
            return await record_name(name, uow)

        handle = idempotent_batch(CONSUMER, lambda e: e.payload.name, fail_on_q2, harness.uow, after_commit=after.append)

        with pytest.raises(RuntimeError, match="not replicated"):
            await handle([named("Q1"), named("Q2")])
        assert harness.journal[-1] == "rollback"
        assert harness.inbox == set() and after == []

    async def test_after_commit_follows_the_commit_for_each_applied_event_only(self) -> None:
        harness = Harness()
        seen = named("Q0")
        harness.inbox.add((CONSUMER, seen.event_id))

        def count(result: str) -> None:
            harness.journal.append(f"after commit {result}")

        handle = idempotent_batch(CONSUMER, lambda e: e.payload.name, record_name, harness.uow, after_commit=count)

        assert await handle([named("Q1"), seen, named("Q2")]) == [True, False, True]
        assert harness.journal[-3:] == ["commit 2 claim(s), effects ['Q1', 'Q2']", "after commit Q1", "after commit Q2"]
