"""What kind of refusal a domain error is; the HTTP edge gives each kind one status.

A service's domain may not import habitat_common (its import-linter contract), so a domain error declares
its kind as one of ErrorKind's values (`kind = "conflict"`) and has the shape of DomainError. Each service's
tests run `undeclared_kinds` so that an error nobody classified fails a test instead of answering 400.
"""

from __future__ import annotations

import importlib
import pkgutil
from enum import StrEnum
from types import ModuleType
from typing import Protocol


class ErrorKind(StrEnum):
    """The class of outcome a refusal is, whatever the transport."""

    INVALID = "invalid"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    TOO_LARGE = "too_large"
    UNPROCESSABLE = "unprocessable"
    TOO_MANY = "too_many"


class DomainError(Protocol):
    """The shape every service's base error has: a stable code, a kind, extra fields and headers."""

    code: str
    kind: str

    def details(self) -> dict: ...

    def headers(self) -> dict[str, str]: ...


def error_classes(base: type[Exception], package: ModuleType) -> list[type[Exception]]:
    """Every subclass of base, once each module of package is imported (so none is missed for not being loaded)."""
    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        importlib.import_module(module.name)
    found: list[type[Exception]] = []
    pending = list(base.__subclasses__())
    while pending:
        cls = pending.pop()
        if cls not in found:
            found.append(cls)
            pending.extend(cls.__subclasses__())
    return sorted(found, key=lambda cls: cls.__qualname__)


def undeclared_kinds(base: type[Exception], package: ModuleType) -> list[str]:
    """The subclasses of base whose kind is only base's default, or is not an ErrorKind value."""
    kinds = {str(kind) for kind in ErrorKind}
    undeclared = []
    for cls in error_classes(base, package):
        declared = any("kind" in vars(ancestor) for ancestor in cls.__mro__ if ancestor is not base)
        if not declared or getattr(cls, "kind", None) not in kinds:
            undeclared.append(f"{cls.__module__}.{cls.__qualname__}")
    return undeclared
