"""The monitoring profile's trace path: services -> otel-collector -> Jaeger, off unless an endpoint is set.

The collector binary is not packaged for Debian, so its config is checked for structure here (every component a
pipeline names is defined, the ports agree with compose) rather than with `otelcol validate`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COLLECTOR = ROOT / "deploy" / "otel" / "collector.yml"
DOCKERFILE = ROOT / "deploy" / "otel" / "Dockerfile"
PINNED = re.compile(r"^[\w./-]+:\d+\.\d+\.\d+(-[\w.]+)?$")


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.prod.yml").read_text())["services"]


@pytest.fixture(scope="module")
def collector() -> dict:
    return yaml.safe_load(COLLECTOR.read_text())


def port_of(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


class TestCollectorConfig:
    def test_every_component_a_pipeline_names_is_defined(self, collector) -> None:
        pipelines = collector["service"]["pipelines"]
        assert set(pipelines) == {"traces"}
        for pipeline in pipelines.values():
            for kind in ("receivers", "processors", "exporters"):
                assert pipeline[kind], kind
                assert set(pipeline[kind]) <= set(collector[kind]), kind
        assert set(collector["service"]["extensions"]) <= set(collector["extensions"])

    def test_the_memory_limiter_runs_first_and_the_batch_last(self, collector) -> None:
        processors = collector["service"]["pipelines"]["traces"]["processors"]
        assert processors[0] == "memory_limiter" and processors[-1] == "batch"

    def test_otlp_is_received_over_http_and_grpc_on_every_interface_of_the_container(self, collector) -> None:
        protocols = collector["receivers"]["otlp"]["protocols"]
        # since collector 0.104 an endpoint left out listens on localhost only: unreachable from the services
        assert protocols["http"]["endpoint"] == "0.0.0.0:4318"
        assert protocols["grpc"]["endpoint"] == "0.0.0.0:4317"

    def test_spans_go_to_jaegers_otlp_grpc_port(self, collector, services) -> None:
        [exporter] = collector["service"]["pipelines"]["traces"]["exporters"]
        host, port = collector["exporters"][exporter]["endpoint"].split(":")
        assert host in services
        assert port_of(services[host]["environment"]["COLLECTOR_OTLP_GRPC_HOST_PORT"]) == int(port)


class TestComposeServices:
    @pytest.mark.parametrize("name", ["otel-collector", "jaeger"])
    def test_in_the_monitoring_profile_on_the_backend_network_only(self, services, name) -> None:
        service = services[name]
        assert service["profiles"] == ["monitoring"]
        assert service["networks"] == ["backend"]
        assert all(port.startswith("127.0.0.1:") for port in service.get("ports", [])), service.get("ports")

    def test_only_jaegers_ui_reaches_the_host_loopback(self, services) -> None:
        assert "ports" not in services["otel-collector"]
        assert services["jaeger"]["ports"] == ["127.0.0.1:16686:16686"]

    @pytest.mark.parametrize("name", ["otel-collector", "jaeger"])
    def test_images_are_pinned_upstream_releases_plus_the_healthcheck_tool(self, services, name) -> None:
        service = services[name]
        base = service["build"]["args"]["BASE"]
        assert PINNED.match(base), base
        assert service["image"].rpartition(":")[2] == base.rpartition(":")[2]
        assert service["build"]["context"] == "deploy/otel"
        assert service["healthcheck"]["test"][:3] == ["CMD", "/busybox", "wget"]
        busybox = re.search(r"^FROM (busybox:\S+)", DOCKERFILE.read_text(), re.MULTILINE)
        assert busybox and PINNED.match(busybox.group(1).replace("-musl", "")), "busybox must be pinned"

    def test_the_collector_healthcheck_asks_its_health_extension(self, services, collector) -> None:
        url = services["otel-collector"]["healthcheck"]["test"][-1]
        assert port_of(url.rstrip("/")) == port_of(collector["extensions"]["health_check"]["endpoint"])

    def test_the_collector_reads_the_config_at_the_images_default_path(self, services) -> None:
        assert "./deploy/otel/collector.yml:/etc/otelcol-contrib/config.yaml:ro" in services["otel-collector"]["volumes"]


class TestServicesExport:
    def python_processes(self, services) -> dict:
        return {n: s for n, s in services.items() if "HABITAT_APP" in (s.get("environment") or {})}

    def test_every_process_gets_the_otlp_endpoint_empty_unless_dotenv_sets_it(self, services) -> None:
        processes = self.python_processes(services)
        assert len(processes) == 9  # four services with a worker each, and the gateway
        for name, service in processes.items():
            assert service["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == "${OTEL_EXPORTER_OTLP_ENDPOINT:-}", name
            assert service["environment"]["OTEL_TRACES_SAMPLER"].startswith("${OTEL_TRACES_SAMPLER:-parentbased_")

    def test_migrations_export_nothing(self, services) -> None:
        for name, service in services.items():
            if name.startswith("migrate-") or name == "provision":
                assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in (service.get("environment") or {}), name

    def test_the_endpoint_the_env_example_names_is_the_collectors_http_receiver(self, services, collector) -> None:
        example = (ROOT / "deploy" / ".env.example").read_text()
        [url] = re.findall(r"(http://otel-collector:\d+)", example)
        assert "otel-collector" in services
        assert port_of(url) == port_of(collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"])
        assert re.search(r"(?m)^OTEL_EXPORTER_OTLP_ENDPOINT=$", example)
