"""SQL of a contributions import up to its judgement: the staging table, the staged rows resolved against this
service's tables, the summary and the sample, all in the import's one transaction. What it writes, and the
statement that turns committed imports' event batches into outbox rows, are in import_write_sql.
"""

from __future__ import annotations

from habitat_contributions.adapters.orm import SCHEMA
from habitat_contributions.domain.contribution_rows import STAGED

STAGING = "import_staging"
# The staged row (domain.contribution_rows.STAGED): text from the file, cast by PostgreSQL on COPY.
STAGED_TYPES = {
    "line": "integer NOT NULL",
    "id": "uuid NOT NULL",
    "reference": "text NOT NULL",
    "member_email": "text NOT NULL",
    "period": "text NOT NULL",
    "type": "text NOT NULL",
    "contributed_on": "date NOT NULL",
    "description": "text NOT NULL",
    "hours": "numeric",
    "rate": "numeric",
    "amount": "numeric",
    "fair_market_value": "numeric",
    "adjusted_basis": "numeric",
    "status": "text NOT NULL",
    "approver_email": "text",
    "decided_at": "timestamptz",
    "corrects_reference": "text",
    "value": "numeric",
    "book_amount": "numeric",
    "tax_amount": "numeric",
    "approvals_required": "smallint",
}
assert tuple(STAGED_TYPES) == STAGED
STAGING_TABLE = f"""
    CREATE TEMPORARY TABLE {STAGING} ({", ".join(f"{name} {kind}" for name, kind in STAGED_TYPES.items())})
    ON COMMIT DROP
"""
# For this transaction only: messages and casts in UTC, sorts and hashes over a whole file in memory, no JIT
# (its compile time is most of a pass's cost).
PAYLOAD_COMPRESSION = "SET LOCAL default_toast_compression = 'lz4'"  # events' large payloads: pglz takes 5x longer
SETTINGS = (
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL work_mem = '64MB'",
    "SET LOCAL jit = off",
)

# One import at a time: each sees what the previous one wrote, so a reference imported concurrently with
# other values is reported as a conflict rather than skipped. The periods the file names are held against
# sealing until the import commits (as a submission holds its own).
LOCKS = (
    f"SELECT pg_advisory_xact_lock(hashtext('{SCHEMA}.contribution_import'))",
    f"""
    SELECT 1 FROM {SCHEMA}.period_replica
    WHERE lower(name) IN (SELECT DISTINCT lower(period) FROM {STAGING})
    FOR SHARE
    """,
)

# Members by email and periods by name (case-insensitive); `matches` tells unknown (NULL) from ambiguous (> 1).
# Targets: the contributions that rows correct, from the file (first row of a reference) or imported before,
# with what rule 10 looks at (type, status, figures, whether it is itself a correction).
_NAMES = f"""
    members AS (
        SELECT lower(email) AS email, count(*) AS matches,
               (array_agg(member_id ORDER BY member_id))[1] AS member_id,
               (array_agg(role ORDER BY member_id))[1] AS role,
               (array_agg(joined_at ORDER BY member_id))[1] AS joined_at
        FROM {SCHEMA}.member_replica WHERE email IS NOT NULL GROUP BY lower(email)
    ), periods AS (
        SELECT lower(name) AS name, count(*) AS matches,
               (array_agg(period_id ORDER BY period_id))[1] AS period_id,
               (array_agg(starts_on ORDER BY period_id))[1] AS starts_on,
               (array_agg(ends_on ORDER BY period_id))[1] AS ends_on,
               (array_agg(status ORDER BY period_id))[1] AS status
        FROM {SCHEMA}.period_replica GROUP BY lower(name)
    )
"""
_PRELUDE = f"""
    {_NAMES}, corrected AS (
        SELECT DISTINCT corrects_reference AS reference FROM {STAGING} WHERE corrects_reference IS NOT NULL
    ), file_targets AS (
        SELECT DISTINCT ON (s.reference) s.reference, s.id, m.member_id, s.status, s.type, s.corrects_reference,
               s.value, s.book_amount, s.tax_amount
        FROM {STAGING} AS s JOIN corrected USING (reference) LEFT JOIN members AS m ON m.email = s.member_email
        ORDER BY s.reference, s.line
    ), targets AS (
        SELECT * FROM file_targets
        UNION ALL
        SELECT c.import_reference, c.id, c.member_id, c.status::text, c.type::text,
               c.corrects_contribution_id::text, c.value, c.book_amount, c.tax_amount
        FROM {SCHEMA}.contribution AS c JOIN corrected ON corrected.reference = c.import_reference
        WHERE c.import_reference NOT IN (SELECT reference FROM file_targets)
    )
"""
_FROM = """
    FROM {source} AS s
    LEFT JOIN members AS m ON m.email = s.member_email
    LEFT JOIN periods AS p ON p.name = lower(s.period)
    LEFT JOIN members AS a ON a.email = s.approver_email
    LEFT JOIN {schema}.contribution AS e ON e.import_reference = s.reference
    LEFT JOIN targets AS t ON t.reference = s.corrects_reference
"""
_RESOLVED = """
    s.*,
    m.member_id, p.period_id, a.member_id AS approver_id,
    e.id AS existing_id,
    t.id AS target_id, t.member_id AS target_member_id, t.status AS target_status, t.type AS target_type,
    t.corrects_reference AS target_corrects, t.value AS target_value, t.book_amount AS target_book_amount,
    t.tax_amount AS target_tax_amount
"""
# What the reconciliation pass compares with: the contribution imported before and how to show it.
COMPARED_COLUMNS = (
    "member_id",
    "period_id",
    "type",
    "contributed_on",
    "description",
    "hours",
    "rate",
    "amount",
    "fair_market_value",
    "adjusted_basis",
    "status",
    "decided_by",
    "decided_at",
    "corrects_contribution_id",
)
_EXISTING = ", ".join(f"e.{column} AS e_{column}" for column in COMPARED_COLUMNS)
_SHOWN = "em.email AS e_member_email, ea.email AS e_approver_email, ep.name AS e_period_name, d.first_line"


_FROM_STAGING = _FROM.format(source=STAGING, schema=SCHEMA)
RESOLVED = "import_resolved"
# Every staged row with what the database knows, the earlier import's values and the first line of a repeated
# reference; built once, after LOCKS, and read by the passes, the summary, the sample and the write.
RESOLVE = f"""
    CREATE TEMPORARY TABLE {RESOLVED} ON COMMIT DROP AS
    WITH {_PRELUDE}, duplicated AS (
        SELECT reference, min(line) AS first_line FROM {STAGING} GROUP BY reference HAVING count(*) > 1
    )
    SELECT {_RESOLVED}, {_EXISTING}, {_SHOWN}
    {_FROM_STAGING}
    LEFT JOIN duplicated AS d ON d.reference = s.reference
    LEFT JOIN {SCHEMA}.member_replica AS em ON em.member_id = e.member_id
    LEFT JOIN {SCHEMA}.member_replica AS ea ON ea.member_id = e.decided_by
    LEFT JOIN {SCHEMA}.period_replica AS ep ON ep.period_id = e.period_id
"""

# The write takes the resolved rows a part of the file at a time (import_write_sql.WRITE_LINES).
RESOLVED_BY_LINE = f"CREATE INDEX ON {RESOLVED} (line)"

# What the names of a file resolve to (domain/import_passes.Names): members by email (the file's are lower-cased
# already), periods by the names the file writes.
NAMED_MEMBERS = f"WITH {_NAMES} SELECT email, matches, member_id, role, joined_at FROM members"
NAMED_PERIODS = f"""
    WITH {_NAMES}
    SELECT s.period, p.matches, p.period_id, p.starts_on, p.ends_on, p.status
    FROM (SELECT DISTINCT period FROM {STAGING}) AS s JOIN periods AS p ON p.name = lower(s.period)
"""
# The resolved rows as the passes judge them (domain/import_passes.ResolvedRow), in line order: the row's own
# values, the first line of its reference when repeated, what it corrects with that original's corrections
# approved in the database (records, NULL when none: few rows correct another), then for a reference imported
# before the row's description and that contribution's values (plain columns, NULL when new: a re-run has one
# per row, and asyncpg decodes anonymous records ten times slower).
_STORED = ", ".join(
    f"e_{column}::text" if column in ("type", "status") else f"e_{column}"
    for column in ("member_id", "member_email", "period_id", "period_name", "type", "contributed_on", "description",
                   "hours", "rate", "amount", "fair_market_value", "adjusted_basis", "status", "decided_by",
                   "approver_email", "decided_at", "corrects_contribution_id")
)  # fmt: skip
RESOLVED_ROWS = f"""
    SELECT r.line, r.reference, r.member_email, r.period, r.type, r.contributed_on, r.hours, r.rate,
           r.amount, r.fair_market_value, r.adjusted_basis, r.status, r.approver_email, r.decided_at,
           r.corrects_reference, r.first_line,
           CASE WHEN r.target_id IS NOT NULL THEN ROW(r.target_id, r.target_member_id, r.target_type,
                r.target_status, r.target_corrects, r.target_value, r.target_book_amount, r.target_tax_amount)
           END AS target,
           CASE WHEN r.target_id IS NOT NULL AND r.existing_id IS NULL THEN (
               SELECT ROW(coalesce(sum(c.value), 0), coalesce(sum(c.book_amount), 0), coalesce(sum(c.tax_amount), 0))
               FROM {SCHEMA}.contribution AS c
               WHERE c.corrects_contribution_id = r.target_id AND c.status = 'approved'
           ) END AS approved_before,
           CASE WHEN r.existing_id IS NOT NULL THEN r.description END AS description,
           {_STORED}
    FROM {RESOLVED} AS r
    ORDER BY r.line
"""

SUMMARY = f"""
    SELECT type, status, count(*) AS rows, count(*) FILTER (WHERE existing_id IS NULL) AS created,
           coalesce(sum(value) FILTER (WHERE status = 'approved'), 0) AS approved_value
    FROM {RESOLVED}
    GROUP BY type, status
"""

# What is (or would be) written: the first new rows of the file.
SAMPLE = f"""
    SELECT line, reference, id, member_id, member_email, period_id, period, type, contributed_on, description,
           hours::numeric(14, 2) AS hours, rate::numeric(14, 2) AS rate, amount::numeric(14, 2) AS amount,
           fair_market_value::numeric(14, 2) AS fair_market_value,
           adjusted_basis::numeric(14, 2) AS adjusted_basis,
           value::numeric(14, 2) AS value, book_amount::numeric(14, 2) AS book_amount,
           tax_amount::numeric(14, 2) AS tax_amount,
           status, approver_id AS decided_by, approver_email, decided_at,
           target_id AS corrects_contribution_id, corrects_reference
    FROM {RESOLVED} WHERE existing_id IS NULL ORDER BY line LIMIT $1
"""
