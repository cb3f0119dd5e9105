"""While PostgreSQL is down (stopped, restarting, unreachable, not answering), requests answer 503
{"error": {"code": "database_unavailable", ...}} with Retry-After, fast, instead of a 500 or a hang."""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

from habitat_common.db import is_database_unavailable

RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is unavailable; nothing was changed by this request. Try again in a few seconds."


def database_unavailable_response() -> JSONResponse:
    return JSONResponse(
        {"error": {"code": "database_unavailable", "message": MESSAGE}},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install_database_unavailable_handler(app: FastAPI) -> None:
    """Errors that mean "database unavailable" answer 503; any other error of those types stays a 500."""

    async def handler(_: Request, exc: Exception) -> JSONResponse:
        if is_database_unavailable(exc):
            return database_unavailable_response()
        raise exc

    for exc_type in (sa_exc.DBAPIError, sa_exc.TimeoutError, OSError, asyncpg.exceptions.InterfaceError,
                     asyncpg.exceptions.PostgresError):  # fmt: skip
        app.add_exception_handler(exc_type, handler)
