"""Per-service PostgreSQL roles on a database of their own: the owner migrates, the runtime role only does DML."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from habitat_common.provisioning.postgres import provision_postgres, role_url, service_roles
from habitat_common.testing import temporary_database, temporary_service_roles

pytestmark = pytest.mark.integration
PASSWORDS: dict[str, str | None] = {}  # by role name, from the fixture


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.fixture(scope="module")
def database():
    with temporary_database("habitat_roles") as url, temporary_service_roles(url) as roles:
        PASSWORDS.update({name: password for r in roles.values()
                          for name, password in ((r.owner, r.owner_password), (r.runtime, r.runtime_password))})
        asyncio.run(migrate_as_owners(url, roles))
        yield url, roles


async def migrate_as_owners(url: str, roles) -> None:
    """What a service's migrations do, as its owner role: tables (one with a sequence) in its own schema."""
    for service, role in roles.items():
        conn = await asyncpg.connect(plain(role.owner_url(url)))
        try:
            await conn.execute(f"CREATE TABLE {service}.item (id bigserial PRIMARY KEY, name text NOT NULL)")
        finally:
            await conn.close()


async def as_role(url: str, role: str, sql: str):
    conn = await asyncpg.connect(plain(role_url(url, role, PASSWORDS[role])))
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


def run(url: str, role: str, sql: str):
    return asyncio.run(as_role(url, role, sql))


def test_runtime_role_does_its_dml_on_tables_its_owner_created_after_provisioning(database) -> None:
    url, roles = database
    role = roles["ledger"].runtime
    run(url, role, "INSERT INTO ledger.item (name) VALUES ('a')")
    run(url, role, "UPDATE ledger.item SET name = 'b'")
    assert [r["name"] for r in run(url, role, "SELECT name FROM ledger.item")] == ["b"]
    run(url, role, "DELETE FROM ledger.item")


@pytest.mark.parametrize("service, other", [("ledger", "contributions"), ("contributions", "identity"),
                                            ("identity", "ledger")])
def test_runtime_role_cannot_read_another_services_schema(database, service, other) -> None:
    url, roles = database
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        run(url, roles[service].runtime, f"SELECT * FROM {other}.item")


@pytest.mark.parametrize("kind", ["runtime", "owner"])
def test_no_service_role_reads_another_schema_even_its_owner(database, kind) -> None:
    url, roles = database
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        run(url, getattr(roles["identity"], kind), "SELECT * FROM ledger.item")


@pytest.mark.parametrize("sql", [
    "CREATE TABLE ledger.sneaky (id int)",
    "CREATE TABLE public.sneaky (id int)",
    "CREATE SCHEMA sneaky",
    "DROP TABLE ledger.item",
    "ALTER TABLE ledger.item ADD COLUMN x int",
    "TRUNCATE ledger.item",
])
def test_runtime_role_cannot_change_the_schema(database, sql) -> None:
    url, roles = database
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        run(url, roles["ledger"].runtime, sql)


def test_roles_are_plain_logins(database) -> None:
    url, roles = database
    rows = asyncio.run(as_role(url, roles["ledger"].runtime,
                               "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles"
                               " WHERE rolname LIKE '" + roles["ledger"].owner.removesuffix("_ledger_owner") + "%'"))
    assert len(rows) == 2 * len(roles)  # an owner and a runtime role per service
    assert not any(r["rolsuper"] or r["rolcreatedb"] or r["rolcreaterole"] or r["rolbypassrls"] for r in rows)


def test_provisioning_again_hands_a_superusers_tables_to_the_owner_and_keeps_grants(database) -> None:
    url, roles = database
    asyncio.run(as_superuser(url, "CREATE TABLE ledger.legacy (id serial PRIMARY KEY, note text)"))
    prefix = roles["ledger"].owner.removesuffix("_ledger_owner")
    asyncio.run(provision_postgres(url, prefix=prefix))
    asyncio.run(provision_postgres(url, prefix=prefix))
    owners = asyncio.run(as_superuser(url, "SELECT tableowner FROM pg_tables WHERE schemaname = 'ledger'"))
    assert {r["tableowner"] for r in owners} == {roles["ledger"].owner}
    run(url, roles["ledger"].runtime, "INSERT INTO ledger.legacy (note) VALUES ('kept')")
    run(url, roles["ledger"].owner, "ALTER TABLE ledger.legacy ADD COLUMN later int")


async def as_superuser(url: str, sql: str):
    conn = await asyncpg.connect(plain(url))
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


def test_a_prefix_that_would_be_cut_short_is_refused() -> None:
    assert service_roles("p" * 37, "contributions").owner == "p" * 37 + "_contributions_owner"
    with pytest.raises(ValueError, match="shorter prefix"):
        service_roles("p" * 44, "contributions")


def test_every_role_has_a_password(database) -> None:
    url, _ = database
    rows = asyncio.run(as_superuser(url, "SELECT rolname FROM pg_authid WHERE rolpassword IS NOT NULL"))
    assert set(PASSWORDS) <= {r["rolname"] for r in rows}


def test_the_monitoring_role_reads_statistics_and_no_service_table(database) -> None:
    """The postgres exporter's role: connections and settings for the alerts, nothing of the co-op's data."""
    url, roles = database
    prefix = roles["ledger"].owner.removesuffix("_ledger_owner")
    role = f"{prefix}_monitoring"
    PASSWORDS[role] = "monitoring-secret-1"
    try:
        asyncio.run(provision_postgres(url, prefix=prefix, monitoring_password=PASSWORDS[role]))
        [limit] = run(url, role, "SELECT setting FROM pg_settings WHERE name = 'max_connections'")
        assert int(limit["setting"]) > 0
        assert run(url, role, "SELECT sum(numbackends) AS n FROM pg_stat_database")[0]["n"] >= 1
        # pg_monitor shows other roles' sessions (what they wait on), which a plain login may not see
        assert run(url, role, "SELECT count(*) AS n FROM pg_stat_activity WHERE query IS NOT NULL"
                              " AND query <> '<insufficient privilege>'")[0]["n"] >= 1
        for service in ("identity", "contributions", "ledger"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                run(url, role, f"SELECT * FROM {service}.item")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            run(url, role, "CREATE TABLE public.mine (id int)")
    finally:
        asyncio.run(as_superuser(url, f'DROP OWNED BY "{role}"'))
        asyncio.run(as_superuser(url, f'DROP ROLE "{role}"'))
