"""Whether our migration has run: pages must not fail on a database that lacks our tables."""

from __future__ import annotations

import logging
import time

import ckan.model as ckan_model
import sqlalchemy as sa

__all__ = ["ready"]

log = logging.getLogger(__name__)
_TABLES = ("datagrandest_link_check", "datagrandest_dcat_compliance")
_state: dict[str, float] = {"ready": 0.0, "checked": 0.0}


def ready() -> bool:
    """True once both tables exist (remembered); rechecked at most once a minute until then.

    Without them (``ckan db pending-migrations --apply`` not run yet) the quality is computed
    with no link health and no DCAT-AP result, and a warning is logged, instead of every
    ``package_show`` failing.
    """
    if _state["ready"]:
        return True
    now = time.monotonic()
    if _state["checked"] and now - _state["checked"] < 60:
        return False
    _state["checked"] = now
    inspector = sa.inspect(ckan_model.Session.get_bind())
    if all(inspector.has_table(name) for name in _TABLES):
        _state["ready"] = 1.0
        return True
    log.warning(
        "Tables of the datagrandest plugin missing: run `ckan db pending-migrations --apply`"
    )
    return False
