"""A live server over the corpus index and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from search_app import create_app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.access(path, os.X_OK):
        pytest.skip(
            f"Chromium not found at {path}: `make test` installs Debian's chromium, "
            "or set CHROMIUM_PATH to a Chromium binary"
        )
    return path


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """Serve the app over the corpus index (or $IMR_E2E_INDEX) on a free local port."""
    override = os.environ.get("IMR_E2E_INDEX")
    index_dir = Path(override) if override else request.getfixturevalue("corpus_index")
    app = create_app({"INDEX": str(index_dir), "EXPORT_CAP": 10_000})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture()
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def _context(browser: Any, live_server: str, **options: Any) -> Any:
    context = browser.new_context(base_url=live_server, accept_downloads=True, **options)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture()
def console_errors() -> list[str]:
    return []


@pytest.fixture()
def page(browser: Any, live_server: str, console_errors: list[str]) -> Iterator[Any]:
    """A desktop page that records console errors (CSP violations show up there)."""
    context = _context(browser, live_server, viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    tab = context.new_page()
    tab.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: console_errors.append(str(e)))
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture()
def phone_page(browser: Any, live_server: str) -> Iterator[Any]:
    context = _context(browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture()
def no_js_page(browser: Any, live_server: str) -> Iterator[Any]:
    context = _context(
        browser, live_server, viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    try:
        yield context.new_page()
    finally:
        context.close()
