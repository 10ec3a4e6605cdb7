"""``secu simulate``: a simulated year per branch, scaled back, beside the published accounts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from secu.core.errors import SecuError
from secu.core.money import format_eur
from secu.simulation import publies
from secu.simulation import run as simulation


def _libelle(code: str) -> str:
    """The branch's short French name, as its ``comptes`` module declares it (secu.branches)."""
    from secu import branches

    found = branches.branche(code)
    return found.libelle_court if found else code


def _default_out(annee: int, echelle: str, graine: int) -> Path:
    from secu.config import settings

    return settings().home / "simulations" / f"{annee}-echelle-{echelle}-graine-{graine}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}".replace(".", ",")


def _md(text: str | None) -> str:
    return "—" if text is None else text.replace(".", ",")


_POSTES_ESPECES = {"ij_maladie": "IJ maladie", "ij_maternite": "IJ maternité", "ij_atmp": "IJ AT/MP", "invalidite": "Pensions d'invalidité"}

commandes = typer.Typer()  # the commands this module adds to `secu` (secu/cli.py)


@commandes.command("simulate", help="Simuler une année : population synthétique, douze mois de règles, grand livre, comparaison aux comptes publiés.")
def simulate(
    year: int = typer.Option(..., "--year", help="année simulée (2023 à 2026)"),
    scale: str = typer.Option("0.001", "--scale", help="fraction de la population simulée (68,4 M × échelle personnes)"),
    engine: str = typer.Option("local", "--engine", help="moteur : local ou spark"),
    workers: int | None = typer.Option(None, "--workers", help="processus en parallèle (par défaut : le moteur choisit)"),
    out: Path | None = typer.Option(None, "--out", help="dossier de la simulation (jeu de données, comptes, résultat)"),  # noqa: B008
    seed: int = typer.Option(2025, "--seed", help="graine du générateur (même graine, même année simulée)"),
    database: str | None = typer.Option(None, "--database", help="base du grand livre (URL SQLAlchemy ; par défaut celle de secu)"),
    as_json: bool = typer.Option(False, "--json", help="résultat en JSON"),
    reforme: Path | None = typer.Option(None, "--reforme", help="fichier YAML d'une réforme (paramètres datés superposés) : "  # noqa: B008
                                        "la même année sous la réforme, écarts par branche, gagnants et perdants par décile"),
) -> None:
    """Simuler une année : population synthétique, douze mois de règles, grand livre, comparaison aux comptes publiés."""
    # The comparison table needs about 100 columns: a pipe or a narrow terminal would truncate the figures.
    console = Console(width=max(Console().width, 110))
    errors = Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        params = simulation.check(year, scale, seed, engine, workers)
        lue = None
        if reforme is not None:
            from secu.pilotage import reforme as reformes

            lue = reformes.lire(reforme)  # a bad file is refused before anything runs
        folder = out if out is not None else _default_out(year, str(params.echelle), seed)
        if database is None:
            from secu.config import settings

            database = settings().resolved_database_url
        result = simulation.simulate(params, folder, database)
        doc = simulation.rapport(result)
        if lue is not None:
            from secu.pilotage import reforme_chiffrage

            doc["reforme"] = reforme_chiffrage.chiffrer(result, lue)
    except SecuError as error:
        errors.print(str(error), markup=False)
        raise typer.Exit(2) from None
    if as_json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    _print(console, doc)
    if "reforme" in doc:
        _print_reforme(console, doc["reforme"])


def _print(console: Console, doc: dict[str, Any]) -> None:
    pub = doc["publie"]
    people = f"{doc['personnes']:,}".replace(",", "\u202f")
    console.print(f"[bold]Année simulée {doc['annee']}[/bold] : {people} personnes (échelle {doc['echelle']}, graine {doc['graine']}, "
                  f"{doc['partitions']} partition(s))", highlight=False)
    table = Table(title=f"Par branche : simulé, ramené à la France entière (÷ échelle), publié {doc['annee']} "
                        f"({pub['perimetre']}, {pub['statut']})", title_justify="left")
    table.add_column("Branche", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("Simulé", justify="right", no_wrap=True)
    table.add_column("÷ échelle (Md€)", justify="right", no_wrap=True)
    table.add_column("Publié (Md€)", justify="right", no_wrap=True)
    table.add_column("Ratio", justify="right", no_wrap=True)
    for b, row in doc["branches"].items():
        s, x, r = row["simule"], row["extrapole"], row["ratio"]
        p = row["publie"] or {"recettes_md": None, "depenses_md": None, "solde_md": None}
        table.add_row(_libelle(b), "recettes", format_eur(s["recettes_cents"]), _md(x["recettes_md"]), _md(p["recettes_md"]), _ratio(r["recettes"]))
        table.add_row("", "dépenses", format_eur(s["depenses_cents"]), _md(x["depenses_md"]), _md(p["depenses_md"]), _ratio(r["depenses"]))
        table.add_row("", "solde", format_eur(s["solde_cents"]), _md(x["solde_md"]), _md(p["solde_md"]), "", end_section=True)
    console.print(table)
    console.print(f"Publié : {pub['source']}.", highlight=False)
    console.print(f"Périmètre publié : {pub['perimetre']}, {pub['perimetre_libelle']} ; le régime général en est une partie "
                  "(maladie ≈ 90-95 %, vieillesse ≈ 54 %, famille ≈ 100 %).", highlight=False)
    console.print(f"Ramené à la France entière : {doc['extrapolation']} ({doc['population_source']}).", highlight=False)
    if doc["tiers"]:
        tiers = Table(title="Collecté ou versé pour d'autres, ramené à la France entière", title_justify="left")
        tiers.add_column("Attributaire", no_wrap=True)
        tiers.add_column("Recettes (Md€)", justify="right", no_wrap=True)
        tiers.add_column("Dépenses (Md€)", justify="right", no_wrap=True)
        tiers.add_column("Postes")
        for name, row in doc["tiers"].items():
            tiers.add_row(name, _md(row["extrapole_recettes_md"]), _md(row["extrapole_depenses_md"]),
                          ", ".join(sorted({p["poste"] for p in row["postes"]})))
        console.print(tiers)
    especes = doc.get("prestations_especes", {}).get("lignes", [])
    if especes:
        ij = Table(title="Prestations en espèces : simulé, ramené à la France entière, publié", title_justify="left")
        ij.add_column("Poste", no_wrap=True)
        ij.add_column("Branche", no_wrap=True)
        ij.add_column("Volume simulé", justify="right", no_wrap=True)
        ij.add_column("÷ échelle (Md€)", justify="right", no_wrap=True)
        ij.add_column("Publié (Md€)", justify="right", no_wrap=True)
        ij.add_column("Année publiée", justify="right", no_wrap=True)
        ij.add_column("Ratio", justify="right", no_wrap=True)
        unites = {"invalidite": "pensions"}
        for row in especes:
            ij.add_row(_POSTES_ESPECES.get(row["poste"], row["poste"]), _libelle(row["branche"]),
                       f"{row['volume']:,} {unites.get(row['poste'], 'jours')}".replace(",", " "),
                       _md(row["extrapole_md"]), _md(row["publie_md"]), str(row["annee_publiee"]), _ratio(row["ratio"]))
        total = doc["prestations_especes"]["ij_total"]
        ij.add_row("Total des IJ", "", "", _md(total["extrapole_md"]), _md(total["publie_md"]),
                   str(total["annee_publiee"] or "—"), _ratio(total["ratio"]), end_section=True)
        console.print(ij)
        for row in especes:
            console.print(f"• {_POSTES_ESPECES.get(row['poste'], row['poste'])} publié : {row['libelle']} — {row['source']}.", highlight=False)
    console.print("[bold]Ce que secu simule de chaque branche[/bold] (les ratios se lisent avec ce périmètre)")
    for b in doc["branches"]:
        scope = publies.PERIMETRE_SIMULE.get(b, {"recettes": "non décrit", "depenses": "non décrit"})
        console.print(f"• {_libelle(b)} : recettes : {scope['recettes']}. Dépenses : {scope['depenses']}.", highlight=False)
    ledger = doc["grand_livre"]
    console.print(f"Grand livre : {ledger['ecritures']} écriture(s) équilibrée(s), une par branche et par mois, dont "
                  f"{ledger['nouvelles']} nouvelle(s) ; comptes préfixés « {ledger['prefixe_comptes']} ».", highlight=False)
    console.print(f"Dossier : {doc['dossier']}", highlight=False)


def _eur(euros: int) -> str:
    return f"{euros:+,}".replace(",", "\u202f") + " €"


def _m_eur(euros: int) -> str:
    return f"{euros / 1_000_000:+,.1f}".replace(",", "\u202f").replace(".", ",")


def _count(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def _print_reforme(console: Console, doc: dict[str, Any]) -> None:
    """The reform's costing: Δ per branch, then winners and losers by décile and by type de ménage."""
    console.print(f"[bold]Réforme : {doc['titre']}[/bold] (à partir du {doc['debut']}, clé {doc['cle']})", highlight=False)
    for p in doc["parametres"]:
        shown = " ; ".join(f"à partir du {v['date_effet']} : {v['texte']}" for v in p["valeurs"])
        console.print(f"• {p['parametre']} : {shown}", highlight=False)
    table = Table(title="Écart réforme − base par branche, ramené à la France entière (M€ par an)", title_justify="left")
    for name in ("Branche", "Δ recettes", "Δ dépenses", "Δ solde"):
        table.add_column(name, justify="left" if name == "Branche" else "right", no_wrap=True)
    for code, row in doc["delta"].items():
        label = _libelle(code) + (" (tiers)" if row["tiers"] else "")
        table.add_row(label, _m_eur(row["recettes"]), _m_eur(row["depenses"]), _m_eur(row["solde"]))
    total = doc["delta_branches"]
    table.add_row("Ensemble des branches", _m_eur(total["recettes"]), _m_eur(total["depenses"]), _m_eur(total["solde"]), end_section=True)
    console.print(table)
    for key, title, label in (("deciles", "Par décile de niveau de vie (base)", "decile"),
                              ("types_menage", "Par type de ménage", "libelle")):
        groups = Table(title=f"{title} : personnes des ménages gagnants et perdants, Δ par ménage (€ par an)", title_justify="left")
        for name in ("Décile" if key == "deciles" else "Type", "Ménages", "Personnes", "Gagnants", "Perdants", "Δ moyen / ménage",
                     "Δ total (M€, France)"):
            groups.add_column(name, justify="left" if name == "Type" else "right", no_wrap=name != "Type")
        for row in doc[key]:
            groups.add_row(str(row[label]), _count(row["menages"]), _count(row["personnes"]), _count(row["gagnants"]),
                           _count(row["perdants"]), _eur(row["delta_moyen_menage"]), _m_eur(row["delta_total"]))
        console.print(groups)
    people = doc["personnes_concernees"]
    console.print(f"Personnes concernées (échantillon → France entière) : {_count(people['gagnants'])} gagnantes → "
                  f"{_count(people['gagnants_france'])}, {_count(people['perdants'])} perdantes → {_count(people['perdants_france'])}.",
                  highlight=False)
    for name, text in doc["definitions"].items():
        console.print(f"• {name.replace('_', ' ')} : {text}.", highlight=False)
