"""SQLAlchemy repositories: they take the unit of work's session and never commit."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.orm import account, patronage, patronage_total, period
from habitat_ledger.domain.close.proposal import PatronageSnapshot
from habitat_ledger.domain.journal.transactions import Account, AccountRef
from habitat_ledger.domain.periods.period import Period
from habitat_ledger.service_layer.close.ports import PatronageTotal

# The period's running totals (kept by a trigger on patronage, migration 0007), one row per member,
# and the fingerprint of its groups exactly as domain.close.proposal.groups_sha256 builds it (the lines in
# member id then type order: uuid order is byte order, and "C" collation is byte order).
SNAPSHOT_VALUES = text(
    "SELECT member_id, sum(value) FILTER (WHERE type = 'capital'), sum(value) FILTER (WHERE type = 'labor'),"
    " sum(value) FILTER (WHERE type = 'property')"
    " FROM ledger.patronage_total WHERE period_id = :period_id GROUP BY member_id"
)
SNAPSHOT_TYPES = ("capital", "labor", "property")  # SNAPSHOT_VALUES' columns, in the order allocations show them
SNAPSHOT_GROUPS = text(
    "SELECT max(through_seq), COALESCE(sum(count), 0)::bigint, encode(sha256(convert_to(COALESCE(string_agg("
    "member_id::text || E'\\t' || type || E'\\t' || count || E'\\t' || value || E'\\t' || id_digest || E'\\n', ''"
    " ORDER BY member_id, type COLLATE \"C\"), ''), 'UTF8')), 'hex')"
    " FROM ledger.patronage_total WHERE period_id = :period_id"
)
ADDED_AFTER = text(
    "SELECT EXISTS (SELECT 1 FROM ledger.patronage WHERE period_id = :period_id AND seq > :through_seq)"
)
CONTRIBUTION_IDS = text(
    "SELECT contribution_id FROM ledger.patronage WHERE period_id = :period_id AND seq <= :through_seq"
    " ORDER BY contribution_id"
)


class SqlAlchemyPeriodRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, new: Period) -> None:
        self.session.add(new)

    async def get(self, period_id: uuid.UUID, *, for_update: bool = False) -> Period | None:
        return await self.session.get(Period, period_id, with_for_update=for_update or None, populate_existing=for_update)

    async def list(self) -> list[Period]:
        return list((await self.session.scalars(select(Period).order_by(period.c.starts_on))).all())

    async def find_by_name(self, name: str) -> Period | None:
        return (await self.session.scalars(select(Period).where(period.c.name == name))).first()

    async def find_overlapping(self, starts_on: date, ends_on: date) -> Period | None:
        query = select(Period).where(period.c.starts_on <= ends_on, period.c.ends_on >= starts_on).limit(1)
        return (await self.session.scalars(query)).first()


class SqlAlchemyAccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ensure(self, ref: AccountRef) -> Account:
        # Upsert by code: concurrent first uses from two workers both end up with the same row.
        fresh = Account.from_ref(ref)
        await self.session.execute(
            insert(account)
            .values(id=fresh.id, code=fresh.code, kind=str(fresh.kind), member_id=fresh.member_id)
            .on_conflict_do_nothing(index_elements=[account.c.code])
        )
        return (await self.session.scalars(select(Account).where(account.c.code == ref.code))).one()

    async def lock(self, ref: AccountRef) -> Account:
        """The account, created if missing, locked until the transaction ends: whoever checks its balance
        before posting against it holds this, so two such checks never both pass on the same money."""
        await self.ensure(ref)
        return (await self.session.scalars(select(Account).where(account.c.code == ref.code).with_for_update())).one()

    async def ensure_many(self, refs: list[AccountRef]) -> dict[str, Account]:
        """Every account named, created where missing, in two statements whatever their number."""
        unique = {ref.code: Account.from_ref(ref) for ref in refs}
        if not unique:
            return {}
        await self.session.execute(
            insert(account).on_conflict_do_nothing(index_elements=[account.c.code]),
            [{"id": a.id, "code": a.code, "kind": str(a.kind), "member_id": a.member_id} for a in unique.values()],
        )
        found = await self.session.scalars(select(Account).where(account.c.code.in_(list(unique))))
        return {a.code: a for a in found}


class SqlAlchemyPatronageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def totals(self, period_id: uuid.UUID) -> list[PatronageTotal]:
        query = (
            select(patronage_total.c.member_id, patronage_total.c.type, patronage_total.c.count, patronage_total.c.value)
            .where(patronage_total.c.period_id == period_id)
        )
        return [PatronageTotal(*row) for row in (await self.session.execute(query)).all()]

    async def count(self, period_id: uuid.UUID) -> int:
        return await self.session.scalar(select(func.count()).where(patronage.c.period_id == period_id))

    async def snapshot(self, period_id: uuid.UUID) -> PatronageSnapshot:
        params = {"period_id": period_id}
        through_seq, count, fingerprint = (await self.session.execute(SNAPSHOT_GROUPS, params)).one()
        values = {
            member: {t: v for t, v in zip(SNAPSHOT_TYPES, by_type, strict=True) if v is not None}
            for member, *by_type in (await self.session.execute(SNAPSHOT_VALUES, params)).all()
        }
        return PatronageSnapshot(through_seq, count, values, fingerprint)

    async def added_after(self, period_id: uuid.UUID, through_seq: int | None) -> bool:
        return bool(await self.session.scalar(ADDED_AFTER, {"period_id": period_id, "through_seq": through_seq or 0}))

    async def contribution_ids(self, period_id: uuid.UUID, through_seq: int | None) -> list[uuid.UUID]:
        found = await self.session.scalars(CONTRIBUTION_IDS, {"period_id": period_id, "through_seq": through_seq or 0})
        return list(found)
