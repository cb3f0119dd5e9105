"""The co-op's rate card and review policy, read-only and public: what the guides show live (they are the
deployment's settings, not anyone's data)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field, PlainSerializer, WithJsonSchema

from habitat_contributions.entrypoints.dependencies import AppContainer

router = APIRouter(tags=["settings"])
Money = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["100.00"]}),
]


class RateCardOut(BaseModel):
    """The labor rate a submission is checked against, and the review rules that depend on value."""

    labor_rate_default: Money = Field(description="Rate per hour a labor contribution starts with")
    labor_rate_minimum: Money = Field(description="Lowest rate per hour accepted")
    labor_rate_maximum: Money = Field(description="Highest rate per hour accepted")
    dual_approval_threshold: Money = Field(description="From this value on (either sign), two approvers are needed")
    review_target_hours: int = Field(description="Pending contributions older than this are overdue for review")


@router.get("/rate-card", response_model=RateCardOut)
async def rate_card(container: AppContainer) -> RateCardOut:
    """The co-op's current rate card and review policy (no token needed)."""
    card, policy = container.rate_card, container.policy
    return RateCardOut(
        labor_rate_default=card.default, labor_rate_minimum=card.minimum, labor_rate_maximum=card.maximum,
        dual_approval_threshold=policy.dual_approval_threshold,
        review_target_hours=int(policy.review_target.total_seconds() // 3600),
    )
