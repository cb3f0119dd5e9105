"""The whole ledger as an hledger journal, one basis per file: declared accounts and commodity,
the accountant's steps for each transaction, and a balance assertion on every posting."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from habitat_ledger.domain.journal.journal_accounts import (
    COMMODITY,
    MemberLabel,
    coop_account,
    declarations,
    member_account,
    one_line,
)
from habitat_ledger.domain.journal.journal_steps import Line, steps
from habitat_ledger.domain.money import ZERO


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
    source: str  # "<source type>:<source id>"; a reversal's source id is the transaction it reverses
    lines: tuple[EntryLine, ...]


def amount_text(amount: Decimal) -> str:
    """1,234.56 USD: the commodity directive's format, so hledger reads it one way only."""
    return f"{(amount if amount != ZERO else ZERO):,.2f} {COMMODITY}"


def description_text(text: str) -> str:
    """One line; ';' would start a comment, '|' split payee from note, a leading '*', '!' or '('
    would be read as a status or a code."""
    cleaned = one_line(text).replace(";", ",").replace("|", "/")
    return re.sub(r"^[\s*!(]+", "", cleaned) or "no description"


def origin(entry: Entry, by_id: dict[str, Entry]) -> tuple[str, bool]:
    """The kind of the transaction an entry finally reverses (or its own), and whether it undoes it."""
    kind, _, source_id = entry.source.partition(":")
    undoes, seen = False, set()
    while kind == "reversal" and source_id in by_id and source_id not in seen:
        seen.add(source_id)
        kind, _, source_id = by_id[source_id].source.partition(":")
        undoes = not undoes
    return kind, undoes


def in_journal_order(entries: list[Entry]) -> list[Entry]:
    """The ledger's order, except that one day's opening balances (an import's batch, in no meaningful
    order among themselves) put the co-op's debits first, so a member's negative opening balance never
    shows the net assets carried forward below zero part-way through the day."""
    def key(entry: Entry) -> tuple[date, int]:
        return entry.occurred_on, 0 if entry.source.startswith("opening_balance:") else 1

    out: list[Entry] = []
    for (_, opening), run in groupby(entries, key=key):
        run = list(run)
        if opening == 0:
            run.sort(key=lambda e: -sum((line.amount for line in e.lines if line.member_id is None), ZERO))
        out += run
    return out


def render(entries: list[Entry], basis: str, members: dict[uuid.UUID, MemberLabel]) -> str:
    """Entries in journal order, each as the accountant's steps, every posting asserting its
    account's balance after it; member capital is the one account that may run negative."""
    by_id = {str(e.transaction_id): e for e in entries}
    named: dict[str, tuple[uuid.UUID, MemberLabel | None]] = {}
    others: set[str] = set()
    running: dict[str, Decimal] = defaultdict(lambda: ZERO)
    body: list[str] = []
    for entry in in_journal_order(entries):
        lines = []
        for line in entry.lines:
            if line.member_id is not None:
                account = member_account(line.member_id, members.get(line.member_id))
                named[account] = (line.member_id, members.get(line.member_id))
            else:
                account = coop_account(line.account_code)
                others.add(account)
            lines.append(Line(account, line.amount, line.member_id is not None))
        kind, undoes = origin(entry, by_id)
        description = description_text(entry.description)
        for step in steps(kind, undoes, lines):
            head = f"{description} ({step.label})" if step.label else description
            tags = f"transaction: {entry.transaction_id}, source: {entry.source}"
            tags += f", step: {step.label}" if step.label else ""
            body.append(f"{entry.occurred_on.isoformat()} {head}  ; {tags}")
            for line in step.lines:
                running[line.account] += line.amount
                amount, balance = amount_text(line.amount), amount_text(running[line.account])
                body.append(f"    {line.account:<50}  {amount:>18} = {balance}")
            body.append("")
    header = [
        f"; Habitat ledger, {basis} basis{' (section 704(b))' if basis == 'book' else ''}.",
        "; Amounts are debit-positive: credits (members' capital, the payable, undistributed surplus) show negative.",
        "; Member capital accounts are named by member number; the member's id and name are in the account comment.",
        "",
    ]
    return "\n".join([*header, *declarations(named, others), "", *body])
