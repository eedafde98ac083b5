"""Decoding Whoosh's Positions values many at a time (indexer/engine/whoosh/positions.py)."""

from __future__ import annotations

import pickle
import random

import numpy as np
import pytest
from whoosh.formats import Positions

from indexer.engine.whoosh.positions import _framed, all_deltas, decode, deltas

LISTS = [[0], [3, 10, 200], [1] * 300, [70000, 2**31 - 1], list(range(0, 5000, 7))]


def test_positions_decode_in_one_unpickling_as_one_by_one() -> None:
    values = [Positions().encode(positions) for positions in LISTS]
    expected = [deltas(v) for v in values]
    assert all_deltas(values) == expected
    assert [sum(d) for d in expected] == [p[-1] for p in LISTS]
    assert all_deltas([v.rstrip(b".") for v in values]) == expected  # STOP left off
    odd = values[:2] + [b"\x00\x00\x00\x02" + pickle.dumps([4, 5], protocol=0)]
    assert all_deltas(odd) == [deltas(v) for v in odd]
    assert all_deltas([]) == []


def test_decode_gives_counts_and_absolute_positions() -> None:
    values = [Positions().encode(positions) for positions in LISTS]
    counts, spots = decode(values)
    assert counts.tolist() == [len(p) for p in LISTS]
    assert spots.tolist() == [n for p in LISTS for n in p]
    assert Positions().decode_positions(values[1]) == LISTS[1]
    counts, spots = decode([])
    assert counts.tolist() == [] and spots.tolist() == []


@pytest.mark.parametrize("seed", range(5))
def test_decode_reads_every_shape_as_positions_encode_writes_it(seed: int) -> None:
    """Lists of one position or many; first positions and gaps of one, two and four bytes
    (so both the bytes read directly and the unpickled rest); longer than one batch of
    appends (the slower way for the whole call) in some calls."""
    rng = random.Random(seed)
    lists = []
    for _ in range(400):
        count = rng.choice([1, 1, 2, 3, 7, 40] + ([1001] if seed % 2 else []))
        gap = rng.choice([1, 255, 256, 70_000])
        start = rng.choice([0, 200, 300, 65_536, 2**30])
        lists.append([start + i * rng.randint(1, gap) for i in range(count)])
    values = [Positions().encode(p) for p in lists]
    counts, spots = decode(values)
    assert counts.tolist() == [len(p) for p in lists]
    assert spots.tolist() == [n for p in lists for n in p]
    sizes = np.array([len(v) for v in values], dtype=np.int64)
    framed = _framed(np.frombuffer(b"".join(values), dtype=np.uint8), sizes)
    assert (framed is None) == (seed % 2 == 1)  # no slower way where every list is short
    if framed is not None:
        assert framed[1].tolist() == spots.tolist()
