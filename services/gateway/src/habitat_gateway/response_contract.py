"""Each public answer checked against what the OpenAPI declares for it (test stacks only).

Most routes pass a service's bytes through instead of validating them again (validation per hop costs), so a
service answer that drifted from the gateway's declared model would reach clients unnoticed. With
GATEWAY_RESPONSE_CONTRACT_LOG set, every JSON answer under /api/v1 is validated here: a success against the
route's response model, an error against the shared error body, and the status against those the route
documents. Each mismatch is appended to the log as one JSON line; the end-to-end suite fails on a non-empty log.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from habitat_gateway.error_responses import ErrorBody

# Statuses any route may give without listing them: the validation answer FastAPI documents itself (422) and
# what the edge or an outage gives anywhere (413 from Caddy, 502/503 when a service or its database is down).
ALWAYS_POSSIBLE = frozenset({413, 422, 502, 503})
_ERROR_BODY = TypeAdapter(ErrorBody)


class ResponseContractCheck:
    """ASGI middleware: validate /api/v1 JSON answers against their route's declared models, log mismatches."""

    def __init__(self, app: ASGIApp, log_path: Path, prefix: str = "/api/v1") -> None:
        self.app = app
        self.log_path = log_path
        self.prefix = prefix
        self._adapters: dict[int, TypeAdapter] = {}  # by id of the model

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(status=message["status"], headers=dict(message.get("headers", [])))
            elif message["type"] == "http.response.body":
                if _is_json(started.get("headers", {})):
                    chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and chunks:
                    self._check(scope, started["status"], b"".join(chunks))
            await send(message)

        await self.app(scope, receive, watch)

    def _check(self, scope: Scope, status: int, body: bytes) -> None:
        route = scope.get("route")
        if not isinstance(route, APIRoute):
            return
        problem = self.problem(route, status, body)
        if problem:
            entry = {"method": scope["method"], "path": scope["path"], "route": route.path, "status": status,
                     "problem": problem}
            with self.log_path.open("a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")

    def problem(self, route: APIRoute, status: int, body: bytes) -> str | None:
        """What is wrong with this answer of the route, or None."""
        documented = {int(s) for s in route.responses if str(s).isdigit()} | {route.status_code or 200}
        if status not in documented | ALWAYS_POSSIBLE:
            return f"status {status} is not documented (documented: {sorted(documented)})"
        declared = {int(s): entry for s, entry in route.responses.items() if str(s).isdigit()}
        try:
            if status >= 400:
                _ERROR_BODY.validate_json(body)
            elif status != (route.status_code or 200) and declared.get(status, {}).get("model"):
                self._adapter(declared[status]["model"]).validate_json(body)
            elif route.response_model is not None:
                self._adapter(route.response_model).validate_json(body)
        except ValidationError as error:
            return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5])
        return None

    def _adapter(self, model: Any) -> TypeAdapter:
        adapter = self._adapters.get(id(model))
        if adapter is None:
            adapter = self._adapters[id(model)] = TypeAdapter(model)
        return adapter


def _is_json(headers: dict[bytes, bytes]) -> bool:
    return headers.get(b"content-type", b"").startswith(b"application/json")
