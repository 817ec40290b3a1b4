"""A small OGC WMS 1.3.0 and WFS 2.0.0 service of the demo's préfecture points (sample data).

Demo and test tooling, never shipped in the package: it lets the map viewer's WMS and WFS
previews work offline. Answers in the services' real formats: GetCapabilities as XML, GetMap
as a PNG of the requested size with the points drawn where the requested box puts them, WFS
GetFeature as GeoJSON, errors as OGC ServiceExceptionReport or ows:ExceptionReport. Every answer
allows browsers of any site (``Access-Control-Allow-Origin: *``), as public services do.
``/broken/wms`` and ``/broken/wfs`` answer 500 with an HTML page, for the previews' bad path.
Run alone, from the repository's root, for the demo (``scripts/serve.sh`` does)::

    python -m demo.ogc --port 5081 [--port-file PATH] [--parent PID]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import struct
import threading
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

from demo.replay import Handler, ReplayServer, Reply

__all__ = ["LAYER", "POINTS", "ogc_routes", "png", "server"]

POINTS_FILE = (
    Path(__file__).resolve().parent / "files" / "fichiers-demo" / "prefectures-grand-est.geojson"
)
LAYER = "prefectures"
TITLE = "Préfectures du Grand Est (données d'exemple)"
_CORS = {"Access-Control-Allow-Origin": "*"}
_EARTH = 6378137.0
_MAX_SIDE = 4096


def _points() -> list[tuple[float, float, dict[str, str]]]:
    features = json.loads(POINTS_FILE.read_text("utf-8"))["features"]
    return [
        (
            float(f["geometry"]["coordinates"][0]),
            float(f["geometry"]["coordinates"][1]),
            f["properties"],
        )
        for f in features
    ]


POINTS = _points()
_WEST = min(p[0] for p in POINTS) - 0.2
_EAST = max(p[0] for p in POINTS) + 0.2
_SOUTH = min(p[1] for p in POINTS) - 0.2
_NORTH = max(p[1] for p in POINTS) + 0.2


def png(width: int, height: int, pixels: bytes | bytearray) -> bytes:
    """A PNG (RGBA, 8 bits) of ``pixels``, row after row."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    stride = width * 4
    raw = b"".join(b"\x00" + bytes(pixels[y * stride : (y + 1) * stride]) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    return (
        _EARTH * math.radians(lon),
        _EARTH * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)),
    )


def _xml(body: str, status: int = 200, kind: str = "text/xml") -> Reply:
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + body
    return Reply(status, text.encode("utf-8"), {"Content-Type": f"{kind}; charset=UTF-8", **_CORS})


def _wms_error(code: str, message: str) -> Reply:
    return _xml(
        '<ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc">'
        f'<ServiceException code="{code}">{escape(message)}</ServiceException>'
        "</ServiceExceptionReport>",
        400,
    )


def _wms_capabilities(base: str) -> Reply:
    online = (
        '<OnlineResource xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'xlink:href="{escape(base)}/wms?"/>'
    )
    get = f"<DCPType><HTTP><Get>{online}</Get></HTTP></DCPType>"
    box = (
        f"<EX_GeographicBoundingBox><westBoundLongitude>{_WEST}</westBoundLongitude>"
        f"<eastBoundLongitude>{_EAST}</eastBoundLongitude><southBoundLatitude>{_SOUTH}"
        f"</southBoundLatitude><northBoundLatitude>{_NORTH}</northBoundLatitude>"
        "</EX_GeographicBoundingBox>"
    )
    return _xml(
        '<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" '
        'xmlns:xlink="http://www.w3.org/1999/xlink">'
        f"<Service><Name>WMS</Name><Title>{escape(TITLE)}</Title>{online}</Service>"
        "<Capability><Request>"
        f"<GetCapabilities><Format>text/xml</Format>{get}</GetCapabilities>"
        f"<GetMap><Format>image/png</Format>{get}</GetMap>"
        "</Request><Exception><Format>XML</Format><Format>INIMAGE</Format></Exception>"
        f"<Layer><Title>{escape(TITLE)}</Title><CRS>EPSG:3857</CRS><CRS>EPSG:4326</CRS>"
        f"<CRS>CRS:84</CRS>{box}"
        f'<Layer queryable="0"><Name>{LAYER}</Name><Title>{escape(TITLE)}</Title>{box}</Layer>'
        "</Layer></Capability></WMS_Capabilities>"
    )


def _box(query: Mapping[str, str], crs: str) -> tuple[float, float, float, float] | None:
    try:
        a, b, c, d = (float(v) for v in query.get("bbox", "").split(","))
    except ValueError:
        return None
    if crs in ("EPSG:3857", "EPSG:900913"):
        return a, b, c, d
    if crs == "EPSG:4326" and query.get("version", "1.3.0") == "1.3.0":
        a, b, c, d = b, a, d, c  # WMS 1.3.0's EPSG:4326 is latitude first
    if crs in ("EPSG:4326", "CRS:84"):
        (a, b), (c, d) = _mercator(a, b), _mercator(c, d)
        return a, b, c, d
    return None


def _get_map(query: Mapping[str, str]) -> Reply:
    crs = (query.get("crs") or query.get("srs") or "").upper()
    if query.get("layers") != LAYER:
        return _wms_error("LayerNotDefined", f"Couche inconnue : {query.get('layers')}")
    box = _box(query, crs)
    if box is None:
        return _wms_error("InvalidCRS", f"BBOX ou CRS illisible : {crs}")
    try:
        width, height = int(query.get("width", "")), int(query.get("height", ""))
    except ValueError:
        return _wms_error("MissingParameterValue", "WIDTH et HEIGHT sont demandés")
    if not (0 < width <= _MAX_SIDE and 0 < height <= _MAX_SIDE):
        return _wms_error("InvalidDimensionValue", "WIDTH ou HEIGHT hors limites")
    west, south, east, north = box
    pixels = bytearray(width * height * 4)
    for lon, lat, _ in POINTS:
        x, y = _mercator(lon, lat)
        if east == west or north == south:
            break
        px = int((x - west) / (east - west) * width)
        py = int((north - y) / (north - south) * height)
        for yy in range(max(py - 4, 0), min(py + 5, height)):
            for xx in range(max(px - 4, 0), min(px + 5, width)):
                pixels[(yy * width + xx) * 4 : (yy * width + xx) * 4 + 4] = b"\xc0\x1d\x4f\xff"
    return Reply(200, png(width, height, pixels), {"Content-Type": "image/png", **_CORS})


def _wfs_error(code: str, message: str) -> Reply:
    return _xml(
        '<ows:ExceptionReport version="2.0.0" xmlns:ows="http://www.opengis.net/ows/1.1">'
        f'<ows:Exception exceptionCode="{code}"><ows:ExceptionText>{escape(message)}'
        "</ows:ExceptionText></ows:Exception></ows:ExceptionReport>",
        400,
    )


def _wfs_capabilities(base: str) -> Reply:
    return _xml(
        '<wfs:WFS_Capabilities version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0" '
        'xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:dge="https://www.datagrandest.fr/demo">'
        f"<ows:ServiceIdentification><ows:Title>{escape(TITLE)}</ows:Title>"
        "<ows:ServiceType>WFS</ows:ServiceType><ows:ServiceTypeVersion>2.0.0"
        "</ows:ServiceTypeVersion></ows:ServiceIdentification>"
        '<ows:OperationsMetadata><ows:Operation name="GetFeature"><ows:DCP><ows:HTTP>'
        f'<ows:Get xlink:href="{escape(base)}/wfs?"/></ows:HTTP></ows:DCP>'
        '<ows:Parameter name="outputFormat"><ows:AllowedValues>'
        "<ows:Value>application/gml+xml; version=3.2</ows:Value>"
        "<ows:Value>application/json</ows:Value></ows:AllowedValues></ows:Parameter>"
        "</ows:Operation></ows:OperationsMetadata>"
        f"<wfs:FeatureTypeList><wfs:FeatureType><wfs:Name>dge:{LAYER}</wfs:Name>"
        f"<wfs:Title>{escape(TITLE)}</wfs:Title><wfs:DefaultCRS>urn:ogc:def:crs:EPSG::4326"
        "</wfs:DefaultCRS><ows:WGS84BoundingBox>"
        f"<ows:LowerCorner>{_WEST} {_SOUTH}</ows:LowerCorner>"
        f"<ows:UpperCorner>{_EAST} {_NORTH}</ows:UpperCorner>"
        "</ows:WGS84BoundingBox></wfs:FeatureType></wfs:FeatureTypeList>"
        "</wfs:WFS_Capabilities>"
    )


def _get_feature(query: Mapping[str, str]) -> Reply:
    names = (query.get("typenames") or query.get("typename") or "").split(":")[-1]
    if names != LAYER:
        return _wfs_error("InvalidParameterValue", f"Type d'objet inconnu : {names}")
    if "json" not in (query.get("outputformat") or "").lower():
        return _wfs_error("InvalidParameterValue", "Ce service d'exemple ne répond qu'en GeoJSON")
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f"{LAYER}.{properties['departement']}",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": properties,
            }
            for lon, lat, properties in POINTS
        ],
    }
    body = json.dumps(collection, ensure_ascii=False).encode("utf-8")
    return Reply(200, body, {"Content-Type": "application/json; charset=utf-8", **_CORS})


def _broken(query: Mapping[str, str], path: str) -> Reply:
    body = b"<html><body><h1>500 Internal Server Error</h1></body></html>"
    return Reply(500, body, {"Content-Type": "text/html; charset=utf-8"})


def ogc_routes(server: ReplayServer) -> dict[str, Handler]:
    """The routes of the WMS (``/wms``) and the WFS (``/wfs``), for ``server``."""

    def service(
        capabilities: Callable[[str], Reply],
        operation: str,
        answer: Callable[[Mapping[str, str]], Reply],
        error: Callable[[str, str], Reply],
    ) -> Handler:
        def handle(query: Mapping[str, str], path: str) -> Reply:
            query = {k.lower(): v for k, v in query.items()}
            request = query.get("request", "").lower()
            if request == "getcapabilities":
                return capabilities(server.url)
            if request == operation:
                return answer(query)
            return error("OperationNotSupported", f"Requête inconnue : {request}")

        return handle

    wms = service(_wms_capabilities, "getmap", _get_map, _wms_error)
    wfs = service(_wfs_capabilities, "getfeature", _get_feature, _wfs_error)
    return {"/wms": wms, "/wfs": wfs, "/broken/wms": _broken, "/broken/wfs": _broken}


def server(port: int = 0) -> ReplayServer:
    """The service on 127.0.0.1 (``port``, or a free one), to start (``with server() as s``)."""
    made = ReplayServer(port=port)
    made.routes.update(ogc_routes(made))
    return made


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", type=Path)
    parser.add_argument("--parent", type=int, help="stop when this process ends")
    args = parser.parse_args(argv)
    service = server(args.port).start()
    if args.port_file:
        args.port_file.write_text(service.url + "\n", encoding="utf-8")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(2):
        if args.parent and not _alive(args.parent):
            break
    service.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


if __name__ == "__main__":
    main()
