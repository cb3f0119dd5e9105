"""Fuzzing found 500s on inputs PostgreSQL refuses: they are refused at the edge with 422 and a code."""

import uuid

import pytest

from tests.integration.conftest import bearer

pytestmark = pytest.mark.integration
HUGE = 2**63  # one past PostgreSQL's bigint: used to fail in the database with a 500


class TestPageBounds:
    @pytest.mark.parametrize(("path", "role"), [("/members", "steward"), ("/audit-log", "admin")])
    async def test_an_offset_beyond_the_bound_is_422_not_500(self, local_client, local_keys, path, role):
        token = bearer(local_keys.mint(uuid.uuid4(), role))
        for offset in (HUGE, 1_000_001):
            response = await local_client.get(path, params={"offset": offset}, headers=token)
            assert response.status_code == 422, response.text
            assert response.json()["error"]["code"] == "invalid_request"
        assert (await local_client.get(path, params={"offset": 1_000_000}, headers=token)).status_code == 200


class TestNoNulNorControlCharacters:
    """PostgreSQL refuses NUL in text: it used to reach the database and answer 500."""

    async def test_login_with_a_nul_in_the_email_is_refused_not_500(self, local_client):
        response = await local_client.post("/auth/login", json={"email": "a\x00@x.org", "password": "whatever-it-is"})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "nul_character"

    async def test_a_display_name_with_a_control_character_is_422(self, local_client, local_keys):
        admin = bearer(local_keys.mint(uuid.uuid4(), "admin"))
        for name, code in (("Ada\x00King", "nul_character"), ("Ada\x07King", "control_character")):
            body = {"email": "ada@example.org", "display_name": name, "role": "member"}
            response = await local_client.post("/members", json=body, headers=admin)
            assert response.status_code == 422, response.text
            assert response.json()["error"]["code"] == code

    async def test_a_search_with_a_nul_is_422(self, local_client, local_keys):
        steward = bearer(local_keys.mint(uuid.uuid4(), "steward"))
        response = await local_client.get("/members", params={"q": "ad\x00a"}, headers=steward)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "nul_character"

    async def test_a_roster_with_a_nul_or_a_control_character_is_a_located_problem(self, local_client, local_keys):
        admin = bearer(local_keys.mint(uuid.uuid4(), "admin"))
        for data, expected in (
            (b"email,display_name,role\nada@example.org,Ada\x00,member\n", (2, 2, "invalid_character")),
            (b"email,display_name,role\nada@example.org,Ada\x1bKing,member\n", (2, 2, "control_character")),
        ):
            response = await local_client.post(
                "/members/import", params={"dry_run": "true"}, content=data,
                headers={**admin, "Content-Type": "text/csv"},
            )
            assert response.status_code == 422, response.text
            assert [(e["line"], e["column"], e["code"]) for e in response.json()["errors"]] == [expected]
