"""Helpers for the historical contributions import tests: people, periods, files, requests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from habitat_contributions.domain.commands import RecordMember
from habitat_contributions.service_layer import replicas
from tests.builders import T0, record_period
from tests.integration.test_http import auth

HEADER = (
    "reference,member_email,period,type,contributed_on,description,hours,rate,amount,"
    "fair_market_value,adjusted_basis,status,approver_email,decided_at,corrects_reference"
)


@dataclass(frozen=True)
class Coop:
    """Who and what an import file can name."""

    ana: uuid.UUID  # member
    ben: uuid.UUID  # member
    sam: uuid.UUID  # steward
    ada: uuid.UUID  # admin, runs the imports
    q1: uuid.UUID  # 2026-Q1, open
    q4: uuid.UUID  # 2025-Q4, closed


async def coop(container) -> Coop:
    """Members ana, ben (members), sam (steward), ada (admin); periods 2026-Q1 (open) and 2025-Q4 (closed)."""
    people = {}
    for name, role in (("ana", "member"), ("ben", "member"), ("sam", "steward"), ("ada", "admin")):
        people[name] = uuid.uuid4()
        cmd = RecordMember(
            people[name], T0, email=f"{name}@example.coop", display_name=name.title(), role=role, status="active"
        )
        async with container.uow() as uow:
            await replicas.record_member(cmd, uow)
            await uow.commit()
    q1 = record_period()
    q4 = record_period(name="2025-Q4", starts_on=date(2025, 10, 1), ends_on=date(2025, 12, 31), status="closed")
    async with container.uow() as uow:
        for cmd in (q1, q4):
            await replicas.record_period(cmd, uow)
        await uow.commit()
    return Coop(**people, q1=q1.period_id, q4=q4.period_id)


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def row(
    reference: str,
    *,
    member: str = "ana@example.coop",
    period: str = "2026-Q1",
    type: str = "labor",
    on: str = "2026-02-10",
    description: str = "",
    hours: str = "",
    rate: str = "",
    amount: str = "",
    fmv: str = "",
    basis: str = "",
    status: str = "approved",
    approver: str = "sam@example.coop",
    decided_at: str = "2026-02-12T10:00:00Z",
    corrects: str = "",
) -> str:
    """One line in HEADER's column order; labor 8 h x 100 unless amounts are given; pending rows undecided."""
    if type == "labor" and not (hours or rate):
        hours, rate = "8", "100"
    if status == "pending":
        approver, decided_at = "", ""
    fields = [reference, member, period, type, on, description, hours, rate, amount, fmv, basis]
    return ",".join([*fields, status, approver, decided_at, corrects])


async def post_import(client, keys, admin: uuid.UUID, data, *, dry_run: bool = False, role: str = "admin"):
    return await client.post(
        "/imports/contributions",
        params={"dry_run": str(dry_run).lower()},
        content=data,
        headers={**auth(keys, admin, role), "Content-Type": "text/csv"},
    )


def problems(response) -> list[tuple]:
    """(line, column, field, code) of each listed problem."""
    return [(e["line"], e["column"], e["field"], e["code"]) for e in response.json()["error"]["errors"]]
