"""Intake of feuilles de soins: check each one, liquidate it with the law of the date of care, store it.

A lot carries the FSE of one professional. Each FSE is taken or rejected on
its own (a savepoint each), so the good FSE of a lot are kept when others are
refused; a rejection carries a code and a French label. The same FSE sent
twice (same professional, same number, same content) is one claim: the second
sending returns the first result. The patient's yearly counters of
participations and franchises are locked and changed in the same transaction
as the claim, so concurrent lots can never carry a patient past a cap.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import polars as pl
from pydantic import ConfigDict, Field, ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from secu.acces import Permission, Portee, exiger, portee, refus
from secu.core import ledger
from secu.core.entree import Entree
from secu.core.errors import InvalidField, NotFound, SecuError
from secu.core.identifiers import parse_nir, validate_rpps
from secu.core.money import to_cents
from secu.core.parameters import parameters
from secu.core.security import Action, Caller, Ressource, journal
from secu.maladie.models import CompteurAnnuel, Fse, LigneFse, LotFse
from secu.register.attestation import attestation
from secu.register.models import Ald, MedecinTraitant, PeriodeC2S, Personne, ProfessionnelSante

# Rejection codes and their French labels.
REJETS = {
    "FORMAT": "feuille de soins mal formée",
    "NIR_INVALIDE": "NIR invalide",
    "PATIENT_INCONNU": "patient inconnu",
    "SANS_DROITS": "aucun droit ouvert à la date des soins",
    "ACTE_INCONNU": "acte inconnu",
    "DATE_FUTURE": "date des soins dans le futur",
    "DATE_PRESCRITE": "date des soins trop ancienne : l'action en paiement est prescrite (CSS L332-1)",
    "DOUBLON": "soins déjà facturés sous un autre numéro de feuille",
    "NUMERO_REUTILISE": "ce numéro de feuille a déjà servi pour d'autres soins",
    "PS_NON_CONVENTIONNE": "professionnel non conventionné",
    "LOT_MIXTE": "la feuille n'est pas du professionnel du lot",
    "TARIF": "acte non remboursable à cette date",
}


class LigneIn(Entree):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    acte: str = Field(min_length=1, max_length=12, description="code de l'acte (NGAP : G, APC, AMI, AMK, PH4…)")
    quantite: int = Field(default=1, ge=1, le=999)
    coefficient: Decimal = Field(default=Decimal(1), gt=0, le=100, description="coefficient de la lettre-clé (AMI 3.5…)")
    montant: Decimal = Field(ge=0, le=100_000, description="honoraires facturés, en euros")
    base_unitaire: Decimal | None = Field(default=None, ge=0, le=100_000, description="prix unitaire (pharmacie, LPP, transport)")
    ald: bool = Field(default=False, description="soins en rapport avec l'ALD (ordonnance bizone)")
    acte_lourd_pendant_sejour: bool = Field(
        default=False, description="séjour hospitalier (GHS) au cours duquel un acte lourd a été effectué (CSS R160-16)")


class FseIn(Entree):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    numero: str = Field(min_length=1, max_length=40)
    nir: str = Field(max_length=21)
    date_soins: date
    professionnel_rpps: str | None = Field(default=None, max_length=11)
    tiers_payant: bool = False
    parcours: Literal["medecin_traitant", "oriente", "urgence", "remplacement", "hors_residence", "acces_direct", "hors_parcours"] | None = Field(
        default=None, description="situation au regard du parcours de soins coordonné, telle que le médecin la déclare")
    maternite: bool = False
    atmp: bool = False
    lignes: list[LigneIn] = Field(min_length=1, max_length=99)


class LotIn(Entree):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    numero: str = Field(min_length=1, max_length=40)
    professionnel_rpps: str = Field(max_length=11)
    fse: list[dict[str, Any]] = Field(min_length=1, max_length=1000)

    champs_examines_ailleurs = frozenset({"fse"})  # each FSE meets FseIn alone: a bad one is rejected, not the lot


@dataclass
class Resultat:
    numero: str | None
    statut: Literal["liquidee", "rejetee"]
    code: str | None = None
    motif: str | None = None
    champ: str | None = None
    fse_id: int | None = None
    rembourse_cents: int = 0
    lignes: list[dict[str, Any]] = field(default_factory=list)


class Rejet(Exception):
    def __init__(self, code: str, detail: str | None = None, champ: str | None = None) -> None:
        super().__init__(code)
        self.code, self.champ = code, champ
        self.motif = REJETS[code] + (f" : {detail}" if detail else "")


def _fingerprint(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def receive_lot(session: Session, caller: Caller, data: LotIn, *, today: date) -> tuple[LotFse, list[Resultat]]:
    pro = _professional(session, data.professionnel_rpps)
    if portee(caller, Permission.TRANSMETTRE_FSE) is Portee.LE_SIEN and caller.professionnel_id != pro.id:
        raise refus("un professionnel ne transmet que ses propres feuilles de soins")
    exiger(caller, Permission.TRANSMETTRE_FSE)
    lot = session.scalar(select(LotFse).where(LotFse.professionnel_id == pro.id, LotFse.numero == data.numero))
    if lot is None:
        lot = LotFse(professionnel_id=pro.id, numero=data.numero)
        session.add(lot)
        session.flush()
    results = []
    for index, raw in enumerate(data.fse):
        results.append(_receive_one(session, caller, pro, lot, raw, index, today))
    return lot, results


def _professional(session: Session, rpps: str) -> ProfessionnelSante:
    number = validate_rpps(rpps, field="professionnel_rpps")
    pro = session.scalar(select(ProfessionnelSante).where(ProfessionnelSante.rpps == number))
    if pro is None:
        raise NotFound("professionnel de santé inconnu", field="professionnel_rpps")
    return pro


def _receive_one(session: Session, caller: Caller, pro: ProfessionnelSante, lot: LotFse, raw: dict[str, Any], index: int, today: date) -> Resultat:
    numero = str(raw.get("numero")) if isinstance(raw, dict) and raw.get("numero") is not None else None
    try:
        fse_in = FseIn.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return Resultat(numero, "rejetee", "FORMAT", f"{REJETS['FORMAT']} : {where} — {first['msg']}", champ=f"fse[{index}].{where}")
    content = fse_in.model_dump(mode="json")
    fingerprint = _fingerprint(content)
    existing = session.scalar(select(Fse).where(Fse.professionnel_id == pro.id, Fse.numero == fse_in.numero))
    if existing is not None and existing.statut == "liquidee":
        if existing.empreinte != fingerprint:
            return Resultat(fse_in.numero, "rejetee", "NUMERO_REUTILISE", REJETS["NUMERO_REUTILISE"], champ=f"fse[{index}].numero")
        return _result_of(existing)
    try:
        with session.begin_nested():
            fse = _liquidate_one(session, caller, pro, lot, fse_in, fingerprint, index, today, existing)
        return _result_of(fse)
    except Rejet as rejet:
        _store_rejection(session, pro, lot, fse_in, fingerprint, rejet, existing)
        return Resultat(fse_in.numero, "rejetee", rejet.code, rejet.motif, champ=rejet.champ and f"fse[{index}].{rejet.champ}")


def _store_rejection(session: Session, pro: ProfessionnelSante, lot: LotFse, fse_in: FseIn, fingerprint: str, rejet: Rejet, existing: Fse | None) -> None:
    """Keep a trace of the rejection; the same FSE sent again (corrected rights…) is examined anew."""
    if rejet.code == "NUMERO_REUTILISE":
        return
    with session.begin_nested():
        fse = existing or Fse(professionnel_id=pro.id, numero=fse_in.numero)
        fse.empreinte, fse.soins_empreinte, fse.lot_id = fingerprint, "", lot.id
        fse.date_soins, fse.tiers_payant, fse.statut = fse_in.date_soins, fse_in.tiers_payant, "rejetee"
        fse.code_rejet, fse.motif_rejet, fse.rembourse_cents = rejet.code, rejet.motif[:300], 0
        session.add(fse)
        session.flush()


def _in_force(model, on: date):  # type: ignore[no-untyped-def]
    return (model.date_debut <= on) & or_(model.date_fin.is_(None), model.date_fin >= on)


def _liquidate_one(
    session: Session, caller: Caller, pro: ProfessionnelSante, lot: LotFse, fse_in: FseIn, fingerprint: str, index: int, today: date, existing: Fse | None
) -> Fse:
    if fse_in.professionnel_rpps and fse_in.professionnel_rpps != pro.rpps:
        raise Rejet("LOT_MIXTE", champ="professionnel_rpps")
    if pro.secteur == 3:
        raise Rejet("PS_NON_CONVENTIONNE")
    try:
        nir = parse_nir(fse_in.nir, field="nir")
    except InvalidField as error:
        raise Rejet("NIR_INVALIDE", error.message, champ="nir") from None
    if fse_in.date_soins > today:
        raise Rejet("DATE_FUTURE", champ="date_soins")
    if action_prescrite(fse_in.date_soins, today):
        raise Rejet("DATE_PRESCRITE", champ="date_soins")
    personne = session.scalar(select(Personne).where(Personne.nir == nir.value))
    if personne is None:
        raise Rejet("PATIENT_INCONNU", champ="nir")
    droits = attestation(session, personne, fse_in.date_soins)
    if not droits.couvert or droits.organisme is None:
        raise Rejet("SANS_DROITS", droits.motif_absence_droits, champ="date_soins")
    lines = fse_in.model_dump(mode="json")["lignes"]
    care = _fingerprint([personne.id, pro.id, fse_in.date_soins.isoformat(), sorted(json.dumps(line, sort_keys=True) for line in lines)])
    twin = session.scalar(select(Fse.numero).where(Fse.soins_empreinte == care, Fse.statut == "liquidee", Fse.numero != fse_in.numero))
    if twin is not None:
        raise Rejet("DOUBLON", f"feuille {twin}")

    counter = _lock_counter(session, personne.id, fse_in.date_soins.year)
    frame = _lines_frame(session, personne, pro, fse_in, counter)
    liquidated = _liquidate(frame)
    rejected = liquidated.filter(pl.col("rejet").is_not_null())
    if rejected.height:
        row = rejected.row(0, named=True)
        code = "ACTE_INCONNU" if row["rejet"] in ("ACTE_INCONNU", "acte_inconnu") else "TARIF"
        raise Rejet(code, row.get("motif"), champ=f"lignes[{row['numero'] - 1}].acte")

    fse = existing or Fse(professionnel_id=pro.id, numero=fse_in.numero)
    fse.empreinte, fse.soins_empreinte, fse.lot_id = fingerprint, care, lot.id
    fse.personne_id, fse.organisme_code = personne.id, droits.organisme.code
    fse.date_soins, fse.tiers_payant, fse.statut = fse_in.date_soins, fse_in.tiers_payant, "liquidee"
    fse.branche = "atmp" if fse_in.atmp else "maladie"
    fse.code_rejet = fse.motif_rejet = None
    fse.lignes = [_line_of(row) for row in liquidated.iter_rows(named=True)]
    fse.rembourse_cents = sum(ligne.rembourse_cents for ligne in fse.lignes)
    fse.verse_cents = sum(ligne.verse_cents for ligne in fse.lignes)
    fse.a_recuperer_cents = sum(ligne.a_recuperer_cents for ligne in fse.lignes)
    fse.recupere_cents = 0
    session.add(fse)
    session.flush()
    counter.participation_forfaitaire_cents += sum(ligne.participation_forfaitaire_cents for ligne in fse.lignes)
    counter.franchise_cents += sum(ligne.franchise_cents for ligne in fse.lignes)
    _post_liquidation(session, fse, pro, today)
    journal(session, caller, Action.CREATION, Ressource.FSE, fse.id, personne_id=personne.id)
    return fse


def _post_liquidation(session: Session, fse: Fse, pro: ProfessionnelSante, today: date) -> None:
    """The claim in the ledger: the AMO's share as a charge, less the participations the assuré bears.

    The payee (the assuré, or the professional under tiers payant) is owed
    ``verse``; participations and franchises not deducted from it are a
    receivable on the assuré, recovered on later reimbursements (CSS L160-13).
    Debits are positive; the entry balances: AMO − participations − versé + à récupérer = 0.
    """
    amo = sum(ligne.montant_amo_cents for ligne in fse.lignes)
    participations = sum(ligne.participation_forfaitaire_cents + ligne.franchise_cents for ligne in fse.lignes)
    payee = "professionnels" if fse.tiers_payant else "assures"
    assert fse.organisme_code is not None  # set with the rights, before the claim is liquidated
    lines = [
        ledger.Ligne(fse.branche, fse.organisme_code, "charges.prestations.soins", amo),
        ledger.Ligne(fse.branche, fse.organisme_code, "charges.prestations.participations_assures", -participations),
        ledger.Ligne(fse.branche, fse.organisme_code, f"dettes.prestations.{payee}", -fse.verse_cents),
        ledger.Ligne(fse.branche, fse.organisme_code, "creances.assures.participations", fse.a_recuperer_cents),
    ]
    lines = [line for line in lines if line.montant_cents]
    if not lines:
        return
    ledger.post(
        session,
        ledger.NouvelleEcriture(
            cle_idempotence=f"liquidation:fse:{fse.id}",
            date_operation=today,
            libelle=f"Liquidation de la feuille de soins {fse.numero}",
            document_source=f"FSE {pro.rpps}/{fse.numero}",
            lignes=tuple(lines),
        ),
    )


def _lock_counter(session: Session, personne_id: int, annee: int) -> CompteurAnnuel:
    """The row every claim of this person and year goes through, locked until commit."""
    counter = session.get(CompteurAnnuel, (personne_id, annee), with_for_update=True, populate_existing=True)
    if counter is None:
        try:
            with session.begin_nested():
                session.add(CompteurAnnuel(personne_id=personne_id, annee=annee, participation_forfaitaire_cents=0, franchise_cents=0))
                session.flush()
        except IntegrityError:
            pass  # a concurrent claim created it first
        counter = session.get(CompteurAnnuel, (personne_id, annee), with_for_update=True, populate_existing=True)
    assert counter is not None
    return counter


def _lines_frame(session: Session, personne: Personne, pro: ProfessionnelSante, fse_in: FseIn, counter: CompteurAnnuel) -> pl.DataFrame:
    day = fse_in.date_soins
    alds = session.scalar(select(func.count()).select_from(Ald).where(Ald.personne_id == personne.id, _in_force(Ald, day))) or 0
    c2s = session.scalar(
        select(func.count()).select_from(PeriodeC2S).where(PeriodeC2S.personne_id == personne.id, PeriodeC2S.date_debut <= day, PeriodeC2S.date_fin >= day)
    ) or 0
    mt = session.scalar(select(MedecinTraitant.professionnel_id).where(MedecinTraitant.personne_id == personne.id, _in_force(MedecinTraitant, day)))
    pf_acts_today, franchise_today = _borne_today(session, personne.id, pro.id, day)
    rows = []
    for number, line in enumerate(fse_in.lignes, start=1):
        rows.append(
            {
                "numero": number,
                "personne": str(personne.id),
                "date_naissance": personne.date_naissance,
                "sexe": personne.sexe,
                "date_soins": day,
                "professionnel": pro.rpps,
                "specialite": pro.specialite,
                "acte": line.acte.upper(),
                "quantite": line.quantite,
                "coefficient": line.coefficient,
                "montant_cents": to_cents(line.montant, field="montant"),
                "base_unitaire_cents": None if line.base_unitaire is None else to_cents(line.base_unitaire, field="base_unitaire"),
                # The parcours is decided by the rules (rules.parcours_de_soins) from what the register and the doctor say.
                "situation_parcours": fse_in.parcours,
                "profession": pro.profession,
                "medecin_traitant": mt is not None and mt == pro.id,
                "a_medecin_traitant": mt is not None,
                "ald": line.ald and alds > 0,
                "maternite": fse_in.maternite,
                "atmp": fse_in.atmp,
                "invalidite": False,
                "c2s": c2s > 0,
                "tiers_payant": fse_in.tiers_payant,
                "acte_lourd_pendant_sejour": line.acte_lourd_pendant_sejour,
                "seance": fse_in.numero,  # a feuille de soins is one séance (CSS R160-16: acts of one session)
                "pf_annee_avant_cents": counter.participation_forfaitaire_cents,
                "franchise_annee_avant_cents": counter.franchise_cents,
                "pf_jour_avant": pf_acts_today,
                "franchise_jour_avant_cents": franchise_today.get(_franchise_kind(line.acte.upper(), day), 0),
            }
        )
    return pl.DataFrame(rows, schema_overrides={"coefficient": pl.Decimal(38, 9), "base_unitaire_cents": pl.Int64,
                                                "situation_parcours": pl.String, "specialite": pl.String})


def _franchise_kind(acte: str, day: date) -> str | None:
    """The kind of franchise an act bears on a day (boite, paramedical, transport), None for none or unknown."""
    from secu.maladie.tarifs import tarifs

    table = tarifs()
    try:
        return table.categories[table.at(acte, day).categorie].franchise
    except SecuError:
        return None  # an unknown act: the rules reject the line


def _borne_today(session: Session, personne_id: int, professionnel_id: int, day: date) -> tuple[int, dict[str | None, int]]:
    """What the patient already bore on ``day`` in earlier claims, as the daily caps count it.

    The participations forfaitaires are capped per professional and per day in
    number of acts (CSS L160-13 II), the franchises per kind and per day in
    euros (CSS L160-13 III, décret n° 2007-1937): returns the acts that bore a
    participation with this professional, and the franchise cents by kind.
    """
    lines = session.execute(
        select(Fse.professionnel_id, LigneFse.acte, LigneFse.participation_forfaitaire_cents, LigneFse.franchise_cents)
        .join(Fse).where(Fse.personne_id == personne_id, Fse.date_soins == day, Fse.statut == "liquidee")
    ).all()
    unit = parameters().get("participation_forfaitaire.montant").at(day).value
    assert isinstance(unit, (Decimal, int))
    unit_cents = to_cents(unit)
    pf_cents = sum(pf for pro, _, pf, _ in lines if pro == professionnel_id)
    acts = -(-pf_cents // unit_cents) if unit_cents else 0  # an act capped to part of its participation still counts as one
    by_kind: dict[str | None, int] = {}
    for _, acte, _, franchise in lines:
        if franchise:
            kind = _franchise_kind(acte, day)
            by_kind[kind] = by_kind.get(kind, 0) + franchise
    return acts, by_kind


def action_prescrite(date_soins: date, today: date) -> bool:
    from secu.maladie.rules import action_prescrite as rule

    return rule(date_soins, today)


def _liquidate(frame: pl.DataFrame) -> pl.DataFrame:
    from secu.maladie.rules import liquidate

    return liquidate(frame)


def _line_of(row: dict[str, Any]) -> LigneFse:
    from secu.maladie.explication import explain

    return LigneFse(
        numero=row["numero"],
        acte=row["acte"],
        quantite=row["quantite"],
        coefficient=str(row["coefficient"]),
        montant_cents=row["montant_cents"],
        base_remboursement_cents=row["base_remboursement_cents"],
        depassement_cents=row["depassement_cents"],
        taux=None if row["taux"] is None else str(row["taux"]),
        exoneration=row["exoneration"],
        montant_amo_cents=row["montant_amo_cents"],
        ticket_moderateur_cents=row["ticket_moderateur_cents"],
        participation_forfaitaire_cents=row["participation_forfaitaire_cents"],
        franchise_cents=row["franchise_cents"],
        rembourse_cents=row["rembourse_cents"],
        verse_cents=row["verse_cents"],
        a_recuperer_cents=row["a_recuperer_cents"],
        paye_a=row["paye_a"],
        rejet=row.get("rejet"),
        motif=row.get("motif"),
        explication=json.dumps(explain(row), ensure_ascii=False, default=str),
    )


def line_out(line: LigneFse) -> dict[str, Any]:
    return {
        "numero": line.numero,
        "acte": line.acte,
        "quantite": line.quantite,
        "montant_cents": line.montant_cents,
        "base_remboursement_cents": line.base_remboursement_cents,
        "depassement_cents": line.depassement_cents,
        "taux": line.taux,
        "exoneration": line.exoneration,
        "montant_amo_cents": line.montant_amo_cents,
        "ticket_moderateur_cents": line.ticket_moderateur_cents,
        "participation_forfaitaire_cents": line.participation_forfaitaire_cents,
        "franchise_cents": line.franchise_cents,
        "rembourse_cents": line.rembourse_cents,
        "verse_cents": line.verse_cents,
        "a_recuperer_cents": line.a_recuperer_cents,
        "paye_a": line.paye_a,
        "motif": line.motif,
        "explication": json.loads(line.explication),
    }


def _result_of(fse: Fse) -> Resultat:
    if fse.statut != "liquidee":
        return Resultat(fse.numero, "rejetee", fse.code_rejet, fse.motif_rejet, fse_id=fse.id)
    return Resultat(fse.numero, "liquidee", fse_id=fse.id, rembourse_cents=fse.rembourse_cents, lignes=[line_out(ligne) for ligne in fse.lignes])
