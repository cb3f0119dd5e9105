"""The contributions list, the review queue and one contribution as read models on the process's asyncpg read
pool: one column-level statement in autocommit, rows as plain mappings (no ORM entity, no unit of work around it;
habitat_common.read_pool says what that saves). A period's intake figures are read on the same pool, in one
snapshot, by adapters.intake.

A page with its approvals, revisions and thread, and the count of all that match, comes back in one
round trip; each row's children travel as one JSON document built by PostgreSQL, their times in UTC
ISO form. The statement is plain SQL, written once per combination of filters: building and keying a
SQLAlchemy expression of this size cost more per request than running it. The rules stay where they
are: who may see what is decided by the caller (queries.list_contributions, queries.get_contribution),
the current revision by the domain's current_revision, a queued item's age and overdue flag by the domain's
hours_waiting and overdue_for_review (queries.review_queue).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import TextClause, text

from habitat_common.read_pool import ReadPool
from habitat_common.web.paging import like_pattern
from habitat_contributions.adapters.intake import intake_figures
from habitat_contributions.adapters.patronage import patronage_figures
from habitat_contributions.domain.model import current_revision
from habitat_contributions.service_layer.ports import ContributionFilter, IntakeFigures, Page, PatronageFigures

FILTERS = ("member_id", "period_id", "status", "type")
ISO_UTC = """'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'"""
COLUMNS = (
    "id, member_id, period_id, type, contributed_on, description, value, book_amount, tax_amount, hours, rate, "
    "amount, fair_market_value, adjusted_basis, status, submitted_at, decided_at, decided_by, decision_note, "
    "corrects_contribution_id, import_reference, approvals_required"
)


def _utc(column: str) -> str:
    return f"to_char({column} AT TIME ZONE 'UTC', {ISO_UTC})"


CHILDREN = f"""json_build_object(
  'approvals', (SELECT coalesce(json_agg(json_build_object(
      'reviewer_id', a.reviewer_id, 'at', {_utc('a.approved_at')}, 'note', a.note, 'imported', a.imported,
      'imported_by', a.imported_by) ORDER BY a.approved_at), '[]')
    FROM contributions.contribution_approval a WHERE a.contribution_id = c.id),
  'revisions', (SELECT coalesce(json_agg(json_build_object(
      'number', r.number, 'fields', r.fields, 'edited_at', {_utc('r.edited_at')}, 'edited_by', r.edited_by)
      ORDER BY r.number), '[]')
    FROM contributions.contribution_revision r WHERE r.contribution_id = c.id),
  'thread', (SELECT coalesce(json_agg(json_build_object(
      'kind', m.kind, 'by', m.author_id, 'at', {_utc('m.written_at')}, 'text', m.text) ORDER BY m.id), '[]')
    FROM contributions.contribution_message m WHERE m.contribution_id = c.id)
)::text"""


# the contributor's display name from the member replica (keyed by member_id), None when it has none
MEMBER_NAME = (
    "(SELECT r.display_name FROM contributions.member_replica r WHERE r.member_id = c.member_id) AS member_name"
)

SEARCH = (
    "(c.description ILIKE :q OR EXISTS (SELECT 1 FROM contributions.member_replica r "
    "WHERE r.member_id = c.member_id AND r.display_name ILIKE :q))"
)


@cache
def _statement(
    filters: tuple[str, ...], newest_first: bool, keyset: bool = False, search: bool = False, named: bool = False
) -> tuple[TextClause, TextClause]:
    """The page query and the bare count, for the filters given (each `column = :column`), the search
    (`:q`) and the keyset position (rows after `(:after_at, :after_id)` in the page's order; the count ignores it);
    named adds each row's member_name."""
    where = " AND ".join([f"c.{name} = :{name}" for name in filters] + ([SEARCH] if search else [])) or "true"
    direction = "DESC" if newest_first else "ASC"
    count = f"SELECT count(*) FROM contributions.contribution c WHERE {where}"
    after = f" AND (c.submitted_at, c.id) {'<' if newest_first else '>'} (:after_at, :after_id)" if keyset else ""
    name = f", {MEMBER_NAME}" if named else ""
    page = (
        f"SELECT {COLUMNS}, {CHILDREN} AS children{name}, ({count}) AS total FROM contributions.contribution c "
        f"WHERE {where}{after} ORDER BY c.submitted_at {direction}, c.id {direction} LIMIT :limit OFFSET :offset"
    )
    return text(page), text(count)


ONE = text(f"SELECT {COLUMNS}, {CHILDREN} AS children FROM contributions.contribution c WHERE c.id = :id")


def _item(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as the API's contribution: the children's document spread into it, the current revision added."""
    item = dict(row)
    item.pop("total", None)
    item |= json.loads(item.pop("children"))
    item["revision"] = current_revision([r["number"] for r in item["revisions"]])
    return item


class PooledContributionViews:
    def __init__(self, reads: ReadPool) -> None:
        self._reads = reads

    async def page(self, where: ContributionFilter, *, newest_first: bool = True, named: bool = False) -> Page:
        """A page of contributions as mappings with the fields of the API's contribution (and, named, the
        contributor's member_name), and the total."""
        params: dict[str, Any] = {name: getattr(where, name) for name in FILTERS if getattr(where, name) is not None}
        page, count = _statement(tuple(params), newest_first, where.after is not None, bool(where.q), named)
        if where.q:
            params["q"] = like_pattern(where.q)
        position = {} if where.after is None else {"after_at": where.after[0], "after_id": where.after[1]}
        rows = await self._reads.fetch(page, params | position | {"limit": where.limit, "offset": where.offset})
        if not rows:
            if where.offset == 0 and where.after is None:
                return Page([], 0)
            # its own statement, as under the engine's READ COMMITTED: it runs only when the page came back empty
            counted = await self._reads.fetchrow(count, params)
            return Page([], counted[0] if counted else 0)
        return Page([_item(row) for row in rows], rows[0]["total"])

    async def contribution(self, contribution_id: uuid.UUID) -> dict[str, Any] | None:
        """One contribution as a mapping with the fields of the API's contribution, or None."""
        row = await self._reads.fetchrow(ONE, {"id": contribution_id})
        return None if row is None else _item(row)

    async def intake(self, period_id: uuid.UUID) -> IntakeFigures:
        """The period's intake figures, in one read-only snapshot (adapters.intake)."""
        return await intake_figures(self._reads, period_id)

    async def patronage(self, member_id: uuid.UUID, day: date) -> PatronageFigures:
        """The member's groups in the period containing day (adapters.patronage)."""
        return await patronage_figures(self._reads, member_id, day)
