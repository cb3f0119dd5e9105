import uuid
from datetime import UTC, date, datetime

from habitat_common.contracts import (
    InvitationIssuedV1,
    MemberDeactivatedV1,
    MemberRegisteredV1,
    MemberUpdatedV1,
    PasswordResetRequestedV1,
)
from habitat_identity.adapters.translators import to_contracts
from habitat_identity.domain.events import (
    InvitationIssued,
    MemberDeactivated,
    MemberRegistered,
    MemberUpdated,
    PasswordResetRequested,
)


class TestToContracts:
    def test_each_domain_event_becomes_its_contract(self):
        member_id = uuid.uuid4()
        fields = (member_id, "a@b.org", "A", "steward", "active", date(2026, 1, 2))
        assert to_contracts(MemberRegistered(*fields)) == [
            MemberRegisteredV1(
                member_id=member_id,
                email="a@b.org",
                display_name="A",
                role="steward",
                status="active",
                joined_at=date(2026, 1, 2),
            )
        ]
        assert type(to_contracts(MemberUpdated(*fields))[0]) is MemberUpdatedV1
        assert to_contracts(MemberDeactivated(member_id)) == [MemberDeactivatedV1(member_id=member_id)]

    def test_sign_in_links_carry_the_raw_token_to_the_mailer(self):
        member_id, expires = uuid.uuid4(), datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
        fields = (member_id, "a@b.org", "A", "raw-token", expires)
        [reset] = to_contracts(PasswordResetRequested(*fields))
        assert reset == PasswordResetRequestedV1(
            member_id=member_id, email="a@b.org", display_name="A", token="raw-token", expires_at=expires
        )
        assert type(to_contracts(InvitationIssued(*fields))[0]) is InvitationIssuedV1
