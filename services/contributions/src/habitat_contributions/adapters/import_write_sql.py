"""SQL of a contributions import's write, in the import's one transaction, part by part as the passes find nothing
(WRITE_LINES from import_sql's resolved rows, then RECORD_RUN), and of announcing committed imports: their event
batches become outbox rows (STAGE_EVENTS, PENDING_EVENTS).
"""

from __future__ import annotations

from habitat_contributions.adapters.import_sql import RESOLVED
from habitat_contributions.adapters.orm import SCHEMA
from habitat_contributions.domain.model import SNAPSHOT_FIELDS

_MONEY = "::numeric(14, 2)::text"
_DAY = "to_char(n.contributed_on, 'YYYY-MM-DD')"
_REVISION_FIELDS = ", ".join(
    f"'{name}', " + {"contributed_on": _DAY, "description": "n.description"}.get(name, f"n.{name}{_MONEY}")
    for name in SNAPSHOT_FIELDS
)
# The fields of habitat_common.contracts.ImportedContribution as text, the way the contract serialises them
# (ids, dates and decimals are all JSON strings; none can hold a character that JSON would escape, so each
# object is written by concatenation, which is twice as fast as building jsonb).
IMPORTED_CONTRIBUTION = {
    "contribution_id": "n.id::text",
    "member_id": "n.member_id::text",
    "period_id": "n.period_id::text",
    "type": "n.type",
    "contributed_on": _DAY,
    "value": f"n.value{_MONEY}",
    "book_amount": f"n.book_amount{_MONEY}",
    "tax_amount": f"n.tax_amount{_MONEY}",
    "approved_by": "n.decided_by::text",
    "approved_at": """to_char(n.decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""",
}
_IMPORTED = (
    "'{' || "
    + " || ',' || ".join(f"""'"{key}":"' || {expression} || '"'""" for key, expression in IMPORTED_CONTRIBUTION.items())
    + " || '}'"
)
EVENT_ID_SLOT, PAYLOAD_SLOT = '"@event_id@"', '"@payload@"'

# The new rows of lines $3 to $4, in one statement, written while the passes judge the next lines (the import
# writes a part once the passes have found nothing in it or before it): contributions (their id is the uuid5 of
# the reference; submitted at the start of the day contributed, so time-to-decision figures stay sensible), the
# approval of approved ones (approver and time from the file, marked imported by the admin $2: a record, not the
# approver's decision) and revision 1 of pending ones (they may still be edited). Result: how many were written.
# Figures and approvals_required are the format pass's (domain.contribution_rows: the valuation rules and the
# review policy), staged with the row.
# Children are written from `resolved`: under the import lock (LOCKS) no one else can have written these
# references since they were checked. Should one exist all the same, the unique natural key refuses the insert
# and the whole import rolls back rather than leave half of it (no ON CONFLICT: its speculative insertion
# costs a quarter of the insert on a large file).
# $1 import id, $2 actor, $3 first line, $4 last line.
WRITE_LINES = f"""
    WITH resolved AS (
        SELECT * FROM {RESOLVED} WHERE line BETWEEN $3 AND $4 AND existing_id IS NULL
    ), inserted AS (
        INSERT INTO {SCHEMA}.contribution (
            id, member_id, period_id, type, contributed_on, description, hours, rate, amount, fair_market_value,
            adjusted_basis, value, book_amount, tax_amount, status, submitted_at, decided_at, decided_by,
            decision_note, corrects_contribution_id, approvals_required, import_reference, import_id)
        SELECT id, member_id, period_id, type, contributed_on, description, hours, rate, amount, fair_market_value,
               adjusted_basis, value, book_amount, tax_amount, status, contributed_on::timestamp AT TIME ZONE 'UTC',
               decided_at, approver_id, NULL, target_id, approvals_required, reference, $1
        FROM resolved
        RETURNING id
    ), approvals AS (
        INSERT INTO {SCHEMA}.contribution_approval (contribution_id, reviewer_id, approved_at, imported, imported_by)
        SELECT id, approver_id, decided_at, true, $2 FROM resolved WHERE status = 'approved'
    ), revisions AS (
        INSERT INTO {SCHEMA}.contribution_revision (contribution_id, number, fields, edited_at, edited_by)
        SELECT n.id, 1, jsonb_build_object({_REVISION_FIELDS}), now(), $2 FROM resolved AS n WHERE n.status = 'pending'
    )
    SELECT count(*) FROM inserted
"""

# Once every line is written: the import run and its events to come, the ids of newly approved contributions,
# 1,000 per batch in file order (STAGE_EVENTS turns them into outbox rows once the import has committed).
# $1 import id, $2 actor, $3 rows in the file, $4 rows written,
# $5 envelope template (JSON text with EVENT_ID_SLOT and PAYLOAD_SLOT), $6 batch size, $7 headers (jsonb).
RECORD_RUN = f"""
    WITH run AS (
        INSERT INTO {SCHEMA}.contribution_import (id, imported_by, imported_at, row_count, created_count)
        VALUES ($1, $2, now(), $3, $4)
    ), approved AS (
        SELECT n.id, row_number() OVER (ORDER BY n.line) - 1 AS ordinal
        FROM {RESOLVED} AS n WHERE n.status = 'approved' AND n.existing_id IS NULL
    ), batches AS (
        SELECT ordinal / $6 + 1 AS batch, array_agg(id ORDER BY ordinal) AS ids FROM approved GROUP BY 1
    ), announced AS (
        INSERT INTO {SCHEMA}.import_event_batch (import_id, batch, batches, contribution_ids, envelope, headers)
        SELECT $1, batch, count(*) OVER (), ids, $5, $7::jsonb FROM batches
        RETURNING batch
    )
    SELECT count(*) FROM announced
"""

# The events of committed imports (import_event_batch rows not yet staged), up to $2 batches, oldest import
# first: each becomes an outbox row, its payload built from the contributions it names in file order, and is
# marked staged, all in one statement (a batch is claimed with SKIP LOCKED, so concurrent workers share the
# work and none writes an event twice). $1 routing key; result: how many events were written.
STAGE_EVENTS = f"""
    WITH claimed AS (
        SELECT b.import_id, b.batch, b.batches, b.contribution_ids, b.envelope, b.headers
        FROM {SCHEMA}.import_event_batch AS b JOIN {SCHEMA}.contribution_import AS i ON i.id = b.import_id
        WHERE b.staged_at IS NULL
        ORDER BY i.imported_at, b.import_id, b.batch
        LIMIT $2
        FOR UPDATE OF b SKIP LOCKED
    ), staged AS (
        UPDATE {SCHEMA}.import_event_batch AS b SET staged_at = now()
        FROM claimed AS c WHERE b.import_id = c.import_id AND b.batch = c.batch
    ), contents AS (
        SELECT c.import_id, c.batch, string_agg({_IMPORTED}, ',' ORDER BY u.ordinal) AS rows
        FROM claimed AS c
        CROSS JOIN LATERAL unnest(c.contribution_ids) WITH ORDINALITY AS u(id, ordinal)
        JOIN {SCHEMA}.contribution AS n ON n.id = u.id
        GROUP BY c.import_id, c.batch
    ), published AS (
        INSERT INTO {SCHEMA}.outbox (event_id, routing_key, payload, headers)
        SELECT event_id, $1,
               replace(replace(envelope, '{EVENT_ID_SLOT}', '"' || event_id || '"'), '{PAYLOAD_SLOT}',
                       '{{"import_id":"' || import_id || '","batch":' || batch || ',"batches":' || batches
                       || ',"contributions":[' || rows || ']}}')::jsonb,
               headers
        FROM (SELECT gen_random_uuid() AS event_id, c.*, x.rows
              FROM claimed AS c JOIN contents AS x USING (import_id, batch)
              ORDER BY c.import_id, c.batch) AS b
        RETURNING event_id
    )
    SELECT count(*) FROM published
"""

# Events of committed imports not yet staged: how many, and when the oldest import committed.
PENDING_EVENTS = f"""
    SELECT count(*) AS batches, min(i.imported_at) AS oldest
    FROM {SCHEMA}.import_event_batch AS b JOIN {SCHEMA}.contribution_import AS i ON i.id = b.import_id
    WHERE b.staged_at IS NULL
"""
