"""The registry's integrity checks as SQL over the raw table, so they see what constraints might not."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_identity.domain.integrity import IntegrityCheck
from habitat_identity.domain.model import ROLES

EXAMPLES = 10
STATUSES = ("pending", "active", "inactive")
# The seed journal's address check: something@something.something, no spaces.
EMAIL_PATTERN = r"^[^\s@]+@[^\s@]+\.[^\s@]+$"

CHECKS: tuple[tuple[str, str, str], ...] = (
    ("valid_emails", "Every member's email address is well formed.",
     "SELECT id::text || ' ' || email FROM identity.member WHERE email !~ :email_pattern"),
    ("unique_emails", "No two members share an email address (case-insensitive).",
     "SELECT lower(email) FROM identity.member GROUP BY lower(email) HAVING count(*) > 1"),
    ("valid_roles", "Every member's role is member, steward or admin.",
     "SELECT id::text || ' ' || role FROM identity.member WHERE NOT role = ANY(:roles)"),
    ("valid_statuses", "Every member's status is pending, active or inactive.",
     "SELECT id::text || ' ' || status FROM identity.member WHERE NOT status = ANY(:statuses)"),
    ("an_active_admin", "At least one admin who is not deactivated can run the co-op.",
     ("SELECT 'no admin' WHERE NOT EXISTS"
      " (SELECT 1 FROM identity.member WHERE role = 'admin' AND status <> 'inactive')")),
)


class SqlAlchemyIntegrityChecks:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def run(self) -> list[IntegrityCheck]:
        """Each check's offending records: their count and the first few."""
        return await _run(self.session)


async def _run(session: AsyncSession) -> list[IntegrityCheck]:
    params = {"email_pattern": EMAIL_PATTERN, "roles": list(ROLES), "statuses": list(STATUSES)}
    results = []
    for name, description, query in CHECKS:
        wrapped = f"SELECT count(*) OVER (), offender FROM ({query}) AS found(offender) LIMIT {EXAMPLES}"
        used = {key: value for key, value in params.items() if f":{key}" in query}
        rows = (await session.execute(text(wrapped), used)).all()
        results.append(IntegrityCheck(name, description, rows[0][0] if rows else 0, tuple(r[1] for r in rows)))
    return results
