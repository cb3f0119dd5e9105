"""The completion of a distribution as the ledger reads it (the gateway's is narrower: no `method`, and a
non-empty override reason); the other bodies of statements, distributions, the journal and exceptions live in
habitat_common.api.ledger."""

from __future__ import annotations

from habitat_common.api.ledger import PaymentMethod
from habitat_common.web.inputs import IsoDate, RequestBody
from pydantic import ConfigDict, Field


class CompleteIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    reference: str = Field(min_length=1, max_length=200, description="Payment reference (ACH trace, check no.)")
    paid_on: IsoDate | None = Field(default=None, description="Defaults to today in the co-op's time zone")
    override_reason: str | None = Field(default=None, max_length=2000, description="Needed to overdraw capital")
    method: PaymentMethod | None = Field(default=None, description="How it was paid")
