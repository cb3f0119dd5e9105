import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

import jwt
import pytest
from habitat_common.testing import temporary_database
from habitat_identity.adapters.keys import KeyRing, SigningKeyUnreadable, ensure_signing_key, rotate_signing_key
from habitat_identity.adapters.orm import audit_log, outbox, signing_key
from habitat_identity.domain.errors import EmailTaken
from habitat_identity.domain.model import AuditEntry, Member
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from tests.integration.conftest import in_thread, run_alembic

pytestmark = pytest.mark.integration


def new_member(email: str) -> Member:
    return Member.register(
        email=email,
        display_name="X",
        role="member",
        joined_at=date(2026, 1, 1),
        password_hash="h",
        now=datetime.now(UTC),
    )


async def count(app, table) -> int:
    async with app.state.container.session_factory() as session:
        return await session.scalar(select(func.count()).select_from(table))


class TestUnitOfWork:
    async def test_commit_writes_member_and_outbox_row_together(self, app):
        uow = app.state.container.uow()
        member = new_member("uow@example.org")
        async with uow:
            uow.members.add(member)
            await uow.commit()
        async with app.state.container.session_factory() as session:
            row = (await session.execute(select(outbox.c.routing_key, outbox.c.payload))).one()
        assert row.routing_key == "identity.member_registered.v1"
        assert row.payload["payload"]["member_id"] == str(member.id)
        assert row.payload["producer"] == "identity"

    async def test_no_commit_writes_nothing(self, app):
        uow = app.state.container.uow()
        async with uow:
            uow.members.add(new_member("rolled@example.org"))
        assert await count(app, outbox) == 0
        async with uow:
            assert await uow.members.get_by_email("rolled@example.org") is None

    async def test_duplicate_email_in_another_case_raises_email_taken(self, app):
        for email in ("dup@example.org", "DUP@example.org"):
            uow = app.state.container.uow()
            async with uow:
                uow.members.add(new_member(email))
                if email == "dup@example.org":
                    await uow.commit()
                else:
                    with pytest.raises(EmailTaken):
                        await uow.commit()
        assert await count(app, outbox) == 1

    async def test_audit_entries_commit_with_the_change(self, app):
        uow = app.state.container.uow()
        member = new_member("audited@example.org")
        async with uow:
            uow.members.add(member)
            uow.audit.add(
                AuditEntry(uuid.uuid4(), "member.created", member.id, None, member.snapshot(), member.created_at)
            )
            await uow.commit()
        assert await count(app, audit_log) == 1


@asynccontextmanager
async def fresh_key_store() -> AsyncIterator[async_sessionmaker]:
    """A session factory on a database of its own, migrated and holding no signing key yet."""
    database = temporary_database("identity_keys")
    url = in_thread(database.__enter__)
    try:
        run_alembic(url, "upgrade", "head")
        engine = create_async_engine(url)
        try:
            yield async_sessionmaker(engine)
        finally:
            await engine.dispose()
    finally:
        in_thread(database.__exit__, None, None, None)


class TestSigningKey:
    async def test_concurrent_first_starts_create_exactly_one_key(self):
        async with fresh_key_store() as factory:
            await asyncio.gather(*(ensure_signing_key(factory) for _ in range(4)))
            async with factory() as session:
                assert await session.scalar(select(func.count()).select_from(signing_key)) == 1

    async def test_keys_are_stored_encrypted_and_only_open_with_the_passphrase(self):
        async with fresh_key_store() as factory:
            ring = KeyRing(factory, passphrase="correct horse battery")
            signing = await ring.signing_key()
            async with factory() as session:
                pem = await session.scalar(select(signing_key.c.private_key_pem))
            assert pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
            token = jwt.encode({"sub": "x"}, signing.private_key, algorithm="EdDSA")
            assert jwt.decode(token, await ring.key_for(signing.kid), algorithms=["EdDSA"]) == {"sub": "x"}
            for wrong in (None, "another passphrase"):
                with pytest.raises(SigningKeyUnreadable):
                    await KeyRing(factory, passphrase=wrong).signing_key()
            # a key written before a passphrase was configured still loads; new ones are encrypted
            new_kid, _ = await rotate_signing_key(factory, access_token_ttl_seconds=60, passphrase="correct horse battery")
            async with factory() as session:
                stored = dict((await session.execute(select(signing_key.c.kid, signing_key.c.private_key_pem))).all())
            assert stored[new_kid].startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")

    async def test_keys_written_without_a_passphrase_still_load_once_one_is_set(self):
        async with fresh_key_store() as factory:
            plain = await KeyRing(factory).signing_key()
            later = await KeyRing(factory, passphrase="set later").signing_key()
            assert later.kid == plain.kid
