"""Issue 13, sessions and tokens, against real PostgreSQL: the feed, retired keys, no-store."""

import asyncio
import uuid
from datetime import UTC, datetime

import httpx
import jwt
import pytest
from habitat_common.auth import InvalidToken, JwksKeySource, TokenVerifier
from habitat_common.revocation import RevocationFeed, RevocationList
from habitat_common.settings import AuthSettings
from habitat_identity.adapters.orm import refresh_token
from habitat_identity.config import SessionSettings
from habitat_identity.entrypoints.cli import main
from habitat_identity.entrypoints.http import create_app
from sqlalchemy import select, text

from tests.integration.conftest import a_stored_member, bearer, in_thread

pytestmark = pytest.mark.integration
INSERT_REVOCATION = text(
    "INSERT INTO identity.revocation (member_id, session_id) VALUES (:member, :session) RETURNING id"
)


def feed_of(app, *, overlap_seconds: float) -> RevocationFeed:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://identity")
    return RevocationFeed(
        "http://identity/auth/revocations", RevocationList(), overlap_seconds=overlap_seconds, client=client
    )


async def login(client, email: str, password: str) -> dict:
    response = await client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


class TestFeedWithInterleavedTransactions:
    @pytest.mark.parametrize("overlap, caught", [(60.0, True), (0.0, False)])
    async def test_an_entry_committed_after_a_later_one_is_not_skipped(self, app, overlap, caught):
        """Transaction A takes id n, B takes n+1 and commits, the feed is read, then A commits."""
        engine, member = app.state.container.engine, uuid.uuid4()
        slow_session, fast_session = uuid.uuid4(), uuid.uuid4()
        feed = feed_of(app, overlap_seconds=overlap)
        async with engine.connect() as slow, engine.connect() as fast:
            slow_tx = await slow.begin()
            slow_id = (await slow.execute(INSERT_REVOCATION, {"member": member, "session": slow_session})).scalar()
            async with fast.begin():
                fast_id = (await fast.execute(INSERT_REVOCATION, {"member": member, "session": fast_session})).scalar()
            assert fast_id > slow_id
            await feed.poll_once()
            assert feed.revocations.cursor == fast_id
            await slow_tx.commit()
        await feed.poll_once()
        await feed.stop()
        now = datetime.now(UTC)
        assert feed.revocations.is_revoked(member, fast_session, now)
        assert feed.revocations.is_revoked(member, slow_session, now) is caught


class TestRetireNow:
    async def test_a_token_of_a_retired_key_is_refused_by_verifiers_within_the_cache_interval(
        self, app, client, settings
    ):
        member, temporary = await a_stored_member(app)
        token = (await login(client, member.email, temporary))["access_token"]
        old_kid = jwt.get_unverified_header(token)["kid"]
        auth = AuthSettings(revocations_url=None, jwks_cache_seconds=0.5)
        # a verifier elsewhere (gateway, a service) and identity itself, both with a short key-set lifetime
        jwks = JwksKeySource(
            "http://identity/.well-known/jwks.json", cache_seconds=0.5, transport=httpx.ASGITransport(app)
        )
        elsewhere = TokenVerifier(auth, jwks)
        identity = create_app(settings.model_copy(update={"auth": auth}))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(identity), base_url="http://identity") as own:
            assert (await elsewhere.verify(token)).member_id == member.id
            assert (await own.get("/me", headers=bearer(token))).status_code == 200

            assert in_thread(main, ["rotate-signing-key", "--retire-now"], settings) == 0
            kids = [key["kid"] for key in (await client.get("/.well-known/jwks.json")).json()["keys"]]
            assert old_kid not in kids and len(kids) == 1  # gone from the JWKS at once
            await asyncio.sleep(0.6)
            with pytest.raises(InvalidToken):
                await elsewhere.verify(token)
            assert (await own.get("/me", headers=bearer(token))).status_code == 401
            fresh = (await login(own, member.email, temporary))["access_token"]
            assert jwt.get_unverified_header(fresh)["kid"] == kids[0]
            assert (await elsewhere.verify(fresh)).member_id == member.id
        await identity.state.container.engine.dispose()


class TestNoStore:
    async def test_tokens_and_personal_data_are_never_cached(self, app, client):
        member, temporary = await a_stored_member(app)
        signed_in = await client.post("/auth/login", json={"email": member.email, "password": temporary})
        me = await client.get("/me", headers=bearer(signed_in.json()["access_token"]))
        refused = await client.get("/me")
        for response in (signed_in, me, refused):
            assert response.headers["cache-control"] == "no-store", response.request.url


class TestSessionLifetimes:
    @pytest.mark.parametrize("kind, idle", [("web", 30 * 60), ("api", 7 * 24 * 3600)])
    async def test_the_refresh_token_lives_for_the_kinds_idle_timeout(self, app, client, kind, idle):
        member, temporary = await a_stored_member(app)
        body = {"email": member.email, "password": temporary, "session": kind}
        pair = (await client.post("/auth/login", json=body)).json()
        assert idle - 5 <= pair["refresh_expires_in"] <= idle
        refreshed = (await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})).json()
        assert idle - 5 <= refreshed["refresh_expires_in"] <= idle
        async with app.state.container.session_factory() as session:
            rows = (await session.execute(select(refresh_token.c.session_kind, refresh_token.c.session_started_at))).all()
        assert {row.session_kind for row in rows} == {kind} and len({row.session_started_at for row in rows}) == 1


class TestTwoTabsAtOnce:
    async def test_concurrent_refreshes_with_one_token_get_the_same_pair_and_keep_the_session(self, app, client):
        member, temporary = await a_stored_member(app)
        first = await login(client, member.email, temporary)
        tabs = await asyncio.gather(
            *(client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]}) for _ in range(2))
        )
        assert [tab.status_code for tab in tabs] == [200, 200], [tab.text for tab in tabs]
        assert tabs[0].json() == tabs[1].json()
        assert tabs[0].json()["refresh_token"] != first["refresh_token"]
        going_on = await client.post("/auth/refresh", json={"refresh_token": tabs[0].json()["refresh_token"]})
        assert going_on.status_code == 200
        assert (await client.get("/me", headers=bearer(going_on.json()["access_token"]))).status_code == 200
        revoked = (await client.get("/auth/revocations", params={"after": 0})).json()["revocations"]
        assert not [r for r in revoked if r["member_id"] == str(member.id)]

    async def test_true_reuse_after_the_grace_still_ends_the_family(self, settings):
        quick = create_app(settings.model_copy(update={"sessions": SessionSettings(reuse_grace_seconds=0.3)}))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(quick), base_url="http://identity") as client:
            member, temporary = await a_stored_member(quick)
            first = await login(client, member.email, temporary)
            second = (await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
            await asyncio.sleep(0.4)  # not a race: the 0.3 s grace must have passed, and a sleep only overshoots
            reuse = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
            assert (reuse.status_code, reuse.json()["error"]["code"]) == (401, "invalid_refresh_token")
            after = await client.post("/auth/refresh", json={"refresh_token": second["refresh_token"]})
            assert after.status_code == 401
            revoked = (await client.get("/auth/revocations", params={"after": 0})).json()["revocations"]
        await quick.state.container.engine.dispose()
        assert jwt.decode(second["access_token"], options={"verify_signature": False})["sid"] in {
            r["session_id"] for r in revoked
        }
