"""Each slice's small unit-of-work port is kept by the adapters' one unit of work and by the test fake: every
repository a port names is there, with every method its protocol declares and the same parameters (the
ports are Protocols, checked structurally; nothing else would notice a drift before a use case ran)."""

from __future__ import annotations

import inspect
import typing

import pytest

from habitat_ledger.adapters.uow import SqlAlchemyUnitOfWork
from habitat_ledger.entrypoints.unit_of_work import LedgerUnitOfWork
from habitat_ledger.service_layer.close.ports import CloseUnitOfWork
from habitat_ledger.service_layer.distributions.ports import DistributionsUnitOfWork
from habitat_ledger.service_layer.exports.ports import ExportsUnitOfWork
from habitat_ledger.service_layer.journal.ports import JournalUnitOfWork
from habitat_ledger.service_layer.periods.ports import PeriodsUnitOfWork
from tests.fakes import FakeUnitOfWork

PORTS = [PeriodsUnitOfWork, JournalUnitOfWork, CloseUnitOfWork, DistributionsUnitOfWork, ExportsUnitOfWork]
# stores the fake leaves out: their use cases are set-based SQL, tested against a real database only
NOT_FAKED = {"capital_imports", "integrity"}


def repositories(port: type) -> dict[str, type]:
    """The repositories a unit-of-work port names (its own and those of the ports it extends)."""
    hints = {}
    for klass in reversed(port.__mro__):
        if getattr(klass, "_is_protocol", False) and klass.__module__.startswith("habitat_ledger"):
            hints.update(typing.get_type_hints(klass))
    return {name: hint for name, hint in hints.items() if name != "events"}


def protocol_methods(protocol: type) -> dict[str, inspect.Signature]:
    found = {}
    for klass in reversed(protocol.__mro__):
        if klass.__module__.startswith("habitat_ledger"):
            for name, member in vars(klass).items():
                if callable(member) and not name.startswith("_"):
                    found[name] = inspect.signature(member)
    return found


def parameters(signature: inspect.Signature) -> list[tuple]:
    """How a call can pass the arguments: positional ones by place, keyword-only ones by name."""
    return [
        (parameter.kind, parameter.name if parameter.kind is parameter.KEYWORD_ONLY else None)
        for parameter in signature.parameters.values() if parameter.name != "self"
    ]


def adapters_unit_of_work() -> SqlAlchemyUnitOfWork:
    uow = SqlAlchemyUnitOfWork(session_factory=None)
    uow._enter_repositories(object())  # the repositories only keep the session until they are used
    return uow


@pytest.mark.parametrize("port", PORTS, ids=lambda port: port.__name__)
@pytest.mark.parametrize("make", [adapters_unit_of_work, FakeUnitOfWork], ids=["adapters", "fake"])
def test_the_unit_of_work_keeps_the_slices_port(port, make):
    uow = make()
    named = repositories(port)
    assert named, f"{port.__name__} names no repository"
    if make is FakeUnitOfWork:
        named = {name: protocol for name, protocol in named.items() if name not in NOT_FAKED}
    for name, protocol in named.items():
        repository = getattr(uow, name, None)
        assert repository is not None, f"{type(uow).__name__} has no {name} ({port.__name__})"
        for method, signature in protocol_methods(protocol).items():
            kept = getattr(repository, method, None)
            assert callable(kept), f"{type(repository).__name__} lacks {method} ({protocol.__name__})"
            if make is adapters_unit_of_work:
                assert parameters(inspect.signature(kept)) == parameters(signature), (
                    f"{type(repository).__name__}.{method} differs from {protocol.__name__}.{method}"
                )


def test_the_entry_points_port_is_every_slices_port():
    every = set().union(*(repositories(port) for port in PORTS))
    assert set(repositories(LedgerUnitOfWork)) == every


def test_the_fake_leaves_out_only_the_stores_said():
    uow = FakeUnitOfWork()
    every = set().union(*(repositories(port) for port in PORTS))
    assert {name for name in every if getattr(uow, name, None) is None} == NOT_FAKED
