"""Use case of onboarding members in bulk from a roster CSV file."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from habitat_identity.domain.errors import InvalidCsv, RosterTooLarge
from habitat_identity.domain.model import TEMPORARY_PASSWORD_TTL, AuditEntry, Member
from habitat_identity.domain.password_tokens import INVITATION_TTL
from habitat_identity.domain.roster import EmailCheck, RosterRow
from habitat_identity.service_layer.auth import utcnow
from habitat_identity.service_layer.members import new_temporary_password, record_member_change
from habitat_identity.service_layer.ports import PasswordHasher, UnitOfWork
from habitat_identity.service_layer.recovery import stage_invitation
from habitat_identity.service_layer.roster_file import parse_roster


@dataclass(frozen=True)
class ImportedRow:
    """What happened (or would happen) to one line."""

    line: int
    email: str
    action: str  # created | updated | unchanged
    changes: dict[str, list[Any]]
    member_id: uuid.UUID | None


@dataclass(frozen=True)
class Welcome:
    """The sign-in details of one new member: for the credentials file and the welcome email."""

    email: str
    display_name: str
    temporary_password: str
    subject: str
    body: str


@dataclass(frozen=True)
class _Run:
    """What every row of one import shares."""

    report: ImportReport
    uow: UnitOfWork
    actor_id: uuid.UUID | None
    now: datetime
    sign_in_url: str
    passwords: dict[str, str]
    hashes: dict[str, str]
    today: date
    temporary_password_ttl: timedelta
    invitation_ttl: timedelta | None  # None: no invitations are mailed


@dataclass
class ImportReport:
    dry_run: bool
    rows: list[ImportedRow] = field(default_factory=list)
    welcomes: list[Welcome] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


def welcome_email(display_name: str, email: str, temporary_password: str, sign_in_url: str) -> tuple[str, str]:
    """Subject and plain-text body of a new member's welcome email."""
    body = (
        f"Hello {display_name},\n\n"
        "You have been added as a member of the co-op on Habitat.\n\n"
        f"Sign in at {sign_in_url} with\n"
        f"  email: {email}\n"
        f"  temporary password: {temporary_password}\n\n"
        "This temporary password must be changed at your first sign-in: you will be asked to choose\n"
        "your own password before you can do anything else.\n"
    )
    return "Welcome to Habitat: your sign-in details", body


async def import_members(
    data: bytes,
    *,
    dry_run: bool,
    actor_id: uuid.UUID | None,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    check_email: EmailCheck,
    sign_in_url: str,
    today: date | None = None,
    max_rows: int | None = None,
    temporary_password_ttl: timedelta = TEMPORARY_PASSWORD_TTL,
    send_invitations: bool = True,
    invitation_ttl: timedelta = INVITATION_TTL,
) -> ImportReport:
    """Create or update members by email from a roster file, all-or-nothing; InvalidCsv lists every error.

    A row without joined_at joins `today`, the co-op's date (its time zone), not the server's.
    More than max_rows rows is RosterTooLarge before anything is hashed; new members' temporary
    passwords are hashed in the hasher's bulk share, so sign-ins keep being served meanwhile.
    Each new member is also mailed an invitation link (valid invitation_ttl) unless send_invitations is False.
    """
    rows, errors = parse_roster(data, check_email)
    if errors:
        raise InvalidCsv(errors)
    if max_rows is not None and len(rows) > max_rows:
        raise RosterTooLarge(len(rows), max_rows)
    report = ImportReport(dry_run=dry_run)
    now = utcnow()
    async with uow:
        existing = await uow.members.get_many_by_email([row.email for row in rows])
        new_rows = [row for row in rows if row.email not in existing]
        passwords = {} if dry_run else {row.email: new_temporary_password() for row in new_rows}
        hashes = await hasher.hash_many(list(passwords.values()))
        run = _Run(
            report, uow, actor_id, now, sign_in_url, passwords, dict(zip(passwords, hashes, strict=True)),
            today or now.date(), temporary_password_ttl, invitation_ttl if send_invitations else None,
        )
        for row in rows:
            member = existing.get(row.email)
            report.rows.append(_create(row, run) if member is None else await _update(row, member, run))
        created, updated = report.count("created"), report.count("updated")
        if not dry_run and (created or updated):
            counts = {"created": created, "updated": updated, "unchanged": report.count("unchanged")}
            uow.audit.add(AuditEntry(actor_id, "members.imported", None, None, counts, now))
            await uow.commit()
    return report


def _create(row: RosterRow, run: _Run) -> ImportedRow:
    joined_at = row.joined_at or run.today
    changes = {
        "display_name": [None, row.display_name],
        "role": [None, row.role],
        "joined_at": [None, joined_at.isoformat()],
    }
    if run.report.dry_run:
        return ImportedRow(row.line, row.email, "created", changes, None)
    member = Member.register(
        email=row.email,
        display_name=row.display_name,
        role=row.role,
        joined_at=joined_at,
        password_hash=run.hashes[row.email],
        now=run.now,
        temporary_password_ttl=run.temporary_password_ttl,
    )
    run.uow.members.add(member)
    run.uow.audit.add(AuditEntry(run.actor_id, "member.created", member.id, None, member.snapshot(), run.now))
    if run.invitation_ttl is not None:
        stage_invitation(member, run.actor_id, run.uow, run.now, run.invitation_ttl)
    password = run.passwords[row.email]
    subject, body = welcome_email(member.display_name, member.email, password, run.sign_in_url)
    run.report.welcomes.append(Welcome(member.email, member.display_name, password, subject, body))
    return ImportedRow(row.line, row.email, "created", changes, member.id)


async def _update(row: RosterRow, member: Member, run: _Run) -> ImportedRow:
    wanted: dict[str, Any] = {"display_name": row.display_name, "role": row.role}
    if row.joined_at is not None:
        wanted["joined_at"] = row.joined_at
    changes = {
        name: [_plain(getattr(member, name)), _plain(value)]
        for name, value in wanted.items()
        if getattr(member, name) != value
    }
    if not changes:
        return ImportedRow(row.line, row.email, "unchanged", {}, member.id)
    if not run.report.dry_run:
        before = member.snapshot()
        member.update(now=run.now, **{name: wanted[name] for name in changes})
        await record_member_change(member, before, run.actor_id, run.uow, run.now)
    return ImportedRow(row.line, row.email, "updated", changes, member.id)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
