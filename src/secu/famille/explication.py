"""The story of one household-month, benefit by benefit, for people.

:func:`explain` turns ONE output row of :func:`secu.famille.rules.droits`
into, for each benefit with a non-zero amount, the steps
(:class:`secu.core.explication.Etape`: ``{"etape", "montant_cents",
"reference"}``). It only formats: every amount is a column of the row, every
reference a ``ref_*`` column. It never recomputes, so the explanation cannot
disagree with the decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from secu.core.explication import AjouteEtape, Etape, Etapes, ligne
from secu.core.explication import euros as _euros
from secu.core.explication import pourcent as _percent

from .rules import PRESTATIONS, SANS_CRDS

StepFn = AjouteEtape
"""Adds one explanation step: its label, its amount in cents (or none) and its reference."""

LIBELLES = {
    "af": "Allocations familiales",
    "cf": "Complément familial",
    "paje_naissance": "Prime à la naissance (PAJE)",
    "paje_base": "Allocation de base (PAJE)",
    "ars": "Allocation de rentrée scolaire",
    "asf": "Allocation de soutien familial",
    "aeeh": "Allocation d'éducation de l'enfant handicapé",
    "aah": "Allocation aux adultes handicapés",
}
TIMING = "CSS R552-2 I et R552-3 I (droit ouvert le mois suivant la condition, fermé le mois où elle cesse)"
SANS_CRDS_REF = {
    "aah": "Ordonnance n° 96-50, art. 14 II 8° : l'AAH n'est pas une prestation familiale (CSS L511-1), pas de CRDS",
    "aeeh": "Ordonnance n° 96-50, art. 14 II 8° : l'AEEH est exclue de l'assiette de la CRDS",
}


def explain(row: Mapping[str, Any]) -> dict[str, list[Etape]]:
    """For each benefit of the row with a non-zero gross amount, its steps down to the net paid."""
    out: dict[str, list[Etape]] = {}
    for p in PRESTATIONS:
        if not row.get(p):
            continue
        steps = Etapes()
        step = steps.ajoute

        _DETAILS[p](row, step)
        step(f"{LIBELLES[p]} : montant brut du mois", row.get(p), row.get(f"ref_{p}"))
        crds = row.get(f"{p}_crds") or 0
        if p in SANS_CRDS:
            step("Pas de CRDS", 0, SANS_CRDS_REF[p])
        else:
            step(f"CRDS ({_percent(row.get('taux_crds'))}, arrondie au centime inférieur)", crds, row.get("ref_crds"))
        step("Montant net versé", (row.get(p) or 0) - crds, None)
        out[p] = steps
    return out


def _af(row: Mapping[str, Any], step: StepFn) -> None:
    n, alt = row.get("nb_enfants"), row.get("af_nb_alternes") or 0
    t = row.get("af_tranche")
    step(f"Enfants à charge : {n}" + (f" dont {alt} en résidence alternée" if alt else ""), None, TIMING)
    step(f"Ressources N-2 : {_euros(row.get('ressources_n2'))} ; plafonds {_euros(row.get('af_plafond_1'))} et "
         f"{_euros(row.get('af_plafond_2'))} : tranche {t}", None, row.get("ref_af"))
    if row.get("af_base_famille"):
        step(f"Allocations de base : {_percent(row.get('af_taux'))} de la BMAF ({_euros(row.get('bmaf'))}), arrondi au centime",
             row.get("af_base_famille"), row.get("ref_bmaf"))
    if row.get("af_majorations"):
        alt = row.get("af_nb_majorations_alternees") or 0
        step(f"Majoration pour âge : {row.get('af_nb_majorations')} × {_euros(row.get('af_majoration_unitaire'))}"
             + (f", dont {alt} {_part(row.get('af_residence_alternee_part_majoration'))} (résidence alternée, CSS R521-4)" if alt else ""),
             row.get("af_majorations"), row.get("ref_af"))
    if row.get("af_complement_degressif"):
        step(f"Complément dégressif : ressources au-dessus du plafond de {_euros(row.get('af_depassement'))} "
             "(douzième de la différence, arrondi au centime)", row.get("af_complement_degressif"), "CSS L521-1 et D521-1 II")
    if row.get("af_part_autre_parent"):
        step("Résidence alternée : part due à l'autre parent, déduite", -int(row.get("af_part_autre_parent") or 0), "CSS R521-3")
    if row.get("af_forfait"):
        step(f"Allocation forfaitaire (enfant de {row.get('pf_age_limite')} ans) : {row.get('af_nb_forfaits')} × "
             f"{_euros(row.get('af_forfait_unitaire'))}",
             row.get("af_forfait"), "CSS L521-1 2e al. et D521-2")
    if row.get("af_forfait_complement_degressif"):
        step("Complément dégressif de l'allocation forfaitaire", row.get("af_forfait_complement_degressif"), "CSS D521-2 II")


def _part(rate: object) -> str:
    """« pour moitié » for a half, « pour 40 % » otherwise (a share of R521-4)."""
    return "pour moitié" if rate is None or Decimal(str(rate)) == Decimal("0.5") else f"pour {_percent(rate)}"


def _cf(row: Mapping[str, Any], step: StepFn) -> None:
    forme = row.get("cf_forme")
    step(f"{row.get('cf_nb_enfants')} enfants à charge, tous âgés de {row.get('cf_age_minimum')} ans au moins ; ressources N-2 "
         f"{_euros(row.get('ressources_n2'))}, plafond {_euros(row.get('cf_plafond'))}, plafond du montant majoré "
         f"{_euros(row.get('cf_plafond_majore'))}", None, row.get("ref_cf"))
    label = {"majore": "Complément familial majoré", "base": "Complément familial",
             "differentiel": "Complément familial différentiel (douzième de plafond + 12 × CF − ressources)"}
    step(label.get(str(forme), "Complément familial"), row.get("cf"), "CSS L522-1 à L522-3")


def _paje_naissance(row: Mapping[str, Any], step: StepFn) -> None:
    step(f"{row.get('paje_nb_naissances')} naissance(s) ce mois ; ressources N-2 {_euros(row.get('ressources_n2'))}, "
         f"plafond {_euros(row.get('paje_plafond_naissance'))}", None, row.get("ref_paje_naissance"))


def _paje_base(row: Mapping[str, Any], step: StepFn) -> None:
    step(f"Allocation de base à taux {row.get('paje_base_taux')} × {row.get('paje_base_nombre')} ; ressources N-2 "
         f"{_euros(row.get('ressources_n2'))}, plafonds {_euros(row.get('paje_plafond_taux_plein'))} (taux plein) et "
         f"{_euros(row.get('paje_plafond_taux_partiel'))} (taux partiel)", None, row.get("ref_paje_base"))


def _ars(row: Mapping[str, Any], step: StepFn) -> None:
    step(f"{row.get('ars_nb_enfants')} enfant(s) de {row.get('ars_age_minimum')} à {row.get('ars_age_maximum')} ans : "
         f"ARS pleine {_euros(row.get('ars_plein'))}", row.get("ars_plein"),
         row.get("ref_ars"))
    if row.get("ars") != row.get("ars_plein"):
        step(f"ARS différentielle : ressources N-2 {_euros(row.get('ressources_n2'))} au-dessus du plafond "
             f"{_euros(row.get('ars_plafond'))} ({row.get('ars_nb_enfants_plafond')} enfant(s) à charge au 31 juillet)",
             row.get("ars"), "CSS L543-1, R543-5")


def _asf(row: Mapping[str, Any], step: StepFn) -> None:
    step(f"{row.get('asf_nb_enfants')} enfant(s) privé(s) de l'aide d'un ou de deux parents", None, row.get("ref_asf"))


def _aeeh(row: Mapping[str, Any], step: StepFn) -> None:
    step(f"AEEH de base pour {row.get('aeeh_nb_enfants')} enfant(s)", row.get("aeeh_base"), row.get("ref_aeeh"))
    if row.get("aeeh_complements"):
        step("Compléments selon la catégorie fixée par la CDAPH", row.get("aeeh_complements"), "CSS L541-1 et D541-2")
    if row.get("aeeh_majoration_isole"):
        step("Majoration pour parent isolé", row.get("aeeh_majoration_isole"), "CSS L541-4 et D541-4")


def _aah(row: Mapping[str, Any], step: StepFn) -> None:
    step(f"Ressources N-2 retenues {_euros(row.get('aah_ressources'))} ; plafond annuel {_euros(row.get('aah_plafond'))} ; "
         "AAH = douzième de la différence, au plus le montant maximal", None, row.get("ref_aah"))


_DETAILS = {
    "af": _af, "cf": _cf, "paje_naissance": _paje_naissance, "paje_base": _paje_base,
    "ars": _ars, "asf": _asf, "aeeh": _aeeh, "aah": _aah,
}


def as_text(row: Mapping[str, Any]) -> str:
    """The steps as lines of text (for a terminal or a notification)."""
    lines = []
    for p, steps in explain(row).items():
        lines.append(LIBELLES[p])
        lines.extend(ligne(item) for item in steps)
    return "\n".join(lines)
