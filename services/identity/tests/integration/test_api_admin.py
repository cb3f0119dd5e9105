import uuid

import pytest
from habitat_identity.adapters.orm import outbox
from sqlalchemy import func, select, text

from tests.integration.conftest import a_stored_member, bearer

pytestmark = pytest.mark.integration
ROSTER = (
    b"email,display_name,role,joined_at\n"
    b"ada@example.org,Ada King,steward,2026-01-05\n"
    b"bob@example.org,Bob Smith,member,\n"
)


async def outbox_count(app) -> int:
    async with app.state.container.session_factory() as session:
        return await session.scalar(select(func.count()).select_from(outbox))


async def upload(client, token, data, dry_run):
    return await client.post(
        "/members/import",
        params={"dry_run": str(dry_run).lower()},
        content=data,
        headers={**bearer(token), "Content-Type": "text/csv"},
    )


class TestImportMembers:
    async def test_dry_run_then_real_run_then_same_file_again(self, local_app, local_client, local_keys):
        admin = local_keys.mint(uuid.uuid4(), "admin")
        dry = await upload(local_client, admin, ROSTER, True)
        assert dry.status_code == 200, dry.text
        assert dry.json()["summary"] == {"created": 2, "updated": 0, "unchanged": 0}
        assert dry.json()["credentials"] == [] and await outbox_count(local_app) == 0

        real = (await upload(local_client, admin, ROSTER, False)).json()
        assert real["summary"] == {"created": 2, "updated": 0, "unchanged": 0}
        assert [c["email"] for c in real["credentials"]] == ["ada@example.org", "bob@example.org"]
        assert [w["email"] for w in real["welcome_emails"]] == ["ada@example.org", "bob@example.org"]
        assert real["credentials"][0]["temporary_password"] in real["welcome_emails"][0]["body"]
        assert "http://localhost:8080" in real["welcome_emails"][0]["body"]
        # each new member: registered, and an invitation to choose a password
        assert all(row["member_id"] for row in real["rows"]) and await outbox_count(local_app) == 4

        again = (await upload(local_client, admin, ROSTER, False)).json()
        assert again["summary"] == {"created": 0, "updated": 0, "unchanged": 2} and again["credentials"] == []
        assert await outbox_count(local_app) == 4

        changed = ROSTER.replace(b"Bob Smith,member", b"Bob Smith,steward")
        update = (await upload(local_client, admin, changed, False)).json()
        assert update["summary"] == {"created": 0, "updated": 1, "unchanged": 1}
        assert update["rows"][1]["changes"] == {"role": ["member", "steward"]}
        assert await outbox_count(local_app) == 5

        log = (await local_client.get("/audit-log", headers=bearer(admin))).json()
        assert {e["action"] for e in log["items"][:2]} == {"members.imported", "member.updated"}
        imported = [e for e in log["items"] if e["action"] == "members.imported"]
        assert [e["after"] for e in imported] == [
            {"created": 0, "updated": 1, "unchanged": 1},
            {"created": 2, "updated": 0, "unchanged": 0},
        ]

    async def test_malformed_file_is_422_with_every_error_and_writes_nothing(self, local_app, local_client, local_keys):
        admin = local_keys.mint(uuid.uuid4(), "admin")
        bad = ROSTER + b"carol@,Carol,member,\nada@example.org,Ada Again,admin,\ndan@example.org,Dan,chief,\n"
        response = await upload(local_client, admin, bad, False)
        assert response.status_code == 422
        body = response.json()
        assert body["error"]["code"] == "invalid_csv" and "4 error" in body["error"]["message"]
        assert [(e["line"], e["column"], e["code"]) for e in body["errors"]] == [
            (2, 1, "duplicate_email"),
            (4, 1, "invalid_email"),
            (5, 1, "duplicate_email"),
            (6, 3, "unknown_role"),
        ]
        latin = (
            await upload(
                local_client, admin, "email,display_name,role\nr@x.org,Ren\xe9e,member\n".encode("latin-1"), False
            )
        ).json()
        assert [(e["line"], e["column"], e["code"]) for e in latin["errors"]] == [(2, 2, "bad_encoding")]
        assert await outbox_count(local_app) == 0

    async def test_every_record_that_is_not_valid_csv_is_422_with_its_line(self, local_app, local_client, local_keys):
        admin = local_keys.mint(uuid.uuid4(), "admin")
        bad = ROSTER + b'"carol@example.org"x,Carol,member,\ndan@example.org,Dan,chief,\neve@example.org,"Eve\nE"x,member,\n'
        response = await upload(local_client, admin, bad, False)
        assert response.status_code == 422
        body = response.json()
        assert body["error"]["code"] == "invalid_csv" and "3 error" in body["error"]["message"]
        assert [(e["line"], e["column"], e["code"]) for e in body["errors"]] == [
            (4, 1, "malformed_csv"),
            (5, 3, "unknown_role"),
            (6, 1, "malformed_csv"),
        ]
        assert await outbox_count(local_app) == 0

    async def test_only_admins_may_import_or_read_the_audit_log(self, local_client, local_keys):
        steward = local_keys.mint(uuid.uuid4(), "steward")
        assert (await upload(local_client, steward, ROSTER, True)).status_code == 403
        assert (await local_client.get("/audit-log", headers=bearer(steward))).status_code == 403


class TestUpdateMember:
    async def test_admin_cannot_demote_or_deactivate_themselves(self, local_app, local_client, local_keys):
        admin, _ = await a_stored_member(local_app, role="admin")
        token = local_keys.mint(admin.id, "admin")
        for change in ({"role": "member"}, {"status": "inactive"}):
            response = await local_client.patch(f"/members/{admin.id}", headers=bearer(token), json=change)
            assert (response.status_code, response.json()["error"]["code"]) == (409, "cannot_change_self")

    async def test_role_change_and_reactivation_are_audited_with_before_and_after(
        self, local_app, local_client, local_keys
    ):
        actor = uuid.uuid4()
        token = local_keys.mint(actor, "admin")
        member, _ = await a_stored_member(local_app)
        for change in ({"role": "steward"}, {"status": "inactive"}, {"status": "active"}):
            await local_client.patch(f"/members/{member.id}", headers=bearer(token), json=change)
        log = (
            await local_client.get("/audit-log", params={"subject_id": str(member.id)}, headers=bearer(token))
        ).json()
        assert log["total"] == 4
        assert [(e["action"], e["before"], e["after"]) for e in log["items"][:3]] == [
            ("member.reactivated", {"status": "inactive"}, {"status": "pending"}),
            ("member.deactivated", {"status": "pending"}, {"status": "inactive"}),
            ("member.updated", {"role": "member"}, {"role": "steward"}),
        ]
        assert all(e["actor_id"] == str(actor) for e in log["items"][:3])

    async def test_the_log_names_who_acted_and_who_was_acted_on_as_they_are_called_today(
        self, local_app, local_client, local_keys
    ):
        admin, _ = await a_stored_member(local_app, role="admin")
        member, _ = await a_stored_member(local_app)
        token = local_keys.mint(admin.id, "admin")
        await local_client.patch(f"/members/{admin.id}", headers=bearer(token), json={"display_name": "Ada Admin"})
        await local_client.patch(f"/members/{member.id}", headers=bearer(token), json={"role": "steward"})
        await local_client.patch(f"/members/{member.id}", headers=bearer(token), json={"display_name": "Łucja Żak"})
        stranger = local_keys.mint(uuid.uuid4(), "admin")  # an actor the registry does not hold
        await local_client.patch(f"/members/{member.id}", headers=bearer(stranger), json={"role": "member"})
        log = (await local_client.get("/audit-log", params={"limit": 4}, headers=bearer(token))).json()
        named = [(e["action"], e["actor_name"], e["subject_name"]) for e in log["items"]]
        assert named == [
            ("member.updated", None, "Łucja Żak"),
            ("member.updated", "Ada Admin", "Łucja Żak"),
            ("member.updated", "Ada Admin", "Łucja Żak"),
            ("member.updated", "Ada Admin", "Ada Admin"),
        ]
        system = await local_client.get("/audit-log", params={"q": "member.created"}, headers=bearer(token))
        assert all(e["actor_name"] is None for e in system.json()["items"] if e["actor_id"] is None)


class TestListMembers:
    async def test_search_filters_and_pages(self, local_app, local_client, local_keys):
        token = local_keys.mint(uuid.uuid4(), "steward")
        for n in range(5):
            await a_stored_member(local_app, role="steward" if n < 2 else "member", email=f"p{n}@coop.example")
        await a_stored_member(local_app, email="other@elsewhere.example")
        page = (
            await local_client.get("/members", params={"q": "COOP", "limit": 2, "offset": 1}, headers=bearer(token))
        ).json()
        assert page["total"] == 5 and [m["email"] for m in page["items"]] == ["p1@coop.example", "p2@coop.example"]
        stewards = (await local_client.get("/members", params={"role": "steward"}, headers=bearer(token))).json()
        assert stewards["total"] == 2
        pending = (await local_client.get("/members", params={"status": "active"}, headers=bearer(token))).json()
        assert pending == {"items": [], "total": 0, "next_cursor": None}
        too_many = await local_client.get("/members", params={"limit": 501}, headers=bearer(token))
        assert too_many.status_code == 422


class TestIntegrity:
    async def test_a_clean_registry_passes_every_check(self, local_app, local_client, local_keys):
        await a_stored_member(local_app, role="admin")
        token = local_keys.mint(uuid.uuid4(), "admin")
        report = (await local_client.get("/integrity", headers=bearer(token))).json()
        assert report["service"] == "identity"
        assert {c["name"] for c in report["checks"]} >= {"valid_emails", "unique_emails", "valid_roles", "valid_statuses"}
        assert all(c["passed"] for c in report["checks"]), report

    async def test_bad_rows_written_behind_its_back_are_named(self, local_app, local_client, local_keys):
        member, _ = await a_stored_member(local_app, role="admin")
        async with local_app.state.container.engine.begin() as conn:  # what an old script might have written
            await conn.execute(text("ALTER TABLE identity.member DISABLE TRIGGER ALL"))
            await conn.execute(text("UPDATE identity.member SET email = 'not an email', role = 'chief' WHERE id = :id"),
                               {"id": member.id})
            await conn.execute(text("ALTER TABLE identity.member ENABLE TRIGGER ALL"))  # for the tests after this one
        token = local_keys.mint(uuid.uuid4(), "admin")
        checks = {c["name"]: c for c in (await local_client.get("/integrity", headers=bearer(token))).json()["checks"]}
        assert (checks["valid_emails"]["failures"], checks["valid_roles"]["failures"]) == (1, 1)
        assert checks["valid_emails"]["examples"] == [f"{member.id} not an email"]
        assert checks["an_active_admin"]["passed"] is False
        assert checks["valid_statuses"]["passed"] is True

    async def test_only_admins_read_it(self, local_client, local_keys):
        steward = local_keys.mint(uuid.uuid4(), "steward")
        assert (await local_client.get("/integrity", headers=bearer(steward))).status_code == 403
