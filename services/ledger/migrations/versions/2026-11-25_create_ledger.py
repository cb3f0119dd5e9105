"""create ledger: periods, accounts, journal, patronage, outbox, inbox

Revision ID: 0001_create_ledger
Revises:
Create Date: 2026-11-25
"""

# History: the current text of the trigger functions and triggers below is in migrations/sql/invariants.sql.
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_create_ledger"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"
UUID = postgresql.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)
MONEY = sa.Numeric(14, 2)

NO_OVERLAP = """
ALTER TABLE ledger.period ADD CONSTRAINT period_no_overlap
    EXCLUDE USING gist (daterange(starts_on, ends_on, '[]') WITH &&)
"""

# asyncpg runs one statement per execute, hence tuples.
APPEND_ONLY = (
    """
CREATE FUNCTION ledger.reject_journal_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger.% is append-only: % refused; record a reversal instead',
        TG_TABLE_NAME, TG_OP USING ERRCODE = 'raise_exception';
END
$$""",
    *(
        f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON ledger.{table}
    FOR EACH ROW EXECUTE FUNCTION ledger.reject_journal_change()"""
        for table in ("journal_transaction", "posting")
    ),
    *(
        f"""
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON ledger.{table}
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.reject_journal_change()"""
        for table in ("journal_transaction", "posting")
    ),
)

BALANCED = (
    """
CREATE FUNCTION ledger.check_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    off record;
BEGIN
    SELECT basis, sum(amount) AS total INTO off
      FROM ledger.posting
     WHERE transaction_id = NEW.transaction_id
     GROUP BY basis
    HAVING sum(amount) <> 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal transaction % does not balance on the % basis (sum %)',
            NEW.transaction_id, off.basis, off.total USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$""",
    """
CREATE CONSTRAINT TRIGGER posting_balanced AFTER INSERT ON ledger.posting
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger.check_transaction_balanced()""",
)


def upgrade() -> None:
    op.create_table(
        "period",
        sa.Column("id", UUID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", UUID, nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_period_dates_in_order")),
        sa.CheckConstraint("status IN ('open', 'closing', 'closed')", name=op.f("ck_period_status")),
        sa.PrimaryKeyConstraint("id", name="pk_period"),
        sa.UniqueConstraint("name", name="uq_period_name"),
        schema=S,
    )
    op.execute(NO_OVERLAP)
    op.create_table(
        "account",
        sa.Column("id", UUID, nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("member_id", UUID, nullable=True),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('member_capital', 'coop_cash', 'coop_property')", name=op.f("ck_account_kind")
        ),
        sa.CheckConstraint(
            "(kind = 'member_capital') = (member_id IS NOT NULL)", name=op.f("ck_account_member_iff_capital")
        ),
        sa.PrimaryKeyConstraint("id", name="pk_account"),
        sa.UniqueConstraint("code", name="uq_account_code"),
        schema=S,
    )
    op.create_index("ix_ledger_account_member_id", "account", ["member_id"], schema=S)
    op.create_table(
        "journal_transaction",
        sa.Column("id", UUID, nullable=False),
        sa.Column("source_type", sa.Text(), nullable=False),
        sa.Column("source_id", UUID, nullable=False),
        sa.Column("reverses_id", UUID, nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.CheckConstraint(
            "source_type IN ('contribution', 'allocation', 'distribution', 'opening_balance', 'reversal')",
            name=op.f("ck_journal_transaction_source_type"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            [f"{S}.journal_transaction.id"],
            name="fk_journal_transaction_reverses_id_journal_transaction",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_journal_transaction"),
        sa.UniqueConstraint("source_type", "source_id", name="uq_journal_transaction_source_type"),
        schema=S,
    )
    op.create_index(
        "ix_ledger_journal_transaction_occurred_on", "journal_transaction", ["occurred_on"], schema=S
    )
    op.create_table(
        "posting",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("transaction_id", UUID, nullable=False),
        sa.Column("account_id", UUID, nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.CheckConstraint("basis IN ('book', 'tax')", name=op.f("ck_posting_basis")),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            [f"{S}.journal_transaction.id"],
            name="fk_posting_transaction_id_journal_transaction",
        ),
        sa.ForeignKeyConstraint(["account_id"], [f"{S}.account.id"], name="fk_posting_account_id_account"),
        sa.PrimaryKeyConstraint("id", name="pk_posting"),
        schema=S,
    )
    op.create_index("ix_ledger_posting_transaction_id", "posting", ["transaction_id"], schema=S)
    op.create_index("ix_ledger_posting_account_id", "posting", ["account_id"], schema=S)
    for statement in (*APPEND_ONLY, *BALANCED):
        op.execute(statement)
    op.create_table(
        "patronage",
        sa.Column("contribution_id", UUID, nullable=False),
        sa.Column("member_id", UUID, nullable=False),
        sa.Column("period_id", UUID, nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("value", MONEY, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.CheckConstraint("type IN ('labor', 'capital', 'property')", name=op.f("ck_patronage_type")),
        sa.ForeignKeyConstraint(["period_id"], [f"{S}.period.id"], name="fk_patronage_period_id_period"),
        sa.PrimaryKeyConstraint("contribution_id", name="pk_patronage"),
        schema=S,
    )
    op.create_index("ix_ledger_patronage_member_id", "patronage", ["member_id"], schema=S)
    op.create_index("ix_ledger_patronage_period_id", "patronage", ["period_id"], schema=S)
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("event_id", UUID, nullable=False),
        sa.Column("routing_key", sa.Text(), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("headers", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("published_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
        schema=S,
    )
    op.create_index(
        "ix_outbox_unpublished", "outbox", ["id"], schema=S, postgresql_where=sa.text("published_at IS NULL")
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("event_id", UUID, nullable=False),
        sa.Column("processed_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("inbox", schema=S)
    op.drop_index("ix_outbox_unpublished", table_name="outbox", schema=S)
    op.drop_table("outbox", schema=S)
    op.drop_table("patronage", schema=S)
    op.drop_table("posting", schema=S)  # its triggers go with it
    op.drop_table("journal_transaction", schema=S)
    op.execute("DROP FUNCTION ledger.check_transaction_balanced()")
    op.execute("DROP FUNCTION ledger.reject_journal_change()")
    op.drop_table("account", schema=S)
    op.drop_table("period", schema=S)
