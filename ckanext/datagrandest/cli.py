"""The `ckan datagrandest ...` command group."""

from __future__ import annotations

import secrets
import time
from collections import Counter
from pathlib import Path
from typing import Any

import click

from ckanext.datagrandest import config, demo
from ckanext.datagrandest import sources as sources_module
from ckanext.datagrandest.harvesters import preview as preview_module
from ckanext.datagrandest.quality import cli as quality_cli

__all__ = ["datagrandest"]


@click.group(short_help="DataGrandEst portal commands")
def datagrandest() -> None:
    """Commands of the DataGrandEst portal."""


@datagrandest.group("demo")
def demo_group() -> None:
    """Demo content for a local portal."""


@demo_group.command("load")
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where the demo sysadmin's password is kept (created with a random one if missing).",
)
@click.option("--refresh", is_flag=True, help="Also update the demo datasets that already exist.")
def demo_load(password_file: Path, refresh: bool) -> None:
    """Create the demo sysadmin, organizations and datasets; safe to run again."""
    if password_file.exists():
        password = password_file.read_text(encoding="utf-8").strip()
    else:
        password = secrets.token_urlsafe(12)
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(password + "\n", encoding="utf-8")
        password_file.chmod(0o600)
    admin = config.demo_admin_name()
    started = time.perf_counter()
    report = demo.load(admin, password, refresh=refresh)
    for line in report:
        click.echo(line)
    verbs = Counter(line.rsplit(": ", 1)[-1] for line in report[1:])
    click.echo(
        f"demo: {len(report) - 1} organizations and datasets ("
        + ", ".join(f"{count} {verb}" for verb, count in sorted(verbs.items()))
        + f") in {time.perf_counter() - started:.0f} s"
    )
    click.secho(f"Log in at /user/login as '{admin}' with password '{password}'", bold=True)


def _sources_file_option(help_text: str) -> Any:
    return click.option(
        "--file",
        "path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=sources_module.DEFAULT_PATH,
        show_default=True,
        help=help_text,
    )


@datagrandest.group("sources")
def sources_group() -> None:
    """Harvest sources as code (ckanext/datagrandest/sources.yaml)."""


@sources_group.command("sync")
@_sources_file_option("The sources file to apply.")
def sources_sync(path: Path) -> None:
    """Create or update the organizations and harvest sources of the file; safe to re-run."""
    try:
        changes = sources_module.sync(path, click.echo)
    except sources_module.SourcesError as error:
        for problem in error.problems:
            click.secho(f"  ✗ {problem}", fg="red", err=True)
        raise click.ClickException(
            f"{path} : fichier refusé ({len(error.problems)} erreur(s)), rien n'a été modifié"
        ) from error
    click.secho("; ".join(changes) if changes else "Rien à changer : tout est à jour.", bold=True)


@sources_group.command("harvest")
@click.argument("names", nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Every source of the file.")
@_sources_file_option("The sources file whose sources --all runs.")
def sources_harvest(names: tuple[str, ...], all_sources: bool, path: Path) -> None:
    """Run harvest jobs now, in this process (no queues), showing progress."""
    if all_sources:
        names = tuple(s["name"] for s in sources_module.load(path).sources)
    if not names:
        raise click.UsageError("Nommez les sources à moissonner, ou donnez --all.")
    try:
        clean = sources_module.run_harvest(
            names, lambda items, label: click.progressbar(items, label=label), click.echo
        )
    except sources_module.SourcesError as error:
        for problem in error.problems:
            click.secho(f"  ✗ {problem}", fg="red", err=True)
        raise click.ClickException("aucun moissonnage lancé") from error
    if not clean:
        raise click.ClickException("Moissonnage terminé avec des erreurs (voir ci-dessus).")


@sources_group.command("preview")
@click.argument("name")
@click.option(
    "--limit",
    type=click.IntRange(1, preview_module.MAX_LIMIT),
    default=preview_module.DEFAULT_LIMIT,
    show_default=True,
    help="How many records to read and map.",
)
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Read the source from this sources file instead of the database.",
)
def sources_preview(name: str, limit: int, path: Path | None) -> None:
    """Read and map the first records of a source, writing nothing (no job, no dataset)."""
    if path is None:
        result = preview_module.preview_source(name, limit)
    else:
        result = preview_module.preview_file_source(path, name, limit)
    for problem in result.problems:
        click.secho(f"  ! {problem}", fg="yellow")
    for item in result.items:
        if item.refused:
            click.secho(f"✗ {item.title or item.guid} : {item.refused}", fg="red")
            continue
        click.secho(f"✓ {item.title}", bold=True)
        for label, value in (
            ("identifiant", item.guid),
            ("producteur", item.publisher),
            ("licence", item.licence),
            ("formats", ", ".join(item.formats)),
            ("territoires", ", ".join(item.territories)),
            ("page d'origine", item.landing_page),
        ):
            click.echo(f"    {label} : {value or '—'}")
        for warning in item.warnings:
            click.secho(f"    ! {warning}", fg="yellow")
    if result.source_type:  # found: what was read, even when the reading stopped early
        click.echo(
            f"{len(result.items)} enregistrement(s) lu(s), {result.landing} seraient moissonnés ;"
            " rien n'a été écrit."
        )
    if result.error:
        raise click.ClickException(result.error)


# Link health and metadata quality (quality/cli.py).
datagrandest.add_command(quality_cli.links_group)
datagrandest.add_command(quality_cli.quality_group)
