"""Issue 22, the attorney's pages, in headless Chromium: trees, citations, state, exports."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.e2e


def _params(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _total(page: Any) -> int:
    heading = page.locator("#results-heading").inner_text()
    match = re.search(r"of ([\d,]+)", heading)
    return int(match.group(1).replace(",", "")) if match else 0


def _box(page: Any, facet: str, value: str) -> Any:
    return page.locator(f'input[name="{facet}"][value="{value}"]')


def _count(page: Any, facet: str, value: str) -> int:
    label = page.locator("label.facet-option", has=_box(page, facet, value))
    return int(label.locator(".facet-count").inner_text().split()[0].replace(",", ""))


def test_treatment_tree_narrows_only_its_own_category(
    page: Any, artifacts: Path, console_errors: list[str]
) -> None:
    page.goto("/?category=Rehabilitation")
    rehab = _total(page)
    with page.expect_navigation():
        _box(page, "category", "Pharmaceuticals").check()
    both = _total(page)
    assert both > rehab
    opioids = _box(page, "subcategory", "Pharmaceuticals > Opioids")
    assert opioids.is_visible()  # a selected category shows its subcategories
    with page.expect_navigation():
        opioids.check()
    # Opioids narrows Pharmaceuticals only: Rehabilitation keeps its decisions and its count.
    assert _box(page, "category", "Rehabilitation").is_checked()
    assert _count(page, "category", "Rehabilitation") == rehab
    opioid_count = _count(page, "subcategory", "Pharmaceuticals > Opioids")
    assert _total(page) == rehab + opioid_count
    page.screenshot(path=str(artifacts / "pages-tree.png"), full_page=True)

    # Removing the category removes its subcategory with it.
    with page.expect_navigation():
        page.get_by_role("link", name="Remove filter Treatment: Pharmaceuticals").click()
    assert _params(page)["category"] == ["Rehabilitation"]
    assert "subcategory" not in _params(page)
    assert _total(page) == rehab
    assert page.locator("input[name=subcategory]:checked").count() == 0

    # A URL with a child but not its parent selects the parent too.
    page.goto("/?category=Rehabilitation&subcategory=Pharmaceuticals+%3E+Opioids")
    assert _box(page, "category", "Pharmaceuticals").is_checked()
    assert _total(page) == rehab + opioid_count

    # Unchecking a parent unchecks its children.
    with page.expect_navigation():
        _box(page, "category", "Pharmaceuticals").uncheck()
    assert _params(page)["category"] == ["Rehabilitation"]
    assert "subcategory" not in _params(page)
    assert console_errors == []


def test_long_facets_get_a_filter_box(page: Any, artifacts: Path, real_corpus: Path) -> None:
    page.goto("/")
    page.locator("#facet-state > summary").click()
    box = page.get_by_label("Filter reviewer licensed in values")
    assert box.is_visible()
    values = page.locator("#facet-state label.facet-option")
    assert values.count() > 12
    box.fill("new")
    visible = page.locator("#facet-state label.facet-option:visible").all_inner_texts()
    assert len(visible) >= 2
    assert all(t.startswith("New ") for t in visible)
    page.screenshot(path=str(artifacts / "pages-filter-box.png"), full_page=True)


CITATION = re.compile(
    r"^(IMR Case No\. CM\d{2}-\d{7}|IMR Determination, Letter \S+), Decision (\d+) "
    r"\(((?:Jan|Feb|Mar|Apr|Aug|Sept|Oct|Nov|Dec)\. \d{1,2}, \d{4}|May \d{1,2}, \d{4}|"
    r"June \d{1,2}, \d{4}|July \d{1,2}, \d{4}|n\.d\.)\) "
    r"\((.+): (Upheld|Overturned|Partially Overturned)\), (http\S+#d\d+)$"
)


def test_pinpoint_citation_names_the_decision_and_its_url(
    page: Any, artifacts: Path, console_errors: list[str]
) -> None:
    page.goto("/?q=MRI")
    page.locator(".hit-title a").nth(1).click()
    page.wait_for_url(re.compile(r"/letters/"))
    anchor = page.url.rsplit("#", 1)[1]
    section = page.locator(f"section#{anchor}")
    text = section.locator("input.cite-text").input_value()
    match = CITATION.match(text)
    assert match, text
    number = int(anchor[1:]) + 1
    assert match[2] == str(number)
    assert f"Decision {number}." in section.locator("h2").inner_text()
    outcome = section.locator("h2 .badge").first.inner_text()
    assert match[5] in outcome
    section.get_by_role("button", name="Cite this decision").click()
    page.wait_for_function(
        "el => el.textContent.length > 0", arg=section.locator(".copy-status").element_handle()
    )
    assert page.evaluate("navigator.clipboard.readText()") == text
    # The URL in the citation opens that decision.
    page.goto(match[6])
    assert page.locator(f"section#{anchor} input.cite-text").input_value() == text
    page.screenshot(path=str(artifacts / "pages-citation.png"), full_page=True)
    assert console_errors == []


def test_short_titles_in_results_letter_and_citation(
    page: Any, artifacts: Path, real_corpus: Path
) -> None:
    page.goto("/?q=treatment%3A%22original+request%22")
    titles = page.locator(".hit-title a")
    assert titles.count() > 0
    for title in titles.all_inner_texts():
        assert "original request" not in title.lower() and len(title) < 160, title
    short = titles.first.inner_text()
    titles.first.click()
    page.wait_for_url(re.compile(r"/letters/"))
    anchor = page.url.rsplit("#", 1)[1]
    section = page.locator(f"section#{anchor}")
    assert short in section.locator("h2").inner_text()
    written = section.locator("dt", has_text="Request as written").locator("xpath=../dd")
    assert "original request" in written.inner_text().lower()  # the whole heading is kept
    cite = section.locator("input.cite-text").input_value()
    assert f"({short}: " in cite and "original request" not in cite.lower()
    page.screenshot(path=str(artifacts / "pages-short-title.png"), full_page=True)


def test_back_to_results_restores_the_whole_search_without_a_referrer(
    page: Any, browser: Any, live_server: str
) -> None:
    search = "/?q=therapy&outcome=Upheld&sort=newest&per_page=20&page=2"
    page.goto(search)
    href = page.locator(".hit-title a").first.get_attribute("href")
    assert "outcome=Upheld" in href and "page=2" in href and "sort=newest" in href
    # Opened as a bookmark or a shared link would be: a new context, no referrer.
    other = browser.new_context(base_url=live_server)
    try:
        tab = other.new_page()
        tab.goto(href)
        with tab.expect_navigation():
            tab.get_by_role("link", name=re.compile("Back to search results")).click()
        assert _params(tab) == _params(page)
    finally:
        other.close()


def test_focus_returns_to_the_filter_clicked(page: Any) -> None:
    page.goto("/?q=therapy")
    box = page.locator("#facet-outcome input[type=checkbox]").first
    value = box.get_attribute("value")
    box.focus()
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert _params(page)["outcome"] == [value]
    focused = page.evaluate("[document.activeElement.name, document.activeElement.value]")
    assert focused == ["outcome", value]


def test_reversed_dates_and_long_query_answer_with_a_notice(page: Any, artifacts: Path) -> None:
    response = page.goto("/?decided_from=2017-02-01&decided_to=2016-12-01")
    assert response.status == 200
    assert "dates were reversed" in page.locator(".notice").first.inner_text()
    assert page.locator("#decided_from").input_value() == "2016-12-01"
    long_text = " ".join(["lumbar radiculopathy failed conservative care"] * 30)
    response = page.goto("/?q=" + long_text.replace(" ", "+"))
    assert response.status == 200
    assert "only the filters were applied" in page.locator(".notice").first.inner_text()
    page.screenshot(path=str(artifacts / "pages-long-query.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Like my case").click()
    assert "/like" in page.url
    assert page.locator(".hits li").count() > 0


def _download(page: Any, name: str, artifacts: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name=name, exact=True).click()
    saved = artifacts / f"pages-{info.value.suggested_filename}"
    info.value.save_as(str(saved))
    return saved


def test_exports_worth_opening(page: Any, artifacts: Path) -> None:
    page.goto("/?q=therapy")
    total = _total(page)
    rows = list(
        csv.DictReader(io.StringIO(_download(page, "CSV", artifacts).read_text("utf-8-sig")))
    )
    assert len(rows) == total
    for column in (
        "short_title",
        "date_of_injury",
        "reviewer_specialties",
        "reviewer_states",
        "reasons",
        "rationale",
        "decision",
    ):
        assert column in rows[0], column
    assert min(int(r["decision"]) for r in rows) == 1
    assert all(r["rationale"] and len(r["rationale"]) <= 32_767 for r in rows)
    assert any(r["date_of_injury"] for r in rows)
    data = json.loads(_download(page, "JSON", artifacts).read_text("utf-8"))
    first = data["results"][0]
    assert first["decision"] >= 1 and first["short_title"] and first["rationale"]
    assert "date_of_injury" in first and "decision_index" not in first

    page.goto("/stats?q=therapy")
    with page.expect_download() as info:
        page.locator("a[href*='stats.csv'][href*='table=year']").first.click()
    table = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text("utf-8-sig"))))
    assert table
    for row in table:
        for key in ("rate", "low", "high"):
            assert len(row[key].partition(".")[2]) <= 4, row


AXE_IMPACTS = ("moderate", "serious", "critical")


@pytest.fixture()
def axe_page(browser: Any, live_server: str) -> Any:
    """A page whose context bypasses the CSP (in the browser only) so axe-core can run."""
    context = browser.new_context(
        base_url=live_server, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize(
    "url", ["/", "/?q=therapy&category=Rehabilitation", "letter", "/stats?q=therapy", "/like"]
)
def test_axe_finds_no_moderate_or_worse_violation(axe_page: Any, url: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    if url == "letter":
        axe_page.goto("/?q=MRI")
        url = axe_page.locator(".hit-title a").first.get_attribute("href")
    axe_page.goto(url)
    found = Axe().run(axe_page).response["violations"]
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in found
        if v["impact"] in AXE_IMPACTS
    ]
    assert bad == [], bad


def test_one_h1_on_the_search_page_and_unique_landmarks_on_the_letter(page: Any) -> None:
    page.goto("/?q=MRI")
    assert page.locator("h1").count() == 1
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/letters/"))
    names = page.locator("section.similar").evaluate_all(
        "els => els.map(e => document.getElementById(e.getAttribute('aria-labelledby'))"
        ".textContent.trim())"
    )
    assert len(names) == len(set(names))


def test_statistics_tables_readable_at_390_px(phone_page: Any, artifacts: Path) -> None:
    phone_page.goto("/stats")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    tables = phone_page.locator("table.stats-table").evaluate_all(
        "ts => ts.map(t => [t.getBoundingClientRect().height,"
        " t.querySelector('tbody th, tbody td').getBoundingClientRect().width])"
    )
    assert tables
    for height, first_column in tables:
        assert first_column >= 90  # a row label reads as words, not a letter a line
        assert height < 3_000
    phone_page.locator("#by-subcategory table").scroll_into_view_if_needed()
    phone_page.screenshot(path=str(artifacts / "pages-stats-phone.png"))


@pytest.mark.parametrize("query", ["therapy", "pain medication guidelines", "lumbar OR cervical"])
def test_snippets_read_quickly(page: Any, query: str) -> None:
    page.goto("/?per_page=100&q=" + query.replace(" ", "+"))
    snippets = page.locator(".hit .snippet").all_inner_texts()
    assert snippets
    for text in snippets:
        assert len(text) <= 340, text
        passages = [p for p in text.strip(" …").split(" … ") if p]
        assert len(passages) <= 2, text


def test_undated_decisions_and_facet_word_notice(page: Any, real_corpus: Path) -> None:
    page.goto("/")
    undated = _box(page, "year", "Date not stated")
    assert undated.count() == 1
    count = _count(page, "year", "Date not stated")
    with page.expect_navigation():
        undated.check()
    assert _total(page) == count > 0
    assert page.locator(".hit time").count() == 0  # none of them has a date
    page.goto("/stats")
    assert page.locator("#by-year th[scope=row]", has_text="Date not stated").count() == 1

    page.goto("/?q=overturned")
    hint = page.locator(".facet-hint a").first
    assert "filter by decision outcome" in hint.inner_text()
    with page.expect_navigation():
        hint.click()
    assert _params(page).get("outcome") == ["Overturned"] and "q" not in _params(page)
