"""The whole stack as real processes behind a real Caddy, on a throw-away database and vhost."""

from __future__ import annotations

import functools
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from habitat_common.testing import temporary_database, temporary_vhost
from habitat_devstack.access import temporary_access
from habitat_devstack.mailbox import Mailbox, running_mailbox
from habitat_devstack.stack import ROOT, Stack, StackConfig, free_ports, migrate

PERIOD = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}
TOKEN_VERIFIERS = ("GATEWAY", "IDENTITY", "CONTRIBUTIONS", "LEDGER", "NOTIFICATIONS")
JWKS_CACHE_SECONDS = 2


def eventually(check: Callable[[], object], *, timeout: float = 10.0, interval: float = 0.05):
    """Poll until check() returns something truthy; fail with the last value after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")


@dataclass
class Habitat:
    stack: Stack
    config: StackConfig
    admin_email: str
    admin_password: str
    period_id: str = ""
    second_admin: tuple[str, str] | None = None  # email, password
    mailbox: Mailbox | None = None  # the stack's SMTP server: mailbox.wait_for(address) returns the parsed mail

    @property
    def url(self) -> str:
        return self.config.url

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30.0)

    def login(self, email: str, password: str) -> dict:
        with self.client() as client:
            response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return response.json()

    def call(self, method: str, path: str, token: str | None = None, **kwargs) -> httpx.Response:
        headers = kwargs.pop("headers", {}) | ({"Authorization": f"Bearer {token}"} if token else {})
        with self.client() as client:
            return client.request(method, f"/api/v1{path}", headers=headers, **kwargs)

    def admin_token(self) -> str:
        return self.login(self.admin_email, self.admin_password)["access_token"]

    def create_member(self, role: str = "member") -> tuple[str, str, str]:
        """Create a member through the API; returns (id, email, temporary password)."""
        email = f"{role}-{uuid.uuid4().hex[:8]}@e2e.coop"
        # joined long ago: contributions may not be dated before the member joined
        body = {"email": email, "display_name": f"E2E {role.title()}", "role": role, "joined_at": "2020-01-01"}
        response = self.call("POST", "/members", self.admin_token(), json=body)
        assert response.status_code == 201, response.text
        created = response.json()
        return created["id"], email, created["temporary_password"]

    def active_member(self, role: str = "member") -> tuple[str, str]:
        """A member who has changed the temporary password; returns (id, access token)."""
        member_id, email, temporary = self.create_member(role)
        first = self.login(email, temporary)
        new_password = f"e2e-{secrets.token_urlsafe(16)}"
        response = self.call(
            "POST", "/auth/password", first["access_token"],
            json={"current_password": temporary, "new_password": new_password},
        )
        assert response.status_code == 200, response.text
        return member_id, response.json()["access_token"]

    def submit(self, token: str, body: dict) -> dict:
        """Submit, tolerating the moment it takes the period to reach the contributions replica."""
        def attempt():
            response = self.call("POST", "/contributions", token, json=body)
            # the period and the member's activation travel to the contributions replicas as events
            if response.status_code in (403, 409) and response.json()["error"]["code"] in (
                "period_not_open", "member_not_active"
            ):
                return None
            assert response.status_code == 201, response.text
            return response.json()

        return eventually(attempt, timeout=10.0, interval=0.1)

    def second_admin_token(self) -> str:
        """An admin other than the bootstrap one (two people move money), created once per stack."""
        if not self.second_admin:
            _, email, temporary = self.create_member("admin")
            password = f"e2e-{secrets.token_urlsafe(16)}"
            first = self.login(email, temporary)["access_token"]
            changed = self.call("POST", "/auth/password", first, json={"current_password": temporary, "new_password": password})
            assert changed.status_code == 200, changed.text
            self.second_admin = (email, password)
        return self.login(*self.second_admin)["access_token"]

    def second_admin_approves(self, response: httpx.Response) -> dict:
        """Approve the money move a request was answered with (202) as the second admin; the executed move."""
        assert response.status_code == 202, response.text
        move = response.json().get("money_move") or response.json()
        approved = self.call("POST", f"/money-moves/{move['id']}/approve", self.second_admin_token())
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "executed", approved.text
        return approved.json()

    def capital(self, token: str, member_id: str) -> tuple[str, str]:
        response = self.call("GET", f"/capital-accounts/{member_id}", token)
        assert response.status_code == 200, response.text
        body = response.json()
        return body["book_balance"], body["tax_balance"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Module-scoped: sync Playwright holds an event loop on this thread while it lives."""
    from playwright.sync_api import sync_playwright

    from .browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


CONTRACT_LOG = "response-contract.log"


@contextmanager
def started_habitat(prefix: str = "habitat_e2e", extra_env: dict[str, str] | None = None) -> Iterator[Habitat]:
    """A whole stack on its own database and vhost, with the admin and the 2026-Q1 period; extra_env is added
    to every process's environment. Every mail the stack sends lands in env.mailbox (its lines in mailbox.log)."""
    log_dir = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
    ports = free_ports()
    with (
        temporary_database(prefix) as database_url,
        temporary_vhost(prefix) as amqp_url,
        # each service on its own PostgreSQL roles and RabbitMQ user, as in production
        temporary_access(database_url, amqp_url) as access,
        open(log_dir / "mailbox.log", "a") as mail_log,
        running_mailbox(
            log_dir / "mail", port=ports["mailbox"], log=functools.partial(print, file=mail_log, flush=True)
        ) as mailbox,
    ):
        config = StackConfig(
            database_url=database_url, amqp_url=amqp_url, ports=ports, log_dir=log_dir, access=access,
            # signing keys stored encrypted, as in production
            extra_env={
                "GATEWAY_UI_REFRESH_SECONDS": "1",
                # every public JSON answer checked against the OpenAPI's model and statuses (response_contract.py)
                "GATEWAY_RESPONSE_CONTRACT_LOG": str(log_dir / CONTRACT_LOG),
                "IDENTITY_SIGNING_KEY_PASSPHRASE": secrets.token_hex(16),
                # key sets expire in seconds, not minutes, so a retired key's refusal is seen quickly
                **{f"{p}_AUTH__JWKS_CACHE_SECONDS": str(JWKS_CACHE_SECONDS) for p in TOKEN_VERIFIERS},
                **(extra_env or {}),
            },
        )
        migrate(config)
        admin_email, admin_password = "admin@e2e.coop", f"hab-{secrets.token_urlsafe(16)}"
        # the test stack's admin keeps its password; production admins change theirs at first sign-in
        subprocess.run(
            [sys.executable, "-m", "habitat_identity.cli", "ensure-admin", "--email", admin_email,
             "--password-stdin", "--no-password-change", "--display-name", "E2E Admin"],
            input=admin_password, text=True, env=config.env(), check=True, cwd=ROOT, capture_output=True,
        )
        stack = Stack(config)
        try:
            stack.start_all()
            env = Habitat(stack, config, admin_email, admin_password, mailbox=mailbox)
            response = env.call("POST", "/periods", env.admin_token(), json=PERIOD)
            assert response.status_code == 201, response.text
            env.period_id = response.json()["id"]
            yield env
        finally:
            stack.stop_all()
        assert_response_contract_kept(log_dir / CONTRACT_LOG)


def assert_response_contract_kept(log: Path) -> None:
    """Fail when the gateway gave an answer its OpenAPI does not declare (a service's answer drifted from the
    gateway's model, or a status no route documents); each mismatch is one JSON line of the log."""
    mismatches = log.read_text().splitlines() if log.exists() else []
    assert not mismatches, f"{len(mismatches)} answers broke the API's declared contract:\n" + "\n".join(
        mismatches[:20]
    )


@pytest.fixture(scope="session")
def habitat() -> Iterator[Habitat]:
    """One stack shared by the session: give each test its own members and, for closes, its own period."""
    with started_habitat() as env:
        yield env
