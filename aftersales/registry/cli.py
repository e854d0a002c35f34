"""`aftersales registry …`: publishing the public registry; `register(app)` is called by aftersales/cli.py."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from aftersales.clikit import django_setup

registry_app = typer.Typer(help="The public certificate registry.", no_args_is_help=True, rich_markup_mode=None)


def publish(
    every: Annotated[bool, typer.Option("--all", help="Render every certificate again, current or not.")] = False,
    batch: Annotated[int, typer.Option(help="Certificates per transaction.", min=1)] = 200,
) -> None:
    """Publish the registry's answers (the JSON and the page per language) of every certificate
    whose answers are missing or stale, e.g. to warm them after a deploy that changed a registry
    template (readers would otherwise render them one by one). The daily `aftersales cycle run`
    does the same; a change to a certificate publishes it at once."""

    django_setup()
    from aftersales.registry.models import Publication
    from aftersales.registry.publish import publish_stale, release

    started = time.monotonic()
    if every:
        Publication.objects.all().delete()
    done = publish_stale(batch=batch, progress=lambda n: typer.echo(f"… {n} certificates", err=True))
    typer.echo(f"published {done} certificates (release {release()}) in {time.monotonic() - started:.1f} s")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main CLI."""
    registry_app.command("publish")(publish)
    app.add_typer(registry_app, name="registry")
