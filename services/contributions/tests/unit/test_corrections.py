"""Rule 10: corrections are bounded (pure domain, then through the handlers with fakes)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

import pytest

from habitat_contributions.domain.commands import ApproveContribution, EditContribution
from habitat_contributions.domain.corrections import CorrectionRefused, Entry, Figures, check_correction
from habitat_contributions.domain.errors import InvalidContribution
from habitat_contributions.domain.model import Viewer
from habitat_contributions.domain.statuses import ContributionStatus, ContributionType
from habitat_contributions.domain.valuation import RateCard, value_property
from habitat_contributions.service_layer import handlers, review
from tests.builders import T0, capital, labor, open_period, property_
from tests.fakes import FakeUnitOfWork

MEMBER = uuid.uuid4()
D = Decimal


def entry(kind="capital", value="500", book=None, tax=None, *, status="approved", member=MEMBER, corrects=None):
    book = value if book is None and kind != "labor" else book or "0"
    tax = book if tax is None else tax
    return Entry(
        id=uuid.uuid4(),
        member_id=member,
        type=ContributionType(kind),
        status=ContributionStatus(status),
        corrects=corrects,
        figures=Figures(D(value), D(book), D(tax)),
    )


def refused(correction, original, approved: Figures | None = None) -> CorrectionRefused:
    with pytest.raises(CorrectionRefused) as caught:
        check_correction(correction, original, approved or Figures())
    return caught.value


class TestCheckCorrection:
    def test_a_correction_within_the_original_is_allowed(self):
        check_correction(entry(value="-200"), entry(value="500"), Figures())

    def test_exactly_reaching_zero_is_allowed(self):
        check_correction(entry(value="-500"), entry(value="500"), Figures())

    def test_one_cent_below_zero_is_refused_pointing_at_the_amount(self):
        error = refused(entry(value="-500.01"), entry(value="500"))
        assert (error.code, error.field) == ("correction_below_zero", "amount")
        assert "500.00" in error.message and "-500.01" in error.message

    def test_approved_corrections_count_so_a_second_one_may_not_go_below_zero(self):
        original, first = entry(value="500"), Figures(D("-300"), D("-300"), D("-300"))
        check_correction(entry(value="-200"), original, first)
        assert refused(entry(value="-200.01"), original, first).code == "correction_below_zero"

    def test_an_upward_correction_is_never_below_zero(self):
        check_correction(entry(value="1000"), entry(value="500"), Figures(D("-500"), D("-500"), D("-500")))

    def test_labor_is_bounded_by_its_value_and_points_at_hours(self):
        original = entry("labor", "800")
        check_correction(entry("labor", "-800"), original, Figures())
        error = refused(entry("labor", "-800.01"), original)
        assert (error.code, error.field) == ("correction_below_zero", "hours")

    def test_property_basis_alone_may_be_fixed(self):
        original = entry("property", "1200", "1200", "800")
        check_correction(entry("property", "0", "0", "-800"), original, Figures())

    def test_property_fair_market_value_and_basis_are_bounded_separately(self):
        original = entry("property", "1200", "1200", "800")
        basis = refused(entry("property", "-100", "-100", "-800.01"), original)
        assert (basis.code, basis.field) == ("correction_below_zero", "adjusted_basis")
        fmv = refused(entry("property", "-1200.01", "-1200.01", "0"), original)
        assert (fmv.code, fmv.field) == ("correction_below_zero", "fair_market_value")

    def test_the_type_is_kept(self):
        error = refused(entry("labor", "-100"), entry("capital", "500"))
        assert (error.code, error.field) == ("correction_type_mismatch", "type")

    def test_only_the_same_members_contribution(self):
        assert refused(entry(value="-1"), entry(member=uuid.uuid4())).code == "correction_of_other_member"

    @pytest.mark.parametrize("status", ["pending", "clarification_requested", "rejected"])
    def test_only_an_approved_original(self, status):
        assert refused(entry(value="-1"), entry(status=status)).code == "correction_of_unapproved"

    def test_not_a_correction_of_a_correction(self):
        assert refused(entry(value="-1"), entry(corrects=uuid.uuid4())).code == "correction_of_correction"

    def test_an_unknown_original(self):
        assert refused(entry(value="-1"), None).code == "unknown_correction_target"

    def test_refusals_are_invalid_contributions_so_422(self):
        assert issubclass(CorrectionRefused, InvalidContribution)


class TestPropertyCorrectionValuation:
    def test_basis_only_correction_has_zero_value(self):
        valuation = value_property(D("0"), D("-100"), correction=True)
        assert (valuation.value, valuation.book_amount, valuation.tax_amount) == (D("0.00"), D("0.00"), D("-100.00"))

    def test_a_correction_changing_nothing_is_refused(self):
        with pytest.raises(InvalidContribution):
            value_property(D("0"), D("0"), correction=True)

    def test_an_original_still_needs_a_fair_market_value(self):
        with pytest.raises(InvalidContribution):
            value_property(D("0"), D("100"))


CARD = RateCard()
REVIEWER = uuid.uuid4()


async def approved(uow, cmd):
    c = await handlers.submit_contribution(cmd, uow, card=CARD, now=T0)
    await review.approve_contribution(ApproveContribution(c.id, REVIEWER), uow, now=T0)
    return c


async def submitted(uow, cmd):
    return await handlers.submit_contribution(cmd, uow, card=CARD, now=T0)


class TestThroughTheHandlers:
    async def test_submission_is_refused_below_zero(self):
        uow = FakeUnitOfWork(open_period())
        original = await approved(uow, capital(MEMBER, "500"))
        with pytest.raises(CorrectionRefused) as caught:
            await submitted(uow, capital(MEMBER, "-500.01", corrects_contribution_id=original.id))
        assert caught.value.code == "correction_below_zero"

    async def test_two_corrections_each_fine_alone_the_second_approval_is_refused(self):
        uow = FakeUnitOfWork(open_period())
        original = await approved(uow, capital(MEMBER, "500"))
        first = await submitted(uow, capital(MEMBER, "-300", corrects_contribution_id=original.id))
        second = await submitted(uow, capital(MEMBER, "-300", corrects_contribution_id=original.id))
        await review.approve_contribution(ApproveContribution(first.id, REVIEWER), uow, now=T0)
        with pytest.raises(CorrectionRefused) as caught:
            await review.approve_contribution(ApproveContribution(second.id, REVIEWER), uow, now=T0)
        assert caught.value.code == "correction_below_zero"
        assert second.status == ContributionStatus.PENDING and second.approvals == []

    async def test_a_correction_of_a_pending_contribution_is_refused(self):
        uow = FakeUnitOfWork(open_period())
        pending = await submitted(uow, capital(MEMBER, "500"))
        with pytest.raises(CorrectionRefused) as caught:
            await submitted(uow, capital(MEMBER, "-1", corrects_contribution_id=pending.id))
        assert caught.value.code == "correction_of_unapproved"

    async def test_type_mismatch_and_other_member_at_submission(self):
        uow = FakeUnitOfWork(open_period())
        original = await approved(uow, capital(MEMBER, "500"))
        with pytest.raises(CorrectionRefused, match="must be capital"):
            await submitted(uow, labor(MEMBER, "-1", corrects_contribution_id=original.id))
        with pytest.raises(CorrectionRefused) as caught:
            await submitted(uow, capital(uuid.uuid4(), "-1", corrects_contribution_id=original.id))
        assert caught.value.code == "correction_of_other_member"

    async def test_property_basis_only_correction_goes_through(self):
        uow = FakeUnitOfWork(open_period())
        original = await approved(uow, property_(MEMBER, fmv="1200", basis="800"))
        fix = await approved(uow, property_(MEMBER, fmv="0", basis="-800", corrects_contribution_id=original.id))
        assert (fix.status, fix.value, fix.tax_amount) == ("approved", D("0.00"), D("-800.00"))

    async def test_an_edit_may_not_take_a_pending_correction_below_zero(self):
        uow = FakeUnitOfWork(open_period())
        original = await approved(uow, capital(MEMBER, "500"))
        fix = await submitted(uow, capital(MEMBER, "-100", corrects_contribution_id=original.id))
        with pytest.raises(CorrectionRefused):
            await handlers.edit_contribution(
                EditContribution(fix.id, MEMBER, {"amount": D("-600")}), Viewer(MEMBER, False), uow, card=CARD, now=T0
            )
        assert fix.amount == D("-100.00")


def test_entry_of_a_contribution_reads_its_figures():
    uow_entry = replace(entry(), figures=Figures(D(1), D(2), D(3)))
    assert uow_entry.figures + Figures(D(1), D(1), D(1)) == Figures(D(2), D(3), D(4))
