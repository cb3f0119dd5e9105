from datetime import timedelta

from habitat_notifications.domain.backoff import RetryPolicy
from habitat_notifications.domain.messages import RETRIED, Delivery
from habitat_notifications.service_layer.sending import send_due
from tests.builders import T0, message
from tests.fakes import FakeMessages, FakeUnitOfWork, ScriptedMailer

INSTANT_RETRY = RetryPolicy(max_attempts=3, base=timedelta(0.000001), maximum=timedelta(0.000001), jitter=0)


def clock_from(start):
    ticks = iter(start + timedelta(seconds=n) for n in range(1000))
    return lambda: next(ticks)


class TestSendDue:
    async def test_a_message_refused_in_a_round_waits_for_the_next_round(self):
        store = FakeMessages([message()])
        mailer = ScriptedMailer(Delivery(False, "451 later"))
        outcomes = await send_due(lambda: FakeUnitOfWork(store), mailer, INSTANT_RETRY, clock_from(T0), limit=10)
        assert [o.status for o in outcomes] == [RETRIED] and len(mailer.sent) == 1
        again = await send_due(
            lambda: FakeUnitOfWork(store), mailer, INSTANT_RETRY, clock_from(T0 + timedelta(1)), limit=10
        )
        assert [o.status for o in again] == ["sent"]

    async def test_a_round_sends_at_most_limit_messages_oldest_due_first(self):
        store = FakeMessages([message(next_attempt_at=T0 - timedelta(minutes=n)) for n in range(5)])
        oldest_three = sorted(store.items, key=lambda m: m.next_attempt_at)[:3]
        mailer = ScriptedMailer()
        outcomes = await send_due(lambda: FakeUnitOfWork(store), mailer, INSTANT_RETRY, clock_from(T0), limit=3)
        assert len(outcomes) == 3
        assert mailer.sent == oldest_three

    async def test_nothing_due_sends_nothing(self):
        store = FakeMessages([message(next_attempt_at=T0 + timedelta(hours=1))])
        mailer = ScriptedMailer()
        assert await send_due(lambda: FakeUnitOfWork(store), mailer, INSTANT_RETRY, clock_from(T0), limit=3) == []
        assert mailer.sent == []
