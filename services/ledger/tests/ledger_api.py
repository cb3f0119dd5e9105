"""Calling the ledger's HTTP API in tests, with tokens minted by LocalKeys."""

from __future__ import annotations

import uuid

import httpx
from habitat_common.testing import LocalKeys

ADMIN, ADMIN2 = uuid.uuid4(), uuid.uuid4()


class Api:
    def __init__(self, client: httpx.AsyncClient, keys: LocalKeys) -> None:
        self.client, self.keys = client, keys

    def auth(self, who: uuid.UUID, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys.mint(who, role)}"}

    async def get(self, path: str, who: uuid.UUID = ADMIN, role: str = "admin", **kw) -> httpx.Response:
        return await self.client.get(path, headers=self.auth(who, role), **kw)

    async def post(self, path: str, body: dict | None = None, who: uuid.UUID = ADMIN, role: str = "admin"):
        return await self.client.post(path, json=body or {}, headers=self.auth(who, role))
