"""In-memory stand-ins for the ports: a unit of work over lists and a mailer with scripted answers."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from habitat_notifications.domain.messages import Delivery, Message, Status


class FakeMessages:
    def __init__(self, messages: list[Message]) -> None:
        self.items = messages

    async def add_new(self, messages: list[Message]) -> list[Message]:
        keys = {m.key for m in self.items}
        new = [m for m in messages if m.key not in keys]
        self.items += new
        return new

    async def claim_due(self, now):
        due = [m for m in self.items if m.status == Status.QUEUED and m.next_attempt_at <= now]
        return min(due, key=lambda m: m.next_attempt_at, default=None)


class FakeUnitOfWork:
    def __init__(self, messages: FakeMessages) -> None:
        self.messages = messages
        self.committed = 0

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return None

    async def commit(self) -> None:
        self.committed += 1


class ScriptedMailer:
    """Answers from the script in turn, then accepts; remembers what it was handed."""

    def __init__(self, *answers: Delivery) -> None:
        self.answers = deque(answers)
        self.sent: list[Message] = []
        self.sessions = 0

    async def send(self, message: Message) -> Delivery:
        self.sent.append(message)
        return self.answers.popleft() if self.answers else Delivery(accepted=True)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[ScriptedMailer]:
        self.sessions += 1
        yield self
