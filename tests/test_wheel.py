"""A regular install: build the wheel, install it into a fresh virtualenv, serve from it.

The wheel is built from a copy of the source (so no stale build/ folder leaks into it),
without build isolation (setuptools and wheel come with the test extras: no download).
The new virtualenv sees this one's site-packages through a .pth line for the dependencies,
but not this one's editable install of imr-search (a .pth line adds a folder to sys.path
without running the .pth files inside it), and the server runs outside the source tree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("indexer", "search_app", "templates", "static")
# Where the wheel puts the top-level templates/ and static/ (pyproject.toml, package-dir).
IN_WHEEL = {"templates": "search_app/templates", "static": "search_app/static"}
LETTERS = 12


def _source_files() -> set[str]:
    """Return the wheel paths every file of the source tree should have."""
    found: set[str] = set()
    for top in SHIPPED:
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                relative = path.relative_to(ROOT / top).as_posix()
                found.add(f"{IN_WHEEL.get(top, top)}/{relative}")
    return found


def _run(*command: str | Path, cwd: Path) -> None:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for top in SHIPPED:
        shutil.copytree(ROOT / top, source / top, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    dist = work / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--wheel-dir", dist, source, cwd=work)  # fmt: skip
    (built,) = dist.glob("imr_search-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the bin folder of a fresh virtualenv with the wheel installed (not editable)."""
    venv = tmp_path_factory.mktemp("venv")
    _run(sys.executable, "-m", "venv", "--clear", "--without-pip", venv, cwd=venv)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "imr_test_dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
         "--no-index", wheel, cwd=venv)  # fmt: skip
    return venv / "bin"


@pytest.fixture(scope="module")
def served(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve a small synthetic index with the installed `imr-search serve`, outside the tree."""
    from indexer.build.run import build_index
    from indexer.synthetic.corpus import generate_corpus

    work = tmp_path_factory.mktemp("served")
    generate_corpus(work / "letters", LETTERS, seed=24)
    build_index([work / "letters"], work / "index", procs=1)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMR_", "PYTHON"))}
    server = subprocess.Popen(
        [installed / "imr-search", "serve", "--index", "index", "--port", str(port)],
        cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for_port(server, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.communicate(timeout=15)


def test_the_wheel_holds_every_module_template_and_static_file(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert _source_files() - names == set()
    assert "indexer/data/taxonomy.json" in names


def test_the_installed_package_is_the_wheel_not_the_source_tree(installed: Path) -> None:
    where = subprocess.run(
        [installed / "python", "-c", "import search_app, indexer; print(search_app.__file__)"],
        cwd=installed, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert Path(where).is_relative_to(installed.parent), where
    assert not Path(where).is_relative_to(ROOT), where


def test_the_installed_server_answers_every_page(served: str) -> None:
    status, found = _get(f"{served}/api/search?per_page=1")
    assert status == 200, found
    letter_id = json.loads(found)["results"][0]["letter_id"]
    status, home = _get(f"{served}/")
    assert status == 200 and 'id="search-form"' in home, home[:2000]
    status, stats = _get(f"{served}/stats")
    assert status == 200 and "chart-month" in stats, stats[:2000]
    status, letter = _get(f"{served}/letters/{letter_id}")
    assert status == 200 and letter_id in letter, letter[:2000]
    status, css = _get(f"{served}/static/site.css")
    assert status == 200 and css == (ROOT / "static" / "site.css").read_text(encoding="utf-8")
