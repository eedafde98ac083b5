"""The notice on every page and API answer of an index that holds synthetic letters.

The build leaves a note in the index when any of its letters came from a generated corpus
(indexer/synthetic/marker.py); an index of real letters has none, and then nothing here adds
a word. The note is read again whenever its file changes, so a rebuild shows at once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from indexer.synthetic.marker import NOTE_FILE, SyntheticNote, read_note

bp = Blueprint("synthetic", __name__)

CACHE_KEY = "imr_synthetic_note"
NOTICE = (
    "Demonstration data: these are synthetic letters written by a program, "
    "not real IMR decisions. No case, person or outcome here is real."
)
REAL_LETTERS_COMMAND = "make run IMR_CORPUS=/path/to/letters"
HEADER = "X-IMR-Synthetic"  # on every answer, including exports and the feed
TITLE_PREFIX = "[Synthetic demo] "


def current_note(app: Flask) -> SyntheticNote | None:
    """Return the note of app.config["INDEX"], or None when its letters are all real."""
    path = Path(str(app.config["INDEX"])) / NOTE_FILE
    try:
        stat = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        return read_note(path.parent)  # unreadable: read_note says "synthetic" all the same
    key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached = app.extensions.get(CACHE_KEY)
    if cached is not None and cached[0] == key:
        note: SyntheticNote | None = cached[1]
        return note
    note = read_note(path.parent)
    app.extensions[CACHE_KEY] = (key, note)
    return note


def notice_json(note: SyntheticNote) -> dict[str, Any]:
    """Return the `synthetic` field every JSON answer of a synthetic index carries."""
    return {
        "notice": NOTICE,
        **note.to_json(),
        "index_real_letters": REAL_LETTERS_COMMAND,
    }


def header_value(note: SyntheticNote) -> str:
    counted = f"{note.synthetic} of {note.letters} letters" if note.letters else "letters"
    return f"{counted} are synthetic demonstration data, not real decisions"


@bp.app_context_processor
def synthetic_banner() -> dict[str, Any]:
    note = current_note(current_app)
    if note is None:
        return {"synthetic": None}
    return {
        "synthetic": {
            "note": note,
            "notice": NOTICE,
            "command": REAL_LETTERS_COMMAND,
            "title_prefix": TITLE_PREFIX,
        }
    }


@bp.after_app_request
def mark_answer(response: Response) -> Response:
    """Add the header to every answer, and the `synthetic` field to each JSON object."""
    note = current_note(current_app)
    if note is None:
        return response
    response.headers[HEADER] = header_value(note)
    if request.path.startswith("/api/") and response.is_json and not response.is_streamed:
        data = response.get_json(silent=True)
        if isinstance(data, dict):
            data["synthetic"] = notice_json(note)
            response.set_data(current_app.json.dumps(data))
    return response
