import uuid
from datetime import date

import pytest
from habitat_identity.adapters.emails import check_email
from habitat_identity.domain.errors import InvalidCsv
from habitat_identity.domain.events import InvitationIssued, MemberRegistered, MemberUpdated
from habitat_identity.service_layer import onboarding

from tests.builders import a_member
from tests.fakes import FakeHasher, FakeUnitOfWork

ADMIN_ID = uuid.uuid4()
FILE = (
    b"email,display_name,role,joined_at\n"
    b"new@example.org,New Person,member,2026-02-01\n"
    b"Known@Example.org,Known Renamed,steward,\n"
    b"same@example.org,Same Person,member,\n"
)


async def run(uow, data=FILE, dry_run=False, today=None):
    return await onboarding.import_members(
        data,
        dry_run=dry_run,
        actor_id=ADMIN_ID,
        uow=uow,
        hasher=FakeHasher(),
        check_email=check_email,
        sign_in_url="https://coop.example/",
        today=today,
    )


def roster():
    return [
        a_member(email="known@example.org", display_name="Known Person"),
        a_member(email="same@example.org", display_name="Same Person"),
    ]


class TestImportMembers:
    async def test_a_row_without_joined_at_joins_on_the_coops_today(self):
        uow = FakeUnitOfWork()
        data = b"email,display_name,role,joined_at\nlate@example.org,Late,member,\nset@example.org,Set,member,2025-05-05\n"
        await run(uow, data=data, today=date(2026, 12, 1))
        assert (await uow.members.get_by_email("late@example.org")).joined_at == date(2026, 12, 1)
        assert (await uow.members.get_by_email("set@example.org")).joined_at == date(2025, 5, 5)

    async def test_dry_run_reports_what_would_happen_and_writes_nothing(self):
        uow = FakeUnitOfWork(roster())
        report = await run(uow, dry_run=True)
        assert [(r.line, r.email, r.action) for r in report.rows] == [
            (2, "new@example.org", "created"),
            (3, "known@example.org", "updated"),
            (4, "same@example.org", "unchanged"),
        ]
        assert report.rows[0].member_id is None
        assert report.rows[1].changes == {
            "display_name": ["Known Person", "Known Renamed"],
            "role": ["member", "steward"],
        }
        assert (len(uow.members.members), uow.commits, uow.published, report.welcomes) == (2, 0, [], [])

    async def test_real_run_creates_updates_and_audits_in_one_commit(self):
        uow = FakeUnitOfWork(roster())
        report = await run(uow)
        new = await uow.members.get_by_email("new@example.org")
        assert (new.status, new.must_change_password, new.joined_at) == ("pending", True, date(2026, 2, 1))
        assert uow.commits == 1
        assert sorted((type(e) for e in uow.published), key=lambda t: t.__name__) == [
            InvitationIssued, MemberRegistered, MemberUpdated]
        [welcome] = report.welcomes
        assert new.password_hash == f"hashed:{welcome.temporary_password}"
        assert "https://coop.example/" in welcome.body and welcome.temporary_password in welcome.body
        assert "new@example.org" in welcome.body and "changed at your first sign-in" in welcome.body
        actions = [(e.action, e.after) for e in uow.audit.entries]
        assert ("members.imported", {"created": 1, "updated": 1, "unchanged": 1}) in actions
        known = await uow.members.get_by_email("known@example.org")
        assert known.password_hash == "hashed:correct horse battery"  # existing members keep their password
        assert [r.not_before is not None for r in uow.revocations.entries] == [True]  # role changed

    async def test_running_the_same_file_again_changes_nothing(self):
        uow = FakeUnitOfWork(roster())
        await run(uow)
        published, audited = len(uow.published), len(uow.audit.entries)
        again = await run(uow)
        assert {r.action for r in again.rows} == {"unchanged"}
        assert (uow.commits, len(uow.published), len(uow.audit.entries), again.welcomes) == (1, published, audited, [])

    async def test_a_malformed_file_writes_nothing(self):
        uow = FakeUnitOfWork(roster())
        with pytest.raises(InvalidCsv) as raised:
            await run(uow, FILE + b"bad-email,X,member,\n")
        assert [(e.line, e.column) for e in raised.value.errors] == [(5, 1)]
        assert (len(uow.members.members), uow.commits) == (2, 0)

    async def test_a_record_that_is_not_valid_csv_among_good_rows_writes_nothing(self):
        uow = FakeUnitOfWork(roster())
        with pytest.raises(InvalidCsv) as raised:
            await run(uow, FILE + b'"late@example.org"x,Late,member,\n' + b"last@example.org,Last,member,\n")
        assert [(e.line, e.column, e.code) for e in raised.value.errors] == [(5, 1, "malformed_csv")]
        assert (len(uow.members.members), uow.commits, uow.published) == (2, 0, [])

    async def test_every_malformed_record_is_listed_with_the_other_errors(self):
        uow = FakeUnitOfWork(roster())
        bad = b'"x@example.org"x,X,member,\nbad-email,Y,member,\nz@example.org,"Z"z,member,\n'
        with pytest.raises(InvalidCsv) as raised:
            await run(uow, FILE + bad)
        assert [(e.line, e.column, e.code) for e in raised.value.errors] == [
            (5, 1, "malformed_csv"),
            (6, 1, "invalid_email"),
            (7, 1, "malformed_csv"),
        ]
        assert (len(uow.members.members), uow.commits) == (2, 0)
