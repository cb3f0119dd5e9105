import uuid
from datetime import UTC, date, datetime, timedelta

from habitat_notifications.domain.kinds import Kind
from habitat_notifications.domain.links import Links
from habitat_notifications.domain.preferences import Preferences
from habitat_notifications.domain.reminders import plan_steward_digest, plan_submission_reminders
from habitat_notifications.domain.schedule import ReminderSchedule, Run, current_run, due_runs
from tests.builders import member, period

LINKS = Links("https://coop.example")
SCHEDULE = ReminderSchedule(weekly_weekday=0, weekly_hour=9, final_week_days=7, digest_hour=8)
Q4 = period(starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31))
MONDAY = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)  # ISO week 2026-W49


def kinds(runs) -> list:
    return [run.kind for run in runs]


class TestSchedule:
    def test_the_weekly_reminder_is_due_from_its_hour_until_the_week_ends(self):
        assert Kind.WEEKLY_REMINDER not in kinds(due_runs(MONDAY.replace(hour=8), [Q4], SCHEDULE))
        assert Kind.WEEKLY_REMINDER in kinds(due_runs(MONDAY, [Q4], SCHEDULE))
        # a worker that was down on Monday still runs the week's slot on Thursday
        thursday = due_runs(MONDAY + timedelta(days=3), [Q4], SCHEDULE)
        assert [r.key for r in thursday if r.kind is Kind.WEEKLY_REMINDER] == [f"2026-W49:{Q4.period_id}"]

    def test_a_slot_is_the_same_run_all_week_and_another_next_week(self):
        monday = current_run(Kind.WEEKLY_REMINDER, MONDAY, [Q4], SCHEDULE)
        friday = current_run(Kind.WEEKLY_REMINDER, MONDAY + timedelta(days=4), [Q4], SCHEDULE)
        next_week = current_run(Kind.WEEKLY_REMINDER, MONDAY + timedelta(days=7), [Q4], SCHEDULE)
        assert monday.id == friday.id != next_week.id

    def test_no_open_period_no_submission_reminders(self):
        closing = period(status="closing")
        assert current_run(Kind.WEEKLY_REMINDER, MONDAY, [closing], SCHEDULE) is None
        assert kinds(due_runs(MONDAY, [closing], SCHEDULE)) == [Kind.STEWARD_DIGEST]

    def test_the_final_week_push_starts_n_days_before_the_last_day_once_per_period(self):
        assert current_run(Kind.FINAL_WEEK, datetime(2026, 12, 23, 10, tzinfo=UTC), [Q4], SCHEDULE) is None
        first = current_run(Kind.FINAL_WEEK, datetime(2026, 12, 24, 10, tzinfo=UTC), [Q4], SCHEDULE)
        last = current_run(Kind.FINAL_WEEK, datetime(2026, 12, 31, 10, tzinfo=UTC), [Q4], SCHEDULE)
        assert first.key == last.key == str(Q4.period_id)

    def test_the_digest_is_daily_from_its_hour(self):
        assert Kind.STEWARD_DIGEST not in kinds(due_runs(MONDAY.replace(hour=7), [Q4], SCHEDULE))
        [digest] = [r for r in due_runs(MONDAY, [Q4], SCHEDULE) if r.kind is Kind.STEWARD_DIGEST]
        assert digest.key == "2026-11-30"


class TestWhoIsReminded:
    def test_active_non_submitters_who_allow_reminders(self):
        submitted, quiet, pending, idle = member(), member(), member(status="pending"), member()
        prefs = {quiet.member_id: Preferences(member_id=quiet.member_id, reminders=False)}
        run = Run(Kind.WEEKLY_REMINDER, "k", Q4)
        plans = plan_submission_reminders(run, [submitted, quiet, pending, idle], {submitted.member_id}, prefs, LINKS)
        assert [p.recipient_id for p in plans] == [idle.member_id]
        assert plans[0].source_event_id == run.id and plans[0].facts["link"] == "https://coop.example/contributions/new"

    def test_the_digest_goes_to_stewards_and_admins_only_when_something_is_overdue(self):
        steward, admin, plain = member(role="steward"), member(role="admin"), member(role="member")
        run, now = Run(Kind.STEWARD_DIGEST, "2026-11-30"), MONDAY
        plans = plan_steward_digest(run, [steward, admin, plain], 3, now - timedelta(hours=50), now, {}, LINKS)
        assert sorted(p.recipient_id for p in plans) == sorted([steward.member_id, admin.member_id])
        assert (plans[0].facts["overdue"], plans[0].facts["oldest_hours"]) == (3, 50)
        assert plan_steward_digest(run, [steward], 0, None, now, {}, LINKS) == []

    def test_a_run_id_is_stable_per_slot(self):
        assert Run(Kind.FINAL_WEEK, "p").id == Run(Kind.FINAL_WEEK, "p").id != Run(Kind.WEEKLY_REMINDER, "p").id
        assert isinstance(Run(Kind.FINAL_WEEK, "p").id, uuid.UUID)
