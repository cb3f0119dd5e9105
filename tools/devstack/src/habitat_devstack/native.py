"""Habitat as replicated processes on this machine, one release per replica, replaced one at a time.

The native counterpart of the compose deployment that deploy/upgrade.sh and deploy/rollback.sh drive
(HABITAT_DEPLOY_MODE=native). A release is a git commit exported with `git archive` into
$HABITAT_STATE_DIR/releases/<sha> (no worktree: the repository's own .git is never written), or the
checkout itself ("working-tree"); its processes run on this virtualenv with PYTHONPATH at the release's
libs/*/src and services/*/src (the dependencies are the same, the code is the release's).

Each HTTP process runs as N replicas behind Caddy: the gateway behind the edge (the project's
Caddyfile, HABITAT_GATEWAY_UPSTREAM lists every replica), each service (identity, contributions, ledger,
notifications) behind an internal Caddy (deploy/Caddyfile.internal) that the gateway and the token
verifiers call, so a replica going away is a refused dial that Caddy retries on another one, whatever
release the caller runs.

State ($HABITAT_STATE_DIR, default .local/deploy): stack.json (ports, environment; 0600: it holds the
services' passwords), run/<process>.<replica>.json (pid, port, release), logs/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
from habitat_common.ports import free_port

from habitat_devstack.stack import HTTP_PROTOCOL, KEEP_ALIVE_SECONDS, ROOT, SERVICES, StackConfig, _target, caddy_cpus

WORKING_TREE = "working-tree"
HTTP_PROCESSES = (*SERVICES, "gateway")
WORKERS = tuple(f"{service}-worker" for service in SERVICES)
# the order of a rolling restart: the services before their callers, the gateway last
ROLL_ORDER = (*SERVICES, *WORKERS, "gateway")
HEALTH_INTERVAL = 1.0  # the edge's active health checks (HABITAT_CADDY_HEALTH_INTERVAL); waited out per replica
EXPORTED_PATHS = ("libs", "services", "tools", "Caddyfile")
# set per process by _caddy_env, never saved in stack.json
UNSAVED_ENV = ("HABITAT_SITE_ADDRESS", "HABITAT_GATEWAY_UPSTREAM", "HABITAT_CADDY_ADMIN", "XDG_DATA_HOME", "XDG_CONFIG_HOME")


class DeployError(RuntimeError):
    """A deployment step failed; the message says which and where to look."""


def state_dir() -> Path:
    return Path(os.environ.get("HABITAT_STATE_DIR", ROOT / ".local" / "deploy"))


@dataclass
class NativeStack:
    """What the native deployment runs: written once by `init`, read by every later command."""

    env: dict[str, str]  # the processes' environment on top of this shell's
    migration_urls: dict[str, str]  # per service: its schema owner's URL (migrations)
    database_url: str  # the administrator's (backups, restores)
    replicas: dict[str, list[int]]  # process -> one port per replica
    lb_ports: dict[str, int]  # service -> the internal Caddy's port for it
    edge_port: int
    edge_admin_port: int
    lb_admin_port: int
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.edge_port}"

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "stack.json"
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        path.write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, directory: Path) -> NativeStack:
        path = directory / "stack.json"
        if not path.exists():
            raise DeployError(f"no native stack is set up in {directory} (stack.json missing); run `init` first")
        return cls(**json.loads(path.read_text()))


def init(config: StackConfig, directory: Path, replicas: int = 2) -> NativeStack:
    """Lay out a native deployment from a stack configuration: ports per replica, the internal balancer's ports."""
    lb_ports = {service: free_port() for service in SERVICES}
    # the callers reach each service through the internal balancer, never one replica
    config.ports = dict(config.ports) | lb_ports
    overrides = {k: v for k, v in config.env().items() if os.environ.get(k) != v}
    for key in UNSAVED_ENV:
        overrides.pop(key, None)
    ports = {name: [free_port() for _ in range(replicas)] for name in HTTP_PROCESSES}
    ports |= {name: [free_port()] for name in WORKERS}  # reads never wait on a worker: one each
    stack = NativeStack(
        env=overrides,
        migration_urls={s: a.migration_database_url for s, a in config.access.items()},
        database_url=config.database_url,
        replicas=ports, lb_ports=lb_ports,
        edge_port=config.ports["caddy"], edge_admin_port=config.ports["caddy-admin"], lb_admin_port=free_port(),
    )
    stack.save(directory)
    return stack


def adopt(config: StackConfig, directory: Path, replicas: int = 2) -> list[str]:
    """Lay out the services a deployment from before them lacks (replica and balancer ports, the schema owner's
    URL, their environment); what it has stays as it is. The services added: every process, the proxies
    included, must be started again to serve them."""
    stack = NativeStack.load(directory)
    missing = [service for service in SERVICES if service not in stack.lb_ports]
    if not missing:
        return []
    for service in missing:
        stack.lb_ports[service] = free_port()
        stack.replicas[service] = [free_port() for _ in range(replicas)]
        stack.replicas[f"{service}-worker"] = [free_port()]
        if own := config.access.get(service):
            stack.migration_urls[service] = own.migration_database_url
    # the callers reach the new services through the internal balancer, and mail links lead to the edge
    config.ports = dict(config.ports) | stack.lb_ports | {"caddy": stack.edge_port}
    for key, value in config.env().items():
        if key not in stack.env and os.environ.get(key) != value and key not in UNSAVED_ENV:
            stack.env[key] = value
    stack.save(directory)
    return missing


# ---- releases ----------------------------------------------------------------------------------


def resolve(version: str) -> str:
    """A git ref as the commit it names, or the working tree; a clear error when the ref is unknown."""
    if version in (WORKING_TREE, "."):
        return WORKING_TREE
    found = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{version}^{{commit}}"],
        capture_output=True, text=True, check=False,
    )
    if found.returncode != 0:
        raise DeployError(
            f"version {version!r} is not a commit in {ROOT} (a shallow clone lacks history: `git fetch --unshallow`)"
        )
    return found.stdout.strip()


def release_dir(version: str, directory: Path) -> Path:
    """The release's code on disk, exported from git on first use."""
    if version == WORKING_TREE:
        return ROOT
    target = directory / "releases" / version
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", version, *EXPORTED_PATHS], capture_output=True, check=False,
    )
    if archive.returncode != 0:
        raise DeployError(f"git archive {version} failed: {archive.stderr.decode().strip()}")
    import io

    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    (target / ".complete").write_text(version + "\n")
    return target


def release_services(release: Path) -> tuple[str, ...]:
    """The services a release has: one from before a service existed (notifications) runs without it."""
    return tuple(service for service in SERVICES if (release / "services" / service / "alembic.ini").is_file())


def release_processes(release: Path) -> set[str]:
    services = release_services(release)
    return {*services, *(f"{service}-worker" for service in services), "gateway"}


def release_env(stack: NativeStack, release: Path) -> dict[str, str]:
    paths = [str(p) for folder in ("libs", "services", "tools") for p in sorted((release / folder).glob("*/src"))]
    return dict(os.environ) | stack.env | {"PYTHONPATH": os.pathsep.join(paths), "PYTHONUNBUFFERED": "1"}


def run_in_release(version: str, argv: list[str], directory: Path, **kwargs) -> subprocess.CompletedProcess:
    """Run a Python module of a release (e.g. its CLI) with the deployment's environment."""
    stack = NativeStack.load(directory)
    release = release_dir(version, directory)
    kwargs.setdefault("check", False)
    return subprocess.run(  # noqa: PLW1510 - check is in kwargs
        [sys.executable, *argv], env=release_env(stack, release) | kwargs.pop("env", {}), cwd=release, **kwargs,
    )


def migrate(version: str, directory: Path) -> None:
    """Every service's migrations of this release, as its schema owner: the expand step of an upgrade."""
    stack = NativeStack.load(directory)
    release = release_dir(version, directory)
    if missing := [service for service in release_services(release) if service not in stack.lb_ports]:
        raise DeployError(
            f"{version} has {', '.join(missing)}, which this deployment ({directory}) was laid out without: run"
            " deploy/setup.sh --native once (it adds their roles, ports and routes, then starts everything)"
        )
    for service in release_services(release):
        env = release_env(stack, release)
        if service in stack.migration_urls:
            env[f"{service.upper()}_DATABASE__URL"] = stack.migration_urls[service]
        done = subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(release / "services" / service / "alembic.ini"), "upgrade", "head"],
            env=env, cwd=release, capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            raise DeployError(f"{service} migrations of {version} failed:\n{done.stderr.strip()}")


# ---- processes ---------------------------------------------------------------------------------


def _record_path(directory: Path, name: str, replica: int) -> Path:
    return directory / "run" / f"{name}.{replica}.json"


def _alive(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our own child
    except ChildProcessError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _stop_pid(pid: int, timeout: float = 20.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)  # uvicorn stops listening, finishes what it has, exits
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.05)
    os.killpg(pid, signal.SIGKILL)


def _spawn(argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> int:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        return subprocess.Popen(
            argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        ).pid


def _wait_ready(url: str, pid: int, what: str, log: Path, timeout: float = 120.0) -> None:
    deadline, last = time.monotonic() + timeout, "no answer"
    while time.monotonic() < deadline:
        if not _alive(pid):
            raise DeployError(f"{what} exited while starting; see {log}")
        try:
            response = httpx.get(url, timeout=2.0)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as error:
            last = repr(error)
        time.sleep(0.1)
    raise DeployError(f"{what} not ready after {timeout:.0f}s (last answer: {last}); see {log}")


def http_protocol_options(release: Path) -> list[str]:
    """uvicorn's --http for a release: ours where the release has it; a release from before it has uvicorn's own."""
    module = release / "libs/habitat_common/src/habitat_common/web/http_protocol.py"
    return ["--http", HTTP_PROTOCOL] if module.exists() else []


def spawn_replica(name: str, replica: int, version: str, directory: Path) -> tuple[int, int, Path]:
    """Start one replica of a process from a release; (pid, port, log) to wait on."""
    stack = NativeStack.load(directory)
    release = release_dir(version, directory)
    port = stack.replicas[name][replica]
    argv = [
        sys.executable, "-m", "uvicorn", "--factory", _target(name), "--host", "127.0.0.1", "--port", str(port),
        "--no-access-log", "--lifespan", "on", "--timeout-keep-alive", str(KEEP_ALIVE_SECONDS),
        *http_protocol_options(release),
    ]
    log = directory / "logs" / f"{name}.{replica}.log"
    pid = _spawn(argv, release_env(stack, release), release, log)
    _record_path(directory, name, replica).parent.mkdir(parents=True, exist_ok=True)
    _record_path(directory, name, replica).write_text(
        json.dumps({"pid": pid, "port": port, "version": version, "release": str(release)})
    )
    return pid, port, log


def start_replicas(members: list[tuple[str, int]], version: str, directory: Path) -> None:
    """Start these (process, replica) pairs side by side and wait until each answers /readyz; the processes of
    a service the release does not have are left out."""
    present = release_processes(release_dir(version, directory))
    spawned = [
        (name, replica, *spawn_replica(name, replica, version, directory))
        for name, replica in members if name in present
    ]
    for name, replica, pid, port, log in spawned:
        _wait_ready(f"http://127.0.0.1:{port}/readyz", pid, f"{name} replica {replica + 1} ({version})", log)


def stop_replica(name: str, replica: int, directory: Path) -> None:
    path = _record_path(directory, name, replica)
    if path.exists():
        _stop_pid(json.loads(path.read_text())["pid"])
        path.unlink()


def _caddy_env(stack: NativeStack, directory: Path) -> dict[str, str]:
    try:
        threads = caddy_cpus()
    except ValueError as error:
        raise DeployError(str(error)) from None
    return dict(os.environ) | {
        "HABITAT_SITE_ADDRESS": stack.url,
        "HABITAT_GATEWAY_UPSTREAM": " ".join(f"127.0.0.1:{p}" for p in stack.replicas["gateway"]),
        "HABITAT_CADDY_ADMIN": f"localhost:{stack.edge_admin_port}",
        "HABITAT_CADDY_HEALTH_INTERVAL": f"{HEALTH_INTERVAL:g}s",
        "HABITAT_LB_ADMIN": f"localhost:{stack.lb_admin_port}",
        **{f"HABITAT_LB_{s.upper()}_PORT": str(stack.lb_ports[s]) for s in SERVICES},
        **{
            f"HABITAT_LB_{s.upper()}_UPSTREAMS": " ".join(f"127.0.0.1:{p}" for p in stack.replicas[s])
            for s in SERVICES
        },
        "XDG_DATA_HOME": str(directory / "caddy-data"),
        "XDG_CONFIG_HOME": str(directory / "caddy-config"),
        "GOMAXPROCS": threads,
    }


def spawn_proxies(directory: Path) -> None:
    """The internal balancer and the edge: started once, they outlive every release."""
    stack = NativeStack.load(directory)
    caddy = shutil.which("caddy") or "caddy"
    configs = {"caddy-internal": ROOT / "deploy" / "Caddyfile.internal", "caddy": ROOT / "Caddyfile"}
    for name, config in configs.items():
        log = directory / "logs" / f"{name}.log"
        pid = _spawn([caddy, "run", "--config", str(config), "--adapter", "caddyfile"], _caddy_env(stack, directory), ROOT, log)
        _record_path(directory, name, 0).parent.mkdir(parents=True, exist_ok=True)
        _record_path(directory, name, 0).write_text(json.dumps({"pid": pid, "version": "proxy"}))


def wait_proxies(directory: Path) -> None:
    stack = NativeStack.load(directory)
    internal = json.loads(_record_path(directory, "caddy-internal", 0).read_text())["pid"]
    running = {name for name, records in status(directory).items() if any(r["alive"] for r in records)}
    for service in (s for s in SERVICES if s in running):  # a release from before a service runs without it
        _wait_ready(f"http://127.0.0.1:{stack.lb_ports[service]}/readyz", internal,
                    f"internal proxy to {service}", directory / "logs" / "caddy-internal.log")
    edge = json.loads(_record_path(directory, "caddy", 0).read_text())["pid"]
    _wait_ready(stack.url + "/healthz", edge, "edge proxy", directory / "logs" / "caddy.log")


def _wave(stack: NativeStack, replica: int) -> list[tuple[str, int]]:
    return [(name, replica) for name in ROLL_ORDER if replica < len(stack.replicas.get(name, ()))]


def start_apps(version: str, directory: Path) -> None:
    """Start every replica of a release (the database already migrated)."""
    stack = NativeStack.load(directory)
    start_replicas([m for r in range(max(map(len, stack.replicas.values()))) for m in _wave(stack, r)], version, directory)


def start(version: str, directory: Path) -> None:
    """Start the proxies and every replica of a release (identity is ready once it follows its own revocations
    feed, through the internal proxy)."""
    spawn_proxies(directory)
    start_apps(version, directory)
    wait_proxies(directory)


def running_version(directory: Path) -> str:
    """The one release every live replica runs; an error when they differ or nothing runs."""
    versions = {r["version"] for name, records in status(directory).items() if not name.startswith("caddy")
                for r in records if r["alive"]}
    if len(versions) != 1:
        raise DeployError(f"expected every replica on one release, found {sorted(versions) or 'none running'}")
    return versions.pop()


def roll(version: str, directory: Path, log=print) -> None:
    """Replace every replica by one of `version`, a wave at a time: replica 1 of every process, then
    replica 2, ...; while a wave restarts, each HTTP process keeps its other replicas serving."""
    stack = NativeStack.load(directory)
    waves = max(map(len, stack.replicas.values()))
    for replica in range(waves):
        started = time.monotonic()
        members = _wave(stack, replica)
        for name, index in members:
            stop_replica(name, index, directory)
        start_replicas(members, version, directory)
        # the edge's active health check must have seen the wave up again before the next one goes down
        time.sleep(HEALTH_INTERVAL * 1.5)
        names = ", ".join(name for name, _ in members)
        log(f"wave {replica + 1}/{waves} ({names}) now runs {version} ({time.monotonic() - started:.1f}s)")


def stop_apps(directory: Path) -> None:
    stack = NativeStack.load(directory)
    for name in reversed(ROLL_ORDER):
        for replica in range(len(stack.replicas.get(name, ()))):
            stop_replica(name, replica, directory)


def stop(directory: Path) -> None:
    """Stop every process of the deployment, proxies last."""
    stop_apps(directory)
    for name in ("caddy", "caddy-internal"):
        stop_replica(name, 0, directory)


def status(directory: Path) -> dict[str, list[dict]]:
    """What runs: per process, each replica's pid, release and whether it is alive."""
    found: dict[str, list[dict]] = {}
    for path in sorted((directory / "run").glob("*.json")):
        name, _, _ = path.stem.rpartition(".")
        record = json.loads(path.read_text())
        found.setdefault(name, []).append(record | {"alive": _alive(record["pid"])})
    return found


def probe(directory: Path) -> list[str]:
    """/healthz and /readyz through the edge: what is wrong, or nothing."""
    url, problems = NativeStack.load(directory).url, []
    for path in ("/healthz", "/readyz"):
        try:
            response = httpx.get(url + path, timeout=10.0)
            if response.status_code != 200:
                problems.append(f"{path}: {response.status_code} {response.text[:200]}")
        except httpx.HTTPError as error:
            problems.append(f"{path}: {error!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m habitat_devstack.native", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for command in ("resolve", "migrate", "start", "start-apps", "roll"):
        sub.add_parser(command).add_argument("version")
    for command in ("stop", "stop-apps", "status", "version", "url", "database-url", "probe"):
        sub.add_parser(command)
    run = sub.add_parser("run", help="python ARGS... with a release's code and the deployment's environment")
    run.add_argument("version")
    run.add_argument("args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    directory = state_dir()
    try:
        if args.command == "resolve":
            print(resolve(args.version))
        elif args.command == "migrate":
            migrate(resolve(args.version), directory)
        elif args.command == "start":
            start(resolve(args.version), directory)
        elif args.command == "start-apps":
            start_apps(resolve(args.version), directory)
        elif args.command == "version":
            print(running_version(directory))
        elif args.command == "roll":
            roll(resolve(args.version), directory, log=lambda line: print(line, flush=True))
        elif args.command == "stop":
            stop(directory)
        elif args.command == "stop-apps":
            stop_apps(directory)
        elif args.command == "run":
            argv = args.args[1:] if args.args[:1] == ["--"] else args.args
            return run_in_release(resolve(args.version), argv, directory).returncode
        elif args.command == "probe":
            problems = probe(directory)
            print("\n".join(problems) or "/healthz and /readyz answer 200")
            return 1 if problems else 0
        elif args.command == "status":
            print(json.dumps(status(directory), indent=2))
        elif args.command == "url":
            print(NativeStack.load(directory).url)
        elif args.command == "database-url":
            print(NativeStack.load(directory).database_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
