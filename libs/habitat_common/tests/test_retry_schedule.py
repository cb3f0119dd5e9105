"""The retry schedule: exponential delays with a cap, jitter within its bounds, refused when it makes no sense."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from habitat_common.messaging.retry import (
    ERROR_TEXT_LIMIT,
    FIRST_FAILED_HEADER,
    LAST_ERROR_HEADER,
    RETRIES_HEADER,
    describe,
    exhausted_reason,
    retries_done,
    retry_headers,
)
from habitat_common.messaging.retry_schedule import RetrySchedule
from habitat_common.settings import RabbitSettings
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class TestSchedule:
    def test_the_default_keeps_a_message_for_at_least_ten_minutes_in_ten_retries(self) -> None:
        schedule = RabbitSettings().retry_schedule
        assert schedule.retries == 10
        assert schedule.total_seconds >= 600
        # even with every delay drawn at its shortest
        assert sum(schedule.delay_seconds(n, lambda: 0.0) for n in range(1, 11)) >= 480

    def test_delays_double_until_the_cap(self) -> None:
        delays = RetrySchedule().delays_seconds
        assert all(later >= earlier for earlier, later in itertools.pairwise(delays))
        assert [later / earlier for earlier, later in itertools.pairwise(delays[:-1])] == [2.0] * 8
        assert max(delays) == delays[-1] == 300

    @pytest.mark.parametrize("retry", range(1, 11))
    def test_jitter_stays_within_its_fraction_either_way(self, retry: int) -> None:
        schedule = RetrySchedule()
        base = schedule.delays_seconds[retry - 1]
        assert schedule.delay_seconds(retry, lambda: 0.0) == pytest.approx(base * 0.8)
        assert schedule.delay_seconds(retry, lambda: 0.5) == pytest.approx(base)
        assert schedule.delay_seconds(retry, lambda: 1.0) == pytest.approx(base * 1.2)
        draw = random.Random(retry).random
        draws = [schedule.delay_seconds(retry, draw) for _ in range(200)]
        assert all(base * 0.8 <= d <= base * 1.2 for d in draws)
        assert len(set(draws)) > 100  # spread, not one value

    def test_no_delay_exceeds_the_cap_with_its_jitter(self) -> None:
        schedule = RetrySchedule()
        assert max(schedule.delay_seconds(n, lambda: 1.0) for n in range(1, 11)) == pytest.approx(360)

    def test_without_jitter_the_delays_are_the_schedule(self) -> None:
        schedule = RetrySchedule((0.2, 0.4, 0.8), jitter=0)
        assert [schedule.delay_seconds(n, random.random) for n in (1, 2, 3)] == [0.2, 0.4, 0.8]

    def test_exhausted_after_as_many_retries_as_delays(self) -> None:
        schedule = RetrySchedule((0.2, 0.4, 0.8))
        assert [schedule.exhausted(done) for done in range(5)] == [False, False, False, True, True]
        with pytest.raises(ValueError, match="outside"):
            schedule.delay_seconds(4)
        with pytest.raises(ValueError, match="outside"):
            schedule.delay_seconds(0)

    @pytest.mark.parametrize("delays, jitter, problem", [
        ((), 0.2, "at least one delay"),
        ((1, 0, 4), 0.2, "positive"),
        ((1, -2), 0.2, "positive"),
        ((1, float("nan")), 0.2, "positive"),
        ((4, 2), 0.2, "must not shrink"),
        ((1, 2), 1.0, "jitter"),
        ((1, 2), -0.1, "jitter"),
    ])
    def test_a_schedule_that_makes_no_sense_is_refused(self, delays, jitter, problem) -> None:
        with pytest.raises(ValueError, match=problem):
            RetrySchedule(tuple(delays), jitter)
        with pytest.raises(ValidationError, match=problem):
            RabbitSettings(retry_delays_seconds=delays, retry_jitter=jitter)


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAMPLE_", env_nested_delimiter="__")
    rabbit: RabbitSettings = Field(default_factory=RabbitSettings)


class TestFromTheEnvironment:
    def test_a_json_list_sets_the_schedule(self, monkeypatch) -> None:
        monkeypatch.setenv("SAMPLE_RABBIT__RETRY_DELAYS_SECONDS", "[0.5, 1, 30]")
        monkeypatch.setenv("SAMPLE_RABBIT__RETRY_JITTER", "0.1")
        assert ServiceSettings().rabbit.retry_schedule == RetrySchedule((0.5, 1.0, 30.0), 0.1)

    @pytest.mark.parametrize("value", ["[]", "[1, -1]", "[0]"])
    def test_a_bad_schedule_in_the_environment_stops_the_service(self, monkeypatch, value) -> None:
        monkeypatch.setenv("SAMPLE_RABBIT__RETRY_DELAYS_SECONDS", value)
        with pytest.raises(ValidationError):
            ServiceSettings()


NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class TestRetryHeaders:
    def test_each_retry_counts_one_more_and_keeps_the_first_failure(self) -> None:
        first = retry_headers({"traceparent": "t"}, TimeoutError("slow"), NOW)
        assert first == {"traceparent": "t", RETRIES_HEADER: 1, LAST_ERROR_HEADER: "TimeoutError: slow",
                         FIRST_FAILED_HEADER: NOW.isoformat()}
        second = retry_headers(first, ConnectionResetError("reset"), NOW + timedelta(seconds=3))
        assert (second[RETRIES_HEADER], second[FIRST_FAILED_HEADER]) == (2, NOW.isoformat())
        assert second[LAST_ERROR_HEADER] == "ConnectionResetError: reset"

    @pytest.mark.parametrize("headers, done", [(None, 0), ({}, 0), ({RETRIES_HEADER: 3}, 3),
                                               ({RETRIES_HEADER: "x"}, 0), ({RETRIES_HEADER: -4}, 0)])
    def test_a_missing_or_garbled_count_is_no_retries(self, headers, done) -> None:
        assert retries_done(headers) == done

    def test_a_long_error_is_cut(self) -> None:
        text = describe(RuntimeError("x" * 5000))
        assert len(text) == ERROR_TEXT_LIMIT and text.startswith("RuntimeError: xxx") and text.endswith("…")

    def test_the_exhausted_reason_counts_attempts_and_time_since_the_first_failure(self) -> None:
        headers = {RETRIES_HEADER: 3, FIRST_FAILED_HEADER: NOW.isoformat()}
        reason = exhausted_reason(headers, LookupError("member m-1 is not known"), NOW + timedelta(seconds=612.4))
        assert reason == "retries_exhausted: 4 attempts over 612 s; last error: LookupError: member m-1 is not known"
