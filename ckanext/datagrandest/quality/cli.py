"""`ckan datagrandest links ...` and `ckan datagrandest quality ...`."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.datagrandest.linkcheck import jobs
from ckanext.datagrandest.quality import compliance, report

__all__ = ["links_group", "quality_group"]


@click.group("links")
def links_group() -> None:
    """Link health: resource URLs and landing pages."""


@links_group.command("check")
@click.option("--dataset", "dataset", help="Name or id of one dataset.")
@click.option("--publisher", "publisher", help="Name or id of one publisher (organization).")
@click.option(
    "--stale",
    "stale_days",
    type=click.FloatRange(min=0),
    help="Every dataset whose links were not checked for this many days (for cron).",
)
@click.option("--now", is_flag=True, help="Check here and now instead of queuing jobs.")
def links_check(
    dataset: str | None, publisher: str | None, stale_days: float | None, now: bool
) -> None:
    """Check the links of one dataset, one publisher or the stale ones; queued by default."""
    chosen = [x for x in (dataset, publisher, stale_days) if x is not None]
    if len(chosen) != 1:
        raise click.UsageError(
            "Indiquez exactement une option : --dataset, --publisher ou --stale."
        )
    if dataset is not None:
        try:
            pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset})
        except tk.ObjectNotFound as error:
            raise click.ClickException(f"Jeu de données introuvable : {dataset}") from error
        ids, label = [pkg["id"]], pkg["name"]
    elif publisher is not None:
        try:
            ids = jobs.datasets_of_publisher(publisher)
        except tk.ObjectNotFound as error:
            raise click.ClickException(f"Producteur introuvable : {publisher}") from error
        label = publisher
    else:
        assert stale_days is not None
        ids, label = jobs.stale_datasets(stale_days), f"non vérifiés depuis {stale_days:g} j"
    if not ids:
        click.echo("Aucun jeu de données à vérifier.")
        return
    if now:
        results = jobs.check_datasets(ids, progress=click.echo)
        checked = [r for found in results.values() for r in found]
        broken = sum(1 for r in checked if not r.ok)
        click.secho(
            f"{len(results)} jeu(x) de données, {len(checked)} lien(s) vérifié(s), "
            f"{broken} en échec",
            bold=True,
        )
        return
    queued = jobs.enqueue(ids, label)
    click.echo(
        f"{len(ids)} jeu(x) de données mis en file ({queued} tâche(s)) : "
        "`ckan jobs worker` les vérifiera."
    )


@click.group("quality")
def quality_group() -> None:
    """Metadata quality (MQA score, data.gouv.fr criteria)."""


@quality_group.command("report")
@click.option("--publisher", help="Name or id of one publisher (organization).")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "csv"]),
    default="text",
    show_default=True,
)
def quality_report(publisher: str | None, output: str) -> None:
    """Average score, grades, broken links and datasets to fix first."""
    try:
        found = report.build(publisher)
    except tk.ObjectNotFound as error:
        raise click.ClickException(f"Producteur introuvable : {publisher}") from error
    click.echo(report.as_csv(found) if output == "csv" else report.as_text(found), nl=False)
    if output == "text":
        click.echo()


@quality_group.command("validate")
@click.option("--dataset", help="Name or id of one dataset (default: all whose result is stale).")
def quality_validate(dataset: str | None) -> None:
    """Validate DCAT outputs against the shapes now (what the background job does)."""
    if not compliance.enabled():
        raise click.ClickException(
            "Validation DCAT-AP désactivée : renseignez ckanext.datagrandest.quality.shacl_shapes."
        )
    ids = [dataset] if dataset else jobs.all_datasets()
    for package_id in ids:
        try:
            found = compliance.refresh(package_id)
        except compliance.ShapesError as error:
            raise click.ClickException(str(error)) from error
        if found is None:
            raise click.ClickException(f"Jeu de données introuvable : {package_id}")
        click.echo(f"{package_id} : {'conforme' if found.conforms else 'non conforme'}")
