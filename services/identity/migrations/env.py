"""Alembic environment for the `identity` schema (async; own version table; other schemas ignored)."""

from habitat_common.migrations import run_migrations
from habitat_identity.adapters.orm import metadata
from habitat_identity.config import IdentitySettings

run_migrations(metadata, lambda: IdentitySettings().database.url.get_secret_value())
