"""high-volume references checked once per statement instead of once per row

Revision ID: 0008_references_per_statement
Revises: 0007_allocation_by_reference
Create Date: 2026-12-02

Closing a period writes a row per member into allocation_row and distribution and two per member
into posting, all in a handful of INSERT ... SELECT statements. PostgreSQL checks a foreign key
with one query per inserted row: for 10,000 members those 40,000 lookups were a third of the
close. The four references below are now checked by a statement trigger that looks up the
statement's new rows in one anti-join (same SQLSTATE 23503 as a foreign key). The other half of a
foreign key, that a referenced row cannot go away, is kept by refusing DELETE, TRUNCATE and a
changed id on the referenced tables (journal transactions were already append-only; accounts and
allocation records are never deleted).
"""

# History: the current text of the trigger functions and triggers below is in migrations/sql/invariants.sql.
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008_references_per_statement"
down_revision: str | None = "0007_allocation_by_reference"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"
# (table, column, referenced table, foreign key it replaces, checked on UPDATE too)
REFERENCES = (
    ("posting", "transaction_id", "journal_transaction", "fk_posting_transaction_id_journal_transaction", False),
    ("posting", "account_id", "account", "fk_posting_account_id_account", False),
    ("allocation_row", "allocation_id", "allocation", "fk_allocation_row_allocation_id_allocation", True),
    ("distribution", "allocation_id", "allocation", "fk_distribution_allocation_id_allocation", True),
)
KEPT = ("account", "allocation")  # referenced tables that gain the "never deleted" rule

REQUIRE_REFERENCED = """
CREATE FUNCTION ledger.require_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing text;
BEGIN
    -- TG_ARGV: column, referenced table (its key is id); new_rows is the statement's transition table
    EXECUTE format(
        'SELECT n.%1$I::text FROM new_rows AS n'
        ' WHERE n.%1$I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger.%2$I AS r WHERE r.id = n.%1$I) LIMIT 1',
        TG_ARGV[0], TG_ARGV[1]) INTO missing;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'ledger.%.% = % is not present in ledger.%', TG_TABLE_NAME, TG_ARGV[0], missing, TG_ARGV[1]
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$"""
REJECT_REMOVAL = """
CREATE FUNCTION ledger.reject_referenced_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger.% rows are referenced by id and never removed: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'raise_exception';
END
$$"""
REJECT_NEW_ID = """
CREATE FUNCTION ledger.reject_changed_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION 'ledger.% ids never change', TG_TABLE_NAME USING ERRCODE = 'raise_exception';
    END IF;
    RETURN NEW;
END
$$"""


def _check_triggers(table: str, column: str, parent: str, on_update: bool) -> list[str]:
    events = ("INSERT", "UPDATE") if on_update else ("INSERT",)
    return [
        f"CREATE TRIGGER {table}_{column}_{event.lower()}_referenced AFTER {event} ON {S}.{table}"
        f" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
        f" EXECUTE FUNCTION {S}.require_referenced('{column}', '{parent}')"
        for event in events
    ]


def upgrade() -> None:
    for statement in (REQUIRE_REFERENCED, REJECT_REMOVAL, REJECT_NEW_ID):
        op.execute(statement)
    for table in KEPT:
        op.execute(
            f"CREATE TRIGGER {table}_never_removed BEFORE DELETE OR TRUNCATE ON {S}.{table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {S}.reject_referenced_removal()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_id_kept BEFORE UPDATE OF id ON {S}.{table}"
            f" FOR EACH ROW EXECUTE FUNCTION {S}.reject_changed_id()"
        )
    for table, column, parent, constraint, on_update in REFERENCES:
        op.drop_constraint(constraint, table, schema=S, type_="foreignkey")
        for statement in _check_triggers(table, column, parent, on_update):
            op.execute(statement)


def downgrade() -> None:
    for table, column, parent, constraint, on_update in REFERENCES:
        for event in ("insert", "update") if on_update else ("insert",):
            op.execute(f"DROP TRIGGER {table}_{column}_{event}_referenced ON {S}.{table}")
        op.create_foreign_key(constraint, table, parent, [column], ["id"], source_schema=S, referent_schema=S)
    for table in KEPT:
        for trigger in ("never_removed", "id_kept"):
            op.execute(f"DROP TRIGGER {table}_{trigger} ON {S}.{table}")
    for function in ("require_referenced", "reject_referenced_removal", "reject_changed_id"):
        op.execute(f"DROP FUNCTION {S}.{function}()")
