-- The identity service's trigger functions and triggers, as they are now.
--
-- This file is the one place they are defined: the latest migration that changes one runs it again
-- (habitat_common.sql_invariants.execute_sql_file; CREATE OR REPLACE throughout), and
-- tests/integration/test_invariants_sql.py fails when the database after `alembic upgrade head` differs from it.
--
-- To change one: edit it here and add a migration that calls execute_sql_file() with this file. Statements end
-- with a ';' at the end of a line (outside function bodies).


-- 1. The member change feed (habitat_common.member_changes): not an invariant but a duty of every writer, so
-- kept where no writer can skip it. One row per member whose record a statement wrote (what /me shows), in the
-- writer's transaction: the gateway's dashboard cache learns of every committed change, whoever made it, and
-- of none that was rolled back.

CREATE OR REPLACE FUNCTION identity.note_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO identity.member_change (member_id) SELECT DISTINCT n.id FROM new_rows AS n;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER member_insert_noted AFTER INSERT ON identity.member
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION identity.note_members();
CREATE OR REPLACE TRIGGER member_update_noted AFTER UPDATE ON identity.member
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION identity.note_members();
