"""GET /integrity: consistency checks over the stored contributions and approved totals per member."""

import uuid

import pytest
from sqlalchemy import text

from tests.integration.imports import coop, csv_file, post_import, row
from tests.integration.test_http import auth

pytestmark = pytest.mark.integration

BAD_ROW = """
INSERT INTO contributions.contribution (id, member_id, period_id, type, contributed_on, description, hours, rate,
    amount, value, book_amount, tax_amount, status, submitted_at, decided_at, decided_by, approvals_required)
VALUES (:id, :member, :period, :type, date '2026-02-10', 'Inserted by hand', :hours, :rate, :amount, :value,
        :book, :book, :status, now(), NULL, NULL, 1)
"""
TYPE_CONSTRAINT = "ck_contribution_ck_contribution_type"


async def insert(container, **values) -> uuid.UUID:
    params = {"id": uuid.uuid4(), "hours": None, "rate": None, "amount": None, "book": 0, "status": "pending"}
    params |= values
    async with container.engine.begin() as conn:
        await conn.execute(text(BAD_ROW), params)
    return params["id"]


async def report(client, keys, admin) -> tuple[dict, list]:
    response = await client.get("/integrity", headers=auth(keys, admin, "admin"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["service"] == "contributions"
    return {check["name"]: check for check in body["checks"]}, body["approved_totals"]


class TestIntegrity:
    async def test_a_clean_import_passes_every_check_and_totals_approved_rows(self, client, keys, container):
        c = await coop(container)
        data = csv_file(row("I-1"), row("I-2", type="capital", amount="50.25"), row("I-3", status="pending"))
        assert (await post_import(client, keys, c.ada, data)).status_code == 200
        checks, totals = await report(client, keys, c.ada)
        assert {
            "orphaned_contributions",
            "approved_have_decision",
            "positive_amounts",
            "valid_types",
            "valid_statuses",
            "labor_has_hours_and_rate",
            "value_matches_inputs",
        } <= set(checks)
        assert all(check["passed"] and check["failures"] == 0 and check["examples"] == [] for check in checks.values())
        assert all(check["description"].endswith(".") for check in checks.values())
        assert totals == [
            {"member_id": str(c.ana), "count": 2, "value": "850.25", "book_amount": "50.25", "tax_amount": "50.25"}
        ]

    async def test_rows_written_behind_the_service_are_caught_and_named(self, client, keys, container):
        c = await coop(container)
        stranger = uuid.uuid4()
        orphan = await insert(
            container, member=stranger, period=c.q1, type="capital", amount=10, value=10, book=10, status="approved"
        )
        overvalued = await insert(container, member=c.ana, period=c.q1, type="labor", hours=8, rate=100, value=999)
        negative = await insert(container, member=c.ana, period=c.q1, type="capital", amount=-5, value=-5, book=-5)
        async with container.engine.begin() as conn:
            await conn.execute(text(f"ALTER TABLE contributions.contribution DROP CONSTRAINT {TYPE_CONSTRAINT}"))
        try:
            gift = await insert(container, member=c.ana, period=c.q1, type="gift", amount=1, value=1, book=1)
            checks, totals = await report(client, keys, c.ada)
        finally:
            async with container.engine.begin() as conn:
                await conn.execute(text("SET LOCAL session_replication_role = replica"))  # never removed otherwise
                await conn.execute(text("DELETE FROM contributions.contribution WHERE type = 'gift'"))
                await conn.execute(
                    text(
                        f"ALTER TABLE contributions.contribution ADD CONSTRAINT {TYPE_CONSTRAINT}"
                        " CHECK (type IN ('labor', 'capital', 'property'))"
                    )
                )
        failed = {name: check["examples"] for name, check in checks.items() if not check["passed"]}
        assert set(failed) == {
            "orphaned_contributions",
            "approved_have_decision",
            "approved_have_approvals",
            "positive_amounts",
            "valid_types",
            "value_matches_inputs",
            "capital_credits_follow_type",
        }
        assert failed["orphaned_contributions"] == [f"{orphan}: unknown member {stranger}"]
        assert failed["approved_have_decision"] == failed["approved_have_approvals"] == [str(orphan)]
        assert failed["positive_amounts"] == [f"{negative}: value -5.00"]
        assert failed["valid_types"] == [f"{gift}: type gift"]
        assert f"{overvalued}: value 999.00, expected 800.00" in failed["value_matches_inputs"]
        assert checks["value_matches_inputs"]["failures"] == 2  # and the unknown type has no expected value
        assert totals == [
            {"member_id": str(stranger), "count": 1, "value": "10.00", "book_amount": "10.00", "tax_amount": "10.00"}
        ]

    async def test_only_admins_see_it(self, client, keys, container):
        response = await client.get("/integrity", headers=auth(keys, uuid.uuid4(), "steward"))
        assert response.status_code == 403
