"""Every alert reaches a person with a page that says what it means and what to do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RUNBOOKS = ROOT / "docs" / "runbooks"
ALERTS = [
    rule
    for group in yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())["groups"]
    for rule in group["rules"]
    if "alert" in rule
]


def test_there_are_alerts_to_check() -> None:
    assert len(ALERTS) >= 10


@pytest.mark.parametrize("rule", ALERTS, ids=lambda rule: rule["alert"])
def test_each_alert_links_a_runbook_that_names_it(rule: dict) -> None:
    link = rule["annotations"].get("runbook")
    assert link, f"{rule['alert']} has no runbook annotation"
    page = ROOT / link
    assert page.is_file(), f"{rule['alert']}: {link} does not exist"
    text = page.read_text()
    assert f"`{rule['alert']}`" in text.splitlines()[0], f"{link} does not name {rule['alert']} in its title"
    for section in ("What fired", "Look"):
        assert f"**{section}" in text, f"{link} lacks a '{section}' section"


@pytest.mark.parametrize("rule", ALERTS, ids=lambda rule: rule["alert"])
def test_the_runbook_index_lists_each_alert(rule: dict) -> None:
    index = (RUNBOOKS / "README.md").read_text()
    assert f"| {rule['alert']} | {rule['labels']['severity']} |" in index


@pytest.mark.parametrize("page", sorted(RUNBOOKS.glob("*.md")), ids=lambda page: page.name)
def test_relative_links_in_runbooks_resolve(page: Path) -> None:
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
        assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
