from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from habitat_common.coop import CoopSettings, today_in
from pydantic import ValidationError


def test_today_is_taken_in_the_coops_zone_not_the_servers():
    late_evening_in_denver = datetime(2026, 12, 2, 4, 30, tzinfo=UTC)  # 21:30 on Dec 1 in Denver
    assert today_in(ZoneInfo("America/Denver"), late_evening_in_denver) == date(2026, 12, 1)
    assert today_in(ZoneInfo("UTC"), late_evening_in_denver) == date(2026, 12, 2)
    assert today_in(ZoneInfo("Pacific/Auckland"), late_evening_in_denver) == date(2026, 12, 2)


def test_the_setting_defaults_to_utc_and_reads_the_environment(monkeypatch):
    assert CoopSettings().time_zone == "UTC"
    monkeypatch.setenv("HABITAT_COOP_TIME_ZONE", "America/Denver")
    settings = CoopSettings()
    assert settings.today(datetime(2026, 1, 1, 6, 59, tzinfo=UTC)) == date(2025, 12, 31)


def test_an_unknown_zone_is_refused_at_start():
    with pytest.raises(ValidationError, match="IANA"):
        CoopSettings(time_zone="Mars/Olympus")
