"""The réversions, allocations veuvage and ASPA in the caisse's monthly run (issue 14 §4): the second source of rows.

:mod:`secu.retraite.paiement` runs the caisse's échéance; once its pensions de droit propre are all paid, its chunks
come here (:func:`payer_lot`), and its SEPA file and bilan add what these rows paid (:func:`virements`, :func:`compter`).
Same terme échu, same arrears since the date d'effet, same end once the beneficiary's death is known (the months owed
to the end of the month of the death are the heirs' arrérages, not paid into the account),
one ``versement_solidarite`` per (benefit, month), unique. The amount of a month is that of the amount row in force
(:class:`MontantSolidarite`):

* **réversion**: revalued each 1 January after the row's month (L. 161-23-1, as the pensions), CSG, CRDS and CASA
  withheld by the pensions' one rule (:func:`secu.especes.rules.prelevements_pension`);
* **allocation veuvage**: the rule run for the month (:func:`secu.retraite.rules.veuvage.allocation_veuvage`: its amount
  in force, 0 outside the period — 2 years, or until 55); nothing withheld (the CRDS on it is not applied: not verified);
* **ASPA**: the rule run for the month (the ceilings and maximum in force: each 1 January's revaluation), nothing
  withheld, and booked as the FSV's: the caisse debits its receivable on the FSV (``creances.fsv.aspa``, the account the
  simulated year books it to: :data:`secu.retraite.comptes.GRAND_LIVRE`), the FSV (ledger branch ``fsv``) its charge
  (``charges.prestations.aspa``) against its debt to the caisse (``dettes.caisses_retraite``) — L. 135-2.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

import polars as pl
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from secu.core import ledger
from secu.core.dates import mois_decale as _mois_decale
from secu.core.explication import etape, euros, references
from secu.core.paiement import sans_attendre
from secu.core.sepa import Virement
from secu.especes.explication_invalidite import explain_prelevements
from secu.especes.rules import prelevements_pension
from secu.retraite.models_pension import CampagneRetraite
from secu.retraite.models_survivants import MontantSolidarite, PrestationSolidarite, VersementSolidarite
from secu.retraite.rules.aspa import aspa
from secu.retraite.rules.revalorisation import pension_en_service
from secu.retraite.rules.veuvage import REF_DUREE, allocation_veuvage

CHUNK = 200
FSV = "FSV"
"""The Fonds de solidarité vieillesse's organism code: its books (ledger branch ``fsv``) bear the ASPA (CSS L. 135-2)."""
COMPTE_FSV = "creances.fsv.aspa"
"""The caisse's receivable on the FSV: what it pays of the ASPA for the fund."""
COMPTES = {"reversion": "charges.prestations.vieillesse.droits_derives", "veuvage": "charges.prestations.vieillesse.veuvage"}
LIBELLES = {"reversion": "Pension de réversion", "veuvage": "Allocation veuvage", "aspa": "ASPA"}
REF_REVALORISATION = "CSS art. L. 161-23-1 et L. 161-25 (revalorisation au 1er janvier)"
REF_FSV = "CSS art. L. 135-2 (l'ASPA, prise en charge par le Fonds de solidarité vieillesse)"


def payer_lot(session: Session, run: CampagneRetraite) -> int:
    """Claim and pay one chunk of the caisse's benefits in service in the run's month; how many were claimed."""
    from secu.retraite.paiement import _deces, fin_du_mois

    done = select(VersementSolidarite.prestation_id).where(VersementSolidarite.mois == run.mois)
    query = (select(PrestationSolidarite).where(
        PrestationSolidarite.organisme_code == run.organisme_code, PrestationSolidarite.date_effet <= run.mois,
        or_(PrestationSolidarite.date_fin.is_(None), PrestationSolidarite.date_fin > run.mois), PrestationSolidarite.id.not_in(done),
    ).order_by(PrestationSolidarite.id).limit(CHUNK))
    prestations = list(session.scalars(sans_attendre(session, query)))
    if not prestations:
        return 0
    ids = [p.id for p in prestations]
    deces = _deces(session, {p.personne_id for p in prestations})
    payes: dict[int, set[date]] = defaultdict(set)
    for pid, mois in session.execute(select(VersementSolidarite.prestation_id, VersementSolidarite.mois).where(VersementSolidarite.prestation_id.in_(ids))):
        payes[pid].add(mois)
    montants: dict[int, list[MontantSolidarite]] = defaultdict(list)
    for m in session.scalars(select(MontantSolidarite).where(MontantSolidarite.prestation_id.in_(ids)).order_by(MontantSolidarite.a_compter_du)):
        montants[m.prestation_id].append(m)
    dus: list[tuple[PrestationSolidarite, date, MontantSolidarite]] = []
    for prestation in prestations:
        dernier = run.mois
        mort = deces.get(prestation.personne_id)
        if mort is not None and mort <= fin_du_mois(run.mois):
            # As the pensions de droit propre: once the death is known nothing more goes into the account (what was owed to the end
            # of the month of the death is the heirs'); date_fin, the first month not paid, is then at the latest the run's month.
            prestation.date_fin = min(_mois_decale(mort.replace(day=1), 1), run.mois)
            continue
        if prestation.date_fin is not None:
            dernier = min(dernier, _mois_decale(prestation.date_fin, -1))
        mois = prestation.date_effet
        while mois <= dernier:
            if mois not in payes[prestation.id]:
                dus.append((prestation, mois, [m for m in montants[prestation.id] if m.a_compter_du <= mois][-1]))
            mois = _mois_decale(mois, 1)
    if dus:
        _payer(session, run, dus)
    return len(prestations)


def _bruts(dus: list[tuple[PrestationSolidarite, date, MontantSolidarite]]) -> list[tuple[int, str]]:
    """Each month's gross and what it is, one rule call per nature."""
    out: list[tuple[int, str] | None] = [None] * len(dus)
    reversions = [i for i, (p, _, _) in enumerate(dus) if p.nature == "reversion"]
    if reversions:
        frame = pension_en_service(pl.DataFrame(
            {"date_effet": [dus[i][2].a_compter_du for i in reversions], "mois": [dus[i][1] for i in reversions],
             "pension_mensuelle": [dus[i][2].montant_mensuel_cents for i in reversions]},
            schema={"date_effet": pl.Date, "mois": pl.Date, "pension_mensuelle": pl.Int64}))
        for i, brut, texte in zip(reversions, frame.get_column("pension_mensuelle_revalorisee"), frame.get_column("revalorisation_reference"), strict=True):
            revalorisee = ", revalorisée" if brut != dus[i][2].montant_mensuel_cents else ""
            out[i] = (int(brut), f"Pension de réversion de {dus[i][1]:%m/%Y} ({euros(dus[i][2].montant_mensuel_cents)} au "
                                 f"{dus[i][2].a_compter_du:%d/%m/%Y}{revalorisee}) — {references(REF_REVALORISATION, texte)}")
    for nature, colonne, cle in (("veuvage", "allocation_mensuelle", "mois"), ("aspa", "aspa_mensuelle_allocataire", "date_effet")):
        index = [i for i, (p, _, _) in enumerate(dus) if p.nature == nature]
        if not index:
            continue
        rows = []
        for i in index:
            prestation, mois, montant = dus[i]
            row = json.loads(prestation.entree) | json.loads(montant.ressources) | {cle: mois.isoformat()}
            rows.append({k: v for k, v in row.items() if v is not None})
        frame = pl.DataFrame(rows, infer_schema_length=None)
        for column in ("date_effet", "date_deces", "naissance", "mois", "naissance_conjoint", "debut_reprise"):
            if column in frame.columns:
                frame = frame.with_columns(pl.col(column).str.to_date())
        result = allocation_veuvage(frame) if nature == "veuvage" else aspa(frame)
        for i, brut in zip(index, result.get_column(colonne), strict=True):
            texte = REF_DUREE if nature == "veuvage" else REF_FSV
            out[i] = (int(brut), f"{LIBELLES[nature]} de {dus[i][1]:%m/%Y} (montant en vigueur ce mois, ressources déclarées au "
                                 f"{dus[i][2].a_compter_du:%d/%m/%Y}) — {texte}")
    return [o for o in out if o is not None]


def _payer(session: Session, run: CampagneRetraite, dus: list[tuple[PrestationSolidarite, date, MontantSolidarite]]) -> None:
    bruts = _bruts(dus)
    retenues = prelevements_pension(pl.DataFrame(
        {"ligne": list(range(len(dus))), "montant": [b for b, _ in bruts], "mois": [run.date_execution] * len(dus),
         "categorie_csg": [p.categorie_csg for p, _, _ in dus], "rfr": [p.rfr_cents for p, _, _ in dus],
         "parts": [None if p.parts is None else float(p.parts) for p, _, _ in dus]},
        schema={"ligne": pl.Int64, "montant": pl.Int64, "mois": pl.Date, "categorie_csg": pl.String, "rfr": pl.Int64, "parts": pl.Float64},
    )).sort("ligne")
    entries: list[ledger.NouvelleEcriture] = []
    code = run.organisme_code
    for (prestation, mois, _), (brut, libelle), retenue in zip(dus, bruts, retenues.iter_rows(named=True), strict=True):
        texte, _, reference = libelle.partition(" — ")
        if prestation.nature == "reversion":
            etapes = [etape(texte, brut, reference), *explain_prelevements(retenue)]
        else:
            etapes = [etape(texte, brut, reference), etape("Allocation non soumise à la CSG, à la CRDS ni à la CASA : net payé", retenue["net"])]
        session.add(VersementSolidarite(prestation_id=prestation.id, campagne_id=run.id, mois=mois, brut_cents=brut, csg_cents=retenue["csg"],
                                        crds_cents=retenue["crds"], casa_cents=retenue["casa"], net_cents=retenue["net"],
                                        explication=json.dumps(etapes, default=str, ensure_ascii=False)))
        if not brut:
            continue
        if prestation.nature == "aspa":
            lignes = [ledger.Ligne("retraite", code, COMPTE_FSV, brut, contrepartie=FSV),
                      ledger.Ligne("retraite", code, "tresorerie.virements_emis", -retenue["net"]),
                      ledger.Ligne("fsv", FSV, "charges.prestations.aspa", brut),
                      ledger.Ligne("fsv", FSV, "dettes.caisses_retraite", -brut, contrepartie=code)]
        else:
            lignes = [ledger.Ligne("retraite", code, COMPTES[prestation.nature], brut),
                      ledger.Ligne("retraite", code, "tresorerie.virements_emis", -retenue["net"])]
            for compte, montant, attributaire in (("dettes.attributaires.csg", retenue["csg"], "URSSAF"),
                                                  ("dettes.attributaires.cades", retenue["crds"], "CADES"),
                                                  ("dettes.attributaires.cnsa", retenue["casa"], "CNSA")):
                if montant:
                    lignes.append(ledger.Ligne("retraite", code, compte, -montant, contrepartie=attributaire))
        entries.append(ledger.NouvelleEcriture(
            cle_idempotence=f"retraite:{prestation.nature}:{prestation.id}:{mois:%Y-%m}", date_operation=run.date_execution,
            libelle=f"{LIBELLES[prestation.nature]} {mois:%m/%Y} (prestation {prestation.id})", document_source=f"campagne retraite {run.id}",
            lignes=tuple(lignes)))
    session.flush()
    ledger.post_many(session, entries)


def virements(session: Session, run: CampagneRetraite) -> list[Virement]:
    """One transfer per benefit the run paid: the net of its months."""
    rows = session.execute(
        select(PrestationSolidarite, func.sum(VersementSolidarite.net_cents))
        .join(VersementSolidarite, VersementSolidarite.prestation_id == PrestationSolidarite.id)
        .where(VersementSolidarite.campagne_id == run.id).group_by(PrestationSolidarite.id)
        .having(func.sum(VersementSolidarite.net_cents) > 0).order_by(PrestationSolidarite.id)
    ).all()
    return [Virement(p.titulaire, p.iban, p.bic, int(net), f"{LIBELLES[p.nature]} {run.mois:%m/%Y} {run.organisme_code} prestation {p.id}")
            for p, net in rows]


def compter(session: Session, run: CampagneRetraite) -> tuple[int, int]:
    """The benefits the run paid and the months."""
    prestations, lignes = session.execute(select(func.count(func.distinct(VersementSolidarite.prestation_id)), func.count(VersementSolidarite.id))
                                          .where(VersementSolidarite.campagne_id == run.id)).one()
    return int(prestations), int(lignes)


__all__ = ["COMPTES", "COMPTE_FSV", "FSV", "compter", "payer_lot", "virements"]
