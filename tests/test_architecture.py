"""The package boundaries hold: import contracts, and Whoosh named only inside the engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE_IMPLEMENTATION = ROOT / "indexer" / "engine"


def test_the_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_only_the_engine_package_names_whoosh() -> None:
    outside = [
        path.relative_to(ROOT).as_posix()
        for package in ("indexer", "search_app")
        for path in sorted((ROOT / package).rglob("*.py"))
        if ENGINE_IMPLEMENTATION not in path.parents and "whoosh" in path.read_text("utf-8")
    ]
    assert outside == []
