"""Which indexed letters are synthetic: the generator's folder marker and the index's note.

The generator writes MARKER_FILE at the top of every corpus it makes (and refuses to write
into a folder of letters without it). At the end of each build, the build counts the
indexed letters whose file lies under such a folder and records the count in NOTE_FILE
inside the index, or removes the note when there are none: the fact travels with the index,
so any server of it (`make run`, or `imr-search serve --index DIR` by hand) can say so.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SYNTHETIC_MARKER = "SYNTHETIC LETTER - generated for testing"  # every letter's first line
MARKER_FILE = "SYNTHETIC-CORPUS.marker"  # not .txt or .pdf: never read as a letter
NOTE_FILE = "SYNTHETIC.json"  # in the index folder: how many of its letters are synthetic


@dataclass(frozen=True, slots=True)
class SyntheticNote:
    """How many of an index's letters came from a generated corpus."""

    synthetic: int
    letters: int

    def to_json(self) -> dict[str, int]:
        return {"synthetic_letters": self.synthetic, "letters": self.letters}


def count_synthetic(sources: Iterable[str | Path]) -> int:
    """Count the letter files that lie under a folder holding MARKER_FILE."""
    marked: dict[Path, bool] = {}

    def under_marker(folder: Path) -> bool:
        if folder not in marked:
            here = (folder / MARKER_FILE).is_file()
            marked[folder] = here or (folder.parent != folder and under_marker(folder.parent))
        return marked[folder]

    return sum(1 for source in sources if under_marker(Path(os.path.abspath(source)).parent))


def record_note(index_dir: Path, sources: Iterable[str | Path], letters: int) -> None:
    """Write NOTE_FILE when any of the index's letters is synthetic, else remove it."""
    path = Path(index_dir) / NOTE_FILE
    synthetic = count_synthetic(sources)
    if not synthetic:
        path.unlink(missing_ok=True)
        return
    partial = path.with_name(f"{path.name}.tmp{os.getpid()}")
    note = SyntheticNote(synthetic, max(letters, synthetic))
    partial.write_text(json.dumps(note.to_json()) + "\n", encoding="utf-8")
    os.replace(partial, path)


def read_note(index_dir: Path) -> SyntheticNote | None:
    """Return the index's note, or None for an index of real letters only.

    A note that cannot be read still says the index holds synthetic letters: the doubt
    goes to the warning, never to presenting generated letters as real ones.
    """
    path = Path(index_dir) / NOTE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SyntheticNote(int(data["synthetic_letters"]), int(data["letters"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError):
        return SyntheticNote(0, 0)
