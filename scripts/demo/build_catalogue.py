"""Write ckanext/datagrandest/data/demo_catalogue.yaml, the bulk of the demo catalogue.

Run from the repository root: ``.venv/bin/python scripts/demo/build_catalogue.py``. The output
is deterministic. What it holds (see data/DEMO_SOURCES.md):

- 17 publishers: real intercommunalities of Grand Est (name and SIREN from the official
  geography in data/territories.json), each with its territory of competence;
- two real datasets (metadata of Metz Métropole's and the Grand Nancy's GTFS feeds as
  data.gouv.fr published them, from the public test fixtures of etalab/transport-site);
- sample datasets, written here: plausible local open data (budget, deliberations, sports
  facilities...) with made-up resources on example.org, each tagged "données d'exemple" and
  saying so at the top of its description.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ckanext.datagrandest import territories  # noqa: E402

OUTPUT = ROOT / "ckanext" / "datagrandest" / "data" / "demo_catalogue.yaml"
SAMPLE_TAG = "données d'exemple"
SAMPLE_NOTE = (
    "**Données d'exemple** : jeu de données fictif, créé pour la démonstration du portail "
    "DataGrandEst ; ses ressources (sur example.org) n'existent pas."
)

# (portal name, EPCI SIREN, main commune INSEE code). Names and SIRENs are the official ones
# (territories.json); the main commune is the seat of the intercommunality.
PUBLISHERS = [
    ("ardenne-metropole", "200041630", "08105"),
    ("troyes-champagne-metropole", "200069250", "10387"),
    ("grand-reims", "200067213", "51454"),
    ("chalons-agglo", "200066876", "51108"),
    ("epernay-agglo", "200067684", "51230"),
    ("agglomeration-de-chaumont", "200068658", "52121"),
    ("grand-saint-dizier", "200068666", "52448"),
    ("metropole-du-grand-nancy", "245400676", "54395"),
    ("grand-verdun", "200049187", "55545"),
    ("bar-le-duc-sud-meuse", "200033025", "55029"),
    ("metz-metropole", "200039865", "57463"),
    ("portes-de-france-thionville", "245701362", "57672"),
    ("agglomeration-de-haguenau", "200067874", "67180"),
    ("mulhouse-alsace-agglomeration", "200066009", "68224"),
    ("colmar-agglomeration", "246800726", "68066"),
    ("agglomeration-d-epinal", "200068757", "88160"),
    ("saint-die-des-vosges-agglomeration", "200071066", "88413"),
]

TITLES = {"mulhouse-alsace-agglomeration": "Mulhouse Alsace Agglomération"}

# Datasets every intercommunality publishes in the sample: (slug, title, description, themes,
# frequency, format, level: "epci" for the whole territory or "commune" for its seat).
LOCAL_KINDS = [
    (
        "budget-primitif",
        "Budget primitif 2025",
        "Budget primitif voté, par chapitre et article.",
        ["ECON", "GOVE"],
        "ANNUAL",
        "CSV",
        "epci",
    ),
    (
        "deliberations",
        "Délibérations du conseil communautaire",
        "Délibérations adoptées : date, objet, vote.",
        ["GOVE"],
        "MONTHLY",
        "CSV",
        "epci",
    ),
    (
        "subventions",
        "Subventions aux associations",
        "Subventions versées aux associations : bénéficiaire, objet, montant.",
        ["ECON", "SOCI"],
        "ANNUAL",
        "CSV",
        "epci",
    ),
    (
        "equipements-sportifs",
        "Équipements sportifs",
        "Gymnases, stades, piscines et terrains de proximité avec leur adresse.",
        ["EDUC"],
        "ANNUAL",
        "GeoJSON",
        "epci",
    ),
    (
        "points-apport-volontaire",
        "Points d'apport volontaire du verre et des papiers",
        "Emplacement des conteneurs de tri.",
        ["ENVI"],
        "QUARTERLY",
        "GeoJSON",
        "epci",
    ),
    (
        "parkings",
        "Parkings publics",
        "Parkings publics, nombre de places et tarifs.",
        ["TRAN"],
        "MONTHLY",
        "CSV",
        "commune",
    ),
    (
        "bornes-recharge",
        "Bornes de recharge pour véhicules électriques",
        "Points de recharge ouverts au public.",
        ["TRAN", "ENER"],
        "MONTHLY",
        "CSV",
        "epci",
    ),
    (
        "defibrillateurs",
        "Défibrillateurs automatisés externes",
        "Emplacement et accessibilité des défibrillateurs.",
        ["HEAL"],
        "QUARTERLY",
        "CSV",
        "commune",
    ),
    (
        "plui",
        "Plan local d'urbanisme intercommunal",
        "Zonage et prescriptions du plan local d'urbanisme.",
        ["REGI"],
        "IRREG",
        "SHP",
        "epci",
    ),
    (
        "menus-scolaires",
        "Menus de la restauration scolaire",
        "Menus servis dans les écoles, semaine par semaine.",
        ["EDUC", "HEAL"],
        "WEEKLY",
        "CSV",
        "commune",
    ),
    (
        "qualite-eau",
        "Qualité de l'eau distribuée",
        "Résultats du contrôle sanitaire de l'eau du robinet.",
        ["HEAL", "ENVI"],
        "MONTHLY",
        "XLSX",
        "epci",
    ),
]

# The Region's and the prefecture's samples (owners from data/demo.yaml): (owner, slug,
# title, description, themes, frequency, format, territories).
REGIONAL = [
    (
        "region-grand-est",
        "aides-entreprises",
        "Aides régionales aux entreprises",
        "Aides accordées par la Région : entreprise, dispositif, montant.",
        ["ECON"],
        "ANNUAL",
        "CSV",
        ["44"],
    ),
    (
        "region-grand-est",
        "gares-ter",
        "Gares et haltes du réseau TER",
        "Gares et haltes desservies par les trains régionaux.",
        ["TRAN"],
        "ANNUAL",
        "GeoJSON",
        ["44"],
    ),
    (
        "region-grand-est",
        "production-energie-renouvelable",
        "Production d'électricité renouvelable par département",
        "Production annuelle par filière (éolien, solaire, hydraulique, biomasse).",
        ["ENER"],
        "ANNUAL",
        "CSV",
        ["44"],
    ),
    (
        "region-grand-est",
        "cooperation-transfrontaliere",
        "Projets de coopération transfrontalière",
        "Projets menés avec l'Allemagne, la Belgique, le Luxembourg et la Suisse.",
        ["INTR"],
        "ANNUAL",
        "CSV",
        ["44"],
    ),
    (
        "region-grand-est",
        "couverture-fibre",
        "Couverture en fibre optique par commune",
        "Part des locaux raccordables à la fibre, par commune.",
        ["TECH"],
        "QUARTERLY",
        "CSV",
        ["44"],
    ),
    (
        "region-grand-est",
        "formations-professionnelles",
        "Offre de formation professionnelle",
        "Formations financées par la Région : organisme, lieu, dates.",
        ["EDUC"],
        "MONTHLY",
        "CSV",
        ["44"],
    ),
    (
        "region-grand-est",
        "sites-touristiques",
        "Sites touristiques du Grand Est",
        "Musées, monuments et sites naturels ouverts au public.",
        ["EDUC", "ECON"],
        "ANNUAL",
        "GeoJSON",
        ["44"],
    ),
    (
        "prefecture-grand-est",
        "catastrophes-naturelles",
        "Arrêtés de reconnaissance de catastrophe naturelle",
        "Communes reconnues en état de catastrophe naturelle, par événement.",
        ["ENVI", "JUST"],
        "MONTHLY",
        "CSV",
        ["44"],
    ),
    (
        "prefecture-grand-est",
        "agriculture-biologique",
        "Exploitations en agriculture biologique",
        "Nombre d'exploitations et surfaces en agriculture biologique par département.",
        ["AGRI"],
        "ANNUAL",
        "CSV",
        ["44"],
    ),
    (
        "prefecture-grand-est",
        "maisons-justice-droit",
        "Maisons de justice et du droit",
        "Lieux d'accès au droit : adresse, permanences.",
        ["JUST"],
        "ANNUAL",
        "CSV",
        ["44"],
    ),
    (
        "prefecture-grand-est",
        "zones-inondables-moselle",
        "Zones inondables de la vallée de la Moselle",
        "Enveloppes des plans de prévention du risque inondation.",
        ["ENVI", "REGI"],
        "IRREG",
        "SHP",
        ["57", "54", "88"],
    ),
    (
        "prefecture-grand-est",
        "resultats-elections",
        "Résultats des élections par bureau de vote",
        "Résultats des derniers scrutins par bureau de vote.",
        ["GOVE"],
        "IRREG",
        "CSV",
        ["08", "10", "51", "52", "55"],
    ),
    (
        "eurometropole-de-strasbourg",
        "tram-frequentation",
        "Fréquentation du tramway",
        "Montées par station et par jour type.",
        ["TRAN"],
        "ANNUAL",
        "CSV",
        ["246700488"],
    ),
    (
        "eurometropole-de-strasbourg",
        "arbres-alignement",
        "Arbres d'alignement",
        "Arbres des rues de l'Eurométropole : essence, hauteur, plantation.",
        ["ENVI"],
        "ANNUAL",
        "GeoJSON",
        ["246700488"],
    ),
    (
        "eurometropole-de-strasbourg",
        "budget-ems",
        "Budget primitif 2025 de l'Eurométropole",
        "Budget primitif voté, par chapitre et article.",
        ["ECON", "GOVE"],
        "ANNUAL",
        "CSV",
        ["246700488"],
    ),
]

# Real metadata (data.gouv.fr, via etalab/transport-site's public test fixtures; see
# DEMO_SOURCES.md): kept as published, with the resource URLs they gave.
REAL = [
    {
        "name": "metz-metropole-transport-donnees-gtfs",
        "title": "Transport - Données GTFS",
        "owner_org": "metz-metropole",
        "notes": "Données GTFS",
        "license_id": "etalab-2.0",
        "territories": ["200039865"],
        "granularity": "epci",
        "theme": ["TRAN"],
        "frequency": "ANNUAL_2",
        "language": ["FRA"],
        "access_rights": "PUBLIC",
        "url": "https://www.data.gouv.fr/fr/datasets/transport-donnees-gtfs/",
        "tag_string": "transport,GTFS",
        "resources": [
            {
                "name": "Transport - Données GTFS",
                "url": "https://si.metzmetropole.fr/fiches/opendata/gtfs_current.zip",
                "format": "GTFS",
            }
        ],
    },
    {
        "name": "arrets-horaires-et-parcours-theoriques-du-reseau-stan-gtfs",
        "title": "Arrêts, horaires et parcours théoriques du réseau STAN | GTFS",
        "owner_org": "metropole-du-grand-nancy",
        "notes": (
            "Liste des arrêts, horaires et parcours de tous les bus et tramways du réseau "
            "[STAN](http://www.reseau-stan.com/) circulant sur le territoire de la "
            "[Métropole du Grand-Nancy](http://www.grandnancy.eu/).\n"
            "Les Transports à la Demande (TAD) ne sont pas inclus."
        ),
        "license_id": "etalab-2.0",
        "territories": ["245400676"],
        "granularity": "epci",
        "theme": ["TRAN"],
        "frequency": "IRREG",
        "language": ["FRA"],
        "access_rights": "PUBLIC",
        "url": (
            "https://www.data.gouv.fr/fr/datasets/"
            "arrets-horaires-et-parcours-theoriques-du-reseau-stan-gtfs/"
        ),
        "tag_string": "transport,GTFS,tramway",
        "resources": [
            {
                "name": "Arrêts, horaires et parcours au format GTFS",
                "url": "http://hstan.g-ny.org/grandnancy/data/public/gtfs_stan.zip",
                "format": "GTFS",
            }
        ],
    },
]


def _sample(
    name: str,
    title: str,
    description: str,
    owner: str,
    themes: list[str],
    frequency: str,
    fmt: str,
    codes: list[str],
) -> dict[str, Any]:
    levels = {territories.get(code).kind for code in codes if territories.get(code)}
    granularity = "commune" if "commune" in levels else "epci" if "epci" in levels else None
    dataset: dict[str, Any] = {
        "name": name,
        "title": title,
        "owner_org": owner,
        "notes": f"{SAMPLE_NOTE}\n\n{description}",
        "tag_string": SAMPLE_TAG,
        "license_id": "etalab-2.0",
        "territories": codes,
        "theme": themes,
        "frequency": frequency,
        "language": ["FRA"],
        "access_rights": "PUBLIC",
        "resources": [
            {
                "name": f"{title} ({fmt})",
                "url": f"https://example.org/donnees-d-exemple/{name}.{fmt.lower()}",
                "format": fmt,
            }
        ],
    }
    if granularity:
        dataset["granularity"] = granularity
    return dataset


def build() -> dict[str, list[dict[str, Any]]]:
    organizations = []
    datasets: list[dict[str, Any]] = []
    for name, siren, seat in PUBLISHERS:
        epci = territories.get(siren)
        commune = territories.get(seat)
        assert epci is not None and commune is not None, (name, siren, seat)
        organizations.append(
            {
                "name": name,
                # The title demo/demo_sources.yaml gives the one publisher it also creates.
                "title": TITLES.get(name, epci.name),
                "description": f"Intercommunalité de {commune.name} ({epci.departement}).",
                "body_kind": "epci",
                "siren": siren,
                "territories": [siren],
            }
        )
        for slug, title, description, themes, frequency, fmt, level in LOCAL_KINDS:
            where = commune.name if level == "commune" else epci.name
            datasets.append(
                _sample(
                    f"{slug}-{name}",
                    f"{title} — {where}",
                    description,
                    name,
                    themes,
                    frequency,
                    fmt,
                    [seat] if level == "commune" else [siren],
                )
            )
    for owner, slug, title, description, themes, frequency, fmt, codes in REGIONAL:
        datasets.append(_sample(slug, title, description, owner, themes, frequency, fmt, codes))
    datasets.extend(REAL)
    return {"organizations": organizations, "datasets": datasets}


def main() -> None:
    content = build()
    header = (
        "# Generated by scripts/demo/build_catalogue.py: do not edit by hand.\n"
        "# Publishers: real intercommunalities (official names and SIRENs, territories.json).\n"
        "# Datasets: two real records (see DEMO_SOURCES.md), the rest sample data tagged\n"
        f"# \"{SAMPLE_TAG}\". {len(content['organizations'])} publishers, "
        f"{len(content['datasets'])} datasets.\n"
    )
    text = yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=100)
    OUTPUT.write_text(header + text, encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(content['datasets'])} datasets")


if __name__ == "__main__":
    main()
