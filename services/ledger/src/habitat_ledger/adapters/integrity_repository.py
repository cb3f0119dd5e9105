"""Integrity checks as SQL over the raw tables: each names its offending rows, and all run as one statement.

The database already refuses most of these (foreign keys, CHECK constraints, the deferred balance
trigger); the checks look anyway, because a restore, a manual fix or a disabled trigger gets past them.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.domain.exports.integrity import MAX_EXAMPLES, CheckResult, ContributionTotal
from habitat_ledger.domain.journal.transactions import AccountKind, SourceType

SOURCE_TYPES = ", ".join(f"'{s}'" for s in SourceType)
ACCOUNT_KINDS = ", ".join(f"'{k}'" for k in AccountKind)

# name, description, query of one short text per offending row (the first MAX_EXAMPLES are shown)
CHECKS: tuple[tuple[str, str, str], ...] = (
    (
        "transactions_balance",
        "Every journal transaction's postings sum to zero on each basis.",
        (
            "SELECT format('transaction %s: %s basis off by %s', transaction_id, basis, total) FROM"
            " (SELECT transaction_id, basis, sum(amount) AS total FROM ledger.posting GROUP BY 1, 2"
            " HAVING sum(amount) <> 0) AS off"
        ),
    ),
    (
        "transactions_have_postings",
        "Every journal transaction has postings.",
        (
            "SELECT format('transaction %s', t.id) FROM ledger.journal_transaction t"
            " WHERE NOT EXISTS (SELECT 1 FROM ledger.posting p WHERE p.transaction_id = t.id)"
        ),
    ),
    (
        "postings_have_accounts",
        "Every posting belongs to an existing transaction and account, on the book or tax basis.",
        (
            "SELECT format('posting %s', p.id) FROM ledger.posting p"
            " WHERE NOT EXISTS (SELECT 1 FROM ledger.account a WHERE a.id = p.account_id)"
            " OR NOT EXISTS (SELECT 1 FROM ledger.journal_transaction t WHERE t.id = p.transaction_id)"
            " OR p.basis NOT IN ('book', 'tax')"
        ),
    ),
    (
        "valid_source_types",
        "Every transaction's source is a known kind, and exactly the reversals reference an existing transaction.",
        (
            "SELECT format('transaction %s (%s)', t.id, t.source_type) FROM ledger.journal_transaction t"
            f" WHERE t.source_type NOT IN ({SOURCE_TYPES})"
            " OR (t.source_type = 'reversal') <> (t.reverses_id IS NOT NULL)"
            " OR (t.reverses_id IS NOT NULL"
            "     AND NOT EXISTS (SELECT 1 FROM ledger.journal_transaction o WHERE o.id = t.reverses_id))"
        ),
    ),
    (
        "accounts_well_formed",
        "Every account has a known kind; member capital accounts, and only they, name their member in code and column.",
        (
            "SELECT format('account %s (%s)', a.id, a.code) FROM ledger.account a"
            f" WHERE a.kind NOT IN ({ACCOUNT_KINDS}) OR (a.kind = 'member_capital') <> (a.member_id IS NOT NULL)"
            " OR (a.kind = 'member_capital' AND a.code <> 'member:' || a.member_id || '\\:capital')"
        ),
    ),
    (
        # the capital account read path sums the account found by code; the statement path sums,
        # per transaction, the postings on member_capital accounts of the member; both must equal
        # a fresh sum of the postings on accounts of that member
        "capital_equals_postings",
        (
            "Each member's capital balance as the capital account and statement read it equals a fresh sum of "
            "the member's capital postings, per basis."
        ),
        (
            "WITH fresh AS (SELECT a.member_id, p.basis, sum(p.amount) AS total FROM ledger.posting p"
            "   JOIN ledger.account a ON a.id = p.account_id WHERE a.member_id IS NOT NULL GROUP BY 1, 2),"
            " balance AS (SELECT m.member_id, p.basis, sum(p.amount) AS total"
            "   FROM (SELECT DISTINCT member_id FROM fresh) AS m"
            "   JOIN ledger.account a ON a.code = 'member:' || m.member_id || '\\:capital'"
            "   JOIN ledger.posting p ON p.account_id = a.id"
            "   JOIN ledger.journal_transaction t ON t.id = p.transaction_id GROUP BY 1, 2),"
            " statement AS (SELECT member_id, basis, sum(total) AS total FROM"
            "   (SELECT a.member_id, t.id, p.basis, sum(p.amount) AS total FROM ledger.posting p"
            "    JOIN ledger.journal_transaction t ON t.id = p.transaction_id"
            "    JOIN ledger.account a ON a.id = p.account_id"
            "    WHERE a.kind = 'member_capital' GROUP BY 1, 2, 3) AS per_transaction GROUP BY 1, 2)"
            " SELECT format('member %s, %s basis: postings %s, balance %s, statement %s', member_id, basis,"
            "   -coalesce(f.total, 0), -coalesce(b.total, 0), -coalesce(s.total, 0))"
            " FROM fresh f FULL JOIN balance b USING (member_id, basis) FULL JOIN statement s USING (member_id, basis)"
            " WHERE coalesce(f.total, 0) <> coalesce(b.total, 0) OR coalesce(f.total, 0) <> coalesce(s.total, 0)"
        ),
    ),
    (
        "orphaned_capital_accounts",
        "Every member capital account belongs to a member in the member replica.",
        (
            "SELECT format('account %s (member %s)', a.id, a.member_id) FROM ledger.account a"
            " WHERE a.kind = 'member_capital' AND NOT EXISTS (SELECT 1 FROM ledger.member m WHERE m.id = a.member_id)"
        ),
    ),
    (
        "orphaned_patronage",
        "Every patronage record belongs to a period that exists.",
        (
            "SELECT format('contribution %s (period %s)', r.contribution_id, r.period_id) FROM ledger.patronage r"
            " WHERE NOT EXISTS (SELECT 1 FROM ledger.period p WHERE p.id = r.period_id)"
        ),
    ),
    (
        "patronage_totals_match_rows",
        "The running patronage totals a proposal reads equal a fresh count and sum of the patronage rows.",
        (
            "SELECT format('period %s member %s %s', coalesce(f.period_id, t.period_id), coalesce(f.member_id, t.member_id),"
            " coalesce(f.type, t.type)) FROM (SELECT period_id, member_id, type, count(*) AS count, sum(value) AS value,"
            " sum(uuid_hash_extended(contribution_id, 0)) AS id_digest, max(seq) AS through_seq FROM ledger.patronage"
            " GROUP BY 1, 2, 3) AS f FULL JOIN ledger.patronage_total t USING (period_id, member_id, type)"
            " WHERE (f.count, f.value, f.id_digest, f.through_seq) IS DISTINCT FROM"
            " (t.count, t.value, t.id_digest, t.through_seq)"
        ),
    ),
    (
        "contributions_have_patronage",
        "Every contribution transaction has its contribution's patronage record, of the same member.",
        (
            "SELECT format('transaction %s (contribution %s)', t.id, t.source_id) FROM ledger.journal_transaction t"
            " WHERE t.source_type = 'contribution' AND NOT EXISTS (SELECT 1 FROM ledger.patronage r"
            "   WHERE r.contribution_id = t.source_id AND r.member_id IS NOT DISTINCT FROM t.member_id)"
        ),
    ),
    (
        "single_opening_balance",
        "Each member has at most one opening balance in force (not reversed).",
        (
            "SELECT format('member %s (%s opening balances)', member_id, count(*)) FROM ledger.journal_transaction t"
            " WHERE t.source_type = 'opening_balance' AND t.member_id IS NOT NULL"
            "   AND NOT EXISTS (SELECT 1 FROM ledger.journal_transaction r WHERE r.reverses_id = t.id)"
            " GROUP BY member_id HAVING count(*) > 1"
        ),
    ),
    (
        "unresolved_exceptions",
        "No approved contribution is kept aside unapplied (waiting for its period, or dated in a closed period).",
        "SELECT format('contribution %s: %s', e.key, e.reason) FROM ledger.pending_event e WHERE e.applied_at IS NULL",
    ),
)
# one statement: every check reads the same snapshot
RUN_CHECKS = text(
    " UNION ALL ".join(
        f"(SELECT {n}, (SELECT count(*) FROM ({query}) AS c{n}),"
        f" ARRAY(SELECT * FROM ({query}) AS e{n}(example) ORDER BY 1 LIMIT {MAX_EXAMPLES}))"
        for n, (_, _, query) in enumerate(CHECKS)
    )
)
CONTRIBUTION_TOTALS = text(
    "WITH patronage AS (SELECT member_id, count(*) AS n, sum(value) AS value FROM ledger.patronage GROUP BY 1),"
    " capital AS (SELECT a.member_id, -coalesce(sum(p.amount) FILTER (WHERE p.basis = 'book'), 0) AS book,"
    "   -coalesce(sum(p.amount) FILTER (WHERE p.basis = 'tax'), 0) AS tax"
    "   FROM ledger.posting p JOIN ledger.journal_transaction t ON t.id = p.transaction_id"
    "   JOIN ledger.account a ON a.id = p.account_id"
    "   WHERE t.source_type = 'contribution' AND a.kind = 'member_capital' GROUP BY 1)"
    " SELECT member_id, coalesce(n, 0), coalesce(value, 0), coalesce(book, 0), coalesce(tax, 0)"
    " FROM patronage FULL JOIN capital USING (member_id) ORDER BY member_id"
)


class SqlAlchemyIntegrityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def run_checks(self) -> list[CheckResult]:
        found = {n: (failures, examples) for n, failures, examples in await self.session.execute(RUN_CHECKS)}
        return [
            CheckResult(name, description, found[n][0], list(found[n][1]))
            for n, (name, description, _) in enumerate(CHECKS)
        ]

    async def contribution_totals(self) -> list[ContributionTotal]:
        return [ContributionTotal(*row) for row in await self.session.execute(CONTRIBUTION_TOTALS)]
