"""While PostgreSQL is down (stopped, restarting, unreachable, not answering), requests answer 503
{"error": {"code": "database_unavailable", ...}} with Retry-After, fast, instead of a 500 or a hang."""

from __future__ import annotations

import errno

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is unavailable; nothing was changed by this request. Try again in a few seconds."

# asyncpg's own "the server is not there (any more)" errors, raw or as the cause of a SQLAlchemy error
_ASYNCPG_UNAVAILABLE = (
    asyncpg.exceptions.CannotConnectNowError,  # starting up or shutting down
    asyncpg.exceptions.ConnectionDoesNotExistError,  # closed under us
    asyncpg.exceptions.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.exceptions.OperatorInterventionError,  # admin / crash shutdown terminated the session
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.InterfaceError,
)
_CONNECT_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT, errno.EPIPE}


def _unavailable_itself(exc: BaseException) -> bool:
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(exc, _ASYNCPG_UNAVAILABLE):
        return True
    if isinstance(exc, (TimeoutError, ConnectionError)):  # connect or command timeout, refused, reset
        return True
    if isinstance(exc, OSError):
        # asyncio reports failing every address of a host as OSError("Multiple exceptions: ...") without errno
        return exc.errno in _CONNECT_ERRNOS or str(exc).startswith("Multiple exceptions")
    return False


def is_database_unavailable(exc: BaseException) -> bool:
    """True when exc (or what it wraps) says the database could not be reached or went away."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen or len(seen) > 20:
            continue
        seen.add(id(current))
        if _unavailable_itself(current):
            return True
        todo += [getattr(current, "orig", None), current.__cause__, current.__context__]
    return False


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
