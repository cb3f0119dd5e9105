"""Data migration through the real stack: members, opening balances and historical contributions
imported through Caddy, reaching the ledger by events, then `habitat validate` over every service.

A stack of its own, as a co-op migrating in would have: the shared one holds periods other tests
closed (opening balances may not be dated under a closed period) and rows they broke on purpose.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx
import pytest

from .conftest import Habitat, eventually, started_habitat
from .test_cli import ok, run

pytestmark = pytest.mark.e2e

ROSTER = (  # members since before the history imported below (contributed_on may not precede joined_at)
    "email,display_name,role,joined_at\n"
    "lee@imp.coop,Lee Park,member,2025-01-15\n"
    "ada@imp.coop,Ada King,member,2025-01-15\n"
    "sam@imp.coop,Sam Ortiz,steward,2025-01-15\n"
)
BALANCES = (
    "member_email,book_balance,tax_balance,as_of,note\n"
    "lee@imp.coop,1000.00,800.00,2025-09-30,carried over\n"
    "ada@imp.coop,-150.00,-150.00,2025-09-30,\n"
)
HISTORY = (
    "reference,member_email,period,type,contributed_on,description,hours,rate,amount,fair_market_value,"
    "adjusted_basis,status,approver_email,decided_at\n"
    "OLD-1,lee@imp.coop,2025-Q4,labor,2025-10-14,Harvest shifts,12,25.00,,,,approved,sam@imp.coop,2025-10-20T09:00:00Z\n"
    "OLD-2,ada@imp.coop,2025-Q4,capital,2025-11-02,Loan converted,,,2000.00,,,approved,sam@imp.coop,2025-11-05T12:00:00Z\n"
    "OLD-3,lee@imp.coop,2025-Q4,property,2025-11-20,Walk-in cooler,,,,3500.00,2100.00,approved,sam@imp.coop,"
    "2025-11-25T12:00:00Z\n"
    "OLD-4,lee@imp.coop,2025-Q4,labor,2025-12-01,Duplicate entry,3,25.00,,,,rejected,sam@imp.coop,2025-12-03T08:00:00Z\n"
    "OLD-5,ada@imp.coop,2025-Q4,capital,2025-12-10,Pledge,,,500.00,,,pending,,\n"
)
BAD_HISTORY = (
    "reference,member_email,period,type,contributed_on,description,hours,rate,amount,fair_market_value,"
    "adjusted_basis,status,approver_email,decided_at\n"
    "BAD-1,lee@imp.coop,2025-Q4,gift,2025-10-14,Nope,,,10.00,,,pending,,\n"
    "BAD-2,lee@imp.coop,2025-Q4,capital,2025-13-40,Nope,,,10.00,,,pending,,\n"
)


def upload(habitat, token: str, path: str, body: str, dry_run: bool):
    return habitat.call("POST", path, token, content=body.encode(), params={"dry_run": str(dry_run).lower()},
                        headers={"Content-Type": "text/csv"})


def db(habitat, query: str, *args):
    """One value from the stack's database; on a thread of its own, as sync Playwright holds this one's loop."""
    async def fetch():
        conn = await asyncpg.connect(re.sub(r"^postgresql\+asyncpg://", "postgresql://", habitat.config.database_url))
        try:
            return await conn.fetchval(query, *args)
        finally:
            await conn.close()

    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, fetch()).result()


@pytest.fixture(scope="module")
def habitat() -> Iterator[Habitat]:
    with started_habitat("habitat_e2e_import") as env:
        yield env


@pytest.fixture(scope="module")
def admin(habitat, tmp_path_factory) -> Path:
    """A CLI config directory signed in as this stack's admin."""
    config = tmp_path_factory.mktemp("habitat-cli-import")
    ok(run(config, "login", "--url", habitat.url, "--email", habitat.admin_email, "--password", habitat.admin_password))
    return config


@pytest.fixture(scope="module")
def imported_people(habitat) -> dict[str, str]:
    """The roster imported and the 2025-Q4 period opened; member ids by email once replicated."""
    token = habitat.admin_token()
    response = upload(habitat, token, "/members/import", ROSTER, dry_run=False)
    assert response.status_code == 200, response.text
    response = habitat.call("POST", "/periods", token,
                            json={"name": "2025-Q4", "starts_on": "2025-10-01", "ends_on": "2025-12-31"})
    assert response.status_code == 201, response.text
    members = habitat.call("GET", "/members", token, params={"q": "imp.coop"}).json()["items"]
    eventually(lambda: db(habitat, "SELECT count(*) FROM contributions.member_replica WHERE email LIKE '%@imp.coop'") == 3
               and db(habitat, "SELECT count(*) FROM contributions.period_replica WHERE name = '2025-Q4'") == 1
               and db(habitat, "SELECT count(*) FROM ledger.member WHERE email LIKE '%@imp.coop'") == 3, timeout=20)
    return {m["email"]: m["id"] for m in members}


def test_opening_balances_dry_run_real_run_and_unchanged_rerun(habitat, imported_people):
    token, lee = habitat.admin_token(), imported_people["lee@imp.coop"]
    dry = upload(habitat, token, "/imports/capital-accounts", BALANCES, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["dry_run"], dry.json()["summary"]["created"], len(dry.json()["sample"])) == (True, 2, 2)
    assert habitat.capital(token, lee) == ("0.00", "0.00")

    requested = upload(habitat, token, "/imports/capital-accounts", BALANCES, dry_run=False)
    real = requested.json()
    assert (real["summary"]["created"], real["summary"]["book_total"]) == (2, "850.00")
    assert (real["import_id"], real["money_move"]["status"]) == (None, "requested")  # two people move money
    assert habitat.capital(token, lee) == ("0.00", "0.00")
    approved = habitat.second_admin_approves(requested)
    assert approved["kind"] == "import_opening_balances" and approved["result_id"]
    assert habitat.capital(token, lee) == ("1000.00", "800.00")
    assert habitat.capital(token, imported_people["ada@imp.coop"]) == ("-150.00", "-150.00")
    lines = habitat.call("GET", f"/capital-accounts/{lee}/statement", token).json()["lines"]
    assert [line["source_type"] for line in lines] == ["opening_balance"]

    again = upload(habitat, token, "/imports/capital-accounts", BALANCES, dry_run=False).json()
    assert (again["summary"]["created"], again["summary"]["unchanged"]) == (0, 2)
    assert habitat.capital(token, lee) == ("1000.00", "800.00")


def test_a_bad_contributions_file_names_every_format_problem_and_writes_nothing(habitat, imported_people):
    token = habitat.admin_token()
    response = upload(habitat, token, "/imports/contributions", BAD_HISTORY, dry_run=False)
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["error"]["code"], body["pass"]) == ("invalid_csv", "format")
    assert sorted((e["line"], e["column"], e["field"]) for e in body["errors"]) == [
        (2, 4, "type"), (3, 5, "contributed_on")]
    assert db(habitat, "SELECT count(*) FROM contributions.contribution WHERE description = 'Nope'") == 0


def test_historical_contributions_reach_the_ledger_and_validate_passes(habitat, imported_people, admin, tmp_path):
    token = habitat.admin_token()
    lee, ada = imported_people["lee@imp.coop"], imported_people["ada@imp.coop"]
    dry = upload(habitat, token, "/imports/contributions", HISTORY, dry_run=True).json()
    assert (dry["dry_run"], dry["summary"]["rows"], dry["import_id"]) == (True, 5, None)
    assert db(habitat, "SELECT count(*) FROM contributions.contribution WHERE description = 'Harvest shifts'") == 0

    real = upload(habitat, token, "/imports/contributions", HISTORY, dry_run=False).json()
    assert real["summary"]["created"] == 5
    assert real["summary"]["by_status"] == {"approved": 3, "rejected": 1, "pending": 1}
    # approved capital at face value on both bases, property at FMV (book) and adjusted basis (tax),
    # labor never capital: on top of the opening balances
    eventually(lambda: habitat.capital(token, ada) == ("1850.00", "1850.00"), timeout=20)
    eventually(lambda: habitat.capital(token, lee) == ("4500.00", "2900.00"), timeout=20)
    # its events went out through the worker's import-events loop, which reports nothing left behind
    worker_metrics = habitat.config.service_url("contributions-worker") + "/metrics"
    assert "habitat_import_events_oldest_pending_seconds" in httpx.get(worker_metrics, timeout=5).text
    assert db(habitat, "SELECT count(*) FROM contributions.import_event_batch WHERE staged_at IS NULL") == 0

    rerun = upload(habitat, token, "/imports/contributions", HISTORY, dry_run=False).json()
    assert (rerun["summary"]["created"], rerun["summary"]["unchanged"]) == (0, 5)
    assert db(habitat, "SELECT count(*) FROM ledger.patronage") == 3

    report = habitat.call("GET", "/integrity", token).json()
    assert report["passed"] is True, [c for c in report["checks"] if not c["passed"]]
    assert any(c["name"] == "ledger_matches_contributions" and c["passed"] for c in report["checks"])
    result = ok(run(admin, "validate"))
    assert "PASS" in result.stdout and "FAIL" not in result.stdout


def test_validate_fails_with_exit_1_naming_what_is_wrong(habitat, imported_people, admin):
    lee = imported_people["lee@imp.coop"]
    db(habitat, "UPDATE identity.member SET email = 'lee at imp.coop' WHERE id = $1::uuid", lee)
    try:
        result = run(admin, "validate")
        assert result.returncode == 1, result.stdout
        failing = [line for line in result.stdout.splitlines() if "FAIL" in line]
        assert len(failing) == 1 and "valid_emails" in failing[0] and lee in failing[0]
    finally:
        db(habitat, "UPDATE identity.member SET email = 'lee@imp.coop' WHERE id = $1::uuid", lee)
    ok(run(admin, "validate"))


def test_the_cli_imports_with_dry_run_and_reports_file_line_column(habitat, imported_people, admin, tmp_path):
    balances, bad = tmp_path / "balances.csv", tmp_path / "bad.csv"
    balances.write_text(BALANCES)
    bad.write_text(BAD_HISTORY)
    result = ok(run(admin, "import", "capital-accounts", str(balances), "--dry-run"))
    assert "dry run, nothing written" in result.stdout
    changed = tmp_path / "changed.csv"
    changed.write_text(BALANCES.replace("1000.00", "1001.00"))
    waiting = ok(run(admin, "import", "capital-accounts", str(changed)))
    assert "waiting for a second admin's approval" in waiting.stdout and "nothing written yet" in waiting.stdout
    move_id = re.search(r"habitat money-moves approve (\S+)", waiting.stdout).group(1)
    assert move_id in ok(run(admin, "money-moves", "list")).stdout
    ok(run(admin, "money-moves", "reject", move_id, "--reason", "only a test"))  # the requester withdraws it
    assert move_id not in ok(run(admin, "money-moves", "list")).stdout
    failed = run(admin, "import", "contributions", str(bad))
    assert failed.returncode == 1
    assert f"{bad}:2:4: " in failed.stderr and f"{bad}:3:5: " in failed.stderr
    assert "Traceback" not in failed.stderr


def test_only_imports_may_send_bodies_over_ten_megabytes(habitat):
    big = b"x" * (11 * 1024 * 1024)
    # cut off at 10 MB: 413 (the Caddyfile's handle_errors turns Caddy 2.6's mid-stream 502 into it)
    assert habitat.call("POST", "/auth/login", content=big).status_code == 413
    response = upload(habitat, habitat.admin_token(), "/imports/contributions", "reference\n" + "x\n" * 5_800_000, True)
    assert response.status_code == 422 and response.json()["pass"] == "format"  # read to the end, then refused


def test_an_admin_migrates_from_the_browser_then_validates(habitat, imported_people, browser, tmp_path):
    from playwright.sync_api import expect

    from .browser import sign_in

    token, sam = habitat.admin_token(), imported_people["sam@imp.coop"]
    balances, bad = tmp_path / "sam.csv", tmp_path / "bad.csv"
    balances.write_text("member_email,book_balance,tax_balance,as_of\nsam@imp.coop,75.00,60.00,2025-09-30\n")
    bad.write_text(BAD_HISTORY)
    page = browser.new_page()
    sign_in(page, habitat.url, habitat.admin_email, habitat.admin_password)

    page.goto(habitat.url + "/admin/imports")
    page.set_input_files("#import-capital-accounts input[name=file]", str(balances))
    page.click("#import-capital-accounts button[type=submit]")
    expect(page.locator("#import-summary")).to_contain_text("1 rows: 1 to create")
    expect(page.locator("#import-sample")).to_contain_text("sam@imp.coop")
    headers = page.locator("#import-sample thead th").all_inner_texts()
    assert headers == ["line", "member_email", "book_balance", "tax_balance", "as_of", "action", "note"]  # no ids
    assert habitat.capital(token, sam) == ("0.00", "0.00")  # a preview writes nothing
    page.click("#confirm-import button[type=submit]")
    expect(page.locator("#import-waiting")).to_be_visible()  # kept until a second admin approves it
    assert habitat.capital(token, sam) == ("0.00", "0.00")
    waiting = habitat.call("GET", "/money-moves", token, params={"status": "requested"}).json()["items"]
    [move] = [m for m in waiting if m["kind"] == "import_opening_balances"]
    approved = habitat.call("POST", f"/money-moves/{move['id']}/approve", habitat.second_admin_token())
    assert approved.json()["status"] == "executed", approved.text
    assert habitat.capital(token, sam) == ("75.00", "60.00")

    preview = tmp_path / "web.csv"
    preview.write_text(HISTORY.replace("OLD-", "WEB-"))
    page.set_input_files("#import-contributions input[name=file]", str(preview))
    page.click("#import-contributions button[type=submit]")
    expect(page.locator("#import-summary")).to_contain_text("5 rows: 5 to create")
    expect(page.locator("#import-sample tbody tr")).to_have_count(5)
    headers = page.locator("#import-sample thead th").all_inner_texts()
    assert headers[:6] == ["line", "reference", "member_email", "period", "type", "contributed_on"]
    assert not any(header == "id" or header.endswith("_id") for header in headers)

    page.set_input_files("#import-contributions input[name=file]", str(bad))
    page.click("#import-contributions button[type=submit]")
    expect(page.locator("#failed-pass")).to_contain_text("format pass")
    expect(page.locator("#import-errors tbody tr")).to_have_count(2)
    expect(page.locator("#import-errors tbody tr").first).to_contain_text("type")

    page.click("nav >> text=Validate")
    expect(page.locator("#validate-result")).to_contain_text("checks passed")
    expect(page.locator("#checks tr.fail")).to_have_count(0)
    page.close()


def test_an_import_committed_while_the_contributions_worker_is_down_is_booked_once_it_is_back(habitat, imported_people):
    token, ada = habitat.admin_token(), imported_people["ada@imp.coop"]
    book, tax = (Decimal(amount) for amount in habitat.capital(token, ada))
    late = HISTORY.splitlines()[0] + "\nLATE-1,ada@imp.coop,2025-Q4,capital,2025-12-12,Late loan,,,100.00,,,approved," \
        "sam@imp.coop,2025-12-13T09:00:00Z\n"
    habitat.stack.stop("contributions-worker")
    try:
        real = upload(habitat, token, "/imports/contributions", late, dry_run=False).json()
        assert real["summary"]["created"] == 1
        time.sleep(1.0)
        # committed with the import, waiting for the worker: not in the outbox, not booked
        assert db(habitat, "SELECT count(*) FROM contributions.import_event_batch WHERE staged_at IS NULL") == 1
        assert habitat.capital(token, ada) == (f"{book:.2f}", f"{tax:.2f}")
    finally:
        habitat.stack.start("contributions-worker")
        habitat.stack.wait_ready("contributions-worker")
    eventually(lambda: habitat.capital(token, ada) == (f"{book + 100:.2f}", f"{tax + 100:.2f}"), timeout=20)
    assert db(habitat, "SELECT count(*) FROM contributions.import_event_batch WHERE staged_at IS NULL") == 0
    # a negative ("not booked twice") cannot be waited for: a short settle, then the balance is unchanged
    time.sleep(0.5)
    assert habitat.capital(token, ada) == (f"{book + 100:.2f}", f"{tax + 100:.2f}")  # booked once
