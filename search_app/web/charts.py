"""Server-side SVG charts of outcome rates, with a text alternative in <title> and <desc>.

Charts are drawn as strings from escaped text and returned as Markup, so templates print
them without |safe. Colours are SVG presentation attributes (not inline styles), which
the Content-Security-Policy allows; static/stats.css may refine them by class.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from search_app.search.analytics import MIN_RANKED, Breakdown, MonthRow, RateRow, ReasonShares

CHART_WIDTH = 720
LABEL_WIDTH = 260
COUNT_WIDTH = 90
ROW_HEIGHT = 22
AXIS_HEIGHT = 24
MAX_BARS = 30  # longer breakdowns show their first rows; the table lists every value
MONTH_HEIGHT = 240
MONTH_MARGIN = 48
LABEL_CHARS = 34

BAR_FILL = "#2f5d8a"
SMALL_FILL = "#b9c7d6"
WHISKER = "#1a1a1a"
GRID = "#d8dde3"
LINE = "#a8431f"


def percent(value: float | None, digits: int = 0) -> str:
    """Format a proportion as a percentage; an em dash when there is none."""
    return "\u2014" if value is None else f"{100 * value:.{digits}f}%"


def _shorten(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _num(value: float) -> str:
    return f"{value:.1f}"


def _describe_rows(breakdown: Breakdown) -> str:
    ranked = [row for row in breakdown.rows if row.ranked]
    parts = [f"{len(breakdown.rows)} values."]
    if ranked and breakdown.dimension != "year":
        top = ranked[0]
        parts.append(
            f"Highest overturn rate among values with at least {MIN_RANKED} decisions: "
            f"{top.value}, {percent(top.rate)} of {top.decisions} "
            f"(95% interval {percent(top.low)} to {percent(top.high)})."
        )
    if breakdown.small_count:
        parts.append(
            f"{breakdown.small_count} values have fewer than {MIN_RANKED} decisions; "
            "they are drawn pale, marked with an asterisk and not ranked."
        )
    parts.append("The table below lists the same numbers.")
    return " ".join(parts)


def _rate_row(row: RateRow, y: float, plot: float) -> str:
    tip = (
        f"{row.value}: {row.overturned} of {row.decisions} overturned, {percent(row.rate, 1)} "
        f"(95% interval {percent(row.low, 1)} to {percent(row.high, 1)})"
    )
    right = f"{percent(row.rate)} of {row.decisions}"
    bar = (row.rate or 0.0, row.low, row.high)
    return _bar_row(row.value, bar, right, tip, y, plot, pale=not row.ranked)


def _bar_row(
    label: str,
    bar: tuple[float, float, float],
    right: str,
    tip: str,
    y: float,
    plot: float,
    pale: bool = False,
) -> str:
    """One labelled bar (a proportion) with its 95% interval whisker and a text at the right."""
    value, low, high = bar

    def x(share: float) -> float:
        return LABEL_WIDTH + share * plot

    mark = " *" if pale else ""
    fill = SMALL_FILL if pale else BAR_FILL
    mid = y + ROW_HEIGHT / 2
    return (
        f'<g class="row{" small" if pale else ""}"><title>{escape(tip)}</title>'
        f'<text x="{LABEL_WIDTH - 6}" y="{_num(mid + 4)}" text-anchor="end">'
        f"{escape(_shorten(label))}{mark}</text>"
        f'<rect x="{LABEL_WIDTH}" y="{_num(y + 4)}" width="{_num(value * plot)}" '
        f'height="{ROW_HEIGHT - 8}" fill="{fill}"/>'
        f'<line x1="{_num(x(low))}" x2="{_num(x(high))}" y1="{_num(mid)}" '
        f'y2="{_num(mid)}" stroke="{WHISKER}" stroke-width="1.5"/>'
        f'<line x1="{_num(x(low))}" x2="{_num(x(low))}" y1="{_num(mid - 5)}" '
        f'y2="{_num(mid + 5)}" stroke="{WHISKER}"/>'
        f'<line x1="{_num(x(high))}" x2="{_num(x(high))}" y1="{_num(mid - 5)}" '
        f'y2="{_num(mid + 5)}" stroke="{WHISKER}"/>'
        f'<text x="{CHART_WIDTH - COUNT_WIDTH + 8}" y="{_num(mid + 4)}">{escape(right)}</text></g>'
    )


def _frame(chart_id: str, width: int, height: int, title: str, desc: str, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="13">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>{body}</svg>'
    )


def rate_chart(breakdown: Breakdown, chart_id: str) -> Markup:
    """Draw horizontal overturn-rate bars with 95% interval whiskers, one row per value."""
    rows = breakdown.rows[:MAX_BARS]
    plot = CHART_WIDTH - LABEL_WIDTH - COUNT_WIDTH
    height = AXIS_HEIGHT + ROW_HEIGHT * max(1, len(rows)) + 6
    parts = _axis(plot, height)
    for i, row in enumerate(rows):
        parts.append(_rate_row(row, AXIS_HEIGHT + i * ROW_HEIGHT, plot))
    if not rows:
        parts.append(f'<text x="{LABEL_WIDTH}" y="{AXIS_HEIGHT + 15}">No decisions.</text>')
    desc = _describe_rows(breakdown)
    if len(breakdown.rows) > len(rows):
        desc += f" The chart shows the first {len(rows)}."
    title = f"Overturn rate by {breakdown.title.lower()}, with 95% intervals"
    return _frame(chart_id, CHART_WIDTH, height, title, desc, "".join(parts))


def _axis(plot: float, height: int) -> list[str]:
    parts = []
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = _num(LABEL_WIDTH + tick * plot)
        parts.append(
            f'<line x1="{x}" x2="{x}" y1="{AXIS_HEIGHT - 4}" y2="{height}" stroke="{GRID}"/>'
            f'<text x="{x}" y="{AXIS_HEIGHT - 8}" text-anchor="middle">{percent(tick)}</text>'
        )
    return parts


def share_chart(shares: ReasonShares, chart_id: str) -> Markup:
    """Draw each reason's share of one outcome's decisions, with 95% interval whiskers."""
    rows = shares.rows
    plot = CHART_WIDTH - LABEL_WIDTH - COUNT_WIDTH
    height = AXIS_HEIGHT + ROW_HEIGHT * max(1, len(rows)) + 6
    parts = _axis(plot, height)
    for i, row in enumerate(rows):
        tip = (
            f"{row.value}: {row.count} of {row.of} {shares.outcome.lower()} decisions, "
            f"{percent(row.share, 1)} (95% interval {percent(row.low, 1)} to "
            f"{percent(row.high, 1)})"
        )
        bar = (row.share, row.low, row.high)
        right = f"{percent(row.share)} of {row.of}"
        parts.append(_bar_row(row.value, bar, right, tip, AXIS_HEIGHT + i * ROW_HEIGHT, plot))
    if not rows:
        parts.append(f'<text x="{LABEL_WIDTH}" y="{AXIS_HEIGHT + 15}">No decisions.</text>')
    outcome = shares.outcome.lower()
    if rows:
        top = rows[0]
        desc = (
            f"{len(rows)} reasons among {shares.decisions} {outcome} decisions. The most given: "
            f"{top.value}, in {percent(top.share)} of them (95% interval {percent(top.low)} to "
            f"{percent(top.high)}). A decision can give several reasons. The table below lists "
            "the same numbers."
        )
    else:
        desc = f"No {outcome} decision matches."
    title = f"Reviewer's reasons among {outcome} decisions, with 95% intervals"
    return _frame(chart_id, CHART_WIDTH, height, title, desc, "".join(parts))


def _describe_months(months: tuple[MonthRow, ...]) -> str:
    if not months:
        return "No dated decisions."
    busiest = max(months, key=lambda row: row.decisions)
    total = sum(row.decisions for row in months)
    return (
        f"{total} dated decisions from {months[0].month} to {months[-1].month}; "
        f"the busiest month is {busiest.month} with {busiest.decisions}. Bars are decisions per "
        "month; the line is the share overturned (right axis). The table below lists the "
        "same numbers."
    )


def _month_label(months: tuple[MonthRow, ...], i: int) -> str:
    """Label Januaries with their year; a span without a January gets its ends labelled."""
    month = months[i].month
    if len(months) > 12 or any(row.month.endswith("-01") for row in months[1:]):
        return month[:4] if month.endswith("-01") else ""
    return month if i in (0, len(months) - 1) else ""


def month_chart(months: tuple[MonthRow, ...], chart_id: str) -> Markup:
    """Draw decisions per month as bars and the overturn rate as a line."""
    left, right, top, bottom = MONTH_MARGIN, CHART_WIDTH - MONTH_MARGIN, 12, MONTH_HEIGHT - 28
    parts: list[str] = []
    peak = max((row.decisions for row in months), default=0)
    span = bottom - top
    for tick in (0.0, 0.5, 1.0):
        y = _num(bottom - tick * span)
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{y}" y2="{y}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y}" text-anchor="end">{round(tick * peak)}</text>'
            f'<text x="{right + 6}" y="{y}" fill="{LINE}">{percent(tick)}</text>'
        )
    step = (right - left) / max(1, len(months))
    points: list[str] = []
    for i, row in enumerate(months):
        x = left + i * step
        h = span * row.decisions / peak if peak else 0.0
        tip = f"{row.month}: {row.decisions} decisions, {row.overturned} overturned"
        parts.append(
            f'<rect x="{_num(x + step * 0.1)}" y="{_num(bottom - h)}" '
            f'width="{_num(step * 0.8)}" height="{_num(h)}" fill="{BAR_FILL}">'
            f"<title>{escape(tip)}</title></rect>"
        )
        if row.rate is not None:
            points.append(f"{_num(x + step / 2)},{_num(bottom - span * row.rate)}")
        label = _month_label(months, i)
        if label:
            parts.append(
                f'<text x="{_num(x + step / 2)}" y="{bottom + 16}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    if len(points) > 1:
        parts.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE}" stroke-width="2"/>'
        )
    elif points:
        cx, cy = points[0].split(",")
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{LINE}"/>')
    title = "Decisions per month and share overturned"
    return _frame(
        chart_id, CHART_WIDTH, MONTH_HEIGHT, title, _describe_months(months), "".join(parts)
    )
