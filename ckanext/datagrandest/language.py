"""The language of the page being served, for helpers and actions that speak it."""

from __future__ import annotations

import ckan.plugins.toolkit as tk


def page_language() -> str:
    """The request's language (``fr``, ``en``); the portal's, French, outside a request (CLI,
    background jobs) or when CKAN gives none."""
    try:
        return tk.h.lang() or "fr"
    except RuntimeError:
        return "fr"
