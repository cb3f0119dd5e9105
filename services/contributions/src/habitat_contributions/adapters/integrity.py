"""Integrity checks over the raw contribution tables, computed by PostgreSQL.

Enums are compared as text on purpose: the checks must catch rows the constraints would have refused
(written by hand, by an old migration or by an import gone wrong). One scan counts every check's
failures; examples are fetched only for the checks that failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from habitat_contributions.adapters.orm import SCHEMA
from habitat_contributions.domain.statuses import ContributionStatus, ContributionType
from habitat_contributions.service_layer.ports import ApprovedTotal, IntegrityCheck

MAX_EXAMPLES = 10
TYPES = ", ".join(f"'{t}'" for t in ContributionType)
STATUSES = ", ".join(f"'{s}'" for s in ContributionStatus)
EXPECTED_VALUE = (
    "CASE c.type::text WHEN 'labor' THEN round(c.hours * c.rate, 2) WHEN 'capital' THEN c.amount"
    " WHEN 'property' THEN c.fair_market_value END"
)
EXPECTED_BOOK = "CASE c.type::text WHEN 'labor' THEN 0 WHEN 'capital' THEN c.amount ELSE c.fair_market_value END"
EXPECTED_TAX = "CASE c.type::text WHEN 'labor' THEN 0 WHEN 'capital' THEN c.amount ELSE c.adjusted_basis END"


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    failing: str  # condition over c (contribution), m, p (its replicas), t (the corrected one), a (approvals)
    example: str  # text naming the offending row


CHECKS = (
    Check("orphaned_contributions", "Every contribution's member and period are known to this service.",
          "m.member_id IS NULL OR p.period_id IS NULL",
          "c.id || CASE WHEN m.member_id IS NULL THEN ': unknown member ' || c.member_id"
          " ELSE ': unknown period ' || c.period_id END"),
    Check("approved_have_decision", "Approved contributions record who decided and when.",
          "c.status::text = 'approved' AND (c.decided_at IS NULL OR c.decided_by IS NULL)", "c.id::text"),
    Check("approved_have_approvals", "Approved contributions have at least one recorded approval.",
          "c.status::text = 'approved' AND a.approvals IS NULL", "c.id::text"),
    Check("positive_amounts", "Values are more than 0, except in corrections.",
          "c.value <= 0 AND c.corrects_contribution_id IS NULL", "c.id || ': value ' || c.value"),
    Check("valid_types", "Types are labor, capital or property.",
          f"c.type IS NULL OR c.type::text NOT IN ({TYPES})", "c.id || ': type ' || coalesce(c.type::text, 'none')"),
    Check("valid_statuses", "Statuses are pending, approved, rejected or clarification_requested.",
          f"c.status IS NULL OR c.status::text NOT IN ({STATUSES})",
          "c.id || ': status ' || coalesce(c.status::text, 'none')"),
    Check("labor_has_hours_and_rate", "Labor contributions have hours (not 0) and a rate.",
          "c.type::text = 'labor' AND (c.hours IS NULL OR c.hours = 0 OR c.rate IS NULL)", "c.id::text"),
    Check("value_matches_inputs",
          "Value is hours x rate for labor, the amount for capital, the fair market value for property.",
          f"c.value IS DISTINCT FROM {EXPECTED_VALUE}",
          f"c.id || ': value ' || coalesce(c.value::text, 'none') || ', expected '"
          f" || coalesce(({EXPECTED_VALUE})::text, 'none')"),
    Check("capital_credits_follow_type",
          "Book and tax credits are 0 for labor, the amount for capital, fair market value and adjusted basis"
          " for property.",
          f"c.book_amount IS DISTINCT FROM {EXPECTED_BOOK} OR c.tax_amount IS DISTINCT FROM {EXPECTED_TAX}",
          "c.id || ': book ' || coalesce(c.book_amount::text, 'none') || ', tax '"
          " || coalesce(c.tax_amount::text, 'none')"),
    Check("corrections_name_own_contribution", "A correction names an existing contribution of the same member.",
          "c.corrects_contribution_id IS NOT NULL AND t.member_id IS DISTINCT FROM c.member_id",
          "c.id || ': corrects ' || c.corrects_contribution_id"),
)  # fmt: skip

FROM = f"""
    FROM {SCHEMA}.contribution AS c
    LEFT JOIN {SCHEMA}.member_replica AS m ON m.member_id = c.member_id
    LEFT JOIN {SCHEMA}.period_replica AS p ON p.period_id = c.period_id
    LEFT JOIN {SCHEMA}.contribution AS t ON t.id = c.corrects_contribution_id
    LEFT JOIN (SELECT contribution_id, count(*) AS approvals FROM {SCHEMA}.contribution_approval
               GROUP BY contribution_id) AS a ON a.contribution_id = c.id
"""
COUNTS = text("SELECT " + ", ".join(f"count(*) FILTER (WHERE ({check.failing}) IS TRUE)" for check in CHECKS) + FROM)
APPROVED_TOTALS = text(
    f"""
    SELECT member_id, count(*) AS count, sum(value) AS value, sum(book_amount) AS book_amount,
           sum(tax_amount) AS tax_amount
    FROM {SCHEMA}.contribution WHERE status = 'approved'
    GROUP BY member_id ORDER BY member_id
    """
)


def _examples(check: Check):
    return text(f"SELECT {check.example} {FROM} WHERE ({check.failing}) IS TRUE ORDER BY c.id LIMIT {MAX_EXAMPLES}")


class SqlIntegrityChecks:
    """Implements service_layer.ports.IntegrityChecks in one read-only snapshot."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def run(self) -> tuple[list[IntegrityCheck], list[ApprovedTotal]]:
        async with self._engine.connect() as conn:
            await conn.execution_options(isolation_level="REPEATABLE READ")
            counts = (await conn.execute(COUNTS)).one()
            results = []
            for check, failures in zip(CHECKS, counts, strict=True):
                examples = list((await conn.scalars(_examples(check))).all()) if failures else []
                results.append(IntegrityCheck(check.name, check.description, failures, examples))
            totals = [ApprovedTotal(*row) for row in await conn.execute(APPROVED_TOTALS)]
        return results, totals
