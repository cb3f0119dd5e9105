from datetime import date

import pytest
from habitat_identity.adapters.emails import check_email
from habitat_identity.domain.roster import RosterRow
from habitat_identity.service_layer.roster_file import parse_roster

HEADER = "email,display_name,role,joined_at\n"


def errors_of(text: str | bytes) -> list[tuple[int, int, str]]:
    data = text.encode() if isinstance(text, str) else text
    _, errors = parse_roster(data, check_email)
    return [(e.line, e.column, e.code) for e in errors]


class TestParseRoster:
    def test_valid_file_with_bom_crlf_mixed_case_header_and_optional_date(self):
        data = "\ufeff Email , Display_Name,ROLE,joined_at\r\nAda@Example.org,Ada King,Steward,2026-01-05\r\nb@example.org,Bo,member,\r\n\r\n"
        rows, errors = parse_roster(data.encode(), check_email)
        assert errors == []
        assert rows == [
            RosterRow(2, "ada@example.org", "Ada King", "steward", date(2026, 1, 5)),
            RosterRow(3, "b@example.org", "Bo", "member", None),
        ]

    def test_three_column_header_is_accepted(self):
        rows, errors = parse_roster(b"email,display_name,role\na@example.org,A Person,admin\n", check_email)
        assert errors == [] and rows[0].joined_at is None

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("", [(1, 1, "empty_file")]),
            ("\n\n", [(1, 1, "empty_file")]),
            ("mail,name,role\n", [(1, 1, "bad_header")]),
            ("email,display_name,role,joined_at,extra\n", [(1, 1, "bad_header")]),
            (HEADER + "not-an-email,A,member,\n", [(2, 1, "invalid_email")]),
            (HEADER + "a@example.org,,member,\n", [(2, 2, "empty_display_name")]),
            (HEADER + "a@example.org,A,boss,\n", [(2, 3, "unknown_role")]),
            (HEADER + "a@example.org,A,member,05/01/2026\n", [(2, 4, "invalid_date")]),
            (HEADER + "a@example.org,A\n", [(2, 3, "wrong_column_count")]),
            (HEADER + "a@example.org,A,member,2026-01-01,x\n", [(2, 5, "wrong_column_count")]),
            (
                HEADER + "a@example.org,A,member,\nb@example.org,B,member,\nA@EXAMPLE.org,A2,admin,\n",
                [(2, 1, "duplicate_email"), (4, 1, "duplicate_email")],
            ),
            (HEADER + 'a@example.org,"A unclosed,member,\n', [(2, 1, "malformed_csv")]),
            (
                HEADER + "bad,,boss,2026-13-01\nok@example.org,Ok,member,\n",
                [(2, 1, "invalid_email"), (2, 2, "empty_display_name"), (2, 3, "unknown_role"), (2, 4, "invalid_date")],
            ),
        ],
    )
    def test_every_problem_is_reported_with_line_and_column(self, text, expected):
        assert errors_of(text) == expected

    def test_wrong_encoding_names_line_and_column_of_the_first_bad_byte(self):
        data = (HEADER + "a@example.org,A,member,\nb@example.org,Ren\xe9e,member,\n").encode("latin-1")
        rows, errors = parse_roster(data, check_email)
        [error] = errors
        assert (rows, error.line, error.column, error.code) == ([], 3, 2, "bad_encoding")
        assert "0xe9" in error.message and "line 3, column 2" in error.message

    def test_duplicate_message_names_both_lines(self):
        _, errors = parse_roster((HEADER + "a@example.org,A,member,\na@example.org,B,member,\n").encode(), check_email)
        assert all("lines 2, 3" in e.message for e in errors) and len(errors) == 2


class TestMalformedRecords:
    """A record that is not valid CSV is an error on the line it starts on, listed with the others; reading goes on."""

    def test_two_malformed_records_and_a_field_problem_between_them_are_all_reported(self):
        text = (
            HEADER
            + "a@example.org,A,member,\n"
            + '"b@example.org"x,B,member,\n'
            + "c@example.org,C,boss,\n"
            + 'd@example.org,"D\nsecond line"x,member,\n'
            + "e@example.org,E,member,\n"
        )
        rows, errors = parse_roster(text.encode(), check_email)
        assert [(e.line, e.column, e.code) for e in errors] == [
            (3, 1, "malformed_csv"),
            (4, 3, "unknown_role"),
            (5, 1, "malformed_csv"),  # the line the record starts on, not the one where csv gave up
        ]
        assert errors[0].message.startswith("The file is not valid CSV: ")
        assert [row.email for row in rows] == ["a@example.org", "e@example.org"]  # never used: errors were found

    def test_an_unclosed_quote_is_reported_where_the_record_starts(self):
        text = HEADER + 'a@example.org,"A unclosed,member,\nb@example.org,B,member,\nc@example.org,C,member,\n'
        assert errors_of(text) == [(2, 1, "malformed_csv")]

    def test_thousands_of_malformed_records_are_each_one_error(self):
        bad = "".join(f'"m{n}@example.org"x,M,member,\n' for n in range(5000))
        assert errors_of(HEADER + bad) == [(line, 1, "malformed_csv") for line in range(2, 5002)]

    def test_a_header_that_is_not_valid_csv_is_the_only_error(self):
        assert errors_of('"email"x,display_name,role\nbad,,boss\n') == [(1, 1, "malformed_csv")]

    def test_an_unreadable_file_is_still_the_only_error(self):
        assert errors_of(HEADER.encode() + b'"a@example.org"x,A,member,\nb@example.org,B\x00,member,\n') == [
            (3, 2, "invalid_character")
        ]
