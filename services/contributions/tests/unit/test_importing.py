import uuid
from datetime import date
from decimal import Decimal

import pytest

from habitat_contributions.domain.errors import InvalidImport
from habitat_contributions.domain.import_problems import CsvProblem, ImportSummary
from habitat_contributions.domain.import_rules import DatedRow
from habitat_contributions.service_layer.importing import import_contributions

FILE = (
    b"reference,member_email,period,type,contributed_on,amount,status\nC-1,a@b.coop,Q1,capital,2026-01-02,5,pending\n"
)


class FakeImportStore:
    """Records what the use case asks of the store; problems and the summary are given."""

    def __init__(self, problems=(None, [], 0), created: int = 1) -> None:
        self._problems = problems
        self._created = created
        self.staged: list[tuple] = []
        self.calls: list[str] = []
        self.dated: list = []

    async def __aenter__(self):
        self.calls.append("begin")
        return self

    async def __aexit__(self, *exc):
        self.calls.append("end")

    async def stage(self, batches):
        async for rows in batches:
            self.staged.extend(rows)

    async def problems(self, columns, limit):
        self.calls.append("problems")
        return self._problems

    async def dated_rows(self):
        return self.dated

    async def correction_rows(self):
        return []

    async def summarize(self):
        return ImportSummary(1, self._created, 1 - self._created, {}, {}, Decimal("0.00"))

    async def sample(self, size):
        return [{"line": 2}]

    async def write(self, import_id, *, actor_id, dual_approval_threshold, rows):
        self.calls.append("write")
        return self._created

    async def commit(self):
        self.calls.append("commit")


async def body(data: bytes = FILE):
    yield data


async def run(store, *, dry_run=False, data=FILE, today=None):
    return await import_contributions(body(data), dry_run=dry_run, actor_id=uuid.uuid4(), store=store, today=today)


class TestImportContributions:
    async def test_a_valid_file_is_staged_written_and_committed(self):
        store = FakeImportStore()
        report = await run(store)
        assert [row[2] for row in store.staged] == ["C-1"]
        assert store.calls == ["begin", "problems", "write", "commit", "end"]
        assert report.import_id is not None and report.summary.created == 1 and report.sample == [{"line": 2}]

    async def test_a_dry_run_never_writes(self):
        store = FakeImportStore()
        report = await run(store, dry_run=True)
        assert store.calls == ["begin", "problems", "end"] and report.import_id is None

    async def test_a_file_with_nothing_new_writes_nothing(self):
        store = FakeImportStore(created=0)
        report = await run(store)
        assert "write" not in store.calls and report.import_id is None and report.summary.unchanged == 1

    async def test_format_problems_stop_before_the_database_passes(self):
        store = FakeImportStore()
        with pytest.raises(InvalidImport) as error:
            await run(store, data=FILE.replace(b"capital", b"gift"))
        assert (error.value.pass_name, error.value.count) == ("format", 1)
        assert store.calls == ["begin", "end"]

    async def test_the_first_failing_database_pass_is_raised(self):
        problem = CsvProblem(2, 2, "member_email", "unknown_member", "No member has the email a@b.coop.")
        store = FakeImportStore(problems=("references", [problem], 1))
        with pytest.raises(InvalidImport) as error:
            await run(store)
        assert (error.value.pass_name, error.value.problems, error.value.message) == (
            "references",
            [problem],
            "1 problem in the references pass; nothing was written.",
        )
        assert "write" not in store.calls

    async def test_live_intake_rules_are_business_problems_before_reconciliation(self):
        reconciliation = CsvProblem(2, 1, "reference", "duplicate_reference", "reference C-1 already appears.")
        store = FakeImportStore(problems=("reconciliation", [reconciliation], 1))
        store.dated = [DatedRow(2, date(2026, 1, 2), date(2026, 1, 3))]
        with pytest.raises(InvalidImport) as error:
            await run(store, today=date(2026, 2, 1))
        assert error.value.pass_name == "business"
        assert [(p.line, p.column, p.code) for p in error.value.problems] == [(2, 5, "contributed_before_joining")]

    async def test_they_join_the_business_problems_the_database_found(self):
        business = CsvProblem(2, 6, "amount", "non_positive_amount", "amount must be more than 0.")
        store = FakeImportStore(problems=("business", [business], 1))
        store.dated = [DatedRow(2, date(2026, 1, 2), None)]
        with pytest.raises(InvalidImport) as error:
            await run(store, today=date(2026, 1, 1))
        assert error.value.count == 2
        assert [p.code for p in error.value.problems] == ["contributed_in_future", "non_positive_amount"]

    async def test_reference_problems_come_first_and_alone(self):
        problem = CsvProblem(2, 2, "member_email", "unknown_member", "No member has the email a@b.coop.")
        store = FakeImportStore(problems=("references", [problem], 1))
        store.dated = [DatedRow(2, date(2026, 1, 2), None)]
        with pytest.raises(InvalidImport) as error:
            await run(store, today=date(2026, 1, 1))
        assert (error.value.pass_name, error.value.count) == ("references", 1)
