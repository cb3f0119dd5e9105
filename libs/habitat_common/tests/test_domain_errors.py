"""One domain-error answer for every service: status by kind, code and message, details, headers; and the
check each service runs so that an error nobody classified fails a test."""

from __future__ import annotations

import types

import httpx
import pytest
from fastapi import FastAPI
from habitat_common.errors import ErrorKind, error_classes, undeclared_kinds
from habitat_common.web.errors import STATUS_OF_KIND, install_domain_errors


class ShopError(Exception):
    code = "shop_error"
    kind = "invalid"

    def details(self) -> dict:
        return {}

    def headers(self) -> dict[str, str]:
        return {}


class OutOfStock(ShopError):
    code = "out_of_stock"
    kind = "conflict"

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing

    def details(self) -> dict:
        return {"missing": self.missing}


class SlowDown(ShopError):
    code = "slow_down"
    kind = "too_many"

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "30"}


class Misspelt(ShopError):
    code = "misspelt"
    kind = "conflcit"


class Receipt:
    def __init__(self, number: int) -> None:
        self.number = number


class AlreadyPaid(ShopError):
    code = "already_paid"
    kind = "conflict"

    def __init__(self, message: str, receipt: Receipt) -> None:
        super().__init__(message)
        self.receipt = receipt


RAISED = {
    "/base": ShopError("Something is off."),
    "/stock": OutOfStock("Two items are out of stock.", ["tea", "jam"]),
    "/slow": SlowDown("Too many orders."),
    "/misspelt": Misspelt("A kind nobody knows."),
    "/paid": AlreadyPaid("Paid already.", Receipt(7)),
}


def shop(**options) -> FastAPI:
    api = FastAPI()
    install_domain_errors(api, ShopError, **options)
    for path, error in RAISED.items():
        api.get(path)(raising(error))
    return api


def raising(error: ShopError):
    async def fail() -> None:
        raise error

    return fail


async def answer(path: str, **options) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(shop(**options)), base_url="http://t") as client:
        return await client.get(path)


class TestDomainErrorAnswer:
    async def test_status_comes_from_the_kind_and_details_join_the_error_object(self) -> None:
        response = await answer("/stock")
        assert response.status_code == 409
        assert response.content == (
            b'{"error":{"code":"out_of_stock","message":"Two items are out of stock.","missing":["tea","jam"]}}'
        )

    async def test_details_beside_the_error_object_when_asked(self) -> None:
        response = await answer("/stock", details_beside_error=True)
        assert response.json() == {
            "error": {"code": "out_of_stock", "message": "Two items are out of stock."},
            "missing": ["tea", "jam"],
        }

    async def test_an_error_adds_its_headers(self) -> None:
        response = await answer("/slow")
        assert response.status_code == 429
        assert response.headers["retry-after"] == "30"
        assert response.json() == {"error": {"code": "slow_down", "message": "Too many orders."}}

    async def test_the_base_error_is_400_with_its_code(self) -> None:
        response = await answer("/base")
        assert response.status_code == 400
        assert response.json() == {"error": {"code": "shop_error", "message": "Something is off."}}
        assert "retry-after" not in response.headers

    async def test_an_unknown_kind_is_400_in_production(self) -> None:
        assert (await answer("/misspelt")).status_code == 400

    async def test_a_presenter_adds_what_only_the_entrypoint_can_write(self) -> None:
        response = await answer("/paid", presenters={AlreadyPaid: lambda error: {"receipt": error.receipt.number}})
        assert response.status_code == 409
        assert response.json()["error"] == {"code": "already_paid", "message": "Paid already.", "receipt": 7}

    async def test_a_presenter_leaves_other_errors_alone(self) -> None:
        response = await answer("/stock", presenters={AlreadyPaid: lambda error: {"receipt": 1}})
        assert "receipt" not in response.json()["error"]


class TestKinds:
    @pytest.mark.parametrize(
        ("kind", "status"),
        [
            ("invalid", 400),
            ("unauthorized", 401),
            ("forbidden", 403),
            ("not_found", 404),
            ("conflict", 409),
            ("too_large", 413),
            ("unprocessable", 422),
            ("too_many", 429),
        ],
    )
    def test_each_kind_has_its_status(self, kind: str, status: int) -> None:
        assert STATUS_OF_KIND[kind] == status

    def test_every_kind_has_a_status(self) -> None:
        assert set(STATUS_OF_KIND) == set(ErrorKind)


class TestUndeclaredKinds:
    def hierarchy(self) -> tuple[type[Exception], types.ModuleType]:
        class BaseError(Exception):
            kind = "invalid"

        class Declared(BaseError):
            kind = "not_found"

        class InheritsFromDeclared(Declared):
            pass

        class Undeclared(BaseError):
            pass

        class Typo(BaseError):
            kind = "notfound"

        package = types.ModuleType("empty_package")
        package.__path__ = []
        return BaseError, package

    def test_an_error_without_its_own_kind_or_with_a_misspelt_one_is_reported(self) -> None:
        base, package = self.hierarchy()
        assert [name.rsplit(".", 1)[-1] for name in undeclared_kinds(base, package)] == ["Typo", "Undeclared"]

    def test_a_kind_inherited_from_a_classified_ancestor_counts(self) -> None:
        base, package = self.hierarchy()
        names = {cls.__name__ for cls in error_classes(base, package)}
        assert names == {"Declared", "InheritsFromDeclared", "Undeclared", "Typo"}
        assert not any(name.endswith("InheritsFromDeclared") for name in undeclared_kinds(base, package))
