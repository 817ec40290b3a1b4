"""The quality score in DCAT: DQV measurements (W3C Data Quality Vocabulary) on each dataset.

A dataset's own export gets a ``dqv:hasQualityMeasurement`` node for its MQA score, its
grade and the points of each MQA dimension (catalogue pages carry none, see below); the
metrics are described once (``dqv:Metric`` with French and English labels, the dimension
and the expected datatype).
Per-indicator details stay in the API (``datagrandest_quality`` in ``package_show``).
"""

from __future__ import annotations

from typing import Any, Final

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS, XSD

__all__ = ["DQV", "QUALITY", "dataset_to_graph"]

DQV: Final = Namespace("http://www.w3.org/ns/dqv#")
QUALITY: Final = Namespace("https://www.datagrandest.fr/ns/qualite#")

# metric -> (French label, English label, datatype)
_METRICS: Final = {
    "score": (
        "Score de qualité des métadonnées (MQA, sur 405)",
        "Metadata quality score (MQA, out of 405)",
        XSD.integer,
    ),
    "grade": ("Note de qualité des métadonnées (MQA)", "Metadata quality grade (MQA)", XSD.string),
    "findability": ("Trouvabilité (sur 100)", "Findability (out of 100)", XSD.integer),
    "accessibility": ("Accessibilité (sur 100)", "Accessibility (out of 100)", XSD.integer),
    "interoperability": (
        "Interopérabilité (sur 110)",
        "Interoperability (out of 110)",
        XSD.integer,
    ),
    "reusability": ("Réutilisabilité (sur 75)", "Reusability (out of 75)", XSD.integer),
    "contextuality": ("Contextualité (sur 20)", "Contextuality (out of 20)", XSD.integer),
}


def _metric(graph: Graph, key: str) -> URIRef:
    metric = QUALITY[key]
    french, english, datatype = _METRICS[key]
    graph.add((metric, RDF.type, DQV.Metric))
    graph.add((metric, SKOS.prefLabel, Literal(french, lang="fr")))
    graph.add((metric, SKOS.prefLabel, Literal(english, lang="en")))
    graph.add((metric, DQV.expectedDataType, datatype))
    if key not in ("score", "grade"):
        graph.add((metric, DQV.inDimension, QUALITY[f"dimension-{key}"]))
        graph.add((QUALITY[f"dimension-{key}"], RDF.type, DQV.Dimension))
    return metric


def dataset_to_graph(graph: Graph, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
    """Add the dataset's quality measurements to its own export.

    A dataset's own export (its dict from ``package_show`` carries the quality) gets the score,
    the grade and the five dimensions. Catalogue pages (dicts from the search index, without
    the quality) get none: scoring a hundred datasets per page made a page 1.5 times the stock
    profile's CPU time (issue 10 keeps it within 1.25). A harvester reads the measurements of
    each dataset at its own address; the API and the facet give the grade too.
    """
    found = dataset_dict.get("datagrandest_quality")
    if not isinstance(found, dict):
        return
    graph.bind("dqv", DQV)
    values: dict[str, Any] = {"score": found["score"], "grade": found["grade_label"]}
    for indicator in found.get("indicators", []):
        dimension = indicator["dimension"]
        values[dimension] = values.get(dimension, 0) + indicator["earned"]
    for key, value in values.items():
        if key not in _METRICS:
            continue
        # A blank node: written inline under the dataset, cheaper to serialise than a subject.
        node = BNode()
        graph.add((dataset_ref, DQV.hasQualityMeasurement, node))
        graph.add((node, RDF.type, DQV.QualityMeasurement))
        graph.add((node, DQV.isMeasurementOf, _metric(graph, key)))
        graph.add((node, DQV.value, Literal(value, datatype=_METRICS[key][2])))
        graph.add((node, DQV.computedOn, dataset_ref))
