"""A small demo co-op created through the public API, so it exercises the real path."""

from __future__ import annotations

import secrets
import time
from datetime import date

import httpx

PAGE = 100
DEMO_PERIOD = {"name": "2026-Q4", "starts_on": "2026-10-01", "ends_on": "2026-12-31"}
DEMO_MEMBERS = (
    ("steward@demo.coop", "Sam Steward", "steward"),
    ("ada@demo.coop", "Ada Lovelace", "member"),
    ("ben@demo.coop", "Ben Franklin", "member"),
)
DEMO_CONTRIBUTIONS = {
    "ada@demo.coop": (
        {"type": "capital", "contributed_on": "2026-10-05", "amount": "1500.00",
         "description": "Initial member capital contribution by bank transfer"},
        {"type": "labor", "contributed_on": "2026-10-12", "hours": "6", "rate": "100.00",
         "description": "Built the shelving for the tool library workshop"},
    ),
    "ben@demo.coop": (
        {"type": "property", "contributed_on": "2026-10-20", "fair_market_value": "2400.00",
         "adjusted_basis": "1800.00", "description": "Contributed a used cargo e-bike for deliveries"},
        {"type": "capital", "contributed_on": "2026-11-02", "amount": "500.00",
         "description": "Second capital installment by bank transfer"},
    ),
}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(client: httpx.Client, email: str, password: str) -> dict:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    response.raise_for_status()
    return response.json()


def _member_exists(client: httpx.Client, token: str, email: str) -> bool:
    """Whether a member has this email, however many members there are: search by it and page through the
    matches (the search also matches other emails and names that contain it)."""
    offset = 0
    while True:
        response = client.get(
            "/api/v1/members", params={"q": email, "limit": PAGE, "offset": offset}, headers=_auth(token)
        )
        response.raise_for_status()
        page = response.json()
        if any(m["email"].lower() == email.lower() for m in page["items"]):
            return True
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return False


def _submit(client: httpx.Client, token: str, body: dict, deadline_seconds: float = 10.0) -> dict:
    """Submit, waiting briefly for the period and the member's activation to reach the replicas."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        response = client.post("/api/v1/contributions", json=body, headers=_auth(token))
        waiting = response.status_code in (403, 409) and response.json()["error"]["code"] in (
            "period_not_open", "member_not_active"
        )
        if not waiting or time.monotonic() > deadline:
            response.raise_for_status()
            return response.json()
        time.sleep(0.2)


def seed_demo(base_url: str, admin_email: str, admin_password: str) -> dict[str, str]:
    """Create the demo members, period and contributions if absent; returns new members' passwords."""
    created: dict[str, str] = {}
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        admin = _login(client, admin_email, admin_password)["access_token"]
        periods = client.get("/api/v1/periods", headers=_auth(admin)).json()["items"]
        if not any(p["name"] == DEMO_PERIOD["name"] for p in periods):
            client.post("/api/v1/periods", json=DEMO_PERIOD, headers=_auth(admin)).raise_for_status()
        tokens: dict[str, str] = {}
        for email, name, role in DEMO_MEMBERS:
            if _member_exists(client, admin, email):
                continue
            body = {"email": email, "display_name": name, "role": role, "joined_at": date(2026, 1, 15).isoformat()}
            response = client.post("/api/v1/members", json=body, headers=_auth(admin))
            response.raise_for_status()
            temporary = response.json()["temporary_password"]
            first = _login(client, email, temporary)
            password = f"demo-{secrets.token_urlsafe(12)}"
            changed = client.post(
                "/api/v1/auth/password",
                json={"current_password": temporary, "new_password": password},
                headers=_auth(first["access_token"]),
            )
            changed.raise_for_status()
            tokens[email] = changed.json()["access_token"]
            created[email] = password
        steward = tokens.get("steward@demo.coop")
        for email, bodies in DEMO_CONTRIBUTIONS.items():
            if email not in tokens:
                continue
            for index, body in enumerate(bodies):
                contribution = _submit(client, tokens[email], body)
                if steward and index == 0:
                    client.post(
                        f"/api/v1/contributions/{contribution['id']}/approve", json={}, headers=_auth(steward)
                    ).raise_for_status()
    return created
