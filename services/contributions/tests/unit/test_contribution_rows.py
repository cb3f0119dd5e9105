import uuid

import pytest

from habitat_contributions.domain.contribution_rows import (
    IMPORT_NAMESPACE,
    STAGED,
    contribution_id_for,
)
from habitat_contributions.domain.import_problems import ProblemLog
from habitat_contributions.service_layer.contribution_file import ContributionFile

HEADER = (
    "reference,member_email,period,type,contributed_on,description,hours,rate,amount,"
    "fair_market_value,adjusted_basis,status,approver_email,decided_at,corrects_reference"
)
LABOR = "H-1,Ana@Example.coop,2026-Q1,labor,2026-02-10,Fixed   the\tpump,7.5,100,,,,approved,sam@example.coop,2026-02-11 09:30,"


def parse(text: str, chunk: int = 50) -> tuple[list[dict], ProblemLog, ContributionFile]:
    log = ProblemLog()
    file = ContributionFile(log)
    data = text.encode()
    staged = []
    for start in range(0, len(data), chunk):
        staged.extend(file.feed(data[start : start + chunk]))
    staged.extend(file.close())
    return [dict(zip(STAGED, row, strict=True)) for row in staged], log, file


def problems(log: ProblemLog) -> list[tuple]:
    return [(p.line, p.column, p.field, p.code) for p in log.listed]


class TestContributionId:
    @pytest.mark.parametrize("reference", ["H-1", "2025/Q4 #17", "Ünïcode réf", "x" * 100])
    def test_is_uuid5_of_the_reference_in_the_import_namespace(self, reference):
        assert uuid.UUID(contribution_id_for(reference)) == uuid.uuid5(IMPORT_NAMESPACE, reference)


class TestHeader:
    def test_names_are_matched_trimmed_case_insensitive_in_any_order(self):
        text = " Status ,REFERENCE,type,member_email,period,contributed_on,amount\npending,C-1,capital,a@b.coop,Q1,2026-01-05,10\n"
        [row], log, _ = parse(text)
        assert not log and (row["reference"], row["status"], row["amount"]) == ("C-1", "pending", "10")
        assert row["description"] == "Imported contribution" and row["hours"] == ""

    def test_unknown_repeated_and_missing_columns_are_all_reported_on_line_1(self):
        _, log, file = parse("reference,member_email,colour,type,type,contributed_on\n")
        assert file.header is None
        assert problems(log) == [
            (1, 3, "colour", "unknown_column"),
            (1, 5, "type", "duplicate_column"),
            (1, 1, "period", "missing_column"),
            (1, 1, "status", "missing_column"),
        ]

    def test_an_empty_file_is_one_problem_on_line_1(self):
        _, log, _ = parse("\n\n")
        assert problems(log) == [(1, 1, "", "empty_file")]

    def test_a_header_without_rows_is_valid_and_empty(self):
        rows, log, file = parse(HEADER + "\n")
        assert rows == [] and not log and file.rows == 0


class TestRows:
    def test_values_are_cleaned_for_staging(self):
        [row], log, file = parse(f"{HEADER}\n{LABOR}\n")
        assert not log and file.rows == 1
        assert row == {
            "line": "2",
            "id": contribution_id_for("H-1"),
            "reference": "H-1",
            "member_email": "ana@example.coop",
            "period": "2026-Q1",
            "type": "labor",
            "contributed_on": "2026-02-10",
            "description": "Fixed the pump",
            "hours": "7.5",
            "rate": "100",
            "amount": "",
            "fair_market_value": "",
            "adjusted_basis": "",
            "status": "approved",
            "approver_email": "sam@example.coop",
            "decided_at": "2026-02-11T09:30:00+00:00",  # naive means UTC
            "corrects_reference": "",
            "value": "750.00",  # 7.5 h x 100, by the valuation rules
            "book_amount": "0.00",
            "tax_amount": "0.00",
            "approvals_required": "1",
        }

    def test_offsets_are_kept_and_blank_lines_skipped_but_counted(self):
        other = LABOR.replace("H-1", "H-2").replace("2026-02-11 09:30", "2026-02-11T09:30:00-07:00")
        rows, log, file = parse(f"{HEADER}\n\n{LABOR}\n,,,,,,,,,,,,,,\n{other}\n")
        assert not log and file.rows == 2
        assert [(r["line"], r["decided_at"]) for r in rows] == [
            ("3", "2026-02-11T09:30:00+00:00"),
            ("5", "2026-02-11T09:30:00-07:00"),
        ]

    def test_every_format_problem_is_reported_with_line_and_column(self):
        bad = [
            "H-2,not-an-email,2026-Q1,work,2026-02-30,,1.234,abc,,,,maybe,,yesterday,",
            ",ana@example.coop,2026-Q1,capital,2026/02/01,,,,99999999999999,,,pending,,,",
            "H-4,ana@example.coop,,labor,2026-02-01,,1000,100,,,,approved,sam@,2026-02-01T10:00:00Z,",
            "H-5,ana@example.coop,2026-Q1,labor,2026-02-01",
        ]
        rows, log, file = parse("\n".join([HEADER, LABOR, *bad]) + "\n", chunk=7)
        assert [r["line"] for r in rows] == ["2"]  # staged before the first problem; never written after it
        assert file.rows == 5 and log.count == len(log.listed) == 14
        assert problems(log) == [
            (3, 2, "member_email", "invalid_email"),
            (3, 4, "type", "invalid_type"),
            (3, 5, "contributed_on", "invalid_date"),
            (3, 7, "hours", "too_many_decimals"),
            (3, 8, "rate", "invalid_number"),
            (3, 12, "status", "invalid_status"),
            (3, 14, "decided_at", "invalid_datetime"),
            (4, 1, "reference", "missing_value"),
            (4, 5, "contributed_on", "invalid_date"),
            (4, 9, "amount", "number_too_large"),
            (5, 3, "period", "missing_value"),
            (5, 7, "hours", "number_too_large"),
            (5, 13, "approver_email", "invalid_email"),
            (6, 6, "", "wrong_field_count"),
        ]

    def test_reference_and_description_lengths_are_limited(self):
        long_reference = LABOR.replace("H-1", "R" * 101)
        long_description = LABOR.replace("Fixed   the\tpump", "word " * 500)
        _, log, _ = parse(f"{HEADER}\n{long_reference}\n{long_description}\n")
        assert problems(log) == [(2, 1, "reference", "value_too_long"), (3, 6, "description", "value_too_long")]

    def test_only_the_first_200_problems_are_kept_but_all_are_counted(self):
        bad = "\n".join(LABOR.replace("labor", "work").replace("H-1", f"H-{n}") for n in range(250))
        _, log, _ = parse(f"{HEADER}\n{bad}\n", chunk=4096)
        assert log.count == 250 and len(log.listed) == 200 and log.listed[-1].line == 201

    def test_no_rows_are_staged_after_a_problem_but_later_ones_are_still_checked(self):
        rows, log, _ = parse(f"{HEADER}\n{LABOR.replace('labor', 'work')}\n{LABOR}\n" + LABOR.replace("2026-Q1", ""))
        assert rows == [] and problems(log) == [(2, 4, "type", "invalid_type"), (4, 3, "period", "missing_value")]



def malformed(reference: str) -> str:
    """LABOR under another reference, with text after its closing quote: not valid CSV."""
    return LABOR.replace("H-1", f'"{reference}"x')


class TestMalformedRecords:
    """A record that is not valid CSV is one more format problem (line it starts on, column 1); reading goes on."""

    @pytest.mark.parametrize("chunk", [7, 50, 100_000])
    def test_every_malformed_record_is_reported_in_line_order_with_the_field_problems(self, chunk):
        two_lines = LABOR.replace("H-1", "H-4").replace("Fixed   the\tpump", '"Fixed\nthe" pump')
        text = "\n".join([HEADER, LABOR, malformed("H-2"), LABOR.replace("labor", "work"), two_lines, LABOR])
        rows, log, file = parse(text + "\n", chunk)
        assert [r["line"] for r in rows] in (["2"], [])  # staged only in a batch before the first problem
        assert problems(log) == [(3, 1, "", "malformed_csv"), (4, 4, "type", "invalid_type"), (5, 1, "", "malformed_csv")]
        assert log.listed[0].message.startswith("The file is not valid CSV: ") and file.rows == 5

    def test_thousands_of_malformed_records_are_all_counted_but_200_listed(self):
        bad = "\n".join(malformed(f"H-{n}") for n in range(5000))
        rows, log, _ = parse(f"{HEADER}\n{bad}\n", chunk=65536)
        assert rows == [] and (log.count, len(log.listed)) == (5000, 200)
        assert [p.line for p in log.listed] == list(range(2, 202))

    def test_a_header_that_is_not_valid_csv_is_the_only_problem(self):
        rows, log, file = parse('"reference"x,member_email\n' + LABOR.replace("labor", "work") + "\n")
        assert rows == [] and file.header is None and problems(log) == [(1, 1, "", "malformed_csv")]

    def test_an_unreadable_part_still_stops_the_reading_after_the_problems_before_it(self):
        text = "\n".join([HEADER, malformed("H-2"), LABOR.replace("labor", "work"), "\x00", malformed("H-3")])
        rows, log, _ = parse(text + "\n", chunk=1)  # the chunk holding the NUL holds no record
        assert rows == [] and [p[3] for p in problems(log)] == ["malformed_csv", "invalid_type", "invalid_character"]
