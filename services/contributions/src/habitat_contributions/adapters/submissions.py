"""The submit hot path in few round trips: one lookup of member and period, one INSERT of everything new."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Date, Executable, Table, bindparam, insert, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_contributions.adapters import orm
from habitat_contributions.domain.model import Contribution
from habitat_contributions.domain.replicas import PERIOD_OPEN, MemberReplica, PeriodReplica

REPLICAS = ((orm.member_replica, "m", MemberReplica), (orm.period_replica, "p", PeriodReplica))
# The member (if known) and the period containing the day, an open one first, share-locked against sealing.
LOOKUP = (
    text(
        f"""
        SELECT {", ".join(f"{alias}.{col.name} AS {alias}_{col.name}" for table, alias, _ in REPLICAS for col in table.c)}
        FROM (SELECT 1) AS one
        LEFT JOIN {orm.SCHEMA}.member_replica AS m ON m.member_id = :member_id
        LEFT JOIN LATERAL (
            SELECT * FROM {orm.SCHEMA}.period_replica
            WHERE starts_on <= :day AND ends_on >= :day
            ORDER BY CASE WHEN status = '{PERIOD_OPEN}' THEN 0 ELSE 1 END, starts_on
            LIMIT 1
            FOR SHARE
        ) AS p ON true
        """
    )
    .bindparams(bindparam("member_id", type_=UUID(as_uuid=True)), bindparam("day", type_=Date))
    .columns(**{f"{alias}_{col.name}": col.type for table, alias, _ in REPLICAS for col in table.c})
)


class SqlAlchemySubmissionLookups:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def member_and_period(
        self, member_id: uuid.UUID, day: date
    ) -> tuple[MemberReplica | None, PeriodReplica | None]:
        connection = await self._session.connection()
        row = (await connection.execute(LOOKUP, {"member_id": member_id, "day": day})).one()._mapping
        member, period = (
            cls(**{col.name: row[f"{alias}_{col.name}"] for col in table.c})
            if row[f"{alias}_{table.primary_key.columns[0].name}"] is not None
            else None
            for table, alias, cls in REPLICAS
        )
        return member, period


def insert_new(contributions: list[Contribution], outbox_rows: list[dict[str, Any]]) -> tuple[Executable, dict]:
    """One INSERT statement (data-modifying CTEs) writing new contributions, their children and outbox rows,
    with its parameters. Statements are built once per shape (which tables, how many rows) and reused."""
    rows: list[tuple[Table, dict[str, Any]]] = []
    for contribution in contributions:
        rows.append((orm.contribution, _column_values(orm.contribution, contribution, {})))
        parent = {"contribution_id": contribution.id}
        children = (
            (orm.contribution_revision, contribution.revisions, {}),
            (orm.contribution_approval, contribution.approvals, {"approved_at": "at"}),
            (orm.contribution_message, contribution.thread, {"author_id": "by", "written_at": "at"}),
        )
        for table, items, renamed in children:
            rows.extend((table, parent | _column_values(table, item, renamed, skip=parent)) for item in items)
    rows.extend((orm.outbox, row) for row in outbox_rows)
    shape = tuple(table for table, _ in rows)
    statement = _STATEMENTS.get(shape)
    if statement is None:
        statement = _STATEMENTS[shape] = _statement(shape)
    params = {f"{number}_{key}": value for number, (_, values) in enumerate(rows) for key, value in values.items()}
    return statement, params


_STATEMENTS: dict[tuple[Table, ...], Executable] = {}


def _statement(shape: tuple[Table, ...]) -> Executable:
    inserts = [
        insert(table).values(
            {column.key: bindparam(f"{number}_{column.key}", type_=column.type) for column in _written(table)}
        )
        for number, table in enumerate(shape)
    ]
    *ctes, main = inserts
    for number, statement in enumerate(ctes):
        main = main.add_cte(statement.cte(f"new_{number}"))
    return main


def _written(table: Table) -> list:
    """The columns we supply (the outbox's and the thread's generated keys and defaults are the database's)."""
    if table is orm.outbox:
        return [table.c.event_id, table.c.routing_key, table.c.payload, table.c.headers]
    return [column for column in table.columns if column is not table.autoincrement_column]


def _column_values(table: Table, item: Any, renamed: dict[str, str], skip: dict | None = None) -> dict[str, Any]:
    """Column values of a mapped object (attribute names per renamed)."""
    return {
        column.key: getattr(item, renamed.get(column.key, column.key))
        for column in _written(table)
        if not skip or column.key not in skip
    }
