import asyncio

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from pydantic import SecretStr

from habitat_notifications import bootstrap
from habitat_notifications.domain.messages import RETRIED
from tests.integration.db import deliver, registered, rejected, rows, send_all
from tests.integration.smtp import ScriptedHandler, free_port


class TestRetries:
    async def test_a_temporary_refusal_is_retried_and_recorded(self, container, mailbox):
        member_id = await registered(container, email="later@example.coop")
        await deliver(container, rejected(member_id))
        mailbox.data_answers.append("451 4.3.0 Mailbox busy, try later")
        [first] = await send_all(container)
        assert first.status == RETRIED
        [row] = await rows(container)
        assert (row.status, row.attempts, row.last_error) == ("queued", 1, "451 4.3.0 Mailbox busy, try later")
        assert row.next_attempt_at > row.created_at
        await asyncio.sleep(0.01)  # the (test-sized) backoff
        [second] = await send_all(container)
        assert second.status == "sent"
        [row] = await rows(container)
        assert (row.status, row.attempts, row.sent_at is not None) == ("sent", 2, True)
        assert len(mailbox.to("later@example.coop")) == 1

    async def test_a_permanent_refusal_bounces_at_once_with_the_answer(self, container, mailbox):
        member_id = await registered(container, email="nobody@example.coop")
        await deliver(container, rejected(member_id))
        mailbox.refuse["nobody@example.coop"] = "550 5.1.1 No such user"
        [outcome] = await send_all(container)
        assert outcome.status == "bounced"
        [row] = await rows(container)
        assert (row.status, row.attempts, row.last_error) == ("bounced", 1, "550 5.1.1 No such user")
        assert await send_all(container) == []  # never tried again

    async def test_attempts_spent_fail_the_message_with_the_last_answer(self, container, mailbox):
        member_id = await registered(container)
        await deliver(container, rejected(member_id))
        mailbox.data_answers.extend(["451 first", "452 second", "421 third"])
        statuses = []
        for _ in range(3):
            await asyncio.sleep(0.01)
            statuses += [o.status for o in await send_all(container)]
        assert statuses == [RETRIED, RETRIED, "failed"]
        [row] = await rows(container)
        assert (row.status, row.attempts, row.last_error, row.next_attempt_at) == ("failed", 3, "421 third", None)
        assert mailbox.received == []

    async def test_a_server_that_is_not_there_is_a_transient_failure(self, container, settings):
        dead = bootstrap.build(settings.model_copy(update={"smtp": settings.smtp.model_copy(update={"port": 9})}))
        try:
            member_id = await registered(dead)
            await deliver(dead, rejected(member_id))
            [outcome] = await send_all(dead)
            assert outcome.status == RETRIED
            [row] = await rows(dead)
            assert row.status == "queued" and row.last_error
        finally:
            await dead.engine.dispose()


class TestSeveralSenders:
    async def test_two_sender_loops_on_one_database_never_send_a_message_twice(self, container, settings, mailbox):
        members = [await registered(container) for _ in range(12)]
        for member_id in members:
            await deliver(container, rejected(member_id))
        mailbox.delay = 0.02  # long enough for the two senders to overlap
        other = bootstrap.build(settings)
        try:
            first, second = await asyncio.gather(send_all(container), send_all(other))
        finally:
            await other.engine.dispose()
        assert len(first) + len(second) == 12 and first and second
        ids = [m["Message-ID"] for m in mailbox.received]
        assert len(ids) == 12 and len(set(ids)) == 12
        assert {r.status for r in await rows(container)} == {"sent"}


class TestOneConnectionARound:
    async def test_a_round_sends_every_due_message_over_one_connection(self, container, mailbox):
        for _ in range(5):
            await deliver(container, rejected(await registered(container)))
        assert [o.status for o in await send_all(container)] == ["sent"] * 5
        assert len(mailbox.received) == 5
        assert len(set(mailbox.peers)) == 1

    async def test_a_refused_message_leaves_the_connection_to_the_next(self, container, mailbox):
        for _ in range(3):
            await deliver(container, rejected(await registered(container)))
        mailbox.data_answers.append("451 4.3.0 Mailbox busy, try later")
        assert sorted(o.status for o in await send_all(container)) == [RETRIED, "sent", "sent"]
        assert len(set(mailbox.peers)) == 1

    async def test_a_server_closing_the_conversation_gets_the_rest_on_a_new_connection(self, container, mailbox):
        for _ in range(3):
            await deliver(container, rejected(await registered(container)))
        mailbox.data_answers.append("421 4.3.2 Too many messages in one session, closing")
        assert [o.status for o in await send_all(container)] == [RETRIED, "sent", "sent"]
        assert len(mailbox.received) == 2
        assert len(set(mailbox.peers)) == 2 and mailbox.peers[1] == mailbox.peers[2] != mailbox.peers[0]

    @pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # a loopback test server
    async def test_a_refused_login_is_tried_afresh_for_the_next_message(self, container, settings):
        handler, attempts = ScriptedHandler(), []

        def authenticate(server, session, envelope, mechanism, auth_data):
            attempts.append(auth_data.login)
            return AuthResult(success=len(attempts) > 1)  # the first login is refused, later ones pass

        port = free_port()
        controller = Controller(
            handler, hostname="127.0.0.1", port=port, authenticator=authenticate, auth_required=True,
            auth_require_tls=False,
        )
        controller.start()
        smtp = settings.smtp.model_copy(update={"port": port, "username": "habitat", "password": SecretStr("pw")})
        authed = bootstrap.build(settings.model_copy(update={"smtp": smtp}))
        try:
            for _ in range(2):
                await deliver(authed, rejected(await registered(authed)))
            assert [o.status for o in await send_all(authed)] == [RETRIED, "sent"]
            assert attempts == [b"habitat", b"habitat"] and len(handler.received) == 1
        finally:
            controller.stop()
            await authed.engine.dispose()
