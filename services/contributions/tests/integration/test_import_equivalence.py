"""The same contributions through the single entry (submit and approve over HTTP) and the import entry: accepted
ones are stored with the same figures, refused ones get the same code and message (one rule, one wording)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import text

from tests.integration.db import active_member
from tests.integration.imports import coop, csv_file, post_import, row
from tests.integration.test_http import auth

pytestmark = pytest.mark.integration

STORED = (
    "type, contributed_on, hours, rate, amount, fair_market_value, adjusted_basis, value, book_amount, tax_amount, "
    "status, decided_by, approvals_required"
)
# (the API body, the same contribution as an import row of ana's approved by sam)
ACCEPTED = [
    ({"type": "labor", "hours": "8", "rate": "100"}, {"hours": "8", "rate": "100"}),
    ({"type": "labor", "hours": "0.25", "rate": "75.02"}, {"hours": "0.25", "rate": "75.02"}),  # 18.755 -> 18.76
    ({"type": "capital", "amount": "500"}, {"type": "capital", "amount": "500"}),
    ({"type": "property", "fair_market_value": "1200", "adjusted_basis": "800"},
     {"type": "property", "fmv": "1200", "basis": "800"}),
]  # fmt: skip


async def submitted(client, keys, member: uuid.UUID, **body):
    body = {"contributed_on": "2026-02-10", "description": "Imported contribution", **body}
    return await client.post("/contributions", json=body, headers=auth(keys, member))


async def approved(client, keys, steward: uuid.UUID, contribution_id: str):
    return await client.post(
        f"/contributions/{contribution_id}/approve", json={}, headers=auth(keys, steward, "steward")
    )


def refusal(response) -> tuple[str, str]:
    error = response.json()["error"]
    return error["code"], error["message"]


async def stored(container, where: str, **params) -> list[tuple]:
    async with container.engine.connect() as connection:
        rows = await connection.execute(
            text(f"SELECT {STORED} FROM contributions.contribution WHERE {where} ORDER BY value"), params
        )
        return [tuple(r) for r in rows]


async def test_accepted_rows_are_stored_alike(client, keys, container):
    c = await coop(container)
    for body, _ in ACCEPTED:
        created = await submitted(client, keys, c.ana, **body)
        assert created.status_code == 201, created.text
        assert (await approved(client, keys, c.sam, created.json()["id"])).status_code == 200
    data = csv_file(*(row(f"A-{n}", **fields) for n, (_, fields) in enumerate(ACCEPTED)))
    assert (await post_import(client, keys, c.ada, data)).status_code == 200
    through_api = await stored(container, "import_reference IS NULL")
    assert len(through_api) == len(ACCEPTED)
    assert await stored(container, "import_reference IS NOT NULL") == through_api


async def test_refused_rows_get_the_same_code_and_message(client, keys, container):
    c = await coop(container)
    late = await active_member(container, joined_at=date(2026, 2, 11))
    single = {}
    own = await submitted(client, keys, c.sam, type="capital", amount="5")
    single["self_review"] = refusal(await approved(client, keys, c.sam, own.json()["id"]))
    single["missing_field"] = refusal(await submitted(client, keys, c.ana, type="capital"))
    single["unexpected_field"] = refusal(await submitted(client, keys, c.ana, type="labor", hours="8", amount="5"))
    single["non_positive_amount"] = refusal(await submitted(client, keys, c.ana, type="capital", amount="0"))
    single["hours_out_of_range"] = refusal(await submitted(client, keys, c.ana, type="labor", hours="25", rate="100"))
    single["contributed_before_joining"] = refusal(await submitted(client, keys, late, type="capital", amount="5"))
    original = await submitted(client, keys, c.ana, type="capital", amount="500")
    assert (await approved(client, keys, c.sam, original.json()["id"])).status_code == 200
    below = await submitted(
        client, keys, c.ana, type="capital", amount="-600", corrects_contribution_id=original.json()["id"]
    )
    single["correction_below_zero"] = refusal(below)

    data = csv_file(
        row("R-1", member="sam@example.coop", type="capital", amount="5"),
        row("R-2", type="capital"),
        row("R-3", hours="8", rate="100", amount="5"),
        row("R-4", member=f"{late.hex[:8]}@example.coop", type="capital", amount="5"),
        row("R-5", type="capital", amount="500"),
        row("R-6", type="capital", amount="-600", corrects="R-5"),
        row("R-7", type="capital", amount="0"),
        row("R-8", hours="25", rate="100"),
    )
    response = await post_import(client, keys, c.ada, data)
    assert response.status_code == 422 and response.json()["error"]["pass"] == "business"
    imported = {e["code"]: (e["code"], e["message"]) for e in response.json()["error"]["errors"]}
    assert imported == single, (imported, single)
