import os
import subprocess
import sys

import pytest
from habitat_identity.adapters.orm import member, outbox
from sqlalchemy import select

pytestmark = pytest.mark.integration


def ensure_admin(database_url: str, password: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "habitat_identity.cli",
            "ensure-admin",
            "--email",
            "Root@Example.org",
            "--password",
            password,
            "--display-name",
            "Root Admin",
        ],
        env={**os.environ, "IDENTITY_DATABASE__URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class TestEnsureAdmin:
    async def test_creates_an_active_admin_once_then_finds_it(self, app, client, database_url):
        first = ensure_admin(database_url, "violet-harbor-engine")
        second = ensure_admin(database_url, "another-long-password")
        assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
        assert first.stdout.startswith("created") and second.stdout.startswith("found existing")
        async with app.state.container.session_factory() as session:
            [row] = (await session.execute(select(member))).all()
            [event] = (await session.execute(select(outbox.c.routing_key))).scalars().all()
        assert (row.email, row.role, row.status, row.must_change_password) == (
            "root@example.org",
            "admin",
            "active",
            False,
        )
        assert event == "identity.member_registered.v1"
        signed_in = await client.post(
            "/auth/login", json={"email": "root@example.org", "password": "violet-harbor-engine"}
        )
        assert signed_in.status_code == 200 and signed_in.json()["must_change_password"] is False

    def test_weak_password_exits_2_with_a_message(self, database_url):
        result = ensure_admin(database_url, "short")
        assert result.returncode == 2 and "12 characters" in result.stderr
