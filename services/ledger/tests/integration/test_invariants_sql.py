"""The ledger's trigger functions and triggers are those of migrations/sql/invariants.sql, and only those (issue 18)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from alembic.config import Config
from habitat_common.sql_invariants import drift, round_trip_drift
from habitat_common.testing import temporary_database

from tests.ledger_db import ALEMBIC_INI, in_thread

INVARIANTS = Path(__file__).parents[2] / "migrations" / "sql" / "invariants.sql"
# a definition changed outside the file, and a trigger the file does not know
EDITED_ELSEWHERE = (
    (
        "CREATE OR REPLACE FUNCTION ledger.reject_changed_id() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN RETURN NEW; END $$"
    ),
    (
        "CREATE TRIGGER period_kept BEFORE DELETE ON ledger.period"
        " FOR EACH STATEMENT EXECUTE FUNCTION ledger.reject_referenced_removal()"
    ),
)


async def edited_elsewhere(url: str) -> list[str]:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        for statement in EDITED_ELSEWHERE:
            await connection.execute(statement)
    finally:
        await connection.close()
    return await drift(url, "ledger", INVARIANTS)


class TestInvariantsInOnePlace:
    def test_the_migrated_database_holds_the_files_definitions_and_no_other(self):
        with temporary_database("ledger_invariants") as url:
            config = Config(str(ALEMBIC_INI))
            config.attributes["database_url"] = url
            assert in_thread(lambda: round_trip_drift(config, url, "ledger", INVARIANTS)) == []

            found = [
                problem.split(":")[0] for problem in in_thread(lambda: asyncio.run(edited_elsewhere(url)))
            ]
            assert found == ["ledger.period.period_kept", "ledger.reject_changed_id"]
