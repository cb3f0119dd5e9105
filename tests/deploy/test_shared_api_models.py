"""The public bodies defined once (habitat_common.api): the gateway declares the very models its service
answers with, route by route, so a change to one side is a change to both (issue 19)."""

from __future__ import annotations

import inspect

import pytest
from fastapi.routing import APIRoute
from habitat_common.api import contributions as shared_contributions
from habitat_common.api import identity as shared_identity
from habitat_common.api import ledger as shared_ledger
from habitat_common.api import ledger_money_moves as shared_money_moves
from habitat_common.api import notifications as shared_notifications
from habitat_contributions.entrypoints import routes_admin as contributions_admin
from habitat_contributions.entrypoints import routes_contributions, routes_intake, routes_review
from habitat_gateway import schemas, schemas_contributions, schemas_imports, schemas_ledger, schemas_notifications
from habitat_gateway.routes import accounts as gateway_accounts
from habitat_gateway.routes import auth as gateway_auth
from habitat_gateway.routes import close as gateway_close
from habitat_gateway.routes import contributions as gateway_contributions
from habitat_gateway.routes import imports as gateway_imports
from habitat_gateway.routes import ledger as gateway_ledger
from habitat_gateway.routes import members as gateway_members
from habitat_gateway.routes import money_moves as gateway_money_moves
from habitat_gateway.routes import notifications as gateway_notifications
from habitat_gateway.routes import periods as gateway_periods
from habitat_gateway.routes import recovery as gateway_recovery
from habitat_identity.entrypoints import routes_admin, routes_auth, routes_members, routes_recovery
from habitat_ledger.entrypoints import (
    routes_allocations,
    routes_capital,
    routes_close,
    routes_distributions,
    routes_exports,
    routes_imports,
    routes_integrity,
    routes_journal,
    routes_k1,
    routes_money_moves,
    routes_periods,
)
from habitat_notifications.entrypoints import routes_messages, routes_preferences, routes_runs


def models(*routers) -> dict[tuple[str, str], tuple[object, object]]:
    """(method, path) -> (request body model, response model) of every route of the routers."""
    found = {}
    for route in (route for router in routers for route in router.routes):
        if isinstance(route, APIRoute):
            body = route.body_field.field_info.annotation if route.body_field else None
            for method in route.methods:
                found[(method, route.path)] = (body, route.response_model)
    return found


def test_every_notifications_route_of_the_gateway_uses_the_services_own_models():
    gateway = models(gateway_notifications.router)
    service = models(routes_preferences.router, routes_messages.router, routes_runs.router)
    assert len(gateway) >= 5
    for key, (body, answer) in gateway.items():
        assert key in service, f"{key}: the gateway offers a notifications route the service does not have"
        assert (body, answer) == service[key], f"{key}: the gateway and the service declare different models"
        for model in (body, answer):
            assert model is None or model.__module__ == shared_notifications.__name__, (
                f"{key}: {model} is not from habitat_common.api.notifications"
            )


IDENTITY_ROUTES = [
    ("POST", "/auth/login"), ("POST", "/auth/refresh"), ("POST", "/auth/logout"), ("POST", "/auth/password"),
    ("POST", "/auth/forgot-password"), ("POST", "/auth/reset-password"), ("POST", "/auth/accept-invitation"),
    ("GET", "/me"), ("GET", "/members"), ("POST", "/members"), ("GET", "/members/{member_id}"),
    ("PATCH", "/members/{member_id}"), ("POST", "/members/{member_id}/temporary-password"),
    ("POST", "/members/{member_id}/invitation"), ("POST", "/members/import"), ("GET", "/audit-log"),
]
# identity's bodies of these carry the web UI's `session` and answer empty input with its own codes, so the public
# bodies are the gateway's (habitat_common.api.identity says more); their answers are shared
GATEWAYS_OWN_BODIES = {("POST", "/auth/login"), ("POST", "/auth/password")}


def identity_models():
    gateway = models(gateway_auth.router, gateway_members.router, gateway_recovery.router)
    service = models(routes_auth.router, routes_members.router, routes_recovery.router, routes_admin.router)
    return gateway, service


def assert_shared(key, gateway, service, share: str, *modules) -> None:
    """The gateway's route declares the very answer (and with share "both" the very request body) the service's
    route declares, defined in one of habitat_common.api's `modules`."""
    (body, answer), (service_body, service_answer) = gateway[key], service[key]
    assert answer is service_answer, f"{key}: the gateway and the service declare different answers"
    shared = [answer]
    if share == "both":
        assert body is without_none(service_body), f"{key}: the gateway and the service declare different bodies"
        shared.append(body)
    for model in shared:
        names = [module.__name__ for module in modules]
        assert model is None or model.__module__ in names, f"{key}: {model} is not from {' or '.join(names)}"


def without_none(annotation):
    """The model of an optional body (the service takes an approval without a body too)."""
    members = [member for member in getattr(annotation, "__args__", ()) if member is not type(None)]
    return members[0] if len(members) == 1 else annotation


@pytest.mark.parametrize("key", IDENTITY_ROUTES)
def test_the_identity_routes_of_the_gateway_declare_identitys_own_models(key):
    share = "answer" if key in GATEWAYS_OWN_BODIES else "both"
    assert_shared(key, *identity_models(), share, shared_identity)


def test_every_route_the_gateway_shares_with_identity_is_checked():
    gateway, service = identity_models()
    assert {key for key in gateway if key in service} == set(IDENTITY_ROUTES)


# the contributions routes the gateway forwards, and what of them is defined once: "both" (request body and
# answer) or "answer" (the gateway's body states text lengths the service answers with its own codes, so the
# public body is the gateway's; habitat_common.api.contributions says more)
CONTRIBUTIONS_ROUTES = {
    ("POST", "/contributions"): "answer",
    ("GET", "/contributions"): "both",
    ("POST", "/contributions/batch-approve"): "both",
    ("GET", "/contributions/{contribution_id}"): "both",
    ("PATCH", "/contributions/{contribution_id}"): "answer",
    ("POST", "/contributions/{contribution_id}/approve"): "both",
    ("POST", "/contributions/{contribution_id}/reject"): "answer",
    ("POST", "/contributions/{contribution_id}/request-clarification"): "answer",
    ("POST", "/contributions/{contribution_id}/respond"): "answer",
    ("GET", "/review-queue"): "both",
    ("GET", "/periods/{period_id}/intake"): "both",
    ("POST", "/imports/contributions"): "both",
}
CONTRIBUTIONS_UNSHARED = {("GET", "/integrity")}  # the gateway answers every service's checks together


def contributions_models():
    gateway = models(gateway_contributions.router, gateway_periods.router, gateway_imports.router)
    service = models(routes_contributions.router, routes_review.router, routes_intake.router, contributions_admin.router)
    return gateway, service


@pytest.mark.parametrize("key", CONTRIBUTIONS_ROUTES)
def test_the_contributions_routes_of_the_gateway_declare_the_services_own_models(key):
    assert_shared(key, *contributions_models(), CONTRIBUTIONS_ROUTES[key], shared_contributions)


def test_every_route_the_gateway_shares_with_contributions_is_checked_or_said_why_not():
    gateway, service = contributions_models()
    assert {key for key in gateway if key in service} == set(CONTRIBUTIONS_ROUTES) | CONTRIBUTIONS_UNSHARED


# the ledger's routes the gateway forwards, and what of them is defined once: "both" (request body and answer) or
# "answer" (the gateway's request body is its own, said why beside it)
LEDGER_ROUTES = {
    ("GET", "/periods"): "both",
    ("POST", "/periods"): "both",
    ("GET", "/periods/{period_id}"): "both",
    ("POST", "/periods/{period_id}/close"): "both",
    ("POST", "/periods/{period_id}/allocations"): "answer",  # the gateway's weights are pattern-checked text
    ("GET", "/periods/{period_id}/allocations"): "both",
    ("GET", "/allocations/{allocation_id}"): "both",
    ("POST", "/allocations/{allocation_id}/approve"): "both",
    ("POST", "/allocations/{allocation_id}/reject"): "both",
    ("POST", "/allocations/{allocation_id}/post"): "both",
    ("GET", "/allocations/{allocation_id}/statement/{member_id}"): "both",
    ("GET", "/capital-accounts/{member_id}/statement"): "both",
    ("GET", "/distributions"): "both",
    ("POST", "/distributions"): "both",
    ("POST", "/distributions/{distribution_id}/complete"): "both",
    ("POST", "/distributions/{distribution_id}/cancel"): "both",
    ("POST", "/transactions/{transaction_id}/reverse"): "both",
    ("GET", "/exceptions"): "both",
    ("GET", "/money-moves"): "both",
    ("GET", "/money-moves/{move_id}"): "both",
    ("POST", "/money-moves/{move_id}/approve"): "both",
    ("POST", "/money-moves/{move_id}/reject"): "both",
    ("POST", "/imports/capital-accounts"): "both",
    ("POST", "/exports/k1/{year}/issue"): "both",
}
# routes both offer whose answers are not defined once, and why
LEDGERS_UNSHARED = {
    ("GET", "/capital-accounts/{member_id}"),  # the gateway's dashboard reads a capital account loosely
    ("GET", "/periods/{period_id}/draft-allocation"),  # the gateway documents the draft loosely
    ("GET", "/periods/{period_id}/pre-close"),  # the gateway adds the undecided contributions
    ("GET", "/exports/k1"), ("GET", "/exports/journal"),  # files, no JSON model
    ("GET", "/integrity"),  # the gateway answers every service's checks together
}


def ledger_models():
    gateway = models(gateway_periods.router, gateway_accounts.router, gateway_close.router, gateway_ledger.router,
                     gateway_money_moves.router, gateway_imports.router)
    service = models(routes_periods.router, routes_capital.router, routes_close.router, routes_allocations.router,
                     routes_distributions.router, routes_journal.router, routes_money_moves.router,
                     routes_imports.router, routes_k1.router, routes_exports.router, routes_integrity.router)
    return gateway, service


@pytest.mark.parametrize("key", LEDGER_ROUTES)
def test_the_ledger_routes_of_the_gateway_declare_the_ledgers_own_models(key):
    assert_shared(key, *ledger_models(), LEDGER_ROUTES[key], shared_ledger, shared_money_moves)


def test_every_route_the_gateway_shares_with_the_ledger_is_checked_or_said_why_not():
    gateway, service = ledger_models()
    assert {key for key in gateway if key in service} == set(LEDGER_ROUTES) | LEDGERS_UNSHARED


def test_the_gateway_keeps_no_copy_of_a_shared_model():
    modules = (shared_contributions, shared_identity, shared_ledger, shared_money_moves, shared_notifications)
    shared = {name: obj for module in modules
              for name, obj in vars(module).items() if inspect.isclass(obj) and obj.__module__ == module.__name__}
    for module in (schemas, schemas_contributions, schemas_imports, schemas_ledger, schemas_notifications):
        for name, obj in vars(module).items():
            if name in shared and inspect.isclass(obj):
                assert obj is shared[name], f"{module.__name__}.{name} copies habitat_common.api's {name}"
