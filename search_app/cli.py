"""imr-search serve: run the web app with waitress (never Flask's debug server)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from search_app import create_app
from search_app.search.service import IndexMissing
from search_app.web import app_index as state
from search_app.web import synthetic
from search_app.web.views import MAX_BODY_BYTES

LOG = logging.getLogger("imr_search.requests")
DEFAULT_INDEX = "var/index"
BUILD_HINT = "build one with: imr-index build PATH --index {index}"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class RequestLog:
    """WSGI middleware: one stderr line per request with method, path, status and ms."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status = ["-"]

        def recording(code: str, headers: list[tuple[str, str]], *extra: Any) -> Any:
            status[0] = code.split(" ", 1)[0]
            return start_response(code, headers, *extra)

        body = self.app(environ, recording)
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            ms = (time.perf_counter() - started) * 1000
            path = environ.get("PATH_INFO", "")
            if environ.get("QUERY_STRING"):
                path += "?" + environ["QUERY_STRING"]
            LOG.info("%s %s %s %.1fms", environ.get("REQUEST_METHOD", "-"), path, status[0], ms)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"imr-search: {name} must be a whole number, not {raw!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imr-search", description="Serve the IMR Search web app and JSON API."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve the app with waitress",
        description="Flags override the IMR_INDEX, IMR_HOST, IMR_PORT and IMR_THREADS variables.",
    )
    serve.add_argument(
        "--index",
        default=os.environ.get("IMR_INDEX", DEFAULT_INDEX),
        help="index directory (env IMR_INDEX; default %(default)s)",
    )
    serve.add_argument("--host", default=os.environ.get("IMR_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=_env_int("IMR_PORT", 5000))
    serve.add_argument("--threads", type=int, default=_env_int("IMR_THREADS", 4))
    serve.add_argument(
        "--export-cap",
        type=int,
        default=_env_int("IMR_EXPORT_CAP", 10_000),
        help="most decisions one CSV/JSON export holds (env IMR_EXPORT_CAP)",
    )
    return parser


def _warm(app: Any, index_dir: str) -> None:
    """Open the index before serving, so the first request is fast; a missing one is fine."""
    try:
        with app.app_context():
            state.get_index(app)
    except IndexMissing as error:
        print(f"imr-search: warning: {error}", file=sys.stderr)
        print(f"imr-search: {BUILD_HINT.format(index=index_dir)}", file=sys.stderr)
        print("imr-search: serving a page that says so until the index exists", file=sys.stderr)


def serve(args: argparse.Namespace) -> int:
    """Start waitress on host:port; returns when the server stops."""
    from waitress import serve as waitress_serve

    if args.port < 0 or args.port > 65535:
        print(f"imr-search: --port must be 0-65535, not {args.port}", file=sys.stderr)
        return 2
    if args.threads < 1:
        print(f"imr-search: --threads must be at least 1, not {args.threads}", file=sys.stderr)
        return 2
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(message)s")
    # IMR_DEBUG / IMR_TESTING in the environment must not reach a served app: both make
    # Flask re-raise errors past the error pages (and their security headers).
    app = create_app(
        {
            "INDEX": args.index,
            "EXPORT_CAP": args.export_cap,
            "DEBUG": False,
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": False,
        }
    )
    app.debug = False
    _warm(app, args.index)
    note = synthetic.current_note(app)
    if note is not None:
        print(f"imr-search: {synthetic.header_value(note)}; every page says so", file=sys.stderr)
        command = synthetic.REAL_LETTERS_COMMAND
        print(f"imr-search: to search real letters, index them with: {command}", file=sys.stderr)
    print(
        f"imr-search: serving index {args.index} on http://{args.host}:{args.port}/",
        file=sys.stderr,
    )
    waitress_serve(
        RequestLog(app.wsgi_app),
        host=args.host,
        port=args.port,
        threads=args.threads,
        ident="imr-search",
        # Waitress refuses absurd bodies itself; bodies nearer the app's cap get its 413 page.
        max_request_body_size=4 * MAX_BODY_BYTES,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2  # argparse rejects unknown commands before this


if __name__ == "__main__":
    sys.exit(main())
