import asyncio
import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from habitat_contributions.domain.errors import InvalidImport
from habitat_contributions.domain.import_passes import ImportJudgement
from habitat_contributions.domain.import_problems import CsvProblem
from habitat_contributions.service_layer import importing
from habitat_contributions.service_layer.importing import import_contributions
from tests.builders import import_names, resolved_row
from tests.fakes import FakeImportStore

FILE = (
    b"reference,member_email,period,type,contributed_on,amount,status\nC-1,a@b.coop,Q1,capital,2026-01-02,5,pending\n"
)


async def body(data: bytes = FILE):
    yield data


async def run(store, *, dry_run=False, data=FILE, today=None):
    return await import_contributions(body(data), dry_run=dry_run, actor_id=uuid.uuid4(), store=store, today=today)


class TestImportContributions:
    async def test_a_valid_file_is_staged_written_and_committed(self):
        store = FakeImportStore()
        report = await run(store)
        assert [row[2] for row in store.staged] == ["C-1"]
        assert store.calls == ["begin", "resolve", "write 2-2", "record_run 1", "commit", "end"]
        assert report.import_id is not None and report.summary.created == 1 and report.sample == [{"line": 2}]

    async def test_each_row_is_staged_with_its_figures_and_the_approvals_the_policy_requires(self):
        from habitat_contributions.domain.review_policy import ReviewPolicy

        data = (b"reference,member_email,period,type,contributed_on,hours,rate,amount,fair_market_value,"
                b"adjusted_basis,status\n"
                b"L-1,a@b.coop,Q1,labor,2026-01-02,0.25,75.02,,,,pending\n"
                b"C-1,a@b.coop,Q1,capital,2026-01-02,,,1000,,,pending\n"
                b"P-1,a@b.coop,Q1,property,2026-01-02,,,,1200.50,800,pending\n"
                b"C-2,a@b.coop,Q1,capital,2026-01-02,,,-999.99,,,pending\n")  # fmt: skip
        store = FakeImportStore()
        policy = ReviewPolicy(dual_approval_threshold=Decimal("1000.00"))
        await import_contributions(body(data), dry_run=True, actor_id=uuid.uuid4(), store=store, policy=policy)
        assert [row[-4:] for row in store.staged] == [
            ("18.76", "0.00", "0.00", "1"),  # 0.25 x 75.02 = 18.755, half-up; labor is never capital
            ("1000", "1000", "1000", "2"),  # the threshold is inclusive
            ("1200.50", "1200.50", "800", "2"),  # property: fair market value on book, adjusted basis on tax
            ("-999.99", "-999.99", "-999.99", "1"),
        ]

    async def test_a_row_missing_an_amount_its_type_needs_is_staged_unvalued(self):
        store = FakeImportStore()
        await run(store, dry_run=True, data=FILE.replace(b",5,pending", b",,pending"))
        assert [row[-4:] for row in store.staged] == [("", "", "", "")]  # the business pass refuses it

    async def test_a_dry_run_never_writes(self):
        store = FakeImportStore()
        report = await run(store, dry_run=True)
        assert store.calls == ["begin", "resolve", "end"] and report.import_id is None

    async def test_a_file_with_nothing_new_writes_nothing(self):
        store = FakeImportStore(created=0)
        report = await run(store)
        assert store.calls == ["begin", "resolve", "end"]
        assert report.import_id is None and report.summary.unchanged == 1

    async def test_format_problems_stop_before_the_database_passes(self):
        store = FakeImportStore()
        with pytest.raises(InvalidImport) as error:
            await run(store, data=FILE.replace(b"capital", b"gift"))
        assert (error.value.pass_name, error.value.count) == ("format", 1)
        assert store.calls == ["begin", "end"]

    async def test_the_first_failing_database_pass_is_raised(self):
        problem = CsvProblem(2, 2, "member_email", "unknown_member", "No member has the email a@b.coop.")
        names = import_names()
        store = FakeImportStore([resolved_row()], names=replace(names, members={"s@b.coop": names.members["s@b.coop"]}))
        with pytest.raises(InvalidImport) as error:
            await run(store)
        assert (error.value.pass_name, error.value.problems, error.value.message) == (
            "references",
            [problem],
            "1 problem in the references pass; nothing was written.",
        )
        assert store.calls == ["begin", "resolve", "end"]

    async def test_live_intake_rules_are_business_problems_before_reconciliation(self):
        late = resolved_row(contributed_on=date(2026, 1, 2), first_line=1)
        store = FakeImportStore([late], names=import_names(joined_at=date(2026, 1, 3)))
        with pytest.raises(InvalidImport) as error:
            await run(store, today=date(2026, 2, 1))
        assert error.value.pass_name == "business"
        assert [(p.line, p.column, p.code) for p in error.value.problems] == [(2, 5, "contributed_before_joining")]

    async def test_they_join_the_business_problems_of_the_amounts(self):
        store = FakeImportStore([resolved_row(contributed_on=date(2026, 1, 2), amount=Decimal(0))])
        with pytest.raises(InvalidImport) as error:
            await run(store, today=date(2026, 1, 1))
        assert error.value.count == 2
        assert [p.code for p in error.value.problems] == ["contributed_in_future", "non_positive_amount"]

    async def test_reference_problems_come_first_and_alone(self):
        unknown = resolved_row(contributed_on=date(2026, 1, 2), member_email="nobody@b.coop")
        store = FakeImportStore([unknown])
        with pytest.raises(InvalidImport) as error:
            await run(store, today=date(2026, 1, 1))
        assert (error.value.pass_name, error.value.count) == ("references", 1)


IN_Q1 = date(2026, 1, 2)


class TestWritingWhileJudging:
    """Each chunk of resolved rows the passes find clean is written while the next one is judged; the last one
    in the write stage; once a problem is found nothing more is written, and nothing is committed."""

    @pytest.fixture(autouse=True)
    def chunks_of_two(self, monkeypatch):
        monkeypatch.setattr(importing, "RESOLVED_CHUNK", 2)

    async def test_each_clean_chunk_is_written_once_in_line_order(self):
        store = FakeImportStore([resolved_row(line, contributed_on=IN_Q1) for line in range(2, 7)])
        report = await run(store, today=IN_Q1)
        assert store.calls == ["begin", "resolve", "write 2-3", "write 4-5", "write 6-6", "record_run 5", "commit", "end"]
        assert report.summary.created == 5 and report.summary.unchanged == 0

    async def test_a_problem_in_a_later_chunk_stops_the_writes_and_nothing_is_committed(self):
        rows = [resolved_row(line, contributed_on=IN_Q1) for line in range(2, 8)]
        rows[4] = resolved_row(6, contributed_on=IN_Q1, member_email="nobody@b.coop")
        store = FakeImportStore(rows)
        with pytest.raises(InvalidImport) as error:
            await run(store, today=IN_Q1)
        assert [(p.line, p.code) for p in error.value.problems] == [(6, "unknown_member")]
        assert store.calls == ["begin", "resolve", "write 2-3", "write 4-5", "end"]

    async def test_a_problem_in_the_first_chunk_writes_nothing(self):
        rows = [resolved_row(2, contributed_on=IN_Q1, amount=Decimal(0)), resolved_row(3, contributed_on=IN_Q1),
                resolved_row(4, contributed_on=IN_Q1)]  # fmt: skip
        store = FakeImportStore(rows)
        with pytest.raises(InvalidImport):
            await run(store, today=IN_Q1)
        assert store.calls == ["begin", "resolve", "end"]

    async def test_a_dry_run_judges_every_chunk_and_writes_none(self):
        store = FakeImportStore([resolved_row(line, contributed_on=IN_Q1) for line in range(2, 7)])
        report = await run(store, dry_run=True, today=IN_Q1)
        assert store.calls == ["begin", "resolve", "end"] and report.summary.created == 5

    async def test_a_chunk_is_written_while_the_next_is_judged(self, monkeypatch):
        # the write of lines 2-3 waits until the passes have started on lines 4-5: were the two not at once,
        # it would wait in vain
        loop = asyncio.get_running_loop()
        judging = asyncio.Event()
        feed = ImportJudgement.feed

        def feed_and_tell(judgement, rows):
            loop.call_soon_threadsafe(judging.set)
            feed(judgement, rows)

        class SlowStore(FakeImportStore):
            async def write_lines(self, import_id, *, actor_id, first, last):
                if first == 2:
                    judging.clear()
                    await asyncio.wait_for(judging.wait(), timeout=5)
                return await super().write_lines(import_id, actor_id=actor_id, first=first, last=last)

        monkeypatch.setattr(ImportJudgement, "feed", feed_and_tell)
        store = SlowStore([resolved_row(line, contributed_on=IN_Q1) for line in range(2, 6)])
        await run(store, today=IN_Q1)
        assert store.calls == ["begin", "resolve", "write 2-3", "write 4-5", "record_run 4", "commit", "end"]


class TestMalformedRecords:
    async def test_every_malformed_record_is_a_format_problem_with_its_line_and_nothing_is_written(self):
        good = FILE.splitlines()[1]
        lines = [*FILE.splitlines(), b'"C-2"x' + good[3:], good.replace(b"capital", b"gift"), b'C-4,"a\nb"c,Q1', good]
        store = FakeImportStore()
        with pytest.raises(InvalidImport) as error:
            await run(store, data=b"\n".join(lines) + b"\n")
        assert (error.value.pass_name, error.value.count) == ("format", 3)
        assert [(p.line, p.column, p.code) for p in error.value.problems] == [
            (3, 1, "malformed_csv"),
            (4, 4, "invalid_type"),
            (5, 1, "malformed_csv"),
        ]
        assert store.calls == ["begin", "end"]

    async def test_one_malformed_record_among_good_rows_writes_nothing(self):
        good = FILE.splitlines()[1]
        store = FakeImportStore()
        with pytest.raises(InvalidImport) as error:
            await run(store, data=b"\n".join([*FILE.splitlines(), b'"C-2"x' + good[3:], good.replace(b"C-1", b"C-3")]))
        assert [(p.line, p.code) for p in error.value.problems] == [(3, "malformed_csv")]
        assert store.calls == ["begin", "end"]

    async def test_thousands_of_malformed_records_are_counted_and_200_listed(self):
        bad = b"".join(b'"C-%d"x,a@b.coop,Q1,capital,2026-01-02,5,pending\n' % n for n in range(3000))
        store = FakeImportStore()
        with pytest.raises(InvalidImport) as error:
            await run(store, data=FILE + bad)
        assert (error.value.count, len(error.value.problems), error.value.problems[-1].line) == (3000, 200, 202)
        assert {p.code for p in error.value.problems} == {"malformed_csv"} and store.calls == ["begin", "end"]
