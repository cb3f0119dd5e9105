"""The public bodies defined once (habitat_common.api): the gateway declares the very models its service
answers with, route by route, so a change to one side is a change to both (issue 19)."""

from __future__ import annotations

import inspect

import pytest
from fastapi.routing import APIRoute
from habitat_common.api import identity as shared_identity
from habitat_common.api import notifications as shared_notifications
from habitat_gateway import schemas, schemas_contributions, schemas_imports, schemas_ledger, schemas_notifications
from habitat_gateway.routes import auth as gateway_auth
from habitat_gateway.routes import members as gateway_members
from habitat_gateway.routes import notifications as gateway_notifications
from habitat_identity.entrypoints import routes_auth, routes_members
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


@pytest.mark.parametrize("key", [
    ("GET", "/me"), ("GET", "/members"), ("POST", "/members"), ("GET", "/members/{member_id}"),
    ("PATCH", "/members/{member_id}"), ("POST", "/members/{member_id}/temporary-password"),
])
def test_the_member_answers_of_the_gateway_are_identitys_own(key):
    gateway = models(gateway_auth.router, gateway_members.router)
    service = models(routes_auth.router, routes_members.router)
    answer = gateway[key][1]
    assert answer is service[key][1], f"{key}: the gateway and identity declare different answers"
    assert answer.__module__ == shared_identity.__name__


def test_the_gateway_keeps_no_copy_of_a_shared_model():
    shared = {name: obj for module in (shared_identity, shared_notifications)
              for name, obj in vars(module).items() if inspect.isclass(obj)}
    for module in (schemas, schemas_contributions, schemas_imports, schemas_ledger, schemas_notifications):
        for name, obj in vars(module).items():
            if name in shared and inspect.isclass(obj):
                assert obj is shared[name], f"{module.__name__}.{name} copies habitat_common.api's {name}"
