"""The datagrandest plugin: wires our modules into CKAN and does nothing else."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.datagrandest import config as dge_config
from ckanext.datagrandest import (
    facets,
    home,
    portal_views,
    previews,
    search,
    territory_views,
    views,
    vocabularies,
)
from ckanext.datagrandest.dcat import origin as dcat_origin
from ckanext.datagrandest.dcat import views as dcat_views
from ckanext.datagrandest.harvesters import dedup, provenance
from ckanext.datagrandest.quality import assess as quality
from ckanext.datagrandest.quality import compliance as quality_compliance
from ckanext.datagrandest.quality import harvest as quality_harvest
from ckanext.datagrandest.quality import views as quality_views


@tk.blanket.config_declarations
@tk.blanket.cli
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.validators
@tk.blanket.helpers
class DataGrandEstPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IOrganizationController, inherit=True)
    p.implements(p.IBlueprint)

    # IConfigurer

    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "datagrandest")
        # Our licence list ships in the package; its path is only known at start-up.
        config["licenses_group_url"] = vocabularies.LICENSES_PATH.as_uri()

    def update_config_schema(self, schema: Any) -> Any:
        return dge_config.editable_schema(schema)

    # IPackageController

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        if search.shown_internally(context):
            return pkg_dict  # display-only fields: not for the indexer nor activity snapshots
        return quality.add_quality(dedup.add_sources(provenance.add_provenance(pkg_dict)))

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        home.catalogue_changed()
        pkg_dict = dcat_origin.index_fields(pkg_dict)
        return search.before_dataset_index(
            quality.index_fields(dedup.strip_from_index(provenance.strip_from_index(pkg_dict)))
        )

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        quality_harvest.remember_grade_before(context, pkg_dict["id"], created=True)
        quality_compliance.enqueue_refresh(pkg_dict["id"])

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        quality_harvest.remember_grade_before(context, pkg_dict["id"])
        quality_compliance.enqueue_refresh(pkg_dict["id"])
        previews.add_service_views(pkg_dict)

    # IPackageController and IOrganizationController share this name.
    def create(self, entity: Any) -> None:
        home.catalogue_changed()

    def edit(self, entity: Any) -> None:
        home.catalogue_changed()
        if getattr(entity, "is_organization", False):
            search.schedule_publisher_reindex(entity)

    def delete(self, entity: Any) -> None:
        home.catalogue_changed()

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return search.before_dataset_search(search_params)

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        return search.after_dataset_search(search_results)

    # IBlueprint

    def get_blueprint(self) -> list[Any]:
        return [
            dcat_views.blueprint,
            views.harvest_blueprint,
            portal_views.portal_blueprint,
            quality_views.blueprint,
            territory_views.territory_blueprint,
            previews.blueprint,
        ]

    # IFacets

    def dataset_facets(self, facets_dict: Any, package_type: str) -> Any:
        return facets.dataset_facets(facets_dict)
