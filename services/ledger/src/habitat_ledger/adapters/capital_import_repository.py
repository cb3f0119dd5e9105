"""A capital accounts import in SQL: rows COPYed into a temporary staging table, checked and planned there.

Both temporary tables live in the import's transaction (ON COMMIT DROP; a rollback takes them too).
They are dropped first as well, for a second import on a connection whose transaction is still open.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from habitat_common.csv_stream import MAX_LISTED, CsvProblem, ProblemLog
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.import_tables import capital_import
from habitat_ledger.domain.journal.capital_import import ImportSummary, OpeningBalanceRow, PlannedRow
from habitat_ledger.domain.journal.opening_balance import CurrentOpening, OpeningBalance, OpeningChange
from habitat_ledger.domain.journal.transactions import AccountKind, AccountRef, Basis, Leg
from habitat_ledger.domain.periods.lock import Lock
from habitat_ledger.service_layer.journal.ports import CapitalImportRun

STAGING_COLUMNS = ("line", "email", "book", "tax", "as_of", "note")
START = (
    # the passes are small joins; compiling them (JIT) costs more than running them
    "SET LOCAL jit = off",
    "DROP TABLE IF EXISTS pg_temp.capital_import_staging",
    "DROP TABLE IF EXISTS pg_temp.capital_import_plan",
    (
        "CREATE TEMP TABLE capital_import_staging (line integer NOT NULL, email text NOT NULL,"
        " book numeric(14, 2) NOT NULL, tax numeric(14, 2) NOT NULL, as_of date NOT NULL, note text) ON COMMIT DROP"
    ),
)
UNKNOWN_MEMBERS = text(
    "SELECT s.line, s.email, count(*) OVER () FROM capital_import_staging s"
    " WHERE NOT EXISTS (SELECT 1 FROM ledger.member m WHERE lower(m.email) = s.email)"
    " ORDER BY s.line LIMIT :limit"
)
# Each row, its member, the opening balance in force (not reversed) and the action: 'unchanged' when
# the file restates what is in force (or a zero balance where there is none), else created/updated.
PLAN = text(
    "CREATE TEMP TABLE capital_import_plan ON COMMIT DROP AS"
    " WITH members AS (SELECT DISTINCT ON (lower(email)) lower(email) AS email, id FROM ledger.member"
    "   ORDER BY lower(email), updated_at DESC),"
    " current AS (SELECT DISTINCT ON (t.member_id) t.member_id, t.id, t.occurred_on FROM ledger.journal_transaction t"
    "   WHERE t.source_type = 'opening_balance'"
    "   AND NOT EXISTS (SELECT 1 FROM ledger.journal_transaction r WHERE r.reverses_id = t.id)"
    "   ORDER BY t.member_id, t.recorded_at DESC, t.id)"
    " SELECT s.line, s.email, m.id AS member_id, s.book, s.tax, s.as_of, s.note, c.id AS current_id,"
    "   c.occurred_on AS current_on,"
    "   EXISTS (SELECT 1 FROM ledger.journal_transaction o"
    "     WHERE o.source_type = 'opening_balance' AND o.member_id = m.id) AS had_opening,"
    "   CASE WHEN c.id IS NULL AND s.book = 0 AND s.tax = 0 THEN 'unchanged'"
    "     WHEN c.id IS NULL THEN 'created'"
    "     WHEN (c.occurred_on, a.book, a.tax) = (s.as_of, s.book, s.tax) THEN 'unchanged'"
    "     ELSE 'updated' END AS action"
    " FROM capital_import_staging s JOIN members m ON m.email = s.email"
    " LEFT JOIN current c ON c.member_id = m.id"
    # lateral: an index probe per row, whatever the statistics say right after a bulk insert
    " CROSS JOIN LATERAL (SELECT -coalesce(sum(p.amount) FILTER (WHERE p.basis = 'book'), 0) AS book,"
    "   -coalesce(sum(p.amount) FILTER (WHERE p.basis = 'tax'), 0) AS tax"
    "   FROM ledger.posting p WHERE p.transaction_id = c.id AND p.account_id ="
    "   (SELECT id FROM ledger.account WHERE code = 'member:' || m.id || '\\:capital')) AS a"
)
# Rows that change nothing slip nothing under the lock date, so a re-run after a close still passes.
# The lock date (domain/periods/lock.py) comes in as :through (NULL: nothing locked) with :because, its reason.
RULE_BREACHES = text(
    "WITH locked AS (SELECT CAST(:through AS date) AS through, CAST(:because AS text) AS because)"
    " SELECT line, field, code, message, count(*) OVER () FROM ("
    "  SELECT line, 'as_of' AS field, 'future_date' AS code,"
    "   format('The balance date %s is after today (%s).', as_of, CAST(:today AS date)) AS message"
    "   FROM capital_import_plan WHERE as_of > :today"
    "  UNION ALL SELECT line, 'as_of', 'period_locked', format('The balance date %s is on or before %s, %s:"
    " an opening balance cannot be slipped under the locked books.', as_of, through, because)"
    "   FROM capital_import_plan, locked WHERE action <> 'unchanged' AND as_of <= through"
    "  UNION ALL SELECT line, 'member_email', 'opening_balance_locked', format('The opening balance of %s in force is"
    " dated %s, on or before %s, %s; it can no longer be replaced.', email, current_on, through, because)"
    "   FROM capital_import_plan, locked WHERE action = 'updated' AND current_on <= through"
    " ) AS breach ORDER BY line, field LIMIT :limit"
)
REPEATED_MEMBERS = text(
    "WITH repeated AS (SELECT member_id, (array_agg(line ORDER BY line))[1:5] AS lines, count(*) AS n"
    "   FROM capital_import_plan GROUP BY member_id HAVING count(*) > 1)"
    " SELECT p.line, p.email, r.lines, r.n, count(*) OVER ()"
    " FROM capital_import_plan p JOIN repeated r USING (member_id) ORDER BY p.line LIMIT :limit"
)
SUMMARY = text(
    "SELECT count(*), count(*) FILTER (WHERE action = 'created'), count(*) FILTER (WHERE action = 'updated'),"
    " count(*) FILTER (WHERE action = 'unchanged'), coalesce(sum(book), 0), coalesce(sum(tax), 0)"
    " FROM capital_import_plan"
)
SAMPLE = text(
    "SELECT line, email, member_id, book, tax, as_of, note, action FROM capital_import_plan ORDER BY line LIMIT :limit"
)
CHANGES = text(
    "SELECT p.member_id, p.book, p.tax, p.as_of, p.note, p.had_opening, p.current_id, p.current_on, t.description"
    " FROM capital_import_plan p LEFT JOIN ledger.journal_transaction t ON t.id = p.current_id"
    " WHERE p.action <> 'unchanged' ORDER BY p.line"
)
CURRENT_LEGS = text(
    "SELECT p.transaction_id, a.code, a.kind, a.member_id, p.basis, p.amount"
    " FROM ledger.posting p JOIN ledger.account a ON a.id = p.account_id"
    " WHERE p.transaction_id IN (SELECT current_id FROM capital_import_plan WHERE action = 'updated')"
    " ORDER BY p.id"
)
STAGED_SHA256 = text(
    "SELECT encode(sha256(convert_to(coalesce(string_agg(concat_ws(E'\\t', line, email, book, tax, as_of, note), E'\\n'"
    " ORDER BY line), ''), 'UTF8')), 'hex') FROM capital_import_staging"
)
KEEP = text(
    "INSERT INTO ledger.money_move_import_row (money_move_id, line, email, book, tax, as_of, note)"
    " SELECT :move_id, line, email, book, tax, as_of, note FROM capital_import_staging"
)
RESTAGE = text(
    "INSERT INTO capital_import_staging (line, email, book, tax, as_of, note)"
    " SELECT line, email, book, tax, as_of, note FROM ledger.money_move_import_row WHERE money_move_id = :move_id"
)
# one import at a time changes opening balances; a second waits and then plans on what the first did
SERIALISE = text("SELECT pg_advisory_xact_lock(hashtext('ledger.capital_import'))")


class SqlAlchemyCapitalImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def start(self) -> None:
        for statement in START:
            await self.session.execute(text(statement))

    async def stage(self, rows: list[OpeningBalanceRow]) -> None:
        """COPY, binary: the fastest way in, one round trip per batch."""
        connection = await self.session.connection()
        raw = await connection.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(
            "capital_import_staging",
            records=[(r.line, r.member_email, r.book_balance, r.tax_balance, r.as_of, r.note) for r in rows],
            columns=STAGING_COLUMNS,
        )

    async def unknown_members(self, columns: dict[str, int]) -> ProblemLog:
        # the first pass over the staged rows: give the planner their statistics (autovacuum never sees temp tables)
        await self.session.execute(text("ANALYZE capital_import_staging"))
        rows = (await self.session.execute(UNKNOWN_MEMBERS, {"limit": MAX_LISTED})).all()
        message = "No member with the email {} is known to the ledger; members come from identity, onboard them first."
        problems = [
            CsvProblem(line, columns["member_email"], "member_email", "unknown_member", message.format(email))
            for line, email, _ in rows
        ]
        return ProblemLog(listed=problems, count=rows[0][-1] if rows else 0)

    async def plan(self, *, exclusive: bool) -> None:
        if exclusive:
            await self.session.execute(SERIALISE)
        await self.session.execute(PLAN)
        await self.session.execute(text("ANALYZE capital_import_plan"))

    async def rule_breaches(self, today: date, lock: Lock | None, columns: dict[str, int]) -> ProblemLog:
        locked = {"through": lock.through if lock else None, "because": lock.because if lock else None}
        rows = (await self.session.execute(RULE_BREACHES, {"today": today, "limit": MAX_LISTED, **locked})).all()
        problems = [CsvProblem(line, columns[field], field, code, message) for line, field, code, message, _ in rows]
        problems.sort(key=lambda p: (p.line, p.column))
        return ProblemLog(listed=problems, count=rows[0][-1] if rows else 0)

    async def repeated_members(self, columns: dict[str, int]) -> ProblemLog:
        rows = (await self.session.execute(REPEATED_MEMBERS, {"limit": MAX_LISTED})).all()
        problems = []
        for line, email, lines, times, _ in rows:
            listed = ", ".join(str(n) for n in lines) + (", …" if times > len(lines) else "")
            message = f"{email} appears {times} times in the file (lines {listed}); a member has one opening balance."
            problems.append(CsvProblem(line, columns["member_email"], "member_email", "duplicate_member", message))
        return ProblemLog(listed=problems, count=rows[0][-1] if rows else 0)

    async def summary(self) -> ImportSummary:
        return ImportSummary(*(await self.session.execute(SUMMARY)).one())

    async def sample(self, limit: int) -> list[PlannedRow]:
        return [PlannedRow(*row) for row in await self.session.execute(SAMPLE, {"limit": limit})]

    async def changes(self) -> list[OpeningChange]:
        legs: dict[uuid.UUID, list[Leg]] = defaultdict(list)
        for transaction_id, code, kind, member_id, basis, amount in await self.session.execute(CURRENT_LEGS):
            legs[transaction_id].append(Leg(AccountRef(code, AccountKind(kind), member_id), Basis(basis), amount))
        changes = []
        for member_id, book, tax, as_of, note, had_opening, current_id, current_on, description in (
            await self.session.execute(CHANGES)
        ):
            current = CurrentOpening(current_id, current_on, description, legs[current_id]) if current_id else None
            changes.append(OpeningChange(OpeningBalance(member_id, book, tax, as_of, note), current, not had_opening))
        return changes

    async def record(self, run: CapitalImportRun) -> None:
        s = run.summary
        await self.session.execute(
            insert(capital_import).values(
                id=run.id, imported_by=run.by, imported_at=run.at, row_count=s.rows, created=s.created,
                updated=s.updated, unchanged=s.unchanged, book_total=s.book_total, tax_total=s.tax_total,
            )
        )

    async def staged_sha256(self) -> str:
        return await self.session.scalar(STAGED_SHA256)

    async def keep(self, move_id: uuid.UUID) -> None:
        await self.session.execute(KEEP, {"move_id": move_id})

    async def restage(self, move_id: uuid.UUID) -> None:
        await self.session.execute(RESTAGE, {"move_id": move_id})
