"""identity's trigger functions and triggers are those of migrations/sql/invariants.sql, and only those."""

from pathlib import Path

from alembic.config import Config
from habitat_common.sql_invariants import round_trip_drift
from habitat_common.testing import temporary_database

from tests.integration.conftest import ALEMBIC_INI, in_thread


def test_the_migrated_database_holds_the_files_definitions_and_no_other():
    invariants = Path(__file__).parents[2] / "migrations" / "sql" / "invariants.sql"
    with temporary_database("identity_invariants") as url:
        config = Config(str(ALEMBIC_INI))
        config.set_main_option("sqlalchemy.url", url)
        assert in_thread(round_trip_drift, config, url, "identity", invariants) == []
