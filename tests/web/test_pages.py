"""Issue 22, the attorney's pages, through the Flask test client over the corpus index."""

from __future__ import annotations

import re
from typing import Any

from search_app.search.request import parse_request
from search_app.web import view_models as vm


def _total(html: str) -> int:
    match = re.search(r"of ([\d,]+)\s+decisions?", html) or re.search(
        r"(\d[\d,]*) decisions?, none", html
    )
    return int(match.group(1).replace(",", "")) if match else 0


def test_a_subcategory_narrows_only_its_own_category(client: Any) -> None:
    rehab = _total(client.get("/?category=Rehabilitation").get_data(as_text=True))
    opioids = _total(client.get("/?subcategory=Pharmaceuticals+%3E+Opioids").get_data(as_text=True))
    assert rehab and opioids
    both = (
        "/?category=Rehabilitation&category=Pharmaceuticals&subcategory=Pharmaceuticals+%3E+Opioids"
    )
    assert _total(client.get(both).get_data(as_text=True)) == rehab + opioids
    # A child alone selects its parent; the page shows the parent checked.
    orphan = client.get("/?category=Rehabilitation&subcategory=Pharmaceuticals+%3E+Opioids")
    html = orphan.get_data(as_text=True)
    assert _total(html) == rehab + opioids
    assert re.search(r'name="category" value="Pharmaceuticals"[^>]*checked', html)


def test_removing_a_category_removes_its_subcategories() -> None:
    pairs = (
        ("category", "Rehabilitation"),
        ("category", "Pharmaceuticals"),
        ("subcategory", "Pharmaceuticals > Opioids"),
    )
    assert vm.toggled(pairs, "category", "Pharmaceuticals") == (("category", "Rehabilitation"),)
    assert vm.toggled(pairs, "subcategory", "Pharmaceuticals > Opioids") == pairs[:2]
    added = vm.toggled((("category", "Rehabilitation"),), "subcategory", "Surgery > Spine")
    assert ("category", "Surgery") in added
    req = parse_request([("subcategory", "Pharmaceuticals > Opioids")])
    assert req.selected("category") == ("Pharmaceuticals",)


def test_counts_of_a_tree_ignore_the_tree_filter(client: Any) -> None:
    url = (
        "/?category=Rehabilitation&category=Pharmaceuticals&subcategory=Pharmaceuticals+%3E+Opioids"
    )
    html = client.get(url).get_data(as_text=True)
    counts = dict(
        re.findall(r'name="category" value="([^"]*)"[^>]*>.*?facet-count">([\d,]+)', html, re.S)
    )
    assert counts["Rehabilitation"] != "0"
    assert 'class="facet-filter"' in html  # the long facets get a filter box
