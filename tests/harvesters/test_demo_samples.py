"""The demo's bundled samples harvest cleanly through the same commands `make demo` runs."""

from __future__ import annotations

import pytest
from ckan.cli.cli import ckan
from ckan.tests.helpers import call_action

from demo import replay

SOURCES = replay.SAMPLES_PATH.parent / "demo_sources.yaml"


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_demo_sources_sync_and_harvest_every_sample(cli, monkeypatch):
    with replay.ReplayServer() as server:
        replay._samples_routes(server)
        monkeypatch.setenv("DGE_REPLAY_URL", server.url)
        synced = cli.invoke(ckan, ["datagrandest", "sources", "sync", "--file", str(SOURCES)])
        harvested = cli.invoke(
            ckan, ["datagrandest", "sources", "harvest", "--all", "--file", str(SOURCES)]
        )

    assert synced.exit_code == 0, synced.output
    assert harvested.exit_code == 0, harvested.output
    assert "!" not in harvested.output  # no gather or record error
    found = call_action("package_search", fq="dataset_type:dataset", rows=50)
    titles = {d["title"] for d in found["results"]}
    assert "Lycées publics du Grand Est (échantillon moissonné)" in titles  # udata
    assert "Stations Vélhop (échantillon moissonné)" in titles  # Opendatasoft
    assert found["count"] == 8
