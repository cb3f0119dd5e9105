"""The public bodies defined once (habitat_common.api): the gateway declares the very models its service
answers with, route by route, so a change to one side is a change to both (issue 19)."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from habitat_common.api import notifications as shared
from habitat_gateway.routes import notifications as gateway_routes
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


@pytest.fixture(scope="module")
def apps():
    return models(gateway_routes.router), models(routes_preferences.router, routes_messages.router, routes_runs.router)


def test_every_notifications_route_of_the_gateway_uses_the_services_own_models(apps):
    gateway, service = apps
    public = {key: value for key, value in gateway.items() if key[1].startswith("/notifications")}
    assert len(public) >= 5
    for key, (body, answer) in public.items():
        assert key in service, f"{key}: the gateway offers a notifications route the service does not have"
        assert (body, answer) == service[key], f"{key}: the gateway and the service declare different models"
        for model in (body, answer):
            assert model is None or model.__module__ == shared.__name__ or model.__module__ == "builtins", (
                f"{key}: {model} is not from habitat_common.api.notifications"
            )
