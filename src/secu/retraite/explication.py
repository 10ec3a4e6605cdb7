"""The pension de droit propre step by step, with its articles (formatting only).

Every amount and count is a column of a row of :func:`secu.retraite.rules.droit_propre.pension_droit_propre`
(or of :func:`secu.retraite.rules.carriere.salaire_annuel_moyen` for the SAM's years); nothing is recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from secu.core.explication import Etape, Etapes, euros, nombre, pourcent
from secu.core.explication import references as _references

REF_FORMULE = "CSS art. L. 351-1 et R. 351-27"
REF_PRORATA = "CSS art. L. 351-1, al. 3 (durée de référence : L. 161-17-3)"
REF_MAJORATION_DUREE = "CSS art. L. 351-6 et R. 351-7"
REF_DECOTE = "CSS art. D. 351-1-2"
REF_SURCOTE = "CSS art. L. 351-1-2 et D. 351-1-4"
REF_MICO = "CSS art. L. 351-10 et D. 351-2-1"
REF_MICO_SURCOTE = "CSS art. L. 351-10 (loi n° 2008-1330, art. 89) ; circulaire Cnav n° 2009/17 du 16 février 2009, § 3.2"
REF_ECRETEMENT = "CSS art. L. 351-10 et D. 351-2-2"
REF_ENFANTS = "CSS art. L. 351-12"
REF_TAUX_PLEIN_INAPTITUDE = "CSS art. L. 351-8"
REF_CARRIERE_LONGUE = "CSS art. L. 351-1-1 et D. 351-1-1"
REF_SAM = "CSS art. L. 351-11"


def references(*parts: object) -> str | None:
    """Several references in one, a text left out when another already contains it (a parameter's cites its article)."""
    texts = [str(part) for part in parts if part]
    kept = [text for i, text in enumerate(texts) if text not in texts[:i] and not any(text in other for other in texts if other != text)]
    return _references(*kept)


def age(mois: int) -> str:
    """An age in months, in words: 753 -> "62 ans et 9 mois"."""
    ans, reste = divmod(int(mois), 12)
    return f"{ans} ans" + (f" et {reste} mois" if reste else "")


def etapes_sam(annees: Iterable[Mapping[str, Any]], personne: Mapping[str, Any]) -> list[Etape]:
    """The years of one person's SAM: each year capped and revalued, whether kept, then the mean."""
    steps = Etapes()
    for annee in annees:
        if not annee["prise_en_compte"]:
            etat = "non prise en compte (année de la date d'effet ou sans trimestre reporté)"
        else:
            etat = "retenue" if annee["retenue"] else "non retenue"
        steps.ajoute(f"Salaire {annee['annee']} plafonné ({euros(annee['salaire_plafonne'])}) × {nombre(annee['coefficient'])} : {etat}",
                     annee["salaire_revalorise"], annee.get("sam_coefficients_salaires_reference"))
    reduction = int(personne["sam_reduction_meres"])
    if reduction:
        steps.ajoute(f"Mère de {personne['enfants_mere']} enfant(s) : {reduction} année(s) de moins", None, personne["sam_reduction_meres_reference"])
    steps.ajoute(f"Salaire annuel moyen des {personne['annees_retenues']} meilleures années (au plus {personne['nombre_annees']})", personne["sam"],
                 references(REF_SAM, personne["sam_nombre_annees_reference"]))
    return steps


def etapes_pension(row: Mapping[str, Any]) -> list[Etape]:
    """A row of :func:`pension_droit_propre`: ages, durée, taux, prorata, maximum, surcote, minimum, majoration."""
    steps = Etapes()
    step = steps.ajoute
    step(f"Âge légal de la génération : {age(row['age_legal_mois'])} ; âge à la date d'effet ({row['date_effet']:%d/%m/%Y}) : "
         f"{age(row['age_effet_mois'])}", None, row["droit_propre_age_legal_mois_reference"])
    if row["depart_anticipe"]:
        step(f"Retraite anticipée pour carrière longue à {age(row['age_carriere_longue_mois'])} (activité débutée avant "
             f"{row['age_debut_activite']} ans, {row['trimestres_cotises']} trimestres cotisés)", None,
             references(REF_CARRIERE_LONGUE, row["carriere_longue_reference"]))
    step(f"Durée d'assurance requise : {row['duree_requise']} trimestres ; validés : {row['trimestres']} tous régimes, "
         f"{row['trimestres_rg']} au régime général", None, row["droit_propre_duree_requise_reference"])
    if row["taux_plein"]:
        if row["trimestres"] >= row["duree_requise"]:
            raison, ref = "durée requise atteinte", row["droit_propre_taux_plein_reference"]
        elif row["depart_anticipe"]:
            raison, ref = "carrière longue", REF_CARRIERE_LONGUE
        elif row["inaptitude"] or row["ex_invalide"]:
            raison, ref = "inaptitude au travail ou ancien invalide, à l'âge légal", REF_TAUX_PLEIN_INAPTITUDE
        else:
            raison, ref = f"âge d'annulation de la décote ({age(row['age_annulation_decote_mois'])}) atteint", \
                row["droit_propre_age_annulation_decote_mois_reference"]
        step(f"Taux plein ({raison}) : {pourcent(row['taux'])}", None, ref)
    else:
        step(f"Décote : {row['decote_trimestres']} trimestre(s) manquant(s) (le moins des trimestres manquant pour la durée et jusqu'à "
             f"{age(row['age_annulation_decote_mois'])}, au plus {row['droit_propre_decote_trimestres_max']}) × "
             f"{pourcent(row['droit_propre_decote_par_trimestre'])} : taux {pourcent(row['taux'])}", None,
             references(REF_DECOTE, row["droit_propre_decote_par_trimestre_reference"]))
    if row["duree_rg_majoree"] > row["trimestres_rg"]:
        step(f"Majoration de durée : {row['trimestres_apres_age_majoration']} trimestre(s) après {age(row['age_majoration_duree_mois'])} × "
             f"{pourcent(row['droit_propre_majoration_duree_par_trimestre'])} : {row['trimestres_rg']} trimestres portés à "
             f"{row['duree_rg_majoree']} (arrondi au trimestre supérieur)", None,
             references(REF_MAJORATION_DUREE, row["droit_propre_majoration_duree_par_trimestre_reference"]))
    step(f"Prorata : {row['prorata_numerateur']} / {row['prorata_denominateur']} trimestres", None, REF_PRORATA)
    step(f"Salaire annuel moyen ({euros(row['sam'])}) × {pourcent(row['taux'])} × {row['prorata_numerateur']} / {row['prorata_denominateur']}",
         row["pension_calculee"], REF_FORMULE)
    if row["pension_calculee"] > row["pension_maximum"]:
        step(f"Ramenée au maximum : {pourcent(row['droit_propre_maximum_pass'])} du plafond annuel ({euros(row['pss_annuel'])})",
             row["pension_maximum"], references(row["droit_propre_maximum_pass_reference"], row["pss_annuel_reference"]))
    if row["surcote_trimestres"]:
        step(f"Surcote : {row['surcote_trimestres']} trimestre(s) × {pourcent(row['droit_propre_surcote_par_trimestre'])}", row["surcote"],
             references(REF_SURCOTE, row["droit_propre_surcote_par_trimestre_reference"]))
    _mico(step, row)
    if row["majoration_enfants"]:
        step(f"Majoration pour {row['enfants']} enfants : {pourcent(row['droit_propre_majoration_enfants_taux'])}", row["majoration_enfants"],
             references(REF_ENFANTS, row["droit_propre_majoration_enfants_taux_reference"]))
    step("Pension annuelle brute", row["pension_annuelle"], None)
    step("Pension mensuelle brute (annuelle ÷ 12, au centime)", row["pension_mensuelle"], None)
    return steps


def _mico(step: Any, row: Mapping[str, Any]) -> None:
    if not row["taux_plein"]:
        step("Minimum contributif : non, la pension n'est pas au taux plein", None, REF_MICO)
        return
    majore = "majoré (au moins " + str(row["mico_trimestres_cotises_majoration"]) + " trimestres cotisés)" if row["mico_majore"] else "non majoré"
    step(f"Minimum contributif {majore}, proratisé", row["montant_mico"],
         references(REF_MICO, row["mico_montant_reference"], row["mico_montant_majore_reference"] if row["mico_majore"] else None))
    if not row["complement_mico"]:
        step("La pension avant surcote atteint le minimum : pas de complément", None, references(REF_MICO, REF_MICO_SURCOTE))
        return
    surcote = " ; la surcote s'y ajoute" if row["surcote"] else ""
    step(f"Complément portant la pension avant surcote ({euros(row['pension_plafonnee'])}) au minimum{surcote}", row["complement_mico"],
         references(REF_MICO, REF_MICO_SURCOTE))
    if row["total_pensions_mensuel"] is None:
        step("Total des autres pensions inconnu : complément non écrêté", None, REF_ECRETEMENT)
    elif row["ecretement_mico"]:
        step(f"Écrêtement : le total des pensions dépasse le plafond de {euros(row['mico_plafond'])} par mois", -row["ecretement_mico"],
             references(REF_ECRETEMENT, row["mico_plafond_reference"]))
    else:
        step(f"Total des pensions sous le plafond de {euros(row['mico_plafond'])} par mois : pas d'écrêtement", None,
             references(REF_ECRETEMENT, row["mico_plafond_reference"]))
