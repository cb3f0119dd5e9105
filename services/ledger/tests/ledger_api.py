"""Calling the ledger's HTTP API in tests, with tokens minted by LocalKeys."""

from __future__ import annotations

import uuid

import httpx
from habitat_common.testing import LocalKeys

ADMIN, ADMIN2 = uuid.uuid4(), uuid.uuid4()


def other(admin: uuid.UUID) -> uuid.UUID:
    """An admin other than this one."""
    return ADMIN if admin == ADMIN2 else ADMIN2


class Api:
    def __init__(self, client: httpx.AsyncClient, keys: LocalKeys) -> None:
        self.client, self.keys = client, keys

    def auth(self, who: uuid.UUID, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys.mint(who, role)}"}

    async def get(self, path: str, who: uuid.UUID = ADMIN, role: str = "admin", **kw) -> httpx.Response:
        return await self.client.get(path, headers=self.auth(who, role), **kw)

    async def post(self, path: str, body: dict | None = None, who: uuid.UUID = ADMIN, role: str = "admin"):
        return await self.client.post(path, json=body or {}, headers=self.auth(who, role))

    async def second_admin_approves(self, response: httpx.Response, who: uuid.UUID = ADMIN2) -> httpx.Response:
        """Approve the money move a request answered with (202), as another admin; the approval's answer."""
        assert response.status_code == 202, response.text
        body = response.json()
        move = body.get("money_move") or body
        return await self.post(f"/money-moves/{move['id']}/approve", who=who)

    async def complete(self, distribution_id, body: dict, who: uuid.UUID = ADMIN) -> httpx.Response:
        """Request a completion and have a second admin approve it; the approval's answer."""
        requested = await self.post(f"/distributions/{distribution_id}/complete", body, who)
        return await self.second_admin_approves(requested, other(who))

    async def reverse(self, transaction_id, body: dict, who: uuid.UUID = ADMIN) -> httpx.Response:
        """Request a reversal and have a second admin approve it; the approval's answer."""
        requested = await self.post(f"/transactions/{transaction_id}/reverse", body, who)
        return await self.second_admin_approves(requested, other(who))

    async def import_opening_balances(self, csv: str, who: uuid.UUID = ADMIN) -> httpx.Response:
        """Import opening balances and have a second admin approve them; the approval's answer (or the
        import's, when it changed nothing or was refused)."""
        requested = await self.client.post(
            "/imports/capital-accounts", content=csv.encode(), headers={**self.auth(who, "admin"), "Content-Type": "text/csv"}
        )
        if requested.status_code != 202:
            return requested
        return await self.second_admin_approves(requested, other(who))
