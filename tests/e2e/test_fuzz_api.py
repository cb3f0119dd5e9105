"""Schemathesis against the gateway's own OpenAPI, as anonymous, member, steward and admin (issue 14).

Every operation of /api/v1 is generated from the schema the running gateway serves (through Caddy) and called
as each caller; each answer must pass schemathesis's checks: no server error, a status code and content type
the operation documents, a body that matches the documented schema, and, for the callers with a token, the
same request without it refused (401).

Bounded for `make test`: HABITAT_FUZZ_EXAMPLES examples per operation and generation mode (positive: valid
by the schema; negative: not), each sent as all four callers (default 3), seeded with HABITAT_FUZZ_SEED
(default 14) so a run can be repeated; `make chaos` sets a larger count. Every failing case is collected
(with a curl command to replay it) rather than stopping at the first, and the run prints a summary: cases
and statuses per caller, failures per operation.

schemathesis's pytest integration (`schemathesis.pytest.from_fixture`) breaks on pytest 9.2 (it sets
`request.node._nodeid`, gone there), so the test drives schemathesis's strategies itself: for each
operation, `operation.as_strategy(mode)` under Hypothesis, and `case.call_and_validate(checks=...)`.

It runs on a stack of its own (a fresh database and vhost): what the fuzzer creates (periods, members with odd
names, scheduled distributions) never meets another test's data.

Excluded operations, each with why (everything else is fuzzed as every caller):
"""

from __future__ import annotations

import os
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import Habitat, started_habitat

EXCLUDED = {
    # issues real K-1s for whatever year 1900..2200 the fuzzer draws: each issue locks that tax year for
    # good (like a closed period), so the run would change what every later case may book; issuing is
    # covered by tests/e2e/test_period_close.py and the ledger's K-1 tests
    ("POST", "/api/v1/exports/k1/{year}/issue"),
}
__doc__ += "".join(f"\n- {method} {path}" for method, path in sorted(EXCLUDED)) + "\n"

LOCKS_THE_CALLERS_OUT = ("POST", "/api/v1/auth/password")
EXAMPLES = int(os.environ.get("HABITAT_FUZZ_EXAMPLES", "3"))
SEED = int(os.environ.get("HABITAT_FUZZ_SEED", "14"))
ROLES = ("anonymous", "member", "steward", "admin")
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
TOKEN_REFRESH_SECONDS = 600  # access tokens last 15 minutes; a long `make chaos` run signs in again
COMMON_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SHOWN_FAILURES = 25


@dataclass
class Caller:
    """One role's credentials; signs in again (with its device cookie, so the client limit the fuzzer's own
    failed sign-ins run into does not apply) before the access token would expire."""

    habitat: Habitat
    email: str = ""
    password: str = ""
    device: str = ""
    token: str = ""
    signed_in_at: float = 0.0

    def headers(self) -> dict[str, str]:
        if not self.email:
            return {}
        if time.monotonic() - self.signed_in_at > TOKEN_REFRESH_SECONDS:
            self.sign_in()
        return {"Authorization": f"Bearer {self.token}"}

    def sign_in(self) -> None:
        cookie = {"Cookie": f"habitat_device={self.device}"} if self.device else {}
        with self.habitat.client() as client:
            response = client.post(
                "/api/v1/auth/login", json={"email": self.email, "password": self.password}, headers=cookie
            )
        assert response.status_code == 200, response.text
        self.device = response.cookies.get("habitat_device") or self.device
        self.token = response.json()["access_token"]
        self.signed_in_at = time.monotonic()


def active_caller(habitat: Habitat, role: str) -> Caller:
    """A member of `role` who changed the temporary password, signed in."""
    _, email, temporary = habitat.create_member(role)
    password = f"fuzz-{secrets.token_urlsafe(16)}"
    first = habitat.login(email, temporary)["access_token"]
    changed = habitat.call(
        "POST", "/auth/password", first, json={"current_password": temporary, "new_password": password}
    )
    assert changed.status_code == 200, changed.text
    caller = Caller(habitat, email, password)
    caller.sign_in()
    return caller


@dataclass
class Tally:
    cases: Counter = field(default_factory=Counter)
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    failures: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (operation, role, first line) -> case

    refused_valid: Counter = field(default_factory=Counter)  # (operation, message) of 422s to schema-valid input

    def record_failure(self, operation: str, role: str, failure: BaseException, curl: str) -> None:
        parts = failure.exceptions if isinstance(failure, BaseExceptionGroup) else (failure,)
        what = "; ".join(str(getattr(part, "title", "") or str(part).strip().splitlines()[0]) for part in parts)
        self.failures.setdefault((operation, role, what), f"{failure}\n  reproduce: {curl}")

    def summary(self) -> str:
        head = (f"=== schemathesis: {sum(self.cases.values())} cases ({EXAMPLES} examples per operation and mode,"
                f" seed {SEED}; {len(EXCLUDED)} operation(s) excluded), {len(self.failures)} distinct failure(s) ===")
        lines = [head]
        for role in ROLES:
            statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses[role].items()))
            lines.append(f"  {role:9} {self.cases[role]:6} cases  [{statuses}]")
        lines += [f"  FAIL {operation} as {role}: {what}" for operation, role, what in sorted(self.failures)]
        # not failures (a rule the schema cannot state, like "not in the future"), but where to look for a
        # schema looser than the server
        lines += [f"  valid by the schema, refused 422 x{n}: {what}" for what, n in self.refused_valid.most_common(40)]
        return "\n".join(lines)


@pytest.fixture(scope="module")
def fuzz_stack() -> Iterator[Habitat]:
    with started_habitat("habitat_fuzz") as env:
        yield env


@pytest.fixture(scope="module")
def callers(fuzz_stack: Habitat) -> dict[str, Caller]:
    admin = Caller(fuzz_stack, fuzz_stack.admin_email, fuzz_stack.admin_password)
    admin.sign_in()
    return {
        "anonymous": Caller(fuzz_stack),
        "member": active_caller(fuzz_stack, "member"),
        "steward": active_caller(fuzz_stack, "steward"),
        "admin": admin,
    }


@pytest.fixture(scope="module")
def api_schema(fuzz_stack: Habitat):
    """The OpenAPI the running gateway serves, through Caddy."""
    schema = schemathesis.openapi.from_url(f"{fuzz_stack.url}/api/v1/openapi.json", timeout=30)
    schema.config.generation.update(with_security_parameters=False)  # each caller sends its own token, or none
    return schema


def fuzz(operation, mode: GenerationMode, callers: dict[str, Caller], tally: Tally, http: requests.Session) -> None:
    """EXAMPLES generated requests of one operation, each sent as every caller; failures are tallied, not raised,
    so that one run reports them all."""
    name = f"{operation.method.upper()} {operation.path}"

    @seed(SEED)
    @settings(max_examples=EXAMPLES, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        for role in ROLES:
            caller = callers[role]
            headers = caller.headers()
            checks = COMMON_CHECKS + ([ignored_auth] if caller.email else [])
            tally.cases[role] += 1
            try:
                response = case.call_and_validate(session=http, headers=headers, checks=checks, timeout=30)
            except (Exception, FailureGroup) as failure:  # noqa: BLE001 - every failure is kept for the report
                tally.record_failure(name, role, failure, case.as_curl_command(headers=headers))
                continue
            tally.statuses[role][str(response.status_code)] += 1
            if mode is GenerationMode.POSITIVE and response.status_code == 422 and role == "admin":
                tally.refused_valid[f"{name}: {response.text[:160]}"] += 1

    try:
        run()
    except Unsatisfiable:
        if mode is not GenerationMode.NEGATIVE:
            raise
        # nothing of this operation can be made invalid (no parameters, no body): its positive cases cover it


def test_every_operation_answers_as_documented(api_schema, callers) -> None:
    tally = Tally()
    operations = [result.ok() for result in api_schema.get_all_operations()]
    fuzzed = [op for op in operations if (op.method.upper(), op.path) not in EXCLUDED]
    # wrong current passwords lock the callers' accounts (429 too_many_attempts): changing passwords goes
    # last, so no caller needs to sign in again after it
    fuzzed.sort(key=lambda op: (op.method.upper(), op.path) == LOCKS_THE_CALLERS_OUT)
    assert len(fuzzed) >= 50 and len(operations) - len(fuzzed) == len(EXCLUDED), [op.path for op in operations]
    with requests.Session() as http:
        for operation in fuzzed:
            for mode in MODES:
                fuzz(operation, mode, callers, tally, http)
    print("\n" + tally.summary())
    assert all(tally.cases[role] for role in ROLES)
    shown = list(tally.failures.values())[:SHOWN_FAILURES]
    assert not tally.failures, f"{len(tally.failures)} failure(s), first {len(shown)}:\n\n" + "\n\n".join(shown)


def test_the_stack_still_answers_after_the_fuzzing(fuzz_stack: Habitat, callers) -> None:
    """The fuzzing neither crashed a service nor wedged the gateway: a plain read still works."""
    response = fuzz_stack.call("GET", "/periods", callers["member"].headers()["Authorization"].split()[1])
    assert response.status_code == 200, response.text
    assert any(p["id"] == fuzz_stack.period_id for p in response.json()["items"])
