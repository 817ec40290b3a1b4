"""Territory pages /territoire/<code>: name, kind, links up and down, an SVG map, datasets,
publishers; unknown codes are a French 404; dataset pages and facets link to them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from schema_support import (
    BAS_RHIN,
    EMS,
    METZ,
    REGION,
    STRASBOURG,
    load_plugins,
    region_org,
    small_dataset,
)

pytestmark = pytest.mark.usefixtures("with_plugins")


def _dataset(name, org, territories):
    return small_dataset(name, org, territories=territories)


@pytest.fixture(scope="module")
def catalogue(fresh_site):
    load_plugins()
    region = region_org()
    ems = region_org(
        name="ems", title="Eurométropole", body_kind="epci", siren="246700488", territories=[EMS]
    )
    metz = region_org(
        name="ville-de-metz",
        title="Ville de Metz",
        body_kind="commune",
        siren="215704636",
        territories=[METZ],
    )
    _dataset("region-entiere", region, [REGION])
    _dataset("velos-strasbourg", ems, [STRASBOURG])
    _dataset("arbres-metz", metz, [METZ])
    return {"region": region, "ems": ems, "metz": metz}


def _page(app, url, status=200):
    response = app.get(url, status=status)
    return BeautifulSoup(response.body, "html.parser")


def _hrefs(soup):
    return [a.get("href") for a in soup.find_all("a")]


@pytest.mark.usefixtures("catalogue")
def test_commune_page(app):
    soup = _page(app, f"/territoire/{STRASBOURG}")
    assert soup.find("h1").get_text(strip=True) == "Strasbourg"
    main = soup.find(class_="datagrandest-territory").get_text(" ", strip=True)
    assert "Commune" in main and "67000" in main
    hrefs = _hrefs(soup)
    # What contains it, each a link to its page.
    for parent in (EMS, BAS_RHIN, REGION):
        assert f"/territoire/{parent}" in hrefs
    # Its datasets: its own and the région's (a territory containing it), not Metz's.
    datasets = soup.find(class_="datagrandest-territory-datasets")
    names = [a["href"] for a in datasets.find_all("a")]
    assert "/dataset/velos-strasbourg" in names and "/dataset/region-entiere" in names
    assert "/dataset/arbres-metz" not in names
    assert f"/dataset/?territory={STRASBOURG}" in names
    # The map: an inline SVG with a text alternative.
    svg = soup.find(class_="datagrandest-territory-map").find("svg")
    assert svg is not None and svg.find("title").get_text().startswith("Carte de Strasbourg")
    labelled = svg["aria-labelledby"].split()
    assert all(soup.find(id=i) is not None for i in labelled)
    assert re.match(r"M[\d.]+ [\d.]+L", svg.find("path")["d"])


@pytest.mark.usefixtures("catalogue")
def test_epci_page_lists_and_draws_its_communes_with_links(app):
    soup = _page(app, f"/territoire/{EMS}")
    assert soup.find("h1").get_text(strip=True) == "Eurométropole de Strasbourg"
    svg = soup.find(class_="datagrandest-territory-map").find("svg")
    linked = [a["href"] for a in svg.find_all("a")]
    assert f"/territoire/{STRASBOURG}" in linked and len(linked) == 33
    assert all(a.get("aria-label") for a in svg.find_all("a"))
    # The publisher based there.
    publishers = soup.find(class_="datagrandest-territory-publishers")
    assert [a["href"] for a in publishers.find_all("a")] == ["/organization/ems"]


@pytest.mark.usefixtures("catalogue")
def test_departement_and_region_pages(app):
    soup = _page(app, f"/territoire/{BAS_RHIN}")
    assert "Département" in soup.find(class_="datagrandest-territory-kind").get_text()
    hrefs = _hrefs(soup)
    assert f"/territoire/{EMS}" in hrefs and f"/territoire/{STRASBOURG}" in hrefs
    # Its EPCIs are drawn; its 500-odd communes are listed, not drawn.
    svg = soup.find(class_="datagrandest-territory-map").find("svg")
    assert 20 < len(svg.find_all("a")) < 60
    region = _page(app, f"/territoire/{REGION}")
    assert region.find("h1").get_text(strip=True) == "Grand Est"
    drawn = [a["href"] for a in region.find("svg").find_all("a")]
    assert len(drawn) == 10 and f"/territoire/{BAS_RHIN}" in drawn
    # Every dataset concerns the région; the publishers of the whole région are listed.
    text = region.find(class_="datagrandest-territory-datasets").get_text(" ", strip=True)
    assert text.startswith("Jeux de données 3 jeux de données")
    publishers = [
        a.get_text() for a in region.find(class_="datagrandest-territory-publishers").find_all("a")
    ]
    assert "Eurométropole" in publishers and "Ville de Metz" in publishers


@pytest.mark.usefixtures("catalogue")
def test_english_page(app):
    soup = _page(app, f"/en/territoire/{METZ}")
    assert "Municipality" in soup.find(class_="datagrandest-territory-kind").get_text()
    assert soup.find("svg").find("title").get_text().startswith("Map of Metz")


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("code", ["99999", "inconnu", "6748", "%3Cscript%3E", "x" * 300, "é"])
def test_unknown_code_is_a_french_404(app, code):
    response = app.get(f"/territoire/{code}", status=404)
    assert "Territoire inconnu" in response.body
    assert "<script>" not in response.body


@pytest.mark.usefixtures("catalogue")
def test_dataset_page_links_its_territories_to_their_pages(app):
    soup = _page(app, "/dataset/velos-strasbourg")
    field = soup.find(class_="datagrandest-territories")
    links = [a["href"] for a in field.find_all("a")]
    assert links == [f"/territoire/{STRASBOURG}", f"/dataset/?territory={STRASBOURG}"]
    assert field.find("a").get_text(strip=True) == "Strasbourg (commune, 67)"


@pytest.mark.usefixtures("catalogue")
def test_territory_facet_items_link_to_their_pages(app):
    soup = _page(app, "/dataset/")
    facet = soup.find_all(class_="datagrandest-territory-facet")
    assert len(facet) == 2  # départements and communes
    pages = [a for ul in facet for a in ul.find_all("a", class_="datagrandest-territory-page-link")]
    assert f"/territoire/{BAS_RHIN}" in [a["href"] for a in pages]
    assert f"/territoire/{STRASBOURG}" in [a["href"] for a in pages]
    assert all(a["aria-label"].startswith("Page de ") for a in pages)
    # The filter link of each item still filters the search.
    filters = [a["href"] for ul in facet for a in ul.find_all("a", class_="flex-grow-1")]
    assert f"/dataset/?vocab_departements={BAS_RHIN}" in filters


@pytest.mark.usefixtures("catalogue")
def test_search_picker_names_the_territory_opened_from_the_url(app):
    soup = _page(app, f"/dataset/?territory={STRASBOURG}")
    field = soup.find("input", id="datagrandest-territory")
    assert field["value"] == STRASBOURG
    # The attribute survives the HTML parser whole: the JSON's quotes are escaped.
    assert json.loads(field["data-module-labels"]) == {STRASBOURG: "Strasbourg (commune, 67)"}
    page = soup.find(class_="datagrandest-territory-search").find("a")
    assert page["href"] == f"/territoire/{STRASBOURG}" and page.get_text() == "Page de Strasbourg"
    # No territory chosen: no labels, no link.
    empty = _page(app, "/dataset/").find(class_="datagrandest-territory-search")
    assert json.loads(empty.find("input", id="datagrandest-territory")["data-module-labels"]) == {}
    assert empty.find("a") is None


@pytest.mark.usefixtures("catalogue")
def test_edit_form_picker_names_the_chosen_territories(app):
    sysadmin = factories.SysadminWithToken()
    response = app.get(
        "/dataset/edit/velos-strasbourg", headers={"Authorization": sysadmin["token"]}
    )
    field = BeautifulSoup(response.body, "html.parser").find("input", id="field-territories")
    assert field["value"] == STRASBOURG
    assert json.loads(field["data-module-labels"]) == {STRASBOURG: "Strasbourg (commune, 67)"}


PICKER = Path(__file__).resolve().parents[1] / "ckanext/datagrandest/assets/territories.js"
# Runs our CKAN module under node with a stand-in for select2 3.5.4 that calls initSelection as
# the real one does (`initSelection.call(null, element, callback)`, ckan/public/base/vendor/
# select2/select2.js), and prints what the picker would show.
HARNESS = r"""
const vm = require('vm');
const source = require('fs').readFileSync(process.argv[1], 'utf8');
let factory;
const $ = {
  map: (items, fn) => items.map(fn).filter((x) => x !== null && x !== undefined),
  trim: (s) => s.trim(),
};
vm.runInNewContext(source, { ckan: { module: (name, f) => { factory = f; } }, this: {} },
  { filename: 'territories.js' });
const out = {};
for (const [name, options, value] of JSON.parse(process.argv[2])) {
  const module = factory($);
  let opts;
  const el = { val: () => value, select2: (o) => { opts = o; } };
  module.options = Object.assign({}, module.options, options);
  module.el = el;
  module.initialize();
  opts.initSelection.call(null, el, (selected) => { out[name] = selected; });
  const escape = (s) => s.replace(/</g, '&lt;');
  out[name + ':result'] = opts.formatResult(
    { text: 'Strasbourg (commune, 67)', postal: '67000' }, null, null, escape);
}
console.log(JSON.stringify(out));
"""


def test_picker_shows_the_label_of_a_code_given_in_the_url():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed (Debian package nodejs, installed by make setup)")
    cases = [
        # As the search page writes it: data-module-multiple="false" arrives as a string or false.
        [
            "single",
            {"multiple": "false", "labels": {STRASBOURG: "Strasbourg (commune, 67)"}},
            STRASBOURG,
        ],
        ["single_bool", {"multiple": False, "labels": {}}, STRASBOURG],
        [
            "multiple",
            {"labels": {STRASBOURG: "Strasbourg (commune, 67)"}},
            f"{STRASBOURG},{BAS_RHIN}",
        ],
    ]
    done = subprocess.run(
        [node, "-e", HARNESS, str(PICKER), json.dumps(cases)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    shown = json.loads(done.stdout)
    assert shown["single"] == {"id": STRASBOURG, "text": "Strasbourg (commune, 67)"}
    assert shown["single_bool"] == {"id": STRASBOURG, "text": STRASBOURG}  # no label known
    assert shown["multiple"] == [
        {"id": STRASBOURG, "text": "Strasbourg (commune, 67)"},
        {"id": BAS_RHIN, "text": BAS_RHIN},
    ]
    assert shown["single:result"] == "Strasbourg (commune, 67) – 67000"
