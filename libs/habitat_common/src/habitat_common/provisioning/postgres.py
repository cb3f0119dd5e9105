"""PostgreSQL roles per service: an owner of its schema (runs migrations) and a runtime role (DML only).

Idempotent: run it on every deploy. A schema created before the roles existed (migrations run as a
superuser) is handed to its owner, with everything in it.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import asyncpg
from sqlalchemy.engine import make_url

from habitat_common.provisioning import SERVICES

MAX_NAME = 63


@dataclass(frozen=True)
class ServiceRoles:
    service: str
    owner: str
    runtime: str
    owner_password: str | None = field(default=None, repr=False)
    runtime_password: str | None = field(default=None, repr=False)

    @property
    def schema(self) -> str:
        return self.service

    def owner_url(self, url: str) -> str:
        return role_url(url, self.owner, self.owner_password)

    def runtime_url(self, url: str) -> str:
        return role_url(url, self.runtime, self.runtime_password)


def service_roles(prefix: str, service: str) -> ServiceRoles:
    roles = ServiceRoles(service, owner=f"{prefix}_{service}_owner", runtime=f"{prefix}_{service}")
    if len(roles.owner.encode()) > MAX_NAME:  # PostgreSQL would cut it short, and two names could meet
        raise ValueError(f"role name {roles.owner!r} is longer than {MAX_NAME} bytes: use a shorter prefix")
    return roles


def fresh_passwords(prefix: str, services: tuple[str, ...] = SERVICES) -> dict[str, str]:
    """Random passwords for every role: where 127.0.0.1 is trusted they are unused, elsewhere they are needed."""
    roles = [service_roles(prefix, service) for service in services]
    return {name: secrets.token_urlsafe(24) for r in roles for name in (r.owner, r.runtime)}


def role_url(url: str, role: str, password: str | None = None) -> str:
    """url with role (and its password) in place of the user it names."""
    return make_url(url).set(username=role, password=password).render_as_string(hide_password=False)


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _login_role(name: str, password: str | None) -> list[str]:
    attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    if password is not None:
        attributes += f" PASSWORD {literal(password)}"
    return [
        f"DO $$ BEGIN CREATE ROLE {ident(name)}; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        f"ALTER ROLE {ident(name)} WITH {attributes}",
    ]


def _hand_over(schema: str, owner: str) -> str:
    """Give owner everything in schema it does not own yet (objects made by a superuser's migrations)."""
    nsp, role = literal(ident(schema)), literal(owner)
    return f"""DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
           WHERE c.relnamespace = {nsp}::regnamespace AND c.relowner <> {role}::regrole
             AND (c.relkind IN ('r', 'p', 'v', 'm', 'f')
                  OR (c.relkind = 'S' AND NOT EXISTS (
                      SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype IN ('a', 'i')))) LOOP
    EXECUTE format('ALTER %s %s OWNER TO %I',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                     WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, r.name, {role});
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p
           WHERE p.pronamespace = {nsp}::regnamespace AND p.proowner <> {role}::regrole LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.name, {role});
  END LOOP;
  FOR r IN SELECT t.oid::regtype AS name, t.typtype FROM pg_type t
           WHERE t.typnamespace = {nsp}::regnamespace AND t.typowner <> {role}::regrole AND t.typtype IN ('e', 'd') LOOP
    EXECUTE format('ALTER %s %s OWNER TO %I', CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, r.name, {role});
  END LOOP;
END $$"""


def provision_statements(
    database: str, roles: ServiceRoles, *, owner_password: str | None = None, runtime_password: str | None = None
) -> list[str]:
    owner, runtime, schema = ident(roles.owner), ident(roles.runtime), ident(roles.schema)
    later = f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema}"  # tables the owner creates later
    return [
        *_login_role(roles.owner, owner_password),
        *_login_role(roles.runtime, runtime_password),
        f"GRANT CONNECT ON DATABASE {ident(database)} TO {owner}, {runtime}",
        f"CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {owner}",
        f"ALTER SCHEMA {schema} OWNER TO {owner}",
        _hand_over(roles.schema, roles.owner),
        f"REVOKE ALL ON SCHEMA {schema} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {schema} TO {runtime}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {runtime}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {runtime}",
        f"{later} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {runtime}",
        f"{later} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {runtime}",
    ]


def monitoring_statements(database: str, role: str, password: str | None) -> list[str]:
    """A login role that reads PostgreSQL's statistics (pg_monitor) and no table of any service."""
    return [
        *_login_role(role, password),
        f"GRANT CONNECT ON DATABASE {ident(database)} TO {ident(role)}",
        f"GRANT pg_monitor TO {ident(role)}",
    ]


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def provision_postgres(
    admin_url: str, *, prefix: str, passwords: Mapping[str, str | None] | None = None,
    services: tuple[str, ...] = SERVICES, monitoring_password: str | None = None,
) -> dict[str, ServiceRoles]:
    """Create or update every service's roles and schema in admin_url's database; passwords by role name.

    With monitoring_password, also <prefix>_monitoring: the postgres exporter's read-only statistics role.
    """
    passwords = passwords or {}
    database = make_url(admin_url).database
    conn = await asyncpg.connect(_plain(admin_url))
    provisioned = {}
    try:
        async with conn.transaction():
            # one deploy at a time: roles are cluster-wide and CREATE ROLE races with itself
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('habitat provisioning'))")
            await conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            for service in services:
                roles = service_roles(prefix, service)
                roles = provisioned[service] = replace(
                    roles, owner_password=passwords.get(roles.owner), runtime_password=passwords.get(roles.runtime)
                )
                for statement in provision_statements(
                    database, roles, owner_password=roles.owner_password, runtime_password=roles.runtime_password
                ):
                    await conn.execute(statement)
            if monitoring_password is not None:
                for statement in monitoring_statements(database, f"{prefix}_monitoring", monitoring_password):
                    await conn.execute(statement)
    finally:
        await conn.close()
    return provisioned


async def drop_roles(admin_url: str, roles: list[ServiceRoles]) -> None:
    """Remove the roles and whatever they own in admin_url's database (tests' roles, named per run)."""
    conn = await asyncpg.connect(_plain(admin_url))
    try:
        for role in (name for r in roles for name in (r.runtime, r.owner)):
            if await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                await conn.execute(f"REASSIGN OWNED BY {ident(role)} TO CURRENT_USER")
                await conn.execute(f"DROP OWNED BY {ident(role)}")
                await conn.execute(f"DROP ROLE {ident(role)}")
    finally:
        await conn.close()
