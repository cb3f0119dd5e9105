"""Exports for the accountant: K-1 data per tax year and the hledger journal per basis."""

from __future__ import annotations

from habitat_ledger.domain.hledger import render
from habitat_ledger.domain.journal import Basis
from habitat_ledger.domain.k1 import K1Row, build_k1
from habitat_ledger.service_layer.ports import UnitOfWork


async def k1_data(year: int, uow: UnitOfWork) -> list[K1Row]:
    """Item L (tax) and the book schedule per member; K1DoesNotTie if any row fails to tie."""
    async with uow:
        figures = await uow.journal.k1_figures(year)
        names = await uow.members.names()
    return build_k1(figures.figures, figures.endings, figures.built_in_gains, names)


async def journal_export(basis: Basis, uow: UnitOfWork) -> str:
    """Every transaction with its postings on one basis, as an hledger journal with balance assertions."""
    async with uow:
        entries = await uow.journal.entries(basis)
        names = await uow.members.names()
    return render(entries, basis.value, names)
