import uuid

import jwt
import pytest
from habitat_identity.adapters.orm import outbox, refresh_token
from habitat_identity.domain.commands import UpdateMember
from habitat_identity.service_layer import members
from sqlalchemy import select

from tests.integration.conftest import a_stored_member, bearer

pytestmark = pytest.mark.integration
NEW_PASSWORD = "violet-harbor-engine"


async def login(client, email, password):
    return await client.post("/auth/login", json={"email": email, "password": password})


async def routing_keys(app) -> list[str]:
    async with app.state.container.session_factory() as session:
        return list((await session.execute(select(outbox.c.routing_key).order_by(outbox.c.id))).scalars())


class TestLogin:
    async def test_wrong_password_unknown_email_and_inactive_get_the_same_401(self, app, client):
        member, temporary = await a_stored_member(app)
        answers = [
            await login(client, member.email, "wrong password here"),
            await login(client, "nobody@example.org", temporary),
        ]
        await members.update_member(UpdateMember(member.id, status="inactive"), uuid.uuid4(), app.state.container.uow())
        answers.append(await login(client, member.email, temporary))
        assert {(r.status_code, r.json()["error"]["code"]) for r in answers} == {(401, "invalid_credentials")}


class TestFirstSignIn:
    async def test_login_then_change_password_activates_the_member(self, app, client):
        member, temporary = await a_stored_member(app)
        first = await login(client, member.email.upper(), temporary)
        assert first.status_code == 200
        body = first.json()
        assert body["token_type"] == "bearer" and body["expires_in"] == 900 and body["must_change_password"]
        token = body["access_token"]

        assert (await client.get("/members", headers=bearer(token))).json()["error"][
            "code"
        ] == "password_change_required"
        me = await client.get("/me", headers=bearer(token))
        assert me.status_code == 200 and me.json()["status"] == "pending"

        changed = await client.post(
            "/auth/password", headers=bearer(token), json={"current_password": temporary, "new_password": NEW_PASSWORD}
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["must_change_password"] is False
        fresh = changed.json()["access_token"]
        me = await client.get("/me", headers=bearer(fresh))
        assert me.json()["status"] == "active"
        assert await routing_keys(app) == ["identity.member_registered.v1", "identity.member_updated.v1"]

        # The sign-in before the change is over; the new password works, the old one does not.
        refreshed = await client.post("/auth/refresh", json={"refresh_token": body["refresh_token"]})
        assert refreshed.status_code == 401
        assert (await login(client, member.email, temporary)).status_code == 401
        assert (await login(client, member.email, NEW_PASSWORD)).json()["must_change_password"] is False

    async def test_wrong_current_password_is_400_and_weak_new_password_is_422(self, app, client):
        member, temporary = await a_stored_member(app)
        token = (await login(client, member.email, temporary)).json()["access_token"]
        wrong = await client.post(
            "/auth/password",
            headers=bearer(token),
            json={"current_password": "nope nope nope", "new_password": NEW_PASSWORD},
        )
        weak = await client.post(
            "/auth/password", headers=bearer(token), json={"current_password": temporary, "new_password": "short"}
        )
        assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "invalid_password")
        assert (weak.status_code, weak.json()["error"]["code"]) == (422, "weak_password")
        assert "12 characters" in weak.json()["error"]["message"]


class TestRefresh:
    async def test_refresh_rotates_and_reuse_revokes_the_family(self, app, client):
        member, temporary = await a_stored_member(app)
        first = (await login(client, member.email, temporary)).json()
        second = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert second.status_code == 200
        assert second.json()["refresh_token"] != first["refresh_token"]
        # a second tab racing the first gets the very same pair, once (issue 13)
        again = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert again.json() == second.json()

        reuse = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert (reuse.status_code, reuse.json()["error"]["code"]) == (401, "invalid_refresh_token")
        after_reuse = await client.post("/auth/refresh", json={"refresh_token": second.json()["refresh_token"]})
        assert after_reuse.status_code == 401
        async with app.state.container.session_factory() as session:
            rows = (await session.execute(select(refresh_token.c.token_hash, refresh_token.c.revoked_at))).all()
        assert len(rows) == 2 and all(row.revoked_at is not None for row in rows)
        assert first["refresh_token"] not in {row.token_hash for row in rows}

    async def test_logout_revokes(self, app, client):
        member, temporary = await a_stored_member(app)
        tokens = (await login(client, member.email, temporary)).json()
        assert (await client.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]})).status_code == 204
        assert (await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})).status_code == 401


class TestOwnTokens:
    async def test_jwks_verifies_a_token_identity_issued(self, app, client):
        member, temporary = await a_stored_member(app, role="steward")
        token = (await login(client, member.email, temporary)).json()["access_token"]
        jwks = (await client.get("/.well-known/jwks.json")).json()
        [key] = jwks["keys"]
        assert (key["kty"], key["crv"], key["use"], key["alg"]) == ("OKP", "Ed25519", "sig", "EdDSA")
        header = jwt.get_unverified_header(token)
        assert header["typ"] == "at+jwt" and header["kid"] == key["kid"]
        claims = jwt.decode(
            token,
            jwt.PyJWKSet.from_dict(jwks)[header["kid"]].key,
            algorithms=["EdDSA"],
            audience="habitat",
            issuer="habitat-identity",
        )
        assert claims["sub"] == str(member.id) and claims["role"] == "steward" and claims["pwd_change"] is True
        assert abs(claims["exp"] - claims["iat"] - 900) < 1 and claims["jti"]
        assert uuid.UUID(claims["sid"])

    async def test_expired_and_foreign_tokens_are_401(self, app, client, local_keys):
        member, _ = await a_stored_member(app, role="admin")
        expired = await app.state.container.issuer.issue(
            member.id, "admin", must_change_password=False, session_id=uuid.uuid4(), ttl_seconds=-60
        )
        foreign = local_keys.mint(member.id, "admin")
        for headers in ({}, bearer(expired), bearer(foreign), bearer("not.a.token")):
            response = await client.get("/me", headers=headers)
            assert (response.status_code, response.json()["error"]["code"]) == (401, "unauthorized")
