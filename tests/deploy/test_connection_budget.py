"""PostgreSQL's connection budget (issue 15): the default replicas' pools, the one-shots and a reserve fit
docker-compose.prod.yml's max_connections with a 10% margin; scaling past it is caught."""

from __future__ import annotations

import copy

import pytest
from habitat_devstack import budget


@pytest.fixture(scope="module")
def compose() -> dict:
    return budget.load()


def test_the_default_deployment_fits_max_connections_with_a_margin(compose: dict) -> None:
    result = budget.budget(compose)
    assert result.max_connections == 250
    by_name = {p.service: p for p in result.processes}
    # every process that opens a pool is counted, with its service's own defaults
    assert set(by_name) == {
        "identity", "identity-worker", "contributions", "contributions-worker", "ledger", "ledger-worker",
        "notifications", "notifications-worker",
    }
    assert (by_name["contributions"].pool_size, by_name["contributions"].max_overflow) == (24, 10)
    assert (by_name["ledger"].pool_size, by_name["ledger"].max_overflow) == (10, 10)
    # the HTTP processes that read on the asyncpg read pool count it too; workers and notifications do not
    assert {name: p.read_pool for name, p in by_name.items() if p.read_pool} == {
        "identity": 4, "contributions": 4, "ledger": 4
    }
    assert set(result.one_shots) == {
        "provision", "migrate-identity", "migrate-contributions", "migrate-ledger", "migrate-notifications"
    }
    assert result.fits, result.table()
    assert result.needed <= 0.9 * result.max_connections


def test_more_replicas_than_the_budget_allows_do_not_fit(compose: dict) -> None:
    assert not budget.budget(compose, {"contributions": 3, "ledger": 3}).fits
    assert budget.main(["--scale", "contributions=3", "--scale", "ledger=3"]) == 1
    assert budget.main([]) == 0
    assert budget.main(["--scale", "contributions=3", "--scale", "ledger=3", "--max-connections", "400"]) == 0


def test_a_pool_raised_in_the_environment_or_a_lower_max_connections_is_counted(compose: dict) -> None:
    bigger = copy.deepcopy(compose)
    bigger["services"]["ledger"]["environment"]["LEDGER_DATABASE__POOL_SIZE"] = "60"
    assert not budget.budget(bigger).fits
    smaller = copy.deepcopy(compose)
    smaller["services"]["postgres"]["command"] = ["postgres", "-c", "max_connections=100"]
    assert not budget.budget(smaller).fits
    uvicorn_workers = copy.deepcopy(compose)
    uvicorn_workers["services"]["contributions"]["environment"]["WEB_CONCURRENCY"] = "4"
    assert budget.budget(uvicorn_workers).pools == budget.budget(compose).pools + 3 * (34 + 4)
    reads = copy.deepcopy(compose)
    reads["services"]["ledger"]["environment"]["LEDGER_DATABASE__READ_POOL_SIZE"] = "30"
    assert not budget.budget(reads).fits


def test_no_max_connections_or_an_unknown_service_is_an_error(compose: dict, capsys) -> None:
    unset = copy.deepcopy(compose)
    del unset["services"]["postgres"]["command"]
    with pytest.raises(ValueError, match="max_connections"):
        budget.budget(unset)
    assert budget.main(["--scale", "ledgr=2"]) == 2
    assert "ledgr" in capsys.readouterr().err
