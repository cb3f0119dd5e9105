import uuid
from datetime import date

from habitat_common.contracts import MemberDeactivatedV1, MemberRegisteredV1, MemberUpdatedV1
from habitat_identity.adapters.translators import to_contracts
from habitat_identity.domain.events import MemberDeactivated, MemberRegistered, MemberUpdated


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
