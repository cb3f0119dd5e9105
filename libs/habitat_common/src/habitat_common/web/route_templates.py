"""The template of the route a request matched, as the app serves it: "/api/v1/members/{member_id}".

FastAPI (≥ 0.137) leaves the route object of an included router as it was declared: its `path` lacks the
prefixes of the routers it was included in ("/members/{member_id}"), so a gateway API route and a page could
share one name in the latency histograms and the spans. fastapi.routing.iter_route_contexts gives each route's
path as served; they are read once per app (again when a route not seen before matches) and looked up by the
matched route, instead of matching the path against every route once more per request."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from fastapi.routing import RouteContext, iter_route_contexts
from starlette.routing import Match

_CONTEXTS: WeakKeyDictionary[object, dict[int, list[RouteContext]]] = WeakKeyDictionary()


def route_template(scope) -> str | None:
    """The served path template of scope's matched route (None when no route matched)."""
    route = scope.get("route")
    if route is None:
        return None
    contexts = _contexts(scope.get("app"), route)
    if len(contexts) == 1:
        return contexts[0].path
    # a router included under several prefixes: the one this request came through
    for context in contexts:
        if context.matches(scope)[0] == Match.FULL:
            return context.path
    return getattr(route, "path", None)


def _contexts(app: object, route: object) -> list[RouteContext]:
    if app is None:
        return []
    known = _CONTEXTS.get(app)
    if known is None or id(route) not in known:
        known = {}
        for context in iter_route_contexts(getattr(app, "routes", [])):
            known.setdefault(id(context.original_route), []).append(context)
        # a route the contexts do not list (one inside a plain Mount) is remembered as such: looked for again,
        # it would read every route of the app on each of its requests
        known.setdefault(id(route), [])
        _CONTEXTS[app] = known
    return known[id(route)]
