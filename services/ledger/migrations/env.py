"""Alembic environment for the `ledger` schema (async; own version table; other schemas ignored)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from habitat_ledger.adapters.orm import metadata as target_metadata
from habitat_ledger.bootstrap import get_settings

config = context.config
SCHEMA = target_metadata.schema


def database_url() -> str:
    """An explicit URL (tests set config.attributes["database_url"]) or LEDGER_DATABASE__URL."""
    return config.attributes.get("database_url") or get_settings().database.url.get_secret_value()


def include_name(name, type_, parent_names) -> bool:
    return name == SCHEMA if type_ == "schema" else True


def configure(**kwargs) -> None:
    context.configure(
        target_metadata=target_metadata,
        version_table_schema=SCHEMA,
        include_schemas=True,
        include_name=include_name,
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    configure(url=database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.execute(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    configure(connection=connection)
    with context.begin_transaction():
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_async_engine(database_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
