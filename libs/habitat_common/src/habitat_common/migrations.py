"""The shared body of every service's Alembic env.py: async, confined to the service's own schema."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from logging.config import fileConfig

from alembic import context
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def run_migrations(target_metadata: MetaData, default_url: Callable[[], str]) -> None:
    """Run the service's migrations offline (SQL) or online, with the version table in its schema.

    Tests hand a URL in through config.attributes["database_url"] (or sqlalchemy.url); otherwise the
    service's settings supply it. Other services' schemas are invisible, so autogenerate never
    proposes dropping their tables.
    """
    config = context.config
    schema = target_metadata.schema
    if config.config_file_name and config.attributes.get("configure_logger", True):
        fileConfig(config.config_file_name, disable_existing_loggers=False)

    def include_name(name, type_, parent_names) -> bool:
        return name == schema if type_ == "schema" else True

    options = {
        "target_metadata": target_metadata,
        "version_table_schema": schema,
        "include_schemas": True,
        "include_name": include_name,
        "compare_type": True,
    }
    url = (
        config.attributes.get("database_url")
        or config.attributes.get("url")
        or config.get_main_option("sqlalchemy.url")
        or default_url()
    )

    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"}, **options)
        with context.begin_transaction():
            context.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            context.run_migrations()
        return

    def run(connection: Connection) -> None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            # the schema's owner role may not create schemas: provisioning made it, IF NOT EXISTS still checks
            if connection.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first() is None:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    asyncio.run(run_async())
