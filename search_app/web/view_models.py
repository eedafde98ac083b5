"""What the HTML templates print: facet groups, filter chips, pager, citations (no Flask)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from indexer.fields import FACETS, SUBCATEGORY_JOIN
from search_app.search.models import MAX_PAGE, FacetValue, SearchPage, SearchRequest

Pairs = tuple[tuple[str, str], ...]

FACET_LABELS = {
    "outcome": "Decision outcome",
    "reason": "Reviewer's reasons",
    "case_outcome": "Letter outcome",
    "category": "Treatment",
    "subcategory": "Treatment type",
    "guideline": "Guideline",
    "guideline_source": "Guideline source",
    "specialty": "Reviewer specialty",
    "state": "Reviewer licensed in",
    "body_region": "Body region",
    "year": "Decision year",
}
# Two-level facets: parent facet -> (child facet, what the children are called).
CHILD_FACETS = {"category": ("subcategory", "type"), "guideline": ("guideline_source", "source")}
CHILD_OF = {child: parent for parent, (child, _) in CHILD_FACETS.items()}
OPEN_FACETS = frozenset(("outcome", "reason", "category", "guideline", "year"))
VISIBLE_VALUES = 6
DATE_PARAMS = {
    "decided_from": "Decided from",
    "decided_to": "Decided until",
    "injured_from": "Injured from",
    "injured_to": "Injured until",
}
# Parameters that shape the view of a result list rather than the result set.
VIEW_PARAMS = ("sort", "per_page")
SORT_LABELS = (("relevance", "Relevance"), ("newest", "Newest first"), ("oldest", "Oldest first"))
PAGE_SIZES = (20, 50, 100)
OUTCOME_ICONS = {"Upheld": "\u2298", "Overturned": "\u2713", "Partially Overturned": "\u25d0"}
# Bluebook month abbreviations, as in "Dec. 9, 2016".
MONTHS = (
    "Jan.", "Feb.", "Mar.", "Apr.", "May", "June",
    "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
)  # fmt: skip
PAGER_RADIUS = 2


@dataclass(frozen=True, slots=True)
class FacetOption:
    facet: str
    value: str
    label: str
    count: int
    selected: bool
    children: tuple[FacetOption, ...] = ()

    @property
    def open(self) -> bool:
        """Whether the children list starts unfolded (something in it is selected)."""
        return self.selected or any(c.selected for c in self.children)


@dataclass(frozen=True, slots=True)
class FacetGroup:
    name: str
    label: str
    options: tuple[FacetOption, ...]  # shown at once
    more: tuple[FacetOption, ...]  # behind "show more"
    child_label: str = ""

    @property
    def selected_count(self) -> int:
        every = (*self.options, *self.more)
        return sum(o.selected for o in every) + sum(c.selected for o in every for c in o.children)

    @property
    def open(self) -> bool:
        return self.name in OPEN_FACETS or self.selected_count > 0


@dataclass(frozen=True, slots=True)
class Chip:
    label: str
    remove_url: str


@dataclass(frozen=True, slots=True)
class PagerItem:
    text: str
    url: str | None  # None for the "..." gap
    current: bool = False
    label_for_sr: str | None = None


# ---- URL state ----------------------------------------------------------------------------


def clean_pairs(pairs: Iterable[tuple[str, str]]) -> Pairs:
    """Drop empty parameters (an empty form field) so links stay short and stable."""
    return tuple((k, v) for k, v in pairs if v.strip())


def search_url(base: str, pairs: Sequence[tuple[str, str]]) -> str:
    """Return base with pairs as its query string."""
    return f"{base}?{urlencode(list(pairs))}" if pairs else base


def without_page(pairs: Pairs) -> Pairs:
    return tuple((k, v) for k, v in pairs if k != "page")


def toggled(pairs: Pairs, key: str, value: str) -> Pairs:
    """Switch one facet value on or off; the result starts again at page 1."""
    rest = without_page(pairs)
    kept = tuple((k, v) for k, v in rest if not (k == key and v.strip() == value))
    return kept if len(kept) < len(rest) else (*rest, (key, value))


def replaced(pairs: Pairs, key: str, value: str | None) -> Pairs:
    """Set (or with None remove) a single-valued parameter; back to page 1."""
    kept = tuple((k, v) for k, v in without_page(pairs) if k != key)
    return kept if value is None else (*kept, (key, value))


def only(pairs: Pairs, keys: Iterable[str]) -> Pairs:
    wanted = frozenset(keys)
    return tuple((k, v) for k, v in pairs if k in wanted)


# ---- facets and chips ---------------------------------------------------------------------


def child_label(facet: str, value: str) -> str:
    """The part of a child value the UI shows under its parent."""
    if facet == "subcategory" and SUBCATEGORY_JOIN in value:
        return value.split(SUBCATEGORY_JOIN, 1)[1]
    return value


def _option(facet: str, fv: FacetValue, children: tuple[FacetOption, ...] = ()) -> FacetOption:
    label = child_label(facet, fv.value) if facet in CHILD_OF else fv.value
    return FacetOption(facet, fv.value, label, fv.count, fv.selected, children)


def _tree_options(page: SearchPage, parent_facet: str) -> list[FacetOption]:
    child_facet = CHILD_FACETS[parent_facet][0]
    children: dict[str, list[FacetOption]] = {}
    orphans: list[FacetOption] = []
    parents = page.facets.get(parent_facet, ())
    known = {fv.value for fv in parents}
    for fv in page.facets.get(child_facet, ()):
        option = _option(child_facet, fv)
        if fv.parent in known:
            children.setdefault(fv.parent or "", []).append(option)
        else:  # a selected child whose parent has no count here: show it with its parent's name
            label = f"{fv.parent} \u203a {option.label}" if fv.parent else option.label
            orphans.append(FacetOption(child_facet, fv.value, label, fv.count, fv.selected))
    options = [_option(parent_facet, fv, tuple(children.get(fv.value, ()))) for fv in parents]
    return options + orphans


def _split_visible(options: list[FacetOption]) -> tuple[tuple[FacetOption, ...], ...]:
    head = options[:VISIBLE_VALUES]
    tail = options[VISIBLE_VALUES:]
    head += [o for o in tail if o.open]
    return tuple(head), tuple(o for o in tail if not o.open)


def facet_groups(page: SearchPage) -> list[FacetGroup]:
    """Arrange the page's facet counts for the sidebar, children under their parents."""
    groups: list[FacetGroup] = []
    for name in FACETS:
        if name in CHILD_OF:
            continue
        if name in CHILD_FACETS:
            options = _tree_options(page, name)
        else:
            options = [_option(name, fv) for fv in page.facets.get(name, ())]
        if name == "year":
            options.sort(key=lambda o: o.value, reverse=True)
        shown, more = _split_visible(options)
        kids = CHILD_FACETS.get(name, ("", ""))[1]
        groups.append(FacetGroup(name, FACET_LABELS[name], shown, more, kids))
    return groups


def chips(req: SearchRequest, pairs: Pairs, base: str) -> list[Chip]:
    """One removable chip per active filter value and date bound."""
    result: list[Chip] = []
    for facet, values in req.filters:
        for value in values:
            shown = value.replace(SUBCATEGORY_JOIN, " \u203a ")
            label = f"{FACET_LABELS.get(facet, facet)}: {shown}"
            result.append(Chip(label, search_url(base, toggled(pairs, facet, value))))
    bounds = {
        "decided_from": req.decided_from,
        "decided_to": req.decided_to,
        "injured_from": req.injured_from,
        "injured_to": req.injured_to,
    }
    for key, bound in bounds.items():
        if bound is not None:
            label = f"{DATE_PARAMS[key]} {long_date(bound)}"
            result.append(Chip(label, search_url(base, replaced(pairs, key, None))))
    return result


# ---- pages --------------------------------------------------------------------------------


def pager(page: SearchPage, pairs: Pairs, base: str) -> list[PagerItem]:
    """Previous, a window of page numbers around the current one with the ends, Next."""
    last = min(page.page_count, MAX_PAGE)
    current = page.request.page
    if last <= 1:
        return []

    def link(number: int) -> str:
        return search_url(base, replaced(pairs, "page", str(number)) if number > 1 else
                          without_page(pairs))  # fmt: skip

    items: list[PagerItem] = []
    if current > 1:
        items.append(PagerItem("\u2039 Previous", link(current - 1), label_for_sr="Previous page"))
    numbers = sorted(
        {1, last, *range(max(1, current - PAGER_RADIUS), min(last, current + PAGER_RADIUS) + 1)}
    )
    previous = 0
    for number in numbers:
        if number - previous > 1:
            items.append(PagerItem("\u2026", None))
        items.append(PagerItem(str(number), link(number), number == current, f"Page {number}"))
        previous = number
    if current < last:
        items.append(PagerItem("Next \u203a", link(current + 1), label_for_sr="Next page"))
    return items


def hit_range(page: SearchPage) -> tuple[int, int]:
    """The 1-based positions of the first and last hit on the page."""
    first = (page.request.page - 1) * page.request.per_page + 1
    return first, first + len(page.hits) - 1


def long_date(value: date | None) -> str:
    """Format a date as a citation does: Dec. 9, 2016."""
    if value is None:
        return ""
    return f"{MONTHS[value.month - 1]} {value.day}, {value.year}"
