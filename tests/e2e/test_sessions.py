"""Sessions end at once: deactivation, a password change elsewhere, and repeated wrong passwords."""

from __future__ import annotations

import time

import httpx
import pytest

from .conftest import Habitat, eventually

pytestmark = pytest.mark.e2e
PROCESSES = (("gateway", "/api/v1/me/dashboard"), ("contributions", "/contributions"), ("ledger", "/periods"))


def refused_everywhere(habitat: Habitat, token: str) -> bool:
    for process, path in PROCESSES:
        response = httpx.get(habitat.config.service_url(process) + path, headers={"Authorization": f"Bearer {token}"})
        if response.status_code != 401:
            return False
    return True


class TestSessionsEnd:
    def test_a_deactivated_members_unexpired_token_stops_working_within_seconds(self, habitat: Habitat) -> None:
        member_id, token = habitat.active_member()
        assert habitat.call("GET", "/me/dashboard", token).status_code == 200
        deactivated = habitat.call("PATCH", f"/members/{member_id}", habitat.admin_token(), json={"status": "inactive"})
        assert deactivated.status_code == 200 and deactivated.json()["status"] == "inactive"
        started = time.monotonic()
        eventually(lambda: refused_everywhere(habitat, token), timeout=5, interval=0.1)
        assert time.monotonic() - started < 3.0

    def test_changing_the_password_ends_the_other_sessions_only(self, habitat: Habitat) -> None:
        _, email, temporary = habitat.create_member()
        first = habitat.login(email, temporary)
        password = "first-chosen-passphrase-31"
        changed = habitat.call("POST", "/auth/password", first["access_token"],
                               json={"current_password": temporary, "new_password": password})
        assert changed.status_code == 200
        laptop, phone = habitat.login(email, password), habitat.login(email, password)
        renewed = habitat.call("POST", "/auth/password", phone["access_token"],
                               json={"current_password": password, "new_password": "second-chosen-passphrase-47"})
        assert renewed.status_code == 200
        eventually(lambda: refused_everywhere(habitat, laptop["access_token"]), timeout=5, interval=0.1)
        assert habitat.call("POST", "/auth/refresh", json={"refresh_token": laptop["refresh_token"]}).status_code == 401
        assert habitat.call("GET", "/me/dashboard", renewed.json()["access_token"]).status_code == 200


class TestBruteForce:
    def test_repeated_failures_lock_known_and_unknown_accounts_alike(self, habitat: Habitat) -> None:
        _, email, _ = habitat.create_member()
        answers = {}
        for target in (email, "nobody-here@e2e.coop"):
            for _ in range(6):
                response = habitat.call("POST", "/auth/login", json={"email": target, "password": "wrong-guess-0000"})
            answers[target] = response
        for response in answers.values():
            assert response.status_code == 429, response.text
            assert response.json()["error"]["code"] == "too_many_attempts"
            assert int(response.headers["retry-after"]) > 0
        assert answers[email].json()["error"]["message"] == answers["nobody-here@e2e.coop"].json()["error"]["message"]
