"""Alembic environment for the `notifications` schema (async; own version table; other schemas ignored)."""

from habitat_common.migrations import run_migrations
from habitat_notifications.adapters.orm import metadata
from habitat_notifications.config import NotificationsSettings

run_migrations(metadata, lambda: NotificationsSettings().database.url.get_secret_value())
