"""`secu ij`: the indemnités journalières of one arrêt, with their explanation, for a person and for checks.

Registered on the `secu` application by ``secu/cli.py``. The same vectorized rule as a batch
(:func:`secu.especes.rules.indemnites_journalieres`) over a frame of one row. Output for people: the daily IJ,
the days paid and of carence, gross, CSG, CRDS and net, then each step with its reference; ``--json`` gives
``ij_journaliere``, ``jours_indemnises``, ``jours_carence``, ``montant_brut``, ``csg``, ``crds``,
``montant_net`` in euros (JSON numbers with two decimals at most, written exactly), plus the steps. Bad input
prints a French message naming the option on stderr and exits with code 2; nothing is stored.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import typer
from rich.console import Console

from secu.core.errors import SecuError
from secu.core.explication import ligne
from secu.core.money import format_eur, from_cents, to_cents
from secu.recouvrement.cli import EXIT_BAD_INPUT, _fail

commandes = typer.Typer()  # the commands this module adds to `secu` (secu/cli.py)

RISQUES_CLI = ("maladie", "maternite", "paternite", "atmp")
"""The risks `secu ij` takes (issue 13); the rule also knows ``adoption``."""

CLES_JSON = ("ij_journaliere", "jours_indemnises", "jours_carence", "montant_brut", "csg", "crds", "montant_net")


def _date(text: str, option: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    _fail(f"{option} : « {text} » n'est pas une date valide (format attendu : AAAA-MM-JJ, par exemple 2025-04-14)")
    raise AssertionError  # unreachable


def _salaires(text: str) -> tuple[int, int, int]:
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 3 or not all(parts):
        _fail(
            f"--salaires : « {text} » : trois salaires bruts attendus, ceux des trois mois civils précédant l'arrêt, "
            "séparés par des virgules (décimales avec un point), par exemple 2000,2000,2150.50"
        )
    cents: list[int] = []
    for part in parts:
        try:
            value = to_cents(part, field="--salaires")
        except SecuError:
            _fail(f"--salaires : « {part} » n'est pas un montant en euros (deux décimales au plus)")
            raise
        if value < 0:
            _fail(f"--salaires : « {part} » : un salaire ne peut pas être négatif")
        cents.append(value)
    return cents[0], cents[1], cents[2]


def _euros(cents: int) -> float:
    """Cents as a JSON number of euros: the float of a 2-decimal amount prints back exactly ("41.47")."""
    value = float(from_cents(cents))
    assert Decimal(repr(value)) == from_cents(cents)  # the text written is the exact amount
    return value


@commandes.command("ij", help="Indemnités journalières d'un arrêt de travail (maladie, maternité, paternité, AT/MP), avec leur explication.")
def ij(
    risque: str = typer.Option(..., "--risque", help="maladie, maternite, paternite ou atmp"),
    debut: str = typer.Option(..., "--debut", help="premier jour de l'arrêt, AAAA-MM-JJ (AT/MP : le lendemain de l'accident)"),
    fin: str = typer.Option(..., "--fin", help="dernier jour de l'arrêt, AAAA-MM-JJ"),
    salaires: str = typer.Option(..., "--salaires", help="salaires bruts des 3 mois civils avant l'arrêt, en euros : S1,S2,S3 (S3 le dernier)"),
    ald: bool = typer.Option(
        False, "--ald", help="arrêt pour une affection de longue durée déjà indemnisée dans les trois ans (pas de carence, 3 ans de droits)",
    ),
    json_: bool = typer.Option(False, "--json", help="sortie JSON (montants en euros)"),
) -> None:
    """Les IJ d'un arrêt : IJ journalière, jours indemnisés et de carence, brut, CSG, CRDS, net, et leur explication."""
    from secu.especes.explication import LIBELLES, explain_ij
    from secu.especes.rules import ij_arret

    nom = risque.strip().lower()
    if nom not in RISQUES_CLI:
        _fail(f"--risque : « {risque} » n'est pas un risque connu (attendu : {', '.join(RISQUES_CLI)})")
    start, end = _date(debut, "--debut"), _date(fin, "--fin")
    if end < start:
        _fail(f"--fin : la fin de l'arrêt ({end:%d/%m/%Y}) précède son début ({start:%d/%m/%Y})")
    cents = _salaires(salaires)
    if ald and nom != "maladie":
        _fail("--ald : seul un arrêt maladie peut relever d'une affection de longue durée")
    try:
        row = ij_arret(nom, start, end, cents, ald=ald, ald_arret_anterieur=ald)
    except SecuError as error:
        _fail(str(error))
        return
    steps = explain_ij(row)

    if json_:
        payload: dict[str, Any] = {"risque": nom, "debut": start.isoformat(), "fin": end.isoformat()}
        for key in CLES_JSON:
            payload[key] = row[key] if key.startswith("jours") else _euros(row[key])
        if nom == "atmp":
            payload["ij_journaliere_majoree"] = _euros(row["ij_journaliere_majoree"])
            payload["jours_majores"] = row["jours_majores"]
        payload["explication"] = steps
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return

    out = Console(markup=False, highlight=False)
    out.width = max(out.width, 160)
    out.print(f"{LIBELLES[nom]} — arrêt du {start:%d/%m/%Y} au {end:%d/%m/%Y}")
    if nom == "atmp":
        majoree = f"à partir du jour {row['ij_atmp_jour_majoration']} : {format_eur(row['ij_journaliere_majoree'])}"
        out.print(f"  IJ journalière           : {format_eur(row['ij_journaliere'])} ({majoree})")
    else:
        out.print(f"  IJ journalière           : {format_eur(row['ij_journaliere'])}")
    out.print(f"  Jours indemnisés         : {row['jours_indemnises']}")
    out.print(f"  Jours de carence         : {row['jours_carence']}")
    out.print(f"  Montant brut             : {format_eur(row['montant_brut'])}")
    out.print(f"  CSG                      : {format_eur(row['csg'])}")
    out.print(f"  CRDS                     : {format_eur(row['crds'])}")
    out.print(f"  Montant net              : {format_eur(row['montant_net'])}")
    out.print("\nDétail du calcul")
    for step in steps:
        out.print(f"  {ligne(step)}")


__all__ = ["CLES_JSON", "EXIT_BAD_INPUT", "commandes", "ij"]


@commandes.command("ij-payer", help="Liquider les IJ d'une caisse jusqu'à une date puis lancer (ou reprendre) leur paiement (fichier SEPA).")
def ij_payer(
    organisme: str = typer.Option(..., "--organisme", help="code de la caisse primaire, ex. CPAM-75"),
    date_execution: str = typer.Option(..., "--date", help="date d'exécution AAAA-MM-JJ : les périodes terminées à cette date"),
    out: str | None = typer.Option(None, "--out", help="où écrire le fichier SEPA"),
) -> None:
    """Liquidation (périodes de 14 jours, une fois chacune) puis paiement, une fois, de la caisse."""
    import os
    from pathlib import Path

    from secu.cli import _engine
    from secu.core.db import session_factory, unit_of_work
    from secu.especes import paiement, service

    day = _date(date_execution, "--date")
    engine = _engine()
    try:
        sessions = session_factory(engine)
        with unit_of_work(sessions) as session:
            liquidation = service.liquider_periodes(session, day, organisme_code=organisme)
        bilan = paiement.run_payments(sessions, organisme, day)
    except SecuError as error:
        _fail(str(error))
        return
    finally:
        engine.dispose()
    console = Console(soft_wrap=True, highlight=False)
    console.print(f"Liquidation au {day:%d/%m/%Y} : {liquidation.periodes} période(s) de {liquidation.arrets} arrêt(s), "
                  f"brut {format_eur(liquidation.brut_cents)}, net {format_eur(liquidation.net_cents)}")
    console.print(f"Paiement {bilan.campagne_id} ({bilan.organisme_code}, {bilan.date_execution:%d/%m/%Y}) : {bilan.periodes} période(s), "
                  f"{bilan.virements} virement(s), {format_eur(bilan.total_cents)}")
    if out and bilan.fichier_sepa:
        partial = Path(out).with_name(f".{Path(out).name}.secu-partiel-{os.getpid()}")
        partial.write_text(bilan.fichier_sepa, encoding="utf-8")
        os.replace(partial, out)  # the bank's file appears whole or not at all
        console.print(f"Fichier SEPA : {out}")
