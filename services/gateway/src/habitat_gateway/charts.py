"""Server-rendered SVG charts (no script, no CDN): bars, progress and lines over dates.

Each chart is returned with its text alternative: the SVG carries role="img" with a <title> and a <desc>
(the summary sentence), and `rows` list the same figures the picture shows, for a table under it. Every
text is escaped; coordinates are computed in Decimal and only formatted, never money rounded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 640
ROW = 24  # height of one bar or progress row
LABEL_WIDTH = 200
VALUE_WIDTH = 110
LINE_HEIGHT = 220
LINE_PAD = (12, 16, 34, 84)  # top, right, bottom, left (the left holds the amount labels)
MARKED_POINTS = 60  # beyond this a line marks only its last point; the table still lists every one
COLORS = ("#2563eb", "#d97706", "#059669", "#7c3aed")


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def count(value: Decimal) -> str:
    return f"{value:,}"


@dataclass(frozen=True)
class Chart:
    """An SVG picture and its text alternative (a summary sentence and a table of the same figures)."""

    chart_id: str
    title: str
    svg: Markup
    summary: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _svg(chart_id: str, title: str, summary: str, height: int, body: list[str]) -> Markup:
    cid = escape(chart_id)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}"'
        f' aria-labelledby="{cid}-title {cid}-desc" id="{cid}-svg">'
        f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(summary)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _n(value: Decimal) -> str:
    """A coordinate: one decimal is plenty at this size."""
    return f"{value:.1f}"


def _truncate(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def top_and_others(bars: Sequence[tuple[str, Decimal]], top: int, others: str = "others") -> list[tuple[str, Decimal]]:
    """The `top` largest bars (by size, largest first) and one bar summing the rest, named '<k> <others>'."""
    ranked = sorted(bars, key=lambda bar: abs(bar[1]), reverse=True)
    if len(ranked) <= top:
        return ranked
    rest = ranked[top - 1 :]
    return [*ranked[: top - 1], (f"{len(rest)} {others}", sum((value for _, value in rest), Decimal(0)))]


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[tuple[str, Decimal]],
    *,
    columns: tuple[str, str] = ("Item", "Amount"),
    fmt: Callable[[Decimal], str] = money,
    summary: str | None = None,
) -> Chart:
    """Horizontal bars from a zero axis: negative values (a loss) extend left of it, positive ones right."""
    values = [value for _, value in bars]
    low, high = min([Decimal(0), *values]), max([Decimal(0), *values])
    span = (high - low) or Decimal(1)
    area = Decimal(WIDTH - LABEL_WIDTH - VALUE_WIDTH)
    zero = LABEL_WIDTH + area * (-low) / span
    height = max(len(bars), 1) * ROW + 8
    body = []
    for index, (label, value) in enumerate(bars):
        y = index * ROW + 4
        end = LABEL_WIDTH + area * (value - low) / span
        left, width = min(zero, end), abs(end - zero)
        figure = fmt(value)
        tone = "chart-bar negative" if value < 0 else "chart-bar"
        body.append(
            f"<g><title>{escape(label)}: {escape(figure)}</title>"
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" class="chart-label">{escape(_truncate(label))}</text>'
            f'<rect class="{tone}" x="{_n(left)}" y="{y + 3}" width="{_n(width)}" height="{ROW - 8}"/>'
            f'<text x="{WIDTH - 4}" y="{y + 15}" text-anchor="end" class="chart-value">{escape(figure)}</text></g>'
        )
    body.append(f'<line class="chart-axis" x1="{_n(zero)}" x2="{_n(zero)}" y1="2" y2="{height - 2}"/>')
    if summary is None:
        summary = "; ".join(f"{label} {fmt(value)}" for label, value in bars) + "." if bars else "Nothing yet."
    rows = tuple((label, fmt(value)) for label, value in bars)
    return Chart(chart_id, title, _svg(chart_id, title, summary, height, body), summary, columns, rows)


def progress_chart(chart_id: str, title: str, parts: Sequence[tuple[str, Decimal, Decimal, str]]) -> Chart:
    """One track per (label, done, total, figure): filled by done/total (a share of a loss too), clamped."""
    area = Decimal(WIDTH - LABEL_WIDTH - VALUE_WIDTH)
    body = []
    for index, (label, done, total, figure) in enumerate(parts):
        y = index * ROW + 4
        fraction = min(max(done / total, Decimal(0)), Decimal(1)) if total else Decimal(0)
        body.append(
            f"<g><title>{escape(label)}: {escape(figure)}</title>"
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" class="chart-label">{escape(label)}</text>'
            f'<rect class="chart-track" x="{LABEL_WIDTH}" y="{y + 3}" width="{_n(area)}" height="{ROW - 8}"/>'
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y + 3}" width="{_n(area * fraction)}" height="{ROW - 8}"/>'
            f'<text x="{WIDTH - 4}" y="{y + 15}" text-anchor="end" class="chart-value">{escape(figure)}</text></g>'
        )
    summary = "; ".join(f"{label}: {figure}" for label, _, _, figure in parts) + "." if parts else "Nothing yet."
    rows = tuple((label, figure) for label, _, _, figure in parts)
    height = max(len(parts), 1) * ROW + 8
    return Chart(chart_id, title, _svg(chart_id, title, summary, height, body), summary, ("Measure", "Progress"), rows)


def _steps(points: Sequence[tuple[date, Decimal]], end: date | None) -> list[tuple[date, Decimal]]:
    """The corners of a balance held from each point to the next, and from the last to end."""
    corners: list[tuple[date, Decimal]] = []
    for index, (day, value) in enumerate(points):
        if index:
            corners.append((day, points[index - 1][1]))
        corners.append((day, value))
    if points and end and end > points[-1][0]:
        corners.append((end, points[-1][1]))
    return corners


def line_chart(
    chart_id: str,
    title: str,
    series: Sequence[tuple[str, Sequence[tuple[date, Decimal]]]],
    *,
    fmt: Callable[[Decimal], str] = money,
    through: date | None = None,
) -> Chart:
    """Balances over dates sharing one amount axis that always includes zero (negative balances fall below it):
    each holds until its next date (a step), and the last until `through` when that is later (today).

    The table has a row per date and a column per series (blank where a series has no point that day)."""
    top, right, bottom, left = LINE_PAD
    dates = sorted({day for _, points in series for day, _ in points})
    end = max(dates[-1], through) if dates and through else (dates[-1] if dates else None)
    values = [value for _, points in series for _, value in points]
    low, high = min([Decimal(0), *values]), max([Decimal(0), *values])
    span = (high - low) or Decimal(1)
    plot_w, plot_h = Decimal(WIDTH - left - right), Decimal(LINE_HEIGHT - top - bottom)
    first = dates[0].toordinal() if dates else 0
    days = (end.toordinal() - first) if end else 0

    def x(day: date) -> Decimal:
        return left + (plot_w / 2 if days == 0 else plot_w * (day.toordinal() - first) / days)

    def y(value: Decimal) -> Decimal:
        return top + plot_h * (high - value) / span

    body = [
        f'<line class="chart-axis" x1="{left}" x2="{WIDTH - right}" y1="{_n(y(Decimal(0)))}" y2="{_n(y(Decimal(0)))}"/>'
    ]
    for mark in sorted({high, Decimal(0), low}):
        body.append(
            f'<text x="{left - 6}" y="{_n(y(mark) + 4)}" text-anchor="end" class="chart-value">{escape(fmt(mark))}</text>'
        )
    if dates:
        body.append(f'<text x="{left}" y="{LINE_HEIGHT - 10}" class="chart-label">{dates[0].isoformat()}</text>')
        if days:
            body.append(
                f'<text x="{WIDTH - right}" y="{LINE_HEIGHT - 10}" text-anchor="end" class="chart-label">'
                f"{end.isoformat()}</text>"
            )
    for index, (name, points) in enumerate(series):
        color = COLORS[index % len(COLORS)]
        corners = _steps(points, end)
        coords = " ".join(f"{_n(x(day))},{_n(y(value))}" for day, value in corners)
        body.append(f'<g class="chart-series"><title>{escape(name)}</title>')
        if len(corners) > 1:
            # every other series dashed: where two coincide (book = tax) both still show
            dash = ' stroke-dasharray="6 4"' if index % 2 else ""
            body.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="{coords}"/>')
        marked = points if len(points) <= MARKED_POINTS else points[-1:]
        for day, value in marked:
            body.append(
                f'<circle cx="{_n(x(day))}" cy="{_n(y(value))}" r="3" fill="{color}">'
                f"<title>{escape(name)} {day.isoformat()}: {escape(fmt(value))}</title></circle>"
            )
        body.append(
            f'<text x="{left + 140 + index * 150}" y="{LINE_HEIGHT - 10}" class="chart-label">'
            f'<tspan fill="{color}">■</tspan> {escape(name)}</text></g>'
        )
    by_day: dict[date, list[str]] = {day: [""] * len(series) for day in dates}
    for index, (_, points) in enumerate(series):
        for day, value in points:
            by_day[day][index] = fmt(value)
    rows = tuple((day.isoformat(), *figures) for day, figures in by_day.items())
    summary = _line_summary(series, fmt)
    columns = ("Date", *(name for name, _ in series))
    return Chart(chart_id, title, _svg(chart_id, title, summary, LINE_HEIGHT, body), summary, columns, rows)


def _line_summary(series: Sequence[tuple[str, Sequence[tuple[date, Decimal]]]], fmt: Callable[[Decimal], str]) -> str:
    sentences = []
    for name, points in series:
        if not points:
            continue
        (start_day, start), (end_day, end) = points[0], points[-1]
        if len(points) == 1:
            sentences.append(f"{name}: {fmt(end)} on {end_day.isoformat()}.")
            continue
        low = min(points, key=lambda point: point[1])
        high = max(points, key=lambda point: point[1])
        sentences.append(
            f"{name}: {fmt(start)} on {start_day.isoformat()} to {fmt(end)} on {end_day.isoformat()}"
            f" (lowest {fmt(low[1])}, highest {fmt(high[1])})."
        )
    return " ".join(sentences) or "Nothing booked yet."
