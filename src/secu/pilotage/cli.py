"""`secu pilotage`: the accounts of an exercise in the CCSS's shape beside the LFSS, and closing an exercise.

Registered on the `secu` application by ``secu/cli.py`` (``commandes`` holds the group ``pilotage``). The command
reads the server's database as the system (the operator at the console), through the same service as the API.
Bad input — a year out of range or without any data, an unknown branch — prints a French message naming the
option on stderr and exits with code 2.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from secu.core.errors import SecuError
from secu.core.money import format_eur

EXIT_BAD_INPUT = 2
OPTIONS = {"annee": "--annee", "branche": "--branche"}

commandes = typer.Typer()  # what this module adds to `secu` (secu/cli.py): the group `pilotage`
groupe = typer.Typer(help="Pilotage (DSS) : les comptes au format de la CCSS, la LFSS, la clôture d'un exercice.", no_args_is_help=True)
commandes.add_typer(groupe, name="pilotage")


def _fail(error: SecuError | str) -> None:
    if isinstance(error, SecuError):
        option = OPTIONS.get(error.field or "", error.field)
        message = f"{option} : {error.message}" if option else error.message
    else:
        message = error
    Console(stderr=True, soft_wrap=True, markup=False, highlight=False).print(message)
    raise typer.Exit(EXIT_BAD_INPUT)


def _session() -> AbstractContextManager[Session]:
    from secu.cli import _engine
    from secu.core.db import session_factory, unit_of_work

    return unit_of_work(session_factory(_engine()))


def _euros(cents: int | None) -> str:
    return "secret" if cents is None else format_eur(cents)


@groupe.command("comptes", help="Comptes d'un exercice au format de la CCSS et tableau d'équilibre à côté de la LFSS.")
def comptes_command(
    annee: int = typer.Option(..., "--annee", help="l'exercice, AAAA"),
    branche: str | None = typer.Option(None, "--branche", help="maladie, atmp, vieillesse, famille, autonomie ou recouvrement"),
    simulation: bool = typer.Option(False, "--simulation", help="les comptes de l'année simulée (simulation.*)"),
    json_: bool = typer.Option(False, "--json", help="sortie JSON (montants en centimes, LFSS en Md€)"),
) -> None:
    from secu.core.security import SYSTEM
    from secu.pilotage import service

    try:
        from secu.pilotage.comptes import verifier_annee, verifier_branche

        verifier_annee(annee)
        verifier_branche(branche)
        with _session() as session:
            doc = service.lire_comptes(session, SYSTEM, annee, branche=branche, simulation=simulation)
    except SecuError as error:
        _fail(error)
        return
    if not doc["lignes"] and not doc["lfss"] and not doc["non_classes"]:
        _fail(f"--annee : aucune donnée pour l'exercice {annee} (ni écriture au grand livre, ni valeur de la LFSS)")
    if json_:
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    _print(doc)


def _print(doc: dict[str, Any]) -> None:
    out = Console(markup=False, highlight=False)
    out.width = max(out.width, 140)
    source = "année simulée" if doc["source"] == "simulation" else "grand livre"
    clos = "exercice clos" if doc["exercice_clos"] else "exercice ouvert"
    table = Table(title=f"Comptes {doc['annee']} ({source}, {clos})", title_justify="left")
    for name in ("branche", "régime", "sens", "ligne", "risque"):
        table.add_column(name)
    table.add_column("montant", justify="right")
    for row in doc["lignes"]:
        table.add_row(row["branche"], row["regime"], row["sens"], row["libelle"], row["libelle_risque"] or "", _euros(row["montant_cents"]))
    out.print(table)
    equilibre = Table(title="Tableau d'équilibre (secu)", title_justify="left")
    for name in ("branche", "régime"):
        equilibre.add_column(name)
    for name in ("recettes", "dépenses", "solde"):
        equilibre.add_column(name, justify="right")
    for cell in doc["tableau"]:
        equilibre.add_row(cell["libelle"], cell["regime"], _euros(cell["recettes_cents"]), _euros(cell["depenses_cents"]), _euros(cell["solde_cents"]))
    out.print(equilibre)
    if doc["lfss"]:
        publie = Table(title="LFSS, ensemble des régimes obligatoires de base (Md€)", title_justify="left")
        for name in ("branche", "état", "recettes", "dépenses", "solde", "statut", "texte"):
            publie.add_column(name, overflow="fold")
        for p in doc["lfss"]:
            publie.add_row(p["branche"], p["etat"], p["recettes_md"] or "—", p["depenses_md"] or "—", p["solde_md"], p["statut"], p["texte_code"])
        out.print(publie)
    for c in doc["corrections_exercices_anterieurs"]:
        out.print(f"Correction de l'exercice {c['exercice']} : {c['branche']} {c['regime']} {c['ligne']} {_euros(c['montant_cents'])}")
    for n in doc["non_classes"]:
        out.print(f"Compte non classé (à ajouter à la correspondance) : {n['compte']} ({n['branche']}) {_euros(n['solde_cents'])}")


@groupe.command("cloturer", help="Clore un exercice : plus aucune écriture datée dans l'année.")
def cloturer_command(annee: int = typer.Option(..., "--annee", help="l'exercice à clore, AAAA")) -> None:
    from secu.core.security import SYSTEM
    from secu.pilotage import service

    try:
        with _session() as session:
            service.cloturer(session, SYSTEM, annee)
    except SecuError as error:
        _fail(error)
        return
    Console(markup=False, highlight=False).print(f"Exercice {annee} clos : les corrections s'écrivent dans l'exercice ouvert, rattachées à {annee}.")
