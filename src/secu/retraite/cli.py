"""`secu retraite pension`: the pension de droit propre of one person, with its explanation, for a person and for checks.

Registered on the `secu` application by ``secu/cli.py`` (``commandes`` holds the group ``retraite``; other modules
add their commands to :data:`groupe`). The same vectorised rules as a batch, over frames of one person:
:func:`secu.retraite.rules.carriere.annees_carriere` and :func:`salaire_annuel_moyen` with ``--carriere``, then
:func:`secu.retraite.rules.droit_propre.pension_droit_propre`.

``--carriere CARRIERE.json``: ``{"annees": [{"annee": 1990, "salaire": 18000.00, "salaire_avpf": 0,
"trimestres_assimiles": 0, "trimestres_autres_regimes": 0}, …], "trimestres_majoration": 8, "enfants_mere": 2}``
— amounts in euros (gross, uncapped), the optional keys 0 by default; ``trimestres_majoration``: the majorations
de durée d'assurance (L. 351-4), counted in the régime général's quarters; ``enfants_mere``: the children of the
LFSS 2026 mothers' measure. Without ``--carriere``: ``--sam`` (euros) and ``--trimestres`` (all régimes), all in
the régime général unless ``--trimestres-rg`` says otherwise, all cotisés unless ``--trimestres-cotises`` says
otherwise.

Output for people: the result, then each step with its reference; ``--json`` gives ``sam``, ``trimestres``,
``trimestres_rg``, ``trimestres_cotises``, ``duree_requise``, ``age_legal`` (months), ``taux`` (percent),
``decote_trimestres``, ``surcote_trimestres``, ``prorata`` (a fraction, 6 decimals) with ``prorata_numerateur`` and
``prorata_denominateur``, ``minimum_contributif`` (bool), ``majoration_enfants``, ``pension_annuelle`` and
``pension_mensuelle`` (euros, gross), and ``explication``. Bad input (a departure before the âge légal without
carrière longue, an impossible quarter count, a date before birth…) prints a French message naming the option on
stderr and exits with code 2; nothing is stored.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import typer
from rich.console import Console

from secu.core.errors import SecuError
from secu.core.explication import ligne, pourcent
from secu.core.money import format_eur, to_cents
from secu.especes.cli import _date, _euros
from secu.recouvrement.cli import EXIT_BAD_INPUT, _fail

commandes = typer.Typer()  # what this module adds to `secu` (secu/cli.py): the group `retraite`
groupe = typer.Typer(help="Retraite de base du régime général (CNAV) : pension de droit propre et ses règles.", no_args_is_help=True)
commandes.add_typer(groupe, name="retraite")

OPTIONS = {
    "naissance": "--naissance",
    "date_effet": "--depart",
    "sam": "--sam",
    "trimestres": "--trimestres",
    "trimestres_rg": "--trimestres-rg",
    "trimestres_cotises": "--trimestres-cotises",
    "enfants": "--enfants",
    "age_debut_activite": "--carriere-longue",
    "carriere_longue": "--carriere-longue",
    "total_pensions_mensuel": "--autres-pensions",
}
"""The rule's columns and the options that give them (an error on a column names the option)."""

CLES_JSON = ("sam", "trimestres", "duree_requise", "taux", "decote_trimestres", "surcote_trimestres", "prorata", "minimum_contributif",
             "pension_annuelle", "pension_mensuelle")
"""The keys the issue requires of ``--json`` (others are added)."""

CLES_ANNEE = {"annee", "salaire", "salaire_avpf", "trimestres_assimiles", "trimestres_autres_regimes"}


def _echec(error: SecuError, source: str | None = None) -> None:
    option = source or OPTIONS.get(error.field or "", error.field or "")
    message = str(error).removeprefix(f"{error.field} : ") if error.field else str(error)
    _fail(f"{option} : {message}" if option else message)


def _entier(valeur: Any, ou: str) -> int:
    if isinstance(valeur, bool) or not isinstance(valeur, int):
        _fail(f"--carriere : {ou} : un nombre entier est attendu, pas « {valeur} »")
    return int(valeur)


def _montant(valeur: Any, ou: str) -> int:
    if isinstance(valeur, bool) or not isinstance(valeur, int | float | str):
        _fail(f"--carriere : {ou} : un montant en euros est attendu, pas « {valeur} »")
    try:
        return to_cents(str(valeur), field="--carriere")
    except SecuError:
        _fail(f"--carriere : {ou} : « {valeur} » n'est pas un montant en euros (deux décimales au plus)")
        raise


def lire_carriere(chemin: str) -> tuple[pl.DataFrame, int, int]:
    """The career file: its years as the frame :func:`annees_carriere` takes, the majorations and the mothers' children."""
    try:
        donnees = json.loads(Path(chemin).read_text(encoding="utf-8"))
    except OSError as error:
        _fail(f"--carriere : impossible de lire « {chemin} » ({error.strerror})")
        raise
    except (json.JSONDecodeError, UnicodeDecodeError):
        _fail(f"--carriere : « {chemin} » n'est pas un fichier JSON valide")
        raise
    if not isinstance(donnees, dict) or not isinstance(donnees.get("annees"), list) or not donnees["annees"]:
        _fail("--carriere : un objet JSON avec une liste « annees » non vide est attendu")
    inconnues = set(donnees) - {"annees", "trimestres_majoration", "enfants_mere"}
    if inconnues:
        _fail(f"--carriere : clé(s) inconnue(s) : {', '.join(sorted(inconnues))}")
    lignes: list[dict[str, int]] = []
    for numero, annee in enumerate(donnees["annees"], start=1):
        ou = f"année n° {numero}"
        if not isinstance(annee, dict) or "annee" not in annee or "salaire" not in annee:
            _fail(f"--carriere : {ou} : « annee » et « salaire » sont obligatoires")
        if set(annee) - CLES_ANNEE:
            _fail(f"--carriere : {ou} : clé(s) inconnue(s) : {', '.join(sorted(set(annee) - CLES_ANNEE))}")
        lignes.append({
            "personne": 1,
            "annee": _entier(annee["annee"], ou),
            "salaire": _montant(annee["salaire"], ou),
            "salaire_avpf": _montant(annee.get("salaire_avpf", 0), ou),
            "trimestres_assimiles": _entier(annee.get("trimestres_assimiles", 0), ou),
            "trimestres_autres_regimes": _entier(annee.get("trimestres_autres_regimes", 0), ou),
        })
    majoration = _entier(donnees.get("trimestres_majoration", 0), "trimestres_majoration")
    enfants_mere = _entier(donnees.get("enfants_mere", 0), "enfants_mere")
    if majoration < 0 or enfants_mere < 0:
        _fail("--carriere : trimestres_majoration et enfants_mere ne peuvent pas être négatifs")
    return pl.DataFrame(lignes), majoration, enfants_mere


def _carriere(chemin: str, naissance: date, depart: date) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """The SAM and the quarters computed from the career file; the SAM's years for the explanation."""
    from secu.retraite.rules.carriere import annees_carriere, salaire_annuel_moyen

    annees, majoration, enfants_mere = lire_carriere(chemin)
    if annees.select((pl.col("annee") > depart.year).any()).item():
        _fail(f"--carriere : une année de salaire postérieure au départ ({depart:%d/%m/%Y})")
    try:
        carriere = annees_carriere(annees)
        personnes = pl.DataFrame({"personne": [1], "naissance": [naissance], "date_effet": [depart], "enfants_mere": [enfants_mere]})
        sam = salaire_annuel_moyen(carriere, personnes)
    except SecuError as error:
        _echec(error, "--depart" if error.field == "date_effet" else ("--naissance" if error.field == "naissance" else "--carriere"))
        raise
    totaux = carriere.select(pl.col("trimestres_tous_regimes").sum(), pl.col("trimestres_rg").sum(), pl.col("trimestres_cotises").sum()).row(0)
    valeurs = {"sam": int(sam.personnes.get_column("sam")[0]), "trimestres": int(totaux[0]) + majoration,
               "trimestres_rg": int(totaux[1]) + majoration, "trimestres_cotises": int(totaux[2])}
    lignes = sam.annees.sort("annee").to_dicts()
    return valeurs, [*lignes, sam.personnes.row(0, named=True)]


@groupe.command("pension", help="Pension de retraite de base (droit propre) d'un assuré, avec son explication article par article.")
def pension(
    naissance: str = typer.Option(..., "--naissance", help="date de naissance, AAAA-MM-JJ"),
    depart: str = typer.Option(..., "--depart", help="date d'effet de la pension (premier jour d'un mois), AAAA-MM-JJ"),
    carriere: str | None = typer.Option(None, "--carriere", help="fichier JSON de la carrière (années de salaire) : calcule SAM et trimestres"),
    sam: str | None = typer.Option(None, "--sam", help="salaire annuel moyen en euros (sans --carriere)"),
    trimestres: int | None = typer.Option(None, "--trimestres", help="trimestres tous régimes, majorations comprises (sans --carriere)"),
    trimestres_rg: int | None = typer.Option(None, "--trimestres-rg", help="dont au régime général (par défaut : tous)"),
    trimestres_cotises: int | None = typer.Option(None, "--trimestres-cotises", help="trimestres cotisés (par défaut : ceux du régime général)"),
    enfants: int = typer.Option(0, "--enfants", help="enfants eus ou élevés (majoration de 10 % à partir de 3)"),
    carriere_longue: int | None = typer.Option(None, "--carriere-longue", help="départ anticipé carrière longue : âge de début (16, 18, 20 ou 21)"),
    inaptitude: bool = typer.Option(False, "--inaptitude", help="inaptitude au travail reconnue (taux plein à l'âge légal)"),
    ex_invalide: bool = typer.Option(False, "--ex-invalide", help="ancien titulaire d'une pension d'invalidité (taux plein à l'âge légal)"),
    autres_pensions: str | None = typer.Option(None, "--autres-pensions", help="total mensuel brut des autres pensions (écrêtement du minimum)"),
    json_: bool = typer.Option(False, "--json", help="sortie JSON (montants en euros)"),
) -> None:
    """La pension de droit propre : âge légal, durée, taux, prorata, minimum contributif, et leur explication."""
    from secu.retraite.explication import etapes_pension, etapes_sam
    from secu.retraite.rules.droit_propre import pension_droit_propre

    ne, effet = _date(naissance, "--naissance"), _date(depart, "--depart")
    if effet <= ne:
        _fail(f"--depart : la date de départ ({effet:%d/%m/%Y}) doit suivre la date de naissance ({ne:%d/%m/%Y})")
    etapes_carriere: list[dict[str, Any]] = []
    if carriere is not None:
        if sam is not None or trimestres is not None or trimestres_rg is not None or trimestres_cotises is not None:
            _fail("--carriere : ne se combine pas avec --sam, --trimestres, --trimestres-rg ni --trimestres-cotises (ils sont calculés)")
        valeurs, etapes_carriere = _carriere(carriere, ne, effet)
    else:
        if sam is None or trimestres is None:
            _fail("--sam : --sam et --trimestres sont obligatoires sans --carriere")
            raise AssertionError  # unreachable
        try:
            sam_cents = to_cents(sam, field="--sam")
        except SecuError:
            _fail(f"--sam : « {sam} » n'est pas un montant en euros (deux décimales au plus)")
            raise
        rg = trimestres if trimestres_rg is None else trimestres_rg
        valeurs = {"sam": sam_cents, "trimestres": trimestres, "trimestres_rg": rg,
                   "trimestres_cotises": rg if trimestres_cotises is None else trimestres_cotises}
    autres: int | None = None
    if autres_pensions is not None:
        try:
            autres = to_cents(autres_pensions, field="--autres-pensions")
        except SecuError:
            _fail(f"--autres-pensions : « {autres_pensions} » n'est pas un montant en euros (deux décimales au plus)")
            raise
    frame = pl.DataFrame(
        {"naissance": [ne], "date_effet": [effet], **{k: [v] for k, v in valeurs.items()}, "enfants": [enfants],
         "carriere_longue": [carriere_longue is not None], "age_debut_activite": [carriere_longue], "inaptitude": [inaptitude],
         "ex_invalide": [ex_invalide], "total_pensions_mensuel": [autres]},
        schema_overrides={"age_debut_activite": pl.Int64, "total_pensions_mensuel": pl.Int64},
    )
    try:
        row = pension_droit_propre(frame).row(0, named=True)
    except SecuError as error:
        # A count the user did not give came from --trimestres (or --trimestres-rg): name the option given.
        donnee = {"trimestres_rg": trimestres_rg, "trimestres_cotises": trimestres_cotises}
        if carriere is None and error.field in donnee and donnee[error.field] is None:
            _echec(error, "--trimestres-rg" if error.field == "trimestres_cotises" and trimestres_rg is not None else "--trimestres")
        elif carriere is not None and error.field in ("trimestres", "trimestres_rg", "trimestres_cotises"):
            _echec(error, "--carriere")
        _echec(error)
        return
    steps = etapes_pension(row)
    if etapes_carriere:
        steps = [*etapes_sam(etapes_carriere[:-1], etapes_carriere[-1]), *steps]

    if json_:
        typer.echo(json.dumps(_json(row, steps), ensure_ascii=False, indent=2))
        return
    out = Console(markup=False, highlight=False, soft_wrap=True)  # a reference is never cut in two
    out.print(f"Pension de droit propre — né(e) le {ne:%d/%m/%Y}, départ le {effet:%d/%m/%Y}")
    out.print(f"  Salaire annuel moyen     : {format_eur(row['sam'])}")
    out.print(f"  Trimestres               : {row['trimestres']} (régime général {row['trimestres_rg']}, cotisés {row['trimestres_cotises']}) "
              f"pour {row['duree_requise']} requis")
    out.print(f"  Taux                     : {pourcent(row['taux'])} (décote {row['decote_trimestres']} trimestre(s), "
              f"surcote {row['surcote_trimestres']} trimestre(s))")
    out.print(f"  Prorata                  : {row['prorata_numerateur']} / {row['prorata_denominateur']}")
    out.print(f"  Minimum contributif      : {'oui' if row['minimum_contributif'] else 'non'}")
    out.print(f"  Pension annuelle brute   : {format_eur(row['pension_annuelle'])}")
    out.print(f"  Pension mensuelle brute  : {format_eur(row['pension_mensuelle'])}")
    out.print("\nDétail du calcul")
    for step in steps:
        out.print(f"  {ligne(step)}")


def _pourcent(taux: Decimal) -> str:
    return format((Decimal(taux) * 100).normalize(), "f")


def _json(row: dict[str, Any], steps: list[Any]) -> dict[str, Any]:
    return {
        "naissance": row["naissance"].isoformat(),
        "depart": row["date_effet"].isoformat(),
        "sam": _euros(row["sam"]),
        "trimestres": row["trimestres"],
        "trimestres_rg": row["trimestres_rg"],
        "trimestres_cotises": row["trimestres_cotises"],
        "age_legal": row["age_legal_mois"],
        "duree_requise": row["duree_requise"],
        "taux_plein": row["taux_plein"],
        "taux": float(Decimal(_pourcent(row["taux"]))),
        "decote_trimestres": row["decote_trimestres"],
        "surcote_trimestres": row["surcote_trimestres"],
        "prorata": round(row["prorata_numerateur"] / row["prorata_denominateur"], 6),
        "prorata_numerateur": row["prorata_numerateur"],
        "prorata_denominateur": row["prorata_denominateur"],
        "minimum_contributif": row["minimum_contributif"],
        "majoration_enfants": _euros(row["majoration_enfants"]),
        "pension_annuelle": _euros(row["pension_annuelle"]),
        "pension_mensuelle": _euros(row["pension_mensuelle"]),
        "explication": steps,
    }


COMMANDES_JOINTES = ("cli_solidarite", "cli_carriere", "cli_demande", "cli_survivants")
"""The modules whose ``register(groupe)`` adds their commands to the one `secu retraite` group."""


def _joindre() -> None:
    import importlib

    for module in COMMANDES_JOINTES:
        importlib.import_module(f"secu.retraite.{module}").register(groupe)


_joindre()

__all__ = ["CLES_JSON", "EXIT_BAD_INPUT", "commandes", "groupe", "lire_carriere", "pension"]
