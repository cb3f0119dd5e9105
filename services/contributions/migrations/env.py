"""Alembic environment for the `contributions` schema (async; own version table; other schemas ignored)."""

from habitat_common.migrations import run_migrations
from habitat_contributions.adapters.orm import metadata
from habitat_contributions.config import ContributionsSettings

run_migrations(metadata, lambda: ContributionsSettings().database.url.get_secret_value())
