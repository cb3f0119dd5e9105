-- The contributions service's database invariants: every trigger function and trigger of the schema, as they are now.
--
-- The service's code keeps these rules first; the triggers are the last line of defence, for any
-- writer. This file is the one place they are defined: the latest migration that changes one runs
-- it again (habitat_common.sql_invariants.execute_sql_file; CREATE OR REPLACE throughout), and
-- tests/integration/test_invariants_sql.py fails when the database after `alembic upgrade head`
-- differs from it. Older migrations created earlier versions; they are history.
--
-- To change an invariant: edit it here and add a migration that calls execute_sql_file() with this
-- file. Statements end with a ';' at the end of a line (outside function bodies).


-- 1. Approvals and revisions name an existing contribution, checked once per statement (an import writes
-- 100,000 in one; a foreign key checked them with a query per row), with a foreign key's SQLSTATE 23503.
-- The other half of a foreign key: a contribution is never removed and its id never changes (a wrong
-- one is corrected or rejected).

CREATE OR REPLACE FUNCTION contributions.require_contribution() RETURNS trigger LANGUAGE plpgsql AS $$
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
$$;

CREATE OR REPLACE FUNCTION contributions.reject_contribution_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'contributions are never removed (% refused): correct or reject them instead', TG_OP
        USING ERRCODE = 'raise_exception';
END
$$;

CREATE OR REPLACE FUNCTION contributions.reject_changed_contribution_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION 'a contribution''s id never changes' USING ERRCODE = 'raise_exception';
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER contribution_approval_insert_has_contribution AFTER INSERT ON contributions.contribution_approval
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contributions.require_contribution();
CREATE OR REPLACE TRIGGER contribution_approval_update_has_contribution AFTER UPDATE ON contributions.contribution_approval
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contributions.require_contribution();
CREATE OR REPLACE TRIGGER contribution_revision_insert_has_contribution AFTER INSERT ON contributions.contribution_revision
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contributions.require_contribution();
CREATE OR REPLACE TRIGGER contribution_revision_update_has_contribution AFTER UPDATE ON contributions.contribution_revision
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contributions.require_contribution();
CREATE OR REPLACE TRIGGER contribution_never_removed BEFORE DELETE OR TRUNCATE ON contributions.contribution
    FOR EACH STATEMENT EXECUTE FUNCTION contributions.reject_contribution_removal();
CREATE OR REPLACE TRIGGER contribution_id_kept BEFORE UPDATE OF id ON contributions.contribution
    FOR EACH ROW EXECUTE FUNCTION contributions.reject_changed_contribution_id();


-- 2. Dead letters are an audit trail: the runtime role may update one as it moves, never delete it.

CREATE OR REPLACE FUNCTION contributions.refuse_dead_letter_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'contributions.dead_letter rows are the audit trail of dead letters: DELETE refused';
END
$$;

CREATE OR REPLACE TRIGGER dead_letter_kept BEFORE DELETE ON contributions.dead_letter
    FOR EACH ROW EXECUTE FUNCTION contributions.refuse_dead_letter_delete();


-- 3. The member change feed (habitat_common.member_changes): not an invariant but a duty of every writer, so
-- kept where no writer can skip it. One row per member whose dashboard a statement changed (their contributions,
-- and each contribution's approvals, revisions and thread), in the writer's transaction: the gateway's dashboard
-- cache learns of every committed change, whoever made it, and of none that was rolled back.

CREATE OR REPLACE FUNCTION contributions.note_contributors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contributions.member_change (member_id) SELECT DISTINCT n.member_id FROM new_rows AS n;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION contributions.note_contributors_of_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contributions.member_change (member_id)
    SELECT DISTINCT c.member_id FROM contributions.contribution AS c
     WHERE c.id IN (SELECT n.contribution_id FROM new_rows AS n);
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER contribution_insert_noted AFTER INSERT ON contributions.contribution
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contributions.note_contributors();
CREATE OR REPLACE TRIGGER contribution_update_noted AFTER UPDATE ON contributions.contribution
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contributions.note_contributors();
CREATE OR REPLACE TRIGGER contribution_approval_insert_noted AFTER INSERT ON contributions.contribution_approval
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contributions.note_contributors_of_children();
CREATE OR REPLACE TRIGGER contribution_approval_update_noted AFTER UPDATE ON contributions.contribution_approval
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contributions.note_contributors_of_children();
CREATE OR REPLACE TRIGGER contribution_revision_insert_noted AFTER INSERT ON contributions.contribution_revision
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contributions.note_contributors_of_children();
CREATE OR REPLACE TRIGGER contribution_revision_update_noted AFTER UPDATE ON contributions.contribution_revision
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contributions.note_contributors_of_children();
CREATE OR REPLACE TRIGGER contribution_message_insert_noted AFTER INSERT ON contributions.contribution_message
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contributions.note_contributors_of_children();
CREATE OR REPLACE TRIGGER contribution_message_update_noted AFTER UPDATE ON contributions.contribution_message
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contributions.note_contributors_of_children();
