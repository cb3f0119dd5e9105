"""Sessions end at once: deactivation, a password change elsewhere, and repeated wrong passwords."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import Habitat, eventually

pytestmark = pytest.mark.e2e
# Generous for a slow machine, yet an access token lives 15 minutes: only the revocation refuses it this soon.
# How soon it does is measured by bench/revocation.py.
REFUSED_WITHIN_SECONDS = 30
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
        eventually(lambda: refused_everywhere(habitat, token), timeout=REFUSED_WITHIN_SECONDS, interval=0.1)

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
        eventually(lambda: refused_everywhere(habitat, laptop["access_token"]), timeout=REFUSED_WITHIN_SECONDS,
                   interval=0.1)
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


def gateway_client(habitat: Habitat, address: str) -> httpx.Client:
    """A client of the gateway as Caddy forwards a caller at `address` (the stack's Caddy is on 127.0.0.1)."""
    return httpx.Client(base_url=habitat.config.service_url("gateway"), headers={"X-Forwarded-For": address},
                        timeout=30.0)


def api_sign_in(habitat: Habitat, address: str, email: str, password: str) -> httpx.Response:
    with gateway_client(habitat, address) as client:
        return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def ui_sign_in(habitat: Habitat, address: str, email: str, password: str, device: str | None) -> httpx.Response:
    """The sign-in form, as a browser posts it; the gateway's cookies are Secure, so they are sent by hand."""
    with gateway_client(habitat, address) as client:
        csrf = client.get("/login").cookies["habitat_csrf"]
        cookies = f"habitat_csrf={csrf}" + (f"; habitat_device={device}" if device else "")
        return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf},
                           headers={"Cookie": cookies})


class TestSignInLimits:
    def test_24_simultaneous_wrong_passwords_get_at_most_5_wrong_password_answers(self, habitat: Habitat) -> None:
        _, email, temporary = habitat.create_member()
        with ThreadPoolExecutor(max_workers=24) as pool:
            answers = list(pool.map(
                lambda n: api_sign_in(habitat, f"198.51.100.{n}", email, f"wrong-guess-{n:04}"), range(24)
            ))
        codes = [answer.status_code for answer in answers]
        assert codes.count(401) <= 5 and codes.count(401) + codes.count(429) == 24, codes
        assert api_sign_in(habitat, "198.51.100.99", email, temporary).status_code == 429

    def test_wrong_current_passwords_on_the_change_form_lock_the_account(self, habitat: Habitat) -> None:
        _, email, temporary = habitat.create_member()
        token = habitat.login(email, temporary)["access_token"]
        wrong = {"current_password": "not-the-password-00", "new_password": "first-chosen-passphrase-31"}
        codes = [habitat.call("POST", "/auth/password", token, json=wrong).status_code for _ in range(6)]
        assert codes == [400] * 5 + [429]
        assert api_sign_in(habitat, "198.51.100.120", email, temporary).status_code == 429

    def test_a_browser_that_signed_in_before_is_not_held_by_its_offices_address_limit(self, habitat: Habitat) -> None:
        _, email, temporary = habitat.create_member()
        office = "203.0.113.77"
        first = ui_sign_in(habitat, office, email, temporary, device=None)
        assert first.status_code == 303 and first.headers["location"] == "/password"
        device = first.cookies["habitat_device"]
        set_cookie = next(v for v in first.headers.get_list("set-cookie") if v.startswith("habitat_device="))
        assert "HttpOnly" in set_cookie and "SameSite=strict" in set_cookie
        for n in range(20):  # someone in the office (or behind its NAT) guesses other accounts
            assert api_sign_in(habitat, office, f"guess-{n}@e2e.coop", "wrong-guess-0000").status_code == 401
        stranger = ui_sign_in(habitat, office, email, temporary, device=None)
        assert stranger.status_code == 429
        returning = ui_sign_in(habitat, office, email, temporary, device=device)
        assert returning.status_code == 303 and returning.headers["location"] == "/password"
        forged = ui_sign_in(habitat, office, email, temporary, device=device[:-4] + "AAAA")
        assert forged.status_code == 429
