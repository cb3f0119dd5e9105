"""Alembic environment for the identity schema (async; only this schema is compared)."""

from __future__ import annotations

import asyncio

from alembic import context
from habitat_identity.adapters.orm import metadata
from habitat_identity.config import IdentitySettings
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

config = context.config
target_metadata = metadata
SCHEMA = target_metadata.schema


def database_url() -> str:
    # Tests point alembic at their temporary database; everything else reads IDENTITY_DATABASE__URL.
    return config.get_main_option("sqlalchemy.url") or IdentitySettings().database.url.get_secret_value()


def include_name(name, type_, parent_names) -> bool:
    return name == SCHEMA if type_ == "schema" else True


# Only our schema is compared, and alembic_version lives in it (not in public, shared by all services).
OPTIONS = {
    "target_metadata": target_metadata,
    "version_table_schema": SCHEMA,
    "include_schemas": True,
    "include_name": include_name,
    "compare_type": True,
}


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, **OPTIONS)
    with context.begin_transaction():
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_async_engine(database_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(url=database_url(), literal_binds=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
