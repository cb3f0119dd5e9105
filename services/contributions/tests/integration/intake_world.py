"""A co-op's rows for the intake dashboard's tests, written straight to the tables, and the figures they must
give computed in Python from the rows alone (an oracle worded independently of the SQL)."""

from __future__ import annotations

import random
import statistics
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import text

from habitat_contributions.bootstrap import Container
from habitat_contributions.service_layer.ports import IntakeFigures, MemberContact, ReviewerCounts
from tests.builders import T0

# Ties and None on purpose: the lists are ordered by name, then id. One case and no spaces, so that any
# collation orders them as Python does.
NAMES = ("Ada", "Ada", "Bea", "Cal", "Dee", "Eve", None)
TYPES = ("labor", "capital", "property")
STATUSES = ("pending", "approved", "rejected", "clarification_requested")
DECIDED = ("approved", "rejected")


@dataclass
class Member:
    member_id: uuid.UUID
    display_name: str | None
    email: str | None
    status: str | None = "active"
    role: str = "member"


@dataclass
class Row:
    """A contribution with its children: approvals as (reviewer, imported), messages as (kind, author)."""

    period_id: uuid.UUID
    member_id: uuid.UUID
    type: str = "capital"
    status: str = "pending"
    value: Decimal = Decimal("10.00")
    waited: timedelta | None = None  # decided_at - submitted_at; None: undecided, or decided with no time
    decided_by: uuid.UUID | None = None
    imported: bool = False
    approvals: list[tuple[uuid.UUID, bool]] = field(default_factory=list)
    messages: list[tuple[str, uuid.UUID]] = field(default_factory=list)
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass
class World:
    members: list[Member] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


def random_world(rng: random.Random, period_id: uuid.UUID, other_period: uuid.UUID) -> World:
    """Members active and not (some without a status), stewards, a reviewer the replica does not know, and
    contributions of every type and status in the period and in another, with approvals and messages."""
    world = World()
    for n in range(rng.randint(8, 25)):
        status = rng.choice(["active"] * 5 + ["deactivated", "suspended", None])
        email = None if n % 7 == 3 else f"m{n}@example.coop"
        world.members.append(Member(_id(rng), rng.choice(NAMES), email, status))
    stewards = [Member(_id(rng), rng.choice(NAMES), f"s{n}@example.coop", rng.choice(["active", "deactivated"]),
                       "steward") for n in range(3)]  # fmt: skip
    world.members += stewards
    reviewers = [s.member_id for s in stewards] + [_id(rng)]
    contributors = [m.member_id for m in world.members] + [_id(rng)]  # one unknown to the replica
    for _ in range(rng.randint(0, 60)):
        row = Row(
            period_id=rng.choice([period_id] * 3 + [other_period]),
            member_id=rng.choice(contributors),
            type=rng.choice(TYPES),
            status=rng.choice(STATUSES),
            value=Decimal(rng.randint(1, 100_000)) / 100,
        )
        if row.status in DECIDED:
            row.decided_by = rng.choice(reviewers)
            row.waited = None if rng.random() < 0.1 else timedelta(seconds=rng.uniform(1, 900_000))
            row.imported = rng.random() < 0.2
        if row.status == "approved":
            approvers = rng.sample(reviewers, rng.randint(1, 2))
            row.approvals = [(r, row.imported and rng.random() < 0.7) for r in approvers]
        for _ in range(rng.choice([0, 0, 1, 3])):
            row.messages.append((rng.choice(["question", "answer", "note"]), rng.choice(reviewers + [row.member_id])))
        world.rows.append(row)
    return world


def _id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


MEMBER = text(
    "INSERT INTO contributions.member_replica (member_id, email, display_name, role, status, updated_at)"
    " VALUES (:member_id, :email, :display_name, :role, :status, :at)"
)
CONTRIBUTION = text(
    "INSERT INTO contributions.contribution (id, member_id, period_id, type, contributed_on, description, hours,"
    " rate, amount, fair_market_value, adjusted_basis, value, book_amount, tax_amount, status, submitted_at,"
    " decided_at, decided_by, approvals_required, import_id) VALUES (:id, :member_id, :period_id, :type,"
    " date '2026-02-10', 'Seeded for the dashboard', :hours, :rate, :amount, :fmv, :basis, :value, :book, :tax,"
    " :status, :submitted_at, :decided_at, :decided_by, 1, :import_id)"
)
APPROVAL = text(
    "INSERT INTO contributions.contribution_approval (contribution_id, reviewer_id, approved_at, imported,"
    " imported_by) VALUES (:contribution_id, :reviewer_id, :at, :imported, :imported_by)"
)
MESSAGE = text(
    "INSERT INTO contributions.contribution_message (contribution_id, kind, author_id, written_at, text)"
    " VALUES (:contribution_id, :kind, :author_id, :at, 'Seeded message')"
)


async def store(container: Container, world: World) -> None:
    """Write the world's rows as they are (no use case: the dashboard reads whatever the tables hold)."""
    members = [vars(m) | {"at": T0} for m in world.members]
    rows = [_contribution(row, n) for n, row in enumerate(world.rows)]
    approvals = [
        {"contribution_id": r.id, "reviewer_id": who, "at": T0, "imported": imp, "imported_by": who if imp else None}
        for r in world.rows
        for who, imp in r.approvals
    ]
    messages = [
        {"contribution_id": r.id, "kind": kind, "author_id": author, "at": T0}
        for r in world.rows
        for kind, author in r.messages
    ]
    async with container.engine.begin() as conn:
        for statement, values in ((MEMBER, members), (CONTRIBUTION, rows), (APPROVAL, approvals), (MESSAGE, messages)):
            if values:
                await conn.execute(statement, values)


def _contribution(row: Row, n: int) -> dict:
    submitted_at = T0 + timedelta(minutes=n)
    labor, capital, property_ = (row.type == kind for kind in TYPES)
    return {
        "id": row.id,
        "member_id": row.member_id,
        "period_id": row.period_id,
        "type": row.type,
        "hours": Decimal(1) if labor else None,
        "rate": row.value if labor else None,
        "amount": row.value if capital else None,
        "fmv": row.value if property_ else None,
        "basis": Decimal(0) if property_ else None,
        "value": row.value,
        "book": Decimal(0) if labor else row.value,
        "tax": row.value if capital else Decimal(0),
        "status": row.status,
        "submitted_at": submitted_at,
        "decided_at": submitted_at + row.waited if row.waited is not None else None,
        "decided_by": row.decided_by,
        "import_id": uuid.uuid4() if row.imported else None,
    }


def expected_figures(world: World, period_id: uuid.UUID) -> IntakeFigures:
    """The dashboard's figures for the period, from the rows alone."""
    rows = [r for r in world.rows if r.period_id == period_id]
    active = [m for m in world.members if m.status == "active"]
    submitters = {r.member_id for r in rows}
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.type, row.status), []).append(row)
    hours = [r.waited.total_seconds() / 3600 for r in rows if r.status in DECIDED and r.waited is not None]
    return IntakeFigures(
        active_members=len(active),
        members_with_submissions=sum(m.member_id in submitters for m in active),
        by_type_status=sorted((t, s, len(g), sum((r.value for r in g), Decimal(0))) for (t, s), g in groups.items()),
        mean_hours_to_decision=statistics.fmean(hours) if hours else None,
        p95_hours_to_decision=_p95(hours),
        per_reviewer=_reviewers(world, rows),
        not_submitted=[
            MemberContact(m.member_id, m.display_name, m.email)
            for m in sorted(active, key=_by_name)
            if m.member_id not in submitters
        ],
    )


def _p95(hours: list[float]) -> float | None:
    if len(hours) < 2:
        return hours[0] if hours else None
    return statistics.quantiles(hours, n=20, method="inclusive")[18]  # linear, at 0.95 * (n - 1)


def _reviewers(world: World, rows: list[Row]) -> list[ReviewerCounts]:
    approved = Counter(who for r in rows if r.status == "approved" for who, imported in r.approvals if not imported)
    rejected = Counter(r.decided_by for r in rows if r.status == "rejected" and not r.imported)
    asked = Counter(author for r in rows for kind, author in r.messages if kind == "question")
    names = {m.member_id: m.display_name for m in world.members}
    counts = [
        ReviewerCounts(who, names.get(who), approved[who], rejected[who], asked[who])
        for who in approved.keys() | rejected.keys() | asked.keys()
    ]
    return sorted(counts, key=lambda c: (c.display_name is None, c.display_name or "", c.reviewer_id))


def _by_name(member: Member) -> tuple:
    return member.display_name is None, member.display_name or "", member.member_id
