"""Exports for the accountant: K-1 data per tax year and the hledger journal per basis."""

from __future__ import annotations

from habitat_ledger.domain.exports.hledger import render
from habitat_ledger.domain.exports.k1 import K1Row, build_k1, ensure_as_issued
from habitat_ledger.domain.journal.journal_accounts import MemberLabel
from habitat_ledger.domain.journal.transactions import Basis
from habitat_ledger.service_layer.exports.ports import ExportsUnitOfWork


async def k1_data(year: int, uow: ExportsUnitOfWork) -> list[K1Row]:
    """Item L (tax), the book schedule, Item J and §704(c) per member; K1DoesNotTie unless it all ties.

    Beginnings are checked against the endings issued for the year before, when it was issued, and
    an issued year's endings against those it was issued with.
    """
    async with uow:
        rows = await k1_rows(year, uow)
        if issued := await uow.k1_issues.get(year):
            ensure_as_issued(rows, issued.by_member())
    return rows


async def k1_rows(year: int, uow: ExportsUnitOfWork) -> list[K1Row]:
    """The K-1 rows inside the caller's unit of work."""
    figures = await uow.journal.k1_figures(year)
    names = await uow.members.names()
    previous = await uow.k1_issues.get(year - 1)
    return build_k1(year, figures, names, previous.by_member() if previous else None)


async def journal_export(basis: Basis, uow: ExportsUnitOfWork) -> str:
    """Every transaction on one basis as an hledger journal: declared accounts (members by number),
    the period result before its allocation, distributions through the payable, balance assertions."""
    async with uow:
        entries = await uow.journal.entries(basis)
        names = await uow.members.names()
        numbers = await uow.members.numbers()
    members = {m: MemberLabel(numbers.get(m), names.get(m)) for m in numbers.keys() | names.keys()}
    return render(entries, basis.value, members)
