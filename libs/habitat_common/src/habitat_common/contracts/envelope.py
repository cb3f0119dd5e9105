"""The envelope every integration event travels in, and the contract base class."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import ClassVar, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Contract(BaseModel):
    """Base of every published event payload; one subclass per event type and version."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    EVENT_TYPE: ClassVar[str]
    VERSION: ClassVar[int]

    @classmethod
    def routing_key(cls) -> str:
        return f"{cls.EVENT_TYPE}.v{cls.VERSION}"


P = TypeVar("P", bound=Contract)


class Envelope(BaseModel, Generic[P]):
    """Metadata shared by all events, wrapping one versioned payload."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    event_id: uuid.UUID = Field(description="Unique id; consumers deduplicate on it")
    event_type: str = Field(description="Dotted event type, e.g. contributions.contribution_approved")
    event_version: int = Field(ge=1, description="Contract version of the payload")
    occurred_at: AwareDatetime = Field(description="When the producer recorded the event")
    producer: str = Field(description="Service that produced the event")
    correlation_id: str | None = Field(default=None, description="Request that caused the event")
    payload: P

    @classmethod
    def wrap(cls, payload: Contract, *, producer: str, correlation_id: str | None = None) -> Envelope:
        return _parametrized(type(payload))(
            event_id=uuid.uuid4(),
            event_type=payload.EVENT_TYPE,
            event_version=payload.VERSION,
            occurred_at=datetime.now(UTC),
            producer=producer,
            correlation_id=correlation_id,
            payload=payload,
        )

    def routing_key(self) -> str:
        return f"{self.event_type}.v{self.event_version}"


_PARAMETRIZED: dict[type, type[Envelope]] = {}


def _parametrized(payload_type: type[Contract]) -> type[Envelope]:
    # pydantic only weakly caches Envelope[X]; without a strong reference it is rebuilt after each collection
    model = _PARAMETRIZED.get(payload_type)
    if model is None:
        model = _PARAMETRIZED[payload_type] = Envelope[payload_type]  # type: ignore[valid-type]
    return model
