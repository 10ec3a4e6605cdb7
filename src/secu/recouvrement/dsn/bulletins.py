"""The payslip frame: one row per contract and month, for the contribution rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from secu.recouvrement.dsn.champs import FIELDS
from secu.recouvrement.dsn.codes import COMPOSANT_PREVOYANCE_PATRONALE, MAX_ERREURS, REMUNERATION_BRUTE, SALAIRE_BRUT_CHOMAGE, UNITES_EN_HEURES
from secu.recouvrement.dsn.ecriture import to_dsn_json, to_dsn_text
from secu.recouvrement.dsn.erreurs import DsnError, DsnProbleme
from secu.recouvrement.dsn.format_json import parse_dsn_json
from secu.recouvrement.dsn.interpretation import _last_day, parse_dsn, parse_dsn_envoi
from secu.recouvrement.dsn.modele import (
    Activite,
    AutreRevenu,
    BaseAssujettie,
    Bordereau,
    Composant,
    Contact,
    Contrat,
    CotisationAgregee,
    CotisationIndividuelle,
    Declaration,
    Emetteur,
    Entreprise,
    Envoi,
    Etablissement,
    FinContrat,
    Remuneration,
    Salarie,
    Versement,
    VersementOrganisme,
    identity,
    is_replacement,
)

PAYSLIP_SCHEMA: dict[str, pl.DataType] = {
    "salarie": pl.Utf8(),
    "nir": pl.Utf8(),
    "siret": pl.Utf8(),
    "mois": pl.Date(),
    "brut_cents": pl.Int64(),
    "heures": pl.Decimal(12, 2),
    "heures_contrat": pl.Decimal(12, 2),
    "cadre": pl.Boolean(),
    "taux_atmp": pl.Decimal(10, 4),
    "effectif": pl.Int64(),
    "date_entree": pl.Date(),
    "date_sortie": pl.Date(),
    "numero_contrat": pl.Utf8(),
    "bulletin": pl.Utf8(),
    "prevoyance_patronale_cents": pl.Int64(),
}
"""The columns of payslips(), in order (see the module docstring for their source)."""

_ORDRE_BASES_PREVOYANCE = ("03", "04")


def _belongs(numero: str | None, contrat: Contrat, single: bool) -> bool:
    return numero == contrat.numero or (numero is None and single)


def _heures(salarie: Salarie, contrat: Contrat, single: bool) -> Decimal | None:
    remunerations = [
        rem
        for versement in salarie.versements
        for rem in versement.remunerations
        if _belongs(rem.numero_contrat, contrat, single)
    ]
    activites = [
        activite.mesure
        for rem in remunerations
        if rem.type == SALAIRE_BRUT_CHOMAGE
        for activite in rem.activites
        if activite.type == "01"
        and (activite.unite == "10" or (activite.unite is None and contrat.unite_quotite in UNITES_EN_HEURES))
    ]
    if activites:
        return sum(activites, Decimal(0))
    for type_ in (SALAIRE_BRUT_CHOMAGE, REMUNERATION_BRUTE):
        heures = [rem.heures for rem in remunerations if rem.type == type_ and rem.heures is not None]
        if heures:
            return sum(heures, Decimal(0))
    return None


def _prevoyance(salarie: Salarie, contrat: Contrat, single: bool) -> int:
    by_base: dict[str, int] = {}
    for versement in salarie.versements:
        for base in versement.bases:
            if not _belongs(base.numero_contrat, contrat, single):
                continue
            for composant in base.composants:
                if composant.type == COMPOSANT_PREVOYANCE_PATRONALE:
                    by_base[base.code] = by_base.get(base.code, 0) + composant.montant_cents
    for code in _ORDRE_BASES_PREVOYANCE:
        if code in by_base:
            return by_base[code]
    return next(iter(by_base.values()), 0)


def payslips(dsn: Declaration) -> pl.DataFrame:
    """One row per individual and contract of the declared month (columns: PAYSLIP_SCHEMA)."""
    mois = dsn.mois
    fin_mois = _last_day(mois)
    effectif = dsn.etablissement.effectif
    if effectif is None:
        effectif = dsn.entreprise.effectif_moyen
    rows: dict[str, list[Any]] = {name: [] for name in PAYSLIP_SCHEMA}
    for salarie in dsn.salaries:
        single = len(salarie.contrats) == 1
        for contrat in salarie.contrats:
            brut = sum(
                rem.montant_cents
                for versement in salarie.versements
                for rem in versement.remunerations
                if rem.type == REMUNERATION_BRUTE and _belongs(rem.numero_contrat, contrat, single)
            )
            sortie = contrat.fin.date_fin if contrat.fin is not None else None
            rows["salarie"].append(salarie.identifiant)
            rows["nir"].append(salarie.nir)
            rows["siret"].append(dsn.siret)
            rows["mois"].append(mois)
            rows["brut_cents"].append(brut)
            rows["heures"].append(_heures(salarie, contrat, single))
            rows["heures_contrat"].append(contrat.quotite if contrat.unite_quotite in UNITES_EN_HEURES else None)
            rows["cadre"].append(contrat.cadre)
            rows["taux_atmp"].append(contrat.taux_at / 100 if contrat.taux_at is not None else None)
            rows["effectif"].append(effectif)
            rows["date_entree"].append(contrat.date_debut if mois <= contrat.date_debut <= fin_mois else None)
            rows["date_sortie"].append(sortie if sortie is not None and mois <= sortie <= fin_mois else None)
            rows["numero_contrat"].append(contrat.numero)
            rows["bulletin"].append(f"{dsn.siret}|{mois:%Y-%m}|{salarie.identifiant}|{contrat.numero}")
            rows["prevoyance_patronale_cents"].append(_prevoyance(salarie, contrat, single))
    return pl.DataFrame(rows, schema=PAYSLIP_SCHEMA)


__all__ = [
    "Activite", "AutreRevenu", "BaseAssujettie", "Bordereau", "Composant", "Contact", "Contrat",
    "CotisationAgregee", "CotisationIndividuelle", "Declaration", "DsnError", "DsnProbleme", "Emetteur",
    "Entreprise", "Envoi", "Etablissement", "FIELDS", "FinContrat", "MAX_ERREURS", "PAYSLIP_SCHEMA",
    "Remuneration", "Salarie", "Versement", "VersementOrganisme", "identity", "is_replacement",
    "parse_dsn", "parse_dsn_envoi", "parse_dsn_json", "payslips", "to_dsn_json", "to_dsn_text",
]  # fmt: skip
