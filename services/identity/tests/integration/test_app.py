import pytest

pytestmark = pytest.mark.integration


class TestApp:
    async def test_openapi_documents_the_contract_paths(self, client):
        paths = (await client.get("/openapi.json")).json()["paths"]
        assert {
            "/auth/login",
            "/auth/refresh",
            "/auth/logout",
            "/auth/password",
            "/me",
            "/members",
            "/members/{member_id}",
            "/.well-known/jwks.json",
        } <= set(paths)
        assert "201" in paths["/members"]["post"]["responses"]

    async def test_readiness_checks_the_database(self, client):
        response = await client.get("/readyz")
        assert response.json()["checks"]["database"] is True

    async def test_validation_errors_use_the_error_body(self, client):
        response = await client.post("/auth/login", json={"email": "x@example.org"})
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
