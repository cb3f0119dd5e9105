"""contributed_on: not after the co-op's today (its time zone), not before the member joined."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from habitat_common.coop import CoopSettings
from habitat_contributions.domain.commands import EditContribution
from habitat_contributions.domain.dates import check_contributed_on
from habitat_contributions.domain.errors import InvalidContribution
from habitat_contributions.domain.model import Viewer
from habitat_contributions.domain.replicas import MemberReplica
from habitat_contributions.domain.valuation import RateCard
from habitat_contributions.service_layer import handlers
from tests.builders import IN_Q1, T0, capital, open_period
from tests.fakes import FakeUnitOfWork

TODAY = date(2026, 2, 10)


def code_of(day: date, *, today: date = TODAY, joined_at: date | None = None) -> str | None:
    try:
        check_contributed_on(day, today=today, joined_at=joined_at)
    except InvalidContribution as error:
        return error.code
    return None


class TestCheckContributedOn:
    def test_today_is_allowed_tomorrow_is_in_the_future(self):
        assert code_of(TODAY) is None
        assert code_of(date(2026, 2, 11)) == "contributed_in_future"

    def test_the_joining_day_is_allowed_the_day_before_is_not(self):
        joined = date(2026, 1, 15)
        assert code_of(joined, joined_at=joined) is None
        assert code_of(date(2026, 1, 14), joined_at=joined) == "contributed_before_joining"

    def test_an_unknown_joining_date_does_not_limit(self):
        assert code_of(date(1990, 1, 1), joined_at=None) is None

    def test_today_at_the_zone_boundary_is_the_coops_today(self):
        # 03:30 UTC on Feb 11 is still Feb 10 in Denver: Feb 11 is the future there, not in UTC
        instant = datetime(2026, 2, 11, 3, 30, tzinfo=UTC)
        denver = CoopSettings(time_zone="America/Denver").today(instant)
        utc = CoopSettings(time_zone="UTC").today(instant)
        assert code_of(date(2026, 2, 11), today=denver) == "contributed_in_future"
        assert code_of(date(2026, 2, 11), today=utc) is None


CARD = RateCard()
MEMBER = uuid.uuid4()


def uow_with_member(joined_at: date | None) -> FakeUnitOfWork:
    uow = FakeUnitOfWork(open_period())
    uow.members.add(MemberReplica(member_id=MEMBER, updated_at=T0, status="active", joined_at=joined_at))
    return uow


class TestThroughTheHandlers:
    async def test_submission_dated_after_the_coops_today_is_refused(self):
        uow = uow_with_member(None)
        with pytest.raises(InvalidContribution) as caught:
            await handlers.submit_contribution(capital(MEMBER), uow, card=CARD, now=T0, today=date(2026, 2, 9))
        assert caught.value.code == "contributed_in_future"

    async def test_submission_before_joining_is_refused(self):
        uow = uow_with_member(date(2026, 2, 11))
        with pytest.raises(InvalidContribution) as caught:
            await handlers.submit_contribution(capital(MEMBER), uow, card=CARD, now=T0)
        assert caught.value.code == "contributed_before_joining"

    async def test_an_edit_moving_the_date_is_checked_too(self):
        uow = uow_with_member(date(2026, 2, 1))
        c = await handlers.submit_contribution(capital(MEMBER), uow, card=CARD, now=T0)
        for day, code in (
            (date(2026, 1, 31), "contributed_before_joining"),
            (date(2026, 2, 11), "contributed_in_future"),
        ):
            with pytest.raises(InvalidContribution) as caught:
                await handlers.edit_contribution(
                    EditContribution(c.id, MEMBER, {"contributed_on": day}),
                    Viewer(MEMBER, False),
                    uow,
                    card=CARD,
                    now=T0,
                )
            assert caught.value.code == code
        assert c.contributed_on == IN_Q1
