"""The attorney's web UI: search, letter pages, "like my case", exports, feed, original PDF."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from werkzeug.exceptions import HTTPException

from search_app.search import service as search
from search_app.search import similar
from search_app.search.models import MAX_QUERY_CHARS, BadRequest, Hit
from search_app.search.similar import MAX_LIKE_CHARS
from search_app.web import app_index as state
from search_app.web import exports, synthetic
from search_app.web import letter_view as lv
from search_app.web import view_models as vm

bp = Blueprint("views", __name__)

SIMILAR_LIMIT = 5
FEED_SIZE = 50
# Hits fetched per library call while exporting: bigger batches repeat the per-call work
# (query, facet counts, scoring) less often.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; object-src 'self'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# Request bodies (the "like my case" text) are capped before they are read: the longest
# text /like accepts is MAX_LIKE_CHARS characters, at most four UTF-8 bytes each.
MAX_BODY_BYTES = 4 * MAX_LIKE_CHARS + 4096
BUILD_COMMAND = "imr-index build PATH --index {index}"
ERROR_TITLES = {
    400: "This search cannot be run",
    404: "Page not found",
    405: "Method not allowed",
    413: "The text is too long",
    500: "Something went wrong",
    503: "The search index is not available",
}


def _pairs() -> vm.Pairs:
    return vm.clean_pairs(request.args.items(multi=True))


def _index() -> Any:
    return state.get_index(current_app)


def _letter_url(hit: Hit, query: str = "", external: bool = False) -> str:
    target = url_for("views.letter", letter_id=hit.letter_id, q=query or None, _external=external)
    return f"{target}#d{hit.decision_index}"


# ---- pages --------------------------------------------------------------------------------


@bp.get("/")
def search_page() -> str:
    pairs = _pairs()
    req = search.parse_request(pairs)
    page = search.run_search(_index(), req)
    base = url_for("views.search_page")
    first, last = vm.hit_range(page)
    return render_template(
        "search.html",
        nav="search",
        page=page,
        req=req,
        groups=vm.facet_groups(page),
        chips=vm.chips(req, pairs, base),
        clear_url=vm.search_url(base, vm.only(pairs, ("q", *vm.VIEW_PARAMS))),
        query_only_url=vm.search_url(base, vm.only(pairs, ("q",))),
        suggestion_url=(
            vm.search_url(base, vm.replaced(pairs, "q", page.suggestion))
            if page.suggestion
            else None
        ),
        pager=vm.pager(page, pairs, base),
        first_page_url=vm.search_url(base, vm.without_page(pairs)),
        query_suffix=vm.search_url("", vm.without_page(pairs)),
        query_string=vm.search_url("", vm.without_page(pairs)).lstrip("?"),
        first_hit=first,
        last_hit=last,
        sorts=vm.SORT_LABELS,
        page_sizes=vm.PAGE_SIZES,
        query_help=search.QUERY_HELP,
        max_query_chars=MAX_QUERY_CHARS,
        export_cap=_export_cap(),
    )


@bp.get("/letters/<letter_id>")
def letter(letter_id: str) -> str:
    index = _index()
    found = search.get_letter(index, letter_id)
    if found is None:
        abort(404, description=f"No letter with the id {letter_id!r} is in the index.")
    query = " ".join(request.args.get("q", "").split())[:MAX_QUERY_CHARS]
    texts = [found.clinical_case_summary]
    for item in found.decisions:
        texts += [item.treatment, item.rationale]
    summary, *marked = search.mark_texts(index, query, texts)
    decisions = [
        {
            "decision": item,
            "treatment": marked[2 * number],
            "rationale": marked[2 * number + 1],
            "citation": lv.citation(found, item),
            "similar": similar.similar(index, found.letter_id, number, SIMILAR_LIMIT),
        }
        for number, item in enumerate(found.decisions)
    ]
    return render_template(
        "letter.html",
        letter=found,
        decisions=decisions,
        summary=summary,
        header_fields=lv.header_fields(found),
        pdf_url=(
            url_for("views.letter_pdf", letter_id=found.letter_id)
            if found.source.suffix.lower() == ".pdf"
            else None
        ),
        back_url=_back_url(query),
    )


def _back_url(query: str) -> str:
    """The search the user came from (same origin only), else a search for the query."""
    search_root = url_for("views.search_page", _external=True)
    referrer = request.referrer or ""
    if referrer == search_root or referrer.startswith(search_root + "?"):
        return referrer
    return url_for("views.search_page", q=query or None)


@bp.get("/letters/<letter_id>/pdf")
def letter_pdf(letter_id: str) -> Response:
    """Send the indexed file of a letter; the path comes from the index, never from the URL."""
    found = search.get_letter(_index(), letter_id)
    if found is None or found.source.suffix.lower() != ".pdf":
        abort(404, description="No original PDF is stored for this letter.")
    path = Path(found.source)
    if not path.is_file():
        abort(404, description="The original PDF has moved since the index was built.")
    if found.content_hash and _sha256(path) != found.content_hash:
        abort(404, description="The original PDF has changed since the index was built.")
    return send_file(
        path,
        mimetype="application/pdf",
        download_name=f"{found.letter_id}.pdf",
        conditional=True,
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


@bp.route("/like", methods=["GET", "POST"])
def like() -> tuple[str, int]:
    text = request.form.get("text", "") if request.method == "POST" else ""
    context: dict[str, Any] = {"nav": "like", "text": text, "max_chars": MAX_LIKE_CHARS}
    if request.method == "GET":
        return render_template("like.html", **context), 200
    if not text.strip():
        context["error"] = "Paste some text of the case first: the request, denial or summary."
        return render_template("like.html", **context), 400
    try:
        context["page"] = similar.like_my_case(_index(), text, 1)
    except BadRequest as error:
        context["error"] = f"The text cannot be used: {error}. Paste the request and the reasons."
        return render_template("like.html", **context), 400
    return render_template("like.html", **context), 200


# ---- exports and feed ---------------------------------------------------------------------


def _export_cap() -> int:
    return int(current_app.config.get("EXPORT_CAP", 10_000))


def _export(kind: str) -> Response:
    req = search.parse_request(_pairs())
    cap = _export_cap()
    total, hits = search.export_hits(_index(), req, cap)

    def link(hit: Hit) -> str:
        return _letter_url(hit, external=True)

    if kind == "csv":
        body = exports.csv_lines(hits, link, total)
        mimetype, filename = "text/csv", "imr-decisions.csv"
    else:
        head: dict[str, Any] = {"query": req.query, "filters": {f: list(v) for f, v in req.filters}}
        note = synthetic.current_note(current_app)
        if note is not None:
            head["synthetic"] = synthetic.notice_json(note)
        body = exports.json_chunks(hits, link, head, total, cap)
        mimetype, filename = "application/json", "imr-decisions.json"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-IMR-Total"] = str(total)
    response.headers["X-IMR-Truncated"] = "true" if total > cap else "false"
    return response


@bp.get("/export.csv")
def export_csv() -> Response:
    return _export("csv")


@bp.get("/export.json")
def export_json() -> Response:
    return _export("json")


@bp.get("/feed.atom")
def feed() -> Response:
    pairs = _pairs()
    req = replace(search.parse_request(pairs), sort="newest", page=1, per_page=FEED_SIZE)
    page = search.run_search(_index(), req)
    described = "; ".join(c.label for c in vm.chips(req, pairs, ""))
    title = "IMR decisions" + (f" matching {req.query}" if req.query else "")
    title += f" ({described})" if described else ""
    if synthetic.current_note(current_app) is not None:
        title = synthetic.TITLE_PREFIX + title
    body = exports.atom_feed(
        page.hits,
        lambda hit: _letter_url(hit, external=True),
        title,
        request.url,
        vm.search_url(url_for("views.search_page", _external=True), vm.without_page(pairs)),
    )
    return Response(body, mimetype="application/atom+xml")


# ---- app-wide hooks -----------------------------------------------------------------------


@bp.before_app_request
def cap_request_body() -> None:
    """Refuse oversized bodies with 413 before reading them (also without Content-Length)."""
    request.max_content_length = current_app.config.get("MAX_CONTENT_LENGTH") or MAX_BODY_BYTES
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        abort(413, description=f"The request body is larger than {MAX_BODY_BYTES:,} bytes.")


@bp.after_app_request
def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@bp.app_context_processor
def template_globals() -> dict[str, Any]:
    has_stats = any(rule.rule == "/stats" for rule in current_app.url_map.iter_rules())
    return {"stats_url": "/stats" if has_stats else None}


@bp.app_template_global("outcome_icon")
def outcome_icon(outcome: str) -> str:
    return vm.OUTCOME_ICONS.get(outcome, "")


@bp.app_template_filter("long_date")
def long_date_filter(value: Any) -> str:
    return vm.long_date(value)


@bp.app_template_filter("sub_label")
def sub_label_filter(value: str) -> str:
    return vm.child_label("subcategory", value)


def _error_page(status: int, message: str, command: str | None = None) -> tuple[Any, int]:
    if request.path.startswith("/api/"):
        return {"error": message}, status
    title = ERROR_TITLES.get(status, "Error")
    return render_template("error.html", title=title, message=message, command=command), status


@bp.app_errorhandler(BadRequest)
def bad_request(error: BadRequest) -> tuple[Any, int]:
    return _error_page(400, f"{error}. Change the search and try again.")


@bp.app_errorhandler(search.IndexMissing)
def index_missing(error: Exception) -> tuple[Any, int]:
    current_app.logger.warning("index unavailable: %s", error)
    index_dir = str(current_app.config.get("INDEX", "var/index"))
    message = f"There is no search index at {index_dir} yet, so there is nothing to search."
    return _error_page(503, message, BUILD_COMMAND.format(index=index_dir))


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[Any, int]:
    status = error.code or 500
    if status >= 500:  # never show an exception's text to the user; Flask has logged it
        return _error_page(status, "The server could not answer this request. It was logged.")
    return _error_page(status, error.description or ERROR_TITLES.get(status, "Error"))
