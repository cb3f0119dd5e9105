"""Fuzzing found 500s on inputs PostgreSQL refuses: they are refused at the edge with 422 and a code."""

import uuid

import pytest

from tests.integration.test_http import auth

HUGE = 2**63  # one past PostgreSQL's bigint: used to fail in the database with a 500


class TestPageBounds:
    @pytest.mark.parametrize("path", ["/contributions", "/review-queue"])
    async def test_an_offset_beyond_the_bound_is_422_not_500(self, client, keys, path):
        steward = auth(keys, uuid.uuid4(), "steward")
        for offset in (HUGE, 1_000_001):
            response = await client.get(path, params={"offset": offset}, headers=steward)
            assert response.status_code == 422, response.text
            assert response.json()["error"]["code"] == "invalid_request"
        assert (await client.get(path, params={"offset": 1_000_000}, headers=steward)).status_code == 200
