"""Reminder runs: each due slot is claimed in the run table and its mail written in the same transaction, so a
slot mails once across restarts, workers and admin triggers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from habitat_notifications.domain import reminders
from habitat_notifications.domain.kinds import Kind
from habitat_notifications.domain.messages import Message
from habitat_notifications.domain.schedule import ReminderSchedule, Run, current_run, due_runs
from habitat_notifications.service_layer.mailing import Mailroom
from habitat_notifications.service_layer.ports import UnitOfWork


@dataclass(frozen=True)
class RunResult:
    """What asking for a run did: its slot (None: no slot now), whether this call ran it, how many mails."""

    kind: Kind
    key: str | None
    ran: bool
    mailed: int


async def _plans(run: Run, uow: UnitOfWork, mailroom: Mailroom, schedule: ReminderSchedule) -> list:
    members = await uow.members.active()
    preferences = await uow.preferences.of([m.member_id for m in members])
    if run.kind is Kind.STEWARD_DIGEST:
        now = mailroom.clock()
        overdue, oldest = await uow.contributions.undecided_since(now - schedule.review_target)
        return reminders.plan_steward_digest(run, members, overdue, oldest, now, preferences, mailroom.links)
    submitters = await uow.contributions.submitters(run.period.period_id)
    return reminders.plan_submission_reminders(run, members, submitters, preferences, mailroom.links)


async def run_reminder(
    run: Run, uow: UnitOfWork, mailroom: Mailroom, schedule: ReminderSchedule, *, by: uuid.UUID | None = None
) -> list[Message] | None:
    """Claim the run's slot and write its mail, in the caller's transaction; None when the slot ran before."""
    if not await uow.runs.claim(run, at=mailroom.clock(), by=by):
        return None
    plans = await _plans(run, uow, mailroom, schedule)
    written = await uow.messages.add_new([mailroom.draft(plan) for plan in plans])
    await uow.runs.record_mailed(run, len(written))
    return written


async def run_due(
    uow_factory: Callable[[], UnitOfWork], mailroom: Mailroom, schedule: ReminderSchedule, zone: ZoneInfo
) -> list[tuple[Run, list[Message]]]:
    """Run every slot that is due and has not run; each in its own transaction."""
    async with uow_factory() as uow:
        periods = await uow.periods.open()
    done = []
    for run in due_runs(mailroom.clock().astimezone(zone), periods, schedule):
        async with uow_factory() as uow:
            written = await run_reminder(run, uow, mailroom, schedule)
            if written is not None:
                await uow.commit()
                done.append((run, written))
    return done


async def trigger(
    kind: Kind, *, by: uuid.UUID, uow: UnitOfWork, mailroom: Mailroom, schedule: ReminderSchedule, zone: ZoneInfo
) -> tuple[RunResult, list[Message]]:
    """An admin runs the current slot of kind now, whatever the hour; a slot that ran before mails nothing."""
    async with uow:
        run = current_run(kind, mailroom.clock().astimezone(zone), await uow.periods.open(), schedule)
        if run is None:
            return RunResult(kind, None, ran=False, mailed=0), []
        written = await run_reminder(run, uow, mailroom, schedule, by=by)
        if written is None:
            return RunResult(kind, run.key, ran=False, mailed=0), []
        await uow.commit()
        return RunResult(kind, run.key, ran=True, mailed=len(written)), written
