"""Issuing a tax year's K-1s: the endings are kept to carry the next year's beginning, and the year locks."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

from habitat_ledger.domain.errors import K1AlreadyIssued, K1PreviousYearNotIssued, K1YearNotStarted
from habitat_ledger.domain.exports.k1_issue import K1Issue, ensure_year_closed
from habitat_ledger.service_layer.exports.exports import k1_rows
from habitat_ledger.service_layer.exports.ports import ExportsUnitOfWork


async def issue_k1(
    year: int, issued_by: uuid.UUID, uow: ExportsUnitOfWork, *, today: date | None = None, now: datetime | None = None
) -> K1Issue:
    """Compute the year's K-1s (refused unless every tie check passes), keep each member's endings, lock the year.

    Refused: K1AlreadyIssued (carrying what was issued), K1PreviousYearNotIssued when the year before
    holds activity this ledger kept (anything but opening balances carried in) and was not issued,
    K1YearNotStarted for a year after the current one (it would lock dates still to come),
    K1PeriodsNotClosed while a period of the year is open or closing.
    """
    now = now or datetime.now(UTC)
    if year > (today or now.date()).year:
        raise K1YearNotStarted(f"{year} has not started; its K-1s cannot be issued yet.")
    issue = K1Issue(year=year, issued_at=now, issued_by=issued_by)
    async with uow:
        ensure_year_closed(year, await uow.periods.list())
        if not await uow.k1_issues.claim(issue):
            issued = await uow.k1_issues.get(year)
            raise K1AlreadyIssued(f"The K-1s of {year} were issued already; issuing is done once.", issued)
        if await uow.k1_issues.get(year - 1) is None and await uow.journal.kept_year(year - 1):
            raise K1PreviousYearNotIssued(
                f"{year - 1} has capital activity but its K-1s were not issued: issue {year - 1} first."
            )
        endings = [row.issued_ending() for row in await k1_rows(year, uow)]
        await uow.k1_issues.add_endings(year, endings)
        await uow.commit()
    return replace(issue, endings=tuple(endings))
