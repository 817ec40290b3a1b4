"""Reading a list field of a dataset as CKAN may hand it: a list, or the JSON text of one."""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["as_list", "from_input"]


def as_list(value: Any) -> list[Any]:
    """The list ``value`` holds (itself, or decoded from JSON text); anything else is empty.

    Scheming's repeating fields reach the index and the harvest preview as JSON text, pages
    and the API as lists.
    """
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.startswith("["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return []
        return parsed if isinstance(parsed, list) else []
    return []


def from_input(value: Any, separators: str | None) -> list[Any] | None:
    """A list from what a form or the API sends: a list, the JSON text of one, or text split
    on ``separators`` (a regular expression; None: one value); empty when nothing is given,
    None when the JSON text is unreadable or not a list (the validator then says so)."""
    if value is tk.missing or value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                return None
            return parsed if isinstance(parsed, list) else None
        if separators is None:
            return [text] if text else []
        return [part for part in re.split(separators, text) if part]
    return None
