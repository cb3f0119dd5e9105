-- The ledger's database invariants: every trigger function and trigger of the schema, as they are now.
--
-- The service's code keeps these rules first; the triggers are the last line of defence, for any
-- writer. This file is the one place they are defined: the latest migration that changes one runs
-- it again (habitat_common.sql_invariants.execute_sql_file; CREATE OR REPLACE throughout), and
-- tests/integration/test_invariants_sql.py fails when the database after `alembic upgrade head`
-- differs from it. Older migrations created earlier versions; they are history.
--
-- To change an invariant: edit it here and add a migration that calls execute_sql_file() with this
-- file. Statements end with a ';' at the end of a line (outside function bodies).


-- 1. The journal and patronage are append-only: a mistake is corrected by a reversal, never by an edit.

CREATE OR REPLACE FUNCTION ledger.reject_journal_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger.% is append-only: % refused; record a reversal instead',
        TG_TABLE_NAME, TG_OP USING ERRCODE = 'raise_exception';
END
$$;

CREATE OR REPLACE TRIGGER journal_transaction_append_only BEFORE DELETE OR UPDATE ON ledger.journal_transaction
    FOR EACH ROW EXECUTE FUNCTION ledger.reject_journal_change();
CREATE OR REPLACE TRIGGER journal_transaction_no_truncate BEFORE TRUNCATE ON ledger.journal_transaction
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.reject_journal_change();
CREATE OR REPLACE TRIGGER posting_append_only BEFORE DELETE OR UPDATE ON ledger.posting
    FOR EACH ROW EXECUTE FUNCTION ledger.reject_journal_change();
CREATE OR REPLACE TRIGGER posting_no_truncate BEFORE TRUNCATE ON ledger.posting
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.reject_journal_change();
CREATE OR REPLACE TRIGGER patronage_append_only BEFORE DELETE OR UPDATE ON ledger.patronage
    FOR EACH ROW EXECUTE FUNCTION ledger.reject_journal_change();
CREATE OR REPLACE TRIGGER patronage_no_truncate BEFORE TRUNCATE ON ledger.patronage
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.reject_journal_change();


-- 2. Every journal transaction balances on each basis, checked at commit.
-- A constraint trigger cannot be FOR EACH STATEMENT, so a statement trigger queues the transactions a
-- posting statement touched and a deferred constraint trigger on the queue checks them all with one
-- grouped query at commit (per posting row it cost 40,000 queries to post a 10,000-member allocation).
-- `= ANY(ids)` is an index condition: one lookup per transaction whatever the size of the posting table.

CREATE OR REPLACE FUNCTION ledger.queue_balance_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger.posting_balance_check (transaction_ids)
    SELECT array_agg(DISTINCT transaction_id) FROM new_postings HAVING count(*) > 0;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ledger.check_queued_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    off record;
BEGIN
    SELECT p.transaction_id, p.basis, sum(p.amount) AS total INTO off
      FROM ledger.posting p
     WHERE p.transaction_id = ANY (NEW.transaction_ids)
     GROUP BY p.transaction_id, p.basis
    HAVING sum(p.amount) <> 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal transaction % does not balance on the % basis (sum %)',
            off.transaction_id, off.basis, off.total USING ERRCODE = 'check_violation';
    END IF;
    DELETE FROM ledger.posting_balance_check WHERE id = NEW.id;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER posting_queue_balance_check AFTER INSERT ON ledger.posting
    REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION ledger.queue_balance_check();
-- a constraint trigger cannot be replaced in place
DROP TRIGGER IF EXISTS posting_balance_check_at_commit ON ledger.posting_balance_check;
CREATE CONSTRAINT TRIGGER posting_balance_check_at_commit AFTER INSERT ON ledger.posting_balance_check
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger.check_queued_balance();


-- 3. patronage_total is the running count, sum, id digest and highest seq of a period's patronage per
-- member and type (patronage is append-only, so adding on insert keeps it exact).

CREATE OR REPLACE FUNCTION ledger.add_patronage_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- in key order, so that concurrent inserts lock the totals they share in the same order
    INSERT INTO ledger.patronage_total AS t (period_id, member_id, type, count, value, id_digest, through_seq)
    SELECT period_id, member_id, type, count(*), sum(value), sum(uuid_hash_extended(contribution_id, 0)), max(seq)
      FROM added GROUP BY period_id, member_id, type ORDER BY period_id, member_id, type
    ON CONFLICT (period_id, member_id, type) DO UPDATE
       SET count = t.count + excluded.count, value = t.value + excluded.value,
           id_digest = t.id_digest + excluded.id_digest, through_seq = greatest(t.through_seq, excluded.through_seq);
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER patronage_totals AFTER INSERT ON ledger.patronage
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ledger.add_patronage_totals();


-- 4. High-volume references, checked once per statement instead of a foreign key's query per row
-- (SQLSTATE 23503 all the same); the referenced rows are never removed and their ids never change.

CREATE OR REPLACE FUNCTION ledger.require_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
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
$$;

CREATE OR REPLACE FUNCTION ledger.reject_referenced_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger.% rows are referenced by id and never removed: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'raise_exception';
END
$$;

CREATE OR REPLACE FUNCTION ledger.reject_changed_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION 'ledger.% ids never change', TG_TABLE_NAME USING ERRCODE = 'raise_exception';
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER posting_transaction_id_insert_referenced AFTER INSERT ON ledger.posting
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION ledger.require_referenced('transaction_id', 'journal_transaction');
CREATE OR REPLACE TRIGGER posting_account_id_insert_referenced AFTER INSERT ON ledger.posting
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION ledger.require_referenced('account_id', 'account');
CREATE OR REPLACE TRIGGER allocation_row_allocation_id_insert_referenced AFTER INSERT ON ledger.allocation_row
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION ledger.require_referenced('allocation_id', 'allocation');
CREATE OR REPLACE TRIGGER allocation_row_allocation_id_update_referenced AFTER UPDATE ON ledger.allocation_row
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION ledger.require_referenced('allocation_id', 'allocation');
CREATE OR REPLACE TRIGGER distribution_allocation_id_insert_referenced AFTER INSERT ON ledger.distribution
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION ledger.require_referenced('allocation_id', 'allocation');
CREATE OR REPLACE TRIGGER distribution_allocation_id_update_referenced AFTER UPDATE ON ledger.distribution
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION ledger.require_referenced('allocation_id', 'allocation');
CREATE OR REPLACE TRIGGER account_never_removed BEFORE DELETE OR TRUNCATE ON ledger.account
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.reject_referenced_removal();
CREATE OR REPLACE TRIGGER account_id_kept BEFORE UPDATE OF id ON ledger.account
    FOR EACH ROW EXECUTE FUNCTION ledger.reject_changed_id();
CREATE OR REPLACE TRIGGER allocation_never_removed BEFORE DELETE OR TRUNCATE ON ledger.allocation
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.reject_referenced_removal();
CREATE OR REPLACE TRIGGER allocation_id_kept BEFORE UPDATE OF id ON ledger.allocation
    FOR EACH ROW EXECUTE FUNCTION ledger.reject_changed_id();


-- 5. A member is numbered the first time the ledger sees them, from the replica or from a capital
-- account (a posting that arrived before the member event), and keeps the number for good.

CREATE OR REPLACE FUNCTION ledger.number_members_from_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger.member_number (member_id)
    SELECT s.id FROM (SELECT DISTINCT id FROM new_rows) AS s(id)
     WHERE NOT EXISTS (SELECT 1 FROM ledger.member_number AS n WHERE n.member_id = s.id)
     ORDER BY s.id ON CONFLICT (member_id) DO NOTHING;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ledger.number_members_from_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger.member_number (member_id)
    SELECT s.id FROM (SELECT DISTINCT member_id FROM new_rows WHERE kind = 'member_capital' AND member_id IS NOT NULL) AS s(id)
     WHERE NOT EXISTS (SELECT 1 FROM ledger.member_number AS n WHERE n.member_id = s.id)
     ORDER BY s.id ON CONFLICT (member_id) DO NOTHING;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER number_members AFTER INSERT ON ledger.member
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger.number_members_from_member();
CREATE OR REPLACE TRIGGER number_members AFTER INSERT ON ledger.account
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger.number_members_from_account();


-- 6. Dead letters are an audit trail: the runtime role may update one as it moves, never delete it.

CREATE OR REPLACE FUNCTION ledger.refuse_dead_letter_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger.dead_letter rows are the audit trail of dead letters: DELETE refused';
END
$$;

CREATE OR REPLACE TRIGGER dead_letter_kept BEFORE DELETE ON ledger.dead_letter
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_dead_letter_delete();


-- The member change feed (habitat_common.member_changes): not an invariant but a duty of every writer, so kept
-- where no writer can skip it. One row per member whose capital account a posting statement moved, in the
-- writer's transaction: the gateway's dashboard cache learns of every committed booking, whoever made it, and
-- of none that was rolled back. Postings are never updated or deleted (above).

CREATE OR REPLACE FUNCTION ledger.note_capital_holders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger.member_change (member_id)
    SELECT DISTINCT a.member_id FROM ledger.account AS a
     WHERE a.kind = 'member_capital' AND a.id IN (SELECT n.account_id FROM new_rows AS n);
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER posting_insert_noted AFTER INSERT ON ledger.posting
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger.note_capital_holders();
