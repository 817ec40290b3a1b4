"""IDCATRDFHarvester hooks: sources of ckanext-dcat's stock ``dcat_rdf`` type land in our schema.

The stock harvester keeps its own rules (it deletes whatever a catalogue stops listing and
matches datasets by guid across sources), so our sources use ``datagrandest_dcat``; these
hooks make a ``dcat_rdf`` source created by hand behave as well as it can: datasets fitted
to the regional schema instead of raw extras, and a hydra next page looping back to a page
already read ends the gather instead of looping (ckanext-dcat #260).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Final

import ckan.plugins as p
from rdflib.namespace import Namespace

from ckanext.datagrandest.harvesters.dcat import to_schema
from ckanext.dcat.interfaces import IDCATRDFHarvester

HYDRA: Final = Namespace("http://www.w3.org/ns/hydra/core#")
# Pages read per job, for the jobs running in this process (a few at a time).
_MAX_JOBS: Final = 50
_pages_read: OrderedDict[str, set[str]] = OrderedDict()
# Fields the stock import sets before the hooks run and needs afterwards.
_KEPT: Final = ("id", "name", "owner_org", "type", "private")


def _pages_of(job: Any) -> set[str]:
    key = str(getattr(job, "id", "") or id(job))
    pages = _pages_read.pop(key, set())
    _pages_read[key] = pages
    while len(_pages_read) > _MAX_JOBS:
        _pages_read.popitem(last=False)
    return pages


class DCATRDFHooks(p.SingletonPlugin):
    p.implements(IDCATRDFHarvester, inherit=True)

    def before_download(self, url: str, harvest_job: Any) -> tuple[str, list[str]]:
        _pages_of(harvest_job).add(url)
        return url, []

    def after_parsing(self, rdf_parser: Any, harvest_job: Any) -> tuple[Any, list[str]]:
        following = rdf_parser.next_page()
        if following and following in _pages_of(harvest_job):
            # Drop the link back: the stock loop then ends after this page, keeping
            # every dataset read so far.
            for predicate in (HYDRA.next, HYDRA.nextPage):
                rdf_parser.g.remove((None, predicate, None))
            return rdf_parser, [
                f"Pagination en boucle : la page suivante {following} a déjà été lue ; "
                "collecte arrêtée à cette page."
            ]
        return rdf_parser, []

    def before_create(self, harvest_object: Any, dataset_dict: dict, temp_dict: dict) -> None:
        _fit(dataset_dict)

    def before_update(self, harvest_object: Any, dataset_dict: dict, temp_dict: dict) -> None:
        _fit(dataset_dict)


def _fit(dataset_dict: dict[str, Any]) -> None:
    # The stock harvester keeps using the same dict: change it in place.
    kept = {k: dataset_dict[k] for k in _KEPT if k in dataset_dict}
    fitted = to_schema(dataset_dict)
    dataset_dict.clear()
    dataset_dict.update(fitted)
    dataset_dict.update(kept)
