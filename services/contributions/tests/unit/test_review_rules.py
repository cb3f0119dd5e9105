"""Review rules of issue 13: a decision names the revision the reviewer saw; imported approvals are nobody's
decision in the review rules (self-review and distinct approvers)."""

import uuid

import pytest

from habitat_common.contracts import ContributionApprovedV1
from habitat_contributions.domain.commands import (
    ApproveContribution,
    EditContribution,
    RejectContribution,
    RequestClarification,
)
from habitat_contributions.domain.errors import AlreadyDecided, StaleRevision
from habitat_contributions.domain.events import ContributionApproved
from habitat_contributions.domain.model import Approval, Viewer
from habitat_contributions.domain.valuation import RateCard
from habitat_contributions.service_layer import handlers, review
from tests.builders import T0, capital, labor, open_period
from tests.fakes import FakeUnitOfWork

CARD = RateCard()


async def edited_once(uow):
    """A labor contribution its submitter edited after submitting: now at revision 2."""
    c = await handlers.submit_contribution(labor(), uow, card=CARD, now=T0)
    cmd = EditContribution(c.id, c.member_id, {"hours": "6"})
    await handlers.edit_contribution(cmd, Viewer(c.member_id, False), uow, card=CARD, now=T0)
    return c


class TestExpectedRevision:
    async def test_an_edit_since_the_look_refuses_every_review_action_and_changes_nothing(self):
        uow = FakeUnitOfWork(open_period())
        c = await edited_once(uow)
        steward = uuid.uuid4()
        assert c.revision == 2
        refused = (
            review.approve_contribution(ApproveContribution(c.id, steward, expected_revision=1), uow),
            review.reject_contribution(RejectContribution(c.id, steward, "Not co-op work at all", 1), uow),
            review.request_clarification(RequestClarification(c.id, steward, "Which beds were these?", 1), uow),
        )
        for attempt in refused:
            with pytest.raises(StaleRevision) as error:
                await attempt
            assert error.value.code == "stale_revision"
            assert "revision 1" in error.value.message and "revision 2" in error.value.message
        assert (c.status, c.approvals, c.thread) == ("pending", [], [])
        assert not any(isinstance(e, ContributionApprovedV1) for e in uow.published)

    async def test_the_current_revision_or_none_is_approved(self):
        uow = FakeUnitOfWork(open_period())
        seen, unchecked = await edited_once(uow), await edited_once(uow)
        await review.approve_contribution(ApproveContribution(seen.id, uuid.uuid4(), expected_revision=2), uow)
        await review.approve_contribution(ApproveContribution(unchecked.id, uuid.uuid4()), uow)
        assert (seen.status, unchecked.status) == ("approved", "approved")

    async def test_batch_checks_each_item_against_its_own_revision(self):
        uow = FakeUnitOfWork(open_period())
        stale, fresh = await edited_once(uow), await edited_once(uow)
        results = await review.batch_approve(
            [stale.id, fresh.id], uuid.uuid4(), lambda: uow, expected_revisions={stale.id: 1, fresh.id: 2}
        )
        assert [(r.id, r.ok) for r in results] == [(stale.id, False), (fresh.id, True)]
        assert results[0].error.code == "stale_revision"
        assert (stale.status, fresh.status) == ("pending", "approved")


async def under_review_with_imported_approval(sam: uuid.UUID, ada: uuid.UUID):
    """A pending dual-approval contribution carrying sam's approval as an imported record (written by ada)."""
    c = await handlers.submit_contribution(capital(amount="6000.00"), FakeUnitOfWork(open_period()), card=CARD, now=T0)
    c.approvals.append(Approval(sam, T0, imported=True, imported_by=ada))
    return c


class TestImportedApprovals:
    async def test_an_imported_approval_is_not_the_named_stewards_decision(self):
        sam, ada, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        c = await under_review_with_imported_approval(sam, ada)
        assert c.reviewers_approving() == set()
        assert c.approve(sam, T0) is None  # sam's own decision now, the first of the two required
        with pytest.raises(AlreadyDecided):
            c.approve(sam, T0)
        assert isinstance(c.approve(other, T0), ContributionApproved) and c.status == "approved"
        assert c.reviewers_approving() == {sam, other}

    async def test_imported_approvals_never_make_up_the_distinct_approvers(self):
        sam, ada, bea = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        c = await under_review_with_imported_approval(sam, ada)
        assert c.approve(bea, T0) is None and c.status == "pending"
