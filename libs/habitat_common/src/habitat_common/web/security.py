"""FastAPI dependencies that turn a Bearer token into a Principal and enforce roles."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request

from habitat_common.auth import InvalidToken, Principal, TokenVerifier
from habitat_common.web.errors import ApiError

UNAUTHORIZED = ApiError(401, "unauthorized", "A valid access token is required.")


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def principal_dependency(
    verifier_of: Callable[[Request], TokenVerifier],
    minimum_role: str = "member",
    *,
    allow_password_change_pending: bool = False,
) -> Callable[[Request], Coroutine[Any, Any, Principal]]:
    """Build a dependency: verified caller with at least minimum_role, else 401/403."""

    async def dependency(request: Request) -> Principal:
        token = bearer_token(request)
        if token is None:
            raise UNAUTHORIZED
        try:
            principal = await verifier_of(request).verify(token)
        except InvalidToken:
            raise UNAUTHORIZED from None
        if principal.must_change_password and not allow_password_change_pending:
            raise ApiError(403, "password_change_required", "Change your temporary password first.")
        if not principal.has_role(minimum_role):
            raise ApiError(403, "forbidden", f"This action needs the {minimum_role} role.")
        return principal

    return dependency
