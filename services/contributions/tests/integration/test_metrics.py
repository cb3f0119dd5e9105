"""Business metrics of contributions against PostgreSQL: counters moved by real use cases through the HTTP API,
and the worker's gauges read from known rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from prometheus_client import REGISTRY

from habitat_common.testing import SampleDelta, sample_value
from habitat_contributions.entrypoints.gauges import contributions_gauges
from tests.integration.db import active_member, open_q1
from tests.integration.imports import coop, csv_file, post_import, row
from tests.integration.test_http import auth, submit

pytestmark = pytest.mark.integration
CAPITAL = {"type": "capital", "contributed_on": "2026-02-11", "description": "Cash for the new roof", "amount": "50.00"}




class TestCounters:
    async def test_series_exist_before_any_event(self, client):
        for kind in ("labor", "capital", "property"):
            for channel in ("api", "import"):
                assert REGISTRY.get_sample_value(
                    "habitat_contributions_submitted_total", {"type": kind, "channel": channel}
                ) is not None
            for decision in ("approved", "rejected", "clarification_requested"):
                assert REGISTRY.get_sample_value(
                    "habitat_contributions_decided_total", {"type": kind, "decision": decision}
                ) is not None

    async def test_a_submission_counts_once_and_its_idempotent_replay_not_again(self, client, keys, container):
        await open_q1(container)
        me = uuid.uuid4()
        with SampleDelta("habitat_contributions_submitted_total", type="labor", channel="api") as submitted:
            first = await submit(client, keys, me, headers={"Idempotency-Key": "k-1"})
            again = await submit(client, keys, me, headers={"Idempotency-Key": "k-1"})
            refused = await submit(client, keys, me, contributed_on="2020-01-01")
        assert (first.status_code, again.status_code, refused.status_code) == (201, 201, 409)
        assert submitted.change == 1

    async def test_decisions_count_by_type_once_committed(self, client, keys, container):
        await open_q1(container)
        steward = uuid.uuid4()
        headers = auth(keys, steward, "steward")
        ids = [(await submit(client, keys, uuid.uuid4(), CAPITAL)).json()["id"] for _ in range(3)]
        with (
            SampleDelta("habitat_contributions_decided_total", type="capital", decision="approved") as approved,
            SampleDelta("habitat_contributions_decided_total", type="capital", decision="rejected") as rejected,
            SampleDelta("habitat_contributions_decided_total", type="capital", decision="clarification_requested") as asked,
        ):
            assert (await client.post(f"/contributions/{ids[0]}/approve", json={}, headers=headers)).status_code == 200
            again = await client.post(f"/contributions/{ids[0]}/approve", json={}, headers=headers)
            assert again.status_code == 409  # refused: nothing counted
            reason = {"reason": "Not co-op business"}
            assert (await client.post(f"/contributions/{ids[1]}/reject", json=reason, headers=headers)).status_code == 200
            question = {"question": "Which account was it paid into?"}
            ask = await client.post(f"/contributions/{ids[2]}/request-clarification", json=question, headers=headers)
            assert ask.status_code == 200
        assert (approved.change, rejected.change, asked.change) == (1, 1, 1)

    async def test_imports_count_outcome_rows_and_imported_submissions_by_type(self, client, keys, container):
        people = await coop(container)
        good = csv_file(row("L-1"), row("L-2", hours="2", rate="90"), row("C-1", type="capital", amount="60", status="pending"))
        bad = csv_file(row("L-9", member="nobody@example.coop"), row("L-8", period="1999-Q1"))
        labels = {"service": "contributions", "kind": "contributions"}
        with (
            SampleDelta("habitat_imports_total", outcome="committed", **labels) as committed,
            SampleDelta("habitat_imports_total", outcome="refused", **labels) as refused,
            SampleDelta("habitat_import_rows_total", outcome="accepted", **labels) as accepted,
            SampleDelta("habitat_import_rows_total", outcome="rejected", **labels) as rejected,
            SampleDelta("habitat_import_duration_seconds_count", **labels) as timed,
            SampleDelta("habitat_contributions_submitted_total", type="labor", channel="import") as labor,
            SampleDelta("habitat_contributions_submitted_total", type="capital", channel="import") as capital,
            SampleDelta("habitat_http_long_request_duration_seconds_count", service="contributions", method="POST",
                  route="/imports/contributions", status="200") as long_requests,
        ):
            dry = await post_import(client, keys, people.ada, good, dry_run=True)
            assert dry.status_code == 200, dry.text
            assert (await post_import(client, keys, people.ada, good)).status_code == 200, "first import"
            assert (await post_import(client, keys, people.ada, good)).status_code == 200  # re-run: nothing new
            assert (await post_import(client, keys, people.ada, bad)).status_code == 422
        assert (committed.change, refused.change, timed.change) == (2, 1, 3)  # the dry run is not counted
        assert (accepted.change, rejected.change) == (6, 2)
        assert (labor.change, capital.change) == (2, 1)  # only rows the import created
        assert long_requests.change == 3
        slo = REGISTRY.get_sample_value(
            "habitat_http_request_duration_seconds_count",
            {"service": "contributions", "method": "POST", "route": "/imports/contributions", "status": "200"},
        )
        assert slo is None  # imports stay out of the API latency histogram


class TestGauges:
    async def test_review_queue_and_open_period_intake_from_known_rows(self, client, keys, container):
        now = datetime.now(UTC)
        await open_q1(container, name="2026-Q1", ends_on=(now + timedelta(days=2)).date())
        await open_q1(container, name="2025-Q4", status="closed")
        submitters = [uuid.uuid4() for _ in range(2)]
        for member in submitters:
            assert (await submit(client, keys, member)).status_code == 201
        assert (await submit(client, keys, submitters[0], CAPITAL)).status_code == 201
        for _ in range(2):  # active members who did not contribute
            await active_member(container)
        zone = ZoneInfo("UTC")
        loop = contributions_gauges(container.engine, zone=zone, interval_seconds=60, clock=lambda: now)
        assert await loop.refresh() is True
        assert sample_value("habitat_review_pending", type="labor") == 2
        assert sample_value("habitat_review_pending", type="capital") == 1
        assert REGISTRY.get_sample_value("habitat_review_pending", {"type": "property"}) == 0
        oldest = sample_value("habitat_review_oldest_pending_seconds")
        assert 0 <= oldest < 120
        assert sample_value("habitat_period_members_active", period="2026-Q1") == 4
        assert sample_value("habitat_period_members_submitted", period="2026-Q1") == 2
        assert sample_value("habitat_period_participation_ratio", period="2026-Q1") == 0.5
        deadline = datetime.combine((now + timedelta(days=3)).date(), datetime.min.time(), UTC)
        assert sample_value("habitat_period_seconds_to_deadline", period="2026-Q1") == (deadline - now).total_seconds()
        assert REGISTRY.get_sample_value("habitat_period_members_active", {"period": "2025-Q4"}) is None

        # everything decided and the period no longer open: the queue empties and the period's series go away
        async with container.engine.begin() as connection:
            from sqlalchemy import text

            await connection.execute(text("UPDATE contributions.contribution SET status = 'rejected'"))
            await connection.execute(text("UPDATE contributions.period_replica SET status = 'closing'"))
        assert await loop.refresh() is True
        assert sample_value("habitat_review_pending", type="labor") == 0
        assert sample_value("habitat_review_oldest_pending_seconds") == 0
        assert REGISTRY.get_sample_value("habitat_period_members_active", {"period": "2026-Q1"}) is None
        assert REGISTRY.get_sample_value("habitat_period_participation_ratio", {"period": "2026-Q1"}) is None

    async def test_a_database_outage_keeps_the_last_values(self, container):
        from habitat_common.db import make_engine
        from habitat_common.settings import DatabaseSettings

        await open_q1(container, name="2031-Q1")
        await active_member(container)
        good = contributions_gauges(container.engine, zone=ZoneInfo("UTC"), interval_seconds=60)
        assert await good.refresh() is True
        assert sample_value("habitat_period_members_active", period="2031-Q1") == 1
        down = make_engine(DatabaseSettings(url="postgresql+asyncpg://nobody@127.0.0.1:1/none", connect_timeout_seconds=1))
        failing = contributions_gauges(down, zone=ZoneInfo("UTC"), interval_seconds=60)
        assert await failing.refresh() is False
        assert sample_value("habitat_period_members_active", period="2031-Q1") == 1
        await down.dispose()
