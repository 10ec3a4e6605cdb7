"""The monthly payment run of a CPAM's invalidity pensions (issue 13 §5, §7).

Pensions d'invalidité are paid monthly, in arrears: the run for month M pays M, by default on the first day
of M+1 (the caller gives another date of execution). A run is keyed by (caisse, month):

* every pension of the caisse in service in M (granted, date d'effet by the end of M, not ended) and not yet
  paid for M is computed in one frame — :func:`secu.especes.rules.pension_en_service` (the liquidation amount
  revalued each 1 April, the minimum, the MTP), then :func:`secu.especes.rules.cumul_invalidite` on the 12
  months from the 13th to the 2nd before M (the DSN pay secu holds, and the pensions it paid), R. 341-17;
* a pensioner who has reached the legal age before M is not paid: the pension ends on the conversion date and
  the hand-over record for the retraite branch (``conversion_retraite``: the date and the last pension) is
  written, once (L. 341-15); a pensioner dead before M is not paid and the pension ends;
* each payment is one ``versement_invalidite`` row, unique per (pension, month): a crash, a second call or a
  second caller pays nothing twice; pensions are claimed in chunks, each committed with its ledger entries,
  so a run cut off resumes where it stopped;
* the run holds its caisse's payment claim (:mod:`secu.core.paiement`) from its first chunk to its SEPA file,
  which is built from exactly the rows the run recorded (a second call meanwhile answers « déjà en cours »,
  or the month's result once it is over).

* the CSG, CRDS and CASA are withheld on the month's pension after the cumul
  (:func:`secu.especes.rules.prelevements_pension`: the rate of the pension's CSG category, or of its RFR of
  N-2 and parts, else the taux normal); the SEPA transfer is the net. The months of the year paid before the
  RFR was recorded are revised and the difference refunded or recovered with the payment
  (:mod:`secu.especes.regularisation`).

Ledger (branch maladie, the CPAM's books), per payment: ``charges.prestations.invalidite`` debited of the gross
pension (after the cumul), ``tresorerie.virements_emis`` credited of the net, and the withholdings owed to their
attributaires credited: ``dettes.attributaires.csg`` (the URSSAF, L. 136-8), ``dettes.attributaires.cades``
(the CRDS, ordonnance 96-50 art. 14) and ``dettes.attributaires.cnsa`` (the CASA, CASF L. 14-10-4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from secu.core import ledger
from secu.core.dates import mois_decale as _mois_decale
from secu.core.errors import InvalidField
from secu.core.paiement import Campagne, Fichier, executer, sans_attendre
from secu.core.sepa import Virement, fichier_virements
from secu.especes import regularisation, rules
from secu.especes.explication_invalidite import explain_cumul, explain_pension, explain_prelevements
from secu.especes.invalidite import (
    CampagneInvalidite,
    ConversionRetraite,
    PensionInvalidite,
    VersementInvalidite,
    en_service,
    fin_du_mois,
)
from secu.organismes import compte_payeur, get_organisme
from secu.register.models import Personne

CHUNK = 200
COMPTE_CHARGE = "charges.prestations.invalidite"
"""The maladie branch's charge for the pensions d'invalidité (the CNAM's risque invalidité)."""


@dataclass(frozen=True)
class Bilan:
    campagne_id: int
    organisme_code: str
    mois: date
    date_execution: date
    versements: int
    virements: int
    total_cents: int
    reductions_cents: int
    conversions: int
    fichier_sepa: str


def _references(session: Session, pensions: list[PensionInvalidite], mois: date) -> dict[int, tuple[int, int]]:
    """Per pension: (pensions paid, DSN pay) over the 13th to the 2nd month before ``mois`` (R. 341-17 II)."""
    from secu.recouvrement.models import DeclarationDsn, Remuneration

    debut, fin = _mois_decale(mois, -13), _mois_decale(mois, -2)
    ids = [p.id for p in pensions]
    personnes = {p.id: p.personne_id for p in pensions}
    verse = dict(
        session.execute(
            select(VersementInvalidite.pension_id, func.sum(VersementInvalidite.pension_cents))
            .where(VersementInvalidite.pension_id.in_(ids), VersementInvalidite.mois >= debut, VersementInvalidite.mois <= fin)
            .group_by(VersementInvalidite.pension_id)
        ).all()
    )
    revenus = dict(
        session.execute(
            select(Remuneration.personne_id, func.sum(Remuneration.brut_cents))
            .join(DeclarationDsn, DeclarationDsn.id == Remuneration.declaration_id)
            .where(
                Remuneration.personne_id.in_(set(personnes.values())),
                DeclarationDsn.remplacee_par_id.is_(None),
                Remuneration.mois >= debut,
                Remuneration.mois <= fin,
            )
            .group_by(Remuneration.personne_id)
        ).all()
    )
    return {pid: (int(verse.get(pid) or 0), int(revenus.get(personnes[pid]) or 0)) for pid in ids}


def _deces(session: Session, personne_ids: set[int]) -> dict[int, date]:
    from secu.especes.deces import DecesAssure

    found = {pid: d for pid, d in session.execute(select(Personne.id, Personne.date_deces).where(Personne.id.in_(personne_ids))) if d is not None}
    for pid, d in session.execute(select(DecesAssure.personne_id, DecesAssure.date_deces).where(DecesAssure.personne_id.in_(personne_ids))):
        found[pid] = min(d, found.get(pid, d))
    return found


def _pay_chunk(session: Session, run: CampagneInvalidite) -> int:
    mois = run.mois
    done = select(VersementInvalidite.pension_id).where(VersementInvalidite.mois == mois)
    query = en_service(run.organisme_code, mois).where(PensionInvalidite.id.not_in(done)).order_by(PensionInvalidite.id).limit(CHUNK)
    pensions = list(session.scalars(sans_attendre(session, query)))
    if not pensions:
        return 0
    naissances = dict(session.execute(select(Personne.id, Personne.date_naissance).where(Personne.id.in_({p.personne_id for p in pensions}))).all())
    deces = _deces(session, {p.personne_id for p in pensions})
    fins = rules.conversion_retraite(
        pl.DataFrame({"pension": [p.id for p in pensions], "date_naissance": [naissances[p.personne_id] for p in pensions], "mois": [mois] * len(pensions)})
    )
    fin = {row["pension"]: row for row in fins.iter_rows(named=True)}
    payables: list[PensionInvalidite] = []
    for pension in pensions:
        morte = deces.get(pension.personne_id)
        if morte is not None and morte < mois:
            pension.date_fin = min(pension.date_fin or morte + timedelta(days=1), morte + timedelta(days=1))
        elif not fin[pension.id]["en_service"]:
            _convertir(session, pension, fin[pension.id])
        else:
            payables.append(pension)
    if payables:
        _pay(session, run, payables)
    return len(pensions)


def _convertir(session: Session, pension: PensionInvalidite, row: dict[str, Any]) -> None:
    """The hand-over to the retraite branch (L. 341-15): once per pension, with the last pension paid."""
    pension.date_fin = row["date_conversion"]
    if session.scalar(select(ConversionRetraite.id).where(ConversionRetraite.pension_id == pension.id)) is not None:
        return
    derniere = session.scalar(
        select(VersementInvalidite.pension_cents).where(VersementInvalidite.pension_id == pension.id).order_by(VersementInvalidite.mois.desc()).limit(1)
    )
    session.add(
        ConversionRetraite(
            pension_id=pension.id,
            personne_id=pension.personne_id,
            date_conversion=row["date_conversion"],
            derniere_pension_cents=int(derniere or 0),
            reference=rules.REF_CONVERSION,
        )
    )


def _pay(session: Session, run: CampagneInvalidite, pensions: list[PensionInvalidite]) -> None:
    from secu.especes.invalidite import calculer

    rows = calculer(pensions, run.mois)
    references = _references(session, pensions, run.mois)
    cumul = rules.cumul_invalidite(
        pl.DataFrame(
            {
                "pension": [p.id for p in pensions],
                "mois": [run.mois] * len(pensions),
                "pension_mensuelle": [rows[p.id]["pension_mensuelle"] for p in pensions],
                "pensions_reference": [references[p.id][0] for p in pensions],
                "revenus_reference": [references[p.id][1] for p in pensions],
                "sam": [p.sam_cents for p in pensions],
                "salaire_annee_precedente": [p.salaire_annee_precedente_cents for p in pensions],
                "annee_precedente": [p.annee_precedente for p in pensions],
            }
        )
    )
    by_id = {p.id: p for p in pensions}
    ordre = [by_id[i] for i in cumul["pension"]]
    prelevements = rules.prelevements_pension(
        cumul.select(
            "pension",
            pl.col("pension_versee").alias("montant"),
            "mois",
            pl.Series("categorie_csg", [p.categorie_csg for p in ordre], dtype=pl.String),
            pl.Series("rfr", [p.rfr_cents for p in ordre], dtype=pl.Int64),
            pl.Series("parts", [None if p.parts is None else float(p.parts) for p in ordre], dtype=pl.Float64),
        )
    )
    retenues = {r["pension"]: r for r in prelevements.iter_rows(named=True)}
    regularisations = regularisation.regularisations(session, pensions, run.mois)  # the year's months paid before the RFR was known
    entries: list[ledger.NouvelleEcriture] = []
    for row in cumul.iter_rows(named=True):
        pension = by_id[row["pension"]]
        # a month paid nothing after the cumul books nothing: its regularisation waits for the next payment
        retenue, regularisee = regularisation.appliquer(retenues[pension.id], regularisations.get(pension.id) if row["pension_versee"] else None)
        etapes = explain_pension(rows[pension.id]) + explain_cumul(row) + explain_prelevements(retenues[pension.id]) + regularisee
        versement = VersementInvalidite(
            pension_id=pension.id,
            campagne_id=run.id,
            mois=run.mois,
            pension_cents=row["pension_mensuelle"],
            reduction_cents=row["reduction_mensuelle"],
            csg_cents=retenue["csg"],
            crds_cents=retenue["crds"],
            casa_cents=retenue["casa"],
            montant_cents=retenue["net"],
            explication=json.dumps(etapes, default=str),
        )
        session.add(versement)
        if row["pension_versee"]:
            code = run.organisme_code
            lignes = [
                ledger.Ligne("maladie", code, COMPTE_CHARGE, row["pension_versee"]),
                ledger.Ligne("maladie", code, "tresorerie.virements_emis", -retenue["net"]),
            ]
            for compte, montant, attributaire in (
                ("dettes.attributaires.csg", retenue["csg"], "URSSAF"),
                ("dettes.attributaires.cades", retenue["crds"], "CADES"),
                ("dettes.attributaires.cnsa", retenue["casa"], "CNSA"),
            ):
                if montant:
                    lignes.append(ledger.Ligne("maladie", code, compte, -montant, contrepartie=attributaire))
            entries.append(
                ledger.NouvelleEcriture(
                    cle_idempotence=f"invalidite:versement:{pension.id}:{run.mois:%Y-%m}",
                    date_operation=run.date_execution,
                    libelle=f"Pension d'invalidité {run.mois:%m/%Y} (pension {pension.id})",
                    document_source=f"campagne invalidité {run.id}",
                    lignes=tuple(lignes),
                ),
            )
    session.flush()
    ledger.post_many(session, entries)  # one query and two bulk inserts for the chunk, in its transaction


def _build_file(session: Session, run: CampagneInvalidite) -> Fichier:
    rows = session.execute(
        select(VersementInvalidite, PensionInvalidite)
        .join(PensionInvalidite, PensionInvalidite.id == VersementInvalidite.pension_id)
        .where(VersementInvalidite.campagne_id == run.id, VersementInvalidite.montant_cents > 0)
        .order_by(VersementInvalidite.pension_id)
    ).all()
    virements = [
        Virement(
            pension.titulaire or "pensionne",
            pension.iban,
            pension.bic,
            versement.montant_cents,
            f"Pension invalidite {run.mois:%m/%Y} {run.organisme_code} pension {pension.id}",
        )
        for versement, pension in rows
    ]
    xml = fichier_virements(compte_payeur(run.organisme_code), run.date_execution, f"INV{run.id:08d}", virements)
    return Fichier(xml, len(rows), sum(v.montant_cents for v, _ in rows))


def run_payments(sessions: sessionmaker[Session], organisme_code: str, mois: date, *, date_execution: date | None = None) -> Bilan:
    """Pay a CPAM's invalidity pensions of a month, once. Safe to call again after a crash or after success."""
    organisme = get_organisme(organisme_code)
    if "maladie" not in organisme.branches:
        raise InvalidField("organisme_code", f"{organisme_code} ne sert pas les pensions d'invalidité")
    mois = mois.replace(day=1)
    return executer(sessions, _campagne(organisme_code, mois, date_execution or _mois_decale(mois, 1)))


def _campagne(organisme_code: str, mois: date, date_execution: date) -> Campagne[CampagneInvalidite, Bilan]:
    return Campagne(
        modele=CampagneInvalidite,
        cle=f"paiement:invalidite:{organisme_code}",
        colonnes={"organisme_code": organisme_code, "mois": mois},
        a_la_creation={"date_execution": date_execution},
        lot=_pay_chunk,
        fichier=_build_file,
        bilan=_bilan,
        en_cours=f"une campagne de paiement des pensions d'invalidité de {organisme_code} est déjà en cours : relancer quand elle sera terminée",
    )


def _bilan(session: Session, run: CampagneInvalidite) -> Bilan:
    count, reductions = session.execute(
        select(func.count(VersementInvalidite.id), func.coalesce(func.sum(VersementInvalidite.reduction_cents), 0)).where(
            VersementInvalidite.campagne_id == run.id
        )
    ).one()
    conversions = session.scalar(
        select(func.count(ConversionRetraite.id))
        .join(PensionInvalidite, PensionInvalidite.id == ConversionRetraite.pension_id)
        .where(
            PensionInvalidite.organisme_code == run.organisme_code,
            ConversionRetraite.date_conversion <= fin_du_mois(run.mois),
            ConversionRetraite.date_conversion > _mois_decale(run.mois, -1),
        )
    )
    return Bilan(
        run.id,
        run.organisme_code,
        run.mois,
        run.date_execution,
        int(count),
        run.virements,
        run.total_cents,
        int(reductions),
        int(conversions or 0),
        run.fichier_sepa or "",
    )


__all__ = ["COMPTE_CHARGE", "Bilan", "run_payments"]
