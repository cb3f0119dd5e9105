import uuid
from datetime import date

import pytest
from habitat_identity.domain.commands import CreateMember, EnsureAdmin, UpdateMember
from habitat_identity.domain.errors import EmailTaken, MemberNotFound, WeakPassword
from habitat_identity.domain.events import MemberDeactivated, MemberRegistered, MemberUpdated
from habitat_identity.service_layer import auth, members

from tests.builders import a_member
from tests.fakes import FakeHasher, FakeIssuer, FakeStrength, FakeUnitOfWork

ADMIN_ID = uuid.uuid4()


class TestCreateMember:
    async def test_creates_pending_member_with_temporary_password_event_and_audit(self):
        uow = FakeUnitOfWork()
        created = await members.create_member(
            CreateMember("New@Example.org", "New Person", "steward", date(2026, 2, 1)), ADMIN_ID, uow, FakeHasher(),
            send_invitation=False,
        )
        member = created.member
        assert (member.email, member.status, member.role, member.joined_at) == (
            "new@example.org",
            "pending",
            "steward",
            date(2026, 2, 1),
        )
        assert len(created.temporary_password) >= 16
        assert member.password_hash == f"hashed:{created.temporary_password}"
        assert [type(e) for e in uow.published] == [MemberRegistered]
        [entry] = uow.audit.entries
        assert (entry.actor_id, entry.action, entry.subject_id, entry.before) == (
            ADMIN_ID,
            "member.created",
            member.id,
            None,
        )

    async def test_joined_at_defaults_to_the_coops_today_not_the_servers(self):
        uow = FakeUnitOfWork()
        created = await members.create_member(
            CreateMember("late@example.org", "Late", "member"), ADMIN_ID, uow, FakeHasher(), today=date(2026, 12, 1)
        )
        assert created.member.joined_at == date(2026, 12, 1)
        given = await members.create_member(
            CreateMember("given@example.org", "Given", "member", date(2024, 3, 1)), ADMIN_ID, uow, FakeHasher(),
            today=date(2026, 12, 1),
        )
        assert given.member.joined_at == date(2024, 3, 1)

    async def test_temporary_password_signs_in_with_password_change_pending(self):
        uow = FakeUnitOfWork()
        created = await members.create_member(CreateMember("n@example.org", "N", "member"), ADMIN_ID, uow, FakeHasher())
        pair = await auth.login("n@example.org", created.temporary_password, uow, FakeHasher(), FakeIssuer())
        assert pair.must_change_password

    async def test_taken_email_is_refused_case_insensitively(self):
        uow = FakeUnitOfWork([a_member(email="taken@example.org")])
        with pytest.raises(EmailTaken):
            await members.create_member(CreateMember("TAKEN@example.org", "X", "member"), ADMIN_ID, uow, FakeHasher())


class TestUpdateMember:
    async def test_deactivation_revokes_sessions_and_emits_events(self):
        member = a_member()
        uow = FakeUnitOfWork([member])
        pair = await auth.login(member.email, "correct horse battery", uow, FakeHasher(), FakeIssuer())
        await members.update_member(UpdateMember(member.id, status="inactive"), ADMIN_ID, uow)
        assert [type(e) for e in uow.published] == [MemberUpdated, MemberDeactivated]
        assert uow.audit.entries[0].before["status"] == "active"
        assert uow.audit.entries[0].after["status"] == "inactive"
        assert all(t.revoked_at is not None for t in uow.refresh_tokens.tokens.values())
        assert pair.refresh_token

    async def test_unknown_member_is_not_found(self):
        with pytest.raises(MemberNotFound):
            await members.update_member(UpdateMember(uuid.uuid4(), role="admin"), ADMIN_ID, FakeUnitOfWork())


class TestEnsureAdmin:
    async def test_creates_an_admin_once_who_must_change_the_password_which_never_expires(self):
        uow = FakeUnitOfWork()
        command = EnsureAdmin("root@example.org", "violet-harbor-engine", "Root")
        member, created = await members.ensure_admin(command, uow, FakeHasher(), FakeStrength())
        again, created_again = await members.ensure_admin(command, uow, FakeHasher(), FakeStrength())
        assert created and not created_again and again.id == member.id
        assert (member.role, member.status, member.must_change_password) == ("admin", "pending", True)
        assert member.temporary_password_expires_at is None

    async def test_dev_stacks_may_keep_the_password(self):
        command = EnsureAdmin("root@example.org", "violet-harbor-engine", "Root", must_change_password=False)
        member, _ = await members.ensure_admin(command, FakeUnitOfWork(), FakeHasher(), FakeStrength())
        assert (member.role, member.status, member.must_change_password) == ("admin", "active", False)

    async def test_weak_password_is_refused(self):
        with pytest.raises(WeakPassword):
            await members.ensure_admin(
                EnsureAdmin("root@example.org", "short", "Root"), FakeUnitOfWork(), FakeHasher(), FakeStrength()
            )


def test_a_temporary_password_never_starts_with_a_minus(monkeypatch):
    """A credentials CSV would have to write such a cell as text ('-...), so the file would not show the password."""
    drawn = iter(["-starts-with-minus", "Fine-Password_1"])
    monkeypatch.setattr(members.secrets, "token_urlsafe", lambda _: next(drawn))
    assert members.new_temporary_password() == "Fine-Password_1"
