"""Cleaning of harvested text: HTML becomes Markdown or plain text, so no markup reaches a page.

Our schema refuses HTML in text fields (publishers write Markdown); remote portals send
HTML (Opendatasoft) or Markdown with stray HTML (udata). The HTML is read by a real HTML
parser and sanitiser (``nh3``, Ammonia's html5ever), never by regular expressions: formatting
worth keeping (paragraphs, lists, headings, emphasis, http(s)/mailto links) becomes Markdown,
scripts and styles go with their content, every other tag and attribute goes and its text
stays. Entities are decoded and the text cleaned again until stable, so an encoded
``&lt;img onerror=…&gt;`` cannot come back as a tag; what is left never holds ``<`` followed
by a letter, so no renderer downstream (the API and the DCAT export carry the raw text) can
read a tag in it. Markdown links (inline, images, references, autolinks) and URL fields keep
only http(s), ftp and mailto addresses: ``javascript:``, ``vbscript:``, ``data:`` and the
like are dropped. A tag, comment or script left open never swallows the text after it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any, Final

import nh3

__all__ = [
    "clean_dataset",
    "clean_markup",
    "clean_plain",
    "clean_url",
    "has_unsafe_link",
    "holds_html",
    "unsafe_link",
]

# Fields rendered as Markdown; others are plain text.
_MARKUP_KEYS: Final = frozenset({"notes", "description"})
# Fields holding a web address (docs/field-contract.md), besides any key ending in _url/_uri.
_URL_KEYS: Final = frozenset(
    {"url", "uri", "landing_page", "documentation", "conforms_to", "website", "homepage", "page"}
)
# A guard against pasted documents only: the schema's own caps (logic/validators.py) cut a
# harvested text further and say so in a warning (harvest_warnings.py: accept and say).
_MAX_LENGTH: Final[dict[str, int]] = {}
_DEFAULT_MAX: Final = 100_000
_URL_SCHEMES: Final = ("http://", "https://", "ftp://")
_LINK_SCHEMES: Final = frozenset({"http", "https", "mailto", "ftp"})
# Dropped with their content; every other tag goes and its text stays.
_DROPPED_WITH_CONTENT: Final = frozenset({"script", "style"})
_MARKDOWN_TAGS: Final = frozenset(
    {"a", "p", "br", "b", "strong", "i", "em", "ul", "ol", "li", "div", "blockquote", "pre"}
    | {"table", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_PASSES: Final = 4
# Longest link label looked for when a link must go (Markdown labels are short).
_MAX_LABEL: Final = 1000
# Input read per field: this many times the length kept (the rest would be cut anyway).
_INPUT_FACTOR: Final = 4

_SPACES: Final = re.compile(r"\s+")
_BLANK_LINES: Final = re.compile(r"\n[ \t]*\n(\s*\n)+")
# Markdown autolinks of safe schemes (<https://…>, <nom@exemple.fr>): text, not tags.
_AUTOLINK: Final = re.compile(
    r"<(?:(?:https?|ftp|mailto):[^\s<>]++|[^\s<>@/:]++@[^\s<>@.]++(?:\.[^\s<>@.]++)++)>",
    re.IGNORECASE,
)
# A "<" an HTML parser would read as the start of a tag, comment or declaration.
_TAG_START: Final = re.compile(r"<(?=[A-Za-z/!?])")
_OPENERS: Final = re.compile(r"<(?:(script|style)\b|(!--))", re.IGNORECASE)
_CLOSERS: Final = {
    "script": re.compile(r"</script", re.IGNORECASE),
    "style": re.compile(r"</style", re.IGNORECASE),
    "--": re.compile(r"-->"),
}
_SCHEME: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_INVISIBLE: Final = re.compile(r"[\x00-\x20\x7f]+")
_REFERENCE_DEF: Final = re.compile(
    r"^ {0,3}\[(?:[^\]\\\n]|\\.)++\]:[ \t]*\n?[ \t]*(<[^>\n]*>|\S+)[^\n]*\n?", re.MULTILINE
)


# --- Links -----------------------------------------------------------------------------


def unsafe_link(target: str) -> bool:
    """True when a link would run or embed something (javascript:, vbscript:, data:, file:…).

    Read as browsers do: entities decoded, spaces and control characters ignored, scheme
    case-insensitive. A link without a scheme (relative) is not unsafe.
    """
    cleaned = _INVISIBLE.sub("", html.unescape(target))
    found = _SCHEME.match(cleaned)
    return found is not None and found.group(1).lower() not in _LINK_SCHEMES


class _Next:
    """Position of the next given character at or after i; amortised, since i only grows."""

    def __init__(self, text: str, char: str) -> None:
        self.text, self.char, self.found = text, char, -2

    def __call__(self, i: int) -> int:
        if self.found == -1 or self.found >= i:
            return self.found
        self.found = self.text.find(self.char, i)
        return self.found


def _destination_end(
    text: str, start: int, next_paren: _Next, next_gt: _Next
) -> tuple[str, int] | None:
    """The destination of an inline link opening at ``start`` (after "("), and where it ends."""
    i = start
    while i < len(text) and text[i] in " \t\n":
        i += 1
    if i < len(text) and text[i] == "<" and next_gt(i) >= 0:
        close = next_gt(i)
        destination, i = text[i + 1 : close], close + 1
    else:
        depth, begin = 0, i
        while i < len(text) and not text[i].isspace():
            if text[i] == "(":
                depth += 1
            elif text[i] == ")":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        destination = text[begin:i]
    close = next_paren(i)
    return (destination, close + 1) if close >= 0 else None


def _label_start(text: str, bracket: int, floor: int) -> int | None:
    """Where the "[" matching the "]" at ``bracket`` is, looking back no further than floor."""
    depth = 0
    for i in range(bracket, max(floor, bracket - _MAX_LABEL) - 1, -1):
        if text[i] == "]":
            depth += 1
        elif text[i] == "[":
            depth -= 1
            if depth == 0:
                return i
    return None


def _drop_unsafe_links(text: str) -> str:
    """Inline links and images to unsafe addresses become their label; such references go.

    Linear in the text's length: a crafted text of many "](" must not cost its square.
    """
    if "](" not in text and "]:" not in text:
        return text
    text = _REFERENCE_DEF.sub(lambda m: "" if unsafe_link(m.group(1).strip("<>")) else m[0], text)
    next_paren, next_gt = _Next(text, ")"), _Next(text, ">")
    out: list[str] = []
    done = search = 0
    while (bracket := text.find("](", search)) >= 0:
        found = _destination_end(text, bracket + 2, next_paren, next_gt)
        if found is None:
            break  # no ")" after this point: no link can end any more
        destination, end = found
        if unsafe_link(destination):
            start = _label_start(text, bracket, done)
            if start is None:
                out.append(text[done : bracket + 1])  # "[label]" stays as text, link gone
            else:
                image = start > done and text[start - 1] == "!"
                out.append(text[done : start - 1 if image else start])
                out.append(text[start + 1 : bracket])
            done = end
        search = max(end, bracket + 2)
    out.append(text[done:])
    return "".join(out)


# --- HTML ------------------------------------------------------------------------------


def _defuse_unclosed(text: str) -> str:
    """Open tags, comments and scripts that never close become text instead of eating the rest.

    An HTML parser reads ``<svg onload=… rest`` (no ">") as one tag, and ``<script>`` or
    ``<!--`` without their end as running to the end of the text.
    """
    last_close = text.rfind(">")
    tail = text[last_close + 1 :]
    if "<" in tail:
        text = text[: last_close + 1] + _TAG_START.sub("< ", tail)
    # An opener is unclosed when no closer of its kind comes after it: compare with the
    # last closer of each kind (one pass each, whatever the number of openers).
    last_closer = {}
    for kind, closer in _CLOSERS.items():
        last_closer[kind] = max((m.start() for m in closer.finditer(text)), default=-1)
    pieces, done = [], 0
    for match in _OPENERS.finditer(text):
        kind = match.group(1).lower() if match.group(1) else "--"
        if last_closer[kind] < match.end():
            pieces.append(text[done : match.start()] + "< ")
            done = match.start() + 1
    pieces.append(text[done:])
    text = "".join(pieces)
    return text


def _protect_autolinks(text: str) -> str:
    return _AUTOLINK.sub(lambda m: html.escape(m[0], quote=False), text)


def _text_pass(text: str) -> str:
    cleaned = nh3.clean(
        _protect_autolinks(_defuse_unclosed(text)),
        tags=set(),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        strip_comments=True,
    )
    return html.unescape(cleaned)


def _strip_html(text: str) -> str:
    """Text without any tag, entities decoded, cleaned again until nothing changes."""
    if "<" not in text and "&" not in text:
        return text
    for _ in range(_PASSES):
        cleaned = _text_pass(text)
        if cleaned == text:
            break
        text = cleaned
    # Whatever encoding depth was used, no "<" may still open a tag.
    return _TAG_START.sub("< ", _protect_autolinks_marked(text))


def _protect_autolinks_marked(text: str) -> str:
    # _TAG_START must spare safe autolinks: mark their "<" with a character HTML ignores here.
    return _AUTOLINK.sub(lambda m: "\x00" + m[0][1:], text)


def _unmark(text: str) -> str:
    return text.replace("\x00", "<")


class _Markdown(HTMLParser):
    """nh3's sanitised HTML (only _MARKDOWN_TAGS, href on links) written as Markdown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._link: tuple[str, int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("b", "strong"):
            self.out.append("**")
        elif tag in ("i", "em"):
            self.out.append("*")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag[0] == "h" and tag[1:].isdigit():
            self.out.append("\n\n" + "#" * int(tag[1:]) + " ")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._link = (href, len(self.out))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("b", "strong"):
            self.out.append("**")
        elif tag in ("i", "em"):
            self.out.append("*")
        elif tag in ("p", "div", "ul", "ol", "table", "tr", "blockquote", "pre"):
            self.out.append("\n\n")
        elif tag[0] == "h" and tag[1:].isdigit():
            self.out.append("\n\n")
        elif tag == "a" and self._link is not None:
            href, start = self._link
            self._link = None
            label = "".join(self.out[start:]).strip()
            del self.out[start:]
            if href and not unsafe_link(href) and _SCHEME.match(href):
                self.out.append(f"[{label or href}]({href})")
            else:
                self.out.append(label)

    def handle_data(self, data: str) -> None:
        self.out.append(data)


def _html_to_markdown(text: str) -> str:
    if "<" not in text and "&" not in text:
        return text
    sanitised = nh3.clean(
        _protect_autolinks(_defuse_unclosed(text)),
        tags=set(_MARKDOWN_TAGS),
        attributes={"a": {"href"}},
        url_schemes=set(_LINK_SCHEMES),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        strip_comments=True,
        link_rel=None,
    )
    writer = _Markdown()
    writer.feed(sanitised)
    writer.close()
    return "".join(writer.out)


# --- Fields ----------------------------------------------------------------------------


def clean_plain(text: str, limit: int = _DEFAULT_MAX) -> str:
    """Text shown as is (titles, keywords, names): no markup, one line."""
    # Past a few times the length kept, markup cannot matter; cutting first bounds the work.
    text = text[: limit * _INPUT_FACTOR].replace("\x00", "")  # NUL: our autolink mark
    return _unmark(_SPACES.sub(" ", _strip_html(text))).strip()[:limit]


def clean_markup(text: str, limit: int = _DEFAULT_MAX) -> str:
    """Descriptions: HTML formatting turned into Markdown, everything else removed."""
    text = text[: limit * _INPUT_FACTOR].replace("\x00", "").replace("\r\n", "\n")
    # Links before the HTML pass (which would eat <javascript:…> destinations) and after it
    # (decoded entities may have written new ones).
    text = _strip_html(_html_to_markdown(_drop_unsafe_links(text)))
    text = _unmark(_drop_unsafe_links(text))
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()[:limit]


def clean_url(url: str) -> str:
    """A link a visitor may click: http(s)/ftp only, so no javascript:, vbscript: or data: URL."""
    url = url.strip()
    return url if url.lower().startswith(_URL_SCHEMES) else ""


def holds_html(text: str) -> bool:
    """True when an HTML parser would find a tag or comment in the text, entity-encoded or not.

    What the schema's check refuses in hand-entered text: ``<img/src=x onerror=…>`` and
    ``&lt;script&gt;`` count; "a < b" and "R&D" do not.
    """
    if "<" not in text and "&" not in text:
        return False
    seen = text.replace("\r\n", "\n").replace("\r", "\n")
    for _ in range(_PASSES):
        decoded = html.unescape(seen)
        if _text_pass(seen) != decoded:
            return True
        if decoded == seen:
            return False
        seen = decoded
    return True


def has_unsafe_link(text: str) -> bool:
    """True when a Markdown link, image or reference points at an unsafe address."""
    return ("](" in text or "]:" in text) and _drop_unsafe_links(text) != text


def _url_key(key: str) -> bool:
    return key in _URL_KEYS or key.endswith(("_url", "_uri"))


def _cleaner(key: str) -> Callable[[str], str]:
    if key in _MARKUP_KEYS:
        return lambda value: clean_markup(value, _MAX_LENGTH.get(key, _DEFAULT_MAX))
    if _url_key(key):
        return clean_url
    return lambda value: clean_plain(value, _MAX_LENGTH.get(key, _DEFAULT_MAX))


def clean_dataset(value: Any, key: str = "") -> Any:
    """Clean every string of a dataset dict, recursively, by what its key holds."""
    if isinstance(value, dict):
        return {k: clean_dataset(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_dataset(item, key) for item in value]
    if not isinstance(value, str):
        return value
    return _cleaner(key)(value)
