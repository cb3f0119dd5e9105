"""The composition root: settings, engine, sessions, unit of work, mail room, mailer, token verifier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from habitat_common.auth import JwksKeySource, TokenVerifier
from habitat_common.db import make_engine, make_sessionmaker
from habitat_common.revocation import RevocationList
from habitat_notifications.adapters import orm
from habitat_notifications.adapters.smtp import SmtpMailer
from habitat_notifications.adapters.templates import JinjaComposer
from habitat_notifications.adapters.uow import SqlAlchemyUnitOfWork
from habitat_notifications.config import NotificationsSettings
from habitat_notifications.domain.links import Links
from habitat_notifications.service_layer.mailing import Mailroom
from habitat_notifications.service_layer.ports import Clock, Mailer

SERVICE = "notifications"


@lru_cache
def get_settings() -> NotificationsSettings:
    return NotificationsSettings()


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Container:
    """Everything a process needs, built once."""

    settings: NotificationsSettings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    mailroom: Mailroom
    mailer: Mailer
    clock: Clock = utc_now

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.session_factory)


def build(settings: NotificationsSettings | None = None, *, clock: Clock = utc_now) -> Container:
    settings = settings or get_settings()
    orm.start_mappers()
    engine = make_engine(settings.database, service=SERVICE)
    links = Links(settings.public_url)
    return Container(
        settings=settings,
        engine=engine,
        session_factory=make_sessionmaker(engine),
        mailroom=Mailroom(links=links, composer=JinjaComposer(coop_name=settings.coop_name, links=links), clock=clock),
        mailer=SmtpMailer(settings.smtp, sender_name=settings.coop_name),
        clock=clock,
    )


def token_verifier(settings: NotificationsSettings, revocations: RevocationList | None = None) -> TokenVerifier:
    keys = JwksKeySource(settings.auth.jwks_url, cache_seconds=settings.auth.jwks_cache_seconds)
    return TokenVerifier(settings.auth, keys, revocations)
