"""Issue 20's pictures on their own: escaping, zero, negative, a single point, hundreds of members, and a text
alternative that lists the figures the picture shows."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from habitat_gateway.chart_data import (
    TOP_MEMBERS,
    allocation_by_member,
    capital_over_time,
    intake_progress,
    member_share,
    patronage_by_type,
    review_ages,
)
from habitat_gateway.charts import bar_chart, line_chart, progress_chart, top_and_others

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart) -> ET.Element:
    """The SVG as XML: it must be well-formed whatever the labels held."""
    return ET.fromstring(str(chart.svg))


def bar_titles(root: ET.Element) -> list[str]:
    return [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")]


def bar_widths(root: ET.Element) -> list[Decimal]:
    return [Decimal(rect.get("width")) for rect in root.iter(f"{SVG}rect") if "chart-bar" in rect.get("class")]


class TestAccessibleMarkup:
    def test_an_svg_is_an_image_named_by_its_title_and_described_by_its_summary(self) -> None:
        chart = bar_chart("c1", "Patronage", [("labor", Decimal("10.00"))])
        root = parse(chart)
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == "c1-title c1-desc"
        assert root.find(f"{SVG}title").get("id") == "c1-title" and root.find(f"{SVG}title").text == "Patronage"
        assert root.find(f"{SVG}desc").get("id") == "c1-desc" and root.find(f"{SVG}desc").text == chart.summary

    def test_a_name_with_markup_is_text_not_markup(self) -> None:
        name = '<script>alert("x")</script> & Co'
        chart = allocation_by_member([{"member_id": "m1", "display_name": name, "allocation": "5.00"}])
        assert "<script>" not in str(chart.svg)
        root = parse(chart)
        assert bar_titles(root) == [f"{name}: 5.00"]
        assert chart.rows == ((name, "5.00"),)  # the template escapes the table's cells
        title = line_chart("l<1>", "A & B", [(name, [(date(2026, 1, 1), Decimal(1))])])
        assert parse(title).find(f"{SVG}title").text == "A & B"


class TestScaling:
    def test_all_zero_draws_empty_bars_on_the_axis(self) -> None:
        root = parse(bar_chart("z", "Zero", [("a", Decimal(0)), ("b", Decimal(0))]))
        assert bar_widths(root) == [Decimal(0), Decimal(0)]

    def test_a_loss_extends_left_of_the_zero_axis_and_a_gain_right(self) -> None:
        root = parse(bar_chart("n", "Mixed", [("gain", Decimal(100)), ("loss", Decimal(-300))]))
        axis = Decimal(next(root.iter(f"{SVG}line")).get("x1"))
        gain, loss = [rect for rect in root.iter(f"{SVG}rect")]
        assert Decimal(gain.get("x")) == axis and Decimal(loss.get("x")) + Decimal(loss.get("width")) == axis
        assert Decimal(loss.get("width")) == 3 * Decimal(gain.get("width"))
        assert "negative" in loss.get("class") and "negative" not in gain.get("class")

    def test_a_single_point_is_drawn_as_a_mark_in_the_middle(self) -> None:
        chart = line_chart("one", "One", [("Book", [(date(2026, 3, 1), Decimal("42.00"))])])
        root = parse(chart)
        assert list(root.iter(f"{SVG}polyline")) == []
        (mark,) = root.iter(f"{SVG}circle")
        assert Decimal(mark.get("cx")) > 0 and mark.find(f"{SVG}title").text == "Book 2026-03-01: 42.00"
        assert chart.rows == (("2026-03-01", "42.00"),)

    def test_a_balance_holds_until_its_next_date_and_the_last_until_today(self) -> None:
        points = [(date(2026, 1, 1), Decimal("100.00")), (date(2026, 1, 11), Decimal("300.00"))]
        root = parse(line_chart("steps", "Capital", [("Book", points)], through=date(2026, 1, 21)))
        (line,) = root.iter(f"{SVG}polyline")
        corners = [tuple(Decimal(n) for n in pair.split(",")) for pair in line.get("points").split()]
        (x0, y100), (x1, y100_again), (x1_again, y300), (x2, y300_again) = corners
        assert (y100, x1, y300) == (y100_again, x1_again, y300_again)  # flat, then up at the second date, flat
        assert x0 < x1 < x2 and x1 - x0 == x2 - x1  # ten days each
        assert y300 < y100
        labels = [t.text for t in root.iter(f"{SVG}text")]
        assert "2026-01-21" in labels  # the axis runs to today
        one = parse(line_chart("one", "One", [("Book", points[:1])], through=date(2026, 2, 1)))
        assert len(list(one.iter(f"{SVG}polyline"))) == 1  # a single transaction still draws its line to today
        earlier = parse(line_chart("x", "X", [("Book", points)], through=date(2025, 12, 1)))
        assert len(next(earlier.iter(f"{SVG}polyline")).get("points").split()) == 3  # `through` before: ignored

    def test_negative_capital_falls_below_the_zero_line(self) -> None:
        points = [(date(2026, 1, 1), Decimal("100.00")), (date(2026, 2, 1), Decimal("-50.00"))]
        root = parse(line_chart("neg", "Capital", [("Book", points)]))
        zero_y = Decimal(next(root.iter(f"{SVG}line")).get("y1"))
        above, below = [Decimal(c.get("cy")) for c in root.iter(f"{SVG}circle")]
        assert above < zero_y < below  # SVG's y grows downwards

    def test_hundreds_of_members_show_the_largest_and_one_bar_for_the_others(self) -> None:
        rows = [{"member_id": f"m{i}", "display_name": f"Member {i}", "allocation": f"{i}.00"} for i in range(1, 301)]
        chart = allocation_by_member(rows)
        assert len(chart.rows) == TOP_MEMBERS
        assert chart.rows[0] == ("Member 300", "300.00")
        others = sum(range(1, 301 - (TOP_MEMBERS - 1)))
        assert chart.rows[-1] == (f"{300 - (TOP_MEMBERS - 1)} other members", f"{others:,}.00")
        assert len(list(parse(chart).iter(f"{SVG}rect"))) == TOP_MEMBERS
        assert chart.summary.startswith("300 members, 45,150.00 in all;")

    def test_top_and_others_keeps_a_short_list_whole(self) -> None:
        bars = [("a", Decimal(1)), ("b", Decimal(-5))]
        assert top_and_others(bars, 3) == [("b", Decimal(-5)), ("a", Decimal(1))]

    def test_progress_is_clamped_to_its_track(self) -> None:
        root = parse(
            progress_chart(
                "p", "P", [("over", Decimal(15), Decimal(10), "15 of 10"), ("none", Decimal(0), Decimal(0), "0 of 0")]
            )
        )
        track, full, _, empty = root.iter(f"{SVG}rect")
        assert full.get("width") == track.get("width") and Decimal(empty.get("width")) == 0


class TestTextAlternative:
    def test_the_table_lists_the_figures_the_bars_show(self) -> None:
        period = {"period_id": "p2", "name": "2026-Q2", "starts_on": "2026-04-01", "ends_on": "2026-06-30"}
        chart = patronage_by_type(
            {
                "period": period,
                "approved": {
                    "labor": {"count": 2, "value": "130.00"},
                    "capital": {"count": 1, "value": "1000.00"},
                    "property": {"count": 0, "value": "0.00"},
                },
                "awaiting_review": {"property": {"count": 1, "value": "7.00"}},
            }
        )
        assert chart.rows == (("capital", "1,000.00"), ("labor", "130.00"), ("property", "0.00"))
        assert bar_titles(parse(chart)) == [f"{label}: {figure}" for label, figure in chart.rows]
        assert chart.summary == (
            "Approved value by type in 2026-Q2: capital 1,000.00; labor 130.00; property 0.00. "
            "1 contribution awaiting review."
        )

    def test_the_table_lists_every_point_of_every_line(self) -> None:
        lines = [
            {"date": "2026-01-05", "book_balance": "100.00", "tax_balance": "80.00"},
            {"date": "2026-01-05", "book_balance": "150.00", "tax_balance": "90.00"},  # the day's closing balance
            {"date": "2026-02-01", "book_balance": "-20.00", "tax_balance": "0.00"},
        ]
        chart = capital_over_time(lines)
        assert chart.columns == ("Date", "Book capital", "Tax capital")
        assert chart.rows == (("2026-01-05", "150.00", "90.00"), ("2026-02-01", "-20.00", "0.00"))
        marks = [c.find(f"{SVG}title").text for c in parse(chart).iter(f"{SVG}circle")]
        from_table = [
            f"{name} {row[0]}: {row[i]}" for i, name in ((1, "Book capital"), (2, "Tax capital")) for row in chart.rows
        ]
        assert marks == from_table
        assert "Book capital: 150.00 on 2026-01-05 to -20.00 on 2026-02-01" in chart.summary

    def test_nothing_booked_says_so(self) -> None:
        chart = capital_over_time([])
        assert chart.rows == () and chart.summary == "Nothing booked yet."
        parse(chart)
        assert patronage_by_type({"period": None, "approved": {}, "awaiting_review": {}}) is None

    def test_review_ages_count_pending_contributions_by_how_long_they_waited(self) -> None:
        now = datetime(2026, 6, 10, 12, tzinfo=UTC)
        waited = [timedelta(hours=h) for h in (1, 23, 30, 100, 500, 600)]
        chart = review_ages([{"submitted_at": (now - w).isoformat()} for w in waited], now)
        assert chart.rows == (
            ("under 24 hours", "2"),
            ("24 to 48 hours", "1"),
            ("2 to 7 days", "1"),
            ("over 7 days", "2"),
        )
        assert bar_titles(parse(chart)) == [f"{label}: {figure}" for label, figure in chart.rows]

    def test_intake_progress_counts_members_and_the_days_of_the_period(self) -> None:
        figures = {"members_with_submissions": 3, "active_members": 12}
        period = {"starts_on": "2026-01-01", "ends_on": "2026-01-31"}
        chart = intake_progress(figures, period, date(2026, 1, 10))
        assert chart.rows == (
            ("Members submitted", "3 of 12 members"),
            ("Period to 2026-01-31", "10 of 31 days"),
        )
        assert bar_widths(parse(chart)) == [Decimal("82.5"), Decimal("106.5")]  # 3/12 and 10/31 of a 330 track
        assert chart.summary == "Members submitted: 3 of 12 members; Period to 2026-01-31: 10 of 31 days."

    def test_a_members_share_of_a_loss_fills_its_part_of_the_track(self) -> None:
        draft = {"allocated_total": "-400.00", "rows": [{"member_id": "m1", "allocation": "-100.00", "share": "0.25"}]}
        chart = member_share(draft, "m1")
        assert chart.rows == (("Your share", "25.00%: -100.00 of -400.00"),)
        assert bar_widths(parse(chart)) == [Decimal("82.5")]  # a quarter of the 330 track
        assert member_share(draft, "m2") is None
