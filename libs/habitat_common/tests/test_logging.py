"""JSON log lines (extra fields, trace and correlation ids) and log levels per process and per logger."""

from __future__ import annotations

import json
import logging
import random
import sys
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from habitat_common.settings import TelemetrySettings
from habitat_common.telemetry import JsonFormatter, configure_logging, configure_tracing, correlation
from habitat_common.web.observability import install_observability


def line_of(record: logging.LogRecord, service: str = "ledger", process: str | None = "worker") -> dict:
    return json.loads(JsonFormatter(service, process).format(record))


def record(message: str = "booked %s", *args, **extra) -> logging.LogRecord:
    logger = logging.getLogger("habitat.test")
    return logger.makeRecord(logger.name, logging.INFO, __file__, 1, message, args or ("it",), None, extra=extra)


class TestJsonLines:
    def test_extra_fields_are_kept_as_json_values(self) -> None:
        line = line_of(record(member_id="m-1", amount_minor=500, flags=["a", "b"]))
        assert line["message"] == "booked it"
        assert (line["member_id"], line["amount_minor"], line["flags"]) == ("m-1", 500, ["a", "b"])
        assert (line["service"], line["process"], line["logger"]) == ("ledger", "worker", "habitat.test")

    def test_an_extra_clashing_with_a_standard_field_is_renamed_not_lost(self) -> None:
        line = line_of(record(service="identity", level="high"))
        assert (line["service"], line["extra_service"]) == ("ledger", "identity")
        assert (line["level"], line["extra_level"]) == ("INFO", "high")

    def test_record_internals_and_uvicorns_coloured_copy_stay_out(self) -> None:
        line = line_of(record(color_message="\x1b[1mbooked\x1b[0m"))
        assert set(line) == {"ts", "level", "service", "process", "logger", "message"}

    def test_values_json_cannot_encode_are_written_as_text(self) -> None:
        assert line_of(record(at=TracerProvider))["at"].startswith("<class ")

    def test_lines_inside_a_span_carry_its_trace_and_span_ids_and_the_correlation_id(self) -> None:
        with correlation("corr-3"), TracerProvider().get_tracer("t").start_as_current_span("request") as span:
            line = line_of(record())
        context = span.get_span_context()
        assert line["trace_id"] == format(context.trace_id, "032x")
        assert line["span_id"] == format(context.span_id, "016x")
        assert line["correlation_id"] == "corr-3"

    def test_outside_a_request_there_are_no_ids(self) -> None:
        assert not {"trace_id", "span_id", "correlation_id"} & set(line_of(record()))

    def test_an_exception_is_written_with_its_traceback(self) -> None:
        try:
            raise RuntimeError("ledger unbalanced")
        except RuntimeError:
            failing = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
        assert "RuntimeError: ledger unbalanced" in line_of(failing)["exception"]


class LineCatcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter("sample", "http"))
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


class TestRequestLines:
    async def test_a_requests_lines_carry_its_trace_span_and_correlation_ids(self) -> None:
        configure_tracing("test", TelemetrySettings())  # once per process: the one installed stays
        app = FastAPI()

        @app.get("/things")
        async def things() -> dict:
            logging.getLogger("habitat.test.route").warning("handling", extra={"thing": 7})
            return {}

        install_observability(app, "sample", {})
        catcher = LineCatcher()
        logging.getLogger("habitat.test.route").addHandler(catcher)
        trace_id, caller_span = random.getrandbits(128), random.getrandbits(64)
        headers = {"traceparent": f"00-{trace_id:032x}-{caller_span:016x}-01", "X-Correlation-ID": "corr-5"}
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
                assert (await client.get("/things", headers=headers)).status_code == 200
        finally:
            logging.getLogger("habitat.test.route").removeHandler(catcher)
        [line] = catcher.lines
        assert (line["trace_id"], line["correlation_id"], line["thing"]) == (f"{trace_id:032x}", "corr-5", 7)
        assert line["span_id"] not in ("0" * 16, f"{caller_span:016x}")  # the request's own server span


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """configure_logging rewires the root logger: put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    named = {name: logging.getLogger(name).level for name in ("sqlalchemy.engine", "aiormq", "uvicorn.access")}
    try:
        yield
    finally:
        root.handlers[:], root.level = handlers, level
        for name, named_level in named.items():
            logging.getLogger(name).setLevel(named_level)


class TestUvicornAccessLog:
    """uvicorn writes an access line only while its access logger has a handler somewhere (hasHandlers)."""

    @pytest.mark.parametrize("access_log", [True, False])
    def test_the_access_log_follows_uvicorns_option(self, restored_logging, access_log) -> None:
        access = logging.getLogger("uvicorn.access")
        propagate = access.propagate
        try:
            uvicorn.Config(FastAPI(), access_log=access_log).configure_logging()
            configure_logging("gateway", TelemetrySettings(), process="http")
            assert access.hasHandlers() is access_log
            assert not access.handlers  # when written, through the root's JSON handler
        finally:
            access.propagate = propagate

    def test_a_worker_without_uvicorn_keeps_the_loggers_propagating(self, restored_logging) -> None:
        configure_logging("ledger", TelemetrySettings(), process="worker")
        assert logging.getLogger("uvicorn.access").hasHandlers()


class TestLevels:
    def test_the_worker_process_takes_its_own_root_level_and_the_http_process_the_services(
        self, restored_logging, capsys
    ) -> None:
        settings = TelemetrySettings(log_level="WARNING", worker_log_level="DEBUG")
        configure_logging("ledger", settings, process="worker")
        assert logging.getLogger().level == logging.DEBUG
        configure_logging("ledger", settings, process="http")
        assert logging.getLogger().level == logging.WARNING
        logging.getLogger("habitat.test").info("not written at WARNING")
        logging.getLogger("habitat.test").warning("written")
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert [(line["message"], line["process"]) for line in lines] == [("written", "http")]

    def test_named_loggers_take_their_own_levels(self, restored_logging, capsys) -> None:
        settings = TelemetrySettings(log_level="INFO", log_levels="sqlalchemy.engine=debug, aiormq=WARNING")
        configure_logging("contributions", settings)
        assert logging.getLogger("sqlalchemy.engine").level == logging.DEBUG
        assert logging.getLogger("aiormq").level == logging.WARNING
        logging.getLogger("aiormq.connection").info("quiet")
        logging.getLogger("sqlalchemy.engine.Engine").debug("SELECT 1")
        assert [json.loads(line)["message"] for line in capsys.readouterr().out.splitlines()] == ["SELECT 1"]

    def test_without_a_worker_level_the_worker_follows_the_service(self) -> None:
        assert TelemetrySettings(log_level="ERROR").root_level("worker") == "ERROR"
        assert TelemetrySettings(log_level="ERROR", worker_log_level="").root_level("worker") == "ERROR"

    @pytest.mark.parametrize(
        "fields", [{"log_level": "LOUD"}, {"worker_log_level": "verbose"}, {"log_levels": "aiormq"},
                   {"log_levels": "=INFO"}, {"log_levels": "aiormq=CHATTY"}],
    )
    def test_a_misspelt_level_fails_at_start(self, fields: dict) -> None:
        with pytest.raises(ValidationError):
            TelemetrySettings(**fields)

    def test_levels_come_from_the_services_environment_variables(self, monkeypatch) -> None:
        class SampleSettings(BaseSettings):
            model_config = SettingsConfigDict(env_prefix="SAMPLE_", env_nested_delimiter="__", extra="ignore")
            telemetry: TelemetrySettings = TelemetrySettings()

        monkeypatch.setenv("SAMPLE_TELEMETRY__LOG_LEVEL", "warn")
        monkeypatch.setenv("SAMPLE_TELEMETRY__WORKER_LOG_LEVEL", "debug")
        monkeypatch.setenv("SAMPLE_TELEMETRY__LOG_LEVELS", "sqlalchemy.engine=INFO,aiormq=ERROR")
        telemetry = SampleSettings().telemetry
        assert (telemetry.root_level("http"), telemetry.root_level("worker")) == ("WARNING", "DEBUG")
        assert telemetry.logger_levels() == {"sqlalchemy.engine": "INFO", "aiormq": "ERROR"}
