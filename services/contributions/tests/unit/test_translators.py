import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from habitat_common.contracts import (
    ContributionApprovedV1,
    Envelope,
    MemberDeactivatedV1,
    MemberRegisteredV1,
    PeriodOpenedV1,
)
from habitat_contributions.adapters import translators
from habitat_contributions.domain import events

AT = datetime(2026, 2, 1, tzinfo=UTC)


class TestToContracts:
    def test_approved_event_becomes_the_v1_contract_with_money_intact(self):
        event = events.ContributionApproved(
            contribution_id=uuid.uuid4(),
            member_id=uuid.uuid4(),
            period_id=uuid.uuid4(),
            type="property",
            contributed_on=date(2026, 2, 1),
            value=Decimal("10.10"),
            book_amount=Decimal("10.10"),
            tax_amount=Decimal("0.30"),
            approved_by=uuid.uuid4(),
            approved_at=AT,
        )
        (contract,) = translators.to_contracts(event)
        assert isinstance(contract, ContributionApprovedV1)
        assert contract.model_dump(mode="json")["tax_amount"] == "0.30"

    def test_unknown_events_publish_nothing(self):
        assert tuple(translators.to_contracts(object())) == ()


class TestToCommands:
    def test_deactivation_only_knows_the_status(self):
        member_id = uuid.uuid4()
        envelope = Envelope.wrap(MemberDeactivatedV1(member_id=member_id), producer="identity")
        cmd = translators.record_member(envelope)
        assert (cmd.member_id, cmd.status, cmd.email, cmd.occurred_at) == (
            member_id,
            "inactive",
            None,
            envelope.occurred_at,
        )

    def test_registration_carries_the_profile(self):
        payload = MemberRegisteredV1(
            member_id=uuid.uuid4(),
            email="a@b.coop",
            display_name="A",
            role="steward",
            status="pending",
            joined_at=date(2026, 1, 1),
        )
        cmd = translators.record_member(Envelope.wrap(payload, producer="identity"))
        assert (cmd.email, cmd.role, cmd.status, cmd.joined_at) == ("a@b.coop", "steward", "pending", date(2026, 1, 1))

    def test_period_opened(self):
        payload = PeriodOpenedV1(
            period_id=uuid.uuid4(), name="2026-Q1", starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31), status="open"
        )
        cmd = translators.record_period(Envelope.wrap(payload, producer="ledger"))
        assert (cmd.period_id, cmd.ends_on, cmd.status) == (payload.period_id, date(2026, 3, 31), "open")
