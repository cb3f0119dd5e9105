"""The ledger's metrics against PostgreSQL: allocations and distributions posted, imports and long-running routes
through the HTTP API, and the capital and period gauges the worker reads from known rows."""

from __future__ import annotations

import pytest
from habitat_common.testing import SampleDelta, sample_value
from prometheus_client import REGISTRY

from habitat_ledger.entrypoints.gauges import ledger_gauges
from tests.integration.test_capital_import import GOOD, members, upload  # noqa: F401 - members: autouse fixture
from tests.integration.test_close_http import approved_allocation, period  # noqa: F401 - period: fixture
from tests.integration.test_money_http import ana_with_500, schedule  # noqa: F401 - ana_with_500: fixture

pytestmark = pytest.mark.integration




POST_ROUTE = {"service": "ledger", "method": "POST", "route": "/allocations/{allocation_id}/post", "status": "200"}


class TestPostedCounters:
    async def test_an_allocation_posted_twice_counts_once_as_a_long_request(self, api, period, uow_factory):  # noqa: F811
        allocation_id = await approved_allocation(api, uow_factory, period)
        with (
            SampleDelta("habitat_allocations_posted_total") as posted,
            SampleDelta("habitat_distributions_posted_total") as paid,
            SampleDelta("habitat_http_long_request_duration_seconds_count", **POST_ROUTE) as long_requests,
        ):
            assert (await api.post(f"/allocations/{allocation_id}/post")).json()["status"] == "posted"
            assert (await api.post(f"/allocations/{allocation_id}/post")).json()["status"] == "posted"
        assert (posted.change, paid.change, long_requests.change) == (1, 0, 2)
        assert REGISTRY.get_sample_value("habitat_http_request_duration_seconds_count", POST_ROUTE) is None

    async def test_a_distribution_counts_when_its_completion_is_approved(self, api, ana_with_500):  # noqa: F811
        distribution = await schedule(api, "200.00")
        with SampleDelta("habitat_distributions_posted_total") as paid:
            requested = await api.post(f"/distributions/{distribution['id']}/complete", {"reference": "CHK-7"})
            assert requested.status_code == 202
            between = sample_value("habitat_distributions_posted_total")
            assert (await api.second_admin_approves(requested)).status_code == 200
        assert between == paid.before  # only requested: nothing paid yet
        assert paid.change == 1


class TestImports:
    async def test_committed_refused_and_dry_runs(self, api):
        labels = {"service": "ledger", "kind": "capital_accounts"}
        with (
            SampleDelta("habitat_imports_total", outcome="committed", **labels) as committed,
            SampleDelta("habitat_imports_total", outcome="refused", **labels) as refused,
            SampleDelta("habitat_import_rows_total", outcome="accepted", **labels) as accepted,
            SampleDelta("habitat_import_rows_total", outcome="rejected", **labels) as rejected,
            SampleDelta("habitat_import_duration_seconds_count", **labels) as timed,
        ):
            assert (await upload(api, GOOD, dry_run=True)).status_code == 200
            assert (await upload(api, GOOD)).status_code == 200
            bad = GOOD.replace("1500.00", "15x").replace("-20.50", "abc")
            assert (await upload(api, bad)).status_code == 422
        assert (committed.change, refused.change, timed.change) == (1, 1, 2)
        assert (accepted.change, rejected.change) == (2, 2)


class TestGauges:
    async def test_capital_and_periods_from_known_rows(self, api, connection):
        await api.post("/periods", {"name": "2026-Q2", "starts_on": "2026-04-01", "ends_on": "2026-06-30"})
        await api.post("/periods", {"name": "2026-Q3", "starts_on": "2026-07-01", "ends_on": "2026-09-30"})
        assert (await upload(api, GOOD)).status_code == 200  # Ana 1500 / 1200, Ben -20.50 / 0 (book / tax)
        loop = ledger_gauges(connection, interval_seconds=60)
        assert await loop.refresh() is True
        assert sample_value("habitat_capital_total", basis="book") == 1479.50
        assert sample_value("habitat_capital_total", basis="tax") == 1200.00
        assert sample_value("habitat_capital_accounts_negative", basis="book") == 1
        assert sample_value("habitat_capital_accounts_negative", basis="tax") == 0
        assert sample_value("habitat_periods", status="open") == 2
        assert REGISTRY.get_sample_value("habitat_periods", {"status": "closed"}) == 0
        assert REGISTRY.get_sample_value("habitat_periods", {"status": "closing"}) == 0
