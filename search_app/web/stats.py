"""Outcome statistics routes: the /stats page, its CSV tables, and GET /api/stats."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from markupsafe import Markup

from search_app.search import analytics
from search_app.search.analytics import (
    DIMENSION_NAMES,
    DIMENSIONS,
    MIN_RANKED,
    Breakdown,
    CitationCount,
    RateRow,
    Stats,
)
from search_app.search.models import BadRequest, SearchRequest
from search_app.search.service import IndexMissing, parse_request
from search_app.web import app_index as state
from search_app.web.charts import month_chart, percent, rate_chart, share_chart
from search_app.web.exports import spreadsheet_safe

bp = Blueprint("stats", __name__)
# The search page's outcome bar (templates/_outcome_bar.html) reads its counts with this.
bp.add_app_template_global(analytics.outcome_share, "outcome_share")

CSV_TABLES = (*DIMENSION_NAMES, "month", "citations", "reasons")
# Parameters that only shape a result page; statistics cover the whole result set.
PAGE_PARAMS = frozenset({"page", "per_page", "sort", "table"})


def _params() -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.args.items(multi=True) if k not in PAGE_PARAMS]


def _query_suffix(pairs: Iterable[tuple[str, str]]) -> str:
    encoded = urlencode(list(pairs))
    return f"?{encoded}" if encoded else ""


def _compute() -> Stats:
    """Parse the request and compute its statistics (BadRequest, IndexMissing propagate)."""
    req = parse_request(_params())
    return analytics.compute_stats(state.get_index(current_app), req)


def _rate_json(row: RateRow) -> dict[str, Any]:
    return {
        "value": row.value,
        "decisions": row.decisions,
        "overturned": row.overturned,
        "rate": row.rate,
        "low": row.low,
        "high": row.high,
        "ranked": row.ranked,
    }


def _cited_json(items: tuple[CitationCount, ...]) -> list[dict[str, Any]]:
    return [{"value": c.value, "count": c.count, "kind": c.kind} for c in items]


def stats_json(stats: Stats) -> dict[str, Any]:
    """Return the /api/stats answer for computed statistics."""
    return {
        "total": stats.total,
        "overturned": stats.overturned,
        "rate": stats.overall.rate,
        "low": stats.overall.low,
        "high": stats.overall.high,
        "min_ranked": MIN_RANKED,
        "by": {b.dimension: [_rate_json(row) for row in b.rows] for b in stats.breakdowns},
        "by_month": [
            {"month": m.month, "decisions": m.decisions, "overturned": m.overturned}
            for m in stats.by_month
        ],
        "undated": stats.undated,
        "citations": {
            "overturned": _cited_json(stats.cited_overturned),
            "upheld": _cited_json(stats.cited_upheld),
        },
        "reasons": {
            shares.outcome.lower(): {
                "decisions": shares.decisions,
                "rows": [
                    {
                        "value": r.value,
                        "decisions": r.count,
                        "share": r.share,
                        "low": r.low,
                        "high": r.high,
                    }
                    for r in shares.rows
                ],
            }
            for shares in stats.reasons
        },
    }


@bp.get("/api/stats")
def api_stats() -> tuple[Response, int]:
    """Answer outcome statistics for the same parameters as /api/search."""
    try:
        stats = _compute()
    except BadRequest as error:
        return jsonify(error=str(error)), 400
    except IndexMissing as error:
        return jsonify(error=str(error)), 503
    return jsonify(stats_json(stats)), 200


Cell = str | int | float | None


def _csv_rows(stats: Stats, table: str) -> list[tuple[Cell, ...]]:
    """Return one stats table as CSV rows, header first."""
    if table == "month":
        return [("month", "decisions", "overturned", "rate")] + [
            (m.month, m.decisions, m.overturned, m.rate) for m in stats.by_month
        ]
    if table == "citations":
        sides = (("Overturned", stats.cited_overturned), ("Upheld", stats.cited_upheld))
        return [("outcome", "kind", "value", "count")] + [
            (outcome, c.kind, c.value, c.count) for outcome, items in sides for c in items
        ]
    if table == "reasons":
        return [("outcome", "reason", "decisions", "of", "share", "low", "high")] + [
            (s.outcome, r.value, r.count, r.of, r.share, r.low, r.high)
            for s in stats.reasons
            for r in s.rows
        ]
    header = (table, "decisions", "overturned", "rate", "low", "high", "ranked")
    return [header] + [
        (r.value, r.decisions, r.overturned, r.rate, r.low, r.high, "yes" if r.ranked else "no")
        for r in stats.breakdown(table).rows
    ]


@bp.get("/stats.csv")
def stats_csv() -> Response | tuple[str, int, dict[str, str]]:
    """Download one table of the stats page as CSV."""
    table = request.args.get("table", "")
    plain = {"Content-Type": "text/plain; charset=utf-8"}
    if table not in CSV_TABLES:
        return f"Unknown table {table!r}; choose one of: {', '.join(CSV_TABLES)}.\n", 400, plain
    try:
        stats = _compute()
    except BadRequest as error:
        return f"{error}\n", 400, plain
    except IndexMissing as error:
        return f"{error}\n", 503, plain
    out = io.StringIO()
    rows = _csv_rows(stats, table)
    csv.writer(out).writerows(
        tuple(spreadsheet_safe(c) if isinstance(c, str) else c for c in row) for row in rows
    )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="imr-stats-{table}.csv"'},
    )


@dataclass(frozen=True, slots=True)
class Section:
    """One dimension on the stats page: its chart, its table rows, its links."""

    breakdown: Breakdown
    chart: Markup
    csv_url: str
    value_urls: tuple[str, ...]  # a search filtered to each row's value


def _section(breakdown: Breakdown, params: list[tuple[str, str]]) -> Section:
    search = url_for("views.search_page")
    others = [(k, v) for k, v in params if k != breakdown.dimension]
    urls = tuple(
        search + _query_suffix([*others, (breakdown.dimension, row.value)])
        for row in breakdown.rows
    )
    return Section(
        breakdown=breakdown,
        chart=rate_chart(breakdown, f"chart-{breakdown.dimension}"),
        csv_url=url_for("stats.stats_csv")
        + _query_suffix([*params, ("table", breakdown.dimension)]),
        value_urls=urls,
    )


def _scope(req: SearchRequest) -> list[tuple[str, str]]:
    labels = dict(DIMENSIONS)
    parts: list[tuple[str, str]] = []
    if req.query:
        parts.append(("Query", req.query))
    for name, values in req.filters:
        parts.append((labels.get(name, name.replace("_", " ").capitalize()), " or ".join(values)))
    for label, start, end in (
        ("Decided", req.decided_from, req.decided_to),
        ("Injured", req.injured_from, req.injured_to),
    ):
        if start or end:
            parts.append((label, f"{start or '…'} to {end or '…'}"))
    return parts


def _error_page(title: str, message: str, status: int) -> Any:
    return render_template("error.html", title=title, message=message), status


@bp.get("/stats")
def page() -> Any:
    """Show overturn rates for the current search as charts and tables."""
    try:
        stats = _compute()
    except BadRequest as error:
        return _error_page("Bad request", str(error), 400)
    # IndexMissing goes on to the app's handler, which renders the 503 page with the command.
    params = _params()
    suffix = _query_suffix(params)
    return render_template(
        "stats.html",
        nav="stats",
        stats_url=url_for("stats.page") + suffix,
        stats=stats,
        scope=_scope(stats.request),
        sections=[_section(b, params) for b in stats.breakdowns],
        month_svg=month_chart(stats.by_month, "chart-month"),
        reason_charts=[
            (shares, share_chart(shares, f"chart-reasons-{shares.outcome.lower()}"))
            for shares in stats.reasons
        ],
        csv_reasons=url_for("stats.stats_csv") + _query_suffix([*params, ("table", "reasons")]),
        search_url=url_for("views.search_page") + suffix,
        csv_month=url_for("stats.stats_csv") + _query_suffix([*params, ("table", "month")]),
        csv_citations=url_for("stats.stats_csv") + _query_suffix([*params, ("table", "citations")]),
        min_ranked=MIN_RANKED,
        percent=percent,
    )
