"""The provisioned Grafana dashboards are valid for the Grafana that compose runs, and only read known metrics.

Grafana cannot run here, so each dashboard is checked against the schema of the version it declares: the
models of grafana-foundation-sdk for that Grafana release, generated from Grafana's own dashboard and
panel schemas. A dashboard is valid when decoding it into those models loses nothing (no unknown or
misspelled field, no unknown panel or query kind) and every value has the model's type (enums and
literals included). Whether each query returns data is tests/e2e/test_observability_live.py's job.
"""

from __future__ import annotations

import enum
import json
import re
import types
import typing
from importlib import metadata
from pathlib import Path

import pytest
import yaml

# grafana-foundation-sdk (requirements-dev.txt): its release names the Grafana whose schemas it was generated from
from grafana_foundation_sdk.cog import plugins
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.cog.variants import Dataquery
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models import prometheus, units
from habitat_devstack import dashboards as queries

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "deploy" / "grafana"
COMPOSE = ROOT / "docker-compose.prod.yml"
# the dashboard schemaVersion each Grafana release line writes, and the SDK release generated from its schema
SCHEMA_VERSIONS = {"11.6": 41}
SDK_GRAFANA_VERSION = "11.6"
EXPECTED = {"api-overview.json", "event-pipeline.json", "business.json", "infrastructure.json"}

# the metric catalog (issue 16): the names the services and the scripts export
HABITAT_METRICS = {
    "habitat_http_request_duration_seconds", "habitat_http_long_request_duration_seconds",
    "habitat_http_requests_in_flight", "habitat_events_published_total", "habitat_events_consumed_total",
    "habitat_events_failed_total", "habitat_event_retries_scheduled_total", "habitat_messaging_rows_pruned_total",
    "habitat_outbox_backlog", "habitat_outbox_oldest_unpublished_seconds", "habitat_import_events_pending",
    "habitat_import_events_oldest_pending_seconds", "habitat_dead_letters", "habitat_db_pool_size",
    "habitat_db_pool_connections_in_use", "habitat_db_pool_waiting", "habitat_db_pool_acquire_seconds",
    "habitat_event_lag_seconds", "habitat_events_redelivered_total", "habitat_signin_attempts_total",
    "habitat_members", "habitat_contributions_submitted_total", "habitat_contributions_decided_total",
    "habitat_review_pending", "habitat_review_oldest_pending_seconds", "habitat_period_members_active",
    "habitat_period_members_submitted", "habitat_period_participation_ratio", "habitat_period_seconds_to_deadline",
    "habitat_capital_total", "habitat_capital_accounts_negative", "habitat_periods", "habitat_allocations_posted_total",
    "habitat_distributions_posted_total", "habitat_imports_total", "habitat_import_rows_total",
    "habitat_import_stage_seconds", "habitat_dashboard_cache_answers_total",
    "habitat_import_duration_seconds", "habitat_backup_last_success_timestamp_seconds", "habitat_backup_size_bytes",
    "habitat_tls_certificate_expiry_timestamp_seconds",
    # notifications (issue 17): mail to members
    "habitat_notifications_messages_total", "habitat_notifications_backlog", "habitat_notifications_oldest_queued_seconds",
}
GRAFANA_UNITS = {value for name, value in vars(units).items() if not name.startswith("_") and isinstance(value, str)}
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")
# the exporters' metrics the dashboards read, each checked against the real exporter by the live test
EXPORTER_METRICS = {
    "up",  # Prometheus itself, per scrape target
    # rabbitmq_prometheus (RabbitMQ 3.10+), /metrics and /metrics/per-object
    "rabbitmq_queue_messages_ready", "rabbitmq_queue_messages_unacked", "rabbitmq_queue_consumers",
    "rabbitmq_global_messages_received_total", "rabbitmq_global_messages_routed_total",
    "rabbitmq_global_messages_delivered_total", "rabbitmq_global_messages_redelivered_total",
    "rabbitmq_global_messages_acknowledged_total", "rabbitmq_global_messages_confirmed_total",
    "rabbitmq_global_messages_dead_lettered_rejected_total", "rabbitmq_global_messages_dead_lettered_delivery_limit_total",
    "rabbitmq_connections", "rabbitmq_consumers", "rabbitmq_channels", "rabbitmq_process_open_fds",
    "rabbitmq_process_resident_memory_bytes", "rabbitmq_resident_memory_limit_bytes",
    "rabbitmq_disk_space_available_bytes", "rabbitmq_disk_space_available_limit_bytes",
    # prometheus-postgres-exporter
    "pg_up", "pg_stat_database_numbackends", "pg_settings_max_connections", "pg_stat_database_xact_commit",
    "pg_stat_database_xact_rollback", "pg_stat_database_deadlocks", "pg_stat_activity_max_tx_duration",
    # prometheus-node-exporter
    "node_filesystem_avail_bytes", "node_filesystem_size_bytes", "node_cpu_seconds_total",
    "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes",
    # Caddy's admin endpoint
    "caddy_reverse_proxy_upstreams_healthy",
    "caddy_http_request_duration_seconds_count",
}


def known(name: str) -> bool:
    if name in HABITAT_METRICS or name in EXPORTER_METRICS:
        return True
    return any(name.endswith(suffix) and name.removesuffix(suffix) in HABITAT_METRICS for suffix in HISTOGRAM_SUFFIXES)


@pytest.fixture(scope="module")
def boards() -> dict[str, dict]:
    plugins.register_default_plugins()
    return queries.load_dashboards(GRAFANA / "dashboards")


# ---- schema ------------------------------------------------------------------------------------


def lost_in_decoding(original: object, decoded: object, path: str = "$") -> list[str]:
    """Where the original JSON has a field or value that the schema's models did not keep."""
    if isinstance(original, dict):
        if not isinstance(decoded, dict):
            return [f"{path}: an object, the schema wants {type(decoded).__name__}"]
        problems = []
        for key, value in original.items():
            if key not in decoded:
                problems.append(f"{path}.{key}: not in the schema")
            else:
                problems += lost_in_decoding(value, decoded[key], f"{path}.{key}")
        return problems
    if isinstance(original, list):
        if not isinstance(decoded, list) or len(decoded) != len(original):
            return [f"{path}: a list the schema does not keep as such"]
        return [p for i, pair in enumerate(zip(original, decoded)) for p in lost_in_decoding(*pair, f"{path}[{i}]")]
    return [] if original == decoded else [f"{path}: {original!r} became {decoded!r}"]


def type_problems(value: object, hint: object, path: str) -> list[str]:
    """Where a decoded value does not have the type the schema gives it."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is typing.Any or hint is object:  # panel options and custom field config: the panel kind's model
        return model_problems(value, path)
    if hint is type(None):
        return [] if value is None else [f"{path}: {value!r} should be null"]
    if origin in (typing.Union, types.UnionType):
        candidates = [arg for arg in args if arg is not type(None)] if value is not None else args
        if matching := [arg for arg in candidates if isinstance(arg, type) and hasattr(arg, "to_json") and isinstance(value, arg)]:
            candidates = matching  # a decoded model: judge it by its own class
        attempts = [type_problems(value, arg, path) for arg in candidates]
        return [] if any(not a for a in attempts) else min(attempts, key=len)
    if origin is typing.Literal:
        return [] if value in args else [f"{path}: {value!r} is not one of {args}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: {value!r} should be a list"]
        return [p for i, item in enumerate(value) for p in type_problems(item, args[0], f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: {value!r} should be an object"]
        return [p for key, item in value.items() for p in type_problems(item, args[1], f"{path}.{key}")]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        allowed = {member.value for member in hint}
        plain = value.value if isinstance(value, enum.Enum) else value
        return [] if plain in allowed else [f"{path}: {value!r} is not one of {sorted(allowed, key=str)}"]
    if hint is bool:
        return [] if isinstance(value, bool) else [f"{path}: {value!r} should be a boolean"]
    if hint in (int, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and (hint is float or isinstance(value, int))
        return [] if ok else [f"{path}: {value!r} should be a {hint.__name__}"]
    if hint is str:
        return [] if isinstance(value, str) else [f"{path}: {value!r} should be a string"]
    if isinstance(hint, type):
        if not isinstance(value, hint):
            return [f"{path}: {type(value).__name__} where the schema wants {hint.__name__}"]
        return model_problems(value, path)
    return []


def model_problems(obj: object, path: str) -> list[str]:
    """Type problems of every attribute of a decoded model object, recursively."""
    if not hasattr(obj, "to_json") or isinstance(obj, Dataquery) and not isinstance(obj, prometheus.Dataquery):
        return []
    hints = typing.get_type_hints(type(obj))
    return [p for name, hint in hints.items() if hasattr(obj, name) for p in type_problems(getattr(obj, name), hint, f"{path}.{name}")]


def schema_problems(board: dict) -> list[str]:
    decoded = model.Dashboard.from_json(board)
    encoded = json.loads(json.dumps(decoded, cls=JSONEncoder))
    problems = lost_in_decoding(board, encoded) + model_problems(decoded, "$")
    for panel in decoded.panels or []:
        for index, target in enumerate(getattr(panel, "targets", None) or []):
            if not isinstance(target, prometheus.Dataquery):
                problems.append(f"panel {panel.title!r} target {index}: not a Prometheus query")
    return problems


def test_the_four_dashboards_are_provisioned(boards) -> None:
    assert set(boards) == EXPECTED


def test_the_sdk_is_the_grafana_release_compose_runs() -> None:
    grafana = yaml.safe_load(COMPOSE.read_text())["services"]["grafana"]
    release = re.fullmatch(r"grafana/grafana-oss:(\d+\.\d+)\.\d+", grafana["image"])
    assert release, f"grafana is not pinned to a release: {grafana['image']}"
    assert release[1] == SDK_GRAFANA_VERSION
    # the SDK's releases are "<build>!<grafana version>": its models are that Grafana's schemas
    assert metadata.version("grafana-foundation-sdk").split("!")[-1].startswith(SDK_GRAFANA_VERSION + ".")
    assert model.Dashboard().schema_version == SCHEMA_VERSIONS[SDK_GRAFANA_VERSION]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dashboard_declares_its_schema_version_and_is_valid_for_it(boards, name) -> None:
    board = boards[name]
    assert board.get("schemaVersion") == SCHEMA_VERSIONS[SDK_GRAFANA_VERSION], "schemaVersion of the Grafana compose runs"
    assert schema_problems(board) == []


def test_the_validator_catches_a_misspelled_field_a_wrong_type_and_an_unknown_enum(boards) -> None:
    board = json.loads(json.dumps(boards["api-overview.json"]))
    stat = next(panel for panel in queries.panels(board) if panel["type"] == "stat")
    chart = next(panel for panel in queries.panels(board) if panel["type"] == "timeseries")
    stat["gridpos"] = stat.pop("gridPos")
    stat["targets"][0]["legendFormat"] = 7
    stat["options"]["colorMode"] = "rainbow"
    chart["fieldConfig"]["defaults"]["custom"]["drawStyle"] = "zigzag"
    board["graphTooltip"] = 9
    problems = "\n".join(schema_problems(board))
    assert ".gridpos: not in the schema" in problems
    assert "legend_format: 7 should be a string" in problems
    assert "options.color_mode: 'rainbow' is not one of" in problems  # the stat panel's own schema
    assert "custom.draw_style: 'zigzag' is not one of" in problems  # the time series' field config
    assert "graph_tooltip: 9 is not one of" in problems


# ---- what the panels say -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_panel_has_a_templated_datasource_a_query_and_a_grafana_unit(boards, name) -> None:
    board = boards[name]
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    problems = []
    for panel in queries.panels(board):
        title = panel.get("title")
        if panel.get("datasource") != {"type": "prometheus", "uid": "${datasource}"}:
            problems.append(f"{title}: datasource is not the templated Prometheus")
        if not panel.get("targets") or not all(t.get("expr", "").strip() for t in panel["targets"]):
            problems.append(f"{title}: no query")
        if any(t.get("datasource") != panel.get("datasource") for t in panel.get("targets", [])):
            problems.append(f"{title}: a query on another datasource")
        unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
        if unit not in GRAFANA_UNITS:
            problems.append(f"{title}: unit {unit!r} is not one of Grafana's")
        if not panel.get("description"):
            problems.append(f"{title}: no description")
    assert problems == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_panel_ids_are_unique_and_uids_stable(boards, name) -> None:
    board = boards[name]
    ids = [panel["id"] for panel in board["panels"]] + [p["id"] for r in board["panels"] for p in r.get("panels", [])]
    assert len(ids) == len(set(ids))
    assert board["uid"] == "habitat-" + name.removesuffix(".json")


def test_every_query_reads_only_catalog_or_exporter_metrics(boards) -> None:
    unknown = {}
    for name, board in boards.items():
        values = {v["name"]: ".*" for v in board["templating"]["list"]}
        for query in queries.dashboard_queries(name, board, values):
            names = queries.metric_names(query.expr)
            assert names, f"{query.source}: reads no metric"
            if missing := sorted(n for n in names if not known(n)):
                unknown[query.source] = missing
    assert unknown == {}


def test_every_catalog_metric_is_on_a_dashboard(boards) -> None:
    shown = set()
    for name, board in boards.items():
        values = {v["name"]: ".*" for v in board["templating"]["list"]}
        for query in queries.dashboard_queries(name, board, values):
            for metric in queries.metric_names(query.expr):
                family = next((metric.removesuffix(s) for s in HISTOGRAM_SUFFIXES if metric.endswith(s)), metric)
                shown.add(family if family in HABITAT_METRICS else metric)
    assert HABITAT_METRICS - shown == set()


def test_the_metric_name_reader_ignores_functions_labels_and_windows() -> None:
    expr = ('histogram_quantile(0.95, sum by (service, le) (rate(habitat_http_request_duration_seconds_bucket'
            '{service=~"$service", status!~"5.."}[$__rate_interval]))) / on (service) group_left max(up) or vector(1e3)')
    assert queries.metric_names(expr) == {"habitat_http_request_duration_seconds_bucket", "up"}


# ---- provisioning and compose --------------------------------------------------------------------


def test_provisioning_points_at_prometheus_and_the_dashboards() -> None:
    datasources = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    [source] = datasources["datasources"]
    assert (source["type"], source["url"], source["isDefault"]) == ("prometheus", "http://prometheus:9090", True)
    providers = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "provider.yml").read_text())
    [provider] = providers["providers"]
    grafana = yaml.safe_load(COMPOSE.read_text())["services"]["grafana"]
    mounts = {volume.split(":")[1]: volume for volume in grafana["volumes"]}
    assert mounts[provider["options"]["path"]] == f"./deploy/grafana/dashboards:{provider['options']['path']}:ro"
    assert mounts["/etc/grafana/provisioning"] == "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro"


def test_grafana_runs_in_the_monitoring_profile_on_loopback_with_an_admin_password_from_env() -> None:
    grafana = yaml.safe_load(COMPOSE.read_text())["services"]["grafana"]
    assert grafana["profiles"] == ["monitoring"]
    assert all(str(port).startswith("127.0.0.1:") for port in grafana["ports"])
    assert grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD"] == "${GRAFANA_ADMIN_PASSWORD:-}"
    assert "GF_SECURITY_ADMIN_PASSWORD" in " ".join(grafana["entrypoint"])  # refuses to start without one
    assert "backend" in grafana["networks"] and "frontend" not in grafana["networks"]
    example = (ROOT / "deploy" / ".env.example").read_text()
    assert re.search(r"(?m)^GRAFANA_ADMIN_PASSWORD=change-me", example)  # deploy/setup.sh generates it
