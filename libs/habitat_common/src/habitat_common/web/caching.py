"""`Cache-Control: no-store` on every response a browser or proxy must not keep (ASVS 8.2.1, 3.2)."""

from __future__ import annotations

from fastapi import FastAPI

NO_STORE = (b"cache-control", b"no-store")


class NoStoreMiddleware:
    """Marks responses no-store unless the route set its own Cache-Control or the path is public.

    Everything our processes answer is either personal (pages, API data) or carries tokens (sign-in,
    refresh), so no-store is the default and only the listed public prefixes (static assets) are left
    to the browser. A plain ASGI middleware, like ObservabilityMiddleware.
    """

    def __init__(self, app, public_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.public_prefixes = public_prefixes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.public_prefixes):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    message["headers"] = [*headers, NO_STORE]
            await send(message)

        await self.app(scope, receive, send_no_store)


def install_no_store(app: FastAPI, public_prefixes: tuple[str, ...] = ()) -> None:
    """Send `Cache-Control: no-store` on the app's responses except under public_prefixes."""
    app.add_middleware(NoStoreMiddleware, public_prefixes=public_prefixes)
