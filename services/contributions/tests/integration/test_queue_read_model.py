"""The review queue is a read model on the read pool (the list's page query, oldest first, with the member's name):
it answers byte for byte what the entity path answered. The entity path is kept here as the reference: the
repository's oldest_first and the replica's names as they were, the age and overdue flag computed on the entity."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.responses import JSONResponse
from sqlalchemy import event, exists, func, or_, select, text, tuple_

from habitat_common.api.contributions import ContributionDetail, QueuedContribution, ReviewQueue
from habitat_common.web.paging import encode_cursor, like_pattern
from habitat_contributions.adapters import orm
from habitat_contributions.domain.model import Contribution
from habitat_contributions.domain.statuses import ContributionStatus
from habitat_contributions.entrypoints.listing import contribution_filter, next_cursor, positioned_after
from habitat_contributions.entrypoints.routes_review import QUEUE_CURSOR
from habitat_contributions.service_layer import queries
from habitat_contributions.service_layer.ports import ContributionFilter
from tests.integration.db import open_q1
from tests.integration.test_http import auth, submit

pytestmark = pytest.mark.integration
TARGET = timedelta(hours=48)  # the settings' default review target


def _old_conditions(where: ContributionFilter) -> list:
    c = orm.contribution.c
    wanted = ((c.member_id, where.member_id), (c.period_id, where.period_id), (c.status, where.status),
              (c.type, where.type))
    conditions = [column == value for column, value in wanted if value is not None]
    if where.q:
        pattern = like_pattern(where.q)
        named = select(orm.member_replica.c.member_id).where(
            orm.member_replica.c.member_id == c.member_id, orm.member_replica.c.display_name.ilike(pattern)
        )
        conditions.append(or_(c.description.ilike(pattern), exists(named)))
    return conditions


async def _old_oldest_first(session, where: ContributionFilter) -> tuple[list[Contribution], int]:
    order = (orm.contribution.c.submitted_at, orm.contribution.c.id)
    conditions = _old_conditions(where)
    following = [] if where.after is None else [tuple_(*order) > tuple_(*where.after)]
    query = select(Contribution).where(*conditions, *following).order_by(*order).limit(where.limit).offset(where.offset)
    items = list((await session.scalars(query)).all())
    if where.offset == 0 and where.after is None and len(items) < where.limit:
        return items, len(items)
    total = await session.scalar(select(func.count()).select_from(orm.contribution).where(*conditions))
    return items, total or 0


async def _old_names(session, member_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not member_ids:
        return {}
    r = orm.member_replica.c
    query = select(r.member_id, r.display_name).where(r.member_id.in_(set(member_ids)), r.display_name.is_not(None))
    return dict((await session.execute(query)).all())


async def entity_path(container, where: ContributionFilter, now: datetime) -> bytes:
    """GET /review-queue as it answered from ORM entities (use case, route, FastAPI's JSON)."""
    where = replace(where, status=where.status or ContributionStatus.PENDING)
    async with container.session_factory() as session:
        found, total = await _old_oldest_first(session, replace(where, limit=where.limit + 1))
        page, more = found[: where.limit], len(found) > where.limit
        names = await _old_names(session, [c.member_id for c in page])
        items = [
            QueuedContribution.model_validate(
                {
                    **ContributionDetail.model_validate(c).model_dump(),
                    "age_hours": round((now - c.submitted_at).total_seconds() / 3600, 2),
                    "overdue": not c.is_decided and (now - c.submitted_at) > TARGET,
                    "member_name": names.get(c.member_id),
                }
            )
            for c in page
        ]
        following = next_cursor(QUEUE_CURSOR, page[-1], more) if page else None
        body = {"items": items, "total": total, "next_cursor": following}
        return JSONResponse(ReviewQueue.model_validate(body).model_dump(mode="json")).body


async def _sql(container, statement: str, **params) -> None:
    async with container.engine.begin() as connection:
        await connection.execute(text(statement), params)


async def _ok(response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


async def queue_of_every_kind(client, keys, container) -> dict[str, uuid.UUID]:
    """Pending and questioned contributions of every shape the queue shows; the members by role."""
    await open_q1(container)
    steward = auth(keys, uuid.uuid4(), "steward")
    members = {role: uuid.uuid4() for role in ("zelda", "dual", "thread", "asked", "nameless", "unknown", "decided")}
    overdue = await _ok(await submit(client, keys, members["zelda"], description="Weeded the orchard"))
    await _sql(container, "UPDATE contributions.member_replica SET display_name = 'Zelda Fitzgerald' "
                          "WHERE member_id = :m", m=members["zelda"])
    # a dual approval with its first approval only: still pending
    dual = await _ok(await submit(client, keys, members["dual"], type="capital", amount="6000.00", hours=None))
    assert (await _ok(await client.post(f"/contributions/{dual['id']}/approve", json={"note": "One of two"},
                                        headers=steward)))["status"] == "pending"
    # a thread: edited, asked, answered (pending again)
    threaded = (await _ok(await submit(client, keys, members["thread"], type="property", fair_market_value="80",
                                       adjusted_basis="0.1", hours=None,
                                       description="Réparé la clôture — 5 m² « neuve »")))["id"]
    await _ok(await client.patch(f"/contributions/{threaded}", json={"fair_market_value": "90"},
                                 headers=auth(keys, members["thread"])))
    await _ok(await client.post(f"/contributions/{threaded}/request-clarification",
                                json={"question": "Which fence?"}, headers=steward))
    await _ok(await client.post(f"/contributions/{threaded}/respond", json={"answer": "By the gate."},
                                headers=auth(keys, members["thread"])))
    # a question still waiting (status clarification_requested), long ago
    asked = await _ok(await submit(client, keys, members["asked"], description="Fixed the roof"))
    await _ok(await client.post(f"/contributions/{asked['id']}/request-clarification",
                                json={"question": "How many hours was it?"}, headers=steward))
    # members the replica has no name for: a null display name, and no replica row at all
    await _ok(await submit(client, keys, members["nameless"]))
    await _sql(container, "UPDATE contributions.member_replica SET display_name = NULL WHERE member_id = :m",
               m=members["nameless"])
    await _ok(await submit(client, keys, members["unknown"], type="capital", amount="12.5", hours=None))
    await _sql(container, "DELETE FROM contributions.member_replica WHERE member_id = :m", m=members["unknown"])
    # decided long ago: never overdue
    decided = await _ok(await submit(client, keys, members["decided"]))
    await _ok(await client.post(f"/contributions/{decided['id']}/approve", json={}, headers=steward))
    await _sql(container, "UPDATE contributions.contribution SET submitted_at = submitted_at - interval '3 days' "
                          "WHERE id IN (:a, :b, :c)",
               a=uuid.UUID(overdue["id"]), b=uuid.UUID(asked["id"]), c=uuid.UUID(decided["id"]))
    return members


class TestReviewQueueOnTheReadPool:
    async def test_every_page_is_byte_for_byte_the_entity_path(self, client, keys, container, monkeypatch):
        members = await queue_of_every_kind(client, keys, container)
        now = datetime.now(UTC) + timedelta(hours=1, minutes=7)
        monkeypatch.setattr(queries, "utcnow", lambda: now)
        steward = auth(keys, uuid.uuid4(), "steward")
        far_future = encode_cursor(QUEUE_CURSOR, datetime(2100, 1, 1, tzinfo=UTC), uuid.uuid4())
        asks = [
            {},
            {"limit": 2},
            {"limit": 2, "offset": 1},
            {"limit": 1, "offset": 50},
            {"status": "clarification_requested"},
            {"status": "approved"},
            {"type": "capital"},
            {"member_id": str(members["thread"])},
            {"q": "zelda"},
            {"q": "ORCHARD"},
            {"q": "nobody"},
            {"after": far_future},
            {"limit": 3, "after": far_future, "type": "labor"},
        ]
        answers: dict[int, list[dict]] = {}
        for n, ask in enumerate(asks):
            pages = [ask]
            while pages:
                params = pages.pop()
                response = await client.get("/review-queue", params=params, headers=steward)
                assert response.status_code == 200, response.text
                given = {k: v for k, v in params.items() if k != "after"}
                if "member_id" in given:
                    given["member_id"] = uuid.UUID(given["member_id"])
                where = positioned_after(await contribution_filter(**given), params.get("after"), QUEUE_CURSOR)
                assert response.content == await entity_path(container, where, now), params
                answers.setdefault(n, []).append(response.json())
                if (following := response.json()["next_cursor"]) is not None:
                    pages.append(params | {"after": following})

        [everything] = answers[0]
        assert (everything["total"], everything["next_cursor"]) == (5, None)
        by_member = {i["member_id"]: i for i in everything["items"]}
        assert by_member[str(members["zelda"])]["overdue"] is True
        assert by_member[str(members["zelda"])]["member_name"] == "Zelda Fitzgerald"
        assert len(by_member[str(members["dual"])]["approvals"]) == 1
        assert len(by_member[str(members["thread"])]["thread"]) == 2
        assert by_member[str(members["thread"])]["revision"] == 2
        assert by_member[str(members["nameless"])]["member_name"] is None
        assert by_member[str(members["unknown"])]["member_name"] is None
        assert [(i["status"], i["overdue"]) for i in answers[4][0]["items"]] == [("clarification_requested", True)]
        assert [(i["status"], i["overdue"]) for i in answers[5][0]["items"]] == [("approved", False)]
        walked = answers[1]  # limit=2, page after page by cursor
        assert [len(p["items"]) for p in walked] == [2, 2, 1] and [p["total"] for p in walked] == [5, 5, 5]
        assert [i["id"] for p in walked for i in p["items"]] == [i["id"] for i in everything["items"]]
        assert [(p["items"], p["total"]) for p in answers[3] + answers[11]] == [([], 5), ([], 5)]  # past the end

    async def test_the_queue_opens_no_session(self, client, keys, container):
        await open_q1(container)
        await submit(client, keys, uuid.uuid4())
        checkouts = []

        def checkout(*_):
            checkouts.append(1)

        event.listen(container.engine.sync_engine, "checkout", checkout)
        try:
            queued = await client.get("/review-queue", params={"q": "garden"}, headers=auth(keys, uuid.uuid4(), "steward"))
            read = len(checkouts)
            # control: a submission still writes through the ORM
            await submit(client, keys, uuid.uuid4())
        finally:
            event.remove(container.engine.sync_engine, "checkout", checkout)
        assert queued.json()["total"] == 1
        assert read == 0 and len(checkouts) > 0
