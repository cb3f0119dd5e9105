"""The intake dashboard's figures, read in one snapshot on the read pool, against figures computed in Python
from the rows; the HTTP answer is exactly the summary of those figures."""

import random
import uuid
from contextlib import asynccontextmanager

import pytest

from habitat_common.api.contributions import IntakeDashboard
from habitat_contributions.adapters.intake import intake_figures
from habitat_contributions.service_layer.ports import MemberContact, ReviewerCounts
from habitat_contributions.service_layer.queries import summarize
from tests.integration.intake_world import Member, Row, World, expected_figures, random_world, store
from tests.integration.test_http import auth

pytestmark = pytest.mark.integration
PERIOD, OTHER = uuid.uuid4(), uuid.uuid4()


def assert_figures(figures, expected) -> None:
    assert (figures.active_members, figures.members_with_submissions) == (
        expected.active_members,
        expected.members_with_submissions,
    )
    assert sorted(figures.by_type_status) == expected.by_type_status  # the rows' order means nothing
    for hours in ("mean_hours_to_decision", "p95_hours_to_decision"):
        want = getattr(expected, hours)
        assert getattr(figures, hours) == (None if want is None else pytest.approx(want, rel=1e-12)), hours
    assert figures.per_reviewer == expected.per_reviewer
    assert figures.not_submitted == expected.not_submitted


def member(name: str | None, status: str | None = "active", email: str | None = "") -> Member:
    member_id = uuid.uuid4()
    return Member(member_id, name, f"{member_id.hex[:8]}@example.coop" if email == "" else email, status)


class TestIntakeFigures:
    @pytest.mark.parametrize("seed", range(12))
    async def test_every_figure_equals_the_one_computed_from_the_rows(self, container, seed):
        world = random_world(random.Random(seed), PERIOD, OTHER)
        await store(container, world)
        assert_figures(await container.contribution_views.intake(PERIOD), expected_figures(world, PERIOD))

    async def test_an_empty_period_has_member_counts_and_every_active_member_to_remind(self, container):
        ann, bob = member("Ann"), member("Bob")
        world = World([bob, ann, member("Gone", "deactivated")], [Row(OTHER, ann.member_id, status="approved")])
        await store(container, world)
        figures = await container.contribution_views.intake(PERIOD)
        assert (figures.active_members, figures.members_with_submissions, figures.by_type_status) == (2, 0, [])
        assert (figures.mean_hours_to_decision, figures.p95_hours_to_decision, figures.per_reviewer) == (None, None, [])
        assert figures.not_submitted == [MemberContact(m.member_id, m.display_name, m.email) for m in (ann, bob)]

    async def test_only_active_members_are_counted_or_reminded(self, container):
        active, idle = member("Ann"), member("Ida")
        others = [member("Dan", "deactivated"), member("Sue", "suspended"), member("Nos", None)]
        rows = [Row(PERIOD, m.member_id) for m in [active, *others]]
        await store(container, World([active, idle, *others], rows))
        figures = await container.contribution_views.intake(PERIOD)
        assert (figures.active_members, figures.members_with_submissions) == (2, 1)
        assert [c.member_id for c in figures.not_submitted] == [idle.member_id]
        assert sum(count for *_, count, _ in figures.by_type_status) == 4  # their contributions still count

    async def test_members_to_remind_are_ordered_by_name_then_id_with_their_addresses(self, container):
        twins = sorted([member("Ada"), member("Ada", email=None)], key=lambda m: m.member_id)
        nameless = sorted([member(None), member(None)], key=lambda m: m.member_id)
        cy, abe = member("Cy"), member("Abe")
        rows = [Row(PERIOD, abe.member_id), Row(PERIOD, abe.member_id, type="labor")]
        await store(container, World([nameless[1], cy, twins[1], abe, twins[0], nameless[0]], rows))
        figures = await container.contribution_views.intake(PERIOD)
        assert figures.not_submitted == [
            MemberContact(m.member_id, m.display_name, m.email) for m in (*twins, cy, *nameless)
        ]
        assert (figures.active_members, figures.members_with_submissions) == (6, 1)

    async def test_reviewers_are_counted_for_their_own_decisions_in_the_period_only(self, container):
        zed, amy, unknown, author = member("Zed"), member("Amy", "deactivated"), uuid.uuid4(), uuid.uuid4()
        rows = [
            Row(PERIOD, author, status="approved", approvals=[(zed.member_id, False), (amy.member_id, False)]),
            Row(PERIOD, author, status="approved", imported=True, approvals=[(zed.member_id, True)]),
            Row(PERIOD, author, status="rejected", decided_by=zed.member_id),
            Row(PERIOD, author, status="rejected", decided_by=amy.member_id, imported=True),
            Row(PERIOD, author, messages=[("question", unknown), ("question", zed.member_id), ("answer", author)]),
            Row(OTHER, author, status="rejected", decided_by=amy.member_id, messages=[("question", amy.member_id)]),
        ]
        await store(container, World([zed, amy], rows))
        figures = await container.contribution_views.intake(PERIOD)
        assert figures.per_reviewer == [
            ReviewerCounts(amy.member_id, "Amy", 1, 0, 0),
            ReviewerCounts(zed.member_id, "Zed", 1, 1, 1),
            ReviewerCounts(unknown, None, 0, 0, 1),
        ]

    async def test_every_figure_comes_from_one_snapshot(self, container):
        ann, bob = member("Ann"), member("Bob")
        await store(container, World([ann, bob], [Row(PERIOD, ann.member_id, status="approved")]))
        later = World(rows=[Row(PERIOD, bob.member_id, status="rejected", decided_by=ann.member_id)])
        figures = await intake_figures(WritingBetweenStatements(container, later), PERIOD)
        assert (figures.members_with_submissions, len(figures.by_type_status), figures.per_reviewer) == (1, 1, [])
        assert [c.member_id for c in figures.not_submitted] == [bob.member_id]
        assert (await container.contribution_views.intake(PERIOD)).not_submitted == []  # it was committed


class WritingBetweenStatements:
    """The container's read pool, but another transaction stores (and commits) a world right after the
    snapshot's first statement."""

    def __init__(self, container, world: World) -> None:
        self._container, self._world = container, world

    @asynccontextmanager
    async def snapshot(self):
        async with self._container.reads.snapshot() as snapshot:
            yield StoringAfterFirstStatement(snapshot, lambda: store(self._container, self._world))


class StoringAfterFirstStatement:
    def __init__(self, snapshot, write) -> None:
        self._snapshot, self._write, self._first = snapshot, write, True

    async def fetch(self, clause, params=None):
        rows = await self._snapshot.fetch(clause, params)
        if self._first:
            self._first = False
            await self._write()
        return rows


class TestIntakeDashboardAnswer:
    @pytest.mark.parametrize("seed", [3, 7])
    async def test_the_answer_is_the_summary_of_the_figures_byte_for_byte(self, client, keys, container, seed):
        world = random_world(random.Random(seed), PERIOD, OTHER)
        await store(container, world)
        response = await client.get(f"/periods/{PERIOD}/intake", headers=auth(keys, uuid.uuid4(), "steward"))
        figures = await container.contribution_views.intake(PERIOD)
        assert_figures(figures, expected_figures(world, PERIOD))
        assert response.status_code == 200 and response.headers["content-type"] == "application/json"
        assert response.content == IntakeDashboard.model_validate(summarize(PERIOD, figures)).model_dump_json().encode()
