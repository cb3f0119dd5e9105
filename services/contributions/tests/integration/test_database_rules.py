"""What PostgreSQL itself refuses about a contribution's approvals and revisions (migration 0005)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

CONTRIBUTION = text(
    "INSERT INTO contributions.contribution (id, member_id, period_id, type, contributed_on, description, amount,"
    " value, book_amount, tax_amount, status, submitted_at, approvals_required)"
    " VALUES (:id, gen_random_uuid(), gen_random_uuid(), 'capital', date '2026-02-10', 'By hand', 10, 10, 10, 10,"
    " 'pending', now(), 1)"
)
APPROVAL = "INSERT INTO contributions.contribution_approval (contribution_id, reviewer_id, approved_at)"
REVISION = "INSERT INTO contributions.contribution_revision (contribution_id, number, fields, edited_at, edited_by)"


async def a_contribution(conn) -> uuid.UUID:
    contribution_id = uuid.uuid4()
    await conn.execute(CONTRIBUTION, {"id": contribution_id})
    return contribution_id


class TestChildrenNameTheirContribution:
    @pytest.mark.parametrize(
        "statement",
        [
            f"{APPROVAL} VALUES (:known, gen_random_uuid(), now()), (:unknown, gen_random_uuid(), now())",
            f"{REVISION} VALUES (:unknown, 1, '{{}}', now(), gen_random_uuid())",
            "UPDATE contributions.contribution_approval SET contribution_id = :unknown WHERE contribution_id = :known",
        ],
    )
    async def test_a_row_naming_an_unknown_contribution_is_refused(self, container, statement):
        unknown = uuid.uuid4()
        async with container.engine.begin() as conn:
            known = await a_contribution(conn)
            await conn.execute(text(f"{APPROVAL} VALUES (:known, gen_random_uuid(), now())"), {"known": known})
        async with container.engine.connect() as conn:
            with pytest.raises(IntegrityError, match=f"{unknown} is not present in contributions.contribution"):
                await conn.execute(text(statement), {"known": known, "unknown": unknown})

    async def test_rows_naming_known_contributions_are_written(self, container):
        async with container.engine.begin() as conn:
            known = await a_contribution(conn)
            await conn.execute(text(f"{APPROVAL} VALUES (:known, gen_random_uuid(), now())"), {"known": known})
            await conn.execute(text(f"{REVISION} VALUES (:known, 1, '{{}}', now(), gen_random_uuid())"), {"known": known})
            counts = await conn.scalar(
                text(
                    "SELECT (SELECT count(*) FROM contributions.contribution_approval WHERE contribution_id = :known)"
                    " + (SELECT count(*) FROM contributions.contribution_revision WHERE contribution_id = :known)"
                ),
                {"known": known},
            )
        assert counts == 2

    @pytest.mark.parametrize(
        "statement",
        [
            "DELETE FROM contributions.contribution",
            "TRUNCATE contributions.contribution CASCADE",
            "UPDATE contributions.contribution SET id = gen_random_uuid()",
        ],
    )
    async def test_contributions_are_never_removed(self, container, statement):
        async with container.engine.begin() as conn:
            await a_contribution(conn)
        async with container.engine.connect() as conn:
            with pytest.raises(DBAPIError, match="never removed|never changes"):
                await conn.execute(text(statement))
            await conn.rollback()
            assert await conn.scalar(text("SELECT count(*) FROM contributions.contribution")) == 1
