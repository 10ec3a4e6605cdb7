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

from secu.core.explication import Etape, etape, euros, ligne, nombre, pourcent, references, texte

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
    rejet = texte(row.get("rejet"))
    if rejet:
        detail = f"acte {row.get('acte')}" if rejet == "ACTE_INCONNU" else None
        motif = texte(row.get("motif")) or rejet
        return [etape(f"Ligne rejetée ({rejet}) : {motif}" + (f" — {detail}" if detail else ""), 0,
                      REJECTION_REFERENCES.get(rejet, "Lignes de soins : champs obligatoires et valeurs admises (src/secu/maladie/README.md)"))]
    return [*_base_steps(row), *_rate_steps(row), *_deduction_steps(row), *_payment_steps(row)]


def _base_steps(row: Mapping[str, Any]) -> list[Etape]:
    """What was billed, the tariff, the base de remboursement, the dépassement."""
    acte, coefficient = row.get("acte"), row.get("coefficient")
    coefficient_text = ""
    if coefficient is not None and Decimal(str(coefficient)) != 1:
        coefficient_text = f", coefficient {nombre(coefficient)}"
    steps = [
        etape(f"Montant facturé ({acte}, quantité {row.get('quantite')})", row.get("montant_cents"), "CSS L161-33 (feuille de soins : frais exposés)"),
        etape(f"Tarif de l'acte {acte}{coefficient_text} ({texte(row.get('tarif_statut')) or 'tarif'})",
              row.get("tarif_acte_cents"), row.get("reference_tarif")),
        etape("Base de remboursement (tarif × quantité, dans la limite des frais facturés)",
              row.get("base_remboursement_cents"), references(row.get("reference_tarif"), "CSS R160-22 (jamais plus que les frais exposés)")),
    ]
    if row.get("depassement_cents"):
        steps.append(etape("Dépassement d'honoraires : au-delà de la base, jamais remboursé par l'assurance maladie",
                           row.get("depassement_cents"), references(row.get("reference_tarif"), "CSS L160-13")))
    return steps


def _rate_steps(row: Mapping[str, Any]) -> list[Etape]:
    """Exonération, parcours de soins, the AMO's share and the ticket modérateur (actes lourds)."""
    steps: list[Etape] = []
    exoneration = texte(row.get("exoneration"))
    if exoneration:
        steps.append(etape(f"Exonération du ticket modérateur : {EXONERATIONS.get(exoneration, exoneration)}", None,
                           row.get("reference_exoneration")))
    if row.get("hors_parcours") and exoneration:
        # The decision of rules._taux: the majoration reaches the exonerated rate too (ALD, invalidité, C2S).
        steps.append(etape("Hors parcours de soins coordonné : la majoration diminue aussi le taux de l'exonération", None,
                           references(row.get("reference_parcours"), "CSS L162-5-3 (majoration de la participation de L160-13 I, dont L160-14 exonère)")))
    elif row.get("hors_parcours"):
        steps.append(etape("Hors parcours de soins coordonné : taux diminué de la majoration", None, row.get("reference_parcours")))
    taux = row.get("taux")
    steps.append(etape(f"Part de l'assurance maladie : {pourcent(taux) if taux is not None else '—'} de la base",
                       row.get("montant_amo_cents"), row.get("reference_taux")))
    if row.get("acte_lourd"):
        what = "séjour avec un acte lourd" if row.get("acte_lourd_pendant_sejour") else "actes lourds de la séance"
        steps.append(etape(f"Ticket modérateur limité au forfait des actes lourds ({what})", row.get("ticket_moderateur_cents"),
                           row.get("reference_acte_lourd")))
    else:
        steps.append(etape("Ticket modérateur (à la charge de l'assuré ou de sa complémentaire)", row.get("ticket_moderateur_cents"),
                           row.get("reference_taux")))
    return steps


def _deduction_steps(row: Mapping[str, Any]) -> list[Etape]:
    """Participation forfaitaire and franchise, as due and as deducted after the caps."""
    steps: list[Etape] = []
    for label, due_column, column, reference in (
        ("Participation forfaitaire déduite", "participation_forfaitaire_due_cents", "participation_forfaitaire_cents",
         "reference_participation_forfaitaire"),
        ("Franchise médicale déduite", "franchise_due_cents", "franchise_cents", "reference_franchise"),
    ):
        due, deducted = row.get(due_column) or 0, row.get(column) or 0
        if due or deducted:
            suffix = f" (due : {euros(due)}, réduite par le plafond journalier ou annuel)" if deducted != due else ""
            steps.append(etape(f"{label}{suffix}", deducted, row.get(reference)))
    return steps


def _payment_steps(row: Mapping[str, Any]) -> list[Etape]:
    """What is reimbursed, to whom, and what is recovered later."""
    steps = [etape("Remboursement de l'assurance maladie", row.get("rembourse_cents"), REMBOURSEMENT_REFERENCE)]
    if row.get("paye_a") == "professionnel":
        steps.append(etape("Versé au professionnel de santé (tiers payant)", row.get("verse_cents"),
                           "CSS L161-36-3 et suivants (tiers payant : dispense d'avance des frais)"))
    else:
        steps.append(etape("Versé à l'assuré", row.get("verse_cents"), REMBOURSEMENT_REFERENCE))
    if row.get("a_recuperer_cents"):
        steps.append(etape("Participation et franchise restant dues, récupérées sur des remboursements ultérieurs", row.get("a_recuperer_cents"),
                           references(row.get("reference_participation_forfaitaire"), row.get("reference_franchise")) or REMBOURSEMENT_REFERENCE))
    return steps


def as_text(row: Mapping[str, Any]) -> str:
    """The steps as lines of text (for a terminal or a décompte)."""
    return "\n".join(ligne(item) for item in explain(row))
