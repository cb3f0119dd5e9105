"""The contributions service's trigger functions and triggers are those of migrations/sql/invariants.sql, and only those."""

from pathlib import Path

from habitat_common.sql_invariants import round_trip_drift
from habitat_common.testing import temporary_database
from tests.integration.conftest import alembic_config


def test_the_migrated_database_holds_the_files_definitions_and_no_other():
    invariants = Path(__file__).parents[2] / "migrations" / "sql" / "invariants.sql"
    with temporary_database("contributions_invariants") as url:
        assert round_trip_drift(alembic_config(url), url, "contributions", invariants) == []
