"""The monthly payment run of a caisse retraite's pensions de droit propre (issue 14 §3, §4).

Pensions are paid monthly, at terme échu: month M is paid on the 9th of M+1 (CSS art. R. 355-2: payable monthly, at terme échu, on the dates an arrêté sets;
the day is the parameter ``pension_paiement.jour``, moved to the working day before when the 9th is not one, as
the Assurance retraite's calendar does). A run is keyed by (caisse, échéance) and pays month M:

* every pension of the caisse in service in M (date d'effet by M, not ended) that has no payment for M yet is
  claimed in chunks; for each, every month owed and not yet paid since its date d'effet is paid — so the first
  payment carries the arrears since the date d'effet, and a pension granted after a run simply joins the next;
* each month's gross is the pension at the date d'effet revalued each 1 January
  (:func:`secu.retraite.rules.revalorisation.pension_en_service`, CSS art. L. 161-23-1, L. 161-25); the CSG, the
  CRDS and the CASA are withheld by the one rule of pensions' withholdings,
  :func:`secu.especes.rules.prelevements_pension` (the pension's CSG category, or its RFR of N-2 and parts, else
  the taux normal), at the rates in force on the payment day, since they are withheld when the pension is paid;
* once the pensioner's death is known (by the end of M), the pension ends with the month of the death and the run
  pays nothing more into his account: the months owed up to the end of that month, unpaid, are the arrérages dus au
  décès, paid to the heirs on proof of their right (the ministry's answer to a written question, 2012, citing
  CSS art. D. 254-6 — not re-read; not built: no claim of the heirs yet);
* one ``versement_retraite`` row per (pension, month), unique: a crash, a second call or a second caller pays
  nothing twice; chunks commit one by one with their ledger entries, so a run cut off resumes where it stopped;
* the run is the house's one skeleton (:func:`secu.core.paiement.executer`): it holds its caisse's claim from its
  first chunk to its SEPA file, which is built from exactly the rows the run recorded (one transfer per pension:
  the net of its months); a second call meanwhile answers « déjà en cours », or the finished run's bilan.

Ledger (branch ``retraite``, the caisse's books), per month paid: ``charges.prestations.vieillesse.droit_propre``
debited of the gross, ``tresorerie.virements_emis`` credited of the net, the withholdings credited to their
attributaires: ``dettes.attributaires.csg`` (URSSAF), ``dettes.attributaires.cades`` (CRDS), ``dettes.attributaires.cnsa``
(CASA).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from secu.core import ledger
from secu.core.dates import is_jour_ouvre
from secu.core.dates import mois_decale as _mois_decale
from secu.core.errors import InvalidField, NotFound
from secu.core.explication import etape, euros, references
from secu.core.paiement import Campagne, Fichier, executer, sans_attendre
from secu.core.parameters import parameters
from secu.core.sepa import Virement, fichier_virements
from secu.especes.explication_invalidite import explain_prelevements
from secu.especes.rules import prelevements_pension
from secu.organismes import compte_payeur, get_organisme
from secu.register.models import Personne
from secu.retraite.models_pension import CampagneRetraite, PensionRetraite, VersementRetraite
from secu.retraite.rules.revalorisation import pension_en_service

CHUNK = 200
JOUR = "pension_paiement.jour"
COMPTE_CHARGE = "charges.prestations.vieillesse.droit_propre"
"""The retraite branch's charge for the pensions de droit propre."""
REF_REVALORISATION = "CSS art. L. 161-23-1 et L. 161-25 (revalorisation des pensions au 1er janvier)"


@dataclass(frozen=True)
class Bilan:
    campagne_id: int
    organisme_code: str
    echeance: date
    mois: date
    date_execution: date
    pensions: int
    mois_payes: int
    virements: int
    total_cents: int
    fichier_sepa: str
    prestations: int = 0  # réversions, allocations veuvage, ASPA (paiement_solidarite)
    mois_prestations: int = 0


def fin_du_mois(mois: date) -> date:
    return _mois_decale(mois, 1) - timedelta(days=1)


def echeance_du_mois(mois: date) -> date:
    """The échéance of month ``mois``: the ``pension_paiement.jour`` (the 9th) of the month after (terme échu)."""
    suivant = _mois_decale(mois.replace(day=1), 1)
    return suivant.replace(day=int(parameters().get(JOUR).at(suivant).number()))


def date_execution(echeance: date) -> date:
    """The échéance, or the last working day before it when it is not one (the Assurance retraite's calendar)."""
    jour = echeance
    while not is_jour_ouvre(jour):
        jour -= timedelta(days=1)
    return jour


def mois_de_l_echeance(echeance: date) -> date:
    """The month an échéance pays; refuses a day that is not the échéance's."""
    mois = _mois_decale(echeance.replace(day=1), -1)
    if echeance_du_mois(mois) != echeance:
        raise InvalidField("echeance", f"l'échéance est le {echeance_du_mois(mois).day} du mois suivant le mois payé (terme échu, CSS art. R. 355-2)")
    return mois


def _deces(session: Session, personne_ids: set[int]) -> dict[int, date]:
    from secu.especes.deces import DecesAssure

    found = {pid: d for pid, d in session.execute(select(Personne.id, Personne.date_deces).where(Personne.id.in_(personne_ids))) if d is not None}
    for pid, d in session.execute(select(DecesAssure.personne_id, DecesAssure.date_deces).where(DecesAssure.personne_id.in_(personne_ids))):
        found[pid] = min(d, found.get(pid, d))
    return found


def _en_service(organisme_code: str, mois: date):  # type: ignore[no-untyped-def]
    return select(PensionRetraite).where(
        PensionRetraite.organisme_code == organisme_code,
        PensionRetraite.date_effet <= mois,
        or_(PensionRetraite.date_fin.is_(None), PensionRetraite.date_fin > mois),
        PensionRetraite.paiement_arrete_le.is_(None),
    )


def _pay_chunk(session: Session, run: CampagneRetraite) -> int:
    """One chunk: the pensions de droit propre first, then the survivors' and minimum benefits (the second source)."""
    from secu.retraite import paiement_solidarite

    return _pay_chunk_droit_propre(session, run) or paiement_solidarite.payer_lot(session, run)


def _pay_chunk_droit_propre(session: Session, run: CampagneRetraite) -> int:
    done = select(VersementRetraite.pension_id).where(VersementRetraite.mois == run.mois)
    query = _en_service(run.organisme_code, run.mois).where(PensionRetraite.id.not_in(done)).order_by(PensionRetraite.id).limit(CHUNK)
    pensions = list(session.scalars(sans_attendre(session, query)))
    if not pensions:
        return 0
    deces = _deces(session, {p.personne_id for p in pensions})
    payes: dict[int, set[date]] = defaultdict(set)
    deja = select(VersementRetraite.pension_id, VersementRetraite.mois).where(VersementRetraite.pension_id.in_([p.id for p in pensions]))
    for pid, mois in session.execute(deja):
        payes[pid].add(mois)
    dus: list[tuple[PensionRetraite, date]] = []
    for pension in pensions:
        mort = deces.get(pension.personne_id)
        if mort is not None and mort <= fin_du_mois(run.mois):
            pension.date_fin = _mois_decale(mort.replace(day=1), 1)  # owed to the end of the month of death, to the heirs
            pension.paiement_arrete_le = run.date_execution
            continue
        mois = pension.date_effet.replace(day=1)
        while mois <= run.mois:
            if mois not in payes[pension.id]:
                dus.append((pension, mois))
            mois = _mois_decale(mois, 1)
    if dus:
        _pay(session, run, dus)
    return len(pensions)


def _pay(session: Session, run: CampagneRetraite, dus: list[tuple[PensionRetraite, date]]) -> None:
    frame = pl.DataFrame(
        {
            "ligne": list(range(len(dus))),
            "date_effet": [p.date_effet for p, _ in dus],
            "mois": [m for _, m in dus],
            "pension_mensuelle": [p.pension_mensuelle_cents for p, _ in dus],
        },
        schema={"ligne": pl.Int64, "date_effet": pl.Date, "mois": pl.Date, "pension_mensuelle": pl.Int64},
    )
    revalorisees = pension_en_service(frame).sort("ligne")
    bruts = revalorisees.get_column("pension_mensuelle_revalorisee").to_list()
    textes = revalorisees.get_column("revalorisation_reference").to_list()
    retenues = prelevements_pension(
        pl.DataFrame(
            {
                "ligne": list(range(len(dus))),
                "montant": bruts,
                "mois": [run.date_execution] * len(dus),  # withheld when paid: the rates and RFR of the payment day
                "categorie_csg": [p.categorie_csg for p, _ in dus],
                "rfr": [p.rfr_cents for p, _ in dus],
                "parts": [None if p.parts is None else float(p.parts) for p, _ in dus],
            },
            schema={"ligne": pl.Int64, "montant": pl.Int64, "mois": pl.Date, "categorie_csg": pl.String, "rfr": pl.Int64, "parts": pl.Float64},
        )
    ).sort("ligne")
    entries: list[ledger.NouvelleEcriture] = []
    for (pension, mois), brut, texte, retenue in zip(dus, bruts, textes, retenues.iter_rows(named=True), strict=True):
        liquidee = f"{euros(pension.pension_mensuelle_cents)} au {pension.date_effet:%d/%m/%Y}"
        etapes = [
            etape(f"Pension brute de {mois:%m/%Y} (liquidée à {liquidee}{', revalorisée' if brut != pension.pension_mensuelle_cents else ''})",
                  brut, references(REF_REVALORISATION, texte)),
            *explain_prelevements(retenue),
        ]
        session.add(
            VersementRetraite(
                pension_id=pension.id,
                campagne_id=run.id,
                mois=mois,
                brut_cents=brut,
                csg_cents=retenue["csg"],
                crds_cents=retenue["crds"],
                casa_cents=retenue["casa"],
                net_cents=retenue["net"],
                explication=json.dumps(etapes, default=str),
            )
        )
        if brut:
            code = run.organisme_code
            lignes = [ledger.Ligne("retraite", code, COMPTE_CHARGE, brut), ledger.Ligne("retraite", code, "tresorerie.virements_emis", -retenue["net"])]
            for compte, montant, attributaire in (
                ("dettes.attributaires.csg", retenue["csg"], "URSSAF"),
                ("dettes.attributaires.cades", retenue["crds"], "CADES"),
                ("dettes.attributaires.cnsa", retenue["casa"], "CNSA"),
            ):
                if montant:
                    lignes.append(ledger.Ligne("retraite", code, compte, -montant, contrepartie=attributaire))
            entries.append(
                ledger.NouvelleEcriture(
                    cle_idempotence=f"retraite:versement:{pension.id}:{mois:%Y-%m}",
                    date_operation=run.date_execution,
                    libelle=f"Pension de vieillesse {mois:%m/%Y} (pension {pension.id})",
                    document_source=f"campagne retraite {run.id}",
                    lignes=tuple(lignes),
                )
            )
    session.flush()
    ledger.post_many(session, entries)


def _build_file(session: Session, run: CampagneRetraite) -> Fichier:
    rows = session.execute(
        select(PensionRetraite, func.sum(VersementRetraite.net_cents))
        .join(VersementRetraite, VersementRetraite.pension_id == PensionRetraite.id)
        .where(VersementRetraite.campagne_id == run.id)
        .group_by(PensionRetraite.id)
        .having(func.sum(VersementRetraite.net_cents) > 0)
        .order_by(PensionRetraite.id)
    ).all()
    from secu.retraite import paiement_solidarite

    virements = [
        Virement(pension.titulaire, pension.iban, pension.bic, int(net), f"Retraite {run.mois:%m/%Y} {run.organisme_code} pension {pension.id}")
        for pension, net in rows
    ] + paiement_solidarite.virements(session, run)
    xml = fichier_virements(compte_payeur(run.organisme_code), run.date_execution, f"RET{run.id:08d}", virements)
    return Fichier(xml, len(virements), sum(v.montant_cents for v in virements))


def run_payments(sessions: sessionmaker[Session], organisme_code: str, echeance: date, *, today: date | None = None) -> Bilan:
    """Pay a caisse's pensions at an échéance (the 9th of M+1 pays M), once. Safe to call again after a crash or success.

    Terme échu: month M is paid once it is over (the file may be prepared before the 9th, not before M ends)."""
    try:
        organisme = get_organisme(organisme_code)
    except NotFound as error:
        raise InvalidField("organisme_code", f"caisse inconnue : {organisme_code}") from error
    if "retraite" not in organisme.branches:
        raise InvalidField("organisme_code", f"{organisme_code} ne sert pas les pensions de retraite")
    mois = mois_de_l_echeance(echeance)
    if _mois_decale(mois, 1) > (today or date.today()):
        raise InvalidField("echeance", f"le mois de {mois:%m/%Y} n'est pas échu : sa pension se paie à terme échu (CSS art. R. 355-2)")
    return executer(sessions, _campagne(organisme_code, echeance))


def _campagne(organisme_code: str, echeance: date) -> Campagne[CampagneRetraite, Bilan]:
    return Campagne(
        modele=CampagneRetraite,
        cle=f"paiement:retraite:{organisme_code}",
        colonnes={"organisme_code": organisme_code, "echeance": echeance},
        a_la_creation={"mois": mois_de_l_echeance(echeance), "date_execution": date_execution(echeance)},
        lot=_pay_chunk,
        fichier=_build_file,
        bilan=_bilan,
        en_cours=f"le paiement des retraites de {organisme_code} est déjà en cours : relancer quand il sera terminé",
    )


def _bilan(session: Session, run: CampagneRetraite) -> Bilan:
    pensions, lignes = session.execute(
        select(func.count(func.distinct(VersementRetraite.pension_id)), func.count(VersementRetraite.id)).where(VersementRetraite.campagne_id == run.id)
    ).one()
    from secu.retraite import paiement_solidarite

    prestations, mois = paiement_solidarite.compter(session, run)
    return Bilan(
        run.id, run.organisme_code, run.echeance, run.mois, run.date_execution,
        int(pensions), int(lignes), run.virements, run.total_cents, run.fichier_sepa or "", prestations, mois,
    )


__all__ = ["COMPTE_CHARGE", "Bilan", "date_execution", "echeance_du_mois", "mois_de_l_echeance", "run_payments"]
