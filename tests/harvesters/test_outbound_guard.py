"""The outbound guard: every harvester request goes through one client that refuses internal
addresses, parses a URL once, connects to the address it checked and holds a real deadline.

All tests run with ``allow_private_addresses`` off (test.ini turns it on). Servers listen on
127.0.0.1; where a test needs a public name, ``probe_server.public_network`` pretends one
(name lookup and connection replaced for that name only, in the ``socket`` module).
"""

from __future__ import annotations

import ipaddress
import random
import socket
import string
import subprocess
import threading
from pathlib import Path

import ckan.plugins as p
import pytest
from ckan.tests.helpers import call_action

from ckanext.datagrandest.harvesters.base import DataGrandEstHarvester
from ckanext.datagrandest.harvesters.http import HarvestHttpError, HttpClient, check_address
from ckanext.harvest.interfaces import IHarvester

from .conftest import create_source, harvest, load_fixture
from .probe_server import (
    ProbeServer,
    public_network,
    redirect,
    reply_json,
    trickle_body,
    trickle_headers,
)

OPTION = "ckanext.datagrandest.harvest.allow_private_addresses"
PUBLIC_IP = "93.184.215.14"  # any globally routable address: the pretend network serves it
ORG = "strasbourg-eurometropole"
UDATA_PATH = f"/api/1/organizations/{ORG}/datasets/"
# Config a source of each type needs to reach its first request; a newly enabled type with
# a required setting makes the refusal test fail until it is listed here.
CONFIGS = {"datagrandest_udata": {"organizations": [ORG]}}

harvest_db = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "option_off")


@pytest.fixture
def option_off(ckan_config, monkeypatch):
    # CKAN's ``ckan_config`` fixture: test.ini turns the option on for the other tests.
    monkeypatch.setitem(ckan_config, OPTION, "false")


def _client(**settings: float) -> HttpClient:
    return HttpClient(
        timeout=settings.get("timeout", 5),
        total_timeout=settings.get("total_timeout"),
        max_bytes=1_000_000,
        max_redirects=3,
        allow_private=False,
    )


# --- 1. every enabled harvester type goes through the guard ----------------------------------


@harvest_db
def test_only_our_harvester_types_are_enabled():
    names = {h["name"] for h in call_action("harvesters_info_show")}
    assert names == {
        "datagrandest_udata",
        "datagrandest_ods",
        "datagrandest_csw",
        "datagrandest_ckan",
        "datagrandest_dcat",
    }
    # The stock types (``ckan``, ``dcat_rdf``) fetch outside our client: none is enabled.
    for harvester in p.PluginImplementations(IHarvester):
        assert isinstance(harvester, DataGrandEstHarvester), harvester


@harvest_db
def test_every_enabled_harvester_type_refuses_a_loopback_source(org):
    types = sorted(h["name"] for h in call_action("harvesters_info_show"))
    assert types
    outcomes = {}
    with ProbeServer() as server:
        for index, source_type in enumerate(types):
            source = create_source(
                f"{server.url}/{source_type}/",
                source_type,
                CONFIGS.get(source_type, {}),
                org["id"],
                f"boucle-{index}",
            )
            outcomes[source_type] = harvest(source["id"])
    assert server.paths == []  # no harvester reached the loopback server
    for source_type, result in outcomes.items():
        assert result["status"] == "Finished", source_type
        assert any(
            "Adresse refusée" in error and "127.0.0.1" in error and OPTION in error
            for error in result["gather_errors"]
        ), (source_type, result["gather_errors"])


@harvest_db
@pytest.mark.parametrize("url", ["file:///etc/hostname", "/etc/hostname"])
def test_no_enabled_harvester_type_reads_a_local_file(org, url):
    # The stock dcat_rdf type read such a path and its report then showed the content.
    content = Path("/etc/hostname").read_text(encoding="utf-8").strip()
    types = sorted(h["name"] for h in call_action("harvesters_info_show"))
    for index, source_type in enumerate(types):
        # ckanext-harvest wants URL and config unique together: the config tells them apart.
        config = {**CONFIGS.get(source_type, {}), "probe": source_type}
        source = create_source(url, source_type, config, org["id"], f"fichier-{index}")
        result = harvest(source["id"])
        assert result["status"] == "Finished", source_type
        assert any(
            "Adresse invalide (http ou https attendu)" in e for e in result["gather_errors"]
        ), (source_type, result["gather_errors"])
        assert content not in str(result), source_type


# --- 2. one parse of the URL, by the library that connects ------------------------------------

PARSE_PROBES = [
    pytest.param("http://127.0.0.1:{port}\\@example.org/../latest/meta-data/", id="backslash"),
    pytest.param("http://example.org\\@127.0.0.1:{port}/", id="backslash-before-at"),
    pytest.param("http://example.org@127.0.0.1:{port}/", id="userinfo"),
    pytest.param("http://user:secret@127.0.0.1:{port}/", id="userinfo-password"),
    pytest.param("http://127.0.0.1:{port}@example.org/", id="userinfo-looks-like-port"),
    pytest.param("http://exa\tmple.org:{port}/", id="tab-in-host"),
    pytest.param("http://127.0.0.1:{port}/\r\nHost: x", id="crlf"),
    pytest.param("http://127.0.0.1:99999/", id="port-99999"),
    pytest.param("http://127.0.0.1:abc/", id="port-abc"),
    pytest.param("http://127.0.0.1:0/", id="port-0"),
    pytest.param("file:///etc/hostname", id="file"),
    pytest.param("gopher://127.0.0.1:{port}/_GET", id="gopher"),
    pytest.param("//127.0.0.1:{port}/", id="no-scheme"),
    pytest.param("http:///etc/hostname", id="no-host"),
]


@pytest.mark.parametrize("template", PARSE_PROBES)
def test_a_url_two_parsers_could_read_differently_is_refused(monkeypatch, template):
    with ProbeServer() as server, public_network(monkeypatch) as net:
        # example.org is public: a check that read it as the host would let the URL pass.
        net.names["example.org"] = [PUBLIC_IP]
        url = template.format(port=server.port)
        with pytest.raises(HarvestHttpError, match="Adresse invalide") as refused:
            _client().get(url)
    assert server.paths == []
    assert refused.type is HarvestHttpError  # never a bare ValueError


def test_no_url_raises_anything_but_the_harvester_error():
    # Random authorities over the characters that confuse URL parsers (fixed seed).
    chooser = random.Random(14)
    alphabet = string.printable + "。＠＼：［］％①８"
    escaped = []
    for _ in range(5000):
        url = "http://" + "".join(chooser.choice(alphabet) for _ in range(chooser.randint(1, 25)))
        try:
            check_address(url, allow_private=True, resolve=lambda host, port: [PUBLIC_IP])
        except HarvestHttpError:
            pass
        except Exception as error:  # noqa: BLE001 (what the test looks for)
            escaped.append(f"{url!r}: {error!r}")
    assert escaped == []


@harvest_db
@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:99999/", "http://127.0.0.1:abc/", "http://127.0.0.1:1\\@x.org/"]
)
def test_a_malformed_source_url_finishes_the_job_with_the_harvester_error(org, url):
    source = create_source(
        url, "datagrandest_udata", CONFIGS["datagrandest_udata"], org["id"], "port-illisible"
    )
    result = harvest(source["id"])
    assert result["status"] == "Finished"
    assert any("Collecte interrompue : Adresse invalide" in e for e in result["gather_errors"])
    assert not any("Erreur inattendue" in e for e in result["gather_errors"])


# --- 3. the name is resolved once, the connection goes to the checked address ----------------


def test_dns_rebinding_cannot_reach_an_internal_address(monkeypatch):
    # The name answers a public address first, 127.0.0.1 after: a second lookup by the
    # connection would reach ``internal``; the pinned connection reaches ``public``.
    with ProbeServer() as internal, ProbeServer() as public, public_network(monkeypatch) as net:
        net.names["rebind.example"] = [PUBLIC_IP, "127.0.0.1"]
        net.routes[(PUBLIC_IP, internal.port)] = ("127.0.0.1", public.port)
        response = _client().get(f"http://rebind.example:{internal.port}/catalogue")
    assert internal.paths == []
    assert net.lookups == ["rebind.example"]  # one lookup only
    assert net.connections == [(PUBLIC_IP, internal.port)]
    assert response.status == 200
    # The request still names the host it was written for.
    assert [(h.path, h.host) for h in public.hits] == [
        ("/catalogue", f"rebind.example:{internal.port}")
    ]


@harvest_db
def test_dns_rebinding_during_a_harvest_reaches_only_the_checked_address(org, monkeypatch):
    page = {"data": load_fixture("udata/strasbourg-eurometropole.json")[:1], "next_page": None}
    with ProbeServer() as internal, ProbeServer() as public, public_network(monkeypatch) as net:
        public.routes[UDATA_PATH] = reply_json(page)
        net.names["rebind.example"] = [PUBLIC_IP, "127.0.0.1"]
        net.routes[(PUBLIC_IP, internal.port)] = ("127.0.0.1", public.port)
        source = create_source(
            f"http://rebind.example:{internal.port}",
            "datagrandest_udata",
            CONFIGS["datagrandest_udata"],
            org["id"],
            "rebind",
        )
        result = harvest(source["id"])
    assert internal.paths == []
    assert [path.split("?")[0] for path in public.paths] == [UDATA_PATH]
    assert result["status"] == "Finished"
    assert result["stats"] == {"added": 1}


def _certificate(directory: Path, name: str) -> tuple[str, str]:
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


@pytest.mark.parametrize(
    ("certified", "succeeds"), [("tls.example", True), ("autre.example", False)]
)
def test_tls_keeps_the_name_for_sni_and_the_certificate(monkeypatch, tmp_path, certified, succeeds):
    cert, key = _certificate(tmp_path, certified)
    with ProbeServer() as server, public_network(monkeypatch) as net:
        server.use_tls(cert, key)
        url = net.serve("tls.example", PUBLIC_IP, 443, server) + "/catalogue"
        client = HttpClient(
            timeout=5, max_bytes=1000, max_redirects=0, allow_private=False, ca_certs=cert
        )
        if succeeds:
            assert client.get(url).status == 200
            assert [(h.path, h.host) for h in server.hits] == [("/catalogue", "tls.example")]
        else:
            with pytest.raises(HarvestHttpError, match="Connexion impossible.*certificate"):
                client.get(url)
            assert server.hits == []
    assert net.connections == [(PUBLIC_IP, 443)]  # the pinned address, not a new lookup
    assert server.server_names == ["tls.example"]  # SNI names the host, not the address


# --- 4. every address that is not globally routable is refused -------------------------------

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "0.0.0.0",
    "10.0.0.8",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.100.100.200",  # 100.64.0.0/10, a cloud metadata address
    "100.64.0.1",
    "192.0.0.192",  # 192.0.0.0/24, Oracle cloud metadata
    "192.0.0.9",
    "192.0.2.1",
    "198.18.0.1",
    "203.0.113.7",
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "[::1]",
    "[::]",
    "[::7f00:1]",  # IPv4-compatible loopback
    "[::ffff:127.0.0.1]",  # IPv4-mapped
    "[::ffff:7f00:1]",
    "[::ffff:169.254.169.254]",
    "[64:ff9b::7f00:1]",  # NAT64 of 127.0.0.1
    "[64:ff9b::a9fe:a9fe]",  # NAT64 of 169.254.169.254
    "[64:ff9b:1::1]",  # local-use NAT64
    "[2002:7f00:1::1]",  # 6to4 of 127.0.0.1
    "[2002:a9fe:a9fe::1]",  # 6to4 of 169.254.169.254
    "[2001:0:4136:e378:8000:63bf:80ff:fffe]",  # Teredo
    "[2001:0:7f00:1::1]",  # Teredo whose server is 127.0.0.1
    "[2001:db8::1]",
    "[fc00::1]",
    "[fd12:3456::1]",
    "[fe80::1]",
    "[fec0::1]",  # site-local
    "[ff02::1]",  # multicast
    "[ff0e::1]",
    "[100::1]",
]
ALLOWED = [
    "8.8.8.8",
    "93.184.215.14",
    "[2606:4700:4700::1111]",
    "[::ffff:8.8.8.8]",  # judged as its IPv4
    "[64:ff9b::808:808]",  # NAT64 of a public address
    "[2002:808:808::1]",  # 6to4 of a public address
]


@pytest.mark.parametrize("host", REFUSED)
def test_an_address_that_is_not_globally_routable_is_refused(host):
    with pytest.raises(HarvestHttpError, match="Adresse refusée"):
        check_address(f"http://{host}/", allow_private=False)


@pytest.mark.parametrize("host", ALLOWED)
def test_a_public_address_passes_the_check(host):
    target = check_address(f"http://{host}/", allow_private=False)
    assert [ipaddress.ip_address(a) for a in target.addresses] == [
        ipaddress.ip_address(host.strip("[]"))
    ]


@pytest.mark.parametrize(
    "template",
    [
        pytest.param("http://127.0.0.1:{port}/", id="dotted"),
        pytest.param("http://2130706433:{port}/", id="decimal"),
        pytest.param("http://017700000001:{port}/", id="octal"),
        pytest.param("http://0x7f000001:{port}/", id="hex"),
        pytest.param("http://0x7f.1:{port}/", id="hex-short"),
        pytest.param("http://127.1:{port}/", id="short"),
        pytest.param("http://localhost:{port}/", id="localhost"),
        pytest.param("http://[::ffff:127.0.0.1]:{port}/", id="ipv4-mapped"),
        pytest.param("http://[::1]:{port}/", id="ipv6-loopback"),
    ],
)
def test_loopback_in_any_spelling_never_reaches_the_server(template):
    with ProbeServer() as server:
        with pytest.raises(HarvestHttpError, match="Adresse refusée"):
            _client().get(template.format(port=server.port))
    assert server.paths == []


def test_loopback_still_works_when_the_option_allows_it():
    with ProbeServer() as server:
        client = HttpClient(timeout=5, max_bytes=1000, max_redirects=0, allow_private=True)
        assert client.get_json(f"{server.url}/catalogue") == {"ok": True}
    assert [(h.path, h.host) for h in server.hits] == [("/catalogue", f"127.0.0.1:{server.port}")]


# --- redirects: every hop goes through the same checks ---------------------------------------

REDIRECT_PROBES = [
    pytest.param("http://127.0.0.1:{port}/secret", "Adresse refusée", id="loopback"),
    pytest.param("http://2130706433:{port}/secret", "Adresse refusée", id="decimal"),
    pytest.param("http://[::ffff:127.0.0.1]:{port}/secret", "Adresse refusée", id="mapped"),
    pytest.param("http://169.254.169.254/latest/meta-data/", "Adresse refusée", id="metadata"),
    pytest.param("http://100.100.100.200/latest/meta-data/", "Adresse refusée", id="cgnat"),
    pytest.param(
        "http://127.0.0.1:{port}\\@example.org/../latest/meta-data/",
        "Adresse invalide",
        id="backslash",
    ),
    pytest.param("http://x@127.0.0.1:{port}/secret", "Adresse invalide", id="userinfo"),
    pytest.param("file:///etc/hostname", "Adresse invalide", id="file"),
    pytest.param("gopher://127.0.0.1:{port}/_x", "Adresse invalide", id="gopher"),
    pytest.param("http://127.0.0.1:99999/", "Adresse invalide", id="bad-port"),
]


@pytest.mark.parametrize(("location", "message"), REDIRECT_PROBES)
def test_a_redirect_to_a_refused_target_stops_before_it(monkeypatch, location, message):
    with ProbeServer() as server, public_network(monkeypatch) as net:
        net.names["example.org"] = [PUBLIC_IP]
        start = net.serve("portail.example", PUBLIC_IP, server.port, server)
        server.routes["/start"] = redirect(location.format(port=server.port))
        with pytest.raises(HarvestHttpError, match=message):
            _client().get(f"{start}/start")
    assert server.paths == ["/start"]


@harvest_db
def test_a_harvest_redirected_to_an_internal_address_finishes_with_the_error(org, monkeypatch):
    with ProbeServer() as server, public_network(monkeypatch) as net:
        url = net.serve("portail.example", PUBLIC_IP, server.port, server)
        server.routes[UDATA_PATH] = redirect(
            f"http://127.0.0.1:{server.port}\\@example.org/../latest/meta-data/"
        )
        source = create_source(
            url, "datagrandest_udata", CONFIGS["datagrandest_udata"], org["id"], "redirige"
        )
        result = harvest(source["id"])
    assert [path.split("?")[0] for path in server.paths] == [UDATA_PATH]
    assert result["status"] == "Finished"
    assert any("barre oblique inverse" in e for e in result["gather_errors"])


# --- 5. a real deadline per request ------------------------------------------------------------


@pytest.mark.parametrize(
    "trickle",
    [
        pytest.param(lambda s: trickle_body(s, 0.1, declared_length=True), id="body-with-length"),
        pytest.param(lambda s: trickle_body(s, 0.1, declared_length=False), id="body-to-eof"),
        pytest.param(lambda s: trickle_headers(s, 0.1), id="headers"),
    ],
)
def test_a_trickling_server_is_cut_at_the_total_time_limit(monkeypatch, trickle):
    # Each byte comes well within the per-read wait: only the total limit can stop it.
    with ProbeServer() as server, public_network(monkeypatch) as net:
        url = net.serve("lent.example", PUBLIC_IP, server.port, server)
        server.routes["/lent"] = trickle(server)
        with pytest.raises(HarvestHttpError, match=r"Délai dépassé \(1 s au total\)"):
            _client(timeout=0.5, total_timeout=1).get(f"{url}/lent")
    assert server.paths == ["/lent"]


def test_a_name_lookup_that_never_answers_is_cut_at_the_timeout(monkeypatch):
    released = threading.Event()
    real_getaddrinfo = socket.getaddrinfo

    def stalled(host, *args, **kwargs):
        if host == "muet.example":
            released.wait(30)  # a resolver that hangs; released when the test ends
            raise socket.gaierror("released")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", stalled)
    try:
        with pytest.raises(HarvestHttpError, match=r"Délai dépassé \(0.5 s\) en cherchant"):
            _client(timeout=0.5).get("http://muet.example/catalogue")
    finally:
        released.set()


@harvest_db
def test_a_trickling_source_is_cut_and_the_job_finishes(org, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.datagrandest.harvest.timeout", "0.5")
    with ProbeServer() as server, public_network(monkeypatch) as net:
        url = net.serve("lent.example", PUBLIC_IP, server.port, server)
        server.routes[UDATA_PATH] = trickle_body(server, 0.1, declared_length=False)
        source = create_source(
            url, "datagrandest_udata", CONFIGS["datagrandest_udata"], org["id"], "lent"
        )
        result = harvest(source["id"])
    assert result["status"] == "Finished"
    assert any("Délai dépassé (2 s au total)" in e for e in result["gather_errors"])
