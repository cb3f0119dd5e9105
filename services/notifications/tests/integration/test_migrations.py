import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from habitat_common.testing import temporary_database
from habitat_notifications.adapters.orm import SCHEMA, metadata
from tests.integration.conftest import alembic_config


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


class TestMigrations:
    def test_stairway_up_down_up_and_metadata_matches(self):
        with temporary_database("notifications_stairway") as url:
            config = alembic_config(url)
            command.upgrade(config, "head")
            command.downgrade(config, "base")
            command.upgrade(config, "head")
            assert schema_diff(url) == []
