"""The review workflow, corrections, idempotency and the intake dashboard through the HTTP API."""

import uuid

import pytest

from tests.integration.db import active_member, open_q1, outbox_rows
from tests.integration.test_http import auth, submit

CAPITAL = {
    "type": "capital",
    "contributed_on": "2026-02-11",
    "description": "Cash for the new roof",
    "amount": "500.00",
}

pytestmark = pytest.mark.integration


async def post(client, keys, who, path, body=None, role="steward"):
    return await client.post(path, json=body or {}, headers=auth(keys, who, role))


class TestEditAndRevisions:
    async def test_submitter_edits_revision_kept_others_refused(self, client, keys, container):
        await open_q1(container)
        me, steward = uuid.uuid4(), uuid.uuid4()
        c = (await submit(client, keys, me)).json()
        edited = await client.patch(f"/contributions/{c['id']}", json={"hours": "5"}, headers=auth(keys, me))
        assert edited.status_code == 200, edited.text
        assert edited.json()["value"] == "500.00"
        assert [r["fields"]["hours"] for r in edited.json()["revisions"]] == ["3.50", "5.00"]
        other = await client.patch(f"/contributions/{c['id']}", json={"hours": "1"}, headers=auth(keys, uuid.uuid4()))
        assert other.status_code == 404
        by_steward = await client.patch(
            f"/contributions/{c['id']}", json={"hours": "1"}, headers=auth(keys, steward, "steward")
        )
        assert by_steward.json()["error"]["code"] == "not_submitter" and by_steward.status_code == 403
        await post(client, keys, steward, f"/contributions/{c['id']}/approve")
        late = await client.patch(f"/contributions/{c['id']}", json={"hours": "1"}, headers=auth(keys, me))
        assert late.status_code == 409 and late.json()["error"]["code"] == "already_decided"


class TestRejectAndClarify:
    async def test_reject_needs_a_reason_and_publishes(self, client, keys, container):
        await open_q1(container)
        c = (await submit(client, keys, uuid.uuid4())).json()
        steward = uuid.uuid4()
        empty = await post(client, keys, steward, f"/contributions/{c['id']}/reject", {"reason": "no"})
        assert empty.status_code == 422
        done = await post(client, keys, steward, f"/contributions/{c['id']}/reject", {"reason": "Outside co-op work"})
        assert done.status_code == 200 and done.json()["status"] == "rejected"
        assert done.json()["thread"][0]["kind"] == "note"
        [row] = await outbox_rows(container, "contributions.contribution_rejected.v1")
        assert row.payload["payload"]["reason"] == "Outside co-op work"

    async def test_question_answer_back_to_pending(self, client, keys, container):
        await open_q1(container)
        me, steward = uuid.uuid4(), uuid.uuid4()
        c = (await submit(client, keys, me)).json()
        asked = await post(
            client,
            keys,
            steward,
            f"/contributions/{c['id']}/request-clarification",
            {"question": "Which beds were built?"},
        )
        assert asked.json()["status"] == "clarification_requested"
        queue = (await client.get("/review-queue", headers=auth(keys, steward, "steward"))).json()
        assert queue["total"] == 0
        answer = {"answer": "The three beds by the shed", "hours": "4"}
        answered = await post(client, keys, me, f"/contributions/{c['id']}/respond", answer, role="member")
        assert answered.status_code == 200, answered.text
        body = answered.json()
        assert body["status"] == "pending" and [t["kind"] for t in body["thread"]] == ["question", "answer"]
        assert len(body["revisions"]) == 2 and body["value"] == "400.00"
        assert len(await outbox_rows(container, "contributions.clarification_requested.v1")) == 1


class TestApprovalRules:
    async def test_self_review_and_dual_approval(self, client, keys, container):
        await open_q1(container)
        me, a, b = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        c = (await submit(client, keys, me, CAPITAL, amount="6000.00")).json()
        assert c["approvals_required"] == 2
        own = await post(client, keys, me, f"/contributions/{c['id']}/approve", role="admin")
        assert own.status_code == 403 and own.json()["error"]["code"] == "self_review"
        first = (await post(client, keys, a, f"/contributions/{c['id']}/approve", {"note": "Receipt seen"})).json()
        assert first["status"] == "pending" and [x["reviewer_id"] for x in first["approvals"]] == [str(a)]
        again = await post(client, keys, a, f"/contributions/{c['id']}/approve")
        assert again.status_code == 409 and again.json()["error"]["code"] == "already_approved_by_you"
        assert await outbox_rows(container, "contributions.contribution_approved.v1") == []
        second = (await post(client, keys, b, f"/contributions/{c['id']}/approve", role="admin")).json()
        assert second["status"] == "approved"
        [row] = await outbox_rows(container, "contributions.contribution_approved.v1")
        assert row.payload["payload"]["approved_by"] == str(b)

    async def test_batch_approve_reports_each_item(self, client, keys, container):
        await open_q1(container)
        steward = uuid.uuid4()
        ok = (await submit(client, keys, uuid.uuid4())).json()
        own = (await submit(client, keys, steward)).json()
        missing = str(uuid.uuid4())
        response = await post(
            client, keys, steward, "/contributions/batch-approve", {"ids": [ok["id"], own["id"], missing]}
        )
        results = {r["id"]: r for r in response.json()["results"]}
        assert results[ok["id"]] == {"id": ok["id"], "ok": True, "status": "approved", "error": None}
        assert results[own["id"]]["error"]["code"] == "self_review"
        assert results[missing]["error"]["code"] == "not_found"


class TestSubmissionRules:
    async def test_inactive_member_and_closing_period_are_refused(self, client, keys, container):
        await open_q1(container, status="closing")
        stranger = await client.post("/contributions", json=CAPITAL, headers=auth(keys, uuid.uuid4()))
        assert stranger.status_code == 403 and stranger.json()["error"]["code"] == "member_not_active"
        closing = await submit(client, keys, uuid.uuid4(), CAPITAL)
        assert closing.status_code == 409 and closing.json()["error"]["code"] == "period_closed"
        assert "2026-Q1" in closing.json()["error"]["message"]

    async def test_idempotency_key_replays_or_conflicts(self, client, keys, container):
        await open_q1(container)
        me = uuid.uuid4()
        first = await submit(client, keys, me, CAPITAL, headers={"Idempotency-Key": "abc"})
        again = await submit(client, keys, me, CAPITAL, headers={"Idempotency-Key": "abc"})
        assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
        changed = await submit(client, keys, me, CAPITAL, amount="1.00", headers={"Idempotency-Key": "abc"})
        assert changed.status_code == 409 and changed.json()["error"]["code"] == "idempotency_conflict"

    async def test_correction_of_decided_contribution_may_be_negative(self, client, keys, container):
        await open_q1(container)
        me, steward = uuid.uuid4(), uuid.uuid4()
        c = (await submit(client, keys, me, CAPITAL)).json()
        early = await submit(client, keys, me, CAPITAL, amount="-100.00", corrects_contribution_id=c["id"])
        assert early.status_code == 422 and early.json()["error"]["code"] == "correction_of_unapproved"
        await post(client, keys, steward, f"/contributions/{c['id']}/approve")
        fix = await submit(client, keys, me, CAPITAL, amount="-100.00", corrects_contribution_id=c["id"])
        assert fix.status_code == 201, fix.text
        assert (fix.json()["value"], fix.json()["corrects_contribution_id"]) == ("-100.00", c["id"])
        [row] = await outbox_rows(container, "contributions.contribution_corrected.v1")
        assert row.payload["payload"]["value"] == "-100.00"


class TestIntakeDashboard:
    async def test_figures_on_a_small_fixture(self, client, keys, container):
        period_id = await open_q1(container)
        ann, bob, idle = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        steward = await active_member(container, role="steward", name="Stew")
        await active_member(container, idle, name="Idle")
        a1 = (await submit(client, keys, ann)).json()  # labor 350.00
        a2 = (await submit(client, keys, ann, CAPITAL)).json()  # capital 500.00
        b1 = (await submit(client, keys, bob, CAPITAL, amount="200.00")).json()
        await submit(client, keys, bob)  # stays pending
        await post(client, keys, steward, f"/contributions/{a1['id']}/approve")
        await post(client, keys, steward, f"/contributions/{a2['id']}/approve")
        await post(client, keys, steward, f"/contributions/{b1['id']}/reject", {"reason": "Already refunded to Bob"})
        response = await client.get(f"/periods/{period_id}/intake", headers=auth(keys, steward, "steward"))
        assert response.status_code == 200, response.text
        d = response.json()
        # active: ann, bob, steward, idle = 4; submitted: ann, bob = 2
        assert (d["active_members"], d["members_with_submissions"], d["participation_percent"]) == (4, 2, "50.0")
        assert d["by_type"]["labor"] == {"count": 2, "value": "700.00"}
        assert d["by_type"]["capital"] == {"count": 2, "value": "700.00"}
        assert d["by_status"]["approved"] == {"count": 2, "value": "850.00"}
        assert d["pending_count"] == 1 and d["approval_rate_percent"] == "66.7"
        assert d["p95_hours_to_decision"] is not None
        assert [(r["reviewer_id"], r["approved"], r["rejected"]) for r in d["per_reviewer"]] == [(str(steward), 2, 1)]
        assert d["not_submitted"] == [  # by name, each with the address to remind them at
            {"member_id": str(who), "display_name": name, "email": f"{who.hex[:8]}@example.coop"}
            for who, name in ((idle, "Idle"), (steward, "Stew"))
        ]
        member = await client.get(f"/periods/{period_id}/intake", headers=auth(keys, ann))
        assert member.status_code == 403
