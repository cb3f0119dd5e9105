"""When reminder runs are due, in the co-op's time zone. Each run has a key naming its slot (the ISO week, the
period, the day): a slot is run at most once, however many workers look and however often an admin asks."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from habitat_notifications.domain.kinds import Kind
from habitat_notifications.domain.replicas import PeriodReplica

RUNS = uuid.UUID("6d3f0c4e-4a8b-5f7e-9c1d-2b8e6a0f4c31")  # namespace of run ids


@dataclass(frozen=True)
class ReminderSchedule:
    """weekly: on `weekly_weekday` (0 = Monday) from `weekly_hour`; final week: from `final_week_days` days
    before the open period's last day, from `weekly_hour`; digest: every day from `digest_hour`, when undecided
    contributions are older than `review_target`."""

    weekly_weekday: int = 0
    weekly_hour: int = 9
    final_week_days: int = 7
    digest_hour: int = 8
    review_target: timedelta = timedelta(hours=48)


@dataclass(frozen=True)
class Run:
    """One slot of one kind of reminder; `period` is the open period it is about (none for the digest)."""

    kind: Kind
    key: str
    period: PeriodReplica | None = None

    @property
    def id(self) -> uuid.UUID:
        """Stable per slot: the source event id of the run's mail, so a repeated run writes nothing new."""
        return uuid.uuid5(RUNS, f"{self.kind}:{self.key}")


def open_period(periods: Iterable[PeriodReplica], local_now: datetime) -> PeriodReplica | None:
    """The open period containing the co-op's today (the earliest starting, should two overlap)."""
    today = local_now.date()
    candidates = [p for p in periods if p.is_open_on(today)]
    return min(candidates, key=lambda p: p.starts_on, default=None)


def current_run(
    kind: Kind, local_now: datetime, periods: Iterable[PeriodReplica], schedule: ReminderSchedule
) -> Run | None:
    """The slot `kind` is in now, whatever the hour (an admin's trigger); None when there is none: no open
    period, or (final week) the period's last week has not begun."""
    if kind is Kind.STEWARD_DIGEST:
        return Run(kind, local_now.date().isoformat())
    period = open_period(periods, local_now)
    if period is None:
        return None
    if kind is Kind.WEEKLY_REMINDER:
        year, week, _ = local_now.isocalendar()
        return Run(kind, f"{year}-W{week:02d}:{period.period_id}", period)
    if kind is Kind.FINAL_WEEK and local_now.date() >= period.ends_on - timedelta(days=schedule.final_week_days):
        return Run(kind, str(period.period_id), period)
    return None


def due_runs(local_now: datetime, periods: Iterable[PeriodReplica], schedule: ReminderSchedule) -> list[Run]:
    """The slots whose time has come (a worker that was down at the hour still runs the slot when it is back, as
    long as the slot lasts: the week, the period's last days, the day)."""
    periods = list(periods)
    due = []
    weekly_time = local_now.weekday() > schedule.weekly_weekday or (
        local_now.weekday() == schedule.weekly_weekday and local_now.hour >= schedule.weekly_hour
    )
    if weekly_time:
        due.append(current_run(Kind.WEEKLY_REMINDER, local_now, periods, schedule))
    if local_now.hour >= schedule.weekly_hour:
        due.append(current_run(Kind.FINAL_WEEK, local_now, periods, schedule))
    if local_now.hour >= schedule.digest_hour:
        due.append(current_run(Kind.STEWARD_DIGEST, local_now, periods, schedule))
    return [run for run in due if run is not None]
