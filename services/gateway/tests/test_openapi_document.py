"""The gateway's OpenAPI says what the gateway answers: error statuses with the one error body, tokens where
needed, request schemas as strict as the server (issue 14: schemathesis found them missing or looser)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from habitat_common.testing import LocalKeys

ERROR_BODY = "#/components/schemas/ErrorBody"
PUBLIC = {("post", "/api/v1/auth/login"), ("post", "/api/v1/auth/refresh"), ("post", "/api/v1/auth/logout"),
          ("post", "/api/v1/auth/forgot-password"), ("post", "/api/v1/auth/reset-password"),
          ("post", "/api/v1/auth/accept-invitation")}


def bearer(keys: LocalKeys, role: str) -> dict:
    return {"Authorization": f"Bearer {keys.mint(uuid.uuid4(), role)}"}


@pytest.fixture
async def document(gateway_over) -> dict:
    async with gateway_over() as gw:
        response = await gw.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def error_schema(operation: dict, status: str) -> str | None:
    return operation["responses"][status].get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")


async def test_every_error_status_is_documented_with_the_error_body(document) -> None:
    assert "HTTPValidationError" not in str(document)  # FastAPI's {"detail": [...]} is never what we answer
    for method, path, operation in operations(document):
        for status in operation["responses"]:
            if status.startswith(("4", "5")) and status != "413":
                assert error_schema(operation, status) == ERROR_BODY, (method, path, status)
        has_input = bool(operation.get("parameters") or operation.get("requestBody"))
        assert ("422" in operation["responses"]) == has_input, (method, path)
        if operation.get("requestBody"):
            assert "413" in operation["responses"], (method, path)
        assert {"502", "503"} <= set(operation["responses"]), (method, path)


async def test_every_operation_but_signing_in_declares_the_token_and_its_refusals(document) -> None:
    assert document["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http", "scheme": "bearer", "description": "The access_token from POST /auth/login"
    }
    for method, path, operation in operations(document):
        if (method, path) in PUBLIC:
            assert "security" not in operation, (method, path)
            continue
        assert operation["security"] == [{"HTTPBearer": []}], (method, path)
        assert {"401", "403"} <= set(operation["responses"]), (method, path)


async def test_login_documents_its_throttling(document) -> None:
    login = document["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert {"401", "403", "422", "429"} <= set(login)
    assert "too_many_attempts" in login["429"]["description"]


async def test_request_bodies_refuse_what_their_schema_does_not_name(document) -> None:
    schemas = document["components"]["schemas"]
    for name in ("LoginRequest", "SubmitContributionRequest", "ProposeAllocationRequest", "Weights",
                 "ScheduleDistributionRequest", "CreatePeriodRequest"):
        assert schemas[name]["additionalProperties"] is False, name


async def test_ratios_are_decimal_text_in_the_schema_and_at_the_server(gateway_over, keys) -> None:
    calls: list[httpx.Request] = []

    def ledger(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(404, json={"error": {"code": "period_not_found", "message": "No such period."}})

    async with gateway_over(ledger=ledger) as gw:
        schema = (await gw.get("/api/v1/openapi.json")).json()["components"]["schemas"]
        assert schema["Weights"]["properties"]["labor"]["type"] == "string"
        assert schema["ProposeAllocationRequest"]["properties"]["cash_portion"]["type"] == "string"
        path = f"/api/v1/periods/{uuid.uuid4()}/allocations"
        for body in ({"surplus": "100.00", "cash_portion": 10}, {"surplus": "100.00", "weights": {"labor": 1}},
                     {"surplus": "100.00", "weights": {"labor": "1e3"}}):
            refused = await gw.post(path, json=body, headers=bearer(keys, "admin"))
            assert refused.status_code == 422, (body, refused.text)
            assert refused.json()["error"]["code"] == "invalid_request"
        assert calls == []
        passed = await gw.post(path, json={"surplus": "100.00", "cash_portion": "10", "weights": {"labor": "1.5"}},
                               headers=bearer(keys, "admin"))
        assert passed.status_code == 404, passed.text
        sent = calls[0].read().decode()
        assert '"cash_portion":"10"' in sent.replace(" ", "") and '"labor":"1.5"' in sent.replace(" ", "")


@pytest.mark.parametrize("year", [1899, 2201, 99999999999])
async def test_a_k1_export_year_outside_1900_2200_is_refused_at_the_gateway(gateway_over, keys, year) -> None:
    """Fuzzing found the year unbounded in the gateway's schema; the ledger refused it. Now both say 1900..2200."""
    calls: list[httpx.Request] = []

    def ledger(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json=[])

    async with gateway_over(ledger=ledger) as gw:
        refused = await gw.get("/api/v1/exports/k1", params={"year": year}, headers=bearer(keys, "admin"))
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_request", refused.text
        assert calls == []
        parameters = (await gw.get("/api/v1/openapi.json")).json()["paths"]["/api/v1/exports/k1"]["get"]["parameters"]
        year_schema = next(p["schema"] for p in parameters if p["name"] == "year")
        assert (year_schema["minimum"], year_schema["maximum"]) == (1900, 2200)


async def test_a_throttled_password_change_is_a_documented_429_with_retry_after(gateway_over, keys) -> None:
    """Fuzzing found POST /auth/password answering 429 (wrong current passwords lock the account) undocumented."""

    def identity(_: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "30"},
                              json={"error": {"code": "too_many_attempts", "message": "Wait."}})

    async with gateway_over(identity=identity) as gw:
        response = await gw.post("/api/v1/auth/password", json={"current_password": "x", "new_password": "y" * 12},
                                 headers=bearer(keys, "member"))
        assert response.status_code == 429 and response.headers["retry-after"] == "30", response.text
        assert response.json()["error"]["code"] == "too_many_attempts"
        documented = (await gw.get("/api/v1/openapi.json")).json()["paths"]["/api/v1/auth/password"]["post"]
        assert documented["responses"]["429"]["content"]["application/json"]["schema"]["$ref"] == ERROR_BODY
