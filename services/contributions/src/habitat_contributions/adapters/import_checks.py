"""The references, business and reconciliation passes of a contributions import, as SQL.

Each check is a condition on one resolved row `r` (see import_sql.RESOLVE), the field it is about (and a
column to point at when the file leaves that field out) and a message expression. All passes are evaluated in
one scan: rows failing any check are expanded into one problem per failed check, and the problems of the first
failing pass are sorted by line and column.
"""

from __future__ import annotations

from dataclasses import dataclass

from habitat_contributions.adapters.import_sql import RESOLVED
from habitat_contributions.domain.intake import FIELDS_BY_TYPE, MONEY_FIELDS
from habitat_contributions.domain.valuation import MAX_HOURS_PER_DAY, MAX_MONEY

DECIDED = "r.status IN ('approved', 'rejected')"
CORRECTION = "r.corrects_reference IS NOT NULL"
REVIEWER_ROLES = "('steward', 'admin')"
SEALED_PERIOD = "('closing', 'closed')"


@dataclass(frozen=True)
class Check:
    code: str
    field: str
    when: str  # SQL condition over r (NULL counts as passing)
    message: str  # SQL text expression
    fallback: str | None = None  # column to point at when the file has no `field` column


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _applies(field: str) -> str:
    """The row's type uses this amount field."""
    kinds = ", ".join(_lit(str(kind)) for kind, fields in FIELDS_BY_TYPE.items() if field in fields)
    return f"r.type IN ({kinds})"


REFERENCES = (
    Check("unknown_member", "member_email", "r.member_matches IS NULL",
          "format('No member has the email %s.', r.member_email)"),
    Check("ambiguous_member", "member_email", "r.member_matches > 1",
          "format('%s members share the email %s; fix the member records first.', r.member_matches, r.member_email)"),
    Check("unknown_period", "period", "r.period_matches IS NULL",
          "format('No period is named %s.', r.period)"),
    Check("ambiguous_period", "period", "r.period_matches > 1",
          "format('%s periods are named %s.', r.period_matches, r.period)"),
    Check("unknown_approver", "approver_email", "r.approver_email IS NOT NULL AND r.approver_matches IS NULL",
          "format('No member has the email %s.', r.approver_email)"),
    Check("ambiguous_member", "approver_email", "r.approver_matches > 1",
          "format('%s members share the email %s.', r.approver_matches, r.approver_email)"),
    Check("approver_not_reviewer", "approver_email",
          f"r.approver_id IS NOT NULL AND r.existing_id IS NULL AND coalesce(r.approver_role, '') NOT IN {REVIEWER_ROLES}",
          "format('%s is a %s; only a steward or an admin may approve or reject.', r.approver_email,"
          " coalesce(r.approver_role, 'member without a role'))"),
    Check("unknown_correction_target", "corrects_reference", f"{CORRECTION} AND r.target_id IS NULL",
          "format('No contribution has the reference %s, in this file or imported before.', r.corrects_reference)"),
)  # fmt: skip


# fmt: off
def _amount_rules() -> list[Check]:
    """The amounts each type needs and must not have, and their signs (a correction's may be negative)."""
    rules = []
    for field in MONEY_FIELDS:
        applies, used = _applies(field), f"{_applies(field)} AND r.{field}"
        rules += [
            Check("missing_field", field, f"{used} IS NULL",
                  f"format('%s is required for a %s contribution.', {_lit(field)}, r.type)", "type"),
            Check("unexpected_field", field, f"NOT {applies} AND r.{field} IS NOT NULL",
                  f"format('%s does not apply to a %s contribution.', {_lit(field)}, r.type)", "type"),
        ]
        if field == "adjusted_basis":
            rules.append(Check("negative_amount", field, f"NOT {CORRECTION} AND {used} < 0",
                               _lit(f"{field} must not be negative.")))
        elif field == "rate":
            rules.append(Check("non_positive_amount", field, f"{used} <= 0", _lit("rate must be more than 0.")))
        else:
            # a property correction may fix the basis alone (fair market value 0)
            alone = " AND coalesce(r.adjusted_basis, 0) = 0" if field == "fair_market_value" else ""
            rules += [
                Check("non_positive_amount", field, f"NOT {CORRECTION} AND {used} <= 0",
                      _lit(f"{field} must be more than 0 (only a correction may be negative).")),
                Check("zero_correction", field, f"{CORRECTION} AND {used} = 0{alone}",
                      _lit(f"A correction's {field} may be negative but never 0"
                           + (" unless it fixes the adjusted_basis alone." if alone else "."))),
            ]
    return [
        *rules,
        Check("hours_out_of_range", "hours", f"{_applies('hours')} AND abs(r.hours) > {MAX_HOURS_PER_DAY}",
              _lit(f"hours must be at most {MAX_HOURS_PER_DAY} for one day.")),
        Check("value_too_large", "rate", f"abs(r.value) > {MAX_MONEY}",
              _lit("hours x rate is too large an amount."), "type"),
    ]
# fmt: on


BUSINESS = (
    Check("missing_approver", "approver_email", f"{DECIDED} AND r.approver_email IS NULL",
          "format('approver_email (who decided) is required when the status is %s.', r.status)", "status"),
    Check("missing_decided_at", "decided_at", f"{DECIDED} AND r.decided_at IS NULL",
          "format('decided_at (when it was decided) is required when the status is %s.', r.status)", "status"),
    Check("unexpected_approver", "approver_email", "r.status = 'pending' AND r.approver_email IS NOT NULL",
          _lit("A pending contribution has not been decided; leave approver_email empty.")),
    Check("unexpected_decided_at", "decided_at", "r.status = 'pending' AND r.decided_at IS NOT NULL",
          _lit("A pending contribution has not been decided; leave decided_at empty.")),
    *_amount_rules(),
    Check("outside_period", "contributed_on", "r.contributed_on NOT BETWEEN r.starts_on AND r.ends_on",
          "format('contributed_on %s is outside period %s (%s to %s).', r.contributed_on, r.period, r.starts_on,"
          " r.ends_on)"),
    Check("decided_before_contributed", "decided_at",
          "r.decided_at < r.contributed_on::timestamp AT TIME ZONE 'UTC'",
          "format('decided_at %s is before contributed_on %s.', r.decided_at, r.contributed_on)"),
    Check("self_approval", "approver_email", "r.approver_id = r.member_id",
          _lit("Nobody may decide their own contribution; name another steward or admin.")),
    Check("corrects_itself", "corrects_reference", "r.corrects_reference = r.reference",
          _lit("A contribution cannot correct itself.")),
    # what a correction may correct, and by how much, is rule 10 in the domain (domain/import_rules.py)
)  # fmt: skip

# Imported before, compared field by field: (field, file value, stored value, how to show each).
COMPARED = (
    ("member_email", "r.member_id", "r.e_member_id", "r.member_email", "coalesce(r.e_member_email, r.e_member_id::text)"),
    ("period", "r.period_id", "r.e_period_id", "r.period", "coalesce(r.e_period_name, r.e_period_id::text)"),
    ("type", "r.type", "r.e_type", "r.type", "r.e_type"),
    ("contributed_on", "r.contributed_on", "r.e_contributed_on", "r.contributed_on::text", "r.e_contributed_on::text"),
    ("description", "r.description", "r.e_description", "r.description", "r.e_description"),
    *((f, f"r.{f}", f"r.e_{f}", f"r.{f}::text", f"r.e_{f}::text") for f in MONEY_FIELDS),
    ("status", "r.status", "r.e_status", "r.status", "r.e_status"),
    ("approver_email", "r.approver_id", "r.e_decided_by", "r.approver_email",
     "coalesce(r.e_approver_email, r.e_decided_by::text)"),
    ("decided_at", "r.decided_at", "r.e_decided_at", "r.decided_at::text", "r.e_decided_at::text"),
    ("corrects_reference", "r.target_id", "r.e_corrects_contribution_id", "r.corrects_reference",
     "r.e_corrects_contribution_id::text"),
)  # fmt: skip

RECONCILIATION = (
    Check("duplicate_reference", "reference", "r.first_line < r.line",
          "format('reference %s already appears on line %s.', r.reference, r.first_line)"),
    *(
        Check("conflicts_with_import", field, f"r.existing_id IS NOT NULL AND {mine} IS DISTINCT FROM {theirs}",
              f"format('reference %s was imported before with %s %s, not %s; an imported contribution never "
              f"changes (add a correction instead).', r.reference, {_lit(field)}, coalesce({shown_theirs}, 'none'),"
              f" coalesce({shown_mine}, 'none'))")
        for field, mine, theirs, shown_mine, shown_theirs in COMPARED
    ),
    Check("period_closed", "period",
          f"r.existing_id IS NULL AND r.status = 'approved' AND r.period_status IN {SEALED_PERIOD}",
          "format('Period %s is %s: the ledger would set approved contributions aside. Import them before the "
          "period starts closing.', r.period, r.period_status)"),
)  # fmt: skip

PASSES = (("references", REFERENCES), ("business", BUSINESS), ("reconciliation", RECONCILIATION))


def problems_query() -> str:
    """The problems of the first database pass that finds any, in one scan of the resolved rows (every pass is
    evaluated, only the first failing one is reported). $1 = the file's column names in order, $2 = how many
    to list; rows of (pass, line, column_number, field, code, message, total)."""
    checks = [(rank, check) for rank, (_, checks) in enumerate(PASSES) for check in checks]
    # NULL never counts as failing: it is dropped by WHERE like false (so no IS TRUE is needed anywhere)
    failed = " OR ".join(f"({check.when})" for _, check in checks)
    values = ",\n".join(
        f"({c.when}, {rank}, {_lit(c.field)}, {_lit(c.fallback) if c.fallback else 'NULL'},"
        f" {_lit(c.code)}, {c.message})"
        for rank, c in checks
    )
    return f"""
        WITH problems AS (
            SELECT x.pass, r.line, x.field, x.fallback, x.code, x.message
            FROM {RESOLVED} AS r
            CROSS JOIN LATERAL (VALUES {values}) AS x(failed, pass, field, fallback, code, message)
            WHERE ({failed}) AND x.failed
        )
        SELECT p.pass, p.line,
               coalesce(array_position($1::text[], p.field), array_position($1::text[], p.fallback), 1)
                   AS column_number,
               p.field, p.code, p.message, count(*) OVER () AS total
        FROM problems AS p
        WHERE p.pass = (SELECT min(pass) FROM problems)
        ORDER BY p.line, column_number, p.code
        LIMIT $2
    """
