"""Fuzzing found 500s on inputs PostgreSQL refuses: they are refused at the edge with 422 and a code."""

import uuid

import pytest

from tests.integration.db import active_member, open_q1
from tests.integration.test_http import LABOR, auth

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


class TestNoNulCharacters:
    async def test_a_description_with_a_nul_is_422_not_500(self, client, keys, container):
        await open_q1(container)
        member = uuid.uuid4()
        await active_member(container, member)
        body = {**LABOR, "description": "Built raised\x00 garden beds"}
        response = await client.post("/contributions", json=body, headers=auth(keys, member))
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "nul_character"
