"""The metrics module: pre-initialised series, import outcomes, long-running routes, requests in flight, and the
loop that refreshes gauges from the database (with a scripted read)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from fastapi import FastAPI
from habitat_common.database_gauges import DatabaseGauges, by_label, single
from habitat_common.metrics import (
    CONTRIBUTIONS_DECIDED,
    IMPORT_DURATION,
    IMPORTS,
    measured_import,
    preinitialise,
    preinitialise_imports,
)
from habitat_common.web.observability import install_observability, long_running
from prometheus_client import REGISTRY, Counter, Gauge


def sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


class Refused(Exception):
    rows = 3


class TestPreinitialise:
    def test_every_combination_of_the_label_values_exists_at_zero(self):
        kind = unique("kind")
        preinitialise(CONTRIBUTIONS_DECIDED, [kind], ["approved", "rejected"])
        assert sample("habitat_contributions_decided_total", type=kind, decision="approved") == 0
        assert sample("habitat_contributions_decided_total", type=kind, decision="rejected") == 0
        assert sample("habitat_contributions_decided_total", type=kind, decision="other") is None

    def test_import_series_of_a_service(self):
        service = unique("svc")
        preinitialise_imports(service, ["members"])
        for outcome in ("committed", "refused"):
            assert sample("habitat_imports_total", service=service, kind="members", outcome=outcome) == 0
        for outcome in ("accepted", "rejected"):
            assert sample("habitat_import_rows_total", service=service, kind="members", outcome=outcome) == 0
        assert sample("habitat_import_duration_seconds_count", service=service, kind="members") == 0

    def test_an_unlabelled_metric_is_exported_by_the_processes_that_preinitialise_it(self):
        name = unique("habitat_test_plain")
        counter = Counter(name, "a plain counter", registry=None)
        assert sample(f"{name}_total") is None
        preinitialise(counter)
        preinitialise(counter)  # once only
        assert sample(f"{name}_total") == 0


class TestMeasuredImport:
    def test_a_committed_import_counts_its_rows_and_duration(self):
        service = unique("svc")
        with measured_import(service, "k", refusals=Refused, rejected_rows=lambda e: e.rows) as run:
            run.accepted = 7
        assert sample("habitat_imports_total", service=service, kind="k", outcome="committed") == 1
        assert sample("habitat_import_rows_total", service=service, kind="k", outcome="accepted") == 7
        assert sample("habitat_import_duration_seconds_count", service=service, kind="k") == 1

    def test_a_refused_import_counts_rejected_rows_and_reraises(self):
        service = unique("svc")
        with pytest.raises(Refused), measured_import(service, "k", refusals=Refused, rejected_rows=lambda e: e.rows):
            raise Refused()
        assert sample("habitat_imports_total", service=service, kind="k", outcome="refused") == 1
        assert sample("habitat_imports_total", service=service, kind="k", outcome="committed") is None
        assert sample("habitat_import_rows_total", service=service, kind="k", outcome="rejected") == 3

    def test_other_errors_and_dry_runs_are_not_counted(self):
        service = unique("svc")
        with pytest.raises(ConnectionError), measured_import(service, "k", refusals=Refused, rejected_rows=lambda e: 0):
            raise ConnectionError("database down")
        with measured_import(service, "k", refusals=Refused, rejected_rows=lambda e: 0, enabled=False) as run:
            run.accepted = 5
        assert sample("habitat_imports_total", service=service, kind="k", outcome="committed") is None
        assert sample("habitat_import_duration_seconds_count", service=service, kind="k") is None
        assert IMPORTS and IMPORT_DURATION  # the shared metrics, not test copies


class TestLongRunningRoutes:
    @pytest.fixture
    def app(self):
        service = unique("svc")
        app = FastAPI()
        started = asyncio.Event()
        release = asyncio.Event()
        install_observability(app, service, {})

        @app.get("/quick")
        async def quick() -> dict:
            return {}

        @app.post("/imports/{kind}")
        @long_running
        async def slow_import(kind: str) -> dict:
            started.set()
            await release.wait()
            return {"kind": kind}

        app.state.service, app.state.started, app.state.release = service, started, release
        return app

    async def test_long_routes_leave_the_slo_histogram_and_in_flight_counts_them(self, app):
        service = app.state.service
        assert sample("habitat_http_requests_in_flight", service=service) == 0  # pre-initialised
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/quick")).status_code == 200
            pending = asyncio.create_task(client.post("/imports/members"))
            await asyncio.wait_for(app.state.started.wait(), 5)
            assert sample("habitat_http_requests_in_flight", service=service) == 1
            assert (await client.get("/metrics")).status_code == 200  # a scrape is not counted in flight
            app.state.release.set()
            assert (await pending).status_code == 200
        assert sample("habitat_http_requests_in_flight", service=service) == 0
        quick = {"service": service, "method": "GET", "route": "/quick", "status": "200"}
        slow = {"service": service, "method": "POST", "route": "/imports/{kind}", "status": "200"}
        assert sample("habitat_http_request_duration_seconds_count", **quick) == 1
        assert sample("habitat_http_long_request_duration_seconds_count", **quick) is None
        assert sample("habitat_http_long_request_duration_seconds_count", **slow) == 1
        assert sample("habitat_http_request_duration_seconds_count", **slow) is None


class ScriptedRead:
    """Readings handed out in turn; an exception in the script is raised instead."""

    def __init__(self, *steps) -> None:
        self.steps = list(steps)
        self.calls = 0

    async def __call__(self):
        self.calls += 1
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            raise step
        return step


class TestDatabaseGauges:
    @pytest.fixture
    def gauges(self):
        return (
            Gauge(unique("habitat_test_by_period"), "per period", ["period"], registry=None),
            Gauge(unique("habitat_test_single"), "one value", registry=None),
        )

    async def test_sets_values_removes_series_that_went_away_and_keeps_them_through_failures(self, gauges):
        per_period, one = gauges
        read = ScriptedRead(
            {per_period: {("Q1",): 3, ("Q2",): 4}, one: single(9)},
            RuntimeError("database down"),
            {per_period: {("Q2",): 5}, one: single(1)},
        )
        loop = DatabaseGauges("test-gauges", read, interval_seconds=60)
        assert await loop.refresh() is True
        assert _values(per_period) == {("Q1",): 3, ("Q2",): 4} and _values(one) == {(): 9}
        assert await loop.refresh() is False  # the last values stay
        assert _values(per_period) == {("Q1",): 3, ("Q2",): 4} and _values(one) == {(): 9}
        assert await loop.refresh() is True
        assert _values(per_period) == {("Q2",): 5} and _values(one) == {(): 1}
        assert loop.refreshed == 2

    async def test_runs_at_once_keeps_running_through_failures_and_stops_promptly(self, gauges):
        per_period, _ = gauges
        read = ScriptedRead(RuntimeError("down"), {per_period: {("Q1",): 1}})
        loop = DatabaseGauges("test-gauges", read, interval_seconds=0.05)
        await loop.start()
        for _ in range(100):
            if loop.refreshed:
                break
            await asyncio.sleep(0.02)
        assert loop.is_running() and read.calls >= 2 and _values(per_period) == {("Q1",): 1}
        slow = DatabaseGauges("test-slow", ScriptedRead({}), interval_seconds=3600)
        await slow.start()
        await asyncio.sleep(0.05)
        await asyncio.wait_for(asyncio.gather(loop.stop(), slow.stop()), 2)  # a long pause does not delay stop
        assert not loop.is_running() and not slow.is_running()

    def test_by_label_fills_known_values_with_zero(self):
        assert by_label({"active": 3, "odd": 1}, ("pending", "active")) == {
            ("pending",): 0.0, ("active",): 3.0, ("odd",): 1.0
        }

    def test_the_interval_is_a_setting(self, monkeypatch):
        monkeypatch.setenv("HABITAT_METRICS_REFRESH_SECONDS", "2.5")
        assert DatabaseGauges("x", ScriptedRead({}))._interval == 2.5
        monkeypatch.delenv("HABITAT_METRICS_REFRESH_SECONDS")
        assert DatabaseGauges("x", ScriptedRead({}))._interval == 15.0


def _values(gauge: Gauge) -> dict[tuple[str, ...], float]:
    return {
        tuple(s.labels[name] for name in gauge._labelnames): s.value
        for metric in gauge.collect()
        for s in metric.samples
    }
