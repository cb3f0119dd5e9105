from habitat_common.contracts import ImportedContribution
from habitat_contributions.adapters.contribution_import import copy_text
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
