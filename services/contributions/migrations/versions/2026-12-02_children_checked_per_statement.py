"""approvals and revisions name their contribution, checked once per statement instead of once per row

Revision ID: 0005_children_per_statement
Revises: 0004_contribution_import
Create Date: 2026-12-02

An import of historical contributions writes an approval per approved row and a revision per pending
one in a single statement; PostgreSQL checked their foreign keys with one query per row, a second
of a 100,000-row import. A statement trigger now looks the statement's new rows up in one anti-join
(same SQLSTATE 23503 as a foreign key). The other half of a foreign key, that a referenced
contribution cannot go away, is kept by refusing DELETE, TRUNCATE and a changed id on contribution
(contributions are never deleted; a wrong one is corrected or rejected).
"""

# History: the current text of the trigger functions and triggers below is in migrations/sql/invariants.sql.
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005_children_per_statement"
down_revision: str | None = "0004_contribution_import"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "contributions"
CHILDREN = {
    "contribution_approval": "fk_contribution_approval_contribution_id_contribution",
    "contribution_revision": "fk_contribution_revision_contribution_id_contribution",
}

REQUIRE_CONTRIBUTION = """
CREATE FUNCTION contributions.require_contribution() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing uuid;
BEGIN
    SELECT n.contribution_id INTO missing FROM new_rows AS n
     WHERE NOT EXISTS (SELECT 1 FROM contributions.contribution AS c WHERE c.id = n.contribution_id) LIMIT 1;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'contributions.%.contribution_id = % is not present in contributions.contribution',
            TG_TABLE_NAME, missing USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$"""
KEEP_CONTRIBUTIONS = (
    """
CREATE FUNCTION contributions.reject_contribution_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'contributions are never removed (% refused): correct or reject them instead', TG_OP
        USING ERRCODE = 'raise_exception';
END
$$""",
    """
CREATE FUNCTION contributions.reject_changed_contribution_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION 'a contribution''s id never changes' USING ERRCODE = 'raise_exception';
    END IF;
    RETURN NEW;
END
$$""",
    (
        "CREATE TRIGGER contribution_never_removed BEFORE DELETE OR TRUNCATE ON contributions.contribution"
        " FOR EACH STATEMENT EXECUTE FUNCTION contributions.reject_contribution_removal()"
    ),
    (
        "CREATE TRIGGER contribution_id_kept BEFORE UPDATE OF id ON contributions.contribution"
        " FOR EACH ROW EXECUTE FUNCTION contributions.reject_changed_contribution_id()"
    ),
)


def upgrade() -> None:
    op.execute(REQUIRE_CONTRIBUTION)
    for statement in KEEP_CONTRIBUTIONS:
        op.execute(statement)
    for table, constraint in CHILDREN.items():
        op.drop_constraint(constraint, table, schema=S, type_="foreignkey")
        for event in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_has_contribution AFTER {event} ON {S}.{table}"
                " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
                f" EXECUTE FUNCTION {S}.require_contribution()"
            )


def downgrade() -> None:
    for table, constraint in CHILDREN.items():
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER {table}_{event}_has_contribution ON {S}.{table}")
        op.create_foreign_key(
            constraint, table, "contribution", ["contribution_id"], ["id"], source_schema=S, referent_schema=S
        )
    op.execute(f"DROP TRIGGER contribution_never_removed ON {S}.contribution")
    op.execute(f"DROP TRIGGER contribution_id_kept ON {S}.contribution")
    for function in ("require_contribution", "reject_contribution_removal", "reject_changed_contribution_id"):
        op.execute(f"DROP FUNCTION {S}.{function}()")
