"""How `habitat import …` shows its work: the progress bar, the summary's ending and a readable sample table."""

from __future__ import annotations

import io

from habitat_cli.imports import SAMPLE_COLUMNS, mode, print_sample
from habitat_cli.output import upload_progress
from rich.console import Console

ROW = {
    "line": 2, "reference": "OLD-0001", "id": "3c8fb5f3-a6ce-5d27-a744-5edca3a66203", "member_id": "5f8c7bbd-313d-4992",
    "member_email": "ben@demo.coop", "period_id": "61163", "period": "2026-Q4", "type": "labor",
    "contributed_on": "2026-10-14", "description": "Harvest shifts", "hours": "12.00", "rate": "25.00",
    "value": "300.00", "book_amount": "0.00", "tax_amount": "0.00", "status": "approved",
    "decided_by": "77f516b9", "approver_email": "steward@demo.coop", "decided_at": "2026-10-20T09:00:00Z",
}  # fmt: skip


def test_the_summary_says_when_a_run_had_nothing_new_to_write():
    assert mode({"dry_run": True, "import_id": None}) == "dry run, nothing written"
    assert mode({"dry_run": False, "import_id": None}) == "nothing new to write"
    assert mode({"dry_run": False, "import_id": "9218338d"}) == "import 9218338d"


def test_the_sample_table_shows_what_an_admin_checks_not_ids(capsys):
    print_sample("Contributions", {"dry_run": True, "sample": [ROW]}, SAMPLE_COLUMNS["/imports/contributions"])
    printed = capsys.readouterr().out
    assert "Contributions: first 1 rows (dry run, nothing written)" in printed
    header = next(line for line in printed.splitlines() if "reference" in line)
    assert [c.strip() for c in header.split("┃")[1:-1]] == [
        "line", "reference", "member_email", "period", "type", "contributed_on", "value", "book_amount",
        "tax_amount", "status", "approver_email",
    ]  # fmt: skip
    assert "OLD-0001" in printed and "ben@demo.coop" in printed and "3c8fb5f3" not in printed


def test_no_table_for_an_empty_sample(capsys):
    print_sample("Opening balances", {"dry_run": False, "import_id": None, "sample": []}, ("line",))
    assert capsys.readouterr().out == ""


def test_the_progress_bar_says_the_service_is_working_once_the_file_is_sent():
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    bar, progress = upload_progress("Uploading history.csv", 1000, console=console)
    with bar:
        progress(400)
        assert bar.tasks[0].description == "Uploading history.csv"
        progress(1000)
        assert bar.tasks[0].description == "Uploading history.csv: sent; checking and writing"


def test_no_progress_bar_for_scripts():
    bar, progress = upload_progress("Uploading", 10, console=Console(file=io.StringIO(), force_terminal=False))
    with bar:
        progress(10)
    assert not hasattr(bar, "tasks")
