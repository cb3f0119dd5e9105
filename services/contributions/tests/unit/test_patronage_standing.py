"""Where each status stands in a member's patronage: approved counts, undecided may, rejected never."""

import pytest

from habitat_contributions.domain.statuses import ContributionStatus, patronage_standing


@pytest.mark.parametrize("status,standing", [
    (ContributionStatus.APPROVED, "approved"),
    (ContributionStatus.PENDING, "awaiting_review"),
    (ContributionStatus.CLARIFICATION_REQUESTED, "awaiting_review"),
    (ContributionStatus.REJECTED, None),
    ("approved", "approved"),
])  # fmt: skip
def test_each_status_has_its_standing(status, standing):
    assert patronage_standing(status) == standing


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError):
        patronage_standing("lost")
