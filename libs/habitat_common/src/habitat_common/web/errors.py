"""One error body everywhere: {"error": {"code": ..., "message": ...}}."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from habitat_common.errors import DomainError, ErrorKind
from habitat_common.web import inputs, money
from habitat_common.web.unavailable import install_database_unavailable_handler


class ApiError(Exception):
    """An error meant for the API client: HTTP status, machine code, human sentence."""

    def __init__(self, status: int, code: str, message: str, extra: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


STATUS_OF_KIND: dict[str, int] = {
    ErrorKind.INVALID: 400,
    ErrorKind.UNAUTHORIZED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.UNPROCESSABLE: 422,
    ErrorKind.TOO_MANY: 429,
}
Presenter = Callable[[Any], dict]


def domain_error_response(
    exc: DomainError, *, details_beside_error: bool = False, presented: dict | None = None
) -> JSONResponse:
    """The answer to a domain error: its kind's status, code and message, its details (in the error object, or
    beside it), its headers. An unknown kind is 400, as before kinds; each service's tests forbid one."""
    body = error_body(exc.code, str(exc))
    details = exc.details() | (presented or {})
    if details_beside_error:
        body |= details
    else:
        body["error"] |= details
    status = STATUS_OF_KIND.get(exc.kind, 400)
    return JSONResponse(body, status_code=status, headers=exc.headers() or None)


def install_domain_errors(
    app: FastAPI,
    base: type[Exception],
    *,
    details_beside_error: bool = False,
    presenters: Mapping[type[Exception], Presenter] | None = None,
) -> None:
    """Answer every error of base with domain_error_response; presenters add details only the entrypoint can
    write (a domain object's JSON form), and details_beside_error keeps identity's body shape."""

    @app.exception_handler(base)
    async def _domain_error(_: Request, exc: Any) -> JSONResponse:
        presented: dict = {}
        for cls, present in (presenters or {}).items():
            if isinstance(exc, cls):
                presented |= present(exc)
        return domain_error_response(exc, details_beside_error=details_beside_error, presented=presented)


def install_error_handlers(app: FastAPI) -> None:
    install_database_unavailable_handler(app)  # database down: 503 database_unavailable, Retry-After

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        headers = {"Retry-After": str(exc.extra["retry_after"])} if "retry_after" in exc.extra else None
        return JSONResponse(error_body(exc.code, exc.message) | exc.extra, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
        code = first.get("type") if first.get("type") in money.CODES | inputs.CODES else "invalid_request"
        return JSONResponse(error_body(code, message), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI's "error parsing the body" (a body that is not UTF-8): malformed like any other body
            # it cannot read, which is 422 invalid_request (schemathesis found this one answering 400 http_error)
            return JSONResponse(error_body("invalid_request", f"body: {exc.detail}"), status_code=422)
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers)
