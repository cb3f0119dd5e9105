"""The API client: bearer token, one refresh on 401 that rewrites the cache, one-line errors."""

from __future__ import annotations

import json
import stat

import httpx
import pytest
from habitat_cli.client import CliError, signed_in
from habitat_cli.credentials import Credentials, CredentialStore

URL = "https://habitat.example.coop"


class FakeGateway:
    """Accepts one current access token; /auth/refresh rotates the pair once per valid refresh token."""

    def __init__(self, access: str = "access-2", refresh: str = "refresh-1") -> None:
        self.access, self.refresh = access, refresh
        self.calls: list[tuple[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path))
        if request.url.path == "/api/v1/auth/refresh":
            if json.loads(request.content)["refresh_token"] != self.refresh:
                return error(401, "invalid_token", "The refresh token is not valid.")
            self.access, self.refresh = "access-3", "refresh-2"
            return httpx.Response(200, json={"access_token": self.access, "refresh_token": self.refresh,
                                             "expires_in": 900, "must_change_password": False})
        if request.headers.get("Authorization") != f"Bearer {self.access}":
            return error(401, "unauthorized", "Token expired.")
        if request.url.path == "/api/v1/periods":
            return httpx.Response(200, json={"items": []})
        if request.url.path == "/api/v1/imports/contributions":
            return httpx.Response(200, json={"received": request.read().decode()})
        return error(404, "not_found", "No such period.")


def error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message}})


@pytest.fixture
def store(tmp_path) -> CredentialStore:
    store = CredentialStore(tmp_path)
    store.save(Credentials(URL, "access-1", "refresh-1"))
    return store


def test_an_expired_access_token_is_refreshed_once_and_the_cache_rewritten(store):
    gateway = FakeGateway()
    with signed_in(store, httpx.MockTransport(gateway)) as client:
        assert client.json("GET", "/periods") == {"items": []}
    assert gateway.calls == [("GET", "/api/v1/periods"), ("POST", "/api/v1/auth/refresh"), ("GET", "/api/v1/periods")]
    assert store.load() == Credentials(URL, "access-3", "refresh-2")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_a_valid_token_is_used_without_refreshing(store):
    gateway = FakeGateway(access="access-1")
    with signed_in(store, httpx.MockTransport(gateway)) as client:
        client.json("GET", "/periods")
    assert gateway.calls == [("GET", "/api/v1/periods")]
    assert store.load().refresh_token == "refresh-1"


def test_a_dead_refresh_token_asks_to_sign_in_again_and_keeps_the_cache(store):
    gateway = FakeGateway(refresh="someone-else")
    with signed_in(store, httpx.MockTransport(gateway)) as client, pytest.raises(CliError) as raised:
        client.json("GET", "/periods")
    assert "habitat login" in raised.value.message
    assert store.load().access_token == "access-1"


def test_api_errors_carry_the_api_sentence_and_body(store):
    transport = httpx.MockTransport(FakeGateway(access="access-1"))
    with signed_in(store, transport) as client, pytest.raises(CliError) as raised:
        client.json("GET", "/periods/x")
    assert (raised.value.message, raised.value.status, raised.value.code) == ("No such period.", 404, "not_found")


def test_an_unreachable_server_is_one_sentence(store):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with signed_in(store, httpx.MockTransport(refuse)) as client, pytest.raises(CliError) as raised:
        client.json("GET", "/periods")
    assert raised.value.message == f"cannot reach {URL}"


def test_without_a_cache_the_user_is_told_to_sign_in(tmp_path):
    with pytest.raises(CliError, match="habitat login"):
        signed_in(CredentialStore(tmp_path))


def test_an_upload_streams_the_file_and_sends_it_whole_again_after_a_refresh(store, tmp_path, monkeypatch):
    monkeypatch.setattr("habitat_cli.client.CHUNK", 4)
    file = tmp_path / "contributions.csv"
    file.write_text("reference,type\nQ1-1,labor\n")
    gateway, sent = FakeGateway(), []
    with signed_in(store, httpx.MockTransport(gateway)) as client:
        answer = client.upload("/imports/contributions", file, params={"dry_run": "true"}, progress=sent.append)
    assert answer == {"received": "reference,type\nQ1-1,labor\n"}
    assert [path for _, path in gateway.calls].count("/api/v1/imports/contributions") == 2
    assert sent[-1] == file.stat().st_size and sent[:2] == [4, 8]  # chunk by chunk, from the start each time
