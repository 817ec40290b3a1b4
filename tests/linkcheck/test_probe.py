"""Link checks against a local server: HEAD, ranged GET, redirects, errors, time limits, guard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from harvesters.probe_server import public_network

from ckanext.datagrandest.linkcheck.probe import Prober, check_many

from .link_server import HUGE, LinkServer


@pytest.fixture
def server() -> Iterator[LinkServer]:
    with LinkServer(slow_seconds=3.0) as running:
        yield running


def prober(timeout: float = 2.0, allow_private: bool = True, redirects: int = 5) -> Prober:
    return Prober(timeout=timeout, max_redirects=redirects, allow_private=allow_private)


def test_a_file_that_answers_is_checked_with_head_only(server):
    result = prober().check(f"{server.url}/ok.csv")
    assert result.ok and result.status == 200 and result.method == "HEAD"
    assert result.content_type == "text/csv"
    assert result.size == 800
    assert result.final_url == f"{server.url}/ok.csv"
    assert result.error is None and result.redirects == 0
    assert result.checked_at is not None
    assert server.methods("/ok.csv") == ["HEAD"]


def test_a_chain_of_301_is_followed_to_the_file(server):
    result = prober().check(f"{server.url}/hop/3")
    assert result.ok and result.status == 200
    assert result.redirects == 4
    assert result.final_url == f"{server.url}/ok.csv"


def test_a_chain_longer_than_the_cap_is_broken(server):
    result = prober(redirects=2).check(f"{server.url}/hop/5")
    assert not result.ok
    assert result.status == 301
    assert "Trop de redirections (plus de 2)" in (result.error or "")
    # it stopped at the cap: /hop/5, /hop/4, /hop/3, never further
    assert [h.path for h in server.hits if h.method == "HEAD"] == ["/hop/5", "/hop/4", "/hop/3"]


def test_a_redirect_loop_is_broken(server):
    result = prober().check(f"{server.url}/loop")
    assert not result.ok
    assert "Boucle de redirections" in (result.error or "")


def test_404_and_500_are_broken_with_their_status(server):
    missing = prober().check(f"{server.url}/missing")
    broken = prober().check(f"{server.url}/broken")
    assert (missing.ok, missing.status, missing.error) == (False, 404, "Erreur HTTP 404")
    assert (broken.ok, broken.status, broken.error) == (False, 500, "Erreur HTTP 500")
    # a failed HEAD is asked again with GET: some servers only refuse HEAD
    assert server.methods("/missing") == ["HEAD", "GET"]


def test_head_refused_gives_a_ranged_get_and_the_whole_size(server):
    result = prober().check(f"{server.url}/no-head.csv")
    assert result.ok and result.status == 206 and result.method == "GET"
    assert result.size == 800  # from Content-Range, not the one byte sent
    gets = [h for h in server.hits if h.method == "GET"]
    assert [h.range for h in gets] == ["bytes=0-0"]


def test_an_oversized_file_is_not_downloaded(server):
    result = prober(timeout=5).check(f"{server.url}/huge")
    assert result.ok and result.status == 200 and result.method == "GET"
    assert result.size == HUGE
    assert result.error is None
    # The checker read a few kilobytes and hung up: the server could not send the file.
    assert server.body_bytes_sent.get("/huge", 0) < 100 * 1024**2


def test_a_server_slower_than_the_budget_is_a_timeout(server):
    result = prober(timeout=1.0).check(f"{server.url}/slow")
    assert not result.ok and result.status is None
    assert "Délai dépassé (1 s)" in (result.error or "")


def test_a_server_that_never_answers_is_a_timeout(server):
    result = prober(timeout=1.0).check(f"{server.url}/silent")
    assert not result.ok
    assert "Délai dépassé" in (result.error or "")


def test_a_private_address_is_refused_without_being_contacted(server):
    result = prober(allow_private=False).check(f"{server.url}/ok.csv")
    assert not result.ok and result.status is None
    assert "Adresse refusée" in (result.error or "")
    assert server.hits == []


def test_a_redirect_to_a_private_address_is_refused_before_the_hop(server, monkeypatch):
    inside = LinkServer()
    with inside, public_network(monkeypatch) as network:
        public = network.serve("data.example.fr", "203.0.114.10", 80, server)
        # the public server's /hop/0 would go to /ok.csv; send it inside instead
        server_route = server._route

        def to_inside(handler, method, path):
            if path == "/to-inside":
                server._send(handler, method, 302, {"Location": f"{inside.url}/ok.csv"})
            else:
                server_route(handler, method, path)

        server._route = to_inside  # type: ignore[method-assign]
        result = prober(allow_private=False).check(f"{public}/to-inside")
    assert not result.ok
    assert "Adresse refusée" in (result.error or "")
    assert inside.hits == []
    assert [h.path for h in server.hits] == ["/to-inside"]


@pytest.mark.parametrize(
    "url",
    ["file:///etc/hostname", "ftp://example.org/a.csv", "http://user@example.org/", "pas une url"],
)
def test_what_is_not_a_web_address_is_refused_with_a_french_message(url):
    result = prober(allow_private=False).check(url)
    assert not result.ok
    assert (result.error or "").startswith("Adresse invalide")


def test_many_links_are_checked_once_each_and_few_at_a_time_per_host(server):
    urls = [f"{server.url}/ok.csv", f"{server.url}/missing"] * 3 + [f"{server.url}/hop/1"]
    results = check_many(urls, prober(), workers=4, per_host=2)
    assert set(results) == set(urls)
    assert results[f"{server.url}/ok.csv"].ok
    assert not results[f"{server.url}/missing"].ok
    assert server.methods("/ok.csv").count("HEAD") == 2  # once itself, once as /hop/1's end
