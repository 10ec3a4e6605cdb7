"""`secu cotisations`: the contributions of one payslip, line by line, for a quick check.

Registered on the `secu` application by ``secu/cli.py``. The same vectorized
rule as the batch (:func:`secu.recouvrement.rules.contributions`) over a
frame of one row. Output for people is a Rich table; ``--json`` gives machine
output with amounts in cents and rates as exact decimal strings. Bad input
prints a French message on stderr and exits with code 2.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from secu.core.errors import SecuError
from secu.core.money import format_eur, to_cents

EXIT_BAD_INPUT = 2
def _fail(message: str) -> None:
    Console(stderr=True, soft_wrap=True, markup=False, highlight=False).print(message)
    raise typer.Exit(EXIT_BAD_INPUT)


def _month(text: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return date(year, month, 1)
    _fail(f"mois : « {text} » n'est pas un mois valide (format attendu : AAAA-MM, par exemple 2025-03)")
    raise AssertionError  # unreachable


def _decimal(text: str, field: str, what: str) -> Decimal:
    cleaned = text.strip().replace(",", ".").removesuffix("%").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        _fail(f"{field} : « {text} » n'est pas un nombre ({what})")
        raise
    if not value.is_finite():
        _fail(f"{field} : « {text} » n'est pas un nombre ({what})")
    return value


def _percent(rate: Decimal) -> str:
    text = format((rate * 100).normalize(), "f")
    return text.replace(".", ",") + "\u00a0%"


commandes = typer.Typer()  # the commands this module adds to `secu` (secu/cli.py)


@commandes.command("cotisations", help="Cotisations d'un bulletin de salaire, ligne par ligne, et le net avant impôt.")
def cotisations(
    brut: str = typer.Option(..., "--brut", help="salaire brut du mois en euros, ex. 3000 ou 2 345,67"),
    mois: str = typer.Option(..., "--mois", help="mois du bulletin, AAAA-MM"),
    effectif: int = typer.Option(..., "--effectif", help="effectif de l'entreprise"),
    heures: str | None = typer.Option(None, "--heures", help="heures rémunérées dans le mois (SMIC proratisé) ; défaut : durée légale du mois"),
    heures_contrat: str | None = typer.Option(None, "--heures-contrat", help="durée contractuelle mensuelle (temps partiel ; défaut : temps plein)"),
    taux_atmp: str | None = typer.Option(None, "--taux-atmp", help="taux AT/MP notifié par la Carsat, en fraction (0.0208 = 2,08 %) ; obligatoire"),
    cadre: bool = typer.Option(False, "--cadre", help="salarié cadre (cotisation Apec)"),
    json_: bool = typer.Option(False, "--json", help="sortie JSON (montants en centimes, taux en texte décimal exact)"),
) -> None:
    """Les cotisations d'un bulletin de salaire, ligne par ligne, et le net avant impôt."""
    from secu.recouvrement.rules import cotisations_bulletin

    month = _month(mois)
    try:
        brut_cents = to_cents(brut, field="brut")
    except SecuError as error:
        _fail(f"brut : {error.message}")
        return
    if taux_atmp is None:
        _fail("taux_atmp : obligatoire, le taux AT/MP de l'établissement notifié par la Carsat (--taux-atmp, ex. 0.0208 pour 2,08 %)")
        return
    hours = _decimal(heures, "heures", "nombre d'heures") if heures is not None else None
    contract = _decimal(heures_contrat, "heures_contrat", "nombre d'heures") if heures_contrat is not None else None
    atmp = _decimal(taux_atmp, "taux_atmp", "taux en fraction, ex. 0.0208")
    for value, field in ((hours, "heures"), (contract, "heures_contrat")):
        if value is not None and value.as_tuple().exponent < -2:  # type: ignore[operator]
            _fail(f"{field} : deux décimales au plus")
    if atmp.as_tuple().exponent < -6:  # type: ignore[operator]
        _fail("taux_atmp : six décimales au plus")
    try:
        lines, totals = cotisations_bulletin(
            brut=Decimal(brut_cents) / 100, mois=month, effectif=effectif, heures=hours, taux_atmp=atmp, cadre=cadre,
            heures_contrat=contract,
        )
    except SecuError as error:
        _fail(str(error))
        return

    rows = lines.to_dicts()
    if json_:
        typer.echo(json.dumps(_payload(month, brut_cents, effectif, cadre, rows, totals), ensure_ascii=False, indent=2))
        return
    _print_table(month, brut_cents, effectif, cadre, rows, totals)


def _payload(month: date, brut_cents: int, effectif: int, cadre: bool, rows: list[dict[str, Any]], totals: dict[str, Any]) -> dict[str, Any]:
    """The --json output: amounts in cents, rates as exact decimal text."""
    return {
        "mois": month.isoformat()[:7],
        "brut_cents": brut_cents,
        "effectif": effectif,
        "cadre": cadre,
        "lignes": [
            {
                "code": row["code"], "libelle": row["libelle"], "assiette_cents": row["assiette_cents"],
                "taux_salarial": str(row["taux_salarial"].normalize()), "taux_patronal": str(row["taux_patronal"].normalize()),
                "montant_salarial_cents": row["montant_salarial_cents"], "montant_patronal_cents": row["montant_patronal_cents"],
                "attributaire": row["attributaire"], "reference": row["reference"],
            }
            for row in rows
        ],
        "total_salarial_cents": totals["total_salarial_cents"],
        "total_patronal_cents": totals["total_patronal_cents"],
        "net_avant_impot_cents": totals["net_avant_impot_cents"],
        "net_imposable_cents": totals["net_imposable_cents"],
        "cout_employeur_cents": totals["cout_employeur_cents"],
        "plafond_cents": totals["plafond_cents"],
        "coefficient_reduction": str(totals["coefficient_reduction"].normalize()),
    }


def _print_table(month: date, brut_cents: int, effectif: int, cadre: bool, rows: list[dict[str, Any]], totals: dict[str, Any]) -> None:
    """The payslip's lines as a table, then its totals."""
    out = Console(markup=False, highlight=False)
    out.width = max(out.width, 180)  # the table has eight columns: never squeeze the codes and amounts
    table = Table(
        title=f"Cotisations du bulletin de {month:%m/%Y} — brut {format_eur(brut_cents)}, effectif {effectif}"
        + (", cadre" if cadre else ""),
        title_justify="left", show_lines=False,
    )
    table.add_column("code", no_wrap=True)
    table.add_column("libellé")
    table.add_column("base", justify="right", no_wrap=True)
    table.add_column("taux sal.", justify="right", no_wrap=True)
    table.add_column("part salariale", justify="right", no_wrap=True)
    table.add_column("taux pat.", justify="right", no_wrap=True)
    table.add_column("part patronale", justify="right", no_wrap=True)
    table.add_column("référence", overflow="fold", max_width=70)
    for row in rows:
        table.add_row(
            row["code"], row["libelle"], format_eur(row["assiette_cents"]),
            _percent(row["taux_salarial"]), format_eur(row["montant_salarial_cents"]),
            _percent(row["taux_patronal"]), format_eur(row["montant_patronal_cents"]), row["reference"],
        )
    out.print(table)
    out.print(f"Total des cotisations salariales (CSG et CRDS comprises) : {format_eur(totals['total_salarial_cents'])}")
    out.print(f"Total des cotisations patronales (réduction générale déduite) : {format_eur(totals['total_patronal_cents'])}")
    out.print(f"Salaire net avant impôt : {format_eur(totals['net_avant_impot_cents'])}")
    out.print(f"Net imposable : {format_eur(totals['net_imposable_cents'])}")
    out.print(f"Coût employeur : {format_eur(totals['cout_employeur_cents'])}")


def _attestation_out(attestation: Any) -> dict[str, Any]:
    """An attestation for the CLI's JSON: what the employer declared, never the NIR nor the IBAN."""
    return {
        "reference": attestation.reference,
        "siret": attestation.siret,
        "risque": attestation.risque,
        "dernier_jour_travaille": attestation.dernier_jour_travaille.isoformat(),
        "fin_previsionnelle": attestation.fin_previsionnelle.isoformat() if attestation.fin_previsionnelle else None,
        "reprise": attestation.reprise.isoformat() if attestation.reprise else None,
        "salaires": [{"mois": s.mois.isoformat()[:7], "brut_cents": s.brut} for s in attestation.salaires],
        "subrogation": attestation.subrogation,
        "subrogation_debut": attestation.subrogation_debut.isoformat() if attestation.subrogation_debut else None,
        "subrogation_fin": attestation.subrogation_fin.isoformat() if attestation.subrogation_fin else None,
    }


@commandes.command("signalement", help="Lire et contrôler un signalement DSN d'arrêt de travail (04) ou de reprise (05) ; --deposer le transmet.")
def signalement(
    fichier: str = typer.Argument(..., help="le fichier DSN (format texte de la norme, UTF-8 ou Latin-1)"),
    deposer: bool = typer.Option(False, "--deposer", help="transmettre les attestations au service des prestations en espèces (base configurée)"),
    json_: bool = typer.Option(False, "--json", help="sortie JSON (montants en centimes)"),
) -> None:
    """Each arrêt of the file as an attestation de salaire; a refusal lists every problem with its line and rubrique."""
    from pathlib import Path

    from secu.recouvrement.dsn import DsnError
    from secu.recouvrement.dsn.signalement import deposer_signalement, lire_signalement

    try:
        contenu = Path(fichier).read_bytes()
    except OSError as error:
        _fail(f"fichier : « {fichier} » introuvable ou illisible" + (" (c'est un dossier)" if isinstance(error, IsADirectoryError) else ""))
        return
    try:
        if deposer:
            from secu.config import settings
            from secu.core.db import make_engine, migrate, session_factory, unit_of_work
            from secu.recouvrement import api

            engine = make_engine(settings().resolved_database_url)
            try:
                migrate(engine)
                with unit_of_work(session_factory(engine)) as session:
                    attestations = [d.attestation for d in deposer_signalement(session, contenu, api.RECEVOIR_ATTESTATION).depots]
            finally:
                engine.dispose()
        else:
            attestations = lire_signalement(contenu)
    except DsnError as error:
        err = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)
        for probleme in error.erreurs:
            err.print(str(probleme))
        if error.non_listees:
            err.print(f"… et {error.non_listees} autre(s) erreur(s)")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except SecuError as error:
        _fail(str(error))
        return
    payload = [_attestation_out(a) for a in attestations]
    if json_:
        typer.echo(json.dumps({"attestations": payload, "transmises": deposer}, ensure_ascii=False, indent=2))
        return
    out = Console(markup=False, highlight=False, soft_wrap=True)
    verbe = "transmise" if deposer else "lue"
    for item in payload:
        salaires = ", ".join(f"{s['mois']} : {format_eur(s['brut_cents'])}" for s in item["salaires"])
        subrogation = f"subrogation du {item['subrogation_debut']} au {item['subrogation_fin']}" if item["subrogation"] else "sans subrogation"
        out.print(
            f"{item['reference']} ({verbe}) — {item['risque']}, dernier jour travaillé {item['dernier_jour_travaille']}, "
            f"fin prévisionnelle {item['fin_previsionnelle'] or '—'}, reprise {item['reprise'] or '—'} ; {subrogation} ; salaires {salaires}"
        )
