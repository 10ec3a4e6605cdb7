"""``secu retraite payer``: a caisse's monthly run of retirement pensions at an échéance (issue 14 §3).

:func:`register` adds the command to the ``secu retraite`` Typer app (``secu.retraite.cli.commandes``; the
wiring is in ``secu/cli.py``)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import typer
from rich.console import Console

from secu.core.errors import SecuError
from secu.core.money import format_eur

EXIT_BAD_INPUT = 2


def _fail(message: str) -> None:
    Console(stderr=True, soft_wrap=True, highlight=False).print(f"[red]{message}[/red]")
    raise typer.Exit(EXIT_BAD_INPUT)


def payer(
    caisse: str = typer.Option(..., "--caisse", help="code de la caisse de retraite, ex. CARSAT-RA, CNAV"),
    echeance: str = typer.Option(..., "--echeance", help="échéance AAAA-MM-09 : le 9 du mois suivant le mois payé (terme échu)"),
    out: str | None = typer.Option(None, "--out", help="où écrire le fichier SEPA pain.001"),
) -> None:
    """Pay (or resume paying) a caisse's pensions at an échéance: once, whatever happens."""
    from secu.cli import _engine
    from secu.core.db import session_factory
    from secu.retraite import paiement

    try:
        jour = date.fromisoformat(echeance)
    except ValueError:
        _fail("--echeance : date invalide (format attendu : AAAA-MM-JJ)")
        return
    engine = _engine()
    try:
        bilan = paiement.run_payments(session_factory(engine), caisse, jour)
    except SecuError as error:
        option = {"organisme_code": "--caisse", "echeance": "--echeance"}.get(error.field or "", "")
        _fail(f"{option} : {error.message}" if option else str(error))
        return
    finally:
        engine.dispose()
    console = Console(soft_wrap=True, highlight=False)
    console.print(
        f"Paiement {bilan.campagne_id} ({bilan.organisme_code}, retraites de {bilan.mois:%m/%Y}, versées le {bilan.date_execution:%d/%m/%Y}) : "
        f"{bilan.pensions} pension(s), {bilan.mois_payes} mois payé(s), {bilan.virements} virement(s), {format_eur(bilan.total_cents)}"
        + (f" ; réversion, veuvage, ASPA : {bilan.prestations} prestation(s), {bilan.mois_prestations} mois" if bilan.prestations else "")
    )
    if out and bilan.fichier_sepa:
        partial = Path(out).with_name(f".{Path(out).name}.secu-partiel-{os.getpid()}")
        partial.write_text(bilan.fichier_sepa, encoding="utf-8")
        os.replace(partial, out)  # the bank's file appears whole or not at all
        console.print(f"Fichier SEPA : {out}")


def register(app: typer.Typer) -> None:
    """Add ``payer`` to the ``secu retraite`` commands."""
    app.command("payer", help="Payer les retraites d'une caisse à une échéance (le 9 du mois suivant), une fois : fichier SEPA pain.001.")(payer)


__all__ = ["payer", "register"]
