"""a stable member number per member, for the accountant's journal

Revision ID: 0012_member_numbers
Revises: 0011_k1_issue
Create Date: 2026-12-06

The journal names a member's capital account by number (equity:capital:M00001), never by the
display name, which can change and collide. A member is numbered the first time the ledger sees
them: a replica row (member event) or a capital account (a posting that arrived before the member
event), whichever comes first, so even a member known only from postings keeps one name for good.
Existing members are numbered in the order their capital was first booked, then by id.
"""

# History: the current text of the trigger functions and triggers below is in migrations/sql/invariants.sql.
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012_member_numbers"
down_revision: str | None = "0011_k1_issue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"
UUID = postgresql.UUID(as_uuid=True)

# One function per source table; statement-level, so a batch that creates 1,000 accounts numbers
# them in one INSERT (ordered by id, like the accounts themselves, so concurrent batches queue
# rather than deadlock). NOT EXISTS keeps the identity from being spent on members already numbered.
NUMBER_FROM = {
    "member": "SELECT DISTINCT id FROM new_rows",
    "account": "SELECT DISTINCT member_id FROM new_rows WHERE kind = 'member_capital' AND member_id IS NOT NULL",
}

BACKFILL = """
INSERT INTO ledger.member_number (member_id, number) OVERRIDING SYSTEM VALUE
SELECT member_id, row_number() OVER (ORDER BY first_on NULLS LAST, first_at NULLS LAST, member_id)
FROM (
    SELECT k.member_id, min(t.occurred_on) AS first_on, min(t.recorded_at) AS first_at
    FROM (SELECT id AS member_id FROM ledger.member
          UNION SELECT member_id FROM ledger.account WHERE kind = 'member_capital' AND member_id IS NOT NULL) AS k
    LEFT JOIN ledger.account AS a ON a.kind = 'member_capital' AND a.member_id = k.member_id
    LEFT JOIN ledger.posting AS p ON p.account_id = a.id
    LEFT JOIN ledger.journal_transaction AS t ON t.id = p.transaction_id
    GROUP BY k.member_id
) AS seen
"""


def upgrade() -> None:
    op.create_table(
        "member_number",
        sa.Column("member_id", UUID, nullable=False),
        sa.Column("number", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name="pk_member_number"),
        sa.UniqueConstraint("number", name="uq_member_number_number"),
        schema=S,
    )
    op.execute(BACKFILL)
    op.execute(
        "SELECT setval(pg_get_serial_sequence('ledger.member_number', 'number'),"
        " coalesce((SELECT max(number) FROM ledger.member_number), 0) + 1, false)"
    )
    for table, source in NUMBER_FROM.items():
        op.execute(
            f"CREATE FUNCTION {S}.number_members_from_{table}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN"
            f"  INSERT INTO {S}.member_number (member_id)"
            f"  SELECT s.id FROM ({source}) AS s(id)"
            f"  WHERE NOT EXISTS (SELECT 1 FROM {S}.member_number AS n WHERE n.member_id = s.id)"
            f"  ORDER BY s.id ON CONFLICT (member_id) DO NOTHING;"
            f"  RETURN NULL;"
            f" END $$"
        )
        op.execute(
            f"CREATE TRIGGER number_members AFTER INSERT ON {S}.{table}"
            f" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
            f" EXECUTE FUNCTION {S}.number_members_from_{table}()"
        )


def downgrade() -> None:
    for table in NUMBER_FROM:
        op.execute(f"DROP TRIGGER number_members ON {S}.{table}")
        op.execute(f"DROP FUNCTION {S}.number_members_from_{table}()")
    op.drop_table("member_number", schema=S)
