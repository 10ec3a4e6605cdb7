"""The story of one computed row, step by step, for people.

Each function turns ONE output row of :mod:`secu.autonomie.rules` into steps
(:class:`secu.core.explication.Etape`: ``{"etape", "montant_cents",
"reference"}``). It only formats: every amount is a column of the row, every
reference a ``*_reference`` column or the article the rule applies. It never
recomputes, so the explanation cannot disagree with the decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from secu.autonomie import rules
from secu.core.explication import Etape, Etapes, euros, nombre, texte


def _groupes(premier: object, dernier: object) -> str:
    """« 5 ou 6 » for two consecutive groups, « 5 à 7 » for more."""
    return f"{premier} ou {dernier}" if int(str(dernier)) == int(str(premier)) + 1 else f"{premier} à {dernier}"


def _pct(rate: object) -> str:
    """A rate column as « 90 % » (the labels' own spacing)."""
    return f"{nombre(Decimal(str(rate)) * 100)} %"


def motifs(row: Mapping[str, Any]) -> dict[str, str]:
    """Why no APA is due, in French, from the row's parameter columns (GIRs of R232-3/R232-4, age of R232-1)."""
    return {
        "GIR_INVALIDE": f"le GIR doit être compris entre {row.get('aggir_gir_minimum')} et {row.get('aggir_gir_maximum')}",
        "GIR_5_6": f"les personnes classées en GIR {_groupes(int(row.get('apa_gir_maximum') or 0) + 1, row.get('aggir_gir_maximum'))} "
                   "n'ouvrent pas droit à l'APA",
        "AGE": f"l'APA est réservée aux personnes âgées de {row.get('apa_age_minimum')} ans ou plus",
    }


def _refused(row: Mapping[str, Any]) -> list[Etape] | None:
    if row.get("eligible"):
        return None
    steps = Etapes()
    step = steps.ajoute
    motif = texte(row.get("motif")) or "GIR_INVALIDE"
    step(f"Pas de droit à l'APA : {motifs(row).get(motif, motif)} (GIR {row.get('gir')}, {row.get('age')} ans)", 0,
         row.get("apa_age_minimum_reference") if motif == "AGE" else rules.REFERENCE_ELIGIBILITE.format(
             age=row.get("apa_age_minimum"), premier=row.get("aggir_gir_minimum"), dernier=row.get("apa_gir_maximum")))
    return steps


def explain_apa_domicile(row: Mapping[str, Any]) -> list[Etape]:
    refused = _refused(row)
    if refused is not None:
        return refused
    steps = Etapes()
    step = steps.ajoute
    step("Majoration pour tierce personne au 1er janvier (MTP)", row.get("mtp_1er_janvier"), row.get("mtp_1er_janvier_reference"))
    step(f"Plafond du plan d'aide du GIR {row.get('gir')}", row.get("plafond_cents"), row.get("plafond_reference"))
    step("Plan d'aide accepté retenu (dans la limite du plafond)", row.get("plan_retenu_cents"), rules.REFERENCE_PLAN)
    if row.get("couple"):
        step(f"Ressources mensuelles du couple divisées par {nombre(row.get('apa_participation_diviseur_couple'))}",
             row.get("ressources_retenues_cents"), row.get("apa_participation_diviseur_couple_reference"))
    else:
        step("Ressources mensuelles retenues", row.get("ressources_retenues_cents"), rules.REFERENCE_APA)
    step(f"Seuil d'exonération S1 ({nombre(row.get('apa_participation_seuil_exoneration'))} MTP) : pas de participation en deçà",
         row.get("seuil_s1_cents"), row.get("apa_participation_seuil_exoneration_reference"))
    step(f"Seuil S2 ({nombre(row.get('apa_participation_seuil_taux_maximal'))} MTP) : participation de "
         f"{_pct(row.get('apa_participation_taux_maximal'))} du plan au-delà",
         row.get("seuil_s2_cents"), row.get("apa_participation_seuil_taux_maximal_reference"))
    step("Participation du bénéficiaire (fractions du plan A1, A2, A3 à taux dégressifs)", row.get("participation_cents"),
         row.get("apa_participation_taux_maximal_reference"))
    step("APA : plan d'aide retenu diminué de la participation", row.get("apa_cents"), rules.REFERENCE_APA)
    if row.get("sous_seuil_versement"):
        step(f"Montant inférieur ou égal au seuil de versement ({nombre(row.get('apa_seuil_versement_smic'))} × SMIC horaire) : non versé",
             row.get("seuil_versement_cents"), row.get("apa_seuil_versement_smic_reference"))
    step("APA versée", row.get("apa_versee_cents"), rules.REFERENCE_APA)
    return steps


def explain_apa_etablissement(row: Mapping[str, Any]) -> list[Etape]:
    refused = _refused(row)
    if refused is not None:
        return refused
    steps = Etapes()
    step = steps.ajoute
    step(f"Tarif dépendance de l'établissement pour le GIR {row.get('gir')}", row.get("tarif_gir_cents"), rules.REFERENCE_APA_ETABLISSEMENT)
    step("Tarif dépendance des GIR 5 et 6 (toujours à la charge du résident)", row.get("tarif_gir56_cents"), row.get("apa_etablissement_seuil_bas_reference"))
    if row.get("couple"):
        step(f"Ressources mensuelles du couple divisées par {nombre(row.get('apa_etablissement_diviseur_couple'))}",
             row.get("ressources_retenues_cents"), row.get("apa_etablissement_diviseur_couple_reference"))
    else:
        step("Ressources mensuelles retenues", row.get("ressources_retenues_cents"), row.get("apa_etablissement_seuil_bas_reference"))
    step(f"Seuil bas ({nombre(row.get('apa_etablissement_seuil_bas'))} MTP)", row.get("seuil_bas_cents"), row.get("apa_etablissement_seuil_bas_reference"))
    step(f"Seuil haut ({nombre(row.get('apa_etablissement_seuil_haut'))} MTP)", row.get("seuil_haut_cents"), row.get("apa_etablissement_seuil_haut_reference"))
    step(f"Part progressive de l'écart entre le tarif du GIR et celui des GIR 5-6 ({_pct(row.get('apa_etablissement_taux_maximal'))} au plus)",
         row.get("participation_progressive_cents"), row.get("apa_etablissement_taux_maximal_reference"))
    step("Participation du résident", row.get("participation_cents"), row.get("apa_etablissement_seuil_bas_reference"))
    step("APA en établissement versée", row.get("apa_versee_cents"), rules.REFERENCE_APA_ETABLISSEMENT)
    return steps


def explain_pch(row: Mapping[str, Any]) -> list[Etape]:
    steps = Etapes()
    step = steps.ajoute
    heures = Decimal(int(row.get("heures_centiemes") or 0)) / 100
    if row.get("aide_humaine_cents"):
        step(f"Aide humaine : {nombre(heures)} h × tarif {row.get('mode_aide_humaine')} ({euros(int(row.get('tarif_horaire_cents') or 0))} de l'heure)",
             row.get("aide_humaine_cents"), row.get("tarif_horaire_reference"))
    labels = {
        "aides_techniques_cents": "Aides techniques",
        "amenagement_logement_cents": "Aménagement du logement",
        "amenagement_vehicule_cents": "Aménagement du véhicule et surcoûts de transport",
        "charges_specifiques_cents": "Charges spécifiques",
        "aide_animaliere_cents": "Aide animalière",
    }
    for column, parameter in rules.PCH_ELEMENTS.items():
        if row.get(column):
            retenu = row.get(column.replace("_cents", "_retenu_cents"))
            suffix = " (réduit au montant maximal)" if retenu != row.get(column) else ""
            step(f"{labels[column]}{suffix}", retenu, row.get(parameter.replace(".", "_") + "_reference"))
    step("Total aux tarifs et dans la limite des montants maximaux", row.get("montant_tarif_cents"), rules.REFERENCE_PCH)
    taux = Decimal(str(row.get("taux_prise_en_charge")))
    step(f"Seuil de ressources du taux plein ({nombre(row.get('pch_seuil_ressources_mtp'))} MTP) ; taux de prise en charge {nombre(taux * 100)} %",
         row.get("seuil_ressources_cents"), row.get("pch_taux_reduit_reference"))
    step("PCH versée", row.get("pch_cents"), rules.REFERENCE_PCH)
    return steps


def explain_concours(row: Mapping[str, Any]) -> list[Etape]:
    steps = Etapes()
    step = steps.ajoute
    step("Montant versé par le département", row.get("montant_cents"), None)
    step(f"Concours de la CNSA ({nombre(Decimal(str(row.get('taux_concours'))) * 100)} %, taux moyen national)", row.get("concours_cents"),
         row.get("concours_reference"))
    step("Charge nette du département", row.get("charge_departement_cents"), None)
    return steps


EXPLAIN = {"apa_domicile": explain_apa_domicile, "apa_etablissement": explain_apa_etablissement, "pch": explain_pch}
