"""Missing, expired, foreign-signed, signed-out and retired-key tokens are refused by the gateway and by
every service; what they answer a valid token is never cached."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import uuid
from datetime import timedelta

import asyncpg
import httpx
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from habitat_common.testing import LocalKeys
from habitat_devstack.stack import ROOT

from .conftest import Habitat, eventually

pytestmark = pytest.mark.e2e
# Generous for a slow machine (the stack refreshes revocations every second and key sets every
# JWKS_CACHE_SECONDS), yet an access token lives 15 minutes: only the revocation or the retired key
# refuses it this soon. How soon it does is measured by bench/revocation.py.
REFUSED_WITHIN_SECONDS = 30

# one authenticated read per process that verifies tokens
PROTECTED = (
    ("gateway", "/api/v1/me/dashboard"),
    ("gateway", "/api/v1/periods"),
    ("identity", "/me"),
    ("identity", "/members"),
    ("contributions", "/contributions"),
    ("contributions", "/review-queue"),
    ("ledger", "/periods"),
    ("ledger", "/capital-accounts/{member_id}"),
)


def identity_keys(habitat: Habitat) -> LocalKeys:
    """A LocalKeys holding identity's real active signing key, to mint an expired token with it."""

    async def fetch():
        url = re.sub(r"^postgresql\+asyncpg://", "postgresql://", habitat.config.database_url)
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetchrow(
                "SELECT kid, private_key_pem FROM identity.signing_key WHERE retired_at IS NULL "
                "ORDER BY created_at DESC LIMIT 1"
            )
        finally:
            await conn.close()

    row = asyncio.run(fetch())
    keys = LocalKeys(kid=row["kid"])
    passphrase = habitat.config.extra_env["IDENTITY_SIGNING_KEY_PASSPHRASE"].encode()  # stored encrypted
    keys.private_key = load_pem_private_key(row["private_key_pem"].encode(), password=passphrase)
    return keys


@pytest.fixture(scope="module")
def member(habitat: Habitat) -> tuple[str, str]:
    return habitat.active_member("admin")


def tokens(habitat: Habitat, member_id: str) -> dict[str, str | None]:
    real = identity_keys(habitat)
    impostor_same_kid = LocalKeys(kid=real.kid)
    subject = uuid.UUID(member_id)
    return {
        "missing": None,
        "garbage": "not-a-token",
        "expired": real.mint(subject, "admin", expires_in=timedelta(seconds=-30)),
        "foreign key, unknown kid": LocalKeys().mint(subject, "admin"),
        "foreign key, same kid": impostor_same_kid.mint(subject, "admin"),
    }


class TestTokenRefusal:
    def test_a_valid_token_is_accepted_everywhere(self, habitat: Habitat, member: tuple[str, str]) -> None:
        member_id, token = member
        for process, path in PROTECTED:
            url = habitat.config.service_url(process) + path.format(member_id=member_id)
            response = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, (process, path, response.text)

    @pytest.mark.parametrize("process,path", PROTECTED)
    def test_bad_tokens_get_401(self, habitat: Habitat, member: tuple[str, str], process: str, path: str) -> None:
        member_id, _ = member
        url = habitat.config.service_url(process) + path.format(member_id=member_id)
        for kind, token in tokens(habitat, member_id).items():
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = httpx.get(url, headers=headers)
            assert response.status_code == 401, (kind, process, path, response.text)
            assert response.json()["error"]["code"] == "unauthorized"


def statuses_everywhere(habitat: Habitat, member_id: str, token: str) -> set[int]:
    """What every protected read answers the token, as a set of status codes."""
    return {
        httpx.get(
            habitat.config.service_url(process) + path.format(member_id=member_id),
            headers={"Authorization": f"Bearer {token}"},
        ).status_code
        for process, path in PROTECTED
    }


def refused_everywhere(habitat: Habitat, member_id: str, token: str) -> bool:
    return statuses_everywhere(habitat, member_id, token) == {401}


def accepted_everywhere(habitat: Habitat, member_id: str, token: str) -> bool:
    return statuses_everywhere(habitat, member_id, token) == {200}


class TestEndedSessionsAndCaching:
    """Issue 13, sessions and tokens."""

    def test_every_verifying_process_is_ready_only_while_it_follows_the_revocation_feed(self, habitat: Habitat) -> None:
        for process in ("gateway", "identity", "contributions", "ledger"):
            response = httpx.get(habitat.config.service_url(process) + "/readyz")
            assert response.status_code == 200, (process, response.text)
            assert response.json()["checks"]["revocations"] is True, process

    def test_a_signed_out_sessions_access_token_is_refused_everywhere_within_seconds(self, habitat: Habitat) -> None:
        member_id, _ = habitat.active_member()
        admin = habitat.login(habitat.admin_email, habitat.admin_password)
        assert not refused_everywhere(habitat, member_id, admin["access_token"])
        assert habitat.call("POST", "/auth/logout", json={"refresh_token": admin["refresh_token"]}).status_code == 204
        eventually(lambda: refused_everywhere(habitat, member_id, admin["access_token"]),
                   timeout=REFUSED_WITHIN_SECONDS, interval=0.1)

    def test_answers_to_a_valid_token_are_no_store_everywhere(self, habitat: Habitat, member: tuple[str, str]) -> None:
        member_id, token = member
        for process, path in PROTECTED:
            url = habitat.config.service_url(process) + path.format(member_id=member_id)
            response = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
            assert response.headers.get("cache-control") == "no-store", (process, path)
        through_caddy = habitat.call("GET", "/me/dashboard", token)
        assert through_caddy.status_code == 200 and through_caddy.headers["cache-control"] == "no-store"

    def test_two_tabs_refreshing_at_once_keep_the_session(self, habitat: Habitat) -> None:
        _, email, temporary = habitat.create_member()
        tokens = habitat.login(email, temporary)

        async def both() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=habitat.url, timeout=30) as client:
                body = {"refresh_token": tokens["refresh_token"]}
                return await asyncio.gather(*(client.post("/api/v1/auth/refresh", json=body) for _ in range(2)))

        tabs = asyncio.run(both())
        assert [tab.status_code for tab in tabs] == [200, 200], [tab.text for tab in tabs]
        assert tabs[0].json()["refresh_token"] == tabs[1].json()["refresh_token"]
        going_on = habitat.call("POST", "/auth/refresh", json={"refresh_token": tabs[0].json()["refresh_token"]})
        assert going_on.status_code == 200


class TestRetiredKeyLast:
    """Runs last in this module: it retires the stack's signing key (the tokens above are then dead)."""

    def test_after_retire_now_the_old_keys_tokens_are_refused_everywhere_within_the_refresh_interval(
        self, habitat: Habitat
    ) -> None:
        member_id, token = habitat.active_member("admin")
        assert not refused_everywhere(habitat, member_id, token)
        rotated = subprocess.run(
            [sys.executable, "-m", "habitat_identity.cli", "rotate-signing-key", "--retire-now"],
            env=habitat.config.env(), cwd=ROOT, capture_output=True, text=True, check=False,
        )
        assert rotated.returncode == 0, rotated.stderr
        # within the key-set lifetime (plus a poll), never the old key's remaining quarter of an hour
        eventually(lambda: refused_everywhere(habitat, member_id, token), timeout=REFUSED_WITHIN_SECONDS, interval=0.2)
        # identity signs with the new key as soon as it reloads its own keys (within the same interval)
        eventually(lambda: accepted_everywhere(habitat, member_id, habitat.admin_token()), timeout=REFUSED_WITHIN_SECONDS)
