"""The datagrandest plugin: wires our modules into CKAN and does nothing else."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation


@tk.blanket.config_declarations
@tk.blanket.cli
class DataGrandEstPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    # IConfigurer

    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
