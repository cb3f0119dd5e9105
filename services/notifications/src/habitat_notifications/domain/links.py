"""The links a mail carries, all under the co-op's public URL (the gateway's pages)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

PREFERENCES_PATH = "/profile/mail"


@dataclass(frozen=True)
class Links:
    public_url: str

    @property
    def base(self) -> str:
        return self.public_url.rstrip("/")

    def accept_invitation(self, token: str) -> str:
        return f"{self.base}/accept-invitation?{urlencode({'token': token})}"

    def reset_password(self, token: str) -> str:
        return f"{self.base}/reset-password?{urlencode({'token': token})}"

    def forgot_password(self) -> str:
        return f"{self.base}/forgot-password"

    def contribution(self, contribution_id: uuid.UUID) -> str:
        return f"{self.base}/contributions/{contribution_id}"

    def allocation(self, allocation_id: uuid.UUID) -> str:
        """The allocation page, which shows the signed-in member their own statement."""
        return f"{self.base}/allocations/{allocation_id}"

    def new_contribution(self) -> str:
        return f"{self.base}/contributions/new"

    def review_queue(self) -> str:
        return f"{self.base}/review"

    def preferences(self) -> str:
        return f"{self.base}{PREFERENCES_PATH}"
