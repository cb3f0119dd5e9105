"""The member change feed: which members a service's committed writes changed, for the gateway's dashboard cache.

The gateway keeps each member's dashboard (identity's /me, their latest contributions, their capital statement)
in memory and must drop it when any part changes. identity, contributions and the ledger each keep a
`member_change` table that their database triggers append to in the same transaction as the write, one row per
member per statement (each service's migrations/sql/invariants.sql says which tables): no write path, set-based,
imported or typed by hand in psql, can forget to say so. The service answers `GET /member-changes?after=` from
it (habitat_common.web.member_changes); the gateway polls it about once a second, as every process polls
identity's revocation feed, and re-reads an overlap window for the same reason (ids are taken before commit).

Rows are kept for FEED_RETENTION (the worker's pruner deletes older ones); a poller that starts from scratch
(after=0) is given only the last FEED_START, since it has nothing cached that older changes could concern. A
cursor beyond the last id the feed's sequence ever issued means the database went back in time (a restored
backup): the answer says `reset`, and the poller starts over (habitat_common.feed_polling).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    TextClause,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID

from habitat_common.read_pool import ReadPool

FEED_START = timedelta(seconds=60)
FEED_RETENTION = timedelta(hours=1)
FEED_PAGE = 1000


def _columns() -> list[Column]:
    return [
        Column("id", BigInteger, Identity(), nullable=False),
        Column("member_id", UUID(as_uuid=True), nullable=False),
        Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


def member_change_table(metadata: MetaData) -> Table:
    """The feed's table inside a service's schema; only its triggers write it, only the pruner deletes."""
    return Table("member_change", metadata, *_columns(), PrimaryKeyConstraint("id"), Index(None, "changed_at"))


def last_issued_id(table: str) -> TextClause:
    """The last id the sequence of table's `id` column issued (0 before the first): a cursor beyond it was read
    from a database that has since gone back in time."""
    return text(f"SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')), 0) AS last")


@dataclass(frozen=True)
class FeedPage:
    cursor: int
    changes: list[dict[str, Any]]
    reset: bool = False


@cache  # one clause object per schema: the read pool caches each clause's compiled form
def _statements(schema: str) -> tuple[TextClause, TextClause, TextClause]:
    columns = f"SELECT id, member_id FROM {schema}.member_change"
    after = text(f"{columns} WHERE id > :after ORDER BY id LIMIT :limit")
    recent = text(f"{columns} WHERE changed_at >= now() - make_interval(secs => :start) ORDER BY id LIMIT :limit")
    return after, recent, last_issued_id(f"{schema}.member_change")


async def member_changes_after(reads: ReadPool, schema: str, after: int, *, limit: int = FEED_PAGE) -> FeedPage:
    """Changes with id > after, by id, at most limit (from scratch, after=0: those of the last FEED_START), and
    the cursor to ask from next; reset, with the last issued id as the cursor, when after is beyond it."""
    by_id, recent, last_issued = _statements(schema)
    if after <= 0:
        rows = await reads.fetch(recent, {"start": FEED_START.total_seconds(), "limit": limit})
    else:
        rows = await reads.fetch(by_id, {"after": after, "limit": limit})
    changes = [{"id": row["id"], "member_id": row["member_id"]} for row in rows]
    if changes:
        return FeedPage(changes[-1]["id"], changes)
    if after > 0 and (last := (await reads.fetch(last_issued))[0]["last"]) < after:
        return FeedPage(last, [], reset=True)
    return FeedPage(max(after, 0), [])


def create_member_change_table(schema: str) -> None:
    """In a migration: the feed's table as member_change_table() declares it (the service's invariants.sql then
    defines the triggers that write it)."""
    from alembic import op

    op.create_table("member_change", *_columns(), PrimaryKeyConstraint("id", name="pk_member_change"), schema=schema)
    op.create_index(f"ix_{schema}_member_change_changed_at", "member_change", ["changed_at"], schema=schema)


def drop_member_change_feed(schema: str, functions: tuple[str, ...]) -> None:
    """In a migration's downgrade: the feed's trigger functions (their triggers with them) and its table."""
    from alembic import op

    for function in functions:
        op.execute(f"DROP FUNCTION {schema}.{function}() CASCADE")
    op.drop_table("member_change", schema=schema)
