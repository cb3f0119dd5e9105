"""identity's member change feed (GET /member-changes): a write of a member's record (what /me shows) names them."""

import uuid

import pytest

from tests.integration.conftest import a_stored_member, bearer

pytestmark = pytest.mark.integration


async def named(client, after: int) -> tuple[int, list[str]]:
    response = await client.get("/member-changes", params={"after": after})
    assert response.status_code == 200, response.text
    page = response.json()
    return page["cursor"], [change["member_id"] for change in page["changes"]]


async def test_creating_changing_and_deactivating_a_member_name_them_and_only_them(
    local_app, local_client, local_keys
):
    cursor, first = await named(local_client, 0)
    assert first == []
    member, _ = await a_stored_member(local_app)
    other, _ = await a_stored_member(local_app)
    cursor, created = await named(local_client, cursor)
    assert created == [str(member.id), str(other.id)]
    admin = bearer(local_keys.mint(uuid.uuid4(), "admin"))
    renamed = await local_client.patch(f"/members/{member.id}", headers=admin, json={"display_name": "Renamed"})
    assert renamed.status_code == 200
    cursor, changed = await named(local_client, cursor)
    assert changed == [str(member.id)]
    refused = await local_client.patch(f"/members/{member.id}", headers=admin, json={"role": "emperor"})
    assert refused.status_code == 422
    deactivated = await local_client.patch(f"/members/{other.id}", headers=admin, json={"status": "inactive"})
    assert deactivated.status_code == 200
    cursor, changed = await named(local_client, cursor)
    assert changed == [str(other.id)]


async def test_both_feeds_say_reset_to_a_cursor_beyond_every_id_they_issued(local_app, local_client):
    """identity's database restored from a backup taken before the pollers' cursors: they must start over."""
    await a_stored_member(local_app)
    cursor, _ = await named(local_client, 0)
    beyond = (await local_client.get("/member-changes", params={"after": cursor + 1000})).json()
    assert (beyond["reset"], beyond["cursor"], beyond["changes"]) == (True, cursor, [])
    assert (await local_client.get("/member-changes", params={"after": cursor})).json()["reset"] is False
    revocations = (await local_client.get("/auth/revocations", params={"after": 10**9})).json()
    assert revocations["reset"] is True and revocations["revocations"] == []
    again = (await local_client.get("/auth/revocations", params={"after": revocations["cursor"]})).json()
    assert again["reset"] is False
