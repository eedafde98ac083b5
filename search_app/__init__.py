"""The IMR Search web application."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Flask is imported by create_app: the search library does not need it
    from flask import Flask

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def shipped(name: str) -> Path:
    """Return the folder `name` (templates, static) inside the installed package, else the
    one at the top of the source tree: a wheel carries them as package data (pyproject.toml),
    while a checkout and an editable install keep them beside the packages."""
    inside = HERE / name
    return inside if inside.is_dir() else ROOT / name


def create_app(overrides: Mapping[str, object] | None = None) -> Flask:
    """Build the Flask app; configuration comes from IMR_* variables, then overrides."""
    from flask import Flask

    app = Flask(
        __name__,
        template_folder=str(shipped("templates")),
        static_folder=str(shipped("static")),
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
    from search_app.web import api, synthetic, views
    from search_app.web import app_index as state
    from search_app.web import stats as stats_views

    state.watch_answers(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(stats_views.bp)
    app.register_blueprint(synthetic.bp)
    return app
