"""`secu retraite reversion | veuvage | aspa | aspa-recuperation`: the survivors' benefits and the minimum vieillesse, for a person and for checks.

:func:`register` adds the four commands to a Typer application (the merger passes `secu retraite`'s, from
``secu/retraite/cli.py``); ``python -m secu.retraite.cli_solidarite <commande> …`` runs them alone (:data:`app`).
Each command builds a frame of one row and calls the same vectorized rule as a batch
(:mod:`secu.retraite.rules.reversion`, :mod:`~secu.retraite.rules.veuvage`, :mod:`~secu.retraite.rules.aspa`), then prints
the amounts and each step with its reference; ``--json`` gives the amounts in euros (JSON numbers, two decimals
at most, written exactly) and the steps. Amounts are entered in euros with a decimal point. Bad input prints a
French message naming the option on stderr and exits with code 2; nothing is stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import typer
from rich.console import Console

from secu.core.errors import SecuError
from secu.core.explication import Etape, ligne
from secu.core.money import format_eur, from_cents, to_cents

EXIT_BAD_INPUT = 2


def _fail(message: str) -> None:
    Console(stderr=True, soft_wrap=True, markup=False, highlight=False).print(message)
    raise typer.Exit(EXIT_BAD_INPUT)


def _date(text: str, option: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    _fail(f"{option} : « {text} » n'est pas une date valide (format attendu : AAAA-MM-JJ, par exemple 2025-04-14)")
    raise AssertionError  # unreachable


def _mois(text: str, option: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if match and 1 <= int(match.group(2)) <= 12:
        return date(int(match.group(1)), int(match.group(2)), 1)
    _fail(f"{option} : « {text} » n'est pas un mois valide (format attendu : AAAA-MM, par exemple 2025-06)")
    raise AssertionError  # unreachable


def _euros_in(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    try:
        cents = to_cents(text.strip(), field=option)
    except SecuError:
        _fail(f"{option} : « {text} » n'est pas un montant en euros (décimales avec un point, deux au plus)")
        raise
    if cents < 0:
        _fail(f"{option} : « {text} » : un montant ne peut pas être négatif")
    return cents


def _nombre(value: int | None, option: str) -> int | None:
    if value is not None and value < 0:
        _fail(f"{option} : {value} : un nombre ne peut pas être négatif")
    return value


def _euros_out(cents: int) -> float:
    """Cents as a JSON number of euros: the float of a 2-decimal amount prints back exactly."""
    value = float(from_cents(cents))
    assert Decimal(repr(value)) == from_cents(cents)
    return value


def _appliquer(rule: Callable[[pl.DataFrame], pl.DataFrame], row: dict[str, Any], options: Mapping[str, str]) -> dict[str, Any]:
    """The rule on one row; its refusal becomes the French message naming the command's option (exit 2)."""
    try:
        return rule(pl.DataFrame([row])).row(0, named=True)
    except SecuError as error:
        option = options.get(error.field or "")
        _fail(f"{option} : {error.message}" if option else str(error))
        raise


def _sortie(json_: bool, titre: str, lignes: list[tuple[str, str]], payload: dict[str, Any], steps: list[Etape]) -> None:
    if json_:
        payload["explication"] = steps
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return
    out = Console(markup=False, highlight=False)
    out.width = max(out.width, 160)
    out.print(titre)
    largeur = max(len(label) for label, _ in lignes)
    for label, value in lignes:
        out.print(f"  {label.ljust(largeur)} : {value}")
    out.print("\nDétail du calcul")
    for step in steps:
        out.print(f"  {ligne(step)}")


# ---------------------------------------------------------------------------
# Réversion

OPTIONS_REVERSION = {
    "date_effet": "--date-effet", "date_deces": "--deces", "naissance": "--naissance", "pension_defunt": "--pension-defunt",
    "trimestres_defunt": "--trimestres-defunt", "revenus_activite_3_mois": "--revenus-activite-3-mois",
    "autres_ressources_3_mois": "--ressources-3-mois", "revenus_activite_12_mois": "--revenus-activite-12-mois",
    "autres_ressources_12_mois": "--ressources-12-mois", "duree_mariage": "--duree-mariage", "duree_mariages_total": "--duree-mariages-total",
    "date_droits_propres": "--droits-propres", "enfants": "--enfants", "enfants_a_charge": "--enfants-a-charge",
}


def reversion(
    deces: str = typer.Option(..., "--deces", help="date du décès de l'assuré, AAAA-MM-JJ"),
    naissance: str = typer.Option(..., "--naissance", help="date de naissance du conjoint survivant, AAAA-MM-JJ"),
    pension_defunt: str = typer.Option(..., "--pension-defunt", help="pension de base mensuelle brute de l'assuré (servie ou due), en euros"),
    trimestres_defunt: int = typer.Option(..., "--trimestres-defunt", help="trimestres d'assurance de l'assuré au régime général"),
    ressources_3_mois: str = typer.Option("0", "--ressources-3-mois", help="ressources comptées des 3 mois civils avant la date d'effet, hors activité"),
    revenus_activite_3_mois: str = typer.Option("0", "--revenus-activite-3-mois", help="revenus d'activité des mêmes 3 mois (abattus de 30 % dès 55 ans)"),
    ressources_12_mois: str | None = typer.Option(None, "--ressources-12-mois", help="les mêmes ressources sur 12 mois (3 mois au-delà du quart du plafond)"),
    revenus_activite_12_mois: str | None = typer.Option(None, "--revenus-activite-12-mois", help="revenus d'activité des 12 mois"),
    date_effet: str | None = typer.Option(None, "--date-effet", help="date d'effet, AAAA-MM-JJ (par défaut le 1er du mois qui suit le décès)"),
    couple: bool = typer.Option(False, "--couple", help="le conjoint survivant vit en couple (remarié, pacsé, concubinage) : ressources du ménage"),
    enfants: int = typer.Option(0, "--enfants", help="enfants eus ou élevés par le conjoint survivant (3 ou plus : +10 %)"),
    enfants_a_charge: int = typer.Option(0, "--enfants-a-charge", help="enfants à charge (majoration forfaitaire)"),
    duree_mariage: int | None = typer.Option(None, "--duree-mariage", help="durée de ce mariage, en mois (partage entre ex-conjoints)"),
    duree_mariages_total: int | None = typer.Option(None, "--duree-mariages-total", help="durée totale des mariages de l'assuré, en mois"),
    droits_propres: str | None = typer.Option(None, "--droits-propres", help="date d'entrée en jouissance de toutes les retraites personnelles, AAAA-MM-JJ"),
    json_: bool = typer.Option(False, "--json", help="sortie JSON (montants en euros)"),
) -> None:
    """Pension de réversion du régime général : 54 %, minimum, partage, majorations, plafond de ressources et écrêtement."""
    from secu.retraite.explication_solidarite import etapes_reversion
    from secu.retraite.rules.reversion import pension_reversion

    jour_deces = _date(deces, "--deces")
    effet = _date(date_effet, "--date-effet") if date_effet else date(jour_deces.year + jour_deces.month // 12, jour_deces.month % 12 + 1, 1)
    mensuelle = _euros_in(pension_defunt, "--pension-defunt")
    assert mensuelle is not None
    row: dict[str, Any] = {
        "date_effet": effet, "date_deces": jour_deces, "naissance": _date(naissance, "--naissance"),
        "pension_defunt": mensuelle * 12, "trimestres_defunt": _nombre(trimestres_defunt, "--trimestres-defunt"),
        "autres_ressources_3_mois": _euros_in(ressources_3_mois, "--ressources-3-mois"),
        "revenus_activite_3_mois": _euros_in(revenus_activite_3_mois, "--revenus-activite-3-mois"),
        "autres_ressources_12_mois": _euros_in(ressources_12_mois, "--ressources-12-mois"),
        "revenus_activite_12_mois": _euros_in(revenus_activite_12_mois, "--revenus-activite-12-mois"),
        "couple": couple, "enfants": _nombre(enfants, "--enfants"), "enfants_a_charge": _nombre(enfants_a_charge, "--enfants-a-charge"),
        "duree_mariage": duree_mariage, "duree_mariages_total": duree_mariages_total,
        "date_droits_propres": _date(droits_propres, "--droits-propres") if droits_propres else None,
    }
    if row["autres_ressources_12_mois"] is not None and row["revenus_activite_12_mois"] is None:
        row["revenus_activite_12_mois"] = 0
    if row["revenus_activite_12_mois"] is not None and row["autres_ressources_12_mois"] is None:
        row["autres_ressources_12_mois"] = 0
    result = _appliquer(pension_reversion, row, OPTIONS_REVERSION)
    steps = etapes_reversion(result)
    montants = ("reversion_brute", "minimum_proratise", "reversion_majoree", "plafond_ressources", "ressources_annuelles", "depassement",
                "reversion_annuelle", "reversion_mensuelle")
    payload: dict[str, Any] = {"date_effet": effet.isoformat(), "condition_age": result["condition_age"], "ecretee": result["depassement"] > 0}
    payload.update({key: _euros_out(result[key]) for key in montants})
    payload["date_montant_definitif"] = result["date_montant_definitif"].isoformat()
    lignes = [
        ("Date d'effet", f"{effet:%d/%m/%Y}"),
        ("Réversion avant ressources", format_eur(result["reversion_majoree"]) + " par an"),
        ("Plafond de ressources", format_eur(result["plafond_ressources"]) + " par an"),
        ("Ressources retenues", format_eur(result["ressources_annuelles"]) + " par an"),
        ("Écrêtement", format_eur(result["depassement"])),
        ("Réversion annuelle", format_eur(result["reversion_annuelle"])),
        ("Réversion mensuelle", format_eur(result["reversion_mensuelle"])),
    ]
    _sortie(json_, "Pension de réversion (régime général)", lignes, payload, steps)


# ---------------------------------------------------------------------------
# Allocation veuvage

OPTIONS_VEUVAGE = {
    "date_deces": "--deces", "naissance": "--naissance", "mois": "--mois", "mois_affiliation_defunt": "--affiliation-mois",
    "ressources_trimestre": "--ressources-trimestre", "revenus_reprise_trimestre": "--revenus-reprise", "debut_reprise": "--debut-reprise",
}


def veuvage(
    deces: str = typer.Option(..., "--deces", help="date du décès de l'assuré, AAAA-MM-JJ"),
    naissance: str = typer.Option(..., "--naissance", help="date de naissance du conjoint survivant, AAAA-MM-JJ"),
    mois: str = typer.Option(..., "--mois", help="mois payé, AAAA-MM"),
    affiliation_mois: int = typer.Option(..., "--affiliation-mois", help="mois d'affiliation de l'assuré dans les 12 mois précédant le mois du décès"),
    ressources_trimestre: str = typer.Option("0", "--ressources-trimestre", help="ressources prises en compte des 3 mois civils précédents, en euros"),
    remarie: bool = typer.Option(False, "--remarie", help="le conjoint survivant est remarié, pacsé ou vit en concubinage"),
    revenus_reprise: str = typer.Option("0", "--revenus-reprise", help="part de ces ressources tirée d'une activité commencée pendant le versement"),
    debut_reprise: str | None = typer.Option(None, "--debut-reprise", help="1er jour du mois qui suit la reprise d'activité, AAAA-MM-JJ"),
    json_: bool = typer.Option(False, "--json", help="sortie JSON (montants en euros)"),
) -> None:
    """Allocation veuvage d'un mois : conditions, période de versement, plafond trimestriel et réduction."""
    from secu.retraite.explication_solidarite import etapes_veuvage
    from secu.retraite.rules.veuvage import allocation_veuvage

    row: dict[str, Any] = {
        "date_deces": _date(deces, "--deces"), "naissance": _date(naissance, "--naissance"), "mois": _mois(mois, "--mois"),
        "mois_affiliation_defunt": _nombre(affiliation_mois, "--affiliation-mois"),
        "ressources_trimestre": _euros_in(ressources_trimestre, "--ressources-trimestre"), "remarie": remarie,
        "revenus_reprise_trimestre": _euros_in(revenus_reprise, "--revenus-reprise"),
        "debut_reprise": _date(debut_reprise, "--debut-reprise") if debut_reprise else None,
    }
    result = _appliquer(allocation_veuvage, row, OPTIONS_VEUVAGE)
    steps = etapes_veuvage(result)
    payload: dict[str, Any] = {"mois": row["mois"].isoformat(), "droit": result["droit"], "fin_droit": result["fin_droit"].isoformat()}
    payload.update({key: _euros_out(result[key]) for key in ("veuvage_montant", "plafond_trimestriel", "ressources_retenues", "depassement",
                                                             "reduction_mensuelle", "allocation_mensuelle")})
    lignes = [
        ("Droit", "oui" if result["droit"] else "non"),
        ("Fin du droit (exclue)", f"{result['fin_droit']:%d/%m/%Y}"),
        ("Plafond trimestriel", format_eur(result["plafond_trimestriel"])),
        ("Réduction mensuelle", format_eur(result["reduction_mensuelle"])),
        ("Allocation du mois", format_eur(result["allocation_mensuelle"])),
    ]
    _sortie(json_, f"Allocation veuvage — {row['mois']:%m/%Y}", lignes, payload, steps)


# ---------------------------------------------------------------------------
# ASPA and its recovery

OPTIONS_ASPA = {
    "date_effet": "--date-effet", "naissance": "--naissance", "naissance_conjoint": "--naissance-conjoint",
    "revenus_activite_3_mois": "--revenus-activite-3-mois", "autres_ressources_3_mois": "--ressources-3-mois",
    "revenus_activite_12_mois": "--revenus-activite-12-mois", "autres_ressources_12_mois": "--ressources-12-mois",
    "allocataires": "--conjoint-demandeur",
}


def aspa(
    date_effet: str = typer.Option(..., "--date-effet", help="date d'effet (ou mois payé), AAAA-MM-JJ"),
    naissance: str = typer.Option(..., "--naissance", help="date de naissance du demandeur, AAAA-MM-JJ"),
    ressources_3_mois: str = typer.Option("0", "--ressources-3-mois", help="ressources comptées du ménage, 3 mois civils précédents, hors activité"),
    revenus_activite_3_mois: str = typer.Option("0", "--revenus-activite-3-mois", help="revenus d'activité du ménage des mêmes 3 mois"),
    ressources_12_mois: str | None = typer.Option(None, "--ressources-12-mois", help="les mêmes ressources sur 12 mois (3 mois au-delà du quart du plafond)"),
    revenus_activite_12_mois: str | None = typer.Option(None, "--revenus-activite-12-mois", help="revenus d'activité des 12 mois"),
    couple: bool = typer.Option(False, "--couple", help="le demandeur vit en couple (marié, pacsé, concubinage)"),
    conjoint_demandeur: bool = typer.Option(False, "--conjoint-demandeur", help="le conjoint demande aussi l'ASPA (deux allocataires)"),
    naissance_conjoint: str | None = typer.Option(None, "--naissance-conjoint", help="date de naissance du conjoint, AAAA-MM-JJ"),
    inapte: bool = typer.Option(False, "--inapte", help="demandeur inapte au travail, handicapé ou ancien invalide (âge légal)"),
    inapte_conjoint: bool = typer.Option(False, "--inapte-conjoint", help="conjoint inapte au travail, handicapé ou ancien invalide"),
    json_: bool = typer.Option(False, "--json", help="sortie JSON (montants en euros)"),
) -> None:
    """ASPA (minimum vieillesse) d'un ménage : condition d'âge, plafond, ressources et abattement, montant différentiel."""
    from secu.retraite.explication_solidarite import etapes_aspa
    from secu.retraite.rules.aspa import aspa as regle_aspa

    row: dict[str, Any] = {
        "date_effet": _date(date_effet, "--date-effet"), "naissance": _date(naissance, "--naissance"),
        "autres_ressources_3_mois": _euros_in(ressources_3_mois, "--ressources-3-mois"),
        "revenus_activite_3_mois": _euros_in(revenus_activite_3_mois, "--revenus-activite-3-mois"),
        "autres_ressources_12_mois": _euros_in(ressources_12_mois, "--ressources-12-mois"),
        "revenus_activite_12_mois": _euros_in(revenus_activite_12_mois, "--revenus-activite-12-mois"),
        "couple": couple, "allocataires": 2 if conjoint_demandeur else 1, "inapte": inapte, "inapte_conjoint": inapte_conjoint,
        "naissance_conjoint": _date(naissance_conjoint, "--naissance-conjoint") if naissance_conjoint else None,
    }
    if row["autres_ressources_12_mois"] is not None and row["revenus_activite_12_mois"] is None:
        row["revenus_activite_12_mois"] = 0
    if row["revenus_activite_12_mois"] is not None and row["autres_ressources_12_mois"] is None:
        row["autres_ressources_12_mois"] = 0
    result = _appliquer(regle_aspa, row, OPTIONS_ASPA)
    steps = etapes_aspa(result)
    payload: dict[str, Any] = {"date_effet": row["date_effet"].isoformat(), "condition_age": result["condition_age"], "allocataires": row["allocataires"]}
    payload.update({key: _euros_out(result[key]) for key in ("aspa_plafond", "aspa_montant_maximum", "abattement_activite", "ressources_annuelles",
                                                             "aspa_annuelle", "aspa_mensuelle", "aspa_mensuelle_allocataire")})
    lignes = [
        ("Plafond annuel", format_eur(result["aspa_plafond"])),
        ("Ressources retenues", format_eur(result["ressources_annuelles"]) + " par an"),
        ("ASPA annuelle", format_eur(result["aspa_annuelle"])),
        ("ASPA mensuelle", format_eur(result["aspa_mensuelle"])),
    ]
    if row["allocataires"] == 2:
        lignes.append(("Par allocataire", format_eur(result["aspa_mensuelle_allocataire"])))
    _sortie(json_, "Allocation de solidarité aux personnes âgées (ASPA)", lignes, payload, steps)


OPTIONS_RECUPERATION = {"date_deces": "--deces", "actif_net": "--actif-net", "aspa_versee": "--aspa-versee", "mois_versement": "--mois-versement"}


def aspa_recuperation(
    deces: str = typer.Option(..., "--deces", help="date du décès de l'allocataire, AAAA-MM-JJ"),
    actif_net: str = typer.Option(..., "--actif-net", help="actif net de la succession, en euros"),
    aspa_versee: str = typer.Option(..., "--aspa-versee", help="total de l'ASPA versée au défunt, en euros"),
    mois_versement: int = typer.Option(..., "--mois-versement", help="nombre de mois de versement de l'ASPA"),
    couple: bool = typer.Option(False, "--couple", help="l'ASPA était servie à un couple"),
    outre_mer: bool = typer.Option(False, "--outre-mer", help="succession relevant du seuil des départements et régions d'outre-mer"),
    json_: bool = typer.Option(False, "--json", help="sortie JSON (montants en euros)"),
) -> None:
    """Récupération de l'ASPA sur la succession (seuil d'actif net, limite annuelle)."""
    from secu.retraite.explication_solidarite import etapes_recuperation
    from secu.retraite.rules.aspa import recuperation_aspa

    row: dict[str, Any] = {
        "date_deces": _date(deces, "--deces"), "actif_net": _euros_in(actif_net, "--actif-net"), "aspa_versee": _euros_in(aspa_versee, "--aspa-versee"),
        "mois_versement": _nombre(mois_versement, "--mois-versement"), "couple": couple, "outre_mer": outre_mer,
    }
    result = _appliquer(recuperation_aspa, row, OPTIONS_RECUPERATION)
    steps = etapes_recuperation(result)
    payload: dict[str, Any] = {"date_deces": row["date_deces"].isoformat()}
    payload.update({key: _euros_out(result[key]) for key in ("seuil_recuperation", "actif_recuperable", "plafond_recuperation", "recuperation")})
    lignes = [
        ("Seuil d'actif net", format_eur(result["seuil_recuperation"])),
        ("Limite de récupération", format_eur(result["plafond_recuperation"])),
        ("Somme récupérée", format_eur(result["recuperation"])),
    ]
    _sortie(json_, "Récupération de l'ASPA sur la succession", lignes, payload, steps)


COMMANDES: dict[str, tuple[Callable[..., None], str]] = {
    "reversion": (reversion, "Pension de réversion : 54 %, minimum, partage, majorations, plafond de ressources et écrêtement."),
    "veuvage": (veuvage, "Allocation veuvage d'un mois : conditions, durée, plafond trimestriel et réduction."),
    "aspa": (aspa, "ASPA (minimum vieillesse) : âge, plafond, ressources et abattement, montant différentiel."),
    "aspa-recuperation": (aspa_recuperation, "Récupération de l'ASPA sur la succession : seuil d'actif net et limite annuelle."),
}


def register(application: typer.Typer) -> None:
    """Add the solidarity commands to ``application`` (`secu retraite`'s Typer, wired by the merger)."""
    for name, (function, aide) in COMMANDES.items():
        application.command(name, help=aide)(function)


app = typer.Typer(help="Réversion, allocation veuvage et ASPA (commandes de `secu retraite`).")
"""The commands alone: ``python -m secu.retraite.cli_solidarite reversion …``."""
register(app)

__all__ = ["COMMANDES", "EXIT_BAD_INPUT", "app", "aspa", "aspa_recuperation", "register", "reversion", "veuvage"]

if __name__ == "__main__":
    app()
