"""Alembic environment for the `ledger` schema (async; own version table; other schemas ignored)."""

from habitat_common.migrations import run_migrations

from habitat_ledger.adapters.orm import metadata
from habitat_ledger.bootstrap import get_settings

run_migrations(metadata, lambda: get_settings().database.url.get_secret_value())
