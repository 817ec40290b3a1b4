"""The `ckan datagrandest ...` command group."""

from __future__ import annotations

import secrets
from pathlib import Path

import click

from ckanext.datagrandest import config, demo

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
def demo_load(password_file: Path) -> None:
    """Create the demo sysadmin, organizations and datasets; safe to run again."""
    if password_file.exists():
        password = password_file.read_text(encoding="utf-8").strip()
    else:
        password = secrets.token_urlsafe(12)
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(password + "\n", encoding="utf-8")
        password_file.chmod(0o600)
    admin = config.demo_admin_name()
    report = demo.load(admin, password)
    for line in report:
        click.echo(line)
    click.secho(f"Log in at /user/login as '{admin}' with password '{password}'", bold=True)
