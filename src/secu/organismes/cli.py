"""``secu route``: which organism manages a person, by residence and branche."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.markup import escape

from secu.core.errors import SecuError
from secu.organismes import route as route_organisme
from secu.organismes.territoire import validate_departement

commandes = typer.Typer()  # the commands this module adds to `secu` (secu/cli.py)


@commandes.command("route", help="Quel organisme gère une personne, selon sa résidence et la branche.")
def route(
    departement: str = typer.Option(..., "--departement", help="département de résidence (01…95, 2A, 2B, 971…976)"),
    branche: str = typer.Option(..., "--branche", help="maladie, atmp, famille, retraite, autonomie, recouvrement"),
    commune: str | None = typer.Option(None, "--commune", help="code INSEE de la commune (requis là où plusieurs caisses se partagent le département)"),
    regime: str = typer.Option("general", "--regime", help="general ou agricole"),
    json_: bool = typer.Option(False, "--json", help="sortie JSON"),
) -> None:
    """Print the code and name of the organism, or a JSON object with --json; exit 2 on a refusal."""
    try:
        organisme = route_organisme(departement, branche, commune=commune, regime=regime)
        dep = validate_departement(departement)
    except SecuError as error:
        Console(stderr=True, soft_wrap=True).print(str(error), style="red", highlight=False, markup=False)
        raise typer.Exit(code=2) from None
    if json_:
        typer.echo(
            json.dumps(
                {
                    "code": organisme.code,
                    "nom": organisme.nom,
                    "type": organisme.type,
                    "branches": sorted(organisme.branches),
                    "departement": dep,
                    "branche": branche.strip().lower(),
                },
                ensure_ascii=False,
            )
        )
        return
    console = Console(soft_wrap=True)
    console.print(f"[bold]{escape(organisme.code)}[/bold] — {escape(organisme.nom)}", highlight=False)
