"""Sign-in hardening through identity's HTTP API on PostgreSQL: lockout under parallel guesses, client keys
from trusted proxies only, device cookies, wrong current passwords, temporary password expiry, bounded argon2."""

import asyncio
import uuid

import httpx
import pytest
from habitat_identity.entrypoints.http import create_app
from sqlalchemy import text

from tests.integration.conftest import a_stored_member, bearer

pytestmark = pytest.mark.integration
NEW_PASSWORD = "violet-harbor-engine"


def client_from(app, peer: str) -> httpx.AsyncClient:
    """A client whose TCP peer address is `peer` (as a browser, Caddy or the gateway would be)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app, client=(peer, 40000)), base_url="http://identity")


async def login(client, email, password, forwarded_for: str | None = None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return await client.post("/auth/login", json={"email": email, "password": password}, headers=headers)


async def failures(app, key: str) -> int:
    async with app.state.container.engine.connect() as conn:
        found = await conn.scalar(text("SELECT failures FROM identity.login_throttle WHERE key = :k"), {"k": key})
    return found or 0


class TestParallelGuesses:
    async def test_24_simultaneous_wrong_passwords_get_at_most_5_wrong_password_answers(self, app, client):
        member, temporary = await a_stored_member(app)
        answers = await asyncio.gather(
            *(login(client, member.email, f"wrong guess {n}!", forwarded_for=f"198.51.100.{n}") for n in range(24))
        )
        codes = [answer.status_code for answer in answers]
        assert codes.count(401) <= 5 and codes.count(401) + codes.count(429) == 24, codes
        assert await failures(app, f"account:{member.email}") == codes.count(401)
        assert (await login(client, member.email, temporary, forwarded_for="198.51.100.99")).status_code == 429

    async def test_wrong_current_passwords_on_the_change_form_lock_the_account(self, app, client):
        member, temporary = await a_stored_member(app)
        token = (await login(client, member.email, temporary)).json()["access_token"]
        wrong = {"current_password": "not the password", "new_password": NEW_PASSWORD}
        answers = await asyncio.gather(
            *(client.post("/auth/password", headers=bearer(token), json=wrong) for _ in range(8))
        )
        codes = sorted(answer.status_code for answer in answers)
        assert codes.count(400) <= 5 and codes.count(400) + codes.count(429) == 8, codes
        assert (await login(client, member.email, temporary, forwarded_for="192.0.2.77")).status_code == 429
        right = {"current_password": temporary, "new_password": NEW_PASSWORD}
        assert (await client.post("/auth/password", headers=bearer(token), json=right)).status_code == 429


class TestClientAddress:
    async def test_a_forged_forwarded_for_from_an_untrusted_peer_does_not_change_the_client_key(self, app):
        member, temporary = await a_stored_member(app)
        async with client_from(app, "203.0.113.50") as direct:
            for n in range(20):
                answer = await login(direct, f"x{n}@example.org", "nope", forwarded_for=f"192.0.2.{n}")
                assert answer.status_code == 401
            blocked = await login(direct, member.email, temporary, forwarded_for="192.0.2.200")
        assert blocked.status_code == 429 and await failures(app, "client:203.0.113.50") == 20
        async with client_from(app, "203.0.113.51") as elsewhere:
            assert (await login(elsewhere, member.email, temporary)).status_code == 200

    async def test_behind_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client(self, app, client):
        # the peer (127.0.0.1, the test's gateway) is trusted; what the client wrote itself (left) is not
        await login(client, "a@example.org", "nope", forwarded_for="10.9.9.9, 192.0.2.60")
        await login(client, "b@example.org", "nope", forwarded_for="2001:db8:aa:bb::1")
        await login(client, "c@example.org", "nope", forwarded_for="2001:db8:aa:bb:ffff::2")
        assert await failures(app, "client:192.0.2.60") == 1 and await failures(app, "client:10.9.9.9") == 0
        assert await failures(app, "client:2001:db8:aa:bb::/64") == 2


class TestDeviceCookies:
    async def test_a_browser_that_signed_in_before_is_not_blocked_by_its_offices_client_limit(self, app, client):
        member, temporary = await a_stored_member(app)
        office = "192.0.2.90"
        first = await login(client, member.email, temporary, forwarded_for=office)
        assert first.status_code == 200 and client.cookies.get("habitat_device")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://identity") as guesser:
            for n in range(20):
                assert (await login(guesser, f"g{n}@example.org", "nope", forwarded_for=office)).status_code == 401
            assert (await login(guesser, member.email, temporary, forwarded_for=office)).status_code == 429
        assert (await login(client, member.email, temporary, forwarded_for=office)).status_code == 200

    async def test_the_cookie_is_bound_to_its_account_signed_and_never_lifts_the_account_lockout(self, app, client):
        member, temporary = await a_stored_member(app)
        other, other_temporary = await a_stored_member(app)
        office = "192.0.2.91"
        assert (await login(client, member.email, temporary, forwarded_for=office)).status_code == 200
        cookie = client.cookies["habitat_device"]
        for n in range(20):
            await login(httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://identity"),
                        f"h{n}@example.org", "nope", forwarded_for=office)
        # another account's sign-in from this browser, and a tampered cookie, are limited like strangers
        assert (await login(client, other.email, other_temporary, forwarded_for=office)).status_code == 429
        client.cookies.set("habitat_device", cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
        assert (await login(client, member.email, temporary, forwarded_for=office)).status_code == 429
        client.cookies.set("habitat_device", cookie)
        answers = [await login(client, member.email, "wrong password!", forwarded_for=office) for _ in range(6)]
        assert [a.status_code for a in answers] == [401] * 5 + [429]


class TestTemporaryPasswordExpiry:
    async def test_an_expired_temporary_password_says_to_ask_an_admin(self, app, client):
        member, temporary = await a_stored_member(app)
        async with app.state.container.engine.begin() as conn:
            await conn.execute(
                text("UPDATE identity.member SET temporary_password_expires_at = now() - interval '1 second'"
                     " WHERE id = :id"),
                {"id": member.id},
            )
        assert (await login(client, member.email, "wrong password!")).status_code == 401  # no hint without it
        expired = await login(client, member.email, temporary)
        assert expired.status_code == 403
        assert expired.json()["error"] == {
            "code": "temporary_password_expired",
            "message": "Your temporary password has expired. Ask an admin to issue you a new one.",
        }

    async def test_a_new_member_s_temporary_password_lasts_the_configured_days(self, app, local_client, local_keys):
        admin = local_keys.mint(uuid.uuid4(), "admin")
        created = await local_client.post(
            "/members", headers=bearer(admin), json={"email": "new@example.org", "display_name": "New", "role": "member"}
        )
        assert created.status_code == 201, created.text
        async with app.state.container.engine.connect() as conn:
            days = await conn.scalar(text(
                "SELECT extract(epoch FROM temporary_password_expires_at - created_at) / 86400 FROM identity.member"
            ))
        assert round(days) == 7


class TestBoundedHashing:
    async def test_a_roster_over_the_row_cap_is_refused_before_anything_is_hashed(self, settings, local_keys):
        app = create_app(settings.model_copy(update={"import_max_rows": 3}), verifier=local_keys)
        roster = "email,display_name,role\n" + "".join(f"m{n}@example.org,Member {n},member\n" for n in range(4))
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://identity") as c:
                answer = await c.post(
                    "/members/import?dry_run=false", content=roster, headers=bearer(local_keys.mint(uuid.uuid4(), "admin"))
                )
        finally:
            await app.state.container.engine.dispose()
        assert answer.status_code == 413
        assert answer.json()["error"]["code"] == "too_many_rows"
        assert "at most 3" in answer.json()["error"]["message"]

    async def test_sign_ins_are_served_while_an_import_hashes_its_roster(
        self, app, client, local_client, local_keys, monkeypatch
    ):
        member, temporary = await a_stored_member(app)
        hasher, real_hash = app.state.container.hasher, app.state.container.hasher.hash
        hashing, hashed = asyncio.Event(), []

        async def counted(password: str) -> str:
            hashing.set()
            hashed.append(await real_hash(password))
            return hashed[-1]

        monkeypatch.setattr(hasher, "hash", counted)
        roster = "email,display_name,role\n" + "".join(f"r{n}@example.org,Roster {n},member\n" for n in range(40))
        importing = asyncio.create_task(local_client.post(
            "/members/import?dry_run=false", content=roster, headers=bearer(local_keys.mint(uuid.uuid4(), "admin"))
        ))
        await asyncio.wait_for(hashing.wait(), timeout=60)  # the import is hashing now
        signed_in = await login(client, member.email, temporary)
        hashed_before_sign_in = len(hashed)
        imported = await importing
        assert signed_in.status_code == 200 and imported.status_code == 200, imported.text
        # counted, not timed: unbounded, the sign-in's verification queued behind the whole roster's hashes
        assert hashed_before_sign_in < 20, hashed_before_sign_in


class TestReissuingATemporaryPassword:
    async def test_an_admin_gives_a_member_whose_temporary_password_expired_a_new_one(
        self, app, client, local_client, local_keys
    ):
        member, temporary = await a_stored_member(app)
        old_session = (await login(client, member.email, temporary)).json()
        async with app.state.container.engine.begin() as conn:
            await conn.execute(
                text("UPDATE identity.member SET temporary_password_expires_at = now() WHERE id = :id"),
                {"id": member.id},
            )
        admin_id = uuid.uuid4()
        path = f"/members/{member.id}/temporary-password"
        steward = await local_client.post(path, headers=bearer(local_keys.mint(uuid.uuid4(), "steward")))
        assert steward.status_code == 403
        issued = await local_client.post(path, headers=bearer(local_keys.mint(admin_id, "admin")))
        assert issued.status_code == 200, issued.text
        fresh = issued.json()["temporary_password"]
        assert fresh != temporary and issued.json()["status"] == "pending"
        assert (await login(client, member.email, temporary)).status_code == 401
        signed_in = await login(client, member.email, fresh)
        assert signed_in.status_code == 200 and signed_in.json()["must_change_password"] is True
        assert (await client.post("/auth/refresh", json={"refresh_token": old_session["refresh_token"]})).status_code == 401
        async with app.state.container.engine.connect() as conn:
            action = await conn.scalar(text(
                "SELECT action FROM identity.audit_log WHERE subject_id = :id AND actor_id = :actor"
            ), {"id": member.id, "actor": admin_id})
        assert action == "member.temporary_password_issued"

    async def test_not_for_oneself(self, local_client, local_keys):
        me = uuid.uuid4()
        answer = await local_client.post(f"/members/{me}/temporary-password", headers=bearer(local_keys.mint(me, "admin")))
        assert answer.status_code == 409 and answer.json()["error"]["code"] == "cannot_change_self"


async def new_device_notices(app) -> list[dict]:
    async with app.state.container.engine.connect() as conn:
        rows = await conn.execute(text(
            "SELECT payload FROM identity.outbox WHERE routing_key = 'identity.new_device_signed_in.v1' ORDER BY id"
        ))
        return [row.payload["payload"] for row in rows]  # the envelope's contract


class TestNewDeviceNotice:
    async def test_a_sign_in_without_the_accounts_device_cookie_tells_the_member_once_a_day_per_network(
        self, app, client
    ):
        member, temporary = await a_stored_member(app)
        first = await login(client, member.email, temporary, forwarded_for="192.0.2.10")
        assert first.status_code == 200 and await new_device_notices(app) == []  # the first sign-in ever is no news
        assert (await login(client, member.email, temporary, forwarded_for="192.0.2.10")).status_code == 200
        assert await new_device_notices(app) == []  # this browser holds the account's device cookie
        async with client_from(app, "127.0.0.1") as stranger:
            agent = {"User-Agent": "Mozilla/5.0 " + "x" * 400}
            answer = await stranger.post("/auth/login", json={"email": member.email, "password": temporary},
                                         headers={"X-Forwarded-For": "198.51.100.7", **agent})
            assert answer.status_code == 200
            [notice] = await new_device_notices(app)
            assert notice["member_id"] == str(member.id) and notice["email"] == member.email
            assert notice["client"] == "198.51.100.7" and len(notice["user_agent"]) == 200
            stranger.cookies.clear()
            await stranger.post("/auth/login", json={"email": member.email, "password": temporary},
                                headers={"X-Forwarded-For": "198.51.100.8"})  # another address: news again
        assert len(await new_device_notices(app)) == 2
        async with client_from(app, "127.0.0.1") as again:  # the same address within the day: no second mail
            await again.post("/auth/login", json={"email": member.email, "password": temporary},
                             headers={"X-Forwarded-For": "198.51.100.7"})
        assert len(await new_device_notices(app)) == 2

    async def test_a_failed_sign_in_from_a_new_device_tells_nobody(self, app, client):
        member, temporary = await a_stored_member(app)
        assert (await login(client, member.email, temporary)).status_code == 200
        async with client_from(app, "127.0.0.1") as stranger:
            answer = await stranger.post("/auth/login", json={"email": member.email, "password": "wrong one!"},
                                         headers={"X-Forwarded-For": "198.51.100.9"})
        assert answer.status_code == 401 and await new_device_notices(app) == []
