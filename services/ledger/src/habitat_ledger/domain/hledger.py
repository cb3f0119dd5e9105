"""The whole ledger as an hledger journal, one basis per file, with balance assertions on capital."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from habitat_ledger.domain.money import ZERO

COOP_ACCOUNTS = {
    "coop:cash": "assets:cash",
    "coop:property": "assets:property",
    "coop:surplus": "equity:surplus",
    "coop:opening_equity": "equity:opening balances",
}


@dataclass(frozen=True)
class EntryLine:
    account_code: str
    member_id: uuid.UUID | None
    amount: Decimal


@dataclass(frozen=True)
class Entry:
    transaction_id: uuid.UUID
    occurred_on: date
    description: str
    source: str
    lines: tuple[EntryLine, ...]


def clean(name: str) -> str:
    """hledger account names end at two spaces or a tab and nest at ':'; keep names on one segment."""
    return re.sub(r"\s+", " ", name.replace(":", "-").replace(";", ",")).strip() or "unnamed"


def member_accounts(member_ids: set[uuid.UUID], names: dict[uuid.UUID, str]) -> dict[uuid.UUID, str]:
    """equity:capital:<display name>, or the member id where the name is unknown or shared."""
    cleaned = {m: clean(names[m]) for m in member_ids if m in names}
    counts: dict[str, int] = defaultdict(int)
    for name in cleaned.values():
        counts[name] += 1
    return {
        m: f"equity:capital:{cleaned[m] if m in cleaned and counts[cleaned[m]] == 1 else m}" for m in member_ids
    }


def render(entries: list[Entry], basis: str, names: dict[uuid.UUID, str]) -> str:
    """Entries in journal order; each member capital posting asserts the account's balance after it."""
    members = {line.member_id for e in entries for line in e.lines if line.member_id is not None}
    accounts = member_accounts(members, names)
    running: dict[str, Decimal] = defaultdict(lambda: ZERO)
    out = [f"; Habitat ledger, {basis} basis. Amounts are debit-positive; member capital is a credit (negative).", ""]
    for entry in entries:
        description = clean(entry.description).replace("|", "/")
        out.append(f"{entry.occurred_on.isoformat()} {description}  ; transaction:{entry.transaction_id}, {entry.source}")
        for line in entry.lines:
            account = accounts[line.member_id] if line.member_id else COOP_ACCOUNTS.get(line.account_code, line.account_code)
            running[account] += line.amount
            assertion = f" = {running[account]:.2f}" if line.member_id else ""
            out.append(f"    {account:<50}  {line.amount:>14.2f}{assertion}")
        out.append("")
    return "\n".join(out)
