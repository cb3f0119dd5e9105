"""Ended sessions and members: tokens issued before stop verifying as soon as the feed says so."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from habitat_common.auth import InvalidToken, TokenVerifier
from habitat_common.revocation import RevocationFeed, RevocationList
from habitat_common.testing import LocalKeys


@pytest.fixture
def keys() -> LocalKeys:
    return LocalKeys()


class TestRevocationList:
    async def test_session_entry_revokes_only_that_session(self, keys: LocalKeys) -> None:
        revocations = RevocationList()
        verifier = TokenVerifier(keys.settings, keys, revocations)
        member, ended, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        revocations.apply([{"id": 1, "member_id": str(member), "session_id": str(ended), "not_before": None}])
        with pytest.raises(InvalidToken):
            await verifier.verify(keys.mint(member, session_id=ended))
        assert (await verifier.verify(keys.mint(member, session_id=other))).session_id == other
        assert revocations.cursor == 1

    async def test_member_entry_revokes_tokens_issued_before_it(self, keys: LocalKeys) -> None:
        revocations = RevocationList()
        verifier = TokenVerifier(keys.settings, keys, revocations)
        member = uuid.uuid4()
        cut = datetime.now(UTC) - timedelta(seconds=10)
        old = keys.mint(member, issued_at=cut - timedelta(seconds=5))
        new = keys.mint(member, issued_at=cut + timedelta(seconds=2))
        revocations.apply([{"id": 7, "member_id": str(member), "session_id": None, "not_before": cut.isoformat()}])
        with pytest.raises(InvalidToken):
            await verifier.verify(old)
        assert (await verifier.verify(new)).member_id == member
        assert (await verifier.verify(keys.mint(uuid.uuid4(), issued_at=cut - timedelta(seconds=5))))


class TestRevocationFeed:
    async def test_poll_follows_the_cursor(self) -> None:
        member = uuid.uuid4()
        seen_after: list[str] = []

        def handler(request: httpx.Request) -> httpx.Response:
            after = request.url.params["after"]
            seen_after.append(after)
            entries = [] if after != "0" else [
                {"id": 3, "member_id": str(member), "session_id": None, "not_before": datetime.now(UTC).isoformat()}]
            return httpx.Response(200, json={"cursor": 3, "revocations": entries})

        client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        feed = RevocationFeed("http://identity/auth/revocations", RevocationList(), overlap_seconds=0, client=client)
        await feed.poll_once()
        await feed.poll_once()
        await feed.stop()
        assert seen_after == ["0", "3"]
        assert feed.revocations.is_revoked(member, None, datetime.now(UTC) - timedelta(minutes=1))

    async def test_a_feed_that_went_back_in_time_is_read_again_from_scratch(self) -> None:
        """identity's database restored from a backup: its ids restart below our cursor, and it says reset."""
        before, after_restore = uuid.uuid4(), uuid.uuid4()
        restored = False
        seen_after: list[str] = []

        def handler(request: httpx.Request) -> httpx.Response:
            after = int(request.url.params["after"])
            seen_after.append(str(after))
            if not restored:
                entries = [{"id": 40, "member_id": str(before), "session_id": str(uuid.uuid4()), "not_before": None}]
                return httpx.Response(200, json={"cursor": 40, "revocations": entries if after < 40 else []})
            if after > 2:
                return httpx.Response(200, json={"cursor": 2, "revocations": [], "reset": True})
            session = {"id": 2, "member_id": str(after_restore), "session_id": None,
                       "not_before": datetime.now(UTC).isoformat()}
            return httpx.Response(200, json={"cursor": 2, "revocations": [session] if after < 2 else []})

        client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        revocations = RevocationList()
        feed = RevocationFeed("http://identity/auth/revocations", revocations, overlap_seconds=0, client=client)
        await feed.poll_once()
        restored = True
        await feed.poll_once()
        await feed.stop()
        assert seen_after == ["0", "40", "0"]
        # the revocation written after the restore (id 2, below the old cursor) is applied
        assert revocations.is_revoked(after_restore, None, datetime.now(UTC) - timedelta(minutes=1))
        assert revocations.cursor == 2


class TestVerifiedTokenMemory:
    async def test_a_remembered_token_still_expires_and_can_still_be_revoked(self, keys: LocalKeys) -> None:
        import time

        revocations = RevocationList()
        verifier = TokenVerifier(keys.settings, keys, revocations)
        member, session = uuid.uuid4(), uuid.uuid4()
        token = keys.mint(member, session_id=session, expires_in=timedelta(seconds=2))
        assert (await verifier.verify(token)).member_id == member
        assert (await verifier.verify(token)).member_id == member  # from memory
        revocations.apply([{"id": 1, "member_id": str(member), "session_id": str(session), "not_before": None}])
        with pytest.raises(InvalidToken):
            await verifier.verify(token)
        other = keys.mint(member, expires_in=timedelta(seconds=1))
        await verifier.verify(other)
        time.sleep(1.1)
        with pytest.raises(InvalidToken):
            await verifier.verify(other)

    async def test_a_forged_token_is_never_remembered_as_valid(self, keys: LocalKeys) -> None:
        verifier = TokenVerifier(keys.settings, keys)
        forged = LocalKeys(kid=keys.kid).mint(uuid.uuid4())
        for _ in range(2):
            with pytest.raises(InvalidToken):
                await verifier.verify(forged)
