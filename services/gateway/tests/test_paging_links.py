"""The list pages' "Next page →" and "← First page" links keep the filters, and the API passes `after` on."""

from __future__ import annotations

import html
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

MEMBER = {"id": str(uuid.uuid4()), "email": "a@example.coop", "display_name": "A", "role": "member",
          "status": "active", "joined_at": "2026-01-01", "created_at": "2026-01-01T00:00:00Z"}  # fmt: skip


def link(page: str, element_id: str) -> dict[str, list[str]] | None:
    """The query of the link with that id, or None when the page has no such link."""
    found = re.search(rf'<a href="([^"]*)" id="{element_id}"', page)
    return (
        None
        if found is None
        else {"path": [urlsplit(html.unescape(found[1])).path]} | parse_qs(urlsplit(html.unescape(found[1])).query)
    )


@pytest.fixture
def sent() -> list[httpx.Request]:
    return []


def identity(sent: list[httpx.Request], next_cursor: str | None = "CURSOR-2"):
    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.params.get("after") == "bad":
            return httpx.Response(422, json={"error": {"code": "invalid_cursor", "message": "after: not a cursor"}})
        items = [] if request.url.path == "/audit-log" else [MEMBER]
        return httpx.Response(200, json={"items": items, "total": 3, "next_cursor": next_cursor})

    return answer


class TestMembersPage:
    async def test_next_link_carries_the_cursor_filters_and_page_size(self, gateway_over, keys, sent):
        async with gateway_over(identity=identity(sent)) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "admin"))
            page = await gw.get("/admin/members", params={"q": "ann & co", "role": "member", "status": "", "limit": 2})
        assert sent[0].url.params["q"] == "ann & co" and sent[0].url.params["limit"] == "2"
        assert "after" not in sent[0].url.params and "status" not in sent[0].url.params
        assert link(page.text, "next-page") == {
            "path": ["/admin/members"], "q": ["ann & co"], "role": ["member"], "limit": ["2"], "after": ["CURSOR-2"]
        }  # fmt: skip
        assert link(page.text, "first-page") is None  # already on the first page
        assert 'name="limit" value="2"' in page.text and 'value="ann &amp; co"' in page.text

    async def test_a_later_page_links_back_to_the_first_and_the_last_has_no_next(self, gateway_over, keys, sent):
        async with gateway_over(identity=identity(sent, next_cursor=None)) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "admin"))
            page = await gw.get("/admin/members", params={"role": "member", "after": "CURSOR-2", "limit": 2})
        assert sent[0].url.params["after"] == "CURSOR-2"
        assert link(page.text, "next-page") is None
        assert link(page.text, "first-page") == {"path": ["/admin/members"], "role": ["member"], "limit": ["2"]}

    async def test_a_refused_cursor_is_said_on_the_page_with_a_way_back(self, gateway_over, keys, sent):
        async with gateway_over(identity=identity(sent)) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "admin"))
            page = await gw.get("/admin/members", params={"after": "bad"})
        assert page.status_code == 422 and "after: not a cursor" in page.text
        assert link(page.text, "first-page") == {"path": ["/admin/members"]}

    async def test_a_page_size_out_of_bounds_falls_back_to_the_default(self, gateway_over, keys, sent):
        async with gateway_over(identity=identity(sent)) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "admin"))
            for limit in ("0", "501", "-1", "two"):
                await gw.get("/admin/members", params={"limit": limit})
        assert {r.url.params["limit"] for r in sent} == {"100"}


class TestAuditPage:
    async def test_the_audit_log_pages_on(self, gateway_over, keys, sent):
        async with gateway_over(identity=identity(sent)) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "admin"))
            first = await gw.get("/admin/audit")
            later = await gw.get("/admin/audit", params={"after": "CURSOR-2"})
        assert [r.url.params.get("after") for r in sent] == [None, "CURSOR-2"]
        assert sent[0].url.params["limit"] == "200"
        assert link(first.text, "next-page") == {"path": ["/admin/audit"], "after": ["CURSOR-2"]}
        assert link(later.text, "first-page") == {"path": ["/admin/audit"]}

    async def test_the_audit_log_is_searched_and_the_search_is_kept(self, gateway_over, keys, sent):
        async with gateway_over(identity=identity(sent)) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "admin"))
            page = await gw.get("/admin/audit", params={"q": "ana@coop & co", "limit": 5})
            api = await gw.get("/api/v1/audit-log", params={"q": "role_changed"},
                               headers={"Authorization": f"Bearer {keys.mint(uuid.uuid4(), 'admin')}"})
        assert sent[0].url.params["q"] == "ana@coop & co" and sent[0].url.params["limit"] == "5"
        assert 'name="q" value="ana@coop &amp; co"' in page.text and 'name="limit" value="5"' in page.text
        assert link(page.text, "next-page") == {
            "path": ["/admin/audit"], "q": ["ana@coop & co"], "limit": ["5"], "after": ["CURSOR-2"]}
        assert api.status_code == 200 and sent[1].url.params["q"] == "role_changed"


    async def test_people_are_shown_by_name_with_their_id_at_hand(self, gateway_over, keys):
        actor, subject, gone = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        entries = [
            {"id": str(uuid.uuid4()), "at": "2026-03-01T10:00:00Z", "action": "member.updated", "actor_id": str(actor),
             "actor_name": "Ada <Admin>", "subject_id": str(subject), "subject_name": "Łucja Żak",
             "before": {"role": "member"}, "after": {"role": "steward", "labels": ["a", "<b>"]}},
            {"id": str(uuid.uuid4()), "at": "2026-03-01T09:00:00Z", "action": "member.created", "actor_id": None,
             "subject_id": str(gone), "subject_name": None},
        ]  # fmt: skip

        def answer(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={"items": entries, "total": 2, "next_cursor": None})

        async with gateway_over(identity=answer) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "admin"))
            page = (await gw.get("/admin/audit")).text
        assert f'<span title="{actor}">Ada &lt;Admin&gt;</span>' in page  # escaped
        assert f'<span title="{subject}">Łucja Żak</span>' in page
        assert "<td>system</td>" in page and f"<code>{gone}</code>" in page  # no name known: the id
        assert '<time datetime="2026-03-01T10:00:00Z">2026-03-01 10:00:00 UTC</time>' in page
        assert "<dt>role</dt><dd>member</dd>" in page and "<dt>role</dt><dd>steward</dd>" in page
        labels = re.search(r"<dt>labels</dt><dd>([^<]*)</dd>", page)
        assert labels and "u003cb" in labels[1] and "<b>" not in page  # a list as JSON, its markup escaped


class TestApi:
    async def test_after_is_passed_on_and_next_comes_back(self, gateway_over, keys, sent):
        async with gateway_over(identity=identity(sent)) as gw:
            token = {"Authorization": f"Bearer {keys.mint(uuid.uuid4(), 'admin')}"}
            members = await gw.get("/api/v1/members", params={"after": "CURSOR-1", "role": "member"}, headers=token)
            audit = await gw.get("/api/v1/audit-log", params={"after": "CURSOR-1"}, headers=token)
            too_long = await gw.get("/api/v1/members", params={"after": "x" * 513}, headers=token)
        assert [r.url.params["after"] for r in sent] == ["CURSOR-1", "CURSOR-1"]
        assert members.json()["next_cursor"] == "CURSOR-2" and audit.json()["next_cursor"] == "CURSOR-2"
        assert too_long.status_code == 422 and len(sent) == 2


def contributions(sent: list[httpx.Request], next_cursor: str | None = "CURSOR-2"):
    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.params.get("after") == "bad":
            return httpx.Response(422, json={"error": {"code": "invalid_cursor", "message": "after: not a cursor"}})
        return httpx.Response(200, json={"items": [], "total": 0, "next_cursor": next_cursor})

    return answer


def ledger(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"items": []})


class TestContributionPages:
    async def test_the_review_queue_pages_on_with_its_filters_and_search(self, gateway_over, keys, sent):
        async with gateway_over(contributions=contributions(sent), ledger=ledger) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "steward"))
            page = await gw.get("/review", params={"type": "labor", "q": "zelda", "limit": 10})
            refused = await gw.get("/review", params={"type": "labor", "after": "bad"})
        assert (sent[0].url.path, sent[0].url.params["q"], sent[0].url.params["limit"]) == (
            "/review-queue",
            "zelda",
            "10",
        )
        assert link(page.text, "next-page") == {
            "path": ["/review"], "type": ["labor"], "q": ["zelda"], "limit": ["10"], "after": ["CURSOR-2"]
        }  # fmt: skip
        assert 'name="q" value="zelda"' in page.text and 'name="limit" value="10"' in page.text
        assert refused.status_code == 422 and "after: not a cursor" in refused.text
        assert link(refused.text, "first-page") == {"path": ["/review"], "type": ["labor"]}

    async def test_my_contributions_page_on_and_the_live_list_follows_the_same_page(self, gateway_over, keys, sent):
        me = uuid.uuid4()
        async with gateway_over(contributions=contributions(sent)) as gw:
            gw.cookies.set("habitat_access", keys.mint(me, "member"))
            page = await gw.get("/contributions", params={"status": "pending", "after": "CURSOR-1"})
            await gw.get("/contributions/live", params={"status": "pending", "after": "CURSOR-1"})
        assert [(r.url.params["member_id"], r.url.params["after"], r.url.params["limit"]) for r in sent] == [
            (str(me), "CURSOR-1", "100")
        ] * 2
        assert link(page.text, "next-page") == {
            "path": ["/contributions"],
            "status": ["pending"],
            "after": ["CURSOR-2"],
        }
        assert link(page.text, "first-page") == {"path": ["/contributions"], "status": ["pending"]}
        assert 'data-live-url="/contributions/live?status=pending&amp;after=CURSOR-1"' in page.text

    async def test_the_api_passes_search_and_cursor_on(self, gateway_over, keys, sent):
        async with gateway_over(contributions=contributions(sent)) as gw:
            token = {"Authorization": f"Bearer {keys.mint(uuid.uuid4(), 'steward')}"}
            listed = await gw.get("/api/v1/contributions", params={"q": "fence", "after": "C1"}, headers=token)
            queued = await gw.get("/api/v1/review-queue", params={"q": "fence", "after": "C1"}, headers=token)
        assert [(r.url.path, r.url.params["q"], r.url.params["after"]) for r in sent] == [
            ("/contributions", "fence", "C1"), ("/review-queue", "fence", "C1")
        ]  # fmt: skip
        assert listed.json()["next_cursor"] == queued.json()["next_cursor"] == "CURSOR-2"
