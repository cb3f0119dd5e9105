from dataclasses import astuple

from habitat_common.contracts import ImportedContribution
from habitat_contributions.adapters.contribution_import import _resolved, _ResolvedRecords, copy_text
from habitat_contributions.adapters.import_write_sql import IMPORTED_CONTRIBUTION
from habitat_contributions.domain.contribution_rows import STAGED
from habitat_contributions.domain.import_passes import PASSES


def row(*first: str) -> tuple[str, ...]:
    return (*first, *[""] * (len(STAGED) - len(first)))


class TestCopyText:
    def test_plain_rows_are_tab_separated_lines_with_empty_for_null(self):
        tabs = len(STAGED) - 1
        assert copy_text([row("2", "abc"), row("3")]) == "2\tabc" + "\t" * (tabs - 1) + "\n3" + "\t" * tabs + "\n"

    def test_special_characters_are_escaped(self):
        text = copy_text([row("2", "a\\b", "tab\there", "two\nlines", "cr\rhere"), row("3", "plain")])
        first, second, _ = text.split("\n")
        assert first.split("\t")[:5] == ["2", "a\\\\b", "tab\\there", "two\\nlines", "cr\\rhere"]
        assert second.split("\t")[:2] == ["3", "plain"]


class TestSql:
    def test_the_event_rows_carry_exactly_the_contract_fields(self):
        assert set(IMPORTED_CONTRIBUTION) == set(ImportedContribution.model_fields)

    def test_passes_run_in_the_documented_order(self):
        assert PASSES == ("references", "business", "reconciliation")


class TestResolvedRecords:
    def test_rows_are_made_from_their_records_whichever_way_they_are_read(self):
        # a record as RESOLVED_ROWS returns it for a new row: its values, then NULL target, totals, description
        # and stored values
        records = [(line, f"C-{line}", "a@b.coop", "Q1", "capital", None, None, None, None, None, None, "approved",
                    None, None, None, None, *[None] * 20) for line in (2, 3, 4)]  # fmt: skip
        rows = _ResolvedRecords(records)
        made = [astuple(_resolved(record)) for record in records]
        assert len(rows) == 3 and [astuple(row) for row in rows] == made
        assert (astuple(rows[0]), astuple(rows[-1]), [astuple(row) for row in rows[1:]]) == (made[0], made[2], made[1:])
