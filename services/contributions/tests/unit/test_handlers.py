import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from habitat_common.contracts import ContributionApprovedV1, ContributionSubmittedV1
from habitat_contributions.domain.commands import ApproveContribution
from habitat_contributions.domain.errors import AlreadyDecided, ContributionNotFound, PeriodNotOpen, SelfReview
from habitat_contributions.domain.model import Viewer
from habitat_contributions.domain.valuation import RateCard
from habitat_contributions.service_layer import handlers, queries, review
from habitat_contributions.service_layer.ports import ContributionFilter
from tests.builders import IN_Q1, T0, capital, labor, open_period
from tests.fakes import FakeContributionViews, FakeUnitOfWork

CARD = RateCard()


async def submitted(uow, cmd, now=T0):
    return await handlers.submit_contribution(cmd, uow, card=CARD, now=now)


class TestSubmitContribution:
    async def test_records_pending_contribution_in_the_open_period_and_announces_it(self):
        period = open_period()
        uow = FakeUnitOfWork(period)
        c = await submitted(uow, labor(hours="2"))
        assert uow.contributions.rows[c.id].period_id == period.period_id
        assert [type(e) for e in uow.published] == [ContributionSubmittedV1]
        assert uow.published[0].value == Decimal("200.00")

    async def test_date_outside_any_open_period_is_refused_naming_the_date(self):
        uow = FakeUnitOfWork(open_period())
        cmd = labor(contributed_on=open_period().starts_on - timedelta(days=1))
        with pytest.raises(PeriodNotOpen) as error:
            await submitted(uow, cmd)
        assert "2025-12-31" in error.value.message
        assert uow.contributions.rows == {} and uow.published == []

    async def test_closing_period_accepts_nothing(self):
        uow = FakeUnitOfWork(open_period(status="closing"))
        with pytest.raises(PeriodNotOpen):
            await submitted(uow, capital())


class TestApproveContribution:
    async def test_approval_by_another_member_emits_the_ledger_event(self):
        uow = FakeUnitOfWork(open_period())
        c = await submitted(uow, property_cmd := capital(amount="300"))
        reviewer = uuid.uuid4()
        await review.approve_contribution(ApproveContribution(c.id, reviewer, " ok "), uow, now=T0)
        approved = uow.published[-1]
        assert isinstance(approved, ContributionApprovedV1)
        assert (approved.approved_by, approved.approved_at, approved.book_amount) == (reviewer, T0, Decimal("300.00"))
        assert approved.member_id == property_cmd.member_id
        assert (c.status, c.decided_by, c.decision_note) == ("approved", reviewer, "ok")

    async def test_submitter_may_not_approve_their_own(self):
        uow = FakeUnitOfWork(open_period())
        c = await submitted(uow, labor())
        with pytest.raises(SelfReview):
            await review.approve_contribution(ApproveContribution(c.id, c.member_id), uow)
        assert c.status == "pending" and len(uow.published) == 1

    async def test_second_approval_is_refused_and_emits_nothing(self):
        uow = FakeUnitOfWork(open_period())
        c = await submitted(uow, labor())
        await review.approve_contribution(ApproveContribution(c.id, uuid.uuid4()), uow)
        with pytest.raises(AlreadyDecided):
            await review.approve_contribution(ApproveContribution(c.id, uuid.uuid4()), uow)
        assert sum(isinstance(e, ContributionApprovedV1) for e in uow.published) == 1

    async def test_unknown_contribution_is_not_found(self):
        with pytest.raises(ContributionNotFound):
            await review.approve_contribution(ApproveContribution(uuid.uuid4(), uuid.uuid4()), FakeUnitOfWork())


class TestReadContributions:
    async def test_member_sees_only_their_own(self):
        uow = FakeUnitOfWork(open_period())
        mine, theirs = await submitted(uow, labor()), await submitted(uow, capital())
        me, views = Viewer(mine.member_id, is_reviewer=False), FakeContributionViews(uow.contributions)
        assert [c["id"] for c in (await queries.list_contributions(ContributionFilter(), me, views)).items] == [mine.id]
        asking_for_other = ContributionFilter(member_id=theirs.member_id)
        assert (await queries.list_contributions(asking_for_other, me, views)).items == []
        assert (await queries.get_contribution(mine.id, me, views))["id"] == mine.id
        with pytest.raises(ContributionNotFound):
            await queries.get_contribution(theirs.id, me, views)

    async def test_reviewer_sees_all_and_can_filter(self):
        uow = FakeUnitOfWork(open_period())
        await submitted(uow, labor())
        cash = await submitted(uow, capital())
        steward, views = Viewer(uuid.uuid4(), is_reviewer=True), FakeContributionViews(uow.contributions)
        assert (await queries.list_contributions(ContributionFilter(), steward, views)).total == 2
        assert [
            c["id"]
            for c in (await queries.list_contributions(ContributionFilter(type="capital"), steward, views)).items
        ] == [cash.id]
        assert (await queries.get_contribution(cash.id, steward, views))["id"] == cash.id


class TestReviewQueue:
    async def test_pending_oldest_first_with_age_and_overdue_flag(self):
        uow = FakeUnitOfWork(open_period())
        newer = await submitted(uow, labor(), now=T0)
        earlier = IN_Q1 - timedelta(days=5)
        older = await submitted(uow, capital(contributed_on=earlier), now=T0 - timedelta(hours=50))
        decided = await submitted(uow, capital(contributed_on=earlier), now=T0 - timedelta(hours=100))
        await review.approve_contribution(ApproveContribution(decided.id, uuid.uuid4()), uow)
        views = FakeContributionViews(uow.contributions, uow.members)
        queue, _, _ = await queries.review_queue(ContributionFilter(), views, now=T0 + timedelta(hours=1))
        assert [(q.contribution["id"], q.age_hours, q.overdue) for q in queue] == [
            (older.id, 51.0, True),
            (newer.id, 1.0, False),
        ]
