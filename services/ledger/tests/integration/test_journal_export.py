"""The accountant's journal from a real ledger: `hledger check -s` passes on both bases and hledger's
balances are the ledger's capital accounts, members named by their stable number."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import uuid
from datetime import date
from decimal import Decimal

import pytest
from habitat_common.contracts import Envelope, MemberRegisteredV1, PeriodSealedV1, SealedMemberTotal
from sqlalchemy import text

from habitat_ledger.entrypoints.consumers import (
    contribution_approved_handler,
    member_handler,
    period_sealed_handler,
)
from tests.ledger_api import ADMIN, ADMIN2
from tests.ledger_builders import approved, envelope, quarter_contributions

pytestmark = pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger is not installed")

ANA, BEN, CY = uuid.UUID(int=11), uuid.UUID(int=12), uuid.UUID(int=13)
NAMES = {ANA: "Ana Ruiz", BEN: "Ben Ode", CY: '=HYPERLINK("http://x";"Cy")  ; Cy: #1'}
Q1 = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}
PROPOSAL = {"surplus": "1000.00", "weights": {"labor": "1.0", "capital": "0.5", "property": "0.5"}, "cash_portion": "25"}
OPENING = "member_email,book_balance,tax_balance,as_of\nana@x.org,300.00,250.00,2025-12-31\ncy@x.org,-100.00,-80.00,2025-12-31\n"


def wrap(contract) -> Envelope:
    raw = Envelope.wrap(contract, producer="test")
    return Envelope[type(contract)].model_validate_json(raw.model_dump_json())


async def register(uow_factory, member: uuid.UUID) -> None:
    email = f"{NAMES[member][:3].lower() if member != CY else 'cy'}@x.org"
    contract = MemberRegisteredV1(member_id=member, email=email, display_name=NAMES[member], role="member",
                                  status="active", joined_at="2020-01-01")
    assert await member_handler(uow_factory, "ledger.member_registered")(wrap(contract)) is True


async def number_of(connection, member: uuid.UUID) -> int | None:
    return await connection.scalar(text("SELECT number FROM ledger.member_number WHERE member_id = :m"), {"m": member})


@pytest.fixture
async def ledger(api, uow_factory, connection) -> dict[uuid.UUID, int]:
    """Opening balances (Ana positive, Cy negative), Q1 contributions (Ana labor and cash, Ben property
    worth more than its basis, booked before Ben's member event), a posted allocation with a 25% cash
    portion, Ana's distribution completed, Cy's opening balance reversed. Returns the member numbers."""
    for member in (ANA, CY):
        await register(uow_factory, member)
    imported = await api.import_opening_balances(OPENING)
    assert imported.status_code == 200, imported.text
    period_id = (await api.post("/periods", Q1)).json()["id"]
    book = contribution_approved_handler(uow_factory)
    for contract in quarter_contributions(uuid.UUID(period_id), ANA, BEN):
        assert await book(envelope(contract)) is True
    ben_first_seen = await number_of(connection, BEN)
    assert ben_first_seen is not None  # numbered from his capital account, before the member event
    await register(uow_factory, BEN)
    assert await number_of(connection, BEN) == ben_first_seen

    assert (await api.post(f"/periods/{period_id}/close")).status_code == 200
    sealed = PeriodSealedV1(
        period_id=uuid.UUID(period_id),
        members=[SealedMemberTotal(member_id=ANA, approved_count=2, approved_value=Decimal("1500.00")),
                 SealedMemberTotal(member_id=BEN, approved_count=1, approved_value=Decimal("2000.00"))],
        total_count=3, total_value=Decimal("3500.00"), pending_count=0,
    )
    assert await period_sealed_handler(uow_factory)(wrap(sealed)) is True
    allocation = (await api.post(f"/periods/{period_id}/allocations", PROPOSAL)).json()
    for approver in (ADMIN, ADMIN2):
        await api.post(f"/allocations/{allocation['id']}/approve", who=approver)
    posted = await api.post(f"/allocations/{allocation['id']}/post")
    assert posted.status_code == 200, posted.text

    [ana_cash] = (await api.get("/distributions", params={"member_id": str(ANA)})).json()["items"]
    done = await api.complete(ana_cash["id"], {"reference": "CHK-7", "paid_on": "2026-04-16"}, who=ADMIN2)
    assert done.status_code == 200, done.text
    [cy_opening] = (await api.get(f"/capital-accounts/{CY}/statement", params={"as_of": "2026-12-31"})).json()["lines"]
    reversed_ = await api.reverse(cy_opening["transaction_id"], {"reason": "imported twice", "occurred_on": "2026-04-20"},
                                  who=ADMIN2)
    assert reversed_.status_code == 200, reversed_.text
    return {member: await number_of(connection, member) for member in NAMES}


def hledger(path, *args: str) -> str:
    done = subprocess.run(["hledger", "-f", str(path), *args], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def amount(cell: str) -> Decimal:
    return Decimal(cell.removesuffix(" USD").replace(",", "") or "0")


class TestAccountantJournal:
    @pytest.mark.parametrize("basis", ["book", "tax"])
    async def test_strict_check_passes_and_balances_are_the_ledgers_capital(self, api, ledger, basis, tmp_path):
        response = await api.get("/exports/journal", params={"basis": basis})
        assert response.status_code == 200
        path = tmp_path / f"{basis}.journal"
        path.write_text(response.text)
        hledger(path, "check", "-s")

        balances = {row["account"]: amount(row["balance"])
                    for row in csv.DictReader(io.StringIO(hledger(path, "balance", "--flat", "-O", "csv")))}
        for member, number in ledger.items():
            account = f"equity:capital:M{number:05d}"
            capital = (await api.get(f"/capital-accounts/{member}")).json()[f"{basis}_balance"]
            assert -balances.get(account, Decimal(0)) == Decimal(capital), account
            assert f"account {account}  ; type: E, member: {member}, name: " in response.text
        assert "Ana Ruiz" not in hledger(path, "accounts")  # names live in comments, not account names
        # the intermediate accounts return to zero; what members' capital holds is the co-op's assets
        assert balances.get("equity:undistributed surplus", Decimal(0)) == 0
        assert balances.get("liabilities:distributions payable", Decimal(0)) == 0
        members = sum(v for k, v in balances.items() if k.startswith("equity:capital:"))
        assets = sum(v for k, v in balances.items() if k.startswith("assets:"))
        assert assets == -members > 0

    @pytest.mark.parametrize("basis", ["book", "tax"])
    async def test_no_coop_account_goes_below_zero_in_its_natural_sign(self, api, ledger, basis, tmp_path):
        path = tmp_path / f"{basis}.journal"
        journal = (await api.get("/exports/journal", params={"basis": basis})).text
        path.write_text(journal)
        hledger(path, "check", "-s")  # every assertion holds, so they are each account's running balance
        running = re.findall(r"^ {4}((?:assets|liabilities|equity):[^\n]*?)  +\S+ USD = (\S+ USD)$", journal, re.MULTILINE)
        seen = set()
        for account, balance in running:
            if account.startswith(("equity:capital:", "assets:other:")):
                continue  # member capital may go negative (704(b) deficit); other tests' test-only accounts
            seen.add(account)
            natural = amount(balance) if account.startswith("assets:") else -amount(balance)
            assert natural >= 0, (account, balance)
        assert seen == {"assets:cash", "assets:property", "assets:net assets carried forward",
                        "equity:undistributed surplus", "liabilities:distributions payable"}


Q2 = {"name": "2026-Q2", "starts_on": "2026-04-01", "ends_on": "2026-06-30"}
LOSS = {"surplus": "-600.00", "tax_surplus": "-400.00", "cash_portion": "0",
        "weights": {"labor": "1.0", "capital": "0.5", "property": "0.5"}}


@pytest.fixture
async def loss(api, uow_factory, ledger) -> dict[uuid.UUID, int]:
    """After the quarter above, Q2 closes with a loss (600.00 book, 400.00 tax) that only Ana's labor shares."""
    period_id = (await api.post("/periods", Q2)).json()["id"]
    labor = approved("labor", value="500.00", member_id=ANA, period_id=uuid.UUID(period_id), contributed_on=date(2026, 5, 1))
    assert await contribution_approved_handler(uow_factory)(envelope(labor)) is True
    assert (await api.post(f"/periods/{period_id}/close")).status_code == 200
    sealed = PeriodSealedV1(
        period_id=uuid.UUID(period_id),
        members=[SealedMemberTotal(member_id=ANA, approved_count=1, approved_value=Decimal("500.00"))],
        total_count=1, total_value=Decimal("500.00"), pending_count=0,
    )
    assert await period_sealed_handler(uow_factory)(wrap(sealed)) is True
    proposed = await api.post(f"/periods/{period_id}/allocations", LOSS)
    assert proposed.status_code == 201, proposed.text
    for approver in (ADMIN, ADMIN2):
        await api.post(f"/allocations/{proposed.json()['id']}/approve", who=approver)
    posted = await api.post(f"/allocations/{proposed.json()['id']}/post")
    assert posted.status_code == 200, posted.text
    return ledger


class TestALoss:
    @pytest.mark.parametrize(("basis", "result"), [("book", "600.00"), ("tax", "400.00")])
    async def test_the_loss_is_the_debit_side_of_undistributed_surplus_and_debits_capital(
        self, api, loss, basis, result, tmp_path
    ):
        journal = (await api.get("/exports/journal", params={"basis": basis})).text
        path = tmp_path / f"{basis}.journal"
        path.write_text(journal)
        hledger(path, "check", "-s")
        period_result = re.search(r"^2026-06-30 Allocation of the 2026-Q2 loss[^\n]*\(period result\)[^\n]*\n(.*?)\n\n",
                                  journal, re.MULTILINE | re.DOTALL)
        assert period_result is not None, journal
        assert re.search(rf"equity:undistributed surplus +{result} USD = {result} USD", period_result.group(1))
        assert re.search(rf"assets:cash +-{result} USD = ", period_result.group(1))
        balances = {row["account"]: amount(row["balance"])
                    for row in csv.DictReader(io.StringIO(hledger(path, "balance", "--flat", "-O", "csv")))}
        assert balances.get("equity:undistributed surplus", Decimal(0)) == 0
        for member, number in loss.items():
            capital = (await api.get(f"/capital-accounts/{member}")).json()[f"{basis}_balance"]
            assert -balances.get(f"equity:capital:M{number:05d}", Decimal(0)) == Decimal(capital)
