"""`secu retraite importer FICHIER`: the past years of the comptes de carrière, from a CSV file (format in
``secu.retraite.import_carriere``). All or nothing: a refused file prints every line's error (line and column) on
stderr and exits with code 2; the same file twice imports nothing the second time.

``register(app)`` adds the command to the ``secu retraite`` Typer app (the merger wires it in ``secu/cli.py``).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from secu.core.errors import SecuError
from secu.recouvrement.cli import _fail

AIDE_FICHIER = "fichier CSV des années passées (en-tête nir,annee,nature,montant,jours,trimestres,mois,origine)"


def importer(fichier: Path = typer.Argument(..., help=AIDE_FICHIER)) -> None:
    """Reprendre les années passées des comptes de carrière (tout ou rien, rejouable)."""
    from secu.cli import _engine
    from secu.core.db import session_factory, unit_of_work
    from secu.core.security import SYSTEM
    from secu.retraite.import_carriere import importer as importer_fichier

    try:
        contenu = fichier.read_bytes()
    except OSError as error:
        _fail(f"FICHIER : {fichier} ne peut pas être lu ({error.strerror})")
        return
    engine = _engine()
    try:
        with unit_of_work(session_factory(engine)) as session:
            bilan = importer_fichier(session, SYSTEM, contenu, nom_fichier=fichier.name)
    except SecuError as error:
        _fail(error.message)
        return
    finally:
        engine.dispose()
    console = Console(soft_wrap=True, highlight=False)
    if bilan.deja_importe:
        console.print(f"Fichier déjà importé (import n° {bilan.import_id}) : rien de nouveau.")
    else:
        console.print(f"Import n° {bilan.import_id} : {bilan.lignes} ligne(s) lue(s), {bilan.ajoutees} ajoutée(s) aux comptes de carrière.")


def register(app: typer.Typer) -> None:
    """Add ``importer`` to the ``secu retraite`` commands."""
    app.command("importer")(importer)
