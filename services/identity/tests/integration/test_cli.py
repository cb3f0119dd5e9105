import os
import subprocess
import sys

import pytest
from habitat_identity.adapters.orm import member, outbox
from sqlalchemy import select

pytestmark = pytest.mark.integration


def ensure_admin(database_url: str, password: str, *extra: str) -> subprocess.CompletedProcess:
    """ensure-admin with the password on standard input (or as extra flags say)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "habitat_identity.cli",
            "ensure-admin",
            "--email",
            "Root@Example.org",
            "--display-name",
            "Root Admin",
            *(extra or ("--password-stdin",)),
        ],
        env={**os.environ, "IDENTITY_DATABASE__URL": database_url},
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class TestEnsureAdmin:
    async def test_creates_an_admin_once_who_must_change_the_password_at_first_sign_in(self, app, client, database_url):
        first = ensure_admin(database_url, "violet-harbor-engine")
        second = ensure_admin(database_url, "another-long-password")
        assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
        assert first.stdout.startswith("created") and second.stdout.startswith("found existing")
        signed_in = await client.post(
            "/auth/login", json={"email": "root@example.org", "password": "violet-harbor-engine"}
        )
        assert signed_in.status_code == 200 and signed_in.json()["must_change_password"] is True
        token = signed_in.json()["access_token"]
        refused = await client.get("/members", headers={"Authorization": f"Bearer {token}"})
        assert refused.json()["error"]["code"] == "password_change_required"

    def test_the_password_never_travels_in_argv(self, database_url, tmp_path):
        refused = ensure_admin(database_url, "", "--password", "violet-harbor-engine")
        assert refused.returncode == 2 and "--password-stdin" in refused.stderr
        empty = ensure_admin(database_url, "", "--password-stdin")
        assert empty.returncode == 2 and "No password given" in empty.stderr

    async def test_reads_the_password_from_a_file(self, client, database_url, tmp_path):
        secret = tmp_path / "admin-password"
        secret.write_text("violet-harbor-engine\n")
        result = ensure_admin(database_url, "", "--password-file", str(secret), "--no-password-change")
        assert result.returncode == 0, result.stderr
        signed_in = await client.post(
            "/auth/login", json={"email": "root@example.org", "password": "violet-harbor-engine"}
        )
        assert signed_in.status_code == 200 and signed_in.json()["must_change_password"] is False

    async def test_dev_stacks_keep_an_active_admin_with_no_password_change(self, app, client, database_url):
        first = ensure_admin(database_url, "violet-harbor-engine", "--password-stdin", "--no-password-change")
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
