"""After an action the next page says what came of it (?done= names one of the server's sentences), marked for
busy.js to move focus to; the address cannot put its own words on the page."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from habitat_gateway.routes.ui_common import OUTCOMES

NOTICE = re.compile(r'<p class="notice" id="done" role="status" data-focus>([^<]*)</p>')


def accepting(request: httpx.Request) -> httpx.Response:
    if request.method in ("POST", "PATCH"):
        return httpx.Response(201, json={"id": str(uuid.uuid4())})
    if request.url.path.startswith("/allocations/"):
        return httpx.Response(200, json={"id": "a", "status": "proposed", "rows": [], "period_id": str(uuid.uuid4())})
    return httpx.Response(200, json={"items": [], "total": 0})



class TestRedirects:
    async def test_a_submission_leads_to_the_list_saying_it_awaits_review(self, gateway_over, keys, post_form):
        async with gateway_over(contributions=accepting) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4()))
            answer = await post_form(gw, "/contributions/new", "/contributions/new", {
                "type": "capital", "contributed_on": "2026-02-01", "amount": "5.00",
                "description": "Capital for the outcome test"})  # fmt: skip
            assert (answer.status_code, answer.headers["location"]) == (303, "/contributions?done=submitted")
            page = await gw.get(answer.headers["location"])
        assert NOTICE.findall(page.text) == ["Submitted: your contribution awaits review."]

    @pytest.mark.parametrize("action,done", [("approve", "approved"), ("reject", "rejected"),
                                             ("request-clarification", "asked")])  # fmt: skip
    async def test_each_review_decision_says_what_was_decided(self, gateway_over, keys, post_form, action, done):
        contribution = uuid.uuid4()
        async with gateway_over(contributions=accepting) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "steward"))
            answer = await post_form(gw, "/contributions/new", f"/contributions/{contribution}/review/{action}",
                                  {"reason": "Not a contribution", "question": "Which day?"})
        assert answer.headers["location"] == f"/contributions/{contribution}?done={done}"

    async def test_a_money_move_keeps_its_fragment_after_the_outcome(self, gateway_over, keys, post_form) -> None:
        async with gateway_over(ledger=accepting) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "admin"))
            answer = await post_form(gw, "/distributions", f"/money-moves/{uuid.uuid4()}/approve", {})
        assert answer.headers["location"] == "/distributions?done=money_move_approve#money-moves"

    def test_every_outcome_a_route_names_has_a_sentence(self) -> None:
        from pathlib import Path

        routes = Path(__file__).resolve().parents[1] / "src" / "habitat_gateway" / "routes"
        named = set()
        for source in routes.glob("ui_*.py"):
            text = source.read_text()
            named |= set(re.findall(r'done="([a-z_]+)"', text))
            for prefix in re.findall(r'done=f"([a-z_]+)\{action\}"', text):
                named |= {key for key in OUTCOMES if key.startswith(prefix)}
        assert named and named <= set(OUTCOMES)
        assert {"submitted", "edited", "answered", "approved", "proposed", "allocation_post"} <= named


class TestTheNotice:
    @pytest.mark.parametrize("done", ["", "nonsense", "<script>alert(1)</script>", "submitted<b>"])
    async def test_only_the_servers_sentences_are_shown(self, gateway_over, keys, done) -> None:
        async with gateway_over(contributions=accepting) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4()))
            page = await gw.get("/contributions", params={"done": done})
        assert NOTICE.findall(page.text) == [] and "<script>alert" not in page.text

    async def test_a_refused_page_says_no_outcome(self, gateway_over, keys) -> None:
        def refusing(request: httpx.Request) -> httpx.Response:
            return httpx.Response(422, json={"error": {"code": "invalid_cursor", "message": "after: not a cursor"}})

        async with gateway_over(contributions=refusing) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4()))
            page = await gw.get("/contributions", params={"done": "submitted", "after": "bad"})
        assert page.status_code == 422 and NOTICE.findall(page.text) == []


class TestWaits:
    @pytest.mark.parametrize("hours,said", [(0, "0 min"), (0.2, "12 min"), (1, "1 h"), (47.9, "47 h"), (48, "2 days"),
                                            (500, "20 days"), (None, "—"), ("x", "—")])  # fmt: skip
    def test_a_wait_is_said_in_the_unit_people_use(self, hours, said) -> None:
        from habitat_gateway.routes.ui_common import waited

        assert waited(hours) == said
