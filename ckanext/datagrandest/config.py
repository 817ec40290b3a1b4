"""Typed getters for the ckanext.datagrandest.* options declared in config_declaration.yaml."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def demo_admin_name() -> str:
    return tk.config.get("ckanext.datagrandest.demo.admin_name")


def demo_ogc_url() -> str:
    return str(tk.config.get("ckanext.datagrandest.demo.ogc_url")).rstrip("/")


def harvest_allow_private_addresses() -> bool:
    return tk.asbool(tk.config.get("ckanext.datagrandest.harvest.allow_private_addresses"))


def harvest_timeout() -> float:
    return float(tk.config.get("ckanext.datagrandest.harvest.timeout"))


def harvest_max_response_bytes() -> int:
    return int(tk.config.get("ckanext.datagrandest.harvest.max_response_bytes"))


def harvest_max_redirects() -> int:
    return int(tk.config.get("ckanext.datagrandest.harvest.max_redirects"))


def harvest_max_pages() -> int:
    return int(tk.config.get("ckanext.datagrandest.harvest.max_pages"))


def dcat_catalog_publisher_name() -> str:
    return tk.config.get("ckanext.datagrandest.dcat.catalog_publisher_name")


def dcat_catalog_publisher_uri() -> str:
    return tk.config.get("ckanext.datagrandest.dcat.catalog_publisher_uri")


def dcat_catalog_titles() -> dict[str, str]:
    """Title of the DCAT catalogue per language: the site title in French, ours in English."""
    french = str(tk.config.get("ckan.site_title") or "").strip()
    english = str(tk.config.get("ckanext.datagrandest.dcat.catalog_title_en") or "").strip()
    return {"fr": french, "en": english or french}


def dcat_catalog_descriptions() -> dict[str, str]:
    """Description of the DCAT catalogue per language."""
    return {
        lang: str(
            tk.config.get(f"ckanext.datagrandest.dcat.catalog_description_{lang}") or ""
        ).strip()
        for lang in ("fr", "en")
    }


def dcat_catalog_license() -> str:
    """Our licence id (``data/licenses.json``) of the catalogue's metadata."""
    return str(tk.config.get("ckanext.datagrandest.dcat.catalog_license") or "")


def linkcheck_timeout() -> float:
    return float(tk.config.get("ckanext.datagrandest.linkcheck.timeout"))


def linkcheck_max_redirects() -> int:
    return int(tk.config.get("ckanext.datagrandest.linkcheck.max_redirects"))


def linkcheck_workers() -> int:
    return max(1, int(tk.config.get("ckanext.datagrandest.linkcheck.workers")))


def linkcheck_per_host() -> int:
    return max(1, int(tk.config.get("ckanext.datagrandest.linkcheck.per_host")))


def linkcheck_allow_private_addresses() -> bool:
    return tk.asbool(tk.config.get("ckanext.datagrandest.linkcheck.allow_private_addresses"))


def quality_shacl_shapes() -> list[str]:
    return tk.aslist(tk.config.get("ckanext.datagrandest.quality.shacl_shapes"))


# -- home page and site texts (editable on /ckan-admin/config, see plugin.update_config_schema)

SITE_TEXT_KEYS = (
    "ckanext.datagrandest.home.title_fr",
    "ckanext.datagrandest.home.title_en",
    "ckanext.datagrandest.home.intro_fr",
    "ckanext.datagrandest.home.intro_en",
    "ckanext.datagrandest.about_fr",
    "ckanext.datagrandest.about_en",
)


def site_text(name: str, lang: str) -> str:
    """A site text (``home.title``, ``home.intro``, ``about``) in the language, else French."""
    suffix = "en" if lang.startswith("en") else "fr"
    value = tk.config.get(f"ckanext.datagrandest.{name}_{suffix}")
    if not value and suffix != "fr":
        value = tk.config.get(f"ckanext.datagrandest.{name}_fr")
    return str(value or "").strip()


def home_cache_seconds() -> int:
    return int(tk.config.get("ckanext.datagrandest.home.cache_seconds"))


def home_cache_settle_seconds() -> int:
    return int(tk.config.get("ckanext.datagrandest.home.cache_settle_seconds"))


SITE_TITLE_MAX = 200
SITE_TEXT_MAX = 20000


def _site_title(value: Any) -> Any:
    """A title is one line: it heads the home page and names it in browser tabs."""
    if "\n" in str(value).strip() or len(str(value)) > SITE_TITLE_MAX:
        raise tk.Invalid(
            tk._("A title is one line of at most {max} characters.").format(max=SITE_TITLE_MAX)
        )
    return value


def _site_text(value: Any) -> Any:
    if len(str(value)) > SITE_TEXT_MAX:
        raise tk.Invalid(
            tk._("This text is too long: at most {max} characters.").format(max=SITE_TEXT_MAX)
        )
    return value


def editable_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """CKAN's runtime-editable options plus our site texts (``update_config_schema``)."""
    ignore_missing = tk.get_validator("ignore_missing")
    unicode_safe = tk.get_validator("unicode_safe")
    for key in SITE_TEXT_KEYS:
        check = _site_title if ".title_" in key else _site_text
        schema[key] = [ignore_missing, unicode_safe, check]
    return schema
