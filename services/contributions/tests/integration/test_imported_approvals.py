"""Imported historical approvals keep their named approver, are marked imported with the importing admin, and
are never that steward's decision (issue 13): through the import, then later decisions over HTTP."""

import uuid

import pytest

from habitat_contributions.domain.contribution_rows import IMPORT_NAMESPACE
from tests.integration.imports import coop, csv_file, post_import, row
from tests.integration.test_http import auth

pytestmark = pytest.mark.integration
HISTORY = csv_file(
    row("L-1", hours="7.5", rate="80", description="Rebuilt the compost bins"),
    row("P-1", type="property", fmv="1200", basis="300.50", status="rejected", description="An old tractor"),
)


def imported_id(reference: str) -> str:
    return str(uuid.uuid5(IMPORT_NAMESPACE, reference))


class TestImportedApprovals:
    async def test_marked_with_the_importer_and_never_counted_as_the_stewards_decision(self, client, keys, container):
        c = await coop(container)
        assert (await post_import(client, keys, c.ada, HISTORY)).status_code == 200
        steward = auth(keys, c.sam, "steward")
        original = (await client.get(f"/contributions/{imported_id('L-1')}", headers=steward)).json()
        assert original["decided_by"] == str(c.sam)  # the approver of record is kept
        assert [(a["reviewer_id"], a["imported"], a["imported_by"]) for a in original["approvals"]] == [
            (str(c.sam), True, str(c.ada))
        ]

        # later, sam decides for himself: a new contribution and a correction of the imported one
        live = await client.post(
            "/contributions",
            json={"type": "labor", "contributed_on": "2026-02-20", "description": "Turned the compost", "hours": "2"},
            headers=auth(keys, c.ana),
        )
        fix = await client.post(
            "/contributions",
            json={"type": "labor", "contributed_on": "2026-02-21", "description": "Fewer hours on the bins",
                  "hours": "-2", "rate": "80", "corrects_contribution_id": imported_id("L-1")},
            headers=auth(keys, c.ana),
        )  # fmt: skip
        assert live.status_code == fix.status_code == 201, (live.text, fix.text)
        for created in (live.json(), fix.json()):
            body = {"expected_revision": created["revision"]}
            decided = await client.post(f"/contributions/{created['id']}/approve", json=body, headers=steward)
            assert decided.status_code == 200, decided.text
            assert [(a["reviewer_id"], a["imported"], a["imported_by"]) for a in decided.json()["approvals"]] == [
                (str(c.sam), False, None)
            ]

        # the per-reviewer figures hold sam's own decisions only: not the imported approval nor the rejection
        intake = (await client.get(f"/periods/{c.q1}/intake", headers=steward)).json()
        assert [(r["reviewer_id"], r["approved"], r["rejected"]) for r in intake["per_reviewer"]] == [
            (str(c.sam), 2, 0)
        ]
