"""Every /api/v1 operation × every role × own / other's object, through Caddy.

The rule table must name every operation the gateway's OpenAPI lists, so an endpoint added
without a rule fails here. Every call sends a valid body for an object in the right state, so a
caller who gets in is answered 2xx: OK means exactly that, or one of the few business refusals
listed in EXPECTED_REFUSALS (each says why the matrix cannot do the real thing). A 4xx for a bad
body never counts as "got in" — it would hide a role that is wrongly refused. FORBIDDEN is 403,
HIDDEN is 404 (another member's object is not even acknowledged).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from .conftest import Habitat, eventually, started_habitat

pytestmark = pytest.mark.e2e

OK, FORBIDDEN, HIDDEN = "ok", "forbidden", "hidden"
ROLES = ("member", "steward", "admin")
PUBLIC = {("POST", "/auth/login"), ("POST", "/auth/refresh"), ("POST", "/auth/logout"),
          ("POST", "/auth/forgot-password"), ("POST", "/auth/reset-password"), ("POST", "/auth/accept-invitation")}
FUTURE_YEAR = "2199"
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
    ("POST", "/members/{member_id}/invitation"): only("admin"),
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
    ("GET", "/capital-accounts/{member_id}/statement.csv"): own_or_hidden(),
    ("GET", "/capital-accounts/{member_id}/statement.pdf"): own_or_hidden(),
    ("GET", "/allocations/{allocation_id}"): everyone(),
    ("POST", "/allocations/{allocation_id}/approve"): only("admin"),
    ("POST", "/allocations/{allocation_id}/reject"): only("admin"),
    ("POST", "/allocations/{allocation_id}/post"): only("admin"),
    ("GET", "/distributions"): everyone(),
    ("POST", "/distributions"): only("admin"),
    ("POST", "/distributions/{distribution_id}/complete"): only("admin"),
    ("POST", "/distributions/{distribution_id}/cancel"): only("admin"),
    ("GET", "/allocations/{allocation_id}/statement/{member_id}"): own_or_hidden(),
    ("GET", "/allocations/{allocation_id}/statement/{member_id}.pdf"): own_or_hidden(),
    ("GET", "/periods/{period_id}/report.pdf"): only("steward", "admin"),
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
    ("GET", "/notifications/preferences/me"): everyone(),
    ("PUT", "/notifications/preferences/me"): everyone(),
    ("GET", "/notifications/messages"): only("admin"),
    ("POST", "/notifications/messages/{message_id}/resend"): only("admin"),
    ("POST", "/notifications/runs"): only("admin"),
}

MEMBERS_CSV = "email,display_name,role\nmatrix-import-{n}@e2e.coop,Matrix Import,member\n"
BALANCES_CSV = "member_email,book_balance,tax_balance,as_of,note\n{email},10.00,10.00,2025-12-31,matrix\n"
HISTORY_CSV = (
    "reference,member_email,period,type,contributed_on,description,hours,rate,amount,fair_market_value,"
    "adjusted_basis,status,approver_email,decided_at\n"
    "MATRIX-{n},{email},2026-Q1,capital,2026-01-15,Matrix history row,,,5.00,,,pending,,\n"
)


def csv_upload(text: str) -> dict:
    return {"content": text.encode(), "params": {"dry_run": "true"}, "headers": {"Content-Type": "text/csv"}}


def unique() -> str:
    return uuid.uuid4().hex[:10]


BODIES: dict[tuple[str, str], Callable[["World", str], dict]] = {
    ("POST", "/auth/password"): lambda w, r: {"json": {
        "current_password": w.passwords[r], "new_password": w.next_password(r)}},
    ("POST", "/members"): lambda w, r: {"json": {
        "email": f"matrix-{unique()}@e2e.coop", "display_name": "Matrix Member", "role": "member",
        "joined_at": "2020-01-01"}},
    ("POST", "/members/import"): lambda w, r: csv_upload(MEMBERS_CSV.format(n=unique())),
    ("POST", "/imports/capital-accounts"): lambda w, r: csv_upload(BALANCES_CSV.format(email=w.spare_email)),
    ("POST", "/imports/contributions"): lambda w, r: csv_upload(HISTORY_CSV.format(n=unique(), email=w.spare_email)),
    ("PATCH", "/members/{member_id}"): lambda w, r: {"json": {"display_name": f"Matrix Spare {unique()}"}},
    ("POST", "/periods"): lambda w, r: {"json": {"name": f"matrix {unique()}", "starts_on": "2150-01-01",
                                                 "ends_on": "2150-03-31"}},
    ("POST", "/periods/{period_id}/allocations"): lambda w, r: {"json": {"surplus": "100.00", "cash_portion": "0"}},
    ("POST", "/contributions"): lambda w, r: {"json": {
        "type": "capital", "contributed_on": "2026-02-02", "amount": "1.00",
        "description": "Authorization matrix capital contribution"}},
    ("POST", "/contributions/batch-approve"): lambda w, r: {"json": {"ids": [w.contribution_of("other")]}},
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
    ("PUT", "/notifications/preferences/me"): lambda w, r: {"json": {"decisions": True, "reminders": True}},
    ("POST", "/notifications/runs"): lambda w, r: {"json": {"kind": "steward_digest"}},
}

# The only answers besides 2xx that count as "got in": business refusals reached after authorization,
# where doing the real thing would break the shared stack for the tests after this one.
EXPECTED_REFUSALS: dict[tuple[str, str], set[tuple[int, str]]] = {
    # issuing a real year would lock its dates for every other test on this stack
    ("POST", "/exports/k1/{year}/issue"): {(422, "k1_year_not_started")},
    # the stack's SMTP server accepts every mail, and only a failed or bounced one is resent
    ("POST", "/notifications/messages/{message_id}/resend"): {(409, "not_resendable")},
}

@dataclass
class World:
    habitat: Habitat
    tokens: dict[str, str] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    spare_email: str = ""
    close_period_id: str = ""
    move_id: str = ""
    opening_transaction_id: str = ""
    pending_password: dict[str, str] = field(default_factory=dict)
    message_id: str = ""

    def next_password(self, role: str) -> str:
        self.pending_password[role] = f"matrix-{secrets.token_urlsafe(16)}"
        return self.pending_password[role]

    def after(self, operation: tuple[str, str], role: str, response: httpx.Response) -> None:
        """Keep the world usable after a call that changed the caller's own credentials."""
        if operation == ("POST", "/auth/password") and response.status_code == 200:
            self.passwords[role] = self.pending_password.pop(role)
            self.tokens[role] = response.json()["access_token"]

    def contribution_of(self, owner: str) -> str:
        return self.habitat.submit(self.tokens[owner], {
            "type": "capital", "contributed_on": "2026-02-03", "amount": "2.00",
            "description": "Authorization matrix object contribution"})["id"]

    def questioned_contribution_of(self, owner: str) -> str:
        """A contribution of owner with a clarification question waiting for the answer."""
        contribution_id = self.contribution_of(owner)
        asker = self.tokens["steward"] if owner != "steward" else self.habitat.admin_token()
        asked = self.habitat.call("POST", f"/contributions/{contribution_id}/request-clarification", asker,
                                  json={"question": "Which account did this come from?"})
        assert asked.status_code == 200, asked.text
        return contribution_id

    def mail_message(self) -> str:
        """A mail in the log: the spare member's invitation, written when the member was created."""
        if not self.message_id:
            def listed():
                return self.habitat.call("GET", "/notifications/messages", self.habitat.admin_token(),
                                         params={"recipient_id": self.ids["spare"]}).json()["items"]

            self.message_id = eventually(listed, timeout=30)[0]["id"]
        return self.message_id

    def pending_allocation(self) -> str:
        """The close period's proposal awaiting approval, proposed by the bootstrap admin if there is none."""
        admin = self.habitat.admin_token()
        listed = self.habitat.call("GET", f"/periods/{self.close_period_id}/allocations", admin).json()["items"]
        pending = [a["id"] for a in listed if a["status"] == "proposed"]
        if pending:
            return pending[0]

        def propose():
            response = self.habitat.call("POST", f"/periods/{self.close_period_id}/allocations", admin,
                                         json={"surplus": "100.00", "cash_portion": "25"})
            return response.json() if response.status_code == 201 else None

        return eventually(propose, timeout=15)["id"]

    def no_pending_allocation(self) -> None:
        """Reject the pending proposal, if any, so that a new one may be proposed."""
        admin = self.habitat.admin_token()
        for allocation in self.habitat.call("GET", f"/periods/{self.close_period_id}/allocations",
                                            admin).json()["items"]:
            if allocation["status"] == "proposed":
                rejected = self.habitat.call("POST", f"/allocations/{allocation['id']}/reject", admin,
                                             json={"reason": "matrix: make room for the next proposal"})
                assert rejected.status_code == 200, rejected.text

    def approved_allocation(self) -> str:
        """The close period's approved, unposted proposal; one is proposed and approved if there is none."""
        listed = self.habitat.call("GET", f"/periods/{self.close_period_id}/allocations",
                                   self.habitat.admin_token()).json()["items"]
        approved = [a["id"] for a in listed if a["status"] == "approved"]
        if approved:
            return approved[0]
        allocation_id = self.pending_allocation()
        # the bootstrap admin proposed it; admins other than the proposer approve until it is approved
        for approver in (self.habitat.second_admin_token(), self.tokens["admin"]):
            approved = self.habitat.call("POST", f"/allocations/{allocation_id}/approve", approver)
            assert approved.status_code == 200, approved.text
            if approved.json()["status"] == "approved":
                return allocation_id
        raise AssertionError(f"allocation {allocation_id} not approved: {approved.text}")

    def scheduled_distribution(self) -> str:
        scheduled = self.habitat.call("POST", "/distributions", self.habitat.admin_token(), json={
            "member_id": self.ids["member"], "amount": "1.00", "method": "check", "scheduled_on": "2026-04-01"})
        assert scheduled.status_code == 201, scheduled.text
        return scheduled.json()["id"]

    def requested_move(self) -> str:
        """A payment the bootstrap admin asked to complete, waiting for a second admin's approval."""
        requested = self.habitat.call("POST", f"/distributions/{self.scheduled_distribution()}/complete",
                                      self.habitat.admin_token(), json={"reference": "matrix"})
        assert requested.status_code == 202, requested.text
        return requested.json()["id"]

    def path_for(self, operation: tuple[str, str], role: str, whose: str) -> str:
        """The operation's path for this caller, with an object in the state the operation needs."""
        method, template = operation
        owner = "other" if whose == "other" else role
        if template.endswith(("/statement/{member_id}", "/statement/{member_id}.pdf")) and whose == "any":
            owner = "member"  # stewards and admins read the allocation member's statement
        if template in ("/members/{member_id}", "/members/{member_id}/temporary-password",
                        "/members/{member_id}/invitation") and method != "GET":
            owner = "spare"  # an admin may not change itself; a spare member keeps the others' sessions alive
        values = {
            "{member_id}": lambda: self.ids[owner],
            "{period_id}": lambda: self.close_period_id if "allocations" in template or "close" in template
            else self.habitat.period_id,
            "{allocation_id}": lambda: self.allocation_for(operation),
            "{distribution_id}": self.scheduled_distribution,
            "{transaction_id}": lambda: self.opening_transaction_id,
            "{move_id}": lambda: self.move_id if method == "GET" else self.requested_move(),
            "{year}": lambda: FUTURE_YEAR,
            "{queue}": lambda: MATRIX_QUEUE,
            "{message_id}": self.mail_message,
            "{contribution_id}": lambda: (self.questioned_contribution_of(owner) if template.endswith("/respond")
                                          else self.contribution_of(owner)),
        }
        if operation == ("POST", "/periods/{period_id}/allocations"):
            self.no_pending_allocation()
        path = template
        for key, value in values.items():
            if key in path:
                path = path.replace(key, value())
        return path

    def allocation_for(self, operation: tuple[str, str]) -> str:
        method, template = operation
        if method == "GET":  # any allocation of the period will do for reading, the newest
            listed = self.habitat.call("GET", f"/periods/{self.close_period_id}/allocations",
                                       self.habitat.admin_token()).json()["items"]
            return listed[-1]["id"] if listed else self.pending_allocation()
        if template.endswith("/post"):
            return self.approved_allocation()
        return self.pending_allocation()


@pytest.fixture(scope="module")
def habitat() -> Iterator[Habitat]:
    """A stack of the matrix's own: it proposes, approves and posts allocations, opens periods, reverses
    entries and changes passwords for real, state the shared stack's other tests must not inherit."""
    with started_habitat("habitat_matrix") as env:
        yield env


@pytest.fixture(scope="module")
def world(habitat: Habitat) -> World:
    world = World(habitat)
    for role in ROLES:
        world.ids[role], world.tokens[role], world.passwords[role] = signed_in(habitat, role)
    world.ids["other"], world.tokens["other"], _ = signed_in(habitat, "member")
    world.ids["spare"], world.spare_email, _ = habitat.create_member("member")
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
    world.move_id = world.requested_move()
    # an opening balance is the one kind of entry an admin reverses directly
    balances = habitat.call("POST", "/imports/capital-accounts", admin, params={"dry_run": "false"},
                            content=BALANCES_CSV.format(email=world.spare_email).encode(),
                            headers={"Content-Type": "text/csv"})
    assert balances.status_code == 202, balances.text
    move = balances.json()["money_move"]  # opening balances are a money move: a second admin approves them
    approved = habitat.call("POST", f"/money-moves/{move['id']}/approve", habitat.second_admin_token())
    assert approved.status_code == 200 and approved.json()["status"] == "executed", approved.text

    def opening_transaction():
        statement = habitat.call("GET", f"/capital-accounts/{world.ids['spare']}/statement", admin).json()
        return statement["lines"][0]["transaction_id"] if statement.get("lines") else None

    world.opening_transaction_id = eventually(opening_transaction, timeout=15)
    return world


def signed_in(habitat: Habitat, role: str) -> tuple[str, str, str]:
    """A member of the role who has chosen a password: (id, access token, password)."""
    member_id, email, temporary = habitat.create_member(role)
    first = habitat.login(email, temporary)
    password = f"matrix-{secrets.token_urlsafe(16)}"
    changed = habitat.call("POST", "/auth/password", first["access_token"],
                           json={"current_password": temporary, "new_password": password})
    assert changed.status_code == 200, changed.text
    return member_id, changed.json()["access_token"], password


def gateway_operations(habitat: Habitat) -> set[tuple[str, str]]:
    spec = httpx.get(habitat.url + "/api/v1/openapi.json").json()
    return {(method.upper(), path.removeprefix("/api/v1")) for path, ops in spec["paths"].items() for method in ops}


def outcome_of(operation: tuple[str, str], response: httpx.Response) -> str:
    if response.status_code == 403:
        return FORBIDDEN
    if response.status_code == 404:
        return HIDDEN
    if 200 <= response.status_code < 300:
        return OK
    code = response.json().get("error", {}).get("code") if "json" in response.headers.get("content-type", "") else None
    assert (response.status_code, code) in EXPECTED_REFUSALS.get(operation, set()), (
        f"neither in nor out: {response.status_code} {response.text[:300]}")
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
                 "move_id", "message_id"):
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
    path = world.path_for(operation, role, whose)
    kwargs = BODIES.get(operation, lambda w, r: {})(world, role)
    headers = kwargs.pop("headers", {}) | {"Authorization": f"Bearer {world.tokens[role]}"}
    with world.habitat.client() as client:
        response = client.request(method, f"/api/v1{path}", headers=headers, **kwargs)
    world.after(operation, role, response)
    assert outcome_of(operation, response) == expected, f"{method} {path} as {role} ({whose}): {response.status_code} {response.text}"


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
