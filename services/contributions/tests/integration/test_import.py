"""Historical contributions import through the HTTP API: writes, dry runs, re-runs, events, streaming."""

import asyncio
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import text

from habitat_common.contracts import ContributionsImportedV1, Envelope
from habitat_contributions.domain.contribution_rows import IMPORT_NAMESPACE
from habitat_contributions.service_layer import importing
from habitat_contributions.service_layer.contribution_file import ContributionFile
from habitat_contributions.service_layer.importing import import_contributions
from tests.integration.db import announce_imports, count, outbox_rows
from tests.integration.imports import coop, csv_file, post_import, problems, row
from tests.integration.test_http import auth

pytestmark = pytest.mark.integration
IMPORTED = "contributions.contributions_imported.v1"
WRITTEN = (
    "contribution", "contribution_approval", "contribution_revision", "contribution_import", "import_event_batch",
    "outbox",
)  # fmt: skip

HISTORY = csv_file(
    row("L-1", hours="7.5", rate="80", description="Rebuilt the   compost bins"),
    row("C-1", member="ben@example.coop", type="capital", amount="6000.00", approver="ada@example.coop"),
    row("P-1", type="property", fmv="1200", basis="300.50", status="rejected"),
    row("C-2", member="ben@example.coop", type="capital", amount="250", status="pending"),
    row("C-3", member="ben@example.coop", type="capital", amount="-1000", corrects="C-1", on="2026-03-01",
        decided_at="2026-03-02 08:00"),
)  # fmt: skip


def ids(*references: str) -> list[str]:
    return [str(uuid.uuid5(IMPORT_NAMESPACE, reference)) for reference in references]


async def counts(container) -> dict[str, int]:
    return {table: await count(container, table) for table in WRITTEN}


class TestImport:
    async def test_rows_are_written_valued_and_readable_with_their_decisions(self, client, keys, container):
        c = await coop(container)
        response = await post_import(client, keys, c.ada, HISTORY)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["dry_run"] is False and uuid.UUID(body["import_id"])
        assert body["summary"] == {
            "rows": 5,
            "created": 5,
            "unchanged": 0,
            "by_status": {"approved": 3, "pending": 1, "rejected": 1},
            "by_type": {"capital": 3, "labor": 1, "property": 1},
            "approved_value": "5600.00",  # 600.00 labor + 6000.00 capital - 1000.00 correction
        }
        assert [s["reference"] for s in body["sample"]] == ["L-1", "C-1", "P-1", "C-2", "C-3"]
        labor_id, capital_id, property_id, pending_id, fix_id = ids("L-1", "C-1", "P-1", "C-2", "C-3")
        assert [s["id"] for s in body["sample"]] == [labor_id, capital_id, property_id, pending_id, fix_id]

        read = await client.get(f"/contributions/{labor_id}", headers=auth(keys, c.sam, "steward"))
        labor = read.json()
        assert (labor["member_id"], labor["period_id"], labor["status"]) == (str(c.ana), str(c.q1), "approved")
        assert (labor["value"], labor["book_amount"], labor["tax_amount"]) == ("600.00", "0.00", "0.00")
        assert (labor["hours"], labor["rate"], labor["description"]) == ("7.50", "80.00", "Rebuilt the compost bins")
        assert (labor["decided_by"], labor["decided_at"]) == (str(c.sam), "2026-02-12T10:00:00Z")
        assert labor["approvals"] == [
            {"reviewer_id": str(c.sam), "at": "2026-02-12T10:00:00Z", "note": None, "imported": True,
             "imported_by": str(c.ada)}
        ]  # the approver of record, not sam's decision here: ada imported it
        assert labor["import_reference"] == "L-1" and labor["approvals_required"] == 1
        assert labor["submitted_at"] == "2026-02-10T00:00:00Z" and labor["revisions"] == []

        capital = (await client.get(f"/contributions/{capital_id}", headers=auth(keys, c.ben))).json()
        assert (capital["value"], capital["book_amount"], capital["tax_amount"]) == ("6000.00", "6000.00", "6000.00")
        assert capital["approvals_required"] == 2  # at the dual-approval threshold, as the service values it
        prop = (await client.get(f"/contributions/{property_id}", headers=auth(keys, c.ana))).json()
        assert (prop["status"], prop["book_amount"], prop["tax_amount"]) == ("rejected", "1200.00", "300.50")
        assert prop["approvals"] == [] and prop["decided_by"] == str(c.sam)
        pending = (await client.get(f"/contributions/{pending_id}", headers=auth(keys, c.ben))).json()
        assert (pending["status"], pending["decided_at"], pending["approvals"]) == ("pending", None, [])
        assert [r["fields"]["amount"] for r in pending["revisions"]] == ["250.00"]
        fix = (await client.get(f"/contributions/{fix_id}", headers=auth(keys, c.ben))).json()
        assert (fix["corrects_contribution_id"], fix["value"]) == (capital_id, "-1000.00")

        async with container.engine.connect() as conn:
            run = (await conn.execute(text("SELECT * FROM contributions.contribution_import"))).one()
        assert (str(run.id), run.imported_by, run.row_count, run.created_count) == (body["import_id"], c.ada, 5, 5)

    async def test_approved_rows_are_announced_in_one_batch_event_only(self, client, keys, container):
        c = await coop(container)
        body = (await post_import(client, keys, c.ada, HISTORY)).json()
        assert await outbox_rows(container) == [] and await count(container, "import_event_batch") == 1
        waiting, seconds = await importing.import_events_backlog(container.import_events())
        assert waiting == 1 and 0 <= seconds < 60
        assert await announce_imports(container) == 1
        assert await importing.import_events_backlog(container.import_events()) == (0, 0.0)
        assert await announce_imports(container) == 0  # each event is written once
        assert [r.routing_key for r in await outbox_rows(container)] == [IMPORTED]
        [stored] = await outbox_rows(container, IMPORTED)
        envelope = Envelope[ContributionsImportedV1].model_validate(stored.payload)
        assert envelope.event_id == stored.event_id and envelope.producer == "contributions"
        event = envelope.payload
        assert (str(event.import_id), event.batch, event.batches) == (body["import_id"], 1, 1)
        by_id = {str(item.contribution_id): item for item in event.contributions}
        assert list(by_id) == ids("L-1", "C-1", "C-3")  # approved ones, in file order
        fix = by_id[ids("C-3")[0]]
        assert (fix.member_id, fix.period_id, fix.type, str(fix.contributed_on)) == (
            c.ben,
            c.q1,
            "capital",
            "2026-03-01",
        )
        assert (fix.value, fix.book_amount, fix.tax_amount) == (Decimal("-1000.00"),) * 3
        assert (fix.approved_by, fix.approved_at.isoformat()) == (c.sam, "2026-03-02T08:00:00+00:00")

    @pytest.mark.parametrize("chunk", [importing.RESOLVED_CHUNK, 700], ids=["one_part", "parts_across_batches"])
    async def test_events_carry_at_most_1000_contributions_each(self, client, keys, container, monkeypatch, chunk):
        # written in parts of 700 rows, the events still take 1,000 approved contributions each in file order
        monkeypatch.setattr(importing, "RESOLVED_CHUNK", chunk)
        c = await coop(container)
        rows = [
            row(f"B-{n:04d}", on=f"2026-01-{1 + n % 28:02d}", decided_at="2026-03-30T12:00:00") for n in range(2500)
        ]
        response = await post_import(client, keys, c.ada, csv_file(*rows, row("B-pending", status="pending")))
        assert response.status_code == 200, response.text
        assert await announce_imports(container) == 3
        events = [
            Envelope[ContributionsImportedV1].model_validate(r.payload).payload for r in await outbox_rows(container)
        ]
        assert [(e.batch, e.batches, len(e.contributions)) for e in events] == [(1, 3, 1000), (2, 3, 1000), (3, 3, 500)]
        assert len({e.import_id for e in events}) == 1
        assert [str(i.contribution_id) for e in events for i in e.contributions] == ids(
            *(f"B-{n:04d}" for n in range(2500))
        )
        assert (await count(container, "contribution_approval"), await count(container, "contribution_revision")) == (
            2500, 1)  # fmt: skip

    async def test_concurrent_announcers_write_each_event_once_in_order_of_batches(self, client, keys, container):
        c = await coop(container)
        rows = [
            row(f"B-{n:04d}", on=f"2026-01-{1 + n % 28:02d}", decided_at="2026-03-30T12:00:00") for n in range(2100)
        ]
        assert (await post_import(client, keys, c.ada, csv_file(*rows))).status_code == 200
        events = container.import_events()

        async def drain() -> int:
            written = 0
            while done := await importing.announce_imports(events, batches=1):
                written += done
            return written

        assert sum(await asyncio.gather(drain(), drain(), drain())) == 3
        stored = [Envelope[ContributionsImportedV1].model_validate(r.payload) for r in await outbox_rows(container)]
        assert sorted(e.payload.batch for e in stored) == [1, 2, 3] and len({e.event_id for e in stored}) == 3
        async with container.engine.connect() as conn:
            pending = await conn.scalar(
                text("SELECT count(*) FROM contributions.import_event_batch WHERE staged_at IS NULL")
            )
        assert pending == 0

    async def test_a_dry_run_reports_what_would_be_written_and_writes_nothing(self, client, keys, container):
        c = await coop(container)
        response = await post_import(client, keys, c.ada, HISTORY, dry_run=True)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["dry_run"], body["import_id"], body["summary"]["created"]) == (True, None, 5)
        sample = body["sample"][0]
        assert (sample["line"], sample["member_id"], sample["value"], sample["decided_by"]) == (
            2, str(c.ana), "600.00", str(c.sam)
        )  # fmt: skip
        assert await counts(container) == dict.fromkeys(WRITTEN, 0)

    async def test_running_the_same_file_again_changes_nothing(self, client, keys, container):
        c = await coop(container)
        assert (await post_import(client, keys, c.ada, HISTORY)).status_code == 200
        before = await counts(container)
        again = await post_import(client, keys, c.ada, HISTORY)
        assert again.status_code == 200, again.text
        body = again.json()
        assert (body["import_id"], body["summary"]["created"], body["summary"]["unchanged"]) == (None, 0, 5)
        assert body["sample"] == [] and await counts(container) == before
        extended = await post_import(client, keys, c.ada, HISTORY + row("L-2", on="2026-02-11").encode() + b"\n")
        assert extended.json()["summary"] == {**body["summary"], "rows": 6, "created": 1, "by_type": {
            "capital": 3, "labor": 2, "property": 1}, "by_status": {"approved": 4, "pending": 1, "rejected": 1},
            "approved_value": "6400.00"}  # fmt: skip
        assert await count(container, "import_event_batch") == before["import_event_batch"] + 1

    async def test_rows_judged_two_at_a_time_give_the_outcome_of_one_judgement(self, client, keys, container,
                                                                                 monkeypatch):
        # the passes are fed the resolved rows a chunk at a time: a correction and its original in different
        # chunks, and problems in the first chunk and the last, come out as from one chunk
        c = await coop(container)
        bad = csv_file(
            row("B-1", hours="1", rate="10", approver="ben@example.coop"),
            *HISTORY.decode().splitlines()[1:],
            row("B-2", member="ben@example.coop", type="capital", amount="5", approver="ben@example.coop"),
        )
        whole = problems(await post_import(client, keys, c.ada, bad, dry_run=True))
        monkeypatch.setattr(importing, "RESOLVED_CHUNK", 2)
        assert [problem[0] for problem in whole] == [2, 8]
        assert problems(await post_import(client, keys, c.ada, bad, dry_run=True)) == whole
        response = await post_import(client, keys, c.ada, HISTORY)
        assert response.status_code == 200, response.text
        assert response.json()["summary"]["created"] == 5
        assert response.json()["summary"]["approved_value"] == "5600.00"
        assert (await counts(container))["contribution"] == 5

    @pytest.mark.parametrize(("last", "code"), [
        (row("L-1", hours="7.5", rate="80", description="Rebuilt the   compost bins"), "duplicate_reference"),
        (row("C-9", member="nobody@example.coop", type="capital", amount="5", approver="ada@example.coop"),
         "unknown_member"),
    ], ids=["reference_written_before_in_the_file", "unknown_member"])  # fmt: skip
    async def test_a_problem_found_after_parts_were_written_leaves_nothing_written(
        self, client, keys, container, monkeypatch, last, code
    ):
        # in chunks of two, lines 2-3 and 4-5 are written while the passes judge the next ones; the problem on
        # line 7 stops the writes (lines 6-9 are not written: the reference written from line 2 not twice) and
        # rolls back what was written
        c = await coop(container)
        before = {**await counts(container), "member_change": await count(container, "member_change")}
        monkeypatch.setattr(importing, "RESOLVED_CHUNK", 2)
        after = [row(f"C-1{n}", member="ben@example.coop", type="capital", amount="5", approver="ada@example.coop")
                 for n in range(2)]  # fmt: skip
        response = await post_import(client, keys, c.ada, HISTORY + "\n".join([last, *after, ""]).encode())
        assert response.status_code == 422, response.text
        assert [(line, found) for line, _, _, found in problems(response)] == [(7, code)]
        assert {**await counts(container), "member_change": await count(container, "member_change")} == before
        again = await post_import(client, keys, c.ada, HISTORY)
        assert again.status_code == 200 and again.json()["summary"]["created"] == 5

    async def test_the_same_file_imported_twice_at_once_is_written_once(self, client, keys, container, monkeypatch):
        # one import at a time (the import lock): the second resolves after the first committed, so it finds
        # every row imported before and unchanged, though the first wrote them part by part
        c = await coop(container)
        monkeypatch.setattr(importing, "RESOLVED_CHUNK", 2)
        first, second = await asyncio.gather(*(post_import(client, keys, c.ada, HISTORY) for _ in range(2)))
        assert first.status_code == second.status_code == 200, (first.text, second.text)
        outcomes = sorted((r.json()["summary"]["created"], r.json()["summary"]["unchanged"]) for r in (first, second))
        assert outcomes == [(0, 5), (5, 0)]
        assert (await counts(container))["contribution"] == 5 and await count(container, "contribution_import") == 1

    async def test_only_admins_may_import(self, client, keys, container):
        c = await coop(container)
        response = await post_import(client, keys, c.sam, HISTORY, role="steward")
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
        assert await count(container, "contribution") == 0


async def in_chunks(data: bytes, size: int):
    """The body as a stream of size-byte chunks (the ASGI app receives them one by one)."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


class TestMacintoshFiles:
    async def test_a_file_with_lone_carriage_returns_imports_like_the_same_file_with_newlines(
        self, client, keys, container
    ):
        c = await coop(container)
        mac = HISTORY.replace(b"\n", b"\r")
        dry = await post_import(client, keys, c.ada, mac, dry_run=True)
        assert dry.status_code == 200, dry.text
        expected = (await post_import(client, keys, c.ada, HISTORY, dry_run=True)).json()
        assert dry.json()["summary"] == expected["summary"] and dry.json()["sample"] == expected["sample"]


class TestStreaming:
    async def test_a_body_sent_in_small_chunks_imports_quoted_newlines_and_counts_physical_lines(
        self, client, keys, container, monkeypatch
    ):
        c = await coop(container)
        data = csv_file(
            row("S-1", description='"Two lines,\nwith a comma"'),
            row("S-2", on="2026-02-11"),
        )
        fed = []
        feed = ContributionFile.feed
        monkeypatch.setattr(ContributionFile, "feed", lambda self, chunk: fed.append(chunk) or feed(self, chunk))
        response = await post_import(client, keys, c.ada, in_chunks(data, 5))
        assert response.status_code == 200, response.text
        assert len(fed) == -(-len(data) // 5) and max(map(len, fed)) == 5  # parsed as it arrived
        assert [(s["line"], s["description"]) for s in response.json()["sample"]] == [
            (2, "Two lines, with a comma"),
            (4, "Imported contribution"),
        ]
        bad = csv_file(row("S-3", description='"a\nb"'), row("S-4", type="work"))
        response = await post_import(client, keys, c.ada, in_chunks(bad, 3))
        assert problems(response) == [(4, 4, "type", "invalid_type")]


class TestSealing:
    async def test_imported_approvals_count_in_the_period_totals(self, container):
        c = await coop(container)

        async def body():
            yield HISTORY

        await import_contributions(body(), dry_run=False, actor_id=c.ada, store=container.import_store())
        async with container.uow() as uow:
            totals, pending = await uow.contributions.approved_totals(c.q1)
        assert {(t.member_id, t.approved_count, t.approved_value) for t in totals} == {
            (c.ana, 1, Decimal("600.00")),
            (c.ben, 2, Decimal("5000.00")),
        }
        assert pending == 1


async def test_sessions_keep_an_imports_temporary_tables_in_memory(container):
    async with container.engine.connect() as conn:
        assert await conn.scalar(text("SHOW temp_buffers")) == "128MB"


def stage_counts() -> dict[str, float]:
    from prometheus_client import REGISTRY

    return {stage: REGISTRY.get_sample_value("habitat_import_stage_seconds_count", {"stage": stage}) or 0.0
            for stage in ("format", "resolve", "summarize", "judge", "write", "commit")}


class TestStageTimings:
    async def test_a_written_import_times_every_stage_once(self, client, keys, container):
        c = await coop(container)
        before = stage_counts()
        response = await post_import(client, keys, c.ada, HISTORY)
        assert response.status_code == 200, response.text
        after = stage_counts()
        assert {stage: after[stage] - before[stage] for stage in after} == dict.fromkeys(after, 1.0)

    async def test_a_dry_run_and_a_refused_file_time_only_the_stages_they_reached(self, client, keys, container):
        c = await coop(container)
        before = stage_counts()
        assert (await post_import(client, keys, c.ada, HISTORY, dry_run=True)).status_code == 200
        refused = await post_import(client, keys, c.ada, csv_file(row("X-1", member="nobody@example.coop")))
        assert refused.status_code == 422, refused.text
        after = stage_counts()
        reached = {"format": 2, "resolve": 2, "judge": 2, "summarize": 2, "write": 0, "commit": 0}
        assert {stage: after[stage] - before[stage] for stage in after} == reached
