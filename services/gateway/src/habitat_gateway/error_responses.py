"""The error answers the public API documents: one body model, and `responses=` entries built from it.

Every error the gateway gives (its own, or a service's passed on) is {"error": {"code", "message"}}, some with
details beside the code (an import's line errors, the contributions a close waits for). Routes name the
statuses they answer; `errors()` turns them into OpenAPI entries with this model, so no route copies one by hand.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")
    code: str = Field(description="Machine-readable, stable: e.g. invalid_request, not_found, stale_revision")
    message: str = Field(description="One sentence for a person")


class ErrorBody(BaseModel):
    """Every error answer of the API."""

    model_config = ConfigDict(extra="allow")
    error: ErrorDetail


GENERAL: dict[int, str] = {
    400: "A business rule refused the request (a code not listed elsewhere for this operation)",
    401: "unauthorized: no valid access token (missing, expired, revoked or signed by an unknown key)",
    403: "forbidden: the caller's role may not do this; password_change_required: change the temporary password first",
    404: "not_found (or a more specific *_not_found): no such record, or not one the caller may see",
    409: "The record's state does not allow it (the code says which rule)",
    413: "The request body is over its size limit (10 MB; imports 1 GB). Answered by the edge, without a body",
    422: "invalid_request (or a specific code such as invalid_date, amount_too_precise, nul_character): the"
    " request does not fit its schema, or a value breaks a rule of its own",
    429: "too_many_attempts: throttled; try again after the Retry-After header's seconds",
    502: "upstream_error: a service gave an unreadable answer; try again shortly",
    503: "service_unavailable / database_unavailable: try again shortly (Retry-After when known)",
}
NO_BODY = frozenset({413})  # Caddy answers it on its own, before the gateway sees the request

SIGNED_IN = (401, 403)
"""Any operation behind a bearer token."""
UPSTREAM = (400, 502, 503)
"""Any operation that asks a service: its fallback refusal, an unreadable answer, the service or its database down."""
EDGE = (413,)
"""Any operation with a request body."""


def errors(*statuses: int, notes: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for these error statuses (and those `notes` names), each with the shared body.

    A note replaces the general description of its status: name the codes this operation gives.
    """
    notes = notes or {}
    entries: dict[int | str, dict[str, Any]] = {}
    for status in sorted(set(statuses) | set(notes)):
        description = notes.get(status, GENERAL[status])
        entries[status] = (
            {"description": description, "content": {}} if status in NO_BODY
            else {"model": ErrorBody, "description": description}
        )
    return entries
