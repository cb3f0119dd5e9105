"""Public request and response bodies, documented in the gateway's OpenAPI, that are not defined once in
habitat_common.api: the bases of the gateway's own bodies, and its sign-in and password-change bodies (stricter
than identity's, which carry the web UI's `session`; habitat_common.api.identity says why)."""

from __future__ import annotations

from decimal import Decimal

from habitat_common.api.identity import NEW_PASSWORD
from habitat_common.web.inputs import RequestBody
from pydantic import BaseModel, ConfigDict, Field

Money = Decimal


NEXT_PAGE = "Cursor of the page after this one, to pass as `after` with the same filters; null on the last page"


class Body(RequestBody):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LoginRequest(Body):
    email: str = Field(min_length=1, max_length=254, description="Member's email address (case-insensitive)")
    password: str = Field(min_length=1, max_length=1024, description="Password or one-time temporary password")


class PasswordChangeRequest(Body):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(max_length=1024, description=NEW_PASSWORD)


