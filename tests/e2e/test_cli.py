"""The `habitat` admin CLI as a real subprocess against the real stack behind Caddy."""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from .conftest import eventually

pytestmark = pytest.mark.e2e


def run(config_dir: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HABITAT_")}
    env |= {"HABITAT_CONFIG_DIR": str(config_dir), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "habitat_cli", *args], capture_output=True, text=True, env=env, input=input, timeout=120, check=False
    )


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result


def as_json(result: subprocess.CompletedProcess):
    return json.loads(ok(result).stdout)


def one_line_failure(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@cli.coop"


@pytest.fixture(scope="module")
def admin(habitat, tmp_path_factory) -> Path:
    """A config directory signed in as the admin."""
    config = tmp_path_factory.mktemp("habitat-cli-admin")
    ok(run(config, "login", "--url", habitat.url, "--email", habitat.admin_email,
           "--password", habitat.admin_password))
    return config


def test_login_caches_an_owner_only_session_that_later_commands_use(habitat, admin):
    cache = admin / "credentials.json"
    assert mode(cache) == 0o600
    assert json.loads(cache.read_text())["url"] == habitat.url.rstrip("/")
    assert as_json(run(admin, "whoami", "--json"))["email"] == habitat.admin_email


def test_a_bad_password_is_one_line_and_exit_1(habitat, tmp_path):
    _, email, _ = habitat.create_member()
    result = run(tmp_path, "login", "--url", habitat.url, "--email", email, "--password", "not-the-password")
    assert result.returncode == 1
    assert one_line_failure(result) == "The email or password is wrong."
    assert not (tmp_path / "credentials.json").exists()


def test_an_unreachable_server_is_one_line(tmp_path):
    result = run(tmp_path, "login", "--url", "http://127.0.0.1:9", "--email", "a@b.coop", "--password", "x")
    assert one_line_failure(result) == "cannot reach http://127.0.0.1:9"


def test_a_temporary_password_must_be_changed_first(habitat, tmp_path):
    _, email, temporary = habitat.create_member()
    result = run(tmp_path, "login", "--url", habitat.url, "--email", email, "--password", temporary)
    assert result.returncode == 1
    assert "habitat password" in one_line_failure(result)
    new_password = f"cli-{secrets.token_urlsafe(16)}"
    ok(run(tmp_path, "password", "--current", temporary, "--new", new_password))
    assert as_json(run(tmp_path, "whoami", "--json"))["email"] == email
    assert habitat.login(email, new_password)["must_change_password"] is False


def test_an_expired_access_token_is_refreshed_and_the_cache_rewritten(habitat, tmp_path):
    ok(run(tmp_path, "login", "--url", habitat.url, "--email", habitat.admin_email,
           "--password", habitat.admin_password))
    cache = tmp_path / "credentials.json"
    cached = json.loads(cache.read_text())
    cache.write_text(json.dumps(cached | {"access_token": "expired.garbage.token"}))
    periods = as_json(run(tmp_path, "periods", "list", "--json"))
    assert habitat.period_id in [p["id"] for p in periods["items"]]
    rewritten = json.loads(cache.read_text())
    assert rewritten["access_token"] != "expired.garbage.token"
    assert rewritten["refresh_token"] != cached["refresh_token"]
    assert mode(cache) == 0o600


def test_logout_revokes_the_session_and_deletes_the_cache(habitat, tmp_path):
    ok(run(tmp_path, "login", "--url", habitat.url, "--email", habitat.admin_email,
           "--password", habitat.admin_password))
    refresh_token = json.loads((tmp_path / "credentials.json").read_text())["refresh_token"]
    ok(run(tmp_path, "logout"))
    assert not (tmp_path / "credentials.json").exists()
    assert habitat.call("POST", "/auth/refresh", json={"refresh_token": refresh_token}).status_code == 401
    assert "habitat login" in one_line_failure(run(tmp_path, "members", "list"))


def test_members_create_prints_the_temporary_password_and_list_finds_the_member(habitat, admin):
    email = unique("steward")
    created = ok(run(admin, "members", "create", email, "CLI Steward", "--role", "steward",
                     "--joined-at", "2026-01-15"))
    temporary = re.search(r"Temporary password \(shown once\): (\S+)", created.stdout).group(1)
    assert habitat.login(email, temporary)["must_change_password"] is True
    found = as_json(run(admin, "members", "list", "--q", email, "--json"))
    assert [(m["email"], m["role"], m["joined_at"]) for m in found["items"]] == [(email, "steward", "2026-01-15")]
    assert email in ok(run(admin, "members", "list", "--role", "steward")).stdout


def test_onboarding_dry_run_then_real_run_then_unchanged_rerun(habitat, admin, tmp_path):
    emails = [unique("onboard"), unique("onboard")]
    roster = tmp_path / "roster.csv"
    roster.write_text("email,display_name,role\n" + "".join(f"{e},Onboarded {i},member\n" for i, e in enumerate(emails)))
    credentials, welcome = tmp_path / "credentials.csv", tmp_path / "welcome"

    dry = ok(run(admin, "members", "onboard", str(roster), "--dry-run", "--credentials-out", str(credentials)))
    assert "2 created, 0 updated, 0 unchanged (dry run, nothing written)" in dry.stdout
    assert not credentials.exists()
    assert as_json(run(admin, "members", "list", "--q", emails[0], "--json"))["total"] == 0

    real = ok(run(admin, "members", "onboard", str(roster), "--credentials-out", str(credentials),
                  "--welcome-dir", str(welcome)))
    assert "2 created" in real.stdout and all(e in real.stdout for e in emails)
    assert mode(credentials) == 0o600
    with credentials.open() as rows:
        written = list(csv.DictReader(rows))
    assert sorted(row["email"] for row in written) == sorted(emails)
    for row in written:
        assert habitat.login(row["email"], row["temporary_password"])["must_change_password"] is True
    letters = sorted(welcome.glob("*.txt"))
    assert len(letters) == 2 and all(mode(letter) == 0o600 for letter in letters)

    again = as_json(run(admin, "members", "onboard", str(roster), "--json"))
    assert again["summary"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert again["credentials"] == []


def test_a_malformed_roster_prints_file_line_column_and_writes_nothing(admin, tmp_path):
    good, roster = unique("good"), tmp_path / "bad.csv"
    roster.write_text(f"email,display_name,role\n{good},Good,member\nnot-an-email,Bad,member\n")
    result = run(admin, "members", "onboard", str(roster))
    assert result.returncode == 1
    *problems, summary = result.stderr.strip().splitlines()
    assert problems and all(re.match(rf"{re.escape(str(roster))}:\d+:\d+: \S", line) for line in problems), result.stderr
    assert problems[0].startswith(f"{roster}:3:1: ")
    assert summary == f"{roster}: The file has 1 error(s); nothing was imported."
    assert as_json(run(admin, "members", "list", "--q", good, "--json"))["total"] == 0


def test_periods_create_list_and_resolve_by_name(habitat, admin):
    year = 2101 + secrets.randbelow(99)  # dates stop at 2200
    name = f"{year}-Q1"
    created = as_json(run(admin, "periods", "create", name, f"{year}-01-01", f"{year}-03-31", "--json"))
    assert (created["name"], created["status"]) == (name, "open")
    listed = as_json(run(admin, "periods", "list", "--json"))
    assert created["id"] in [p["id"] for p in listed["items"]]
    assert name in ok(run(admin, "periods", "list")).stdout
    overlap = run(admin, "periods", "create", f"{name}-again", f"{year}-02-01", f"{year}-02-28")
    assert one_line_failure(overlap)
    report = eventually(lambda: (r := run(admin, "periods", "close-report", "2026-Q1", "--json")).returncode == 0
                        and json.loads(r.stdout), timeout=15.0, interval=0.5)
    assert report["period"]["id"] == habitat.period_id
    assert "no period named" in one_line_failure(run(admin, "periods", "close-report", "1999-Q9"))


def test_export_journal_to_a_private_file(habitat, admin, tmp_path):
    journal = tmp_path / "book.journal"
    ok(run(admin, "export", "journal", "--basis", "book", "--out", str(journal)))
    assert mode(journal) == 0o600
    expected = habitat.call("GET", "/exports/journal", habitat.admin_token(), params={"basis": "book"})
    assert expected.status_code == 200
    assert journal.read_text() == expected.text
    assert as_json(run(admin, "export", "journal", "--basis", "tax", "--json"))["basis"] == "tax"


def test_a_reminder_slot_runs_once_however_often_it_is_asked_for(admin):
    # the digest's slot is today: the worker's schedule may have run it already, but never twice
    first = as_json(run(admin, "notify", "run", "steward_digest", "--json"))
    again = ok(run(admin, "notify", "run", "steward_digest"))
    assert first["key"] and f"already ran this slot ({first['key']})" in again.stdout
    unknown = run(admin, "notify", "run", "monthly_newsletter")
    assert unknown.returncode == 2 and "monthly_newsletter" in unknown.stderr


def test_a_member_without_admin_rights_gets_the_api_refusal_in_one_line(habitat, tmp_path):
    _, email, temporary = habitat.create_member()
    new_password = f"cli-{secrets.token_urlsafe(16)}"
    run(tmp_path, "login", "--url", habitat.url, "--email", email, "--password", temporary)
    ok(run(tmp_path, "password", "--current", temporary, "--new", new_password))
    refused = run(tmp_path, "periods", "create", "nope", "2200-01-01", "2200-03-31")
    assert refused.returncode == 1
    assert not one_line_failure(refused).startswith("HTTP ")  # the API's own sentence
    assert "nope" not in ok(run(tmp_path, "periods", "list")).stdout
