"""How long a contribution has waited and whether it is overdue: one rule over plain values, which the entity
and the review queue's read model both apply."""

from datetime import timedelta

import pytest

from habitat_contributions.domain.review_policy import hours_waiting, overdue_for_review
from habitat_contributions.domain.statuses import ContributionStatus
from habitat_contributions.domain.valuation import RateCard
from habitat_contributions.service_layer import handlers
from tests.builders import T0, labor, open_period
from tests.fakes import FakeUnitOfWork

TARGET = timedelta(hours=48)


class TestOverdueForReview:
    @pytest.mark.parametrize(
        ("status", "overdue"),
        [("pending", True), ("clarification_requested", True), ("approved", False), ("rejected", False)],
    )
    def test_only_undecided_contributions_are_overdue(self, status, overdue):
        assert overdue_for_review(status, T0, T0 + timedelta(hours=49), TARGET) is overdue

    def test_overdue_only_once_past_the_target(self):
        assert overdue_for_review("pending", T0, T0 + TARGET, TARGET) is False
        assert overdue_for_review("pending", T0, T0 + TARGET + timedelta(microseconds=1), TARGET) is True

    def test_hours_waiting_to_two_decimals(self):
        assert hours_waiting(T0, T0 + timedelta(hours=50, minutes=20)) == 50.33
        assert hours_waiting(T0, T0) == 0.0

    async def test_the_entity_applies_the_same_rule(self):
        uow = FakeUnitOfWork(open_period())
        c = await handlers.submit_contribution(labor(), uow, card=RateCard(), now=T0)
        later = T0 + timedelta(hours=49)
        assert c.age(later) == timedelta(hours=49)
        for status in ContributionStatus:
            c.status = status
            assert c.is_overdue(later, TARGET) is overdue_for_review(status, c.submitted_at, later, TARGET)
