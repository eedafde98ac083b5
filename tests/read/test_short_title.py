"""Short titles: the request actually decided, from a heading that restates its history."""

from __future__ import annotations

import pytest

from indexer.letter import Decision, Outcome, decision_from_json, short_title


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        (
            "Norco 10/325mg #60 was the original request. Norco 10/325mg #25 was authorized by "
            "the Claims Administrator. The remaining IMR eligible portion of the original "
            "request, Norco 10/325mg #35 is",
            "Norco 10/325mg #35",
        ),
        (
            "Purchase of a shower chair was the original request. The Claims Administrator "
            "authorized a shower chair for 1 month, leaving the original request IMR eligible. "
            "The original request, purchase of a shower chair is",
            "Purchase of a shower chair",
        ),
        ("Gabapentin 600mg #90 was the original request. Gabapentin", "Gabapentin 600mg #90"),
        ("Acupuncture, 8 sessions", "Acupuncture, 8 sessions"),
        ("  MRI of the\n lumbar spine ", "MRI of the lumbar spine"),
    ],
)
def test_short_title(heading: str, title: str) -> None:
    assert short_title(heading) == title


def test_short_title_round_trips_and_is_derived_for_old_json() -> None:
    heading = "Tramadol #60 was the original request. The original request, Tramadol #60 is"
    item = Decision(heading, Outcome.UPHELD, "", "", "", short_title=short_title(heading))
    data = item.to_json()
    assert data["treatment"] == heading and data["short_title"] == "Tramadol #60"
    assert decision_from_json(data) == item
    del data["short_title"]  # parsed before short titles existed
    assert decision_from_json(data).title == "Tramadol #60"
