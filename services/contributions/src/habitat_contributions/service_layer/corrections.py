"""Rule 10 applied to a stored original: fetch it and the sum of its approved corrections, let the domain decide."""

from __future__ import annotations

import uuid

from habitat_contributions.domain.corrections import Entry, check_correction
from habitat_contributions.service_layer.ports import UnitOfWork


async def ensure_bounded(uow: UnitOfWork, correction: Entry, original_id: uuid.UUID, *, lock: bool = False) -> None:
    """Refuse (CorrectionRefused) a correction that rule 10 forbids, as of the corrections approved so far.

    With lock, the original stays locked until the transaction ends: approvals of its corrections then run one
    after the other, and each sees the ones approved before it."""
    repository = uow.contributions
    original = await (repository.get_for_update if lock else repository.get)(original_id)
    approved = await repository.approved_corrections(original_id)
    check_correction(correction, Entry.of(original) if original is not None else None, approved)
