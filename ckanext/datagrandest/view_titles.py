"""Resource views' default titles in the reader's language.

CKAN stores a view's title when it makes the view: the view plugin's ``default_title``,
translated in the language of whatever made it (a page, a harvest job, a command). A map view
made by a harvest read "Map viewer" on the French pages, and one made from a French page would
read "Carte" on the English ones. A title that is still one of the default views' titles, in
any language the portal offers, is shown in the page's language; a title someone wrote is
shown as written. Nothing stored changes.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict
from flask import has_request_context
from flask_babel import force_locale

__all__ = ["DEFAULT_TITLES", "resource_view_list", "resource_view_show", "shown_title"]

# The default titles of the views in ckan.views.default_views (config/portal.ini), as their
# plugins write them: geo_view, datatables_view, image_view, geojson_view.
DEFAULT_TITLES = ("Map viewer", "Table", "Image", "GeoJSON")


@cache
def _known_titles(locales: tuple[str, ...]) -> dict[str, str]:
    """Each default title in each locale -> its message id."""
    known = {title: title for title in DEFAULT_TITLES}
    for locale in locales:
        with force_locale(locale):
            known.update({tk._(title): title for title in DEFAULT_TITLES})
    return known


def shown_title(title: Any) -> Any:
    """The title to show: a default view title in the page's language, any other as given."""
    if not isinstance(title, str) or not has_request_context():
        return title
    locales = tuple(tk.config.get("ckan.locales_offered") or ["fr", "en"])
    message = _known_titles(locales).get(title.strip())
    return title if message is None else tk._(message)


def _localised(view: Any) -> Any:
    if isinstance(view, dict) and "title" in view:
        return {**view, "title": shown_title(view["title"])}
    return view


# What the pages read views through (the dataset page's preview, the resource page's tabs).


@tk.side_effect_free
@tk.chained_action
def resource_view_show(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    return _localised(up_func(context, data_dict))


@tk.side_effect_free
@tk.chained_action
def resource_view_list(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    return [_localised(view) for view in up_func(context, data_dict)]
