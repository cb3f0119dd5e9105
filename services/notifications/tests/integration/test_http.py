import uuid
from datetime import date

from habitat_common.contracts import Envelope, MemberUpdatedV1
from tests.integration.db import deliver, registered, rejected, rows, send_all


def bearer(keys, member_id=None, role="member") -> dict:
    return {"Authorization": f"Bearer {keys.mint(member_id or uuid.uuid4(), role)}"}


class TestPreferences:
    async def test_defaults_until_the_member_chooses(self, client, keys):
        member_id = uuid.uuid4()
        answer = await client.get("/notifications/preferences/me", headers=bearer(keys, member_id))
        assert answer.status_code == 200
        assert answer.json() == {
            "member_id": str(member_id),
            "decisions": True,
            "reminders": True,
            "security": True,
            "updated_at": None,
        }

    async def test_a_member_turns_decisions_off_and_security_stays_on(self, client, keys, container, mailbox):
        member_id = await registered(container)
        auth = bearer(keys, member_id)
        answer = await client.put(
            "/notifications/preferences/me", json={"decisions": False, "reminders": True}, headers=auth
        )
        assert answer.status_code == 200 and answer.json()["security"] is True
        again = (await client.get("/notifications/preferences/me", headers=auth)).json()
        assert (again["decisions"], again["reminders"], again["updated_at"] is not None) == (False, True, True)
        await deliver(container, rejected(member_id))
        assert await rows(container) == []

    async def test_both_switches_are_required_and_a_token_is_needed(self, client, keys):
        assert (await client.put("/notifications/preferences/me", json={"decisions": False})).status_code == 401
        answer = await client.put("/notifications/preferences/me", json={"decisions": False}, headers=bearer(keys))
        assert answer.status_code == 422


class TestAdminMessages:
    async def test_members_may_not_list_mail(self, client, keys):
        assert (await client.get("/notifications/messages", headers=bearer(keys))).status_code == 403
        assert (await client.get("/notifications/messages", headers=bearer(keys, role="steward"))).status_code == 403

    async def test_listing_filters_and_pages_by_keyset_without_bodies(self, client, keys, container, mailbox):
        ada, bob = await registered(container), await registered(container)
        for _ in range(3):
            await deliver(container, rejected(ada))
        await deliver(container, rejected(bob))
        admin = bearer(keys, role="admin")
        seen, cursor = [], None
        while True:
            params = {"recipient_id": str(ada), "limit": 2} | ({"after": cursor} if cursor else {})
            page = (await client.get("/notifications/messages", params=params, headers=admin)).json()
            seen += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == 3 and len({m["id"] for m in seen}) == 3
        assert all(m["recipient_id"] == str(ada) and m["status"] == "queued" for m in seen)
        assert [m["created_at"] for m in seen] == sorted((m["created_at"] for m in seen), reverse=True)
        assert "text_body" not in seen[0] and "html_body" not in seen[0]
        queued = await client.get("/notifications/messages", params={"status": "sent"}, headers=admin)
        assert queued.json() == {"items": [], "next_cursor": None}

    async def test_a_cursor_not_of_ours_is_refused(self, client, keys):
        answer = await client.get(
            "/notifications/messages", params={"after": "bm9wZQ"}, headers=bearer(keys, role="admin")
        )
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_cursor"


class TestResend:
    async def test_a_failed_message_is_resent_to_the_current_address_and_recorded(
        self, client, keys, container, mailbox
    ):
        member_id = await registered(container, email="old@example.coop")
        await deliver(container, rejected(member_id))
        mailbox.refuse["old@example.coop"] = "550 5.1.1 No such user"
        await send_all(container)
        [bounced] = await rows(container)
        assert bounced.status == "bounced"
        # identity learns the new address; the admin resends
        updated = MemberUpdatedV1(
            member_id=member_id,
            email="new@example.coop",
            display_name="Ada",
            role="member",
            status="active",
            joined_at=date(2026, 1, 1),
        )
        await deliver(container, Envelope.wrap(updated, producer="identity"))
        admin_id = uuid.uuid4()
        answer = await client.post(
            f"/notifications/messages/{bounced.id}/resend", headers=bearer(keys, admin_id, "admin")
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["status"], body["attempts"], body["resend_count"], body["resent_by"]) == (
            "queued",
            0,
            1,
            str(admin_id),
        )
        assert body["recipient_email"] == "new@example.coop"
        await send_all(container)
        [mail] = mailbox.to("new@example.coop")
        assert mail["Message-ID"] == f"<{bounced.id}@coop.example>"
        [row] = await rows(container)
        assert (row.status, row.resend_count) == ("sent", 1)

    async def test_only_failed_mail_is_resent_and_unknown_ids_are_404(self, client, keys, container, mailbox):
        member_id = await registered(container)
        await deliver(container, rejected(member_id))
        [row] = await rows(container)
        admin = bearer(keys, role="admin")
        queued = await client.post(f"/notifications/messages/{row.id}/resend", headers=admin)
        assert queued.status_code == 409 and queued.json()["error"]["code"] == "not_resendable"
        missing = await client.post(f"/notifications/messages/{uuid.uuid4()}/resend", headers=admin)
        assert missing.status_code == 404
        assert (await client.post(f"/notifications/messages/{row.id}/resend", headers=bearer(keys))).status_code == 403
