"""A service's database invariants (trigger functions and triggers) defined once, in a readable .sql file.

The latest migration that changes one runs the file (execute_sql_file, CREATE OR REPLACE throughout);
drift() tells a test whether the migrated database holds exactly the file's definitions.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg

if TYPE_CHECKING:
    from alembic.config import Config

# a statement ends with ';' at the end of a line, outside a $$ body
_END = re.compile(r";[ \t]*$", re.MULTILINE)
_FUNCTION = re.compile(r"CREATE\s+OR\s+REPLACE\s+FUNCTION\s+([\w.]+)\s*\(", re.IGNORECASE)
_TRIGGER = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\s+(\w+)\s.*?\sON\s+([\w.]+)", re.IGNORECASE | re.DOTALL
)
_FUNCTIONS = (
    "SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid) FROM pg_proc AS p"
    " WHERE p.pronamespace = $1::regnamespace AND p.prorettype = 'trigger'::regtype"
)
_TRIGGERS = (
    "SELECT t.tgrelid::regclass::text || '.' || t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger AS t"
    " JOIN pg_class AS c ON c.oid = t.tgrelid WHERE c.relnamespace = $1::regnamespace AND NOT t.tgisinternal"
)


def sql_statements(path: Path) -> list[str]:
    """The file's statements in order (asyncpg runs one per execute); chunks of only comments are left out."""
    text, statements, start = path.read_text(), [], 0
    for end in _END.finditer(text):
        chunk = text[start : end.start()]
        if _code(chunk).count("$$") % 2:  # the ';' is inside a body
            continue
        start = end.end()
        if _code(chunk).strip():
            statements.append(chunk.strip())
    if _code(text[start:]).strip():
        raise ValueError(f"{path}: the last statement does not end with ';'")
    return statements


def _code(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


def execute_sql_file(path: Path) -> None:
    """Run the file's statements in the migration's transaction."""
    from alembic import op

    for statement in sql_statements(path):
        op.execute(statement)


def defined_names(path: Path) -> set[str]:
    """What the file defines: functions as schema.name, triggers as schema.table.name."""
    text = "\n".join(sql_statements(path))
    return {f"{name}" for name in _FUNCTION.findall(text)} | {
        f"{table}.{name}" for name, table in _TRIGGER.findall(text)
    }


async def _definitions(connection: asyncpg.Connection, schema: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for row in await connection.fetch(_FUNCTIONS, schema):
        found[row[0].split("(")[0]] = row[1]
    for row in await connection.fetch(_TRIGGERS, schema):
        found[row[0]] = row[1]
    return found


async def drift(database_url: str, schema: str, path: Path) -> list[str]:
    """How the schema's trigger functions and triggers differ from the file; empty when they are the file's.

    The file is run in a transaction that is rolled back: whatever it would change (a definition a
    later migration edited elsewhere, one missing) differs, and so does anything the database has
    that the file does not define.
    """
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        migrated = await _definitions(connection, schema)
        transaction = connection.transaction()
        await transaction.start()
        try:
            for statement in sql_statements(path):
                await connection.execute(statement)
            from_file = await _definitions(connection, schema)
        finally:
            await transaction.rollback()
    finally:
        await connection.close()
    named = defined_names(path)
    problems = [f"{name}: not defined in {path.name}" for name in sorted(set(migrated) - named)]
    problems += [f"{name}: named in {path.name}, not in the database" for name in sorted(named - set(from_file))]
    problems += [
        f"{name}: the database's definition differs from {path.name}:\n{migrated.get(name)}\n---\n{definition}"
        for name, definition in sorted(from_file.items())
        if migrated.get(name) != definition
    ]
    return problems


def round_trip_drift(config: Config, database_url: str, schema: str, path: Path) -> list[str]:
    """drift() after `upgrade head`, and again after `downgrade -1` and `upgrade head` (outside an event loop)."""
    from alembic import command

    command.upgrade(config, "head")
    found = asyncio.run(drift(database_url, schema, path))
    command.downgrade(config, "-1")
    command.upgrade(config, "head")
    return found + asyncio.run(drift(database_url, schema, path))
