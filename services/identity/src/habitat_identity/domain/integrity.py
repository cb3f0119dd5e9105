"""Integrity checks of the member registry, as the post-import validation reports them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IntegrityCheck:
    """One check: what it verifies, how many records fail it and a few of them by id."""

    name: str
    description: str
    failures: int
    examples: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.failures == 0
