from datetime import UTC, date, datetime

import pytest
from habitat_identity.domain.errors import InvalidMemberChange, WeakPassword
from habitat_identity.domain.events import MemberDeactivated, MemberRegistered, MemberUpdated
from habitat_identity.domain.model import Member
from habitat_identity.domain.passwords import Strength, check_password_policy

from tests.builders import a_member

NOW = datetime(2026, 3, 1, tzinfo=UTC)


class TestRegisterMember:
    def test_new_member_is_pending_with_temporary_password_and_lowercased_email(self):
        member = Member.register(
            email=" Ada@Example.ORG ",
            display_name="Ada",
            role="member",
            joined_at=date(2026, 1, 1),
            password_hash="h",
            now=NOW,
        )
        assert (member.email, member.status, member.must_change_password) == ("ada@example.org", "pending", True)
        assert member.events == [
            MemberRegistered(member.id, "ada@example.org", "Ada", "member", "pending", date(2026, 1, 1))
        ]

    def test_unknown_role_is_refused(self):
        with pytest.raises(InvalidMemberChange):
            Member.register(
                email="a@b.org", display_name="A", role="king", joined_at=NOW.date(), password_hash="h", now=NOW
            )


class TestSetPassword:
    def test_pending_member_becomes_active(self):
        member = a_member(status="pending", must_change_password=True)
        member.set_password("new", NOW)
        assert (member.status, member.must_change_password, member.password_hash) == ("active", False, "new")
        assert [type(e) for e in member.events] == [MemberUpdated]

    def test_active_member_emits_nothing(self):
        member = a_member()
        member.set_password("new", NOW)
        assert member.events == []


class TestUpdateMember:
    def test_deactivation_emits_updated_and_deactivated(self):
        member = a_member()
        assert member.update(now=NOW, status="inactive")
        assert [type(e) for e in member.events] == [MemberUpdated, MemberDeactivated]

    def test_no_change_emits_nothing(self):
        member = a_member(role="steward")
        assert not member.update(now=NOW, role="steward")
        assert member.events == []

    def test_pending_member_cannot_be_activated_by_admin(self):
        member = a_member(status="pending", must_change_password=True)
        with pytest.raises(InvalidMemberChange):
            member.update(now=NOW, status="active")

    def test_reactivating_a_member_who_never_chose_a_password_makes_them_pending(self):
        member = a_member(status="inactive", must_change_password=True)
        assert member.update(now=NOW, status="active") and member.status == "pending"

    def test_cannot_set_pending(self):
        with pytest.raises(InvalidMemberChange):
            a_member().update(now=NOW, status="pending")

    def test_snapshot_has_no_password_hash(self):
        snapshot = a_member().snapshot()
        assert "password_hash" not in snapshot and snapshot["joined_at"] == "2026-01-01"


STRONG = Strength(4)


class TestPasswordPolicy:
    @pytest.mark.parametrize(
        "password, reason",
        [
            ("short", "at least 12"),
            ("xxADA.LOVELACExx", "email"),
            ("my name is ada king!", "display name"),
            ("the same old password", "differ"),
        ],
    )
    def test_weak_passwords_are_refused_with_a_reason(self, password, reason):
        with pytest.raises(WeakPassword, match=reason):
            check_password_policy(
                password,
                email="ada.lovelace@example.org",
                display_name="Ada King",
                current="the same old password",
                strength=STRONG,
            )

    def test_guessable_password_is_refused_with_zxcvbn_feedback(self):
        weak = Strength(2, "This is similar to a commonly used password.", ("Add another word or two.",))
        with pytest.raises(WeakPassword, match="easy to guess. This is similar.*Add another word"):
            check_password_policy("Password1234!", email="ada@example.org", display_name="Ada", strength=weak)

    def test_longer_than_256_is_refused(self):
        with pytest.raises(WeakPassword, match="at most 256"):
            check_password_policy("x" * 257, email="ada@example.org", display_name="Ada", strength=STRONG)

    def test_good_password_passes(self):
        check_password_policy(
            "violet-harbor-engine", email="ada@example.org", display_name="Ada King", current="x", strength=STRONG
        )

    def test_very_short_email_local_part_is_not_held_against_the_password(self):
        check_password_policy("a long passphrase", email="a@example.org", display_name="Al", strength=STRONG)
