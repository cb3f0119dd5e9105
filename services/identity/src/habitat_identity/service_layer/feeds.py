"""Use cases that read the append-only records: the revocation feed and the audit log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from habitat_identity.domain.integrity import IntegrityCheck
from habitat_identity.domain.model import AuditEntry, Revocation
from habitat_identity.service_layer.ports import UnitOfWork

# Older entries cannot matter: every access token they could refuse has expired (TTL <= 15 min).
FEED_HORIZON = timedelta(minutes=30)
FEED_PAGE = 1000


async def revocations_after(
    cursor: int, uow: UnitOfWork, now: datetime
) -> tuple[int, list[Revocation], bool]:
    """Revocations with id > cursor, by id; from scratch (cursor 0) only the last 30 minutes; (new cursor, entries,
    reset). Reset, with the last issued id as the cursor, when the cursor is beyond every id the feed issued: the
    database went back in time (a restored backup) and the poller must read it again from scratch."""
    since = now - FEED_HORIZON if cursor <= 0 else None
    async with uow:
        entries = await uow.revocations.after(max(cursor, 0), since=since, limit=FEED_PAGE)
        if entries:
            return entries[-1].id, entries, False
        if cursor > 0 and (last := await uow.revocations.last_issued_id()) < cursor:
            return last, [], True
    return cursor, entries, False


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    more: bool  # entries follow this page
    names: dict[uuid.UUID, str]  # display names of the page's actors and subjects (members only)


async def read_audit_log(
    uow: UnitOfWork,
    *,
    limit: int,
    offset: int,
    subject_id: uuid.UUID | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    q: str | None = None,
) -> AuditPage:
    """One page of the audit log, newest first then by id, after that (at, id) if given; the total, whether more
    entries follow the page, and who acted and was acted on by name; q searches the action and the people by
    email or name."""
    async with uow:
        found, total = await uow.audit.list(limit=limit + 1, offset=offset, subject_id=subject_id, after=after, q=q)
        entries = found[:limit]
        people = {e.actor_id for e in entries if e.actor_id} | {e.subject_id for e in entries if e.subject_id}
        names = await uow.members.names(people)
    return AuditPage(entries, total, len(found) > limit, names)


async def integrity_checks(uow: UnitOfWork) -> list[IntegrityCheck]:
    """The member registry's integrity checks (valid and unique emails, roles, statuses, an admin)."""
    async with uow:
        return await uow.integrity.run()
