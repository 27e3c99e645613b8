"""Finding a reply template fast: fuzzy match on title, tags and text, the ticket's own kind first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from store.categories import CATEGORIES

if TYPE_CHECKING:
    from store.replies.library import ReplyTemplate

__all__ = ["category_depth", "category_order", "is_subsequence", "search_templates", "term_score"]


def is_subsequence(needle: str, haystack: str) -> bool:
    """True when needle's characters appear in haystack in order (works per character, so for CJK too)."""
    it = iter(haystack)
    return all(ch in it for ch in needle)


def category_order(path: str) -> tuple[int, int]:
    """Sort key that follows the category tree (pre-sales, orders, after-sales, other), not code points."""
    for position, full in enumerate(CATEGORIES):
        if full == path:
            return (position, 1)
        if full.split("/")[0] == path:
            return (position, 0)
    return (len(CATEGORIES), 0)


def category_depth(template_category: str, ticket_category: str | None) -> int:
    """How many leading path segments the two categories share (0: unrelated or no ticket category)."""
    if not ticket_category:
        return 0
    depth = 0
    for mine, theirs in zip(template_category.split("/"), ticket_category.split("/"), strict=False):
        if mine.strip() != theirs.strip():
            break
        depth += 1
    return depth


def term_score(term: str, template: ReplyTemplate, category_label: str = "") -> int:
    """How well one casefolded search term fits a template; 0 means not at all."""
    title = template.title.casefold()
    tags = [tag.casefold() for tag in template.tags]
    key = template.key.casefold()
    category = f"{template.category} {category_label}".casefold()
    score = 0
    if term in tags:
        score = max(score, 12)
    if term in title:
        score = max(score, 10 if title.startswith(term) else 8)
    if any(term in tag for tag in tags):
        score = max(score, 7)
    if term in key:
        score = max(score, 6)
    if term in category:
        score = max(score, 5)
    if score:
        return score
    if is_subsequence(term, title):
        score = 4
    elif any(is_subsequence(term, tag) for tag in tags) or is_subsequence(term, key):
        score = 3
    elif term in template.text.casefold():
        score = 2
    return score


def search_templates(
    templates: Iterable[ReplyTemplate] | Mapping[str, ReplyTemplate],
    query: str,
    *,
    category: str | None = None,
    language: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[ReplyTemplate]:
    """Templates matching every word of the query, best first.

    Ranking: the ticket's language first, then the ticket's category (the more path
    segments shared, the higher), then how well the query fits. An empty query keeps
    every template in that order. `labels` maps category paths to display labels that
    the query may also match (e.g. English names of the Chinese category paths).
    """
    items = list(templates.values() if isinstance(templates, Mapping) else templates)
    terms = [t for t in query.casefold().split() if t]
    wanted_language = language.casefold() if language else None
    ranked: list[tuple[tuple[int, int, int, tuple[int, int], str], ReplyTemplate]] = []
    for template in items:
        label = (labels or {}).get(template.category, "")
        total = 0
        for term in terms:
            score = term_score(term, template, label)
            if not score:
                break
            total += score
        else:
            same_language = int(wanted_language is not None and template.language.casefold() == wanted_language)
            depth = category_depth(template.category, category)
            ranked.append(((-same_language, -depth, -total, category_order(template.category), template.key), template))
    ranked.sort(key=lambda pair: pair[0])
    return [template for _, template in ranked]
