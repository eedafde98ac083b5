"""Real flows in headless Chromium: search, facets, pages, letter, citation, export, keyboard."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.e2e

QUERY = "MRI"


def _params(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _total(page: Any) -> int:
    heading = page.locator("#results-heading").inner_text()
    match = re.search(r"of ([\d,]+)", heading)
    return int(match.group(1).replace(",", "")) if match else 0


def test_search_select_and_clear_facets(
    page: Any, artifacts: Path, console_errors: list[str]
) -> None:
    page.goto("/")
    everything = _total(page)
    assert everything > 0
    page.get_by_label("Search determination letters").fill(QUERY)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"q=MRI"))
    found = _total(page)
    assert 0 < found <= everything
    assert page.locator(".hit mark").count() > 0
    page.screenshot(path=str(artifacts / "search.png"), full_page=True)

    # Clicking a facet checkbox submits the form (JS); the URL holds the filter.
    option = page.locator("#facet-outcome input[type=checkbox]").first
    value = option.get_attribute("value")
    with page.expect_navigation():
        option.check()
    assert _params(page)["outcome"] == [value]
    assert _params(page)["q"] == [QUERY]
    assert _total(page) <= found
    chip = page.locator("a.chip")
    assert chip.count() == 1
    page.screenshot(path=str(artifacts / "search-facet.png"), full_page=True)

    with page.expect_navigation():
        chip.first.click()
    assert "outcome" not in _params(page)
    assert _total(page) == found
    assert console_errors == []


def test_second_facet_value_widens_and_sort_submits(page: Any) -> None:
    page.goto("/?q=" + QUERY)
    boxes = page.locator("#facet-outcome input[type=checkbox]")
    if boxes.count() < 2:
        pytest.skip("the corpus has a single outcome for this query")
    with page.expect_navigation():
        boxes.nth(0).check()
    narrowed = _total(page)
    with page.expect_navigation():
        page.locator("#facet-outcome input[type=checkbox]").nth(1).check()
    assert len(_params(page)["outcome"]) == 2
    assert _total(page) >= narrowed
    with page.expect_navigation():
        page.get_by_label("Sort").select_option("newest")
    assert _params(page)["sort"] == ["newest"]
    dates = page.locator(".hit time").evaluate_all("els => els.map(e => e.dateTime)")
    assert dates == sorted(dates, reverse=True)


def test_paging(page: Any) -> None:
    page.goto("/?per_page=5")
    assert _total(page) > 10
    with page.expect_navigation():
        page.get_by_role("link", name="Next page").click()
    assert _params(page)["page"] == ["2"]
    current = page.locator('.pager a[aria-current="page"]')
    assert current.inner_text() == "2"
    assert page.locator("ol.hits").get_attribute("start") == "6"


def test_open_letter_and_copy_citation(
    page: Any, artifacts: Path, console_errors: list[str]
) -> None:
    page.goto("/?q=" + QUERY)
    title = page.locator(".hit-title a").first
    treatment = title.inner_text()
    with page.expect_navigation():
        title.click()
    assert "/letters/" in page.url and re.search(r"#d\d+$", page.url)
    anchor = page.url.rsplit("#", 1)[1]
    section = page.locator(f"section#{anchor}")
    assert treatment in section.locator("h2").inner_text()
    assert page.locator("mark").count() > 0

    text = section.locator("input.cite-text").input_value()
    assert text.startswith(("IMR Case No. ", "IMR Determination"))
    assert treatment in text
    section.get_by_role("button", name="Cite this decision").click()
    page.wait_for_function(
        "el => el.textContent.length > 0", arg=section.locator(".copy-status").element_handle()
    )
    assert page.evaluate("navigator.clipboard.readText()") == text
    page.screenshot(path=str(artifacts / "letter.png"), full_page=True)
    assert console_errors == []


def test_export_downloads_whole_result_set(page: Any, artifacts: Path) -> None:
    page.goto("/?q=" + QUERY)
    total = _total(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    download = info.value
    saved = artifacts / download.suggested_filename
    download.save_as(str(saved))
    rows = list(csv.reader(saved.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][0] == "letter_id"
    assert len(rows) - 1 == total


def test_keyboard_only_search_and_open(page: Any, artifacts: Path) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    else:
        pytest.fail("the search box is not reachable within 10 Tab presses")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus ring
    page.keyboard.type(QUERY)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _params(page)["q"] == [QUERY]
    page.keyboard.press("Tab")  # the skip link first
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # "Skip to main content" moved focus to <main>; Tab on until the first result link.
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.hit-title')"):
            break
    else:
        pytest.fail("no result link reachable by Tab")
    page.screenshot(path=str(artifacts / "keyboard-focus.png"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/letters/" in page.url


def test_works_without_javascript(no_js_page: Any) -> None:
    page = no_js_page
    page.goto("/?q=" + QUERY)
    option = page.locator("#facet-outcome input[type=checkbox]").first
    value = option.get_attribute("value")
    option.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    assert _params(page)["outcome"] == [value]
    assert page.locator("input.cite-text").count() == 0  # still on the search page
    page.locator(".hit-title a").first.click()
    assert page.locator("input.cite-text").first.input_value().startswith("IMR")
    assert page.locator("button.copy-cite").first.is_hidden()


def test_phone_layout(phone_page: Any, artifacts: Path) -> None:
    phone_page.goto("/?q=" + QUERY)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # no sideways scrolling
    phone_page.screenshot(path=str(artifacts / "search-phone.png"), full_page=True)


def test_reasons_as_facet_result_field_and_statistic(
    page: Any, artifacts: Path, console_errors: list[str]
) -> None:
    page.goto("/")
    option = page.locator("#facet-reason input[type=checkbox]").first
    reason = option.get_attribute("value")
    assert reason
    with page.expect_navigation():
        option.check()
    assert _params(page)["reason"] == [reason]
    shown = page.locator(".hit .reasons")
    assert shown.count() > 0 and all(reason in text for text in shown.all_inner_texts())
    page.screenshot(path=str(artifacts / "search-reason.png"), full_page=True)

    page.goto("/stats")
    chart = page.locator("#chart-reasons-upheld")
    chart.scroll_into_view_if_needed()
    assert chart.is_visible()
    assert page.locator("#reasons table").count() == 2
    page.locator("#reasons").screenshot(path=str(artifacts / "stats-reasons.png"))
    assert console_errors == []
