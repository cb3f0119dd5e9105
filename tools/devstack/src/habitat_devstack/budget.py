"""PostgreSQL's connection budget for a compose deployment: each process's pool against max_connections.

    python -m habitat_devstack.budget                         # docker-compose.prod.yml, default replicas
    python -m habitat_devstack.budget --scale ledger=3 --scale contributions=2

Every Habitat process holds one SQLAlchemy pool of up to pool_size + max_overflow connections (the
defaults of its service's settings, or <PREFIX>_DATABASE__POOL_SIZE / __MAX_OVERFLOW in its environment),
and the HTTP processes of the services that read on habitat_common.read_pool one more of read_pool_size
(__READ_POOL_SIZE); uvicorn runs WEB_CONCURRENCY processes per container (default 1). On top come the reserve: the migrations
and provisioning one-shots, PostgreSQL's superuser_reserved_connections, an operator's psql and pg_dump,
and a rolling upgrade's extra replica of the largest pool. The sum must stay under max_connections by
MARGIN, or a busy hour ends in "too many clients" errors.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from habitat_devstack.stack import ROOT

COMPOSE = ROOT / "docker-compose.prod.yml"
MARGIN = 0.10  # this share of max_connections stays free
OPERATOR_RESERVE = 5  # psql sessions, pg_dump (backup.sh), habitat validate's checks
PROVISION_CONNECTIONS = 1  # habitat_common.provisioning: one admin connection at a time
MIGRATION_CONNECTIONS = 1  # alembic on a NullPool: one connection per migrate-<service> job
SUPERUSER_RESERVED_DEFAULT = 3
# the services whose HTTP process reads on habitat_common.read_pool (their containers build a ReadPool)
READ_POOL_PREFIXES = {"IDENTITY", "CONTRIBUTIONS", "LEDGER"}
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}")


@dataclass(frozen=True)
class Process:
    service: str
    replicas: int
    processes_per_replica: int
    pool_size: int
    max_overflow: int
    read_pool: int = 0

    @property
    def per_process(self) -> int:
        return self.pool_size + self.max_overflow + self.read_pool

    @property
    def total(self) -> int:
        return self.replicas * self.processes_per_replica * self.per_process


@dataclass(frozen=True)
class Budget:
    max_connections: int
    superuser_reserved: int
    processes: list[Process]
    one_shots: dict[str, int]

    @property
    def pools(self) -> int:
        return sum(p.total for p in self.processes)

    @property
    def surge(self) -> int:
        """A rolling upgrade runs one new replica next to the old ones before stopping one."""
        return max((p.processes_per_replica * p.per_process for p in self.processes), default=0)

    @property
    def reserve(self) -> int:
        return self.superuser_reserved + OPERATOR_RESERVE + sum(self.one_shots.values())

    @property
    def needed(self) -> int:
        return self.pools + self.surge + self.reserve

    @property
    def allowed(self) -> int:
        return int(self.max_connections * (1 - MARGIN))

    @property
    def fits(self) -> bool:
        return self.needed <= self.allowed

    def table(self) -> str:
        rows = [f"{'process':<24}{'replicas':>9}{'pool+overflow+reads':>21}{'connections':>13}"]
        rows += [
            f"{p.service:<24}{p.replicas * p.processes_per_replica:>9}"
            f"{f'{p.pool_size}+{p.max_overflow}+{p.read_pool}':>21}{p.total:>13}"
            for p in self.processes
        ]
        rows += [f"{name:<24}{'':>9}{'':>21}{n:>13}" for name, n in self.one_shots.items()]
        rows += [
            f"{'rolling-upgrade surge':<24}{'':>9}{'':>21}{self.surge:>13}",
            f"{'superuser reserved':<24}{'':>9}{'':>21}{self.superuser_reserved:>13}",
            f"{'operator (psql, backup)':<24}{'':>9}{'':>21}{OPERATOR_RESERVE:>13}",
            (
                f"needed {self.needed} of max_connections {self.max_connections} "
                f"(at most {self.allowed}, keeping {MARGIN:.0%} free): {'fits' if self.fits else 'DOES NOT FIT'}"
            ),
        ]
        return "\n".join(rows)


def resolve(value: object) -> str:
    """A compose value with ${VAR:-default} replaced by its default (the budget of an untouched .env)."""
    return VARIABLE.sub(lambda m: m.group(2) or "", str(value))


def _settings_defaults(prefix: str) -> tuple[int, int, int]:
    from habitat_contributions.config import ContributionsSettings
    from habitat_identity.config import IdentitySettings
    from habitat_ledger.config import LedgerSettings
    from habitat_notifications.config import NotificationsSettings

    settings = {
        "IDENTITY": IdentitySettings, "CONTRIBUTIONS": ContributionsSettings, "LEDGER": LedgerSettings,
        "NOTIFICATIONS": NotificationsSettings,
    }[prefix]
    database = settings.model_fields["database"].default_factory()
    return database.pool_size, database.max_overflow, database.read_pool_size


def _setting(command: object, name: str) -> int | None:
    words = command.split() if isinstance(command, str) else [str(w) for w in command or ()]
    for word in words:
        if word.startswith(f"{name}="):
            return int(resolve(word.split("=", 1)[1]))
    return None


def budget(compose: dict, scale: dict[str, int] | None = None) -> Budget:
    """The connections a compose file's processes may open, against its PostgreSQL's max_connections."""
    scale = scale or {}
    services = compose["services"]
    postgres = services["postgres"]
    max_connections = _setting(postgres.get("command"), "max_connections")
    if max_connections is None:
        raise ValueError("the postgres service sets no max_connections (command: postgres -c max_connections=N)")
    reserved = _setting(postgres.get("command"), "superuser_reserved_connections") or SUPERUSER_RESERVED_DEFAULT
    processes, one_shots = [], {}
    for name, service in services.items():
        env = {k: resolve(v) for k, v in (service.get("environment") or {}).items()}
        if "profiles" in service:
            continue
        if "HABITAT_PROVISION_POSTGRES_URL" in env:
            one_shots[name] = PROVISION_CONNECTIONS
            continue
        urls = [k for k in env if k.endswith("_DATABASE__URL")]
        if not urls:
            continue
        prefix = urls[0].removesuffix("_DATABASE__URL")
        if "HABITAT_APP" not in env:  # alembic: the migrate-<service> one-shots
            one_shots[name] = MIGRATION_CONNECTIONS
            continue
        pool_size, max_overflow, read_pool_size = _settings_defaults(prefix)
        reads = prefix in READ_POOL_PREFIXES and ".entrypoints.http:" in env["HABITAT_APP"]
        replicas = scale.get(name, int(((service.get("deploy") or {}).get("replicas")) or 1))
        processes.append(Process(
            service=name,
            replicas=replicas,
            processes_per_replica=int(env.get("WEB_CONCURRENCY", 1)),
            pool_size=int(env.get(f"{prefix}_DATABASE__POOL_SIZE", pool_size)),
            max_overflow=int(env.get(f"{prefix}_DATABASE__MAX_OVERFLOW", max_overflow)),
            read_pool=int(env.get(f"{prefix}_DATABASE__READ_POOL_SIZE", read_pool_size)) if reads else 0,
        ))
    unknown = set(scale) - {p.service for p in processes}
    if unknown:
        raise ValueError(f"--scale names no process that uses PostgreSQL: {', '.join(sorted(unknown))}")
    return Budget(max_connections, reserved, processes, one_shots)


def load(path: Path = COMPOSE) -> dict:
    return yaml.safe_load(path.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PostgreSQL connection budget of a compose deployment")
    parser.add_argument("--file", type=Path, default=COMPOSE, help="compose file (default: docker-compose.prod.yml)")
    parser.add_argument("--scale", action="append", default=[], metavar="SERVICE=N", help="replicas of a service")
    parser.add_argument("--max-connections", type=int, help="as POSTGRES_MAX_CONNECTIONS in .env (default: the file's)")
    args = parser.parse_args(argv)
    scale = {}
    for item in args.scale:
        name, _, count = item.partition("=")
        if not count.isdigit() or int(count) < 1:
            parser.error(f"--scale {item!r}: expected SERVICE=N with N >= 1")
        scale[name] = int(count)
    try:
        result = budget(load(args.file), scale)
        if args.max_connections:
            result = replace(result, max_connections=args.max_connections)
    except (OSError, ValueError, KeyError) as error:
        print(f"budget: {error}", file=sys.stderr)
        return 2
    print(result.table())
    return 0 if result.fits else 1


if __name__ == "__main__":
    sys.exit(main())
