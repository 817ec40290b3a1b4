"""Builds the demo's preview files (demo/files/fichiers-demo/) from the shipped territories."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "demo" / "files" / "fichiers-demo"
TERRITORIES = ROOT / "ckanext" / "datagrandest" / "data" / "territories.json"

# Préfectures of the ten départements, (longitude, latitude) of their town halls, rounded:
# sample points for the map previews, not a survey.
PREFECTURES = {
    "08": ("Charleville-Mézières", 4.7206, 49.7733),
    "10": ("Troyes", 4.0742, 48.2973),
    "51": ("Châlons-en-Champagne", 4.3631, 48.9566),
    "52": ("Chaumont", 5.1392, 48.1113),
    "54": ("Nancy", 6.1844, 48.6921),
    "55": ("Bar-le-Duc", 5.1600, 48.7727),
    "57": ("Metz", 6.1757, 49.1193),
    "67": ("Strasbourg", 7.7521, 48.5734),
    "68": ("Colmar", 7.3585, 48.0794),
    "88": ("Épinal", 6.4496, 48.1724),
}


def main() -> None:
    data = json.loads(TERRITORIES.read_text("utf-8"))
    OUT.mkdir(parents=True, exist_ok=True)
    epcis = {code: name for code, name, _parents in data["e"]}
    departements = {code: name for code, name, _parents in data["d"]}
    population = data["p"]
    postcodes = data["z"]

    with (OUT / "communes-bas-rhin.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code_insee", "nom", "codes_postaux", "epci_siren", "epci", "population"])
        for code, name, parents, *_former in data["c"]:
            if not code.startswith("67"):
                continue
            epci = next((p for p in parents if len(p) == 9), "")
            writer.writerow(
                [
                    code,
                    name,
                    " ".join(postcodes.get(code, [])),
                    epci,
                    epcis.get(epci, ""),
                    population.get(code, ""),
                ]
            )

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Départements"
    sheet.append(["code", "département", "préfecture", "population", "communes"])
    for code, name in sorted(departements.items()):
        communes = sum(1 for entry in data["c"] if code in entry[2])
        sheet.append([code, name, PREFECTURES[code][0], population.get(code), communes])
    book.save(OUT / "departements-grand-est.xlsx")

    features = [
        {
            "type": "Feature",
            "properties": {"departement": code, "nom": departements[code], "prefecture": town},
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        }
        for code, (town, lon, lat) in sorted(PREFECTURES.items())
    ]
    collection = {"type": "FeatureCollection", "features": features}
    (OUT / "prefectures-grand-est.geojson").write_text(
        json.dumps(collection, ensure_ascii=False, indent=1) + "\n", "utf-8"
    )

    placemarks = "\n".join(
        f"    <Placemark><name>{town}</name><description>Préfecture : {departements[code]} ({code})"
        f"</description><Point><coordinates>{lon},{lat}</coordinates></Point></Placemark>"
        for code, (town, lon, lat) in sorted(PREFECTURES.items())
    )
    (OUT / "prefectures-grand-est.kml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2">\n  <Document>\n'
        "    <name>Préfectures du Grand Est</name>\n"
        f"{placemarks}\n  </Document>\n</kml>\n",
        "utf-8",
    )


if __name__ == "__main__":
    main()
