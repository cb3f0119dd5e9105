"""The accountant's chart of accounts: what each ledger account is called in the exported journal.

Member capital is named by the member's stable number (equity:capital:M00001), never by the display
name, which can change and collide; the name travels in the account's comment, where no character
can break the file. Every account carries its type, so `hledger check -s` and balance-sheet reports
know each account's natural sign.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

COMMODITY = "USD"
CASH = "assets:cash"
PROPERTY = "assets:property"
CARRIED_FORWARD = "assets:net assets carried forward"
PAYABLE = "liabilities:distributions payable"
UNDISTRIBUTED = "equity:undistributed surplus"
CAPITAL = "equity:capital"

# type tag (hledger: C cash, A asset, L liability, E equity) and what the account holds (no "word:" in
# these texts: hledger would read it as a tag)
COOP_ACCOUNTS = {
    CASH: ("C", ("cash contributed, each period's result as the co-op's operations earned (or lost) it,"
                 " less distributions paid")),
    PROPERTY: ("A", "property contributed, at fair market value on the book basis and adjusted basis on the tax basis"),
    CARRIED_FORWARD: ("A", "the co-op's net assets behind members' opening capital carried from the previous system"),
    PAYABLE: ("L", "distributions completed and not yet paid; back to zero after each payment"),
    UNDISTRIBUTED: ("E", "a period's result recorded before it is allocated; back to zero after each allocation"),
    CAPITAL: ("E", "members' capital accounts, one per member number; may go negative (704(b) deficit)"),
}

# the ledger's co-op accounts; the allocated surplus stands for the cash the period's operations produced
LEDGER_CODES = {
    "coop:cash": CASH,
    "coop:surplus": CASH,
    "coop:property": PROPERTY,
    "coop:opening_equity": CARRIED_FORWARD,
}


@dataclass(frozen=True)
class MemberLabel:
    """What the journal knows of a member: the stable number and, once replicated, the display name."""

    number: int | None = None
    name: str | None = None


def one_line(text: str) -> str:
    """Control characters (newlines, tabs, carriage returns) would end a directive: spaces instead."""
    return re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f]", " ", text)).strip()


def member_account(member_id: uuid.UUID, label: MemberLabel | None) -> str:
    if label is not None and label.number is not None:
        return f"{CAPITAL}:M{label.number:05d}"
    return f"{CAPITAL}:unnumbered:{member_id}"  # only before the ledger has numbered the member


def coop_account(code: str) -> str:
    """A co-op account by its ledger code; an unknown code keeps a declared, well-formed name."""
    known = LEDGER_CODES.get(code)
    if known is not None:
        return known
    return "assets:other:" + (re.sub(r"[^A-Za-z0-9_.-]+", "-", code).strip("-") or "unnamed")


def declarations(members: dict[str, tuple[uuid.UUID, MemberLabel | None]], others: set[str]) -> list[str]:
    """The commodity and every account the file uses, co-op accounts first, members by number."""
    out = [f"commodity 1,000.00 {COMMODITY}", ""]
    for account, (kind, holds) in COOP_ACCOUNTS.items():
        out += [f"account {account}  ; type: {kind}", f"    ; {holds}"]
    for account in sorted(others - COOP_ACCOUNTS.keys()):
        out.append(f"account {account}  ; type: A")
    for account, (member_id, label) in sorted(members.items()):
        name = one_line(label.name) if label and label.name else "(not yet in the member replica)"
        out.append(f"account {account}  ; type: E, member: {member_id}, name: {name}")
    return out
