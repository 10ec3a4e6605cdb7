"""The lines of a lot's FSE as one frame, liquidated by one call of :func:`secu.maladie.rules.liquidate`.

Every line carries its patient's context (register, counters locked for the lot); ``ordre`` is the FSE's rank in
the lot and ``seance`` its number, so that the caps run over a patient's claims of the lot in (date, rank) order
from the stored counters — exactly as if the FSE had come one after the other — and the acts of one feuille form
one séance (CSS R160-16).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import polars as pl

from secu.core.money import to_cents
from secu.maladie.intake.loading import Contexte, Patient, franchise_kind
from secu.maladie.intake.schemas import FseIn
from secu.register.models import ProfessionnelSante


@dataclass
class Candidat:
    """An FSE that passed the checks before liquidation, with what its lines need."""

    index: int
    fse_in: FseIn
    empreinte: str
    soins_empreinte: str
    patient: Patient
    organisme_code: str
    contexte: Contexte


SCHEMA = {"coefficient": pl.Decimal(38, 9), "base_unitaire_cents": pl.Int64, "situation_parcours": pl.String, "specialite": pl.String,
          "sexe": pl.String}


def frame(candidats: list[Candidat], pro: ProfessionnelSante, counters: dict[tuple[int, int], tuple[int, int]],
          borne: dict[tuple[int, Any], tuple[int, dict[str | None, int]]]) -> pl.DataFrame:
    """One row per line of every candidate, in lot order."""
    rows = []
    for candidat in candidats:
        fse_in, patient, contexte = candidat.fse_in, candidat.patient, candidat.contexte
        day = fse_in.date_soins
        pf_year, franchise_year = counters[patient.id, day.year]
        pf_acts_today, franchise_today = borne[patient.id, day]
        mt = contexte.medecin_traitant_id
        for number, line in enumerate(fse_in.lignes, start=1):
            acte = line.acte.upper()
            rows.append({
                "numero": number,
                "ordre": candidat.index,
                "personne": patient.id,
                "date_naissance": patient.date_naissance,
                "sexe": patient.sexe,
                "date_soins": day,
                "professionnel": pro.rpps,
                "specialite": pro.specialite,
                "acte": acte,
                "quantite": line.quantite,
                "coefficient": line.coefficient,
                "montant_cents": to_cents(line.montant, field="montant"),
                "base_unitaire_cents": None if line.base_unitaire is None else to_cents(line.base_unitaire, field="base_unitaire"),
                # The parcours is decided by the rules (rules.parcours_de_soins) from what the register and the doctor say.
                "situation_parcours": fse_in.parcours,
                "profession": pro.profession,
                "medecin_traitant": mt is not None and mt == pro.id,
                "a_medecin_traitant": mt is not None,
                "ald": line.ald and contexte.ald,
                "maternite": fse_in.maternite,
                "atmp": fse_in.atmp,
                "invalidite": contexte.invalidite,
                "c2s": contexte.c2s,
                "tiers_payant": fse_in.tiers_payant,
                "acte_lourd_pendant_sejour": line.acte_lourd_pendant_sejour,
                "seance": fse_in.numero,  # a feuille de soins is one séance (CSS R160-16: acts of one session)
                "pf_annee_avant_cents": pf_year,
                "franchise_annee_avant_cents": franchise_year,
                "pf_jour_avant": pf_acts_today,
                "franchise_jour_avant_cents": franchise_today.get(franchise_kind(acte, day), 0),
            })
    return pl.DataFrame(rows, schema_overrides=SCHEMA)  # type: ignore[arg-type]


def liquidate(lines: pl.DataFrame) -> pl.DataFrame:
    from secu.maladie.rules import liquidate as rule

    return rule(lines)


def line_values(row: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """A liquidated line as the columns of ``ligne_fse`` (without its FSE), its explanation as JSON; and that
    explanation's steps, which the answer shows (rather than reading back the JSON just written)."""
    from secu.maladie.explication import explain

    steps = explain(row)
    return {
        "numero": row["numero"],
        "acte": row["acte"],
        "quantite": row["quantite"],
        "coefficient": str(row["coefficient"]),
        "montant_cents": row["montant_cents"],
        "base_remboursement_cents": row["base_remboursement_cents"],
        "depassement_cents": row["depassement_cents"],
        "taux": None if row["taux"] is None else str(row["taux"]),
        "exoneration": row["exoneration"],
        "montant_amo_cents": row["montant_amo_cents"],
        "ticket_moderateur_cents": row["ticket_moderateur_cents"],
        "participation_forfaitaire_cents": row["participation_forfaitaire_cents"],
        "franchise_cents": row["franchise_cents"],
        "rembourse_cents": row["rembourse_cents"],
        "verse_cents": row["verse_cents"],
        "a_recuperer_cents": row["a_recuperer_cents"],
        "paye_a": row["paye_a"],
        "rejet": row.get("rejet"),
        "motif": row.get("motif"),
        "explication": json.dumps(steps, ensure_ascii=False, default=str),
    }, steps
