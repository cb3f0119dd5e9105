"""The app every service's HTTP process starts from: readiness from its dependencies, lifespan, errors, routes."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter
from habitat_common.auth import Principal
from habitat_common.messaging.dead_letter_store import DeadLetterStore
from habitat_common.web.service_app import service_app
from sqlalchemy.ext.asyncio import create_async_engine

UNREACHABLE_DATABASE = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
UNREACHABLE_BROKER = "amqp://guest:guest@127.0.0.1:1/"


class ShopError(Exception):
    code = "shop_error"
    kind = "conflict"

    def details(self) -> dict:
        return {"shelf": 3}

    def headers(self) -> dict[str, str]:
        return {}


def shop_router() -> APIRouter:
    router = APIRouter()

    @router.get("/things")
    async def things() -> list:
        return []

    @router.get("/broken")
    async def broken() -> dict:
        raise ShopError("out of stock")

    return router


class FakeEngine:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def dispose(self) -> None:
        self.log.append("engine disposed")


class FakeFeed:
    def __init__(self, log: list[str], ready: bool = True) -> None:
        self.log = log
        self.is_ready = ready

    async def start(self) -> None:
        self.log.append("feed started")

    async def stop(self) -> None:
        self.log.append("feed stopped")

    async def ready(self) -> bool:
        return self.is_ready


async def admin() -> Principal:
    raise AssertionError("not called in these tests")


async def get(app, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        return await client.get(path)


class TestReadiness:
    async def test_readyz_checks_the_database_and_the_broker_when_one_is_given(self) -> None:
        engine = create_async_engine(UNREACHABLE_DATABASE)
        app = service_app(
            "shop", engine=engine, broker_url=UNREACHABLE_BROKER, domain_error=ShopError, routers=[shop_router()]
        )
        answer = await get(app, "/readyz")
        await engine.dispose()
        assert answer.status_code == 503
        assert answer.json()["checks"] == {"database": False, "broker": False}

    async def test_readyz_leaves_out_the_broker_for_a_process_that_never_talks_to_it(self) -> None:
        engine = create_async_engine(UNREACHABLE_DATABASE)
        app = service_app(
            "shop", engine=engine, revocation_feed=FakeFeed([]), domain_error=ShopError, routers=[shop_router()]
        )
        answer = await get(app, "/readyz")
        await engine.dispose()
        assert list(answer.json()["checks"]) == ["database", "revocations"]
        assert answer.json()["checks"]["revocations"] is True

    async def test_healthz_and_metrics_answer_without_any_dependency(self) -> None:
        app = service_app("shop", engine=FakeEngine([]), domain_error=ShopError, routers=[])
        assert (await get(app, "/healthz")).json() == {"status": "alive"}
        assert (await get(app, "/metrics")).status_code == 200


class TestLifespan:
    async def test_starts_the_service_then_the_feed_and_stops_the_feed_then_the_engine(self) -> None:
        log: list[str] = []

        async def on_start() -> None:
            log.append("service started")

        app = service_app(
            "shop", engine=FakeEngine(log), revocation_feed=FakeFeed(log), on_start=on_start,
            domain_error=ShopError, routers=[],
        )
        async with app.router.lifespan_context(app):
            log.append("serving")
        assert log == ["service started", "feed started", "serving", "feed stopped", "engine disposed"]


class TestApp:
    async def test_has_the_service_title_and_state_and_answers_no_store(self) -> None:
        app = service_app(
            "shop", engine=FakeEngine([]), domain_error=ShopError, routers=[shop_router()], state={"container": 42}
        )
        answer = await get(app, "/things")
        assert (app.title, app.version, app.state.container) == ("Habitat shop", "1", 42)
        assert answer.status_code == 200
        assert "no-store" in answer.headers["cache-control"]

    async def test_answers_the_service_domain_errors_by_kind(self) -> None:
        app = service_app("shop", engine=FakeEngine([]), domain_error=ShopError, routers=[shop_router()])
        answer = await get(app, "/broken")
        assert answer.status_code == 409
        assert answer.json()["error"]["code"] == "shop_error"
        assert answer.json()["error"]["shelf"] == 3

    async def test_details_beside_the_error_when_asked(self) -> None:
        app = service_app(
            "shop", engine=FakeEngine([]), domain_error=ShopError, routers=[shop_router()], details_beside_error=True
        )
        assert (await get(app, "/broken")).json()["shelf"] == 3

    def test_adds_the_dead_letter_routes_only_with_a_store(self) -> None:
        store = DeadLetterStore(None, None)  # type: ignore[arg-type]
        with_store = service_app(
            "shop", engine=FakeEngine([]), domain_error=ShopError, routers=[], dead_letters=store, admin=admin
        )
        without = service_app("shop", engine=FakeEngine([]), domain_error=ShopError, routers=[])
        assert "/dead-letters" in with_store.openapi()["paths"]
        assert "/dead-letters" not in without.openapi()["paths"]

    def test_refuses_dead_letter_routes_without_an_admin_dependency(self) -> None:
        with pytest.raises(ValueError):
            service_app(
                "shop", engine=FakeEngine([]), domain_error=ShopError, routers=[],
                dead_letters=DeadLetterStore(None, None),  # type: ignore[arg-type]
            )
