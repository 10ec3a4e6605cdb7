"""The story of one liquidated line, step by step, for people.

:func:`explain` turns ONE output row of :func:`secu.maladie.rules.liquidate`
into readable steps ``{"etape", "montant_cents", "reference"}``. It only
formats: every amount comes from a column of the row, every reference from a
``reference_*`` column (or, for a rejection, the rule that was not met). It
never recomputes an amount, so the explanation cannot disagree with the
decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from secu.core.money import format_eur

Step = dict[str, Any]

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


def _euros(cents: int | None) -> str:
    return format_eur(cents or 0)


def _percent(rate: object) -> str:
    value = Decimal(str(rate)) * 100
    text = format(value.normalize(), "f")
    return text.replace(".", ",") + "\u00a0%"


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _step(etape: str, montant: int | None, reference: object) -> Step:
    return {"etape": etape, "montant_cents": montant, "reference": _text(reference)}


def explain(row: Mapping[str, Any]) -> list[Step]:
    """The steps of one output row of ``liquidate``: what was billed, the base, the rate, each deduction, what is paid."""
    rejet = _text(row.get("rejet"))
    if rejet:
        detail = f"acte {row.get('acte')}" if rejet == "ACTE_INCONNU" else None
        motif = _text(row.get("motif")) or rejet
        return [_step(f"Ligne rejetée ({rejet}) : {motif}" + (f" — {detail}" if detail else ""), 0,
                      REJECTION_REFERENCES.get(rejet, "Lignes de soins : champs obligatoires et valeurs admises (src/secu/maladie/README.md)"))]
    return [*_base_steps(row), *_rate_steps(row), *_deduction_steps(row), *_payment_steps(row)]


def _base_steps(row: Mapping[str, Any]) -> list[Step]:
    """What was billed, the tariff, the base de remboursement, the dépassement."""
    acte, coefficient = row.get("acte"), row.get("coefficient")
    coefficient_text = ""
    if coefficient is not None and Decimal(str(coefficient)) != 1:
        coefficient_text = f", coefficient {format(Decimal(str(coefficient)).normalize(), 'f').replace('.', ',')}"
    steps = [
        _step(f"Montant facturé ({acte}, quantité {row.get('quantite')})", row.get("montant_cents"), "CSS L161-33 (feuille de soins : frais exposés)"),
        _step(f"Tarif de l'acte {acte}{coefficient_text} ({_text(row.get('tarif_statut')) or 'tarif'})",
              row.get("tarif_acte_cents"), row.get("reference_tarif")),
        _step("Base de remboursement (tarif × quantité, dans la limite des frais facturés)",
              row.get("base_remboursement_cents"), _join(row.get("reference_tarif"), "CSS R160-22 (jamais plus que les frais exposés)")),
    ]
    if row.get("depassement_cents"):
        steps.append(_step("Dépassement d'honoraires : au-delà de la base, jamais remboursé par l'assurance maladie",
                           row.get("depassement_cents"), _join(row.get("reference_tarif"), "CSS L160-13")))
    return steps


def _rate_steps(row: Mapping[str, Any]) -> list[Step]:
    """Exonération, parcours de soins, the AMO's share and the ticket modérateur (actes lourds)."""
    steps = []
    exoneration = _text(row.get("exoneration"))
    if exoneration:
        steps.append(_step(f"Exonération du ticket modérateur : {EXONERATIONS.get(exoneration, exoneration)}", None,
                           row.get("reference_exoneration")))
    if row.get("hors_parcours") and exoneration:
        # The decision of rules._taux: the majoration reaches the exonerated rate too (ALD, invalidité, C2S).
        steps.append(_step("Hors parcours de soins coordonné : la majoration diminue aussi le taux de l'exonération", None,
                           _join(row.get("reference_parcours"), "CSS L162-5-3 (majoration de la participation de L160-13 I, dont L160-14 exonère)")))
    elif row.get("hors_parcours"):
        steps.append(_step("Hors parcours de soins coordonné : taux diminué de la majoration", None, row.get("reference_parcours")))
    taux = row.get("taux")
    steps.append(_step(f"Part de l'assurance maladie : {_percent(taux) if taux is not None else '—'} de la base",
                       row.get("montant_amo_cents"), row.get("reference_taux")))
    if row.get("acte_lourd"):
        what = "séjour avec un acte lourd" if row.get("acte_lourd_pendant_sejour") else "actes lourds de la séance"
        steps.append(_step(f"Ticket modérateur limité au forfait des actes lourds ({what})", row.get("ticket_moderateur_cents"),
                           row.get("reference_acte_lourd")))
    else:
        steps.append(_step("Ticket modérateur (à la charge de l'assuré ou de sa complémentaire)", row.get("ticket_moderateur_cents"),
                           row.get("reference_taux")))
    return steps


def _deduction_steps(row: Mapping[str, Any]) -> list[Step]:
    """Participation forfaitaire and franchise, as due and as deducted after the caps."""
    steps = []
    for label, due_column, column, reference in (
        ("Participation forfaitaire déduite", "participation_forfaitaire_due_cents", "participation_forfaitaire_cents",
         "reference_participation_forfaitaire"),
        ("Franchise médicale déduite", "franchise_due_cents", "franchise_cents", "reference_franchise"),
    ):
        due, deducted = row.get(due_column) or 0, row.get(column) or 0
        if due or deducted:
            suffix = f" (due : {_euros(due)}, réduite par le plafond journalier ou annuel)" if deducted != due else ""
            steps.append(_step(f"{label}{suffix}", deducted, row.get(reference)))
    return steps


def _payment_steps(row: Mapping[str, Any]) -> list[Step]:
    """What is reimbursed, to whom, and what is recovered later."""
    steps = [_step("Remboursement de l'assurance maladie", row.get("rembourse_cents"), REMBOURSEMENT_REFERENCE)]
    if row.get("paye_a") == "professionnel":
        steps.append(_step("Versé au professionnel de santé (tiers payant)", row.get("verse_cents"),
                           "CSS L161-36-3 et suivants (tiers payant : dispense d'avance des frais)"))
    else:
        steps.append(_step("Versé à l'assuré", row.get("verse_cents"), REMBOURSEMENT_REFERENCE))
    if row.get("a_recuperer_cents"):
        steps.append(_step("Participation et franchise restant dues, récupérées sur des remboursements ultérieurs", row.get("a_recuperer_cents"),
                           _join(row.get("reference_participation_forfaitaire"), row.get("reference_franchise")) or REMBOURSEMENT_REFERENCE))
    return steps


def _join(*parts: object) -> str | None:
    texts = [str(p) for p in parts if p]
    return " ; ".join(texts) if texts else None


def as_text(row: Mapping[str, Any]) -> str:
    """The steps as lines of text (for a terminal or a décompte)."""
    lines = []
    for item in explain(row):
        amount = "" if item["montant_cents"] is None else f" : {_euros(item['montant_cents'])}"
        reference = f" [{item['reference']}]" if item["reference"] else ""
        lines.append(f"- {item['etape']}{amount}{reference}")
    return "\n".join(lines)
