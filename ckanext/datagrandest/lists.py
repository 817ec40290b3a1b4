"""Reading a list field of a dataset as CKAN may hand it: a list, or the JSON text of one."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["as_list"]


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
