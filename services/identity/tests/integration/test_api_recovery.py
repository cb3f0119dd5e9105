"""Forgot password, reset password and invitations over HTTP, against the real database."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from habitat_identity.adapters.orm import audit_log, member, outbox, password_token
from sqlalchemy import select, update

from tests.integration.conftest import a_stored_member, bearer

pytestmark = pytest.mark.integration
NEW_PASSWORD = "quiet river under stone bridges"


async def rows(app, table, *where) -> list:
    async with app.state.container.session_factory() as session:
        return list((await session.execute(select(table).where(*where))).all())


async def links(app, routing_key: str) -> list[dict]:
    """The payloads of the sign-in link events in the outbox, oldest first."""
    found = await rows(app, outbox, outbox.c.routing_key == routing_key)
    return [row.payload["payload"] for row in sorted(found, key=lambda r: r.id)]


async def forgot(client, email: str, client_address: str = "192.0.2.10"):
    return await client.post("/auth/forgot-password", json={"email": email},
                             headers={"X-Forwarded-For": client_address})


async def as_admin(client, path: str, headers: dict, body: dict | None) -> dict:
    response = await client.post(path, headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def reset_token_for(app, client, email: str) -> str:
    assert (await forgot(client, email)).status_code == 202
    return (await links(app, "identity.password_reset_requested.v1"))[-1]["token"]


class TestForgotPassword:
    async def test_known_and_unknown_addresses_get_the_very_same_answer(self, app, client):
        known, _ = await a_stored_member(app, email="known@example.org")
        answers = [await forgot(client, email) for email in ("known@example.org", "unknown@example.org")]
        assert [a.status_code for a in answers] == [202, 202]
        assert answers[0].content == answers[1].content
        assert "If the address belongs to a member" in answers[0].json()["message"]
        [link] = await links(app, "identity.password_reset_requested.v1")
        assert (link["member_id"], link["email"]) == (str(known.id), "known@example.org")
        [stored] = await rows(app, password_token)
        assert stored.token_hash == hashlib.sha256(link["token"].encode()).hexdigest()
        assert stored.purpose == "reset" and stored.member_id == known.id
        assert round((stored.expires_at - stored.created_at).total_seconds()) == 30 * 60

    async def test_a_new_request_supersedes_the_older_link(self, app, client):
        await a_stored_member(app, email="ada@example.org")
        first = await reset_token_for(app, client, "ada@example.org")
        second = await reset_token_for(app, client, "ada@example.org")
        old = await client.post("/auth/reset-password", json={"token": first, "new_password": NEW_PASSWORD})
        assert (old.status_code, old.json()["error"]["code"]) == (400, "invalid_token")
        new = await client.post("/auth/reset-password", json={"token": second, "new_password": NEW_PASSWORD})
        assert new.status_code == 204

    async def test_a_client_is_throttled_and_an_address_silently_capped(self, app, client):
        await a_stored_member(app, email="ada@example.org")
        for _ in range(7):
            assert (await forgot(client, "ada@example.org", "198.51.100.1")).status_code == 202
        assert len(await links(app, "identity.password_reset_requested.v1")) == 5  # the address's share per hour
        for n in range(13):
            assert (await forgot(client, f"x{n}@example.org", "198.51.100.1")).status_code == 202
        refused = await forgot(client, "y@example.org", "198.51.100.1")
        assert (refused.status_code, refused.json()["error"]["code"]) == (429, "too_many_attempts")
        assert int(refused.headers["Retry-After"]) > 0
        assert (await forgot(client, "y@example.org", "198.51.100.2")).status_code == 202


class TestResetPassword:
    async def test_reset_activates_ends_every_session_and_is_audited(self, app, client):
        pending, temporary = await a_stored_member(app, email="ada@example.org")
        signed_in = await client.post("/auth/login", json={"email": "ada@example.org", "password": temporary})
        assert signed_in.status_code == 200
        token = await reset_token_for(app, client, "ada@example.org")
        done = await client.post("/auth/reset-password", json={"token": token, "new_password": NEW_PASSWORD})
        assert done.status_code == 204, done.text
        refreshed = await client.post("/auth/refresh", json={"refresh_token": signed_in.json()["refresh_token"]})
        assert refreshed.status_code == 401
        feed = (await client.get("/auth/revocations")).json()["revocations"]
        assert any(r["member_id"] == str(pending.id) and r["not_before"] for r in feed)  # access tokens too
        old = await client.post("/auth/login", json={"email": "ada@example.org", "password": temporary})
        assert old.status_code == 401
        new = await client.post("/auth/login", json={"email": "ada@example.org", "password": NEW_PASSWORD})
        assert new.status_code == 200 and new.json()["must_change_password"] is False
        [row] = await rows(app, member, member.c.id == pending.id)
        assert row.status == "active"
        assert (await links(app, "identity.member_updated.v1"))[-1]["status"] == "active"
        [entry] = await rows(app, audit_log, audit_log.c.action == "member.password_reset")
        assert entry.subject_id == pending.id

    async def test_a_link_works_once(self, app, client):
        await a_stored_member(app, email="ada@example.org")
        token = await reset_token_for(app, client, "ada@example.org")
        body = {"token": token, "new_password": NEW_PASSWORD}
        assert (await client.post("/auth/reset-password", json=body)).status_code == 204
        again = await client.post("/auth/reset-password", json=body | {"new_password": "another calm long sentence"})
        assert (again.status_code, again.json()["error"]["code"]) == (400, "token_used")

    async def test_expired_and_unknown_links_are_refused(self, app, client):
        await a_stored_member(app, email="ada@example.org")
        token = await reset_token_for(app, client, "ada@example.org")
        async with app.state.container.session_factory() as session:
            await session.execute(update(password_token).values(expires_at=password_token.c.created_at))
            await session.commit()
        expired = await client.post("/auth/reset-password", json={"token": token, "new_password": NEW_PASSWORD})
        assert (expired.status_code, expired.json()["error"]["code"]) == (400, "token_expired")
        unknown = await client.post("/auth/reset-password", json={"token": "x" * 43, "new_password": NEW_PASSWORD})
        assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "invalid_token")

    async def test_the_password_policy_applies_and_the_link_survives_a_refusal(self, app, client):
        await a_stored_member(app, email="ada@example.org")
        token = await reset_token_for(app, client, "ada@example.org")
        weak = await client.post("/auth/reset-password", json={"token": token, "new_password": "password1234"})
        assert (weak.status_code, weak.json()["error"]["code"]) == (422, "weak_password")
        good = await client.post("/auth/reset-password", json={"token": token, "new_password": NEW_PASSWORD})
        assert good.status_code == 204


class TestInvitations:
    async def test_a_created_member_is_invited_and_accepting_activates_them(self, app, client, local_client,
                                                                           local_keys):
        admin = bearer(local_keys.mint(uuid.uuid4(), "admin"))
        created = await as_admin(local_client, "/members", admin, {"email": "new@example.org",
                                                                   "display_name": "New One"})
        [invitation] = await links(app, "identity.invitation_issued.v1")
        assert invitation["member_id"] == created["id"] and created["invitation_expires_at"]
        accepted = await client.post("/auth/accept-invitation",
                                     json={"token": invitation["token"], "new_password": NEW_PASSWORD})
        assert accepted.status_code == 204, accepted.text
        signed_in = await client.post("/auth/login", json={"email": "new@example.org", "password": NEW_PASSWORD})
        assert signed_in.status_code == 200 and signed_in.json()["must_change_password"] is False
        reset_link = await client.post("/auth/reset-password",
                                       json={"token": invitation["token"], "new_password": NEW_PASSWORD})
        assert reset_link.status_code == 400

    async def test_an_admin_may_skip_the_invitation_or_send_a_new_one(self, app, local_client, local_keys, client):
        admin = bearer(local_keys.mint(uuid.uuid4(), "admin"))
        created = await as_admin(local_client, "/members", admin, {
            "email": "hush@example.org", "display_name": "Hush One", "send_invitation": False})
        assert created["invitation_expires_at"] is None and await links(app, "identity.invitation_issued.v1") == []
        first = await as_admin(local_client, f"/members/{created['id']}/invitation", admin, None)
        second = await as_admin(local_client, f"/members/{created['id']}/invitation", admin, None)
        assert first["member_id"] == created["id"] and second["expires_at"] >= first["expires_at"]
        old, new = await links(app, "identity.invitation_issued.v1")
        refused = await client.post("/auth/accept-invitation", json={"token": old["token"], "new_password": NEW_PASSWORD})
        assert (refused.status_code, refused.json()["error"]["code"]) == (400, "invalid_token")
        ok = await client.post("/auth/accept-invitation", json={"token": new["token"], "new_password": NEW_PASSWORD})
        assert ok.status_code == 204
        actions = [r.action for r in await rows(app, audit_log, audit_log.c.subject_id == uuid.UUID(created["id"]))]
        assert sorted(actions) == sorted(["member.created", "member.invited", "member.invited",
                                          "member.invitation_accepted"])

    async def test_an_inactive_member_is_not_invited(self, local_client, local_keys):
        admin = bearer(local_keys.mint(uuid.uuid4(), "admin"))
        created = await as_admin(local_client, "/members", admin, {"email": "gone@example.org",
                                                                   "display_name": "Gone One"})
        patched = await local_client.patch(f"/members/{created['id']}", headers=admin, json={"status": "inactive"})
        assert patched.status_code == 200
        refused = await local_client.post(f"/members/{created['id']}/invitation", headers=admin)
        assert (refused.status_code, refused.json()["error"]["code"]) == (422, "invalid_member_change")
        missing = await local_client.post(f"/members/{uuid.uuid4()}/invitation", headers=admin)
        assert missing.status_code == 404
