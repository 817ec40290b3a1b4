"""Tag (keyword) rules of the portal: CKAN's, plus the apostrophe French needs.

CKAN 2.11 accepts in a tag name only letters, digits, spaces, ``-``, ``_`` and ``.``
(``tag_name_validator``), so "Qualité de l'air" is refused.  We accept the apostrophe as
well, and fold the typographic ones (’ ‘ and the modifier letter ʼ that our harvesters
used to write) to the ASCII ``'``: one keyword gives one tag, one facet entry and one
search, whatever keyboard or source typed it.  Everything else CKAN refuses stays
refused, for the reasons it is refused there: a comma separates tags in ``tag_string``,
a double quote would end the ``tags:"…"`` filter CKAN sends to Solr, and ``< > & /``,
control characters and other punctuation have no place in a keyword.  Length stays
2 to 100 characters (CKAN's ``tag_length_validator``).

The plugin registers ``datagrandest_tag_name`` also under CKAN's own name
``tag_name_validator`` (CKAN lets a plugin replace a core validator), so the ``tags``
part of every package schema, built by CKAN from that name, applies our rule; the
dataset schema's ``tag_string`` uses ``datagrandest_tag_string`` because CKAN's
``tag_string_convert`` calls its own function directly.
"""

from __future__ import annotations

import re
from itertools import count
from typing import Any, Final

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

# Typographic apostrophes folded to the ASCII one.
APOSTROPHES: Final = re.compile("[\u2019\u2018\u02bc]")
_ALLOWED: Final = re.compile(r"[\w '.-]*", re.UNICODE)


def fold_apostrophes(text: str) -> str:
    """``text`` with its typographic apostrophes written ``'``."""
    return APOSTROPHES.sub("'", text)


def datagrandest_tag_name(value: Any, context: Context) -> Any:
    """A tag name of letters, digits, spaces, apostrophes, ``-``, ``_`` or ``.``.

    Typographic apostrophes become ``'``; any other character is refused.
    """
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Must be text"))
    value = fold_apostrophes(value)
    if "," in value:
        raise tk.Invalid(
            tk._('Keyword "{tag}" holds a comma: commas separate keywords').format(tag=value)
        )
    if not _ALLOWED.fullmatch(value):
        raise tk.Invalid(
            tk._(
                'Keyword "{tag}" can only contain letters, digits, spaces, apostrophes (\'), '
                "hyphens (-), underscores (_) or dots (.)"
            ).format(tag=value)
        )
    return value


def datagrandest_tag_string(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Comma-separated keywords (or a list of them) turned into the dataset's tags.

    Each keyword is stripped, checked for length and characters and added as a tag;
    the first bad one is reported on ``tag_string``.
    """
    value = data[key]
    words = value.split(",") if isinstance(value, str) else value
    if not isinstance(words, list):
        raise tk.Invalid(tk._("Must be text"))
    names: list[str] = []
    for word in words:
        if not isinstance(word, str):
            raise tk.Invalid(tk._("Must be text"))
        if word.strip():
            names.append(word.strip())
    tag_length_validator = tk.get_validator("tag_length_validator")
    checked = [
        datagrandest_tag_name(tag_length_validator(name, context), context) for name in names
    ]
    taken = [int(k[1]) for k in data if len(k) == 3 and k[0] == "tags"]
    for number, name in zip(count(max(taken, default=-1) + 1), checked, strict=False):
        data[("tags", number, "name")] = name
