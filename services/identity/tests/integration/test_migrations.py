import asyncio

import asyncpg
import pytest
from habitat_common.testing import temporary_database

from tests.integration.conftest import in_thread, run_alembic

pytestmark = pytest.mark.integration
EXPECTED = {
    "member",
    "refresh_token",
    "signing_key",
    "audit_log",
    "outbox",
    "inbox",
    "revocation",
    "login_throttle",
    "password_token",
    "member_change",
    "alembic_version",
}


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = 'identity'")
        return {row["table_name"] for row in rows}
    finally:
        await conn.close()


def identity_tables(url: str) -> set[str]:
    return in_thread(asyncio.run, _tables(url))


class TestMigrations:
    def test_stairway_upgrade_downgrade_upgrade(self):
        with temporary_database("identity_stairway") as url:
            run_alembic(url, "upgrade", "head")
            assert identity_tables(url) == EXPECTED
            run_alembic(url, "downgrade", "base")
            assert identity_tables(url) == {"alembic_version"}
            run_alembic(url, "upgrade", "head")
            assert identity_tables(url) == EXPECTED
            run_alembic(url, "check", None)  # the migrations build exactly what the ORM metadata declares
