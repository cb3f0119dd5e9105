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
