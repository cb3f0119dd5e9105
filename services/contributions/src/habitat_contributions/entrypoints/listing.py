"""Filtering and keyset paging shared by the contribution list and the review queue."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Query

from habitat_common.web.inputs import Limit, Offset, Text
from habitat_common.web.paging import aware_datetime, decode_cursor, encode_cursor
from habitat_contributions.entrypoints.schemas import StatusName, TypeName
from habitat_contributions.service_layer.ports import ContributionFilter


async def contribution_filter(
    member_id: uuid.UUID | None = None,
    period_id: uuid.UUID | None = None,
    status: StatusName | None = None,
    type: TypeName | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    q: Annotated[Text | None, Query(max_length=200, description="Part of the description or member's name")] = None,
) -> ContributionFilter:
    """The list filter from the query string."""
    return ContributionFilter(
        member_id=member_id, period_id=period_id, status=status, type=type, limit=limit, offset=offset, q=q or None
    )


def positioned_after(where: ContributionFilter, cursor: str | None, kind: str) -> ContributionFilter:
    """The filter positioned after the (submitted_at, id) in a cursor of this list (422 invalid_cursor if not)."""
    return replace(where, after=decode_cursor(cursor, kind, aware_datetime, uuid.UUID)) if cursor else where


def next_cursor(kind: str, last: Any, more: bool) -> str | None:
    """The cursor after a page's last row (an entity or the read model's mapping), None on the last page."""
    if not more:
        return None
    submitted_at, row_id = (last["submitted_at"], last["id"]) if isinstance(last, dict) else (last.submitted_at, last.id)
    return encode_cursor(kind, submitted_at, row_id)


Filter = Annotated[ContributionFilter, Depends(contribution_filter)]
