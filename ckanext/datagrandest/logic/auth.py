"""Auth functions of the datagrandest plugin."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["datagrandest_territory_autocomplete"]


@tk.auth_allow_anonymous_access
def datagrandest_territory_autocomplete(context: Context, data_dict: DataDict) -> AuthResult:
    # Public reference data: anyone, signed in or not, may look territories up.
    return {"success": True}
