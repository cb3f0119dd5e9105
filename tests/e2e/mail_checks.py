"""Mail in e2e tests: as the stack's SMTP server received it (env.mailbox) and as the notifications service
recorded it (the admin listing, and its replicas and inbox in the database)."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import asyncpg
from habitat_devstack.mailbox import plain_text

from .conftest import Habitat, eventually

MAIL_WITHIN_SECONDS = 30  # generous for a loaded 2-core machine: mail takes a second or two here


def query(live: Habitat, sql: str, *args) -> list[asyncpg.Record]:
    """Read the stack's database as its administrator (the replicas and inbox the notifications service keeps)."""

    async def fetch() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(re.sub(r"^postgresql\+asyncpg://", "postgresql://", live.config.database_url))
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    return off_the_browsers_loop(asyncio.run, fetch())


def off_the_browsers_loop(function, *args):
    """Call function on another thread: sync Playwright keeps an event loop running on this one."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(function, *args).result()


def mails(live: Habitat, address: str, kind: str) -> list:
    """The mails of one kind the SMTP server received for address."""
    return [m for m in live.mailbox.messages(address) if m["X-Habitat-Kind"] == kind]


def wait_mail(live: Habitat, address: str, kind: str):
    return eventually(lambda: mails(live, address, kind), timeout=MAIL_WITHIN_SECONDS)[0]


def link_in(live: Habitat, mail, path: str) -> str:
    found = re.search(rf"{re.escape(live.url)}{path}\?token=\S+", plain_text(mail))
    assert found, plain_text(mail)
    return found.group(0)


def recorded(live: Habitat, admin: str, member_id: str, kind: str) -> list[dict]:
    """The mails of one kind the notifications service recorded for a member (admin listing)."""
    response = live.call("GET", "/notifications/messages", admin, params={"recipient_id": member_id, "limit": 200})
    assert response.status_code == 200, response.text
    return [m for m in response.json()["items"] if m["kind"] == kind]


def all_sent(live: Habitat, admin: str, member_id: str, kind: str) -> list[dict]:
    """Wait until a member has mail of kind recorded and all of it is sent; that mail."""

    def sent() -> list[dict]:
        found = recorded(live, admin, member_id, kind)
        return found if found and all(m["status"] == "sent" for m in found) else []

    return eventually(sent, timeout=MAIL_WITHIN_SECONDS)
