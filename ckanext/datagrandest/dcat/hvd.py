"""High-value datasets in DCAT-AP 3 (DCAT-AP HVD 3.0.0), both ways.

Export: the stock profile already writes a dataset's ``dcatap:applicableLegislation`` (typed
``eli:LegalResource``) and ``dcatap:hvdCategory`` from our fields; here each HVD category is
described once per page (``concepts.describe``: ``skos:Concept`` in the scheme
``http://data.europa.eu/bna/asd487ae75``, labels in French and English), a distribution that
names no legislation gets its dataset's, and each data service (``dcat/services.py``) gets the
legislation and categories of its resource, else of its dataset.  That is what the HVD shapes
ask of every distribution and service of a high-value dataset.

Import: the stock parser leaves both lists as JSON extras of the dataset and of each
distribution; they go to our fields, with the categories of the access services on their
resource.  Data services that serve the dataset without a distribution (``dcat:servesDataset``
only, listed by the catalogue's ``dcat:service``) become API resources of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from ckanext.datagrandest import hvd
from ckanext.datagrandest.dcat import concepts

__all__ = [
    "DCATAP",
    "ELI_LEGAL_RESOURCE",
    "dataset_to_graph",
    "distribution_to_graph",
    "parse_dataset",
    "service_to_graph",
]

DCATAP: Final = "http://data.europa.eu/r5r/"
APPLICABLE_LEGISLATION: Final = URIRef(DCATAP + "applicableLegislation")
HVD_CATEGORY: Final = URIRef(DCATAP + "hvdCategory")
ELI_LEGAL_RESOURCE: Final = URIRef("http://data.europa.eu/eli/ontology#LegalResource")


def _field(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        value = next(
            (e.get("value") for e in data.get("extras") or [] if e.get("key") == key), None
        )
    return hvd.uri_list(value)


def _legislation(graph: Graph, node: URIRef, uris: Iterable[str]) -> None:
    for uri in uris:
        ref = URIRef(uri)
        graph.add((node, APPLICABLE_LEGISLATION, ref))
        graph.add((ref, RDF.type, ELI_LEGAL_RESOURCE))


def _categories(graph: Graph, node: URIRef, uris: Iterable[str]) -> None:
    for uri in uris:
        graph.add((node, HVD_CATEGORY, URIRef(uri)))
        concepts.describe(graph, uri)


def dataset_to_graph(graph: Graph, dataset: Mapping[str, Any], dataset_ref: URIRef) -> None:
    """Describe the categories the stock profile linked (and link any it missed)."""
    _legislation(graph, dataset_ref, _field(dataset, "applicable_legislation"))
    _categories(graph, dataset_ref, _field(dataset, "hvd_category"))


def distribution_to_graph(
    graph: Graph, dataset: Mapping[str, Any], resource: Mapping[str, Any], distribution: URIRef
) -> None:
    """The resource's legislation, else its dataset's."""
    own = _field(resource, "applicable_legislation")
    _legislation(graph, distribution, own or _field(dataset, "applicable_legislation"))


def service_to_graph(
    graph: Graph, dataset: Mapping[str, Any], resource: Mapping[str, Any], service: URIRef
) -> None:
    """The legislation and HVD categories of the service's resource, else its dataset's."""
    legislation = _field(resource, "applicable_legislation") or _field(
        dataset, "applicable_legislation"
    )
    _legislation(graph, service, legislation)
    categories = _field(resource, "hvd_category") or _field(dataset, "hvd_category")
    if hvd.HVD_LEGISLATION in legislation:
        _categories(graph, service, categories)


# -- RDF -> CKAN -----------------------------------------------------------------------


def _values(graph: Graph, node: Any, predicate: URIRef) -> list[str]:
    return [str(value) for value in graph.objects(node, predicate) if str(value).strip()]


def parse_dataset(graph: Graph, dataset: dict[str, Any], dataset_ref: URIRef) -> None:
    """Move the HVD fields the stock parser left in extras (dataset and resources) to our
    fields; add the services that serve the dataset without a distribution as API resources."""
    extras = dataset.setdefault("extras", [])
    for key in ("applicable_legislation", "hvd_category"):
        value = _field(dataset, key)
        extras[:] = [e for e in extras if e.get("key") != key]
        dataset.pop(key, None)
        if value:
            dataset[key] = value
    linked: set[str] = set()
    for resource in dataset.get("resources", []):
        # Lists, not the stock parser's JSON texts: the harvesters' URL cleaning reads a
        # "documentation" text as one address.
        for key in ("applicable_legislation", "documentation"):
            values = hvd.uri_list(resource.get(key))
            resource.pop(key, None)
            if values:
                resource[key] = values
        ref = resource.get("distribution_ref") or resource.get("uri")
        if not ref:
            continue
        for service in graph.objects(URIRef(ref), DCAT.accessService):
            linked.add(str(service))
            _service_fields(graph, service, resource)
    for service in graph.subjects(DCAT.servesDataset, dataset_ref):
        if str(service) in linked or (service, RDF.type, DCAT.DataService) not in graph:
            continue
        endpoint = next(iter(_values(graph, service, DCAT.endpointURL)), None)
        if not endpoint:
            continue
        titles = _values(graph, service, DCTERMS.title)
        resource = {"url": endpoint, "name": titles[0] if titles else endpoint, "is_api": "true"}
        if isinstance(service, URIRef):
            resource["uri"] = str(service)
        _service_fields(graph, service, resource)
        dataset.setdefault("resources", []).append(resource)


def _service_fields(graph: Graph, service: Any, resource: dict[str, Any]) -> None:
    categories = _values(graph, service, HVD_CATEGORY)
    if categories:
        resource["hvd_category"] = categories
    if not hvd.uri_list(resource.get("applicable_legislation")):
        legislation = _values(graph, service, APPLICABLE_LEGISLATION)
        if legislation:
            resource["applicable_legislation"] = legislation
    pages = _values(graph, service, FOAF.page)
    if pages and not hvd.uri_list(resource.get("documentation")):
        resource["documentation"] = pages
    descriptions = _values(graph, service, DCAT.endpointDescription)
    if descriptions and not resource.get("endpoint_description"):
        resource["endpoint_description"] = descriptions[0]
