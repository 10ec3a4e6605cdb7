"""The story of an invalidity pension in service and of its cumul with earnings, step by step (formatting only).

Every amount is a column of a row of :func:`secu.especes.rules.pension_en_service` or
:func:`secu.especes.rules.cumul_invalidite`; nothing is recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from secu.core.explication import Etape, Etapes, euros, nombre, pourcent, references
from secu.core.parameters import parameters
from secu.especes.rules import (
    REF_CASA_PENSION,
    REF_CRDS_PENSION,
    REF_CSG_PENSION,
    REF_CUMUL,
    REF_LIQUIDATION,
    REVALORISATION,
    colonne_revalorisation,
)


def explain_sam(annees: list[dict[str, Any]], sam: int, nombre_annees: int, reference: str | None) -> list[Etape]:
    """The years of salary kept for the SAM (R. 341-4): each year's salary, capped and revalued, then the mean."""
    steps = Etapes()
    for annee in annees:
        origine = "DSN" if annee["origine"] == "dsn" else "déclaré dans la demande"
        retenue = "retenue" if annee["retenue"] else "non retenue"
        steps.ajoute(f"Salaire {annee['annee']} ({origine}, plafonné et revalorisé) : année {retenue}", annee["salaire_cents"], None)
    steps.ajoute(f"Salaire annuel moyen des {nombre_annees} meilleures années", sam, reference)
    return steps


def explain_pension(row: Mapping[str, Any]) -> list[Etape]:
    """A row of :func:`secu.especes.rules.pension_en_service`: liquidation, revaluations, minimum, MTP."""
    steps = Etapes()
    step = steps.ajoute
    categorie = int(row["categorie"])
    step(
        f"SAM × {pourcent(row['invalidite_taux_liquidation'])} ÷ 12 ({categorie}e catégorie)",
        row["liquidation_base"],
        references(row["invalidite_taux_liquidation_reference"], REF_LIQUIDATION),
    )
    step(
        f"Maximum à la date d'effet : {pourcent(row['invalidite_maximum_pass_liquidation'])} du PASS ÷ 12",
        row["liquidation_plafond"],
        references(row["invalidite_maximum_pass_liquidation_reference"], row["pss_annuel_liquidation_reference"]),
    )
    step(f"Pension à la date d'effet ({row['date_effet']:%d/%m/%Y})", row["montant_liquidation"], REF_LIQUIDATION)
    for value in parameters().get(REVALORISATION).values:
        montant = row.get(colonne_revalorisation(value.date_effet))
        if value.value is not None and montant is not None:
            step(f"Revalorisation du {value.date_effet:%d/%m/%Y} (× {nombre(value.number())}, arrondie au centime)", montant, value.reference)
    step("Minimum de la pension d'invalidité en vigueur le mois payé", row["pension_minimum"], row["invalidite_minimum_reference"])
    if categorie == 3:
        step("Majoration pour tierce personne (MTP) en vigueur le mois payé", row["mtp"], row["mtp_reference"])
    step("Pension mensuelle", row["pension_mensuelle"], None)
    return steps


def explain_cumul(row: Mapping[str, Any]) -> list[Etape]:
    """A row of :func:`secu.especes.rules.cumul_invalidite`: the threshold, the excess, the reduction, the amount paid."""
    steps = Etapes()
    step = steps.ajoute
    if not row["revenus_reference"]:
        step("Aucun revenu d'activité sur la période de référence : pas de réduction", None, REF_CUMUL)
        step("Pension versée", row["pension_versee"], None)
        return steps
    step("Revenus d'activité de la période de référence (13e au 2e mois précédents)", row["revenus_reference"], REF_CUMUL)
    step("Pension d'invalidité de la même période", row["pensions_reference"], REF_CUMUL)
    step(
        f"Salaire de l'année précédant l'arrêt, dans la limite de {nombre(row['invalidite_cumul_seuil_pass'])} PASS ({euros(row['limite_salaire_precedent'])})",
        min(row["salaire_annee_precedente"], row["limite_salaire_precedent"]),
        references(row["invalidite_cumul_seuil_pass_reference"], row["pss_annee_precedente_reference"]),
    )
    step("Seuil de cumul : le plus élevé de ce salaire et du SAM", row["seuil_cumul"], "CSS art. R. 341-17, I")
    step("Dépassement du seuil", row["depassement"], "CSS art. R. 341-17, II")
    step(
        f"Réduction annuelle ({pourcent(row['invalidite_cumul_taux_reduction'])} du dépassement)",
        row["reduction_annuelle"],
        row["invalidite_cumul_taux_reduction_reference"],
    )
    step("Réduction du mois (un douzième, au plus la pension)", row["reduction_mensuelle"], None)
    step("Pension versée", row["pension_versee"], None)
    return steps


__all__ = ["explain_cumul", "explain_pension", "explain_sam"]


LIBELLES_CSG = {"exoneree": "exonération", "reduit": "taux réduit", "median": "taux médian", "normal": "taux normal"}


def explain_prelevements(row: Mapping[str, Any]) -> list[Etape]:
    """A row of :func:`secu.especes.rules.prelevements_pension`: the CSG category, the CSG, CRDS and CASA, the net."""
    steps = Etapes()
    step = steps.ajoute
    libelle = LIBELLES_CSG[row["categorie_csg"]]
    origine = " (revenu fiscal de référence inconnu : taux normal appliqué)" if row["categorie_defaut"] else ""
    step(f"CSG : {libelle}{origine}", None, REF_CSG_PENSION)
    if row["categorie_csg"] == "exoneree":
        step("Pension exonérée de CSG, donc de CRDS et de CASA", 0, references(REF_CSG_PENSION, REF_CRDS_PENSION))
    else:
        taux_csg = f"pension_prelevements_csg_taux_{row['categorie_csg']}_reference"
        step(f"CSG ({pourcent(row['taux_csg'])}) sur la pension", row["csg"], references(row[taux_csg], REF_CSG_PENSION))
        step(f"CRDS ({pourcent(row['crds_taux'])}) sur la pension", row["crds"], references(row["crds_taux_reference"], REF_CRDS_PENSION))
        if row["categorie_csg"] == "reduit":
            step("Pas de CASA au taux réduit de CSG", 0, REF_CASA_PENSION)
        else:
            casa = pourcent(row["pension_prelevements_casa_taux"])
            step(f"CASA ({casa}) sur la pension", row["casa"], references(row["pension_prelevements_casa_taux_reference"], REF_CASA_PENSION))
    step("Montant net versé", row["net"], None)
    return steps
