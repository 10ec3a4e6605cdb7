"""The story of one liquidated line, step by step, for people.

:func:`explain` turns ONE output row of :func:`secu.maladie.rules.liquidate`
into readable steps (:class:`secu.core.explication.Etape`:
``{"etape", "montant_cents", "reference"}``). It only
formats: every amount comes from a column of the row, every reference from a
``reference_*`` column (or, for a rejection, the rule that was not met). It
never recomputes an amount, so the explanation cannot disagree with the
decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from secu.core.explication import Etape, Etapes, euros, ligne, nombre, pourcent, references, texte

EXONERATIONS = {
    "atmp": "accident du travail ou maladie professionnelle",
    "maternite": "assurance maternité",
    "ALD": "affection de longue durée (soins en rapport)",
    "invalidite": "pension d'invalidité",
    "nouveau-ne": "nouveau-né hospitalisé",
    "c2s": "complémentaire santé solidaire",
}

REJECTION_REFERENCES = {
    "ACTE_INCONNU": "CSS L162-1-7 (seuls les actes inscrits à la nomenclature sont pris en charge)",
    "DATE_HORS_PERIODE": "Tables de secu : tarifs et paramètres recherchés à partir du 01/01/2023",
    "TARIF_NON_EN_VIGUEUR": "CSS L162-1-7 (acte inscrit à la nomenclature à la date des soins)",
    "AGE_INCOMPATIBLE": "NGAP : consultations du pédiatre selon l'âge de l'enfant",
    "FORMAT": "Format des lots de liquidation (src/secu/maladie/README.md)",
}
"""What a rejected line failed; other rejections are a malformed line (see the motif)."""

REMBOURSEMENT_REFERENCE = "CSS L160-13 (part de l'assurance maladie, moins la participation forfaitaire et la franchise)"


def explain(row: Mapping[str, Any]) -> list[Etape]:
    """The steps of one output row of ``liquidate``: what was billed, the base, the rate, each deduction, what is paid."""
    steps = Etapes()
    step = steps.ajoute

    acte = row.get("acte")
    rejet = texte(row.get("rejet"))
    if rejet:
        detail = f"acte {acte}" if rejet == "ACTE_INCONNU" else None
        motif = texte(row.get("motif")) or rejet
        step(f"Ligne rejetée ({rejet}) : {motif}" + (f" — {detail}" if detail else ""), 0,
             REJECTION_REFERENCES.get(rejet, "Lignes de soins : champs obligatoires et valeurs admises (src/secu/maladie/README.md)"))
        return steps

    quantite = row.get("quantite")
    coefficient = row.get("coefficient")
    coefficient_text = ""
    if coefficient is not None and Decimal(str(coefficient)) != 1:
        coefficient_text = f", coefficient {nombre(coefficient)}"
    step(f"Montant facturé ({acte}, quantité {quantite})", row.get("montant_cents"), "CSS L161-33 (feuille de soins : frais exposés)")
    step(f"Tarif de l'acte {acte}{coefficient_text} ({texte(row.get('tarif_statut')) or 'tarif'})",
         row.get("tarif_acte_cents"), row.get("reference_tarif"))
    step("Base de remboursement (tarif × quantité, dans la limite des frais facturés)",
         row.get("base_remboursement_cents"), references(row.get("reference_tarif"), "CSS R160-22 (jamais plus que les frais exposés)"))
    if row.get("depassement_cents"):
        step("Dépassement d'honoraires : au-delà de la base, jamais remboursé par l'assurance maladie",
             row.get("depassement_cents"), references(row.get("reference_tarif"), "CSS L160-13"))
    exoneration = texte(row.get("exoneration"))
    if exoneration:
        step(f"Exonération du ticket modérateur : {EXONERATIONS.get(exoneration, exoneration)}", None, row.get("reference_exoneration"))
    if row.get("hors_parcours"):
        step("Hors parcours de soins coordonné : taux diminué de la majoration", None, row.get("reference_parcours"))
    taux = row.get("taux")
    step(f"Part de l'assurance maladie : {pourcent(taux) if taux is not None else '—'} de la base",
         row.get("montant_amo_cents"), row.get("reference_taux"))
    if row.get("acte_lourd"):
        step("Ticket modérateur limité au forfait des actes lourds", row.get("ticket_moderateur_cents"), row.get("reference_acte_lourd"))
    else:
        step("Ticket modérateur (à la charge de l'assuré ou de sa complémentaire)", row.get("ticket_moderateur_cents"),
             row.get("reference_taux"))
    due = row.get("participation_forfaitaire_due_cents") or 0
    pf = row.get("participation_forfaitaire_cents") or 0
    if due or pf:
        suffix = f" (due : {euros(due)}, réduite par le plafond journalier ou annuel)" if pf != due else ""
        step(f"Participation forfaitaire déduite{suffix}", pf, row.get("reference_participation_forfaitaire"))
    due = row.get("franchise_due_cents") or 0
    franchise = row.get("franchise_cents") or 0
    if due or franchise:
        suffix = f" (due : {euros(due)}, réduite par le plafond journalier ou annuel)" if franchise != due else ""
        step(f"Franchise médicale déduite{suffix}", franchise, row.get("reference_franchise"))
    step("Remboursement de l'assurance maladie", row.get("rembourse_cents"), REMBOURSEMENT_REFERENCE)
    if row.get("paye_a") == "professionnel":
        step("Versé au professionnel de santé (tiers payant)", row.get("verse_cents"), "CSS L161-36-3 et suivants (tiers payant : dispense d'avance des frais)")
    else:
        step("Versé à l'assuré", row.get("verse_cents"), REMBOURSEMENT_REFERENCE)
    if row.get("a_recuperer_cents"):
        step("Participation et franchise restant dues, récupérées sur des remboursements ultérieurs", row.get("a_recuperer_cents"),
             references(row.get("reference_participation_forfaitaire"), row.get("reference_franchise")) or REMBOURSEMENT_REFERENCE)
    return steps


def as_text(row: Mapping[str, Any]) -> str:
    """The steps as lines of text (for a terminal or a décompte)."""
    return "\n".join(ligne(item) for item in explain(row))
