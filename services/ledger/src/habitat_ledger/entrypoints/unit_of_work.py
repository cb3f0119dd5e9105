"""The whole ledger's unit of work, as the entry points hand it to the use cases of every slice."""

from __future__ import annotations

from typing import Protocol

from habitat_ledger.service_layer.distributions.ports import DistributionsUnitOfWork
from habitat_ledger.service_layer.exports.ports import ExportsUnitOfWork


class LedgerUnitOfWork(ExportsUnitOfWork, DistributionsUnitOfWork, Protocol):
    """Every slice's port at once (exports' and distributions' extend the ones below them): what
    adapters.uow.SqlAlchemyUnitOfWork implements, one schema in one transaction."""
