"""Validation passes of the historical contributions import: each reports all its problems, writes nothing."""

import pytest

from tests.integration.db import count
from tests.integration.imports import coop, csv_file, post_import, problems, row

pytestmark = pytest.mark.integration


async def rejected(client, keys, container, admin, data, pass_name: str) -> list[tuple]:
    """Post the file, expect 422 invalid_csv from pass_name with nothing written; its problems."""
    response = await post_import(client, keys, admin, data)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["pass"]) == ("invalid_csv", pass_name)
    assert error["message"] == f"{error['error_count']} problems in the {pass_name} pass; nothing was written."
    assert error["error_count"] == len(error["errors"])
    assert all(e["message"].endswith(".") for e in error["errors"])
    for table in ("contribution", "contribution_approval", "contribution_import", "outbox"):
        assert await count(container, table) == 0
    return problems(response)


class TestFormatPass:
    async def test_all_format_problems_are_listed_with_line_and_column(self, client, keys, container):
        c = await coop(container)
        data = csv_file(
            row("F-1"),
            row("F-2", member="ana-at-example", on="2026-13-01"),
            row("F-3", type="gift", amount="12.345", status="done"),
            row("F-4", decided_at="next tuesday"),
        )
        assert await rejected(client, keys, container, c.ada, data, "format") == [
            (3, 2, "member_email", "invalid_email"),
            (3, 5, "contributed_on", "invalid_date"),
            (4, 4, "type", "invalid_type"),
            (4, 9, "amount", "too_many_decimals"),
            (4, 12, "status", "invalid_status"),
            (5, 14, "decided_at", "invalid_datetime"),
        ]

    async def test_every_record_that_is_not_valid_csv_is_listed_among_the_field_problems(self, client, keys, container):
        c = await coop(container)
        data = csv_file(
            row("F-1"),
            row('"F-2"x'),
            row("F-3", type="gift"),
            row("F-4", description='"two\nlines" and more'),
            row("F-5"),
        )
        assert await rejected(client, keys, container, c.ada, data, "format") == [
            (3, 1, "", "malformed_csv"),
            (4, 4, "type", "invalid_type"),
            (5, 1, "", "malformed_csv"),
        ]

    async def test_at_most_200_problems_are_listed_but_all_are_counted(self, client, keys, container):
        c = await coop(container)
        response = await post_import(client, keys, c.ada, csv_file(*(row(f"F-{n}", type="gift") for n in range(250))))
        error = response.json()["error"]
        assert (error["error_count"], len(error["errors"]), error["errors"][-1]["line"]) == (250, 200, 201)

    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            (b"", (1, 1, "", "empty_file")),
            (b"reference,member,period\n", (1, 2, "member", "unknown_column")),
            (csv_file(row("E-1", description="Caf\xe9")).replace(b"Caf\xc3\xa9", b"Caf\xe9"), None),
        ],
    )
    async def test_empty_files_bad_headers_and_other_encodings_are_format_problems(
        self, client, keys, container, data, expected
    ):
        c = await coop(container)
        response = await post_import(client, keys, c.ada, data)
        assert response.status_code == 422 and response.json()["error"]["pass"] == "format"
        found = problems(response)
        assert found[0] == (expected or (2, 6, "", "bad_encoding"))


class TestReferencesPass:
    async def test_unknown_people_periods_and_corrected_contributions_are_all_reported(self, client, keys, container):
        c = await coop(container)
        data = csv_file(
            row("R-1", member="nobody@example.coop"),
            row("R-2", period="2027-Q9"),
            row("R-3", approver="ben@example.coop"),
            row("R-4", approver="ghost@example.coop"),
            row("R-5", type="capital", amount="-5", corrects="NOPE"),
            row("R-6"),
            row("R-7", member="sam@example.coop"),  # self-approval: a business problem, not reported yet
        )
        found = await rejected(client, keys, container, c.ada, data, "references")
        assert found == [
            (2, 2, "member_email", "unknown_member"),
            (3, 3, "period", "unknown_period"),
            (4, 13, "approver_email", "approver_not_reviewer"),
            (5, 13, "approver_email", "unknown_approver"),
            (6, 15, "corrects_reference", "unknown_correction_target"),
        ]


PENDING_BUT_DECIDED = (
    "B-2,ana@example.coop,2026-Q1,labor,2026-02-10,,8,100,,,,pending,sam@example.coop,2026-02-12T10:00:00Z,"
)


class TestBusinessPass:
    async def test_every_broken_rule_is_reported(self, client, keys, container):
        c = await coop(container)
        data = csv_file(
            row("B-1", approver="", decided_at=""),
            PENDING_BUT_DECIDED,
            row("B-3", hours="8", amount="5"),
            row("B-4", type="capital", amount="0"),
            row("B-5", type="property", fmv="100", basis="-1"),
            row("B-6", hours="25", rate="100"),
            row("B-7", type="capital", amount="0", corrects="B-4"),
            row("B-8", on="2026-04-02", decided_at="2026-04-03T10:00:00Z"),
            row("B-9", decided_at="2026-02-09T23:59:59Z"),
            row("B-10", member="sam@example.coop"),
            row("B-11", member="ben@example.coop", type="capital", amount="-10", corrects="B-4"),
            row("B-12", type="capital", amount="-10", corrects="B-P"),
            row("B-P", status="pending"),
            row("B-P", status="pending"),  # a duplicate: a reconciliation problem, not reported yet
        )
        assert await rejected(client, keys, container, c.ada, data, "business") == [
            (2, 13, "approver_email", "missing_approver"),
            (2, 14, "decided_at", "missing_decided_at"),
            (3, 13, "approver_email", "unexpected_approver"),
            (3, 14, "decided_at", "unexpected_decided_at"),
            (4, 8, "rate", "missing_field"),
            (4, 9, "amount", "unexpected_field"),
            (5, 9, "amount", "non_positive_amount"),
            (6, 11, "adjusted_basis", "negative_amount"),
            (7, 7, "hours", "hours_out_of_range"),
            (8, 9, "amount", "zero_correction"),
            (9, 5, "contributed_on", "outside_period"),
            (10, 14, "decided_at", "decided_before_contributed"),
            (11, 13, "approver_email", "self_review"),
            (12, 15, "corrects_reference", "correction_of_other_member"),
            (13, 15, "corrects_reference", "correction_of_unapproved"),
        ]

    async def test_a_column_left_out_of_the_file_is_pointed_at_through_a_related_one(self, client, keys, container):
        c = await coop(container)
        header = "reference,member_email,period,type,contributed_on,amount,status"
        data = csv_file("N-1,ana@example.coop,2026-Q1,capital,2026-02-10,10,approved", header=header)
        assert await rejected(client, keys, container, c.ada, data, "business") == [
            (2, 7, "approver_email", "missing_approver"),
            (2, 7, "decided_at", "missing_decided_at"),
        ]


class TestReconciliationPass:
    async def test_duplicates_changed_imports_and_closed_periods_are_reported(self, client, keys, container):
        c = await coop(container)
        first = csv_file(row("X-1"), row("X-2", type="capital", amount="100"))
        assert (await post_import(client, keys, c.ada, first)).status_code == 200
        data = csv_file(
            row("X-1"),
            row("X-2", type="capital", amount="150"),
            row("X-3"),
            row("X-3"),
            row("X-4", period="2025-Q4", on="2025-11-01", decided_at="2025-11-02T10:00:00Z"),
            row("X-5", period="2025-Q4", on="2025-11-01", status="pending"),
        )
        response = await post_import(client, keys, c.ada, data)
        assert response.status_code == 422 and response.json()["error"]["pass"] == "reconciliation"
        assert problems(response) == [
            (3, 9, "amount", "conflicts_with_import"),
            (5, 1, "reference", "duplicate_reference"),
            (6, 3, "period", "period_closed"),
        ]
        messages = [e["message"] for e in response.json()["error"]["errors"]]
        assert "amount 100.00, not 150" in messages[0] and "line 4" in messages[1] and "closed" in messages[2]
        assert await count(container, "contribution") == 2
