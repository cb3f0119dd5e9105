"""`GET /member-changes?after=`: the service's member change feed (habitat_common.member_changes), for the gateway.

Internal network only, like identity's revocation feed: Caddy routes nothing but the gateway, and an answer
names members and ids, never what changed.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from habitat_common.member_changes import member_changes_after
from habitat_common.read_pool import ReadPool

MAX_CURSOR = 2**63 - 1


class MemberChange(BaseModel):
    id: int = Field(description="The change's place in the feed (a sequence: taken before commit, so an entry may"
                                " appear behind one already read)")
    member_id: uuid.UUID = Field(description="A member whose dashboard the committed write changed")


class MemberChangePage(BaseModel):
    cursor: int = Field(description="Ask from here next time (the last id given, or the one asked from)")
    changes: list[MemberChange]
    reset: bool = Field(
        default=False,
        description="The cursor asked from is beyond every id this feed ever issued (its database was restored to an"
        " earlier state): forget what was learnt from it and start over from `cursor`",
    )


def member_changes_router(reads: ReadPool, schema: str) -> APIRouter:
    """The feed's route on the service's read pool."""
    router = APIRouter(tags=["internal"])

    @router.get("/member-changes", response_model=MemberChangePage)
    async def member_changes(
        after: int = Query(default=0, ge=0, le=MAX_CURSOR, description="The cursor of the previous answer; 0 from"
                                                                         " scratch (the last minute only)"),
    ) -> MemberChangePage:
        """Members changed by committed writes, by id after the cursor (at most 1,000 an answer)."""
        page = await member_changes_after(reads, schema, after)
        return MemberChangePage(
            cursor=page.cursor, changes=[MemberChange(**change) for change in page.changes], reset=page.reset
        )

    return router
