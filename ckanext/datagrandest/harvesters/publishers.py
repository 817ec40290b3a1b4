"""Who publishes a harvested dataset: the original publisher, and the organisation it goes to.

Harvesters describe the publisher a record names with :func:`agent` (ckanext-dcat's
``publisher`` subfields: uri, name, email, url, type, identifier) and store it in the
dataset's ``publisher`` field, apart from the portal organisation (``owner_org``).

A new dataset goes to the organisation of that publisher (see :func:`owner_org`): the one
with the publisher's SIREN, else the one whose name is the publisher's once accents, case
and punctuation are folded, else the one a ``publisher_aliases`` entry of the source's
config names. With ``create_publishers: true`` an unknown publisher gets an organisation of
its own; otherwise the dataset goes to the source's organisation. A dataset already here
never moves (``base.py`` keeps its ``owner_org`` on update).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.datagrandest.logic.validators import siren_is_valid
from ckanext.datagrandest.territories import normalise
from ckanext.harvest.model import Session

__all__ = [
    "ADMS_PUBLISHER_TYPES",
    "agent",
    "Directory",
    "check_config",
    "first",
    "owner_org",
    "siren_of",
    "web_address",
]

log = logging.getLogger(__name__)

ADMS_PUBLISHER_TYPES: Final = "http://purl.org/adms/publishertype/"
_EMAIL: Final = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_WEB: Final = re.compile(r"^https?://[^\s<>\"/?#]+(?:[/?#][^\s<>\"]*)?$", re.I)
# A SIREN (9 digits) or SIRET (14: SIREN + establishment number), spaces or dots allowed.
_SIREN: Final = re.compile(r"(?<![\d])(\d{3}[ .]?\d{3}[ .]?\d{3})(?:[ .]?\d{5})?(?![\d])")
_NAME_MAX: Final = 500
_SLUG_MAX: Final = 100


def web_address(value: Any) -> str | None:
    """The value when it is an http(s) address with a host, else None."""
    text = str(value or "").strip()
    return text if len(text) <= 2000 and _WEB.match(text) else None


_web = web_address


def agent(
    name: Any,
    *,
    uri: Any = None,
    email: Any = None,
    url: Any = None,
    identifier: Any = None,
    kind: Any = None,
) -> dict[str, str] | None:
    """An agent in the ``publisher`` subfields, or None without a name.

    What the schema would refuse is left out rather than refusing the record: an email
    that is not one, a URI or web page that is not http(s), a type outside ADMS's
    publisher types (DCAT-AP's vocabulary for ``dct:type`` of a publisher).
    """
    text = " ".join(str(name or "").split())[:_NAME_MAX]
    if not text:
        return None
    found = {"name": text}
    mail = str(email or "").strip().removeprefix("mailto:")
    if _EMAIL.match(mail) and len(mail) <= 254:
        found["email"] = mail
    for key, value in (("uri", uri), ("url", url)):
        web = _web(value)
        if web:
            found[key] = web
    ident = " ".join(str(identifier or "").split())[:_NAME_MAX]
    if ident:
        found["identifier"] = ident
    kind_text = str(kind or "").strip()
    if kind_text.startswith(ADMS_PUBLISHER_TYPES) and _web(kind_text):
        found["type"] = kind_text
    return found


def first(agents: Any) -> dict[str, Any] | None:
    """The first agent of a ``publisher`` list (what routing and display use)."""
    if isinstance(agents, list) and agents and isinstance(agents[0], dict):
        return agents[0]
    return agents if isinstance(agents, dict) else None


def siren_of(publisher: dict[str, Any] | None) -> str | None:
    """The publisher's SIREN when its identifier or URI holds a valid one (or a SIRET)."""
    if not publisher:
        return None
    for key in ("identifier", "uri"):
        for match in _SIREN.finditer(str(publisher.get(key) or "")):
            siren = re.sub(r"[ .]", "", match.group(1))
            if siren_is_valid(siren):
                return siren
    return None


def check_config(config: dict[str, Any]) -> dict[str, Any]:
    """Check the routing keys of a source config; ValueError with a French message."""
    aliases = config.get("publisher_aliases")
    if aliases is not None:
        if not isinstance(aliases, dict) or not all(
            isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip()
            for k, v in aliases.items()
        ):
            raise ValueError(
                "« publisher_aliases » doit associer des noms de producteurs à des "
                'organisations du portail, par exemple {"DDT de la Moselle": "ddt-moselle"}'
            )
    create = config.get("create_publishers")
    if create is not None and not isinstance(create, bool):
        raise ValueError("« create_publishers » doit valoir true ou false")
    return config


class Directory:
    """The portal's organisations as the routing reads them, loaded once per harvest job.

    A job routes each of its records: without this, every record listed and normalised
    every organisation (hundreds on an aggregating source). An organisation created by
    ``create_publishers`` joins the directory; before creating one, the directory is read
    again, so a publisher another job or an admin has just added is found, not duplicated.
    Any other organisation added while a job runs is used from the next job.
    """

    def __init__(self) -> None:
        self._rows: list[tuple[str, str, str | None]] | None = None
        self._by_key: dict[str, str] = {}
        self._by_siren: dict[str, str | None] = {}

    def reload(self) -> None:
        self._rows = None
        self._by_siren.clear()

    def rows(self) -> list[tuple[str, str, str | None]]:
        if self._rows is None:
            self._rows = _organisations()
            self._by_key = {}
            for org_id, org_name, title in self._rows:
                self._index(org_id, org_name, title)
        return self._rows

    def _index(self, org_id: str, org_name: str, title: str | None) -> None:
        # The first organisation (by creation) answering to a name keeps it.
        for key in (normalise(title or ""), normalise(org_name.replace("-", " "))):
            if key:
                self._by_key.setdefault(key, org_id)

    def by_name(self, name: str) -> str | None:
        self.rows()
        return self._by_key.get(name) if name else None

    def by_siren(self, siren: str) -> str | None:
        if siren not in self._by_siren:
            self._by_siren[siren] = _by_siren(siren)
        return self._by_siren[siren]

    def added(self, org_id: str, org_name: str, title: str | None, siren: str | None) -> None:
        self.rows().append((org_id, org_name, title))
        self._index(org_id, org_name, title)
        if siren:
            self._by_siren[siren] = org_id


def owner_org(
    publisher: dict[str, Any] | None,
    source_org: str | None,
    config: dict[str, Any],
    directory: Directory | None = None,
) -> str | None:
    """The organisation a new dataset of this publisher goes to (see the module's rule).

    ``directory``: the job's (see ``Directory``); without one, the organisations are read
    afresh.
    """
    if not publisher or not publisher.get("name"):
        return source_org
    directory = directory or Directory()
    found = _route(publisher, config, directory)
    if found is not None or config.get("create_publishers") is not True:
        return found or source_org
    # About to create one: first look again at what others may have created meanwhile.
    directory.reload()
    found = _route(publisher, config, directory)
    if found is not None:
        return found
    siren = siren_of(publisher)
    organisations = directory.rows()
    created = _create(publisher, siren, {org_name for _, org_name, _ in organisations})
    if created is None:
        return source_org
    directory.added(*created, siren)
    return created[0]


def _route(publisher: dict[str, Any], config: dict[str, Any], directory: Directory) -> str | None:
    """The existing organisation of the publisher: by SIREN, name, then alias; else None."""
    siren = siren_of(publisher)
    if siren:
        found = directory.by_siren(siren)
        if found:
            return found
    name = normalise(str(publisher["name"]))
    found = directory.by_name(name)
    if found:
        return found
    aliases = {normalise(k): v.strip() for k, v in (config.get("publisher_aliases") or {}).items()}
    alias = aliases.get(name)
    if alias:
        for org_id, org_name, _ in directory.rows():
            if alias in (org_id, org_name):
                return org_id
        log.warning("publisher_aliases names an unknown organisation: %s", alias)
    return None


def _by_siren(siren: str) -> str | None:
    from ckan import model

    row = (
        Session.query(model.Group.id)
        .join(model.GroupExtra, model.GroupExtra.group_id == model.Group.id)
        .filter(
            model.Group.is_organization.is_(True),
            model.Group.state == "active",
            model.GroupExtra.key == "siren",
            model.GroupExtra.value == siren,
            model.GroupExtra.state == "active",
        )
        .first()
    )
    return str(row.id) if row else None


def _organisations() -> list[tuple[str, str, str | None]]:
    from ckan import model

    rows = Session.query(model.Group.id, model.Group.name, model.Group.title).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active"
    )
    return [(str(i), str(n), t) for i, n, t in rows.order_by(sa.asc(model.Group.created))]


def _slug(title: str, taken: set[str]) -> str:
    base = normalise(title).replace(" ", "-")[: _SLUG_MAX - 4].strip("-") or "producteur"
    base = base if len(base) >= 2 else f"producteur-{base}"
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}-{number}"
    return name


def _create(
    publisher: dict[str, Any], siren: str | None, taken: set[str]
) -> tuple[str, str, str | None] | None:
    """(id, name, title) of a new organisation for the publisher, or None when refused."""
    title = str(publisher["name"])[:300]
    data: dict[str, Any] = {"name": _slug(title, taken), "title": title}
    if siren:
        data["siren"] = siren
    if publisher.get("email"):
        data["email"] = publisher["email"]
    if publisher.get("url"):
        data["website"] = publisher["url"]
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"user": site_user, "ignore_auth": True}
    try:
        created = tk.get_action("organization_create")(context, data)
    except tk.ValidationError as error:
        # An email or site the organisation schema refuses: a bare organisation will do.
        log.info("Publisher organisation %s refused (%s); retrying bare", title, error)
        Session.rollback()
        bare = {k: data[k] for k in ("name", "title")}
        try:
            created = tk.get_action("organization_create")(context, bare)
        except tk.ValidationError:
            Session.rollback()
            log.warning("Could not create an organisation for publisher %s", title)
            return None
    return str(created["id"]), str(created["name"]), created.get("title")
