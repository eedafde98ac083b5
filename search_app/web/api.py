"""The JSON API: /api/search, /api/letters/<id>, /api/similar/<id>/<n>, /api/like."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from search_app.search import service as search
from search_app.search.models import MAX_PAGE, BadRequest, FacetValue, Hit, SearchPage
from search_app.web import app_index as state

bp = Blueprint("api", __name__, url_prefix="/api")

SIMILAR_LIMIT = 10
MAX_SIMILAR_LIMIT = 50


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"error": message}), status


@bp.errorhandler(BadRequest)
def bad_request(exc: BadRequest) -> tuple[Response, int]:
    return _error(400, str(exc))


@bp.errorhandler(search.IndexMissing)
def index_missing(exc: search.IndexMissing) -> tuple[Response, int]:
    return _error(503, f"The search index is not available: {exc}")


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> tuple[Response, int]:
    return _error(exc.code or 500, exc.description or exc.name)


def hit_json(hit: Hit) -> dict[str, Any]:
    """Return one result as the API answers it."""
    return {
        "letter_id": hit.letter_id,
        "case_number": hit.case_number,
        "decision_index": hit.decision_index,
        "treatment": hit.treatment,
        "outcome": hit.outcome,
        "category": hit.category,
        "subcategory": hit.subcategory,
        "guideline_families": list(hit.guideline_families),
        "guideline_sources": list(hit.guideline_sources),
        "decision_date": hit.decision_date.isoformat() if hit.decision_date else None,
        "reviewer_specialties": list(hit.reviewer_specialties),
        "reviewer_states": list(hit.reviewer_states),
        "reasons": list(hit.reasons),
        "snippet": str(hit.snippet),
    }


def _facet_json(value: FacetValue) -> dict[str, Any]:
    out: dict[str, Any] = {"value": value.value, "count": value.count, "selected": value.selected}
    if value.parent is not None:
        out["parent"] = value.parent
    return out


def page_json(page: SearchPage) -> dict[str, Any]:
    """Return a SearchPage as the API answers it."""
    return {
        "query": page.request.query,
        "notice": page.notice,
        "suggestion": page.suggestion,
        "also_searched": [{"typed": t, "searched": list(a)} for t, a in page.also_searched],
        "total": page.total,
        "page": page.request.page,
        "per_page": page.request.per_page,
        "results": [hit_json(hit) for hit in page.hits],
        "facets": {name: [_facet_json(v) for v in values] for name, values in page.facets.items()},
    }


@bp.get("/search")
def search_json() -> Response:
    req = search.parse_request(request.args.items(multi=True))
    return jsonify(page_json(search.run_search(state.get_index(current_app), req)))


@bp.get("/letters/<letter_id>")
def letter_json(letter_id: str) -> Response | tuple[Response, int]:
    found = search.get_letter(state.get_index(current_app), letter_id)
    if found is None:
        return _error(404, f"no letter with the id {letter_id!r}")
    return jsonify(found.to_json())


@bp.get("/similar/<letter_id>/<int:decision_index>")
def similar_json(letter_id: str, decision_index: int) -> Response | tuple[Response, int]:
    limit_raw = request.args.get("limit", str(SIMILAR_LIMIT))
    if not limit_raw.isdigit() or not 1 <= int(limit_raw) <= MAX_SIMILAR_LIMIT:
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_SIMILAR_LIMIT}")
    try:
        hits = search.similar(
            state.get_index(current_app), letter_id, decision_index, int(limit_raw)
        )
    except search.UnknownDecision as exc:
        return _error(404, str(exc))
    return jsonify({"results": [hit_json(hit) for hit in hits]})


@bp.post("/like")
def like_json() -> Response:
    body = request.get_json(silent=True) if request.is_json else None
    text = body.get("text") if isinstance(body, dict) else request.form.get("text")
    if not isinstance(text, str):
        raise BadRequest('send the text as a form field or JSON key named "text"')
    page_raw = request.args.get("page", "1")
    if not page_raw.isdigit() or not 1 <= int(page_raw) <= MAX_PAGE:
        raise BadRequest(f"page must be a whole number from 1 to {MAX_PAGE}")
    page = search.like_my_case(state.get_index(current_app), text, int(page_raw))
    return jsonify(page_json(page))
