import asyncio
import uuid

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from habitat_common.testing import temporary_database
from habitat_contributions.adapters.orm import SCHEMA, metadata
from tests.integration.conftest import alembic_config

PERIOD_MEMBER_INDEX = (
    "SELECT indexdef FROM pg_indexes WHERE schemaname = 'contributions'"
    " AND indexname = 'ix_contribution_period_id_member_id'"
)
PERIOD_MEMBER_INDEX_DEFINITION = (
    "CREATE INDEX ix_contribution_period_id_member_id ON contributions.contribution USING btree (period_id, member_id)"
)
# who has not submitted (the intake dashboard), with the plans that would walk the period another way switched off
NOT_SUBMITTED_PLAN = (
    "EXPLAIN SELECT m.member_id FROM contributions.member_replica m WHERE m.status = 'active' AND NOT EXISTS"
    " (SELECT FROM contributions.contribution s"
    "  WHERE s.period_id = '00000000-0000-0000-0000-00000000beef' AND s.member_id = m.member_id)"
)


def schema_diff(url: str) -> list:
    async def run() -> list:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(
                        MigrationContext.configure(
                            sync,
                            opts={
                                "include_schemas": True,
                                "version_table_schema": SCHEMA,
                                "include_name": lambda n, t, p: n == SCHEMA if t == "schema" else True,
                            },
                        ),
                        metadata,
                    )
                )
        finally:
            await engine.dispose()

    return asyncio.run(run())


def execute(url: str, *statements: str) -> list:
    """Run statements in one transaction; the last one's rows."""

    async def run() -> list:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                for statement in statements:
                    result = await conn.execute(text(statement))
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


class TestMigrations:
    def test_stairway_up_down_up_and_metadata_matches(self):
        with temporary_database("contributions_stairway") as url:
            config = alembic_config(url)
            command.upgrade(config, "head")
            command.downgrade(config, "base")
            command.upgrade(config, "head")
            assert schema_diff(url) == []

    def test_approvals_imported_before_0008_are_marked_with_their_importer(self):
        with temporary_database("contributions_backfill") as url:
            config = alembic_config(url)
            command.upgrade(config, "0007_joined_at_corrections")
            run, admin, steward, imported, live = (uuid.uuid4() for _ in range(5))
            contribution = (
                "INSERT INTO contributions.contribution (id, member_id, period_id, type, contributed_on, description,"
                " amount, value, book_amount, tax_amount, status, submitted_at, decided_at, decided_by,"
                " approvals_required, import_id) VALUES"
                " ('{id}', gen_random_uuid(), gen_random_uuid(), 'capital', '2026-02-10', 'Cash for the roof',"
                " 10, 10, 10, 10, 'approved', now(), now(), '{steward}', 1, {run})"
            )
            statements = [
                f"INSERT INTO contributions.contribution_import VALUES ('{run}', '{admin}', now(), 1, 1)",
                contribution.format(id=imported, steward=steward, run=f"'{run}'"),
                contribution.format(id=live, steward=steward, run="NULL"),
                (
                    "INSERT INTO contributions.contribution_approval (contribution_id, reviewer_id, approved_at)"
                    f" VALUES ('{imported}', '{steward}', now()), ('{live}', '{steward}', now())"
                ),
            ]
            execute(url, *statements)
            command.upgrade(config, "head")
            rows = execute(
                url, "SELECT contribution_id, imported, imported_by FROM contributions.contribution_approval"
            )
            assert sorted(rows, key=lambda r: r[1]) == [(live, False, None), (imported, True, admin)]

    def test_0013_reads_every_contribution_newest_first_off_an_index(self):
        from habitat_contributions.adapters.contribution_views import _statement

        page = _statement((), True)[0].text.replace(":limit", "51").replace(":offset", "0")
        with temporary_database("contributions_newest") as url:
            config = alembic_config(url)
            command.upgrade(config, "0012_member_change_feed")
            before = "\n".join(line for (line,) in execute(url, "EXPLAIN " + page))
            command.upgrade(config, "0013_contribution_newest_index")
            after = "\n".join(line for (line,) in execute(url, "SET LOCAL enable_sort = off", "EXPLAIN " + page))
            assert "ix_contribution_submitted_at_id" not in before
            assert "Index Scan Backward using ix_contribution_submitted_at_id" in after, after
            command.downgrade(config, "0012_member_change_feed")

    def test_0011_indexes_a_periods_contributions_by_member_for_the_not_submitted_lookup(self):
        with temporary_database("contributions_period_member") as url:
            config = alembic_config(url)
            command.upgrade(config, "0010_invariants_in_one_place")
            assert execute(url, PERIOD_MEMBER_INDEX) == []
            command.upgrade(config, "0011_period_member_index")
            assert execute(url, PERIOD_MEMBER_INDEX) == [(PERIOD_MEMBER_INDEX_DEFINITION,)]
            switched_off = [f"SET LOCAL enable_{plan} = off" for plan in ("seqscan", "bitmapscan", "hashjoin")]
            plan = "\n".join(line for (line,) in execute(url, *switched_off, NOT_SUBMITTED_PLAN))
            assert "ix_contribution_period_id_member_id" in plan, plan
            command.downgrade(config, "0010_invariants_in_one_place")
            assert execute(url, PERIOD_MEMBER_INDEX) == []
