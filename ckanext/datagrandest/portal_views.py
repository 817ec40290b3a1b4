"""The home page, served from the cached blocks of home.py instead of CKAN's own search."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint

__all__ = ["portal_blueprint"]

portal_blueprint = Blueprint("datagrandest_portal", __name__)


@portal_blueprint.route("/")
def index() -> str:
    """The home page (registered before CKAN's, so it replaces ``home.index``).

    CKAN's view runs a faceted search on every visit for blocks we do not show; ours reads
    everything from ``h.datagrandest_home()``, cached between changes of the catalogue.
    """
    user = tk.current_user
    if user and user.is_authenticated and not getattr(user, "email", None):
        url = tk.h.url_for("user.edit")
        tk.h.flash_notice(
            tk._('Please <a href="%s">update your profile</a> and add your email address. ') % url
            + tk._("%s uses your email address if you need to reset your password.")
            % tk.config.get("ckan.site_title"),
            allow_html=True,
        )
    return tk.render("home/index.html", extra_vars={})
