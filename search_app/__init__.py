"""The IMR Search web application."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Flask is imported by create_app: the search library does not need it
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: Mapping[str, object] | None = None) -> Flask:
    """Build the Flask app; configuration comes from IMR_* variables, then overrides."""
    from flask import Flask

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(
        INDEX=str(ROOT / "var" / "index"),
        PAGE_SIZE=20,
        MAX_QUERY_CHARS=400,
        EXPORT_CAP=10000,
    )
    app.config.from_prefixed_env("IMR")
    if overrides:
        app.config.update(overrides)
    from search_app.web import api, views
    from search_app.web import app_index as state
    from search_app.web import stats as stats_views

    state.watch_answers(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(stats_views.bp)
    return app
