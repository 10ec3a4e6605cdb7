"""The story of one arrêt's IJ, one invalidity pension or one capital décès, step by step, for people.

Formatting only: every amount is a column of a row of :mod:`secu.especes.rules`, every reference a
``*_reference`` column of the parameters it used (or an article the rule applies). Nothing is recomputed, so
the explanation cannot disagree with the decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from secu.core.explication import Etape, Etapes, euros, nombre, pourcent, references

from .rules import MOTIFS_REFUS, REF_CARENCE_AUCUNE, REF_CSG_EXONERE, REF_REDUCTION_PERIODE, REF_REVISION_ATMP, REF_SUBROGATION, REF_TPT

LIBELLES = {
    "maladie": "IJ maladie",
    "maternite": "IJ maternité",
    "paternite": "IJ paternité et accueil de l'enfant",
    "adoption": "IJ adoption",
    "atmp": "IJ accident du travail / maladie professionnelle",
}
REF_REGLE = {
    "maladie": "CSS art. L. 323-4 et R. 323-5",
    "maternite": "CSS art. L. 331-3 et R. 331-5",
    "paternite": "CSS art. L. 331-8 et R. 331-5",
    "adoption": "CSS art. L. 331-7 et R. 331-5",
    "atmp": "CSS art. L. 433-2, R. 433-1 et R. 433-3",
}
REF_360 = "CSS art. L. 323-1 et R. 323-1 (360 IJ au plus sur trois ans hors ALD)"
REF_ALD = "CSS art. R. 323-1, 2° (ALD : trois ans d'indemnisation au plus)"
REF_CONGE = "CSS art. L. 331-3, L. 331-7 et L. 331-8 (durée légale du congé)"


def _annuel(row: Mapping[str, Any]) -> bool:
    return bool(row.get("saisonnier")) and row.get("salaire_12_mois") is not None


def _conditions(row: Mapping[str, Any], step: Any) -> None:
    motif = row.get("motif_refus")
    if motif is not None:
        libelle = ("IJ non dues : conditions d'ouverture des droits non remplies" if motif == "conditions_ouverture"
                   else "IJ non dues après le 6e mois d'arrêt : conditions de l'arrêt de longue durée non remplies")
        step(libelle, None, references(MOTIFS_REFUS[motif], row.get("conditions_reference")))
    elif row.get("conditions_courtes") or row.get("conditions_longues"):
        ref = "CSS art. R. 313-7 (travail saisonnier ou discontinu : douze mois)" if row.get("saisonnier") else "CSS art. R. 313-3"
        step("Conditions d'ouverture des droits remplies", None, references(ref, row.get("conditions_reference")))


def _salaires(row: Mapping[str, Any], step: Any) -> None:
    risque = row["risque"]
    if risque == "maladie":
        step(
            f"Plafond de chaque paie : {nombre(row['ij_maladie_plafond_smic'])} SMIC mensuel ({euros(row['smic_mensuel'])}, "
            "en vigueur le dernier jour du mois précédant l'arrêt)",
            row["plafond_retenu"], references(row["ij_maladie_plafond_smic_reference"], row["smic_mensuel_reference"]),
        )
        if _annuel(row):
            step("Salaires des douze mois retenus (travail saisonnier ou discontinu, dans la limite de douze plafonds)",
                 row["salaires_retenus"], row["ij_maladie_diviseur_annuel_reference"])
            step(f"Salaire journalier de base (÷ {nombre(row['ij_maladie_diviseur_annuel'])})", row["salaire_journalier"],
                 row["ij_maladie_diviseur_annuel_reference"])
        else:
            step("Salaires des trois mois retenus (chacun dans la limite du plafond)", row["salaires_retenus"], row["ij_maladie_diviseur_reference"])
            step(f"Salaire journalier de base (÷ {nombre(row['ij_maladie_diviseur'])})", row["salaire_journalier"], row["ij_maladie_diviseur_reference"])
        tpt = bool(row.get("temps_partiel_therapeutique")) and row.get("perte_gain_journaliere") is not None
        step(
            f"Indemnité journalière ({pourcent(row['ij_maladie_taux'])} du salaire journalier de base, arrondie au centime le plus proche"
            + (f", au plus la perte de gain journalière de {euros(row['perte_gain_journaliere'])} en temps partiel thérapeutique)" if tpt else ")"),
            row["ij_journaliere"], references(row["ij_maladie_taux_reference"], REF_TPT if tpt else None),
        )
    elif risque in ("maternite", "paternite", "adoption"):
        step("Plafond de chaque paie : PMSS en vigueur le dernier jour du mois précédant l'arrêt", row["plafond_retenu"], row["pss_mensuel_reference"])
        if _annuel(row):
            step("Salaires des douze mois retenus (travail saisonnier ou discontinu, dans la limite de douze PMSS)",
                 row["salaires_retenus"], row["ij_maladie_diviseur_annuel_reference"])
            step(f"Salaire journalier de base (÷ {nombre(row['ij_maladie_diviseur_annuel'])})", row["salaire_journalier"],
                 row["ij_maladie_diviseur_annuel_reference"])
        else:
            step("Salaires des trois mois retenus (chacun dans la limite du PMSS)", row["salaires_retenus"], "CSS art. R. 331-5, al. 2")
            step(f"Salaire journalier de base (÷ {nombre(row['ij_maladie_diviseur'])})", row["salaire_journalier"], row["ij_maladie_diviseur_reference"])
        step(
            f"Indemnité journalière : salaire journalier diminué du taux forfaitaire de {pourcent(row['ij_maternite_taux_forfaitaire'])}, "
            f"au moins {euros(row['ij_maternite_minimum'])} (arrondie au centime le plus proche)",
            row["ij_journaliere"], references(row["ij_maternite_taux_forfaitaire_reference"], row["ij_maternite_minimum_reference"]),
        )
    else:
        step("Salaire du mois précédant l'arrêt", row["salaires_retenus"], "CSS art. R. 433-4, 1°")
        step(
            f"Salaire journalier (÷ {nombre(row['ij_atmp_diviseur'])}, au plus {pourcent(row['ij_atmp_plafond_pass'])} du PASS, "
            f"soit {euros(row['plafond_retenu'])})",
            row["salaire_journalier"], references(row["ij_atmp_diviseur_reference"], row["ij_atmp_plafond_pass_reference"]),
        )
        step(
            f"Gain journalier net (salaire journalier diminué de {pourcent(row['ij_maternite_taux_forfaitaire'])}) : limite de l'IJ",
            row["gain_journalier_net"], "CSS art. R. 433-4, dernier al. ; R. 331-5, al. 2",
        )
        jusqu_au = int(row["ij_atmp_jour_majoration"]) - 1
        step(f"IJ du 1er au {jusqu_au}e jour ({pourcent(row['ij_atmp_taux'])})", row["ij_journaliere"], row["ij_atmp_taux_reference"])
        step(
            f"IJ à partir du {row['ij_atmp_jour_majoration']}e jour ({pourcent(row['ij_atmp_taux_majore'])})",
            row["ij_journaliere_majoree"], references(row["ij_atmp_taux_majore_reference"], row["ij_atmp_jour_majoration_reference"]),
        )


def _jours(row: Mapping[str, Any], step: Any) -> None:
    risque = row["risque"]
    if risque == "maladie" and row.get("fausse_couche") and not row["carence_applicable"] and not row["prolongation"]:
        step("Pas de délai de carence (arrêt consécutif à une fausse couche)", None, row["ij_maladie_carence_fausse_couche_reference"])
    elif row["carence_applicable"]:
        step(f"Délai de carence : {row['jours_carence']} jour(s) non indemnisé(s) dans la période", None, row["ij_maladie_carence_jours_reference"])
    elif risque != "maladie":
        step("Pas de délai de carence", None, REF_CARENCE_AUCUNE[risque])
    elif row["prolongation"]:
        step("Pas de délai de carence (prolongation)", None, REF_CARENCE_AUCUNE["prolongation"])
    else:
        step("Pas de délai de carence (ALD déjà indemnisée dans les trois ans)", None, REF_CARENCE_AUCUNE["ald"])
    step(f"Jours indemnisés : {row['jours_indemnises']}", None, REF_REGLE[risque])
    if risque == "atmp" and row["jours_majores"]:
        step(f"dont {row['jours_majores']} jour(s) au taux majoré", None, row["ij_atmp_jour_majoration_reference"])
    if risque == "atmp" and row.get("jours_revises"):
        step(f"dont {row['jours_revises']} jour(s) au taux révisé (× {nombre(row['revision_atmp_coefficient'])})",
             row["ij_journaliere_revisee"], REF_REVISION_ATMP)
    if row["jours_hors_droits"]:
        motif = row.get("motif_refus")
        if motif is not None:
            step(f"Jours non indemnisés, conditions non remplies : {row['jours_hors_droits']}", None, MOTIFS_REFUS[motif])
        elif risque in ("maternite", "paternite", "adoption"):
            step(f"Jours non indemnisés, au-delà de la durée légale du congé : {row['jours_hors_droits']}", None, REF_CONGE)
        else:
            ref = REF_ALD if row["ald"] else references(REF_360, row["ij_maladie_nombre_maximal_reference"])
            step(f"Jours non indemnisés, droits épuisés : {row['jours_hors_droits']}", None, ref)


def explain_ij(row: Mapping[str, Any]) -> list[Etape]:
    """The steps of one output row of :func:`secu.especes.rules.indemnites_journalieres`, down to the net paid."""
    steps = Etapes()
    step = steps.ajoute
    _conditions(row, step)
    _salaires(row, step)
    _jours(row, step)
    step(f"{LIBELLES[row['risque']]} : montant brut de la période", row["montant_brut"], REF_REGLE[row["risque"]])
    if row["exonere_csg"]:
        step("Pas de CSG ni de CRDS", 0, REF_CSG_EXONERE)
    else:
        step(f"CSG ({pourcent(row['ij_prelevements_csg_taux'])}, arrondie au centime le plus proche)", row["csg"], row["ij_prelevements_csg_taux_reference"])
        step(f"CRDS ({pourcent(row['crds_taux'])}, arrondie au centime le plus proche)", row["crds"], row["crds_taux_reference"])
    step("Montant net versé", row["montant_net"], None)
    if row.get("sanctions"):
        _sanctions(row, step)
    if row.get("verse_employeur"):
        step("versé à l'employeur subrogé", row["verse_employeur"], REF_SUBROGATION)
        step("versé à l'assuré", row["verse_assure"], None)
    elif row.get("subrogation"):
        step("Salaire maintenu inférieur aux IJ dues : pas de subrogation, IJ versées à l'assuré", row["verse_assure"], REF_SUBROGATION)
    return steps


def _sanctions(row: Mapping[str, Any], step: Any) -> None:
    """The days refused (R. 323-12) and reduced (D. 323-2), then what is due after them."""
    for s in row["sanctions"]:
        periode = f"IJ du {s['debut']:%d/%m/%Y} au {s['fin']:%d/%m/%Y}"
        if s["nature"] == "controle":
            step(
                f"Avis n° {s['avis_numero']} reçu le {s['avis_reception']:%d/%m/%Y}, après le dernier jour d'arrêt prescrit "
                f"({s['avis_fin']:%d/%m/%Y}) : contrôle impossible, {periode} ({s['jours']} jour(s)) refusées",
                -s["montant"], s["reference"],
            )
        else:
            step(f"Avis envoyé en retard une nouvelle fois : {periode} ({s['jours']} jour(s) indemnisé(s)) réduites de {pourcent(s['taux'])}",
                 -s["montant"], f"{s['reference']} ; {REF_REDUCTION_PERIODE}")
    step("Montant brut après réduction ou refus", row["brut_apres_sanctions"], None)
    step(f"CSG ({pourcent(row['ij_prelevements_csg_taux'])}) sur le brut restant", row["csg_apres_sanctions"], row["ij_prelevements_csg_taux_reference"])
    step(f"CRDS ({pourcent(row['crds_taux'])}) sur le brut restant", row["crds_apres_sanctions"], row["crds_taux_reference"])
    step("Montant net versé", row["net_apres_sanctions"], None)


def explain_invalidite(row: Mapping[str, Any]) -> list[Etape]:
    """The steps of one output row of :func:`secu.especes.rules.pension_invalidite`."""
    steps = Etapes()
    step = steps.ajoute
    libelle = f"Salaire annuel moyen (SAM) × {pourcent(row['invalidite_taux'])} ÷ 12 ({row['categorie']}e catégorie)"
    step(libelle, row["pension_base"], row["invalidite_taux_reference"])
    plafond_ref = references(row["invalidite_maximum_pass_reference"], row["pss_annuel_reference"])
    step(f"Maximum : {pourcent(row['invalidite_maximum_pass'])} du PASS ÷ 12", row["pension_plafond"], plafond_ref)
    step("Minimum", row["pension_minimum"], row["invalidite_minimum_reference"])
    if row["categorie"] == 3:
        step("Majoration pour tierce personne (MTP)", row["mtp"], row["mtp_reference"])
    step("Pension mensuelle", row["pension_mensuelle"], None)
    return steps


def explain_capital_deces(row: Mapping[str, Any]) -> list[Etape]:
    """The one step of a capital décès: the flat amount on the date of death, free of CSG and CRDS."""
    steps = Etapes()
    steps.ajoute("Capital décès (forfait en vigueur à la date du décès ; ni CSG ni CRDS)", row["capital_deces"], row["capital_deces_reference"])
    return steps


__all__ = ["LIBELLES", "explain_capital_deces", "explain_ij", "explain_invalidite"]
