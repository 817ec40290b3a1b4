"""Cleaning of harvested text: no script, style or event-handler HTML reaches a page."""

from __future__ import annotations

import re
from typing import Any

import bleach  # type: ignore[import-untyped]

__all__ = ["clean_dataset", "clean_markup", "clean_plain", "clean_url"]

# Fields whose text is rendered as Markdown/HTML: keep harmless formatting only.
_MARKUP_KEYS = frozenset({"notes", "description"})
_SAFE_TAGS = frozenset(
    {"p", "br", "a", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre", "blockquote"}
    | {f"h{level}" for level in range(1, 7)}
)
_SAFE_ATTRIBUTES = {"a": ["href", "title"]}
_SAFE_PROTOCOLS = frozenset({"http", "https", "mailto"})
# bleach keeps the text inside a stripped element; a script's text must go too.
_DANGEROUS_BLOCK = re.compile(
    r"<(script|style|iframe|object|embed|template)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_URL_SCHEMES = ("http://", "https://", "ftp://")


def clean_plain(text: str) -> str:
    """Text shown as is (titles, keywords, names): no markup at all."""
    return _TAG.sub("", _DANGEROUS_BLOCK.sub("", text)).strip()


def clean_markup(text: str) -> str:
    """Descriptions: formatting kept, scripts, styles and on* attributes removed."""
    return bleach.clean(
        _DANGEROUS_BLOCK.sub("", text),
        tags=_SAFE_TAGS,
        attributes=_SAFE_ATTRIBUTES,
        protocols=_SAFE_PROTOCOLS,
        strip=True,
    ).strip()


def clean_url(url: str) -> str:
    """A link a visitor may click: http(s)/ftp only, so no javascript: or data: URL."""
    url = url.strip()
    return url if url.lower().startswith(_URL_SCHEMES) else ""


def clean_dataset(value: Any, key: str = "") -> Any:
    """Clean every string of a dataset dict, recursively, by what its key holds."""
    if isinstance(value, dict):
        return {k: clean_dataset(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_dataset(item, key) for item in value]
    if not isinstance(value, str):
        return value
    if key in _MARKUP_KEYS:
        return clean_markup(value)
    if key == "url" or key.endswith("_url"):
        return clean_url(value)
    return clean_plain(value)
