"""The monthly payment run of a CAF: rights of month M paid at the start of M+1, rappels, indus and their recovery.

Family benefits are paid monthly, in arrears (CSS R553-1), on the 5th (the
parameter ``pf.paiement_jour``) of the month after the one they are due for,
or the nearest working day when the 5th is not one (arrêté du 29 juin 1994 as amended in 2021: a Saturday pays on the
Friday, a Sunday on the Monday; public holidays are not handled here).

A run is keyed by (CAF, month). For each dossier of the CAF it recomputes
every month from the opening of the dossier (at most 24 months back: the
action for payment is prescribed after two years, CSS L553-1) up to M, and
compares each (month, benefit) with what was already settled for it:

* month M never settled: the instalment (échéance);
* an earlier month now worth more: a rappel, paid with this run;
* an earlier month now worth less: an indu (negative line), recovered by
  deductions on this and later payments, never more a month than the
  barème of CSS D553-1 allows on the household's resources and family
  composition (CSS L553-2; the limit is ``rules.plafond_retenue``; one
  deduction for all indus, oldest first, the smallest first among the same
  date, D553-4).

One run of a CAF at a time: the run holds the CAF's claim (:mod:`secu.core.paiement`)
while it works, and a second call answers "déjà en cours" (or the month's result once
it is over). Dossiers are claimed in chunks, each in its own transaction with its ledger
entries, so a run cut off halfway resumes where it stopped; a closed run
returns its result and pays nothing again. A dossier without an IBAN waits:
its months are settled, as rappels, by the first run after the IBAN is known.

Ledger (branch famille, the CAF's books): each benefit's gross is a charge
``charges.prestations.<benefit>`` (the AAH, financed by the State, is a claim
``creances.etat.aah``), the CRDS withheld is owed to the CADES
(``dettes.attributaires.cades``), the net is owed to the allocataire
(``dettes.allocataires``); an indu turns into ``creances.allocataires.indus``.
The payment settles ``dettes.allocataires`` by transfer
(``tresorerie.virements_emis``) and by deduction of the indus.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from secu.core import ledger
from secu.core.dates import mois_decale
from secu.core.errors import InvalidField
from secu.core.paiement import Campagne, Fichier, executer, sans_attendre
from secu.core.parameters import parameters
from secu.core.sepa import Virement, fichier_virements
from secu.famille import rules, service
from secu.famille.models import (
    CampagneFamille,
    DossierAllocataire,
    DroitFamille,
    InduFamille,
    LignePaiementFamille,
    PaiementFamille,
    RetenueIndu,
)
from secu.organismes import compte_payeur, get_organisme
from secu.register.models import Personne

CHUNK = 200
PRESCRIPTION = "pf.prescription_paiement_mois"
PAIEMENT_JOUR = "pf.paiement_jour"
"""CSS L553-1: the allocataire's action for payment is prescribed after two years (a dated parameter)."""


@dataclass(frozen=True)
class Bilan:
    campagne_id: int
    organisme_code: str
    mois: date
    date_execution: date
    dossiers: int
    virements: int
    total_cents: int
    rappels_cents: int
    indus_cents: int
    retenues_cents: int
    fichier_sepa: str


def payment_date(mois: date) -> date:
    """The day ``pf.paiement_jour`` (the 5th) of the next month, or the nearest working day (Saturday → Friday 4th,
    Sunday → Monday 6th)."""
    suivant = service.next_month(mois)
    fifth = suivant.replace(day=int(parameters().get(PAIEMENT_JOUR).at(suivant).number()))
    if fifth.weekday() == 5:
        return fifth - timedelta(days=1)
    if fifth.weekday() == 6:
        return fifth + timedelta(days=1)
    return fifth


# -- the run -----------------------------------------------------------------------------------------


def _claimable(organisme_code: str, campagne_id: int, mois: date):  # type: ignore[no-untyped-def]
    done = select(PaiementFamille.dossier_id).where(PaiementFamille.campagne_id == campagne_id)
    return (select(DossierAllocataire)
            .where(DossierAllocataire.organisme_code == organisme_code, DossierAllocataire.iban.is_not(None),
                   DossierAllocataire.date_debut < service.next_month(mois), DossierAllocataire.id.not_in(done))
            .order_by(DossierAllocataire.id))


def _settled(session: Session, dossier_id: int) -> dict[tuple[date, str], tuple[int, int, int]]:
    rows = session.execute(
        select(LignePaiementFamille.mois, LignePaiementFamille.prestation, func.sum(LignePaiementFamille.brut_cents),
               func.sum(LignePaiementFamille.crds_cents), func.sum(LignePaiementFamille.net_cents))
        .where(LignePaiementFamille.dossier_id == dossier_id)
        .group_by(LignePaiementFamille.mois, LignePaiementFamille.prestation)
    ).all()
    return {(m, p): (int(b), int(c), int(n)) for m, p, b, c, n in rows}


def _store_rights(session: Session, dossier: DossierAllocataire, rights: dict[date, list[service.Droit]]) -> None:
    import json

    from secu.core.explication import etape

    stored = select(DroitFamille).where(DroitFamille.dossier_id == dossier.id, DroitFamille.mois.in_(list(rights)))
    existing = {(d.mois, d.prestation): d for d in session.scalars(stored)}
    seen = set()
    for month, droits in rights.items():
        for d in droits:
            key = (month, d.prestation)
            seen.add(key)
            row = existing.get(key)
            text = json.dumps(d.explication, default=str, ensure_ascii=False)
            if row is None:
                session.add(DroitFamille(dossier_id=dossier.id, mois=month, prestation=d.prestation, brut_cents=d.brut_cents,
                                         crds_cents=d.crds_cents, net_cents=d.net_cents, explication=text))
            elif (row.brut_cents, row.crds_cents, row.net_cents, row.explication) != (d.brut_cents, d.crds_cents, d.net_cents, text):
                row.brut_cents, row.crds_cents, row.net_cents, row.explication = d.brut_cents, d.crds_cents, d.net_cents, text
    for key, row in existing.items():  # a right that no longer exists is worth zero
        if key not in seen and (row.brut_cents or row.net_cents):
            row.brut_cents = row.crds_cents = row.net_cents = 0
            row.explication = json.dumps([etape("plus de droit ce mois-là après recalcul", 0, "CSS R552-2")], ensure_ascii=False)


def _pay_dossier(session: Session, run: CampagneFamille, dossier: DossierAllocataire) -> PaiementFamille:
    prescription = int(parameters().get(PRESCRIPTION).at(run.mois).number())
    first = max(service.first_of_month(dossier.date_debut), _months_back(run.mois, prescription - 1))
    months = service.month_range(first, run.mois)
    rights, used = service.compute_rights(session, dossier, months)
    _store_rights(session, dossier, rights)
    settled = _settled(session, dossier.id)
    due: dict[tuple[date, str], tuple[int, int, int]] = {}
    for month, droits in rights.items():
        for d in droits:
            due[(month, d.prestation)] = (d.brut_cents, d.crds_cents, d.net_cents)
    lines: list[LignePaiementFamille] = []
    for key in sorted(set(due) | {k for k in settled if k[0] >= first}):
        b, c, n = due.get(key, (0, 0, 0))
        pb, pc, pn = settled.get(key, (0, 0, 0))
        diff = (b - pb, c - pc, n - pn)
        if diff == (0, 0, 0):
            continue
        month, prestation = key
        nature = "indu" if diff[2] < 0 else ("echeance" if month == run.mois else "rappel")
        lines.append(LignePaiementFamille(dossier_id=dossier.id, mois=month, prestation=prestation, nature=nature,
                                          brut_cents=diff[0], crds_cents=diff[1], net_cents=diff[2]))
    du = sum(line.net_cents for line in lines if line.net_cents > 0)
    payee = session.get(Personne, dossier.allocataire_id)
    assert payee is not None
    paiement = PaiementFamille(campagne_id=run.id, dossier_id=dossier.id, du_cents=du, retenue_cents=0, vire_cents=du,
                               iban=dossier.iban, bic=dossier.bic, titulaire=f"{payee.prenoms} {payee.nom_usage or payee.nom_naissance}"[:140])
    session.add(paiement)
    session.flush()
    for line in lines:
        line.paiement_id = paiement.id
        session.add(line)
    session.flush()
    for line in lines:
        if line.net_cents < 0:
            session.add(InduFamille(dossier_id=dossier.id, ligne_id=line.id, mois=line.mois, prestation=line.prestation,
                                    montant_cents=-line.net_cents, recupere_cents=0, constate_le=run.date_execution))
    session.flush()
    _recover(session, run, dossier, paiement, rights.get(run.mois, []), used.get(run.mois, {}))
    _book(session, run, dossier, paiement, lines)
    return paiement


def _months_back(month: date, n: int) -> date:
    return mois_decale(month, -n)


def _recover(session: Session, run: CampagneFamille, dossier: DossierAllocataire, paiement: PaiementFamille,
             droits_du_mois: list[service.Droit], situation: dict[str, Any]) -> None:
    """Deduct the outstanding indus from this payment, oldest first, within the monthly limit (L553-2, D553-1, D553-4)."""
    indus = list(session.scalars(
        select(InduFamille).where(InduFamille.dossier_id == dossier.id, InduFamille.recupere_cents < InduFamille.montant_cents)
        .order_by(InduFamille.constate_le, InduFamille.montant_cents, InduFamille.id)
    ))
    if not indus or paiement.du_cents <= 0:
        return
    hors_retenue = rules.hors_retenue(run.mois)
    prestations = sum(d.brut_cents for d in droits_du_mois if d.prestation not in hors_retenue)
    known = any(r.get("origine") != "inconnue" for r in situation.get("ressources", []))
    limite = rules.plafond_retenue(pl.DataFrame(
        {"mois": [run.mois], "ressources_annuelles_cents": [situation.get("ressources_n2_cents", 0) if known else None],
         "prestations_cents": [prestations], "nb_adultes": [int(situation.get("nb_parents", 1))],
         "nb_enfants": [len(situation.get("enfants", []))]},
        schema_overrides={"ressources_annuelles_cents": pl.Int64},
    ))
    plafond = int(limite["plafond_retenue_cents"][0])
    budget = min(plafond, paiement.du_cents)
    paiement.retenue_plafond_cents = plafond
    taken = 0
    for indu in indus:
        if budget <= 0:
            break
        part = min(budget, indu.montant_cents - indu.recupere_cents)
        indu.recupere_cents += part
        session.add(RetenueIndu(indu_id=indu.id, paiement_id=paiement.id, montant_cents=part))
        budget -= part
        taken += part
    paiement.retenue_cents = taken
    paiement.vire_cents = paiement.du_cents - taken


def _book(session: Session, run: CampagneFamille, dossier: DossierAllocataire, paiement: PaiementFamille, lines: list[LignePaiementFamille]) -> None:
    amounts: dict[str, int] = defaultdict(int)
    for line in lines:
        charge = "creances.etat.aah" if line.prestation == "aah" else f"charges.prestations.{line.prestation}"
        amounts[charge] += line.brut_cents
        amounts["dettes.attributaires.cades"] -= line.crds_cents
        if line.net_cents > 0:
            amounts["dettes.allocataires"] -= line.net_cents
        else:
            amounts["creances.allocataires.indus"] -= line.net_cents
    amounts["dettes.allocataires"] += paiement.du_cents
    amounts["tresorerie.virements_emis"] -= paiement.vire_cents
    amounts["creances.allocataires.indus"] -= paiement.retenue_cents
    lignes = tuple(
        ledger.Ligne("famille", run.organisme_code, compte, montant, contrepartie="CADES" if compte.endswith("cades") else None)
        for compte, montant in sorted(amounts.items()) if montant
    )
    if len(lignes) < 2:
        return
    ledger.post(session, ledger.NouvelleEcriture(
        cle_idempotence=f"famille:paiement:{run.id}:{dossier.id}",
        date_operation=run.date_execution,
        libelle=f"Prestations familiales de {run.mois:%m/%Y} (dossier {dossier.id})",
        document_source=f"campagne famille {run.id}",
        lignes=lignes,
    ))


def _claim_chunk(session: Session, run: CampagneFamille) -> int:
    dossiers = list(session.scalars(sans_attendre(session, _claimable(run.organisme_code, run.id, run.mois).limit(CHUNK))))
    for dossier in dossiers:
        _pay_dossier(session, run, dossier)
    return len(dossiers)


def _build_file(session: Session, run: CampagneFamille) -> Fichier:
    paiements = list(session.scalars(select(PaiementFamille).where(PaiementFamille.campagne_id == run.id, PaiementFamille.vire_cents > 0)
                                     .order_by(PaiementFamille.dossier_id)))
    virements = [Virement(p.titulaire or "allocataire", p.iban, p.bic, p.vire_cents,
                          f"Prestations familiales {run.mois:%m/%Y} {run.organisme_code} dossier {p.dossier_id}") for p in paiements]
    xml = fichier_virements(compte_payeur(run.organisme_code), run.date_execution, f"CAF{run.id:08d}", virements)
    return Fichier(xml, len(paiements), sum(p.vire_cents for p in paiements))


def run_payments(sessions: sessionmaker[Session], organisme_code: str, mois: date, *, date_execution: date | None = None) -> Bilan:
    """Pay a CAF's rights of a month, once. Safe to call again after a crash or after success."""
    if not organisme_code:
        raise InvalidField("organisme_code", "la CAF est obligatoire")
    if get_organisme(organisme_code).type not in ("CAF", "CCSS", "CSSM"):
        raise InvalidField("organisme_code", f"{organisme_code} ne sert pas les prestations familiales")
    mois = service.first_of_month(mois)
    return executer(sessions, _campagne(organisme_code, mois, date_execution or payment_date(mois)))


def _campagne(organisme_code: str, mois: date, date_execution: date) -> Campagne[CampagneFamille, Bilan]:
    # One run of a CAF at a time (any month: two runs would settle the same months and deduct the same indus twice),
    # holding the CAF's claim from its first dossier to its file: the file pays exactly what the run recorded.
    return Campagne(
        modele=CampagneFamille,
        cle=f"paiement:famille:{organisme_code}",
        colonnes={"organisme_code": organisme_code, "mois": mois},
        a_la_creation={"date_execution": date_execution},
        lot=_claim_chunk,
        fichier=_build_file,
        bilan=_bilan,
        en_cours=f"une campagne de paiement de la CAF {organisme_code} est déjà en cours : relancer quand elle sera terminée",
    )


def _bilan(session: Session, run: CampagneFamille) -> Bilan:
    ids = select(PaiementFamille.id).where(PaiementFamille.campagne_id == run.id)
    dossiers = session.scalar(select(func.count()).select_from(ids.subquery())) or 0

    def total(nature: str) -> int:
        return int(session.scalar(select(func.coalesce(func.sum(LignePaiementFamille.net_cents), 0))
                                  .where(LignePaiementFamille.paiement_id.in_(ids), LignePaiementFamille.nature == nature)) or 0)

    retenues = int(session.scalar(select(func.coalesce(func.sum(PaiementFamille.retenue_cents), 0)).where(PaiementFamille.campagne_id == run.id)) or 0)
    return Bilan(run.id, run.organisme_code, run.mois, run.date_execution, int(dossiers), run.virements, run.total_cents,
                 total("rappel"), -total("indu"), retenues, run.fichier_sepa or "")


def history(session: Session, dossier_id: int) -> list[dict[str, Any]]:
    """Every payment of a dossier: when, what it settled (instalment, rappels, indus), what was deducted and transferred."""
    rows = session.execute(select(PaiementFamille, CampagneFamille).join(CampagneFamille, CampagneFamille.id == PaiementFamille.campagne_id)
                           .where(PaiementFamille.dossier_id == dossier_id).order_by(CampagneFamille.mois, PaiementFamille.id)).all()
    out = []
    for paiement, run in rows:
        lines = session.scalars(select(LignePaiementFamille).where(LignePaiementFamille.paiement_id == paiement.id)
                                .order_by(LignePaiementFamille.mois, LignePaiementFamille.prestation)).all()
        out.append({
            "campagne_id": run.id, "mois": run.mois, "date_execution": run.date_execution, "du_cents": paiement.du_cents,
            "retenue_cents": paiement.retenue_cents, "retenue_plafond_cents": paiement.retenue_plafond_cents, "vire_cents": paiement.vire_cents,
            "lignes": [{"mois": ligne.mois, "prestation": ligne.prestation, "nature": ligne.nature, "brut_cents": ligne.brut_cents,
                        "crds_cents": ligne.crds_cents, "net_cents": ligne.net_cents} for ligne in lines],
        })
    return out


def indus_of(session: Session, dossier_id: int) -> list[dict[str, Any]]:
    return [
        {"id": i.id, "mois": i.mois, "prestation": i.prestation, "montant_cents": i.montant_cents, "recupere_cents": i.recupere_cents,
         "reste_cents": i.montant_cents - i.recupere_cents, "constate_le": i.constate_le}
        for i in session.scalars(select(InduFamille).where(InduFamille.dossier_id == dossier_id).order_by(InduFamille.constate_le, InduFamille.id))
    ]
