"""identity's metrics against PostgreSQL: sign-in attempts and imports through the HTTP API, and the members gauge
the worker reads from known rows."""

import uuid

import pytest
from habitat_identity.entrypoints.gauges import identity_gauges
from prometheus_client import REGISTRY
from sqlalchemy import text

from tests.integration.conftest import a_stored_member, bearer

pytestmark = pytest.mark.integration
ROSTER = b"email,display_name,role,joined_at\nada@example.org,Ada King,steward,2026-01-05\nbob@example.org,Bob Smith,member,\n"
BAD_ROSTER = b"email,display_name,role,joined_at\nnot-an-email,Ada King,steward,2026-01-05\nbob@example.org,,wizard,\n"


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def snapshot(name: str, label: str, values: tuple[str, ...]) -> dict[str, float]:
    return {v: value(name, **{label: v}) for v in values}


async def login(client, email: str, password: str):
    return await client.post("/auth/login", json={"email": email, "password": password})


class TestSignIn:
    async def test_each_attempt_counts_once_by_outcome(self, app, client):
        for outcome in ("success", "failure", "throttled"):
            assert REGISTRY.get_sample_value("habitat_signin_attempts_total", {"outcome": outcome}) is not None
        member, temporary = await a_stored_member(app)
        outcomes = ("success", "failure", "throttled")
        before = snapshot("habitat_signin_attempts_total", "outcome", outcomes)
        assert (await login(client, member.email, temporary)).status_code == 200
        assert (await login(client, "nobody@example.org", "whatever it is")).status_code == 401
        codes = [(await login(client, member.email, "wrong password here")).status_code for _ in range(8)]
        assert 429 in codes
        after = snapshot("habitat_signin_attempts_total", "outcome", outcomes)
        change = {k: after[k] - before[k] for k in outcomes}
        assert change == {"success": 1, "failure": 1 + codes.count(401), "throttled": codes.count(429)}


class TestImports:
    async def test_real_imports_count_outcome_and_rows_dry_runs_do_not(self, local_client, local_keys):
        admin = local_keys.mint(uuid.uuid4(), "admin")
        labels = {"service": "identity", "kind": "members"}
        names = [
            ("habitat_imports_total", {"outcome": "committed"}),
            ("habitat_imports_total", {"outcome": "refused"}),
            ("habitat_import_rows_total", {"outcome": "accepted"}),
            ("habitat_import_rows_total", {"outcome": "rejected"}),
            ("habitat_import_duration_seconds_count", {}),
        ]
        before = [value(name, **labels, **extra) for name, extra in names]

        async def upload(data: bytes, dry_run: bool):
            return await local_client.post(
                "/members/import", params={"dry_run": str(dry_run).lower()}, content=data,
                headers={**bearer(admin), "Content-Type": "text/csv"},
            )

        assert (await upload(ROSTER, True)).status_code == 200
        assert (await upload(ROSTER, False)).status_code == 200
        assert (await upload(BAD_ROSTER, False)).status_code == 422
        after = [value(name, **labels, **extra) for name, extra in names]
        assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 2, 2, 2]


class TestMembersGauge:
    async def test_members_by_status_from_known_rows(self, app):
        for _ in range(3):
            await a_stored_member(app)  # pending until they change their password
        active, _ = await a_stored_member(app)
        gone, _ = await a_stored_member(app)
        async with app.state.container.engine.begin() as connection:
            await connection.execute(text("UPDATE identity.member SET status = 'active' WHERE id = :id"), {"id": active.id})
            await connection.execute(text("UPDATE identity.member SET status = 'inactive' WHERE id = :id"), {"id": gone.id})
        loop = identity_gauges(app.state.container.engine, interval_seconds=60)
        assert await loop.refresh() is True
        assert snapshot("habitat_members", "status", ("pending", "active", "inactive")) == {
            "pending": 3, "active": 1, "inactive": 1
        }
        async with app.state.container.engine.begin() as connection:
            await connection.execute(text("UPDATE identity.member SET status = 'active'"))
        assert await loop.refresh() is True
        assert snapshot("habitat_members", "status", ("pending", "active", "inactive")) == {
            "pending": 0, "active": 5, "inactive": 0
        }
