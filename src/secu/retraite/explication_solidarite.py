"""The réversion, the allocation veuvage, the ASPA and its recovery told step by step, with their articles (formatting only).

Every amount is a column of a row of :mod:`secu.retraite.rules.reversion`, :mod:`secu.retraite.rules.veuvage` or
:mod:`secu.retraite.rules.aspa`; nothing is recomputed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from secu.core.explication import Etape, Etapes, euros, nombre, pourcent, references
from secu.retraite.rules import aspa as regles_aspa
from secu.retraite.rules import reversion as regles_reversion
from secu.retraite.rules import veuvage as regles_veuvage


def etapes_reversion(row: Mapping[str, Any]) -> list[Etape]:
    """A row of :func:`secu.retraite.rules.reversion.pension_reversion`."""
    steps = Etapes()
    step = steps.ajoute
    if not row["condition_age"]:
        step(f"Conjoint survivant de {row['age']} ans à la date d'effet : moins de {row['reversion_age_minimum']} ans, pas de pension de réversion "
             "(l'allocation veuvage peut être due)", None, row["reversion_age_minimum_reference"])
        return steps
    step(f"Pension de l'assuré décédé (annuelle) × {pourcent(row['reversion_taux'])}", row["reversion_brute"], row["reversion_taux_reference"])
    entier = row["trimestres_defunt"] >= row["reversion_trimestres_minimum"]
    prorata = "entier" if entier else f"{row['trimestres_defunt']}/{row['reversion_trimestres_minimum']}e"
    step(f"Minimum de réversion ({prorata}, {euros(row['reversion_minimum'])} par an pour {row['reversion_trimestres_minimum']} trimestres)",
         row["minimum_proratise"], row["reversion_minimum_reference"])
    step(f"Maximum : {pourcent(row['reversion_maximum_pass'])} du PASS", row["reversion_maximum"],
         references(row["reversion_maximum_pass_reference"], row["pss_annuel_reference"]))
    step("Réversion avant partage" + (" (le minimum s'applique)" if row["minimum_applique"] else ""), row["reversion_avant_partage"], None)
    if row["duree_mariage"] is not None:
        step(f"Part de ce mariage : {row['duree_mariage']} mois sur {row['duree_mariages_total']}", row["reversion_partagee"], regles_reversion.REF_PARTAGE)
    if row["majoration_enfants"]:
        step(f"Majoration pour {row['enfants']} enfants : {pourcent(row['reversion_majoration_enfants'])} "
             f"(au moins {pourcent(row['reversion_majoration_enfants_plancher'])} du minimum)", row["majoration_enfants"],
             references(row["reversion_majoration_enfants_reference"], row["reversion_majoration_enfants_plancher_reference"]))
    step("Réversion majorée (annuelle)", row["reversion_majoree"], None)
    menage = f", × {nombre(row['reversion_coefficient_menage'])} pour un ménage" if row["couple"] else ""
    step(f"Plafond de ressources : {nombre(row['reversion_plafond_smic_heures'])} × SMIC horaire au 1er janvier "
         f"({euros(row['smic_horaire_1er_janvier'])}){menage}", row["plafond_ressources"],
         references(row["reversion_plafond_smic_heures_reference"], row["smic_horaire_1er_janvier_reference"],
                    row["reversion_coefficient_menage_reference"] if row["couple"] else None))
    if row["revenus_activite_3_mois"] and row["revenus_activite_retenus_3_mois"] != row["revenus_activite_3_mois"]:
        step(f"Revenus d'activité des 3 mois après l'abattement de {pourcent(row['reversion_abattement_revenus_activite'])}",
             row["revenus_activite_retenus_3_mois"], row["reversion_abattement_revenus_activite_reference"])
    step("Ressources des 3 mois civils précédant la date d'effet", row["ressources_3_mois"], regles_reversion.REF_RESSOURCES)
    if row["periode_ressources"] == 12:
        step("Elles dépassent le quart du plafond : ressources des 12 mois civils précédant la date d'effet", row["ressources_annuelles"],
             regles_reversion.REF_RESSOURCES)
    else:
        step("Ressources annuelles retenues (3 mois × 4)", row["ressources_annuelles"], regles_reversion.REF_RESSOURCES)
    if row["depassement"]:
        step("Ressources + réversion au-delà du plafond : dépassement déduit", row["depassement"], regles_reversion.REF_ECRETEMENT)
    else:
        step("Ressources + réversion sous le plafond : pas d'écrêtement", None, regles_reversion.REF_ECRETEMENT)
    step("Pension de réversion annuelle", row["reversion_annuelle"], None)
    if row["majoration_forfaitaire"]:
        step(f"Majoration forfaitaire pour {row['enfants_a_charge']} enfant(s) à charge (mensuelle)", row["majoration_forfaitaire"],
             row[f"{regles_reversion.MAJORATION_FORFAITAIRE.replace('.', '_')}_reference"])
    step("Pension de réversion mensuelle (douzième arrondi au centime inférieur)", row["reversion_mensuelle"], None)
    if row["date_droits_propres"] is not None:
        quand = f"{row['reversion_delai_montant_definitif_mois']} mois après l'entrée en jouissance de toutes les retraites personnelles"
        reference = row["reversion_delai_montant_definitif_mois_reference"]
    else:
        quand = f"à {row['reversion_age_montant_definitif']} ans, faute de toutes les retraites personnelles"
        reference = row["reversion_age_montant_definitif_reference"]
    step(f"Ressources révisables jusqu'au {row['date_montant_definitif']:%d/%m/%Y} ({quand}) : montant définitif ensuite", None,
         references(regles_reversion.REF_DEFINITIF, reference))
    return steps


def etapes_veuvage(row: Mapping[str, Any]) -> list[Etape]:
    """A row of :func:`secu.retraite.rules.veuvage.allocation_veuvage`."""
    steps = Etapes()
    step = steps.ajoute
    if not row["condition_age"]:
        step(f"Conjoint survivant de {row['age_deces']} ans au décès : {row['veuvage_age_limite']} ans ou plus, pas d'allocation veuvage "
             "(la pension de réversion peut être due)", None, row["veuvage_age_limite_reference"])
        return steps
    if not row["condition_affiliation"]:
        step(f"L'assuré décédé n'a été affilié que {row['mois_affiliation_defunt']} mois sur les {row['veuvage_affiliation_periode_mois']} "
             f"précédant le décès (au moins {row['veuvage_affiliation_mois']}) : pas d'allocation veuvage", None,
             references(regles_veuvage.REF_CONDITIONS, row["veuvage_affiliation_periode_mois_reference"]))
        return steps
    if not row["condition_situation"]:
        step("Conjoint survivant remarié, pacsé ou vivant en concubinage : pas d'allocation veuvage", None, regles_veuvage.REF_CONDITIONS)
        return steps
    step(f"Droit du {row['debut_droit']:%d/%m/%Y} au {row['fin_droit']:%d/%m/%Y} (exclu)", None,
         references(regles_veuvage.REF_DUREE, row["veuvage_duree_mois_reference"]))
    if not row["en_periode"]:
        step(f"Le mois du {row['mois']:%d/%m/%Y} est hors de la période de versement", None, regles_veuvage.REF_DUREE)
        return steps
    step("Montant mensuel de l'allocation", row["veuvage_montant"], row["veuvage_montant_reference"])
    step(f"Plafond trimestriel de ressources : {nombre(row['veuvage_coefficient_plafond'])} × le montant mensuel", row["plafond_trimestriel"],
         row["veuvage_coefficient_plafond_reference"])
    step("Ressources des 3 mois civils précédents", row["ressources_trimestre"], None)
    if row["abattement_reprise"]:
        step(f"Abattement de {pourcent(row['taux_abattement_reprise'])} sur les revenus d'une activité commencée pendant le versement "
             f"(mois {row['rang_mois_reprise']})", row["abattement_reprise"], regles_veuvage.REF_REPRISE)
    step("Ressources retenues", row["ressources_retenues"], None)
    step("Allocation de trois mois", row["allocation_trimestre"], None)
    if row["depassement"]:
        step("Ressources + allocation au-delà du plafond trimestriel : dépassement", row["depassement"], regles_veuvage.REF_REDUCTION)
        step("Réduction mensuelle (un tiers du dépassement)", row["reduction_mensuelle"], regles_veuvage.REF_REDUCTION)
    else:
        step("Ressources + allocation sous le plafond : pas de réduction", None, regles_veuvage.REF_REDUCTION)
    step("Allocation veuvage du mois", row["allocation_mensuelle"], None)
    return steps


def etapes_aspa(row: Mapping[str, Any]) -> list[Etape]:
    """A row of :func:`secu.retraite.rules.aspa.aspa`."""
    steps = Etapes()
    step = steps.ajoute
    age_reference = references(row["aspa_age_reference"], row["aspa_age_inaptitude_reference"] if row["inapte"] or row["inapte_conjoint"] else None)
    if not row["condition_age"]:
        qui = "du conjoint " if row["allocataires"] == 2 and row["age"] >= row["age_requis"] else ""
        step(f"Âge {qui}inférieur à l'âge requis ({row['age_requis']} ans) à la date d'effet : pas d'ASPA", None, age_reference)
        return steps
    step(f"Condition d'âge remplie ({row['age']} ans, {row['age_requis']} requis)", None, age_reference)
    situation = "couple" if row["couple"] else "personne seule"
    step(f"Plafond annuel de ressources ({situation})", row["aspa_plafond"], row["aspa_plafond_reference"])
    allocataires = "deux allocataires" if row["allocataires"] == 2 else "un allocataire"
    step(f"Montant maximum annuel ({allocataires})", row["aspa_montant_maximum"], row["aspa_montant_maximum_reference"])
    if row["revenus_activite_3_mois"]:
        step(f"Revenus d'activité des 3 mois : abattement de {nombre(row['aspa_abattement_smic'])} SMIC mensuel au 1er janvier "
             f"({euros(row['smic_mensuel_1er_janvier'])}), au plus les revenus", row["abattement_activite"],
             references(row["aspa_abattement_smic_reference"], row["smic_mensuel_1er_janvier_reference"]))
    step("Ressources des 3 mois civils précédant la date d'effet", row["ressources_3_mois"], regles_aspa.REF_RESSOURCES)
    if row["periode_ressources"] == 12:
        step("Elles dépassent le quart du plafond : ressources des 12 mois précédents, sans abattement", row["ressources_annuelles"],
             regles_aspa.REF_RESSOURCES)
    else:
        step("Ressources annuelles retenues (3 mois × 4)", row["ressources_annuelles"], regles_aspa.REF_RESSOURCES)
    step("ASPA annuelle : plafond moins ressources, au plus le montant maximum", row["aspa_annuelle"], regles_aspa.REF_DIFFERENTIELLE)
    step("ASPA mensuelle du ménage (douzième arrondi au centime inférieur)", row["aspa_mensuelle"], None)
    if row["allocataires"] == 2:
        step("ASPA mensuelle de chaque allocataire (moitié)", row["aspa_mensuelle_allocataire"], regles_aspa.REF_PARTAGE)
    return steps


def etapes_recuperation(row: Mapping[str, Any]) -> list[Etape]:
    """A row of :func:`secu.retraite.rules.aspa.recuperation_aspa`."""
    steps = Etapes()
    step = steps.ajoute
    lieu = "outre-mer" if row["outre_mer"] else "métropole"
    step("ASPA versée au défunt", row["aspa_versee"], None)
    step(f"Seuil d'actif net successoral ({lieu}) au décès", row["seuil_recuperation"], row["seuil_recuperation_reference"])
    step("Actif net de la succession", row["actif_net"], None)
    step("Fraction de l'actif net au-delà du seuil", row["actif_recuperable"], regles_aspa.REF_RECUPERATION)
    situation = "couple" if row["couple"] else "personne seule"
    step(f"Limite annuelle ({situation}) : {euros(row['aspa_recuperation_plafond_annuel'])} × {row['mois_versement']} mois de versement ÷ 12",
         row["plafond_recuperation"], row["aspa_recuperation_plafond_annuel_reference"])
    step("Somme récupérée sur la succession (la plus faible des trois)", row["recuperation"], regles_aspa.REF_RECUPERATION)
    return steps


__all__ = ["etapes_aspa", "etapes_recuperation", "etapes_reversion", "etapes_veuvage"]
