"""deploy/backup.sh and deploy/restore.sh, natively against the local PostgreSQL: naming, checksum, retention,
the off-site hook, the refusals, and a restore of an older backup (migrated forward, ownership kept).

The full drill through the API is tests/e2e/test_restore_drill.py.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from habitat_common.testing import _admin_exec, temporary_database, temporary_service_roles

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BACKUP, RESTORE = ROOT / "deploy" / "backup.sh", ROOT / "deploy" / "restore.sh"
ADMIN_URL = os.environ.get("HABITAT_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
NAME = re.compile(r"^habitat-\d{8}T\d{6}Z\.dump$")
LEDGER_BEHIND_HEAD = "0014_dead_letters"
NOTIFICATIONS_HEAD = "0003_invariants_in_one_place"


def head_of(service: str) -> str:
    """The service's latest migration, as alembic sees it (a new migration must not break these tests)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(Config(str(ROOT / "services" / service / "alembic.ini"))).get_current_head()


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def run(script: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(script), *args], env=os.environ | {"NO_COLOR": "1"} | env,
                          check=False, capture_output=True, text=True, cwd=ROOT, timeout=120)


def query(database: str, sql: str) -> str:
    url = f"{ADMIN_URL.rsplit('/', 1)[0]}/{database}"
    return subprocess.run(["psql", url, "-tAc", sql], capture_output=True, text=True, check=True).stdout.strip()


def database_exists(name: str) -> bool:
    return query("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


@pytest.fixture(scope="module")
def source() -> Iterator[tuple[str, dict]]:
    """A habitat database one ledger migration behind head, on its service roles (migrated as the owners); its
    notifications schema is empty, as in a backup taken before the notifications service existed."""
    with temporary_database("habitat_backup") as url, temporary_service_roles(url) as roles:
        for service, revision in (("identity", "head"), ("contributions", "head"), ("ledger", LEDGER_BEHIND_HEAD)):
            env = os.environ | {f"{service.upper()}_DATABASE__URL": roles[service].owner_url(url)}
            subprocess.run([sys.executable, "-m", "alembic", "-c", str(ROOT / "services" / service / "alembic.ini"),
                            "upgrade", revision], env=env, cwd=ROOT, check=True, capture_output=True)
        # the last event went out as the dump was taken; one went out long before
        query(plain(url).rsplit("/", 1)[1], "INSERT INTO ledger.outbox (event_id, routing_key, payload, published_at)"
              " VALUES (gen_random_uuid(), 'ledger.old.v1', '{}', now() - interval '2 hours'),"
              " (gen_random_uuid(), 'ledger.in_flight.v1', '{}', now())")
        yield url, roles


@pytest.fixture
def restored_name(source) -> Iterator[str]:
    """A database name for a restore, dropped afterwards (before the roles that own what is in it)."""
    name = f"habitat_restored_{secrets.token_hex(4)}"
    yield name
    _admin_exec(ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def backup(source, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("backups")
    done = run(BACKUP, "--native", HABITAT_BACKUP_DIR=str(directory), HABITAT_BACKUP_DATABASE_URL=plain(source[0]))
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip())


@pytest.mark.skipif(not shutil.which("shellcheck"), reason="shellcheck not installed")
def test_the_scripts_are_shellcheck_clean() -> None:
    checked = subprocess.run(["shellcheck", "-x", str(BACKUP), str(RESTORE)], check=False, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


class TestBackup:
    def test_a_timestamped_dump_with_its_checksum_and_the_path_alone_on_stdout(self, backup: Path) -> None:
        assert NAME.match(backup.name), backup
        checked = subprocess.run(["sha256sum", "-c", backup.name + ".sha256"], cwd=backup.parent,
                                 check=False, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        listing = subprocess.run(["pg_restore", "--list", str(backup)], capture_output=True, text=True, check=True)
        for schema in ("identity", "contributions", "ledger"):  # every service's schema, with its data
            assert f"TABLE DATA {schema} outbox" in listing.stdout
        assert " SCHEMA - notifications " in listing.stdout  # the whole database: a new service's schema too

    def test_retention_deletes_only_its_own_older_backups(self, source, tmp_path: Path) -> None:
        old, foreign = tmp_path / "habitat-20200101T000000Z.dump", tmp_path / "habitat-manual-2020.dump"
        recent = tmp_path / "habitat-20991231T000000Z.dump"
        for path in (old, old.with_name(old.name + ".sha256"), foreign, recent, tmp_path / "notes.txt"):
            path.write_text("x")
        done = run(BACKUP, "--native", HABITAT_BACKUP_DIR=str(tmp_path), HABITAT_BACKUP_RETENTION_DAYS="30",
                   HABITAT_BACKUP_DATABASE_URL=plain(source[0]))
        assert done.returncode == 0, done.stderr
        left = sorted(p.name for p in tmp_path.iterdir())
        new = Path(done.stdout.strip()).name
        assert left == sorted([foreign.name, recent.name, "notes.txt", new, new + ".sha256"])
        assert "pruned 1 backup(s) older than 30 days" in done.stderr

    def test_the_off_site_command_gets_the_path_and_its_failure_fails_the_backup(self, source, tmp_path) -> None:
        copies = tmp_path / "offsite"
        copies.mkdir()
        env = {"HABITAT_BACKUP_DIR": str(tmp_path / "local"), "HABITAT_BACKUP_DATABASE_URL": plain(source[0])}
        done = run(BACKUP, "--native", **env, HABITAT_BACKUP_OFFSITE_COMMAND=f'cp "$1" "$1.sha256" {copies}/')
        assert done.returncode == 0, done.stderr
        assert sorted(p.name for p in copies.iterdir()) == sorted([Path(done.stdout.strip()).name,
                                                                   Path(done.stdout.strip()).name + ".sha256"])
        failed = run(BACKUP, "--native", **env, HABITAT_BACKUP_OFFSITE_COMMAND="exit 7")
        assert failed.returncode == 3 and failed.stdout == ""
        assert "off-site copy command failed (exit 7)" in failed.stderr and "backup: FAILED" in failed.stderr

    def test_a_success_is_written_for_the_node_exporter_and_a_failure_is_not(self, source, tmp_path) -> None:
        from prometheus_client.parser import text_string_to_metric_families

        textfile, started = tmp_path / "textfile", int(time.time())
        done = run(BACKUP, "--native", HABITAT_BACKUP_DIR=str(tmp_path / "b"), HABITAT_TEXTFILE_DIR=str(textfile),
                   HABITAT_BACKUP_DATABASE_URL=plain(source[0]))
        assert done.returncode == 0, done.stderr
        written = (textfile / "habitat_backup.prom").read_text()
        samples = {s.name: s.value for f in text_string_to_metric_families(written) for s in f.samples}
        assert samples["habitat_backup_size_bytes"] == Path(done.stdout.strip()).stat().st_size
        assert started <= samples["habitat_backup_last_success_timestamp_seconds"] <= time.time()
        assert [p.name for p in textfile.iterdir()] == ["habitat_backup.prom"]  # the temporary file was renamed
        failed = run(BACKUP, "--native", HABITAT_BACKUP_DIR=str(tmp_path / "b"), HABITAT_TEXTFILE_DIR=str(textfile),
                     HABITAT_BACKUP_DATABASE_URL=f"{ADMIN_URL.rsplit('/', 1)[0]}/no_such_database_{secrets.token_hex(3)}")
        assert failed.returncode == 1
        assert (textfile / "habitat_backup.prom").read_text() == written  # the last success stands

    @pytest.mark.parametrize("env, message", [
        ({}, "HABITAT_BACKUP_DIR is not set"),
        ({"HABITAT_BACKUP_DIR": "/tmp/x", "HABITAT_BACKUP_RETENTION_DAYS": "a month"}, "whole number of days"),
        ({"HABITAT_BACKUP_DIR": "/tmp/x", "HABITAT_DEPLOY_MODE": "kubernetes"}, "native or compose"),
    ])
    def test_bad_configuration_is_refused_with_a_sentence(self, env, message) -> None:
        done = subprocess.run([str(BACKUP)], env={k: v for k, v in os.environ.items() if not k.startswith("HABITAT_")}
                              | env, check=False, capture_output=True, text=True)
        assert done.returncode == 2 and message in done.stderr, done.stderr

    def test_an_unreachable_database_keeps_no_file(self, tmp_path: Path) -> None:
        done = run(BACKUP, "--native", HABITAT_BACKUP_DIR=str(tmp_path),
                   HABITAT_BACKUP_DATABASE_URL=f"{ADMIN_URL.rsplit('/', 1)[0]}/no_such_database_{secrets.token_hex(3)}")
        assert done.returncode == 1 and "no backup was kept" in done.stderr
        assert list(tmp_path.iterdir()) == []


class TestRestore:
    def test_an_older_backup_is_restored_migrated_forward_and_owned_by_the_service_roles(
        self, source, backup: Path, restored_name: str
    ) -> None:
        _, roles = source
        done = run(RESTORE, "--native", "--skip-validate", str(backup), restored_name, HABITAT_RESTORE_ADMIN_URL=ADMIN_URL)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == restored_name
        assert "(0 created)" in done.stderr  # the roles were there
        assert f"ledger: migrated {LEDGER_BEHIND_HEAD} -> {head_of('ledger')}" in done.stderr, done.stderr
        # every service's schema is brought forward, one that was empty in the backup included
        assert f"notifications: migrated nothing -> {NOTIFICATIONS_HEAD}" in done.stderr, done.stderr
        assert query(restored_name, "SELECT version_num FROM notifications.alembic_version") == NOTIFICATIONS_HEAD
        assert query(restored_name, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'notifications'") == roles["notifications"].owner
        assert query(restored_name, "SELECT version_num FROM ledger.alembic_version") == head_of("ledger")
        # in flight at the dump: published again by the relay (consumers drop duplicates); older ones stay sent
        assert "1 event(s) of the last 30 minutes before the backup will be published again" in done.stderr
        assert query(restored_name, "SELECT routing_key FROM ledger.outbox WHERE published_at IS NULL") == "ledger.in_flight.v1"
        owners = query(restored_name, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'ledger'")
        assert owners == roles["ledger"].owner
        assert query(restored_name, f"SELECT has_table_privilege('{roles['ledger'].runtime}', 'ledger.outbox',"
                                    " 'DELETE')") == "t"

    def test_a_backup_without_its_checksum_file_is_refused_and_nothing_is_created(
        self, backup: Path, tmp_path: Path, restored_name: str
    ) -> None:
        lone = tmp_path / backup.name
        shutil.copy(backup, lone)
        done = run(RESTORE, "--native", str(lone), restored_name, HABITAT_RESTORE_ADMIN_URL=ADMIN_URL)
        assert done.returncode == 3 and "no checksum file" in done.stderr, done.stderr
        assert not database_exists(restored_name)

    def test_a_database_holding_tables_is_refused(self, source, backup: Path) -> None:
        existing = plain(source[0]).rsplit("/", 1)[1]
        done = run(RESTORE, "--native", "--skip-validate", str(backup), existing, HABITAT_RESTORE_ADMIN_URL=ADMIN_URL)
        assert done.returncode == 3 and f"database {existing} exists and is not empty" in done.stderr, done.stderr

    @pytest.mark.parametrize("args, message", [
        ([], "usage: deploy/restore.sh"),
        (["a.dump", "Bad-Name"], "lower-case letters"),
        (["--frobnicate", "a.dump"], "unknown option"),
    ])
    def test_bad_usage_is_refused_with_a_sentence(self, args, message) -> None:
        done = run(RESTORE, "--native", *args)
        assert done.returncode == 2 and message in done.stderr, done.stderr
