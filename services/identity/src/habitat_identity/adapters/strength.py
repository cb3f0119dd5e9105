"""Password strength estimated with zxcvbn (Dropbox's estimator, maintained Python port)."""

from __future__ import annotations

import asyncio

from zxcvbn import zxcvbn

from habitat_identity.domain.passwords import Strength

# zxcvbn refuses longer input; its estimate is settled long before 72 characters.
_MAX_ESTIMATED = 72


class ZxcvbnStrengthEstimator:
    """Scores 0-4 with feedback, off the event loop (long inputs take milliseconds)."""

    async def estimate(self, password: str, user_inputs: list[str]) -> Strength:
        return await asyncio.to_thread(self._estimate, password, user_inputs)

    @staticmethod
    def _estimate(password: str, user_inputs: list[str]) -> Strength:
        result = zxcvbn(password[:_MAX_ESTIMATED], user_inputs=[u for u in user_inputs if u])
        feedback = result.get("feedback") or {}
        return Strength(
            score=int(result["score"]),
            warning=feedback.get("warning") or "",
            suggestions=tuple(feedback.get("suggestions") or ()),
        )
