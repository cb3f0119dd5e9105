"""Expand/contract: an upgrade runs the new release's migrations while the old release serves, so every
migration since the last release (deploy/RELEASES) and each service's newest one must only expand the
schema, unless marked as a contract step (docs/migrations.md)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from habitat_devstack.migration_safety import check, check_source, migrations, new_since
from habitat_devstack.stack import ROOT


def last_release() -> str:
    lines = [line.split() for line in (ROOT / "deploy" / "RELEASES").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    commit = lines[-1][1]
    if subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True, check=False).returncode:
        pytest.fail(f"release commit {commit} (deploy/RELEASES) is not in this clone: `git fetch --unshallow` first")
    return commit


def test_migrations_since_the_last_release_and_each_newest_one_only_expand() -> None:
    paths = set(new_since(last_release())) | {found[-1] for found in migrations().values()}
    assert len(paths) >= 3  # at least each service's newest
    findings = check(sorted(paths))
    assert findings == [], "\n".join(map(str, findings))


def migration(upgrade_body: str, header: str = "") -> str:
    return textwrap.dedent(header) + "import sqlalchemy as sa\nfrom alembic import op\n\n\ndef upgrade() -> None:\n" + \
        textwrap.indent(textwrap.dedent(upgrade_body), "    ") + "\n\ndef downgrade() -> None:\n    op.drop_table('x')\n"


@pytest.mark.parametrize(("body", "reason"), [
    ("op.drop_table('member', schema='identity')", "op.drop_table"),
    ("op.drop_column('member', 'nickname', schema='identity')", "op.drop_column"),
    ("op.rename_table('member', 'person', schema='identity')", "op.rename_table"),
    ("op.alter_column('member', 'nick', new_column_name='nickname', schema='identity')", "renames a column"),
    ("op.alter_column('member', 'nick', nullable=False, schema='identity')", "makes an existing column NOT NULL"),
    ("op.add_column('member', sa.Column('nick', sa.Text(), nullable=False), schema='identity')",
     "adds a NOT NULL column without a server_default"),
    ("op.execute('ALTER TABLE identity.member DROP COLUMN nick')", "SQL drops a column"),
    ("op.execute(sa.text('ALTER TABLE identity.member RENAME TO person'))", "SQL renames"),
    ("op.execute('ALTER TABLE identity.member ALTER COLUMN nick SET NOT NULL')", "SQL makes an existing column NOT NULL"),
    ("op.execute('ALTER TABLE identity.member ADD COLUMN nick text NOT NULL')", "SQL adds a NOT NULL column without a default"),
])
def test_destructive_operations_are_found(body: str, reason: str) -> None:
    assert [f.reason for f in check_source(migration(body))] == [reason]


@pytest.mark.parametrize("body", [
    "op.create_table('nick', sa.Column('id', sa.Integer(), primary_key=True), schema='identity')",
    "op.add_column('member', sa.Column('nick', sa.Text(), nullable=True), schema='identity')",
    "op.add_column('member', sa.Column('n', sa.Integer(), nullable=False, server_default='0'), schema='identity')",
    "op.create_index('ix_nick', 'member', ['nick'], schema='identity')",
    "op.alter_column('member', 'total', type_=sa.Numeric(), schema='ledger')",
    "op.execute('ALTER TABLE identity.member ADD COLUMN n integer NOT NULL DEFAULT 0')",
])
def test_expand_steps_pass(body: str) -> None:
    assert check_source(migration(body)) == []


def test_a_contract_step_is_allowed_when_it_says_why() -> None:
    body = "op.drop_column('member', 'nickname', schema='identity')"
    assert check_source(migration(body, 'CONTRACT_STEP = "2026.12.0 stopped reading nickname"\n')) == []
    unexplained = check_source(migration(body, 'CONTRACT_STEP = ""\n'))
    assert [f.reason for f in unexplained] == ["CONTRACT_STEP must say why (a non-empty string)"]


def test_the_command_exits_1_only_on_a_finding() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "habitat_devstack.migration_safety", "--since", last_release()],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert done.returncode == (1 if check(new_since(last_release())) else 0), done.stderr
    assert "migration(s) checked" in done.stdout
