-- The notifications service's database invariants: every trigger function and trigger of the schema, as they are now.
--
-- The service's code keeps these rules first; the triggers are the last line of defence, for any
-- writer. This file is the one place they are defined: the latest migration that changes one runs
-- it again (habitat_common.sql_invariants.execute_sql_file; CREATE OR REPLACE throughout), and
-- tests/integration/test_invariants_sql.py fails when the database after `alembic upgrade head`
-- differs from it. Older migrations created earlier versions; they are history.
--
-- To change an invariant: edit it here and add a migration that calls execute_sql_file() with this
-- file. Statements end with a ';' at the end of a line (outside function bodies).


-- Dead letters are an audit trail: the runtime role may update one as it moves, never delete it.

CREATE OR REPLACE FUNCTION notifications.refuse_dead_letter_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'notifications.dead_letter rows are the audit trail of dead letters: DELETE refused';
END
$$;

CREATE OR REPLACE TRIGGER dead_letter_kept BEFORE DELETE ON notifications.dead_letter
    FOR EACH ROW EXECUTE FUNCTION notifications.refuse_dead_letter_delete();
