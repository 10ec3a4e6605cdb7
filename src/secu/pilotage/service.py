"""The pilotage's use cases: read the accounts (authorised, the secret statistique for aggregates), close an exercise.

Closing is the agence comptable's act: once an exercise is closed the ledger refuses any new entry dated in it
(:mod:`secu.core.ledger`); it is journaled. An exercise still running (this year or later) cannot be closed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from secu.acces import Permission, Portee, exiger
from secu.core import ledger
from secu.core.errors import Conflict, InvalidField
from secu.core.security import Action, Caller, Ressource, journal
from secu.pilotage import comptes as ccss
from secu.statistiques.rules import seuil


def lire_comptes(session: Session, caller: Caller, annee: int, *, branche: str | None = None, simulation: bool = False) -> dict[str, Any]:
    """The accounts of ``annee`` as far as the caller may read them."""
    reach = exiger(caller, Permission.LIRE_COMPTES_NATIONAUX)
    doc = ccss.comptes(session, annee, branche=branche, simulation=simulation)
    if reach is Portee.AGREGATS and not simulation:  # the simulated year adds up a synthetic population: no one to single out
        secret_statistique(doc, seuil(date.today()))
    return doc


def secret_statistique(doc: dict[str, Any], minimum: int) -> None:
    """Hide every cell that adds up 1 to ``minimum − 1`` entries, and every total such a cell is part of (a total
    beside its other parts would give the hidden one back by difference)."""
    def small(cell: dict[str, Any]) -> bool:
        return 0 < int(cell["ecritures"]) < minimum

    hidden: set[tuple[str, str]] = set()
    for row in doc["lignes"]:
        row["secret"] = small(row)
        if row["secret"]:
            row["montant_cents"] = None
            hidden |= {(row["branche"], row["regime"]), (row["branche"], "robss"), ("toutes", "robss")}
    for cell in doc["tableau"]:
        cell["secret"] = (cell["branche"], cell["regime"]) in hidden
        if cell["secret"]:
            cell.update(recettes_cents=None, depenses_cents=None, solde_cents=None)
    for cell in doc["corrections_exercices_anterieurs"]:
        cell["secret"] = small(cell)
        if cell["secret"]:
            cell["montant_cents"] = None
    for cell in doc["non_classes"]:
        cell["secret"] = small(cell)
        if cell["secret"]:
            cell["solde_cents"] = None
    if doc["hors_perimetre_charges_cents"]:
        doc["hors_perimetre_charges_cents"] = None  # the départements' own amounts: not the DSS's aggregates


def cloturer(session: Session, caller: Caller, annee: int, *, today: date | None = None) -> ledger.ExerciceClos:
    """Close the exercise ``annee``: no entry may be dated in it any more. Journaled."""
    exiger(caller, Permission.CLOTURER_EXERCICE)
    today = today or date.today()
    ccss.verifier_annee(annee)
    if annee >= today.year:
        raise InvalidField("annee", f"l'exercice {annee} n'est pas terminé : il ne peut être clos qu'à partir du 1er janvier {annee + 1}")
    ledger.verrou_exercice(session, annee, exclusif=True)
    if annee in ledger.exercices_clos(session, {annee}):
        raise Conflict(f"l'exercice {annee} est déjà clos", field="annee")
    clos = ledger.ExerciceClos(annee=annee, clos_le=datetime.now(UTC), clos_par=caller.user_id)
    session.add(clos)
    session.flush()
    journal(session, caller, Action.CREATION, Ressource.EXERCICE, annee, detail=f"clôture de l'exercice {annee}")
    return clos


def exercices(session: Session, caller: Caller) -> list[int]:
    """The closed exercises (who may read the accounts may know which are final)."""
    exiger(caller, Permission.LIRE_COMPTES_NATIONAUX)
    return sorted(ledger.exercices_clos(session))
