import uuid
from datetime import timedelta

import pytest
from habitat_common.testing import LocalKeys
from habitat_identity.adapters.orm import audit_log, outbox, refresh_token
from sqlalchemy import select

from tests.integration.conftest import a_stored_member, bearer

pytestmark = pytest.mark.integration


async def rows(app, table):
    async with app.state.container.session_factory() as session:
        return (await session.execute(select(table))).all()


class TestReadMembers:
    async def test_member_reads_self_but_another_member_is_404(self, local_app, local_client, local_keys):
        me, _ = await a_stored_member(local_app)
        other, _ = await a_stored_member(local_app)
        token = bearer(local_keys.mint(me.id, "member"))
        own = await local_client.get(f"/members/{me.id}", headers=token)
        assert own.status_code == 200 and own.json()["email"] == me.email
        assert set(own.json()) == {"id", "email", "display_name", "role", "status", "joined_at", "created_at"}
        hidden = await local_client.get(f"/members/{other.id}", headers=token)
        assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "not_found")

    async def test_steward_lists_and_reads_anyone_member_cannot_list(self, local_app, local_client, local_keys):
        one, _ = await a_stored_member(local_app, email="a@example.org")
        two, _ = await a_stored_member(local_app, email="b@example.org")
        steward = bearer(local_keys.mint(uuid.uuid4(), "steward"))
        listed = await local_client.get("/members", headers=steward)
        assert [m["email"] for m in listed.json()["items"]] == ["a@example.org", "b@example.org"]
        assert (await local_client.get(f"/members/{two.id}", headers=steward)).status_code == 200
        forbidden = await local_client.get("/members", headers=bearer(local_keys.mint(one.id, "member")))
        assert (forbidden.status_code, forbidden.json()["error"]["code"]) == (403, "forbidden")

    async def test_missing_expired_and_foreign_tokens_are_401(self, local_client, local_keys):
        who = uuid.uuid4()
        for headers in (
            {},
            bearer(local_keys.mint(who, "admin", expires_in=timedelta(minutes=-1))),
            bearer(LocalKeys().mint(who, "admin")),
        ):
            assert (await local_client.get("/members", headers=headers)).status_code == 401


class TestCreateMember:
    async def test_admin_creates_pending_member_with_event_and_audit(self, local_app, local_client, local_keys):
        admin_id = uuid.uuid4()
        response = await local_client.post(
            "/members",
            headers=bearer(local_keys.mint(admin_id, "admin")),
            json={"email": "New@Example.org", "display_name": "New One", "role": "steward", "joined_at": "2026-02-01"},
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["email"], body["status"], body["role"], body["joined_at"]) == (
            "new@example.org",
            "pending",
            "steward",
            "2026-02-01",
        )
        assert len(body["temporary_password"]) >= 16 and body["invitation_expires_at"]
        event, invitation = await rows(local_app, outbox)
        assert event.routing_key == "identity.member_registered.v1"
        assert event.payload["payload"]["member_id"] == body["id"]
        assert invitation.routing_key == "identity.invitation_issued.v1"  # send_invitation defaults to true
        entry, invited = await rows(local_app, audit_log)
        assert (entry.actor_id, entry.action, str(entry.subject_id)) == (admin_id, "member.created", body["id"])
        assert invited.action == "member.invited"

    async def test_taken_email_is_409(self, local_app, local_client, local_keys):
        await a_stored_member(local_app, email="taken@example.org")
        response = await local_client.post(
            "/members",
            headers=bearer(local_keys.mint(uuid.uuid4(), "admin")),
            json={"email": "TAKEN@example.org", "display_name": "X", "role": "member"},
        )
        assert (response.status_code, response.json()["error"]["code"]) == (409, "email_taken")

    async def test_steward_cannot_create_or_patch(self, local_app, local_client, local_keys):
        member, _ = await a_stored_member(local_app)
        steward = bearer(local_keys.mint(uuid.uuid4(), "steward"))
        created = await local_client.post(
            "/members", headers=steward, json={"email": "x@example.org", "display_name": "X", "role": "member"}
        )
        patched = await local_client.patch(f"/members/{member.id}", headers=steward, json={"role": "admin"})
        assert created.status_code == 403 and patched.status_code == 403
        assert len(await rows(local_app, audit_log)) == 1 and len(await rows(local_app, outbox)) == 1


class TestUpdateMember:
    async def test_deactivation_revokes_refresh_tokens_and_emits_events(
        self, app, local_app, client, local_client, local_keys
    ):
        member, temporary = await a_stored_member(local_app)
        signed_in = await client.post("/auth/login", json={"email": member.email, "password": temporary})
        admin_id = uuid.uuid4()
        response = await local_client.patch(
            f"/members/{member.id}",
            headers=bearer(local_keys.mint(admin_id, "admin")),
            json={"status": "inactive", "display_name": "Gone Member"},
        )
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["display_name"]) == ("inactive", "Gone Member")
        assert [r.routing_key for r in await rows(local_app, outbox)] == [
            "identity.member_registered.v1",
            "identity.member_updated.v1",
            "identity.member_deactivated.v1",
        ]
        assert all(t.revoked_at is not None for t in await rows(local_app, refresh_token))
        refresh = await client.post("/auth/refresh", json={"refresh_token": signed_in.json()["refresh_token"]})
        assert refresh.status_code == 401
        [entry] = [r for r in await rows(local_app, audit_log) if r.action != "member.created"]
        assert (entry.action, entry.before, entry.after) == (
            "member.deactivated",
            {"status": "pending", "display_name": "Some Member"},
            {"status": "inactive", "display_name": "Gone Member"},
        )

    async def test_patch_unknown_member_is_404(self, local_client, local_keys):
        response = await local_client.patch(
            f"/members/{uuid.uuid4()}", headers=bearer(local_keys.mint(uuid.uuid4(), "admin")), json={"role": "steward"}
        )
        assert response.status_code == 404
