"""The response contract check of test stacks: answers that drift from the declared models are logged."""

from __future__ import annotations

import json
import uuid

import httpx

from habitat_gateway.app import create_app
from habitat_gateway.config import GatewaySettings
from habitat_gateway.response_contract import ResponseContractCheck
from habitat_gateway.routes import auth

MEMBER = uuid.uuid4()
# /me passes identity's bytes through without validating them again: what the check is for
ME = {"id": str(MEMBER), "email": "ada@example.coop", "display_name": "Ada", "role": "member", "status": "active",
      "joined_at": "2026-01-05", "created_at": "2026-01-05T10:00:00Z"}


def answering(status: int, body: object):
    return lambda _: httpx.Response(status, json=body)


def checked(tmp_path) -> GatewaySettings:
    return GatewaySettings(cookie_secure=False, response_contract_log=tmp_path / "contract.log")


def logged(tmp_path) -> list[dict]:
    log = tmp_path / "contract.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def member(keys) -> dict:
    return {"Authorization": f"Bearer {keys.mint(MEMBER, 'member')}"}


async def test_an_answer_that_fits_its_model_is_not_logged(gateway_over, keys, tmp_path):
    async with gateway_over(checked(tmp_path), identity=answering(200, ME)) as gw:
        answer = await gw.get("/api/v1/me", headers=member(keys))
    assert answer.status_code == 200 and answer.json() == ME
    assert logged(tmp_path) == []


async def test_a_service_answer_that_drifted_is_passed_on_and_logged_with_its_route(gateway_over, keys, tmp_path):
    drifted = ME | {"role": "king"}
    async with gateway_over(checked(tmp_path), identity=answering(200, drifted)) as gw:
        answer = await gw.get("/api/v1/me", headers=member(keys))
    assert answer.status_code == 200  # the check only reports; clients see what they saw before
    [entry] = logged(tmp_path)
    assert (entry["path"], entry["route"], entry["status"]) == ("/api/v1/me", "/me", 200)
    assert entry["problem"].startswith("role:")


async def test_an_error_answer_with_the_shared_error_body_is_not_logged(gateway_over, keys, tmp_path):
    good = {"error": {"code": "forbidden", "message": "Not yours."}}
    async with gateway_over(checked(tmp_path), identity=answering(403, good)) as gw:
        answer = await gw.get("/api/v1/me", headers=member(keys))
    assert answer.status_code == 403 and logged(tmp_path) == []


def test_a_status_the_route_does_not_document_or_an_error_without_the_shared_body_is_a_problem(tmp_path):
    route = next(r for r in auth.router.routes if r.path == "/me" and "GET" in r.methods)
    check = ResponseContractCheck(create_app(checked(tmp_path)), tmp_path / "contract.log")
    error = json.dumps({"error": {"code": "x", "message": "y"}}).encode()
    assert check.problem(route, 200, json.dumps(ME).encode()) is None
    assert check.problem(route, 401, error) is None  # documented: signed-in routes answer 401
    assert check.problem(route, 503, error) is None  # possible anywhere: a service or its database down
    assert "not documented" in check.problem(route, 404, error)
    assert check.problem(route, 401, b'{"detail": "Not authenticated"}').startswith("error:")
    assert check.problem(route, 200, json.dumps(ME | {"joined_at": "soon"}).encode()).startswith("joined_at:")


async def test_without_the_setting_nothing_is_checked(gateway_over, keys, tmp_path):
    drifted = ME | {"role": "king"}
    async with gateway_over(identity=answering(200, drifted)) as gw:
        await gw.get("/api/v1/me", headers=member(keys))
    assert logged(tmp_path) == []
