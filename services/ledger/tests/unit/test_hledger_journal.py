"""The accountant's journal: declarations, members by number, the period result, the payable, amounts."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from datetime import date
from decimal import Decimal

import pytest

from habitat_ledger.domain.exports.hledger import Entry, EntryLine, render
from habitat_ledger.domain.journal.journal_accounts import MemberLabel

ANA, BEN = uuid.UUID(int=1), uuid.UUID(int=2)
LABELS = {ANA: MemberLabel(1, "Ana Ruiz"), BEN: MemberLabel(2, "Ben Ode")}


def capital(member: uuid.UUID, amount: str) -> EntryLine:
    return EntryLine(f"member:{member}:capital", member, Decimal(amount))


def coop(code: str, amount: str) -> EntryLine:
    return EntryLine(code, None, Decimal(amount))


def entry(day: date, description: str, source: str, *lines: EntryLine) -> Entry:
    return Entry(uuid.uuid4(), day, description, source, lines)


def allocation(result: str, ana: str, ben: str, day: date = date(2026, 3, 31)) -> Entry:
    return entry(day, "Allocation of the 2026-Q1 surplus", f"allocation:{uuid.uuid4()}",
                 coop("coop:surplus", result), capital(ANA, ana), capital(BEN, ben))


def distribution(amount: str, day: date = date(2026, 4, 16)) -> Entry:
    return entry(day, "Distribution paid by check, reference CHK-7", f"distribution:{uuid.uuid4()}",
                 capital(ANA, amount), coop("coop:cash", f"-{amount}"))


def reversal(of: Entry, day: date) -> Entry:
    lines = tuple(EntryLine(line.account_code, line.member_id, -line.amount) for line in of.lines)
    return Entry(uuid.uuid4(), day, f"Reversal of {of.description}: duplicate", f"reversal:{of.transaction_id}", lines)


def transactions(text: str) -> list[list[str]]:
    """Each transaction's header and posting lines, in file order."""
    blocks = [block.splitlines() for block in text.split("\n\n")]
    return [block for block in blocks if block and re.match(r"\d{4}-\d\d-\d\d ", block[0])]


def postings(block: list[str]) -> dict[str, str]:
    """account -> "amount = balance" of one transaction."""
    cells = [re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in block[1:]]
    return {account: figures for account, figures in cells}


def hledger_check(tmp_path, text: str) -> None:
    if shutil.which("hledger") is None:
        pytest.skip("hledger is not installed")
    path = tmp_path / "ledger.journal"
    path.write_text(text)
    check = subprocess.run(["hledger", "-f", str(path), "check", "-s"], check=False, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


class TestDeclarations:
    def test_the_commodity_and_every_account_used_are_declared_with_their_type(self):
        text = render([allocation("10.00", "-6.00", "-4.00"), distribution("1.00")], "book", LABELS)
        assert "commodity 1,000.00 USD" in text
        declared = set(re.findall(r"^account (.+?)  ; type: [CALE]", text, re.MULTILINE))
        used = {account for block in transactions(text) for account in postings(block)}
        assert used <= declared
        assert {"assets:cash", "liabilities:distributions payable", "equity:undistributed surplus"} <= declared

    def test_members_are_named_by_number_with_id_and_name_in_the_comment(self):
        text = render([allocation("10.00", "-6.00", "-4.00")], "book", LABELS)
        assert f"account equity:capital:M00001  ; type: E, member: {ANA}, name: Ana Ruiz" in text
        assert "Ana Ruiz" not in "".join(line for block in transactions(text) for line in block)
        assert re.findall(r"^ +(equity:capital:\S+)", text, re.MULTILINE) == ["equity:capital:M00001", "equity:capital:M00002"]

    def test_two_members_with_one_name_keep_their_own_accounts(self):
        labels = {ANA: MemberLabel(1, "Sam"), BEN: MemberLabel(2, "Sam")}
        text = render([allocation("10.00", "-6.00", "-4.00")], "book", labels)
        assert "equity:capital:M00001" in text and "equity:capital:M00002" in text

    def test_a_member_not_yet_numbered_is_named_by_id(self):
        text = render([allocation("10.00", "-6.00", "-4.00")], "book", {ANA: LABELS[ANA]})
        assert f"account equity:capital:unnumbered:{BEN}  ; type: E, member: {BEN}, name: (not yet" in text

    def test_odd_display_names_and_descriptions_never_break_the_file(self, tmp_path):
        odd = {ANA: MemberLabel(1, "=HYPERLINK(\"x\");  Ana:\n  Ruiz | ; # \t\r\n"), BEN: MemberLabel(2, "Ben\u2028\x85\x00Ode")}
        weird = entry(date(2026, 4, 20), "* (code) !x; y | z\nnext", "contribution:1",
                      coop("coop:cash", "5.00"), capital(ANA, "-5.00"))
        text = render([allocation("10.00", "-6.00", "-4.00"), weird], "book", odd)
        hledger_check(tmp_path, text)
        assert "\r" not in text and "\t" not in text and text.splitlines() == text.split("\n")[:-1]
        assert "account equity:capital:M00001  ; type: E, member:" in text
        assert '2026-04-20 code) !x, y / z next  ;' in text


class TestSteps:
    def test_the_period_result_is_credited_to_undistributed_surplus_before_it_is_allocated(self, tmp_path):
        text = render([allocation("1000.00", "-600.00", "-400.00")], "book", LABELS)
        result, allocated = transactions(text)
        assert result[0].startswith("2026-03-31 Allocation of the 2026-Q1 surplus (period result)")
        assert postings(result) == {
            "assets:cash": "1,000.00 USD = 1,000.00 USD",
            "equity:undistributed surplus": "-1,000.00 USD = -1,000.00 USD",
        }
        assert allocated[0].startswith("2026-03-31 Allocation of the 2026-Q1 surplus (allocation)")
        assert postings(allocated)["equity:undistributed surplus"] == "1,000.00 USD = 0.00 USD"
        assert postings(allocated)["equity:capital:M00001"] == "-600.00 USD = -600.00 USD"
        hledger_check(tmp_path, text)

    def test_a_loss_is_the_debit_side_and_debits_member_capital(self, tmp_path):
        cash = entry(date(2026, 2, 1), "Capital contribution", "contribution:1", coop("coop:cash", "900.00"),
                     capital(BEN, "-900.00"))
        text = render([cash, allocation("-300.00", "200.00", "100.00")], "tax", LABELS)
        _, result, allocated = transactions(text)
        assert postings(result) == {
            "assets:cash": "-300.00 USD = 600.00 USD",
            "equity:undistributed surplus": "300.00 USD = 300.00 USD",
        }
        assert postings(allocated)["equity:undistributed surplus"] == "-300.00 USD = 0.00 USD"
        assert postings(allocated)["equity:capital:M00001"] == "200.00 USD = 200.00 USD"
        hledger_check(tmp_path, text)

    def test_a_distribution_is_completed_into_the_payable_then_paid_from_cash(self, tmp_path):
        text = render([allocation("10.00", "-6.00", "-4.00"), distribution("2.50")], "book", LABELS)
        completion, payment = transactions(text)[2:]
        assert "(completion)" in completion[0] and "step: completion" in completion[0]
        assert postings(completion) == {
            "liabilities:distributions payable": "-2.50 USD = -2.50 USD",
            "equity:capital:M00001": "2.50 USD = -3.50 USD",
        }
        assert postings(payment) == {
            "assets:cash": "-2.50 USD = 7.50 USD",
            "liabilities:distributions payable": "2.50 USD = 0.00 USD",
        }
        hledger_check(tmp_path, text)

    def test_a_reversal_undoes_the_steps_last_first_and_no_coop_account_turns_negative(self, tmp_path):
        paid = distribution("2.50")
        allocated = allocation("10.00", "-6.00", "-4.00")
        entries = [allocated, paid, reversal(paid, date(2026, 4, 20)), reversal(allocated, date(2026, 4, 21))]
        text = render(entries, "book", LABELS)
        blocks = transactions(text)
        assert [re.search(r"step: (\w[\w ]*)", b[0]).group(1) for b in blocks] == [
            "period result", "allocation", "completion", "payment", "payment", "completion", "allocation", "period result",
        ]
        for block in blocks:
            for account, figures in postings(block).items():
                balance = Decimal(figures.split("= ")[1].removesuffix(" USD").replace(",", ""))
                if account.startswith("assets:"):
                    assert balance >= 0, (account, block)
                elif not account.startswith("equity:capital:"):
                    assert balance <= 0, (account, block)  # credit accounts: debit-positive file
        hledger_check(tmp_path, text)

    def test_an_opening_balance_is_carried_against_net_assets(self):
        opening = entry(date(2025, 12, 31), "Opening balance carried from the previous system", "opening_balance:1",
                        coop("coop:opening_equity", "300.00"), capital(ANA, "-300.00"))
        [block] = transactions(render([opening], "book", LABELS))
        assert postings(block)["assets:net assets carried forward"] == "300.00 USD = 300.00 USD"


    def test_a_days_opening_balances_carry_the_positive_ones_first(self):
        def opening(member: uuid.UUID, amount: str) -> Entry:
            return entry(date(2025, 12, 31), "Opening balance carried from the previous system",
                         f"opening_balance:{uuid.uuid4()}", coop("coop:opening_equity", amount),
                         capital(member, str(-Decimal(amount))))

        blocks = transactions(render([opening(BEN, "-80.00"), opening(ANA, "250.00")], "tax", LABELS))
        assert [postings(b)["assets:net assets carried forward"] for b in blocks] == [
            "250.00 USD = 250.00 USD", "-80.00 USD = 170.00 USD",
        ]


class TestAmounts:
    def test_amounts_have_thousands_two_places_and_the_commodity_and_zero_has_no_sign(self):
        big = entry(date(2026, 1, 2), "Capital contribution", "contribution:1",
                    coop("coop:cash", "1234567.80"), capital(ANA, "-1234567.80"))
        back = reversal(big, date(2026, 1, 3))
        first, second = transactions(render([big, back], "book", LABELS))
        assert postings(first)["equity:capital:M00001"] == "-1,234,567.80 USD = -1,234,567.80 USD"
        assert postings(second)["equity:capital:M00001"] == "1,234,567.80 USD = 0.00 USD"
        assert postings(second)["assets:cash"] == "-1,234,567.80 USD = 0.00 USD"
