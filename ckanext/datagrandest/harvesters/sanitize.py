"""Cleaning of harvested text: HTML becomes Markdown or plain text, so no markup reaches a page.

Our schema refuses HTML in text fields (publishers write Markdown); remote portals send
HTML (Opendatasoft) or Markdown with stray HTML (udata). Formatting worth keeping becomes
Markdown, scripts, styles and embedded objects go with their content, every other tag and
event-handler attribute goes, and entities are decoded then checked again so an encoded
``&lt;script&gt;`` cannot come back as a tag.
"""

from __future__ import annotations

import html
import re
from typing import Any, Final

__all__ = ["clean_dataset", "clean_markup", "clean_plain", "clean_url"]

# Fields rendered as Markdown; others are plain text.
_MARKUP_KEYS: Final = frozenset({"notes", "description"})
# Lengths our schema accepts (logic/validators.py): longer text is cut rather than refused.
_MAX_LENGTH: Final = {"title": 300, "notes": 20000, "description": 20000}
_DEFAULT_MAX: Final = 20000

_FLAGS: Final = re.IGNORECASE | re.DOTALL
_DANGEROUS_BLOCK: Final = re.compile(
    r"<(script|style|iframe|object|embed|template|noscript|svg|math)\b.*?(</\1\s*>|$)", _FLAGS
)
_COMMENT: Final = re.compile(r"<!--.*?(-->|$)", re.DOTALL)
_TAG: Final = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?/?>|<!|<\?")
_LINK: Final = re.compile(r"<a\s[^>]*?href\s*=\s*[\"']?([^\"' >]+)[^>]*>(.*?)</a\s*>", _FLAGS)
_BREAK: Final = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK_END: Final = re.compile(r"</(p|div|h[1-6]|ul|ol|table|tr|blockquote|pre)\s*>", re.IGNORECASE)
_ITEM: Final = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_HEADING: Final = re.compile(r"<h([1-6])\b[^>]*>", re.IGNORECASE)
_BOLD: Final = re.compile(r"</?(b|strong)\b[^>]*>", re.IGNORECASE)
_ITALIC: Final = re.compile(r"</?(i|em)\b[^>]*>", re.IGNORECASE)
_BLANK_LINES: Final = re.compile(r"\n[ \t]*\n(\s*\n)+")
_SPACES: Final = re.compile(r"\s+")
_URL_SCHEMES: Final = ("http://", "https://", "ftp://")
_LINK_SCHEMES: Final = ("http://", "https://", "mailto:")


def _strip_tags(text: str) -> str:
    text = _DANGEROUS_BLOCK.sub("", text)
    text = _COMMENT.sub("", text)
    return _TAG.sub("", text)


def _decode(text: str) -> str:
    # Entities may hide tags (&lt;script&gt;): decode, then strip again until stable.
    for _ in range(3):
        decoded = _strip_tags(html.unescape(text))
        if decoded == text:
            break
        text = decoded
    return text


def _link(match: re.Match[str]) -> str:
    href, label = match.group(1).strip(), _strip_tags(match.group(2)).strip()
    if href.lower().startswith(_LINK_SCHEMES):
        return f"[{label or href}]({href})"
    return label


def clean_plain(text: str, limit: int = _DEFAULT_MAX) -> str:
    """Text shown as is (titles, keywords, names): no markup, one line."""
    return _SPACES.sub(" ", _decode(_strip_tags(text))).strip()[:limit]


def clean_markup(text: str, limit: int = _DEFAULT_MAX) -> str:
    """Descriptions: HTML formatting turned into Markdown, everything else removed."""
    text = _DANGEROUS_BLOCK.sub("", text)
    text = _COMMENT.sub("", text)
    text = _LINK.sub(_link, text)
    text = _HEADING.sub(lambda m: "\n\n" + "#" * int(m.group(1)) + " ", text)
    text = _ITEM.sub("\n- ", text)
    text = _BREAK.sub("\n", text)
    text = _BLOCK_END.sub("\n\n", text)
    text = _BOLD.sub("**", text)
    text = _ITALIC.sub("*", text)
    text = _decode(_strip_tags(text))
    text = _BLANK_LINES.sub("\n\n", text.replace("\r\n", "\n"))
    return text.strip()[:limit]


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
    limit = _MAX_LENGTH.get(key, _DEFAULT_MAX)
    if key in _MARKUP_KEYS:
        return clean_markup(value, limit)
    if key == "url" or key.endswith("_url"):
        return clean_url(value)
    return clean_plain(value, limit)
