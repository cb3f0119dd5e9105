"""Historical contributions import: live intake's date and correction rules (rule 10), at line and column."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from habitat_contributions.service_layer import replicas
from tests.builders import record_period
from tests.integration.db import active_member, count
from tests.integration.imports import coop, csv_file, post_import, problems, row
from tests.integration.test_import_passes import rejected

pytestmark = pytest.mark.integration


class TestCorrectionRows:
    async def test_rule_10_problems_point_at_the_field_they_are_about(self, client, keys, container):
        c = await coop(container)
        data = csv_file(
            row("C-1", type="capital", amount="500"),
            row("C-2", type="capital", amount="-300", corrects="C-1"),
            row("C-3", type="capital", amount="-200.01", corrects="C-1"),
            row("C-4", hours="8", rate="100", corrects="C-1"),
            row("C-5", member="ben@example.coop", type="capital", amount="-1", corrects="C-1"),
            row("C-6", type="capital", amount="50", status="rejected"),
            row("C-7", type="capital", amount="-1", corrects="C-6"),
            row("P-1", type="property", fmv="1200", basis="800"),
            row("P-2", type="property", fmv="0", basis="-800.01", corrects="P-1"),
        )
        assert await rejected(client, keys, container, c.ada, data, "business") == [
            (4, 9, "amount", "correction_below_zero"),
            (5, 4, "type", "correction_type_mismatch"),
            (6, 15, "corrects_reference", "correction_of_other_member"),
            (8, 15, "corrects_reference", "correction_of_unapproved"),
            (10, 11, "adjusted_basis", "correction_below_zero"),
        ]

    async def test_a_correction_missing_its_amount_is_reported_by_the_business_pass(self, client, keys, container):
        c = await coop(container)
        data = csv_file(
            row("C-1", type="capital", amount="500"),
            row("C-2", type="capital", corrects="C-1"),
            row("C-3", type="capital", amount="-501", corrects="C-1"),
            row("C-4", type="capital", amount="-1", corrects="C-2"),
        )
        assert await rejected(client, keys, container, c.ada, data, "business") == [
            (3, 9, "amount", "missing_field"),
            (4, 9, "amount", "correction_below_zero"),
        ]

    async def test_exactly_zero_and_a_basis_only_fix_are_imported(self, client, keys, container):
        c = await coop(container)
        data = csv_file(
            row("C-1", type="capital", amount="500"),
            row("C-2", type="capital", amount="-500", corrects="C-1"),
            row("P-1", type="property", fmv="1200", basis="800"),
            row("P-2", type="property", fmv="0", basis="-800", corrects="P-1"),
        )
        response = await post_import(client, keys, c.ada, data)
        assert response.status_code == 200, response.text
        assert response.json()["summary"]["created"] == 4

    async def test_corrections_imported_before_count(self, client, keys, container):
        c = await coop(container)
        first = csv_file(
            row("C-1", type="capital", amount="500"), row("C-2", type="capital", amount="-400", corrects="C-1")
        )
        assert (await post_import(client, keys, c.ada, first)).status_code == 200
        later = csv_file(row("C-3", type="capital", amount="-100.01", corrects="C-1"))
        response = await post_import(client, keys, c.ada, later)
        assert response.status_code == 422 and problems(response) == [(2, 9, "amount", "correction_below_zero")]
        assert await count(container, "contribution") == 2


class TestDates:
    async def test_future_rows_and_rows_before_joining_are_business_problems(self, client, keys, container):
        c = await coop(container)
        late = await active_member(container, joined_at=date(2026, 2, 11))
        email = f"{late.hex[:8]}@example.coop"
        data = csv_file(
            row("D-1", member=email, on="2026-02-10"),
            row("D-2", member=email, on="2026-02-11"),
            row("D-3", period="2027-Q1", on="2027-01-05", decided_at="2027-01-06T10:00:00Z"),
        )
        await _open(container, "2027-Q1", date(2027, 1, 1), date(2027, 3, 31))
        assert await rejected(client, keys, container, c.ada, data, "business") == [
            (2, 5, "contributed_on", "contributed_before_joining"),
            (4, 5, "contributed_on", "contributed_in_future"),
        ]


async def _open(container, name, starts_on, ends_on):
    async with container.uow() as uow:
        await replicas.record_period(record_period(uuid.uuid4(), name=name, starts_on=starts_on, ends_on=ends_on), uow)
        await uow.commit()
