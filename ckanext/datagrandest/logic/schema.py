"""Validation schemas of our actions."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Schema, Validator

AUTOCOMPLETE_MAX_LIMIT = 50
AUTOCOMPLETE_MAX_QUERY = 100


@tk.validator_args
def territory_autocomplete(
    not_empty: Validator,
    ignore_missing: Validator,
    unicode_safe: Validator,
    default: Validator,
    int_validator: Validator,
    is_positive_integer: Validator,
    one_of: Validator,
    datagrandest_text: Validator,
) -> Schema:
    return {
        "q": [not_empty, unicode_safe, datagrandest_text(AUTOCOMPLETE_MAX_QUERY)],
        "limit": [
            default(10),
            int_validator,
            is_positive_integer,
            _at_most(AUTOCOMPLETE_MAX_LIMIT),
        ],
        "lang": [ignore_missing, unicode_safe, one_of(["fr", "en"])],
    }


def _at_most(maximum: int) -> Validator:
    def validator(value: Any) -> Any:
        # An earlier validator may have failed and left the raw text behind.
        if isinstance(value, int) and value > maximum:
            raise tk.Invalid(tk._("At most {maximum}").format(maximum=maximum))
        return value

    return validator
