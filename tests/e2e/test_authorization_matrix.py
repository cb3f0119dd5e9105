"""Every /api/v1 operation × every role × own / other's object, through Caddy.

The rule table must name every operation the gateway's OpenAPI lists, so an endpoint added
without a rule fails here. Outcomes: OK (authorised: any answer but 401/403/404/5xx — a 409 or
422 from business rules still proves the caller got in), FORBIDDEN (403), HIDDEN (404: another
member's object is not even acknowledged).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest

from .conftest import Habitat, eventually

pytestmark = pytest.mark.e2e

OK, FORBIDDEN, HIDDEN = "ok", "forbidden", "hidden"
ROLES = ("member", "steward", "admin")
PUBLIC = {("POST", "/auth/login"), ("POST", "/auth/refresh"), ("POST", "/auth/logout")}
FUTURE_YEAR = "2999"
MATRIX_QUEUE = "contributions.ledger.period_closed.v1"


def everyone(outcome: str = OK) -> dict:
    return {role: outcome for role in ROLES}


def only(*allowed: str) -> dict:
    return {role: OK if role in allowed else FORBIDDEN for role in ROLES}


def own_or_hidden() -> dict:
    """Members reach only their own object; stewards and admins reach anyone's."""
    return {"member": {"own": OK, "other": HIDDEN}, "steward": OK, "admin": OK}


REVIEW = {"member": FORBIDDEN, "steward": {"own": FORBIDDEN, "other": OK}, "admin": {"own": FORBIDDEN, "other": OK}}
SUBMITTER_ONLY = {"member": {"own": OK, "other": HIDDEN}, "steward": {"own": OK, "other": FORBIDDEN},
                  "admin": {"own": OK, "other": FORBIDDEN}}

RULES: dict[tuple[str, str], dict] = {
    ("POST", "/auth/password"): everyone(),
    ("GET", "/me"): everyone(),
    ("GET", "/me/dashboard"): everyone(),
    ("GET", "/members"): only("steward", "admin"),
    ("POST", "/members"): only("admin"),
    ("POST", "/members/import"): only("admin"),
    ("GET", "/members/{member_id}"): own_or_hidden(),
    ("PATCH", "/members/{member_id}"): only("admin"),
    # an admin's own id: 409 cannot_change_self, so the matrix never resets a member it signs in as
    ("POST", "/members/{member_id}/temporary-password"): only("admin"),
    ("GET", "/audit-log"): only("admin"),
    ("POST", "/imports/capital-accounts"): only("admin"),
    ("POST", "/imports/contributions"): only("admin"),
    ("GET", "/integrity"): only("admin"),
    ("GET", "/periods"): everyone(),
    ("POST", "/periods"): only("admin"),
    ("GET", "/periods/{period_id}"): everyone(),
    ("GET", "/periods/{period_id}/intake"): only("steward", "admin"),
    ("GET", "/periods/{period_id}/draft-allocation"): everyone(),
    ("GET", "/periods/{period_id}/pre-close"): only("admin"),
    ("POST", "/periods/{period_id}/close"): only("admin"),
    ("POST", "/periods/{period_id}/allocations"): only("admin"),
    ("GET", "/periods/{period_id}/allocations"): only("admin"),
    ("POST", "/contributions"): everyone(),
    ("GET", "/contributions"): everyone(),
    ("POST", "/contributions/batch-approve"): only("steward", "admin"),
    ("GET", "/contributions/{contribution_id}"): own_or_hidden(),
    ("PATCH", "/contributions/{contribution_id}"): SUBMITTER_ONLY,
    ("POST", "/contributions/{contribution_id}/approve"): REVIEW,
    ("POST", "/contributions/{contribution_id}/reject"): REVIEW,
    ("POST", "/contributions/{contribution_id}/request-clarification"): REVIEW,
    ("POST", "/contributions/{contribution_id}/respond"): SUBMITTER_ONLY,
    ("GET", "/review-queue"): only("steward", "admin"),
    ("GET", "/capital-accounts/{member_id}"): own_or_hidden(),
    ("GET", "/capital-accounts/{member_id}/statement"): own_or_hidden(),
    ("GET", "/allocations/{allocation_id}"): everyone(),
    ("POST", "/allocations/{allocation_id}/approve"): only("admin"),
    ("POST", "/allocations/{allocation_id}/reject"): only("admin"),
    ("POST", "/allocations/{allocation_id}/post"): only("admin"),
    ("GET", "/distributions"): everyone(),
    ("POST", "/distributions"): only("admin"),
    ("POST", "/distributions/{distribution_id}/complete"): only("admin"),
    ("POST", "/distributions/{distribution_id}/cancel"): only("admin"),
    ("GET", "/allocations/{allocation_id}/statement/{member_id}"): own_or_hidden(),
    ("POST", "/transactions/{transaction_id}/reverse"): only("admin"),
    ("GET", "/money-moves"): only("admin"),
    ("GET", "/money-moves/{move_id}"): only("admin"),
    ("POST", "/money-moves/{move_id}/approve"): only("admin"),
    ("POST", "/money-moves/{move_id}/reject"): only("admin"),
    ("GET", "/exceptions"): only("admin"),
    ("GET", "/exports/k1"): only("admin"),
    ("POST", "/exports/k1/{year}/issue"): only("admin"),
    ("GET", "/exports/journal"): only("admin"),
    ("GET", "/dead-letters"): only("admin"),
    ("GET", "/dead-letters/{queue}"): only("admin"),
    ("POST", "/dead-letters/{queue}/replay"): only("admin"),
    ("POST", "/dead-letters/{queue}/discard"): only("admin"),
}

CSV = b"email,display_name,role\nmatrix-import@e2e.coop,Matrix Import,member\n"
BODIES: dict[tuple[str, str], Callable[["World", str], dict]] = {
    ("POST", "/auth/password"): lambda w, r: {"json": {"current_password": "wrong-password-x", "new_password": "x"}},
    ("POST", "/members"): lambda w, r: {"json": {"email": "not-an-email", "display_name": "", "role": "member"}},
    ("POST", "/members/import"): lambda w, r: {"content": CSV, "params": {"dry_run": "true"},
                                                "headers": {"Content-Type": "text/csv"}},
    ("POST", "/imports/capital-accounts"): lambda w, r: {"content": b"member_email,book_balance,tax_balance,as_of\n",
                                                         "params": {"dry_run": "true"},
                                                         "headers": {"Content-Type": "text/csv"}},
    ("POST", "/imports/contributions"): lambda w, r: {"content": b"reference\n", "params": {"dry_run": "true"},
                                                      "headers": {"Content-Type": "text/csv"}},
    ("PATCH", "/members/{member_id}"): lambda w, r: {"json": {}},
    ("POST", "/periods"): lambda w, r: {"json": {"name": "x", "starts_on": "2030-02-01", "ends_on": "2030-01-01"}},
    ("POST", "/periods/{period_id}/allocations"): lambda w, r: {"json": {"surplus": "100.00", "cash_portion": "0"}},
    ("POST", "/contributions"): lambda w, r: {"json": {
        "type": "capital", "contributed_on": "2026-02-02", "amount": "1.00",
        "description": "Authorization matrix capital contribution"}},
    ("POST", "/contributions/batch-approve"): lambda w, r: {"json": {"ids": []}},
    ("PATCH", "/contributions/{contribution_id}"): lambda w, r: {"json": {"description": "Edited by the matrix test run"}},
    ("POST", "/contributions/{contribution_id}/approve"): lambda w, r: {"json": {}},
    ("POST", "/contributions/{contribution_id}/reject"): lambda w, r: {"json": {"reason": "Not a real contribution"}},
    ("POST", "/contributions/{contribution_id}/request-clarification"): lambda w, r: {
        "json": {"question": "Which account did this come from?"}},
    ("POST", "/contributions/{contribution_id}/respond"): lambda w, r: {"json": {"answer": "From the shared account."}},
    ("GET", "/periods/{period_id}/draft-allocation"): lambda w, r: {"params": {"surplus": "1000.00"}},
    ("POST", "/allocations/{allocation_id}/reject"): lambda w, r: {"json": {"reason": "matrix"}},
    ("POST", "/distributions"): lambda w, r: {"json": {
        "member_id": w.ids["member"], "amount": "1.00", "method": "check", "scheduled_on": "2026-04-01"}},
    ("POST", "/distributions/{distribution_id}/complete"): lambda w, r: {"json": {"reference": "matrix"}},
    ("POST", "/distributions/{distribution_id}/cancel"): lambda w, r: {"json": {"reason": "matrix"}},
    ("GET", "/exports/k1"): lambda w, r: {"params": {"year": "2026", "format": "json"}},
    ("POST", "/transactions/{transaction_id}/reverse"): lambda w, r: {"json": {"reason": "matrix"}},
    ("POST", "/money-moves/{move_id}/reject"): lambda w, r: {"json": {"reason": "matrix"}},
    ("GET", "/exports/journal"): lambda w, r: {"params": {"basis": "tax"}},
    # a queue that never has dead letters in these tests: replaying or discarding "all of them" touches none
    ("POST", "/dead-letters/{queue}/replay"): lambda w, r: {"json": {}},
    ("POST", "/dead-letters/{queue}/discard"): lambda w, r: {"json": {"reason": "authorization matrix"}},
}


@dataclass
class World:
    habitat: Habitat
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    close_period_id: str = ""
    allocation_id: str = ""
    distribution_id: str = ""
    transaction_id: str = ""
    move_id: str = ""

    def contribution_of(self, owner: str) -> str:
        return self.habitat.submit(self.tokens[owner], {
            "type": "capital", "contributed_on": "2026-02-03", "amount": "2.00",
            "description": "Authorization matrix object contribution"})["id"]

    def path_for(self, template: str, role: str, whose: str) -> str:
        owner = "other" if whose == "other" else role
        if template.endswith("/statement/{member_id}") and whose == "any":
            owner = "member"  # stewards and admins read the allocation member's statement
        values = {
            "{member_id}": self.ids[owner],
            "{period_id}": self.close_period_id if "close" in template or "allocations" in template or
            "pre-close" in template else self.habitat.period_id,
            "{allocation_id}": self.allocation_id,
            "{distribution_id}": self.distribution_id,
            "{transaction_id}": self.transaction_id,
            "{move_id}": self.move_id,
            "{year}": FUTURE_YEAR,  # an admin gets in and is refused 422: issuing would lock this shared stack's year
            "{queue}": MATRIX_QUEUE,
        }
        if "{contribution_id}" in template:
            values["{contribution_id}"] = self.contribution_of(owner)
        path = template
        for key, value in values.items():
            path = path.replace(key, value)
        return path


@pytest.fixture(scope="module")
def world(habitat: Habitat) -> World:
    world = World(habitat)
    for role in ROLES:
        world.ids[role], world.tokens[role] = habitat.active_member(role)
    world.ids["other"], world.tokens["other"] = habitat.active_member("member")
    admin = habitat.admin_token()
    period = habitat.call("POST", "/periods", admin,
                          json={"name": "matrix", "starts_on": "2026-04-01", "ends_on": "2026-06-30"})
    assert period.status_code == 201, period.text
    world.close_period_id = period.json()["id"]
    contribution = habitat.submit(world.tokens["member"], {
        "type": "capital", "contributed_on": "2026-04-10", "amount": "300.00",
        "description": "Capital for the matrix close period"})
    assert habitat.call("POST", f"/contributions/{contribution['id']}/approve", world.tokens["steward"],
                        json={}).status_code == 200
    eventually(lambda: habitat.capital(admin, world.ids["member"])[0] != "0.00")
    assert habitat.call("POST", f"/periods/{world.close_period_id}/close", admin).status_code == 200

    def propose():
        response = habitat.call("POST", f"/periods/{world.close_period_id}/allocations", admin,
                                json={"surplus": "100.00", "cash_portion": "25"})
        return response.json() if response.status_code == 201 else None

    world.allocation_id = eventually(propose, timeout=15)["id"]
    scheduled = habitat.call("POST", "/distributions", admin, json={
        "member_id": world.ids["member"], "amount": "1.00", "method": "check", "scheduled_on": "2026-04-01"})
    assert scheduled.status_code == 201, scheduled.text
    world.distribution_id = scheduled.json()["id"]
    # a completion the bootstrap admin requested, waiting for a second admin (the matrix's admin may approve it)
    requested = habitat.call("POST", f"/distributions/{world.distribution_id}/complete", admin,
                             json={"reference": "matrix"})
    assert requested.status_code == 202, requested.text
    world.move_id = requested.json()["id"]
    statement = habitat.call("GET", f"/capital-accounts/{world.ids['member']}/statement", admin).json()
    world.transaction_id = statement["lines"][0]["transaction_id"]
    return world


def gateway_operations(habitat: Habitat) -> set[tuple[str, str]]:
    spec = httpx.get(habitat.url + "/api/v1/openapi.json").json()
    return {(method.upper(), path.removeprefix("/api/v1")) for path, ops in spec["paths"].items() for method in ops}


def outcome_of(response: httpx.Response) -> str:
    if response.status_code == 403:
        return FORBIDDEN
    if response.status_code == 404:
        return HIDDEN
    assert response.status_code not in (401,) and response.status_code < 500, response.text
    return OK


CASES = [(op, role, whose) for op, rule in RULES.items() for role in ROLES
         for whose in (("own", "other") if isinstance(rule[role], dict) else ("any",))]


def test_every_operation_has_a_rule(habitat: Habitat) -> None:
    operations = gateway_operations(habitat)
    assert operations - PUBLIC - set(RULES) == set(), "operations without an authorization rule"
    assert set(RULES) - operations == set(), "rules for operations that no longer exist"


@pytest.mark.parametrize("operation", sorted(RULES), ids=lambda op: f"{op[0]} {op[1]}")
def test_anonymous_callers_get_401(habitat: Habitat, operation: tuple[str, str]) -> None:
    method, template = operation
    path = template.replace("{", "").replace("}", "")
    for name in ("member_id", "period_id", "contribution_id", "allocation_id", "distribution_id", "transaction_id",
                 "move_id"):
        path = path.replace(name, str(uuid.uuid4()))
    path = path.replace("year", FUTURE_YEAR)
    response = habitat.call(method, path, json={} if method in ("POST", "PATCH") else None)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("operation,role,whose", CASES, ids=lambda v: v if isinstance(v, str) else f"{v[0]} {v[1]}")
def test_role_and_ownership_rules(world: World, operation: tuple[str, str], role: str, whose: str) -> None:
    method, template = operation
    rule = RULES[operation][role]
    expected = rule[whose] if isinstance(rule, dict) else rule
    path = world.path_for(template, role, whose)
    kwargs = BODIES.get(operation, lambda w, r: {})(world, role)
    headers = kwargs.pop("headers", {}) | {"Authorization": f"Bearer {world.tokens[role]}"}
    with world.habitat.client() as client:
        response = client.request(method, f"/api/v1{path}", headers=headers, **kwargs)
    assert outcome_of(response) == expected, f"{method} {path} as {role} ({whose}): {response.status_code} {response.text}"


def test_nobody_pays_themselves_and_one_admin_never_moves_money(world: World) -> None:
    """PRODUCT.md rule 12: an admin neither schedules, completes nor approves a payment to themselves, and
    the admin who asks for a payment cannot approve it alone."""
    habitat, admin, payee = world.habitat, world.habitat.admin_token(), world.tokens["admin"]
    body = {"member_id": world.ids["admin"], "amount": "1.00", "method": "check", "scheduled_on": "2026-04-01"}
    own = habitat.call("POST", "/distributions", payee, json=body)
    assert (own.status_code, own.json()["error"]["code"]) == (403, "own_distribution")
    to_payee = habitat.call("POST", "/distributions", admin, json=body).json()
    completing = habitat.call("POST", f"/distributions/{to_payee['id']}/complete", payee,
                              json={"reference": "self", "override_reason": "matrix"})
    assert (completing.status_code, completing.json()["error"]["code"]) == (403, "own_distribution")
    requested = habitat.call("POST", f"/distributions/{to_payee['id']}/complete", admin,
                             json={"reference": "matrix", "override_reason": "matrix"})
    assert requested.status_code == 202, requested.text
    approving = habitat.call("POST", f"/money-moves/{requested.json()['id']}/approve", payee)
    assert (approving.status_code, approving.json()["error"]["code"]) == (403, "own_distribution")
    alone = habitat.call("POST", f"/money-moves/{requested.json()['id']}/approve", admin)
    assert alone.json()["status"] == "requested"
    listed = habitat.call("GET", "/distributions", admin, params={"member_id": world.ids["admin"]}).json()["items"]
    assert [d["status"] for d in listed if d["id"] == to_payee["id"]] == ["scheduled"]
