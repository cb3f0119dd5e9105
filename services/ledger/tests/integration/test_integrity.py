"""GET /integrity: passes on a clean ledger, names what is broken when a row gets past the database's rules."""

from __future__ import annotations

import uuid

import pytest
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import temporary_database
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from habitat_ledger.config import LedgerSettings
from habitat_ledger.entrypoints.consumers import contribution_approved_handler
from tests.ledger_builders import approved, envelope
from tests.ledger_db import alembic

ANA, BEN = uuid.UUID(int=21), uuid.UUID(int=22)
Q1 = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}


@pytest.fixture(scope="module")
def database_url():
    """A database of its own: the checks read whole tables, which other modules' committing tests write to."""
    with temporary_database("ledger_integrity") as url:
        alembic(url, ("upgrade", "head"))
        yield url


@pytest.fixture(scope="module")
def settings(database_url):
    return LedgerSettings(database=DatabaseSettings(url=database_url))


@pytest.fixture(scope="module")
async def engine(database_url):
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def ledger(api, uow_factory, connection) -> uuid.UUID:
    """Two replicated members, capital, property and labor booked, and opening balances imported."""
    for member_id, email in ((ANA, "ana@example.org"), (BEN, "ben@example.org")):
        await connection.execute(
            text("INSERT INTO ledger.member VALUES (:id, :email, :email, 'active', now())"), {"id": member_id, "email": email}
        )
    period_id = uuid.UUID((await api.post("/periods", Q1)).json()["id"])
    handle = contribution_approved_handler(uow_factory)
    for contract in (
        approved("capital", book="500.00", member_id=ANA, period_id=period_id),
        approved("property", book="1000.00", tax="600.00", member_id=ANA, period_id=period_id),
        approved("labor", value="300.00", member_id=BEN, period_id=period_id),
    ):
        await handle(envelope(contract))
    csv = "member_email,book_balance,tax_balance,as_of\nana@example.org,10.00,10.00,2025-12-31\n"
    response = await api.import_opening_balances(csv, who=uuid.uuid4())
    assert response.status_code == 200, response.text
    return period_id


def by_name(report: dict) -> dict[str, dict]:
    return {check["name"]: check for check in report["checks"]}


async def as_replica(connection, *statements: str, **params) -> None:
    """Write past the triggers and foreign keys, as a restore or a manual fix could."""
    await connection.execute(text("SET LOCAL session_replication_role = replica"))
    for statement in statements:
        await connection.execute(text(statement), params)
    await connection.execute(text("SET LOCAL session_replication_role = origin"))


class TestIntegrity:
    async def test_a_clean_ledger_passes_every_check(self, api, ledger):
        report = (await api.get("/integrity")).json()
        assert report["service"] == "ledger" and report["passed"] is True, [c for c in report["checks"] if not c["passed"]]
        assert {"transactions_balance", "capital_equals_postings", "orphaned_capital_accounts", "orphaned_patronage",
                "unresolved_exceptions", "postings_have_accounts", "valid_source_types"} <= set(by_name(report))
        assert all(c["passed"] and c["failures"] == 0 and c["examples"] == [] and c["description"] for c in report["checks"])

    async def test_contribution_totals_per_member(self, api, ledger):
        totals = {t["member_id"]: t for t in (await api.get("/integrity")).json()["contribution_totals"]}
        assert totals[str(ANA)] == {"member_id": str(ANA), "count": 2, "value": "1500.00",
                                    "book_amount": "1500.00", "tax_amount": "1100.00"}  # opening balance not counted
        assert totals[str(BEN)] == {"member_id": str(BEN), "count": 1, "value": "300.00",
                                    "book_amount": "0.00", "tax_amount": "0.00"}

    async def test_an_unbalanced_transaction_is_named(self, api, ledger, connection):
        bad = uuid.uuid4()
        account = await connection.scalar(text("SELECT id FROM ledger.account WHERE code = 'coop:cash'"))
        await as_replica(
            connection,
            "INSERT INTO ledger.journal_transaction (id, source_type, source_id, occurred_on, description, recorded_at)"
            " VALUES (:id, 'distribution', :id, '2026-02-01', 'broken by hand', now())",
            "INSERT INTO ledger.posting (transaction_id, account_id, basis, amount) VALUES (:id, :account, 'book', 5)",
            id=bad, account=account,
        )
        report = (await api.get("/integrity")).json()
        check = by_name(report)["transactions_balance"]
        assert report["passed"] is False
        assert (check["passed"], check["failures"], check["examples"]) == (
            False, 1, [f"transaction {bad}: book basis off by 5.00"])

    async def test_rows_past_the_foreign_keys_are_named(self, api, ledger, connection):
        stranger, nowhere = uuid.uuid4(), uuid.uuid4()
        await as_replica(
            connection,
            "INSERT INTO ledger.account (id, code, kind, member_id) VALUES (:a, :code, 'member_capital', :m)",
            "INSERT INTO ledger.patronage (contribution_id, member_id, period_id, type, value, recorded_at)"
            " VALUES (:c, :m, :p, 'labor', 1, now())",
            "INSERT INTO ledger.posting (transaction_id, account_id, basis, amount) VALUES (:t, :a, 'book', 0)",
            a=uuid.uuid4(), code=f"member:{stranger}:capital", m=stranger, c=uuid.uuid4(), p=nowhere, t=uuid.uuid4(),
        )
        checks = by_name((await api.get("/integrity")).json())
        assert checks["orphaned_capital_accounts"]["failures"] == 1
        assert str(stranger) in checks["orphaned_capital_accounts"]["examples"][0]
        assert checks["orphaned_patronage"]["examples"][0].endswith(f"(period {nowhere})")
        # written with triggers off, the row never reached the running totals a proposal reads
        assert checks["patronage_totals_match_rows"]["examples"] == [f"period {nowhere} member {stranger} labor"]
        assert checks["postings_have_accounts"]["failures"] == 1
        assert checks["transactions_balance"]["passed"] is True

    async def test_capital_read_paths_must_agree_with_the_postings(self, api, ledger, connection):
        # a second capital account of Ana's under another code: the balance read path never sees it
        await as_replica(
            connection,
            "INSERT INTO ledger.account (id, code, kind, member_id) VALUES (:a, 'member:ana:capital', 'member_capital', :m)",
            "INSERT INTO ledger.posting (transaction_id, account_id, basis, amount)"
            " SELECT transaction_id, :a, basis, amount FROM ledger.posting WHERE id = (SELECT min(id) FROM ledger.posting)",
            a=uuid.uuid4(), m=ANA,
        )
        checks = by_name((await api.get("/integrity")).json())
        assert checks["capital_equals_postings"]["passed"] is False
        assert all(str(ANA) in example for example in checks["capital_equals_postings"]["examples"])
        assert checks["accounts_well_formed"]["failures"] == 1

    async def test_unresolved_exceptions_are_counted(self, api, ledger, uow_factory):
        await contribution_approved_handler(uow_factory)(envelope(approved(period_id=uuid.uuid4())))
        check = by_name((await api.get("/integrity")).json())["unresolved_exceptions"]
        assert (check["failures"], check["examples"][0].endswith("unknown_period")) == (1, True)

    async def test_only_admins(self, api):
        assert (await api.get("/integrity", role="steward")).status_code == 403
