from datetime import UTC, date, datetime

from habitat_common.settings import DatabaseSettings
from habitat_contributions.config import ContributionsSettings

URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/x"


class TestDatabasePool:
    def test_pool_covers_the_gateway_concurrency_when_set_from_the_environment(self, monkeypatch):
        monkeypatch.setenv("CONTRIBUTIONS_DATABASE__URL", URL)
        assert ContributionsSettings().database.pool_size == 24

    def test_environment_and_explicit_settings_still_win(self, monkeypatch):
        monkeypatch.setenv("CONTRIBUTIONS_DATABASE__POOL_SIZE", "5")
        assert ContributionsSettings().database.pool_size == 5
        explicit = ContributionsSettings(database=DatabaseSettings(url=URL, pool_size=4))
        assert explicit.database.pool_size == 4


class TestCoopTimeZone:
    def test_today_is_taken_in_the_zone_of_habitat_coop_time_zone(self, monkeypatch):
        monkeypatch.setenv("HABITAT_COOP_TIME_ZONE", "America/Denver")
        coop = ContributionsSettings().coop
        assert coop.time_zone == "America/Denver"
        assert coop.today(datetime(2026, 2, 11, 3, 30, tzinfo=UTC)) == date(2026, 2, 10)

    def test_utc_by_default(self, monkeypatch):
        monkeypatch.delenv("HABITAT_COOP_TIME_ZONE", raising=False)
        assert ContributionsSettings().coop.time_zone == "UTC"
