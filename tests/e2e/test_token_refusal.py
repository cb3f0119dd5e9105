"""Missing, expired and foreign-signed tokens are refused by the gateway and by every service."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import timedelta

import asyncpg
import httpx
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from habitat_common.testing import LocalKeys

from .conftest import Habitat

pytestmark = pytest.mark.e2e

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
