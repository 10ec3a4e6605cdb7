"""Arrêts de travail as they arrive, the employer's attestations de salaire, and the liquidation of the IJ.

* :func:`recevoir_avis` — an avis d'arrêt de travail: ``initial`` (opens an arrêt), ``prolongation`` (extends the
  arrêt it names, from the day after its end: no new carence, R. 323-1 1°), ``reprise`` (the assuré resumes work:
  the arrêt ends the day before). The avis's ``numero`` is unique: the same avis sent twice (or at once, by two
  senders) is one avis and one arrêt, and the second sender gets the first answer; the same number with another
  content is refused. Sent late (after the ``avis_arret.delai_envoi_jours`` of R. 321-2, counted from the
  prescription to the sending, the receipt when the sending date is not known), the first time is an
  avertissement; a new late sending within ``avis_arret.fenetre_recidive_mois`` (24) months of the prescription of
  the arrêt that was warned reduces by ``avis_arret.reduction_taux`` (50 %) the IJ of the days from the prescription
  to the day before the sending (CSS D. 323-2, for L. 321-2), unless the assuré was in hospital or shows he could
  not send it in time (``empechement``).
* :func:`declarer_conge` — a congé maternité, paternité et accueil de l'enfant or adoption: no avis, no carence;
  its length may not exceed the legal one (:func:`secu.especes.rules.duree_conge`).
* :func:`recevoir_attestation_salaire` — the employer's attestation (:class:`~secu.especes.schemas.AttestationSalaire`,
  from the DSN signalement or keyed by an agent), stored once per ``reference``; it must carry the pay of the three
  calendar months before the arrêt (R. 323-4; the last one for AT/MP, R. 433-4). It is linked to the arrêt of the
  same person and risk that starts the day after the last day worked, whichever of the two comes first; the arrêt
  is then ``indemnisable``. Subrogation (R. 323-11): the IJ of the days it covers are paid to the employer.
* :func:`liquider_periodes` — every indemnisable arrêt's IJ up to a date, by periods of ``ij_paiement.periode_jours``
  (14) days from its first day (the last one ends with the arrêt), computed by ONE call of
  :func:`secu.especes.rules.indemnites_journalieres` over all the arrêts × periods, and stored once per (arrêt,
  first day of the period): run it again, nothing is computed twice. The carence, the 360 IJ and the ALD's three
  years come from the assuré's earlier arrêts and periods; the conditions d'ouverture (R. 313-3) from the hours and
  pay of the DSN salary records secu keeps and of the attestation (:func:`_conditions_ouverture`, one query); the
  days of an avis received after its last day are refused (R. 323-12) and those of a repeated late sending reduced
  (D. 323-2), by the same call: the avis's windows are the rule's ``sanctions`` input. A refused period is stored with its
  ``motif_refus`` and its steps, and pays nothing.

Every refusal is a :class:`~secu.core.errors.SecuError` in French naming the field, raised before anything is
written (the caller's unit of work rolls back what was).

Ledger (at liquidation, date of the liquidation): the branch maladie for maladie, maternité, paternité and
adoption, the branch AT-MP for AT/MP, on the arrêt's CPAM (the CNAM carries both branches):

| account | debit / credit | amount |
|---|---|---|
| ``charges.prestations.ij.<risque>`` | debit | the period's gross IJ |
| ``dettes.attributaires.csg`` | credit | CSG withheld (owed to the URSSAF, L. 136-8) |
| ``dettes.attributaires.cades`` | credit | CRDS withheld (owed to the CADES) |
| ``dettes.prestations.assures`` or ``dettes.prestations.employeurs`` | credit | the net owed to the payee |

The payment (:mod:`secu.especes.paiement`) settles the debt against ``tresorerie.virements_emis``.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, TypeVar

import polars as pl
from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from secu.acces import Permission, Portee, couvre_organisme, exiger, refus
from secu.core import ledger
from secu.core.dates import mois_decale
from secu.core.db import unit_of_work
from secu.core.entree import Entree
from secu.core.errors import Conflict, InvalidField, NotFound, SecuError
from secu.core.explication import Etape, etape
from secu.core.identifiers import parse_nir, validate_iban, validate_siret
from secu.core.money import format_eur
from secu.core.parameters import parameters
from secu.core.security import SYSTEM, Action, Caller, Ressource, journal
from secu.especes import explication, rules
from secu.especes.models import ArretTravail, AttestationSalaireRecue, AvisArret, PeriodeIJ
from secu.especes.schemas import AttestationSalaire
from secu.organismes import get_organisme
from secu.register.access import reaches
from secu.register.models import Etablissement, Personne, Rattachement

DELAI = "avis_arret.delai_envoi_jours"
CONTROLE = "avis_arret.refus_controle_impossible"
FENETRE = "avis_arret.fenetre_recidive_mois"
PERIODE = "ij_paiement.periode_jours"
CONGES = ("maternite", "paternite", "adoption")
BRANCHE = {"maladie": "maladie", "maternite": "maladie", "paternite": "maladie", "adoption": "maladie", "atmp": "atmp"}
"""The ledger's branch of each risk: the IJ of maternité, paternité and adoption are the branche maladie's (L. 331-1)."""
REF_SUBROGATION = "CSS art. R. 323-11 (subrogation : l'employeur qui maintient le salaire perçoit les IJ)"
ATTEMPTS = 6

T = TypeVar("T")


# --------------------------------------------------------------------------
# Inputs


class AvisIn(Entree):
    """An avis d'arrêt de travail (or of prolongation, or of reprise) as the caisse receives it."""

    numero: str = Field(min_length=1, max_length=40, description="numéro de l'avis (unique)")
    nature: Literal["initial", "prolongation", "reprise"] = "initial"
    nir: str = Field(min_length=13, max_length=21, description="NIR de l'assuré")
    risque: Literal["maladie", "atmp"] = "maladie"
    date_prescription: date
    date_reception: date = Field(description="date de réception par la caisse")
    date_envoi: date | None = Field(default=None, description="date d'envoi, si elle est connue (sinon la réception)")
    debut: date | None = Field(default=None, description="premier jour d'arrêt (initial, prolongation)")
    fin: date | None = Field(default=None, description="dernier jour d'arrêt prescrit, inclus (initial, prolongation)")
    date_reprise: date | None = Field(default=None, description="jour de la reprise du travail (reprise)")
    arret_numero: str | None = Field(default=None, max_length=40, description="numéro de l'avis initial (prolongation, reprise)")
    ald: bool = Field(default=False, description="arrêt en rapport avec une affection de longue durée")
    sinistre_reference: str | None = Field(default=None, max_length=40, description="AT/MP : référence du sinistre déclaré")
    empechement: bool = Field(default=False, description="hospitalisation ou impossibilité établie d'envoyer l'avis à temps")


class CongeIn(Entree):
    """A congé maternité, paternité et accueil de l'enfant, or adoption, declared to the caisse."""

    nir: str = Field(min_length=13, max_length=21)
    risque: Literal["maternite", "paternite", "adoption"]
    cas: str = Field(
        min_length=1,
        max_length=20,
        description="maternité : rang_1_2, rang_3_plus, jumeaux, triples_plus ; paternité : simple, multiple ; adoption : enfant_1_2, enfant_3_plus, multiple",
    )
    debut: date
    fin: date
    date_reception: date


@dataclass(frozen=True)
class Reception:
    """What a sender gets back: the arrêt and the avis, and whether this avis had already been received."""

    arret: ArretTravail
    avis: AvisArret
    deja_recu: bool


@dataclass(frozen=True)
class Liquidation:
    au: date
    arrets: int
    periodes: int
    brut_cents: int
    net_cents: int


# --------------------------------------------------------------------------
# Helpers


def _empreinte(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _meme_jour_decale(d: date, mois: int) -> date:
    """``d`` moved by ``mois`` months, the day kept (the last of a shorter month)."""
    first = mois_decale(d, mois)
    last = (mois_decale(first, 1) - timedelta(days=1)).day
    return first.replace(day=min(d.day, last))


DERNIER_JOUR_GERE = date(2100, 12, 31)


def premier_jour_gere() -> date:
    """The first day an arrêt may start on: every parameter the IJ rule reads is known from then on (those read on
    the arrêt's first day, and the SMIC and PMSS of the month before)."""
    first = max(parameters().get(name).values[0].date_effet for name in rules.PARAMS_ARRET)
    veille = max(parameters().get(name).values[0].date_effet for name in rules.PARAMS_MOIS_PRECEDENT)
    return max(first, mois_decale(veille, 1))


def check_dates(model: Entree, *, debut: str | None = None) -> None:
    """Every date of an input within what secu manages (up to 2100), and the arrêt's first day ``debut`` (a field
    name) not before :func:`premier_jour_gere`: a refusal naming the field, never an overflow or a missing parameter."""
    for name, value in model:
        if isinstance(value, date) and not date(1900, 1, 1) <= value <= DERNIER_JOUR_GERE:
            raise InvalidField(name, "date hors de la période gérée (1900 à 2100)")
    if debut is not None:
        value = getattr(model, debut)
        first = premier_jour_gere()
        if value is not None and value < first:
            raise InvalidField(debut, f"les paramètres des IJ ne sont connus de secu qu'à partir du {first:%d/%m/%Y}")


def _person_by_nir(session: Session, nir: str) -> Personne:
    value = parse_nir(nir, field="nir").value
    personne = session.scalar(select(Personne).where(Personne.nir == value))
    if personne is None:
        raise NotFound("aucun assuré n'est immatriculé sous ce NIR", field="nir")
    return personne


def _cpam(session: Session, personne: Personne) -> str:
    code = session.scalar(select(Rattachement.organisme_code).where(Rattachement.personne_id == personne.id, Rattachement.branche == "maladie"))
    if code is None:
        raise InvalidField("nir", "cet assuré n'est rattaché à aucune caisse primaire")
    return code


def _number(name: str, on: date) -> Any:
    return parameters().get(name).at(on).number()


def _collision(error: DBAPIError) -> bool:
    """A concurrent transaction got there first (a unique key, a deadlock, a serialization failure, SQLite busy)."""
    state = getattr(error.orig, "sqlstate", None)
    if state is not None:
        return state in ("23505", "40001", "40P01")
    message = str(error.orig)
    if isinstance(error, IntegrityError):
        return "UNIQUE constraint failed" in message
    return isinstance(error, OperationalError) and "database is locked" in message


def retrying(sessions: sessionmaker[Session], call: Callable[[Session], T]) -> T:
    """``call(session)`` in a unit of work of its own, run again when a concurrent one took the same key first:
    the second sender of an avis or of an attestation then reads the first one's row and gets its answer."""
    for attempt in range(ATTEMPTS):
        try:
            with unit_of_work(sessions) as session:
                return call(session)
        except DBAPIError as error:
            if attempt == ATTEMPTS - 1 or not _collision(error):
                raise
            time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 - a jitter, not a secret
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------
# Who may do what


def _require_write(session: Session, caller: Caller, permission: Permission, personne: Personne) -> None:
    reach = exiger(caller, permission)
    if reach is Portee.TOUT:
        return
    if reach is Portee.SA_CAISSE and reaches(session, caller, reach, personne):
        return
    raise refus("action refusée : ce dossier ne relève pas de votre caisse", personne.id)


def require_read(session: Session, caller: Caller, personne: Personne) -> None:
    """The assuré (and whoever answers for them), the agents of his CPAM, the médecin-conseil of the region, an admin."""
    reach = exiger(caller, Permission.LIRE_ARRETS)
    if not reaches(session, caller, reach, personne):
        raise refus("accès refusé : ce dossier ne relève pas de votre périmètre", personne.id)


def require_pay(caller: Caller, organisme_code: str) -> None:
    if not couvre_organisme(caller, exiger(caller, Permission.PAYER_PRESTATIONS), organisme_code):
        raise refus("un agent ne liquide et ne paie que les IJ de sa caisse")


# --------------------------------------------------------------------------
# Avis d'arrêt


def recevoir_avis(session: Session, caller: Caller, avis: AvisIn, *, today: date) -> Reception:
    """Receive one avis (see the module's text); the same avis again answers what the first one did."""
    check_dates(avis, debut="debut")
    content = _empreinte(avis.model_dump(mode="json"))
    existing = session.scalar(select(AvisArret).where(AvisArret.numero == avis.numero))
    if existing is not None:
        if existing.empreinte != content:
            raise Conflict("un autre avis a déjà été reçu sous ce numéro", field="numero")
        arret = session.get(ArretTravail, existing.arret_id)
        assert arret is not None
        _require_write(session, caller, Permission.TRANSMETTRE_AVIS_ARRET, session.get(Personne, arret.personne_id))  # type: ignore[arg-type]
        return Reception(arret, existing, deja_recu=True)
    personne = _person_by_nir(session, avis.nir)
    _require_write(session, caller, Permission.TRANSMETTRE_AVIS_ARRET, personne)
    if avis.date_reception < avis.date_prescription:
        raise InvalidField("date_reception", "l'avis ne peut pas être reçu avant sa prescription")
    if avis.date_reception > today:
        raise InvalidField("date_reception", "la date de réception est dans le futur")
    envoi = avis.date_envoi or avis.date_reception
    if not avis.date_prescription <= envoi <= avis.date_reception:
        raise InvalidField("date_envoi", "la date d'envoi doit être comprise entre la prescription et la réception")
    try:
        if avis.nature == "reprise":
            arret, row = _reprise(session, personne, avis, content, caller)
        else:
            arret, row = _arret_ou_prolongation(session, personne, avis, content, envoi)
    except SecuError:
        # A concurrent sender of the same avis committed between our first look and now (its arrêt then overlaps
        # this one, or its prolongation moved the arrêt's end): the second sender gets the first answer.
        first = session.scalar(select(AvisArret).where(AvisArret.numero == avis.numero))
        if first is None:
            raise
        if first.empreinte != content:
            raise Conflict("un autre avis a déjà été reçu sous ce numéro", field="numero") from None
        arret_first = session.get(ArretTravail, first.arret_id)
        assert arret_first is not None
        return Reception(arret_first, first, deja_recu=True)
    session.flush()
    journal(
        session,
        caller,
        Action.CREATION if avis.nature == "initial" else Action.MODIFICATION,
        Ressource.ARRET_TRAVAIL,
        arret.id,
        personne_id=personne.id,
        detail=f"avis {avis.nature}",
    )
    return Reception(arret, row, deja_recu=False)


def _dates(avis: AvisIn) -> tuple[date, date]:
    if avis.debut is None:
        raise InvalidField("debut", "le premier jour d'arrêt est obligatoire")
    if avis.fin is None:
        raise InvalidField("fin", "le dernier jour d'arrêt prescrit est obligatoire")
    if avis.fin < avis.debut:
        raise InvalidField("fin", "la fin de l'arrêt précède son début")
    if (avis.fin - avis.debut).days > 366 * 3:
        raise InvalidField("fin", "un avis d'arrêt ne peut pas couvrir plus de trois ans")
    return avis.debut, avis.fin


def _initial_of(session: Session, personne: Personne, avis: AvisIn) -> ArretTravail:
    if not avis.arret_numero:
        raise InvalidField("arret_numero", f"une {avis.nature} nomme l'avis initial de l'arrêt (son numéro)")
    first = session.scalar(select(AvisArret).where(AvisArret.numero == avis.arret_numero))
    arret = None if first is None else session.get(ArretTravail, first.arret_id, with_for_update=True)
    if arret is None or arret.personne_id != personne.id:
        raise NotFound("aucun arrêt de cet assuré ne porte ce numéro d'avis", field="arret_numero")
    if arret.origine != "avis":
        raise InvalidField("arret_numero", "un congé maternité, paternité ou d'adoption ne se prolonge pas par un avis d'arrêt")
    if arret.risque != avis.risque:
        raise InvalidField("risque", f"l'arrêt prolongé est un arrêt {arret.risque}")
    return arret


def _overlap(session: Session, personne_id: int, debut: date, fin: date, except_id: int | None = None) -> ArretTravail | None:
    query = select(ArretTravail).where(ArretTravail.personne_id == personne_id, ArretTravail.debut <= fin, ArretTravail.fin >= debut)
    if except_id is not None:
        query = query.where(ArretTravail.id != except_id)
    return session.scalars(query.limit(1)).first()


def _arret_ou_prolongation(session: Session, personne: Personne, avis: AvisIn, content: str, envoi: date) -> tuple[ArretTravail, AvisArret]:
    debut, fin = _dates(avis)
    if avis.nature == "initial":
        if debut < avis.date_prescription:
            raise InvalidField("debut", "un arrêt ne peut pas commencer avant le jour de sa prescription")
        if avis.risque == "atmp" and not avis.sinistre_reference:
            raise InvalidField("sinistre_reference", "un arrêt AT/MP porte la référence du sinistre déclaré")
        other = _overlap(session, personne.id, debut, fin)
        if other is not None:
            raise Conflict(f"un arrêt de cet assuré couvre déjà la période (du {other.debut:%d/%m/%Y} au {other.fin:%d/%m/%Y})", field="debut")
        arret = ArretTravail(
            personne_id=personne.id,
            nir=personne.nir,
            organisme_code=_cpam(session, personne),
            risque=avis.risque,
            origine="avis",
            date_prescription=avis.date_prescription,
            date_reception=avis.date_reception,
            debut=debut,
            fin=fin,
            ald=avis.ald,
            atmp=avis.risque == "atmp",
            sinistre_reference=avis.sinistre_reference,
        )
        session.add(arret)
        session.flush()
        _link_attestation(session, arret)
    else:
        arret = _initial_of(session, personne, avis)
        if arret.date_reprise is not None:
            raise Conflict(f"l'assuré a repris le travail le {arret.date_reprise:%d/%m/%Y} : un nouvel arrêt est un avis initial", field="arret_numero")
        if debut != arret.fin + timedelta(days=1):
            raise InvalidField("debut", f"une prolongation commence le lendemain de la fin de l'arrêt prolongé ({arret.fin + timedelta(days=1):%d/%m/%Y})")
        other = _overlap(session, personne.id, debut, fin, except_id=arret.id)
        if other is not None:
            raise Conflict(f"un autre arrêt de cet assuré couvre déjà la période (du {other.debut:%d/%m/%Y})", field="fin")
        arret.fin = fin
        arret.prolongations += 1
        arret.ald = arret.ald or avis.ald
    tardif, sanction, reduction = _envoi(session, personne, avis, envoi, debut, fin)
    row = AvisArret(
        numero=avis.numero,
        arret_id=arret.id,
        nature=avis.nature,
        empreinte=content,
        date_prescription=avis.date_prescription,
        date_reception=avis.date_reception,
        debut=debut,
        fin=fin,
        tardif=tardif,
        sanction=sanction,
        reduction_debut=reduction[0] if reduction else None,
        reduction_fin=reduction[1] if reduction else None,
        controle_impossible=_controle_impossible(avis, fin),
    )
    session.add(row)
    return arret, row


def _controle_impossible(avis: AvisIn, fin: date) -> bool:
    """CSS R. 323-12: an avis received after the last day it prescribes let the caisse control none of its days, whose
    IJ it is « fondée à refuser » (``avis_arret.refus_controle_impossible``, read on the prescription). secu refuses
    them unless the assuré was in hospital or could not send it (``empechement``, as for D. 323-2): secu's use of the
    caisse's faculty. Counted on the receipt: the caisse can control nothing before the avis reaches it."""
    return avis.date_reception > fin and not avis.empechement and _number(CONTROLE, avis.date_prescription) > 0


def _envoi(session: Session, personne: Personne, avis: AvisIn, envoi: date, debut: date, fin: date) -> tuple[bool, str, tuple[date, date] | None]:
    """Late or not (R. 321-2), and its sanction (D. 323-2): an avertissement, or the reduction of a window of days."""
    delai = int(_number(DELAI, avis.date_prescription))
    if (envoi - avis.date_prescription).days <= delai:
        return False, "aucune", None
    if avis.empechement:
        return True, "aucune", None
    fenetre = int(_number(FENETRE, avis.date_prescription))
    warned = session.scalar(
        select(func.count(AvisArret.id))
        .join(ArretTravail, ArretTravail.id == AvisArret.arret_id)
        .where(
            ArretTravail.personne_id == personne.id,
            AvisArret.sanction == "avertissement",
            AvisArret.date_prescription >= _meme_jour_decale(avis.date_prescription, -fenetre),
            AvisArret.date_prescription <= avis.date_prescription,
        )
    )
    if not warned:
        return True, "avertissement", None
    start, end = max(avis.date_prescription, debut), min(envoi - timedelta(days=1), fin)
    return True, "reduction", (start, end) if start <= end else None


def _reprise(session: Session, personne: Personne, avis: AvisIn, content: str, caller: Caller) -> tuple[ArretTravail, AvisArret]:
    arret = _initial_of(session, personne, avis)
    reprise = avis.date_reprise
    if reprise is None:
        raise InvalidField("date_reprise", "la date de reprise du travail est obligatoire")
    _apply_reprise(session, arret, reprise, "date_reprise", caller=caller, le=avis.date_reception)
    row = AvisArret(
        numero=avis.numero,
        arret_id=arret.id,
        nature="reprise",
        empreinte=content,
        date_prescription=avis.date_prescription,
        date_reception=avis.date_reception,
        debut=reprise,
        fin=reprise,
    )
    session.add(row)
    return arret, row


def _apply_reprise(session: Session, arret: ArretTravail, reprise: date, field: str, *, caller: Caller | None = None, le: date | None = None) -> None:
    """The assuré resumes work on ``reprise``: the arrêt ends the day before (an avis de reprise, or the employer's
    signalement de reprise, DSN nature 05, carried by the attestation's ``reprise``). IJ already liquidated for days
    from the reprise on become an indu, booked and notified on ``le`` (:mod:`secu.especes.indus`)."""
    if not arret.debut < reprise <= arret.fin + timedelta(days=1):
        raise InvalidField(
            field,
            f"la reprise doit tomber entre le lendemain du premier jour d'arrêt ({arret.debut:%d/%m/%Y}) et le lendemain de sa fin ({arret.fin:%d/%m/%Y})",
        )
    from secu.especes import indus

    indus.constater(session, caller or SYSTEM, arret, reprise, le or date.today())
    arret.fin = reprise - timedelta(days=1)
    arret.date_reprise = reprise


def recevoir_avis_retrying(sessions: sessionmaker[Session], caller: Caller, avis: AvisIn, *, today: date) -> dict[str, Any]:
    """:func:`recevoir_avis` in its own transaction, run again when a concurrent sender of the same avis was first."""
    return retrying(sessions, lambda session: reception_out(recevoir_avis(session, caller, avis, today=today)))


def reception_out(reception: Reception) -> dict[str, Any]:
    avis = reception.avis
    return {
        "deja_recu": reception.deja_recu,
        "arret": arret_out(reception.arret),
        "avis": {
            "id": avis.id,
            "numero": avis.numero,
            "nature": avis.nature,
            "date_prescription": avis.date_prescription,
            "date_reception": avis.date_reception,
            "debut": avis.debut,
            "fin": avis.fin,
            "tardif": avis.tardif,
            "sanction": avis.sanction,
            "reduction_debut": avis.reduction_debut,
            "reduction_fin": avis.reduction_fin,
        },
    }


def arret_out(arret: ArretTravail) -> dict[str, Any]:
    return {
        "id": arret.id,
        "personne_id": arret.personne_id,
        "organisme_code": arret.organisme_code,
        "risque": arret.risque,
        "origine": arret.origine,
        "cas_conge": arret.cas_conge,
        "date_prescription": arret.date_prescription,
        "date_reception": arret.date_reception,
        "debut": arret.debut,
        "fin": arret.fin,
        "date_reprise": arret.date_reprise,
        "ald": arret.ald,
        "atmp": arret.atmp,
        "sinistre_reference": arret.sinistre_reference,
        "subrogation": arret.subrogation,
        "siret": arret.siret,
        "prolongations": arret.prolongations,
        "statut": arret.statut,
    }


# --------------------------------------------------------------------------
# Congés maternité, paternité, adoption


def declarer_conge(session: Session, caller: Caller, conge: CongeIn) -> ArretTravail:
    """Record a congé; its days may not exceed the legal length of its case (L. 331-3, L. 331-7, L. 331-8)."""
    check_dates(conge, debut="debut")
    personne = _person_by_nir(session, conge.nir)
    _require_write(session, caller, Permission.TRANSMETTRE_AVIS_ARRET, personne)
    if conge.fin < conge.debut:
        raise InvalidField("fin", "la fin du congé précède son début")
    same = session.scalar(
        select(ArretTravail).where(ArretTravail.personne_id == personne.id, ArretTravail.risque == conge.risque, ArretTravail.debut == conge.debut)
    )
    if same is not None:
        if (same.fin, same.cas_conge) == (conge.fin, conge.cas):
            return same
        raise Conflict(f"un congé {conge.risque} commençant le {conge.debut:%d/%m/%Y} est déjà déclaré", field="debut")
    duree = rules.duree_conge(pl.DataFrame({"conge": [conge.risque], "cas": [conge.cas], "date": [conge.debut]})).row(0, named=True)
    if duree["jours_conge"] is None:
        raise InvalidField("cas", f"cas inconnu pour un congé {conge.risque} : {conge.cas!r}")
    jours = (conge.fin - conge.debut).days + 1
    if jours > duree["jours_conge"]:
        raise InvalidField("fin", f"le congé dure {jours} jours, plus que les {duree['jours_conge']} jours prévus ({duree['duree_reference']})")
    other = _overlap(session, personne.id, conge.debut, conge.fin)
    if other is not None:
        raise Conflict(f"un arrêt de cet assuré couvre déjà la période (du {other.debut:%d/%m/%Y} au {other.fin:%d/%m/%Y})", field="debut")
    arret = ArretTravail(
        personne_id=personne.id,
        nir=personne.nir,
        organisme_code=_cpam(session, personne),
        risque=conge.risque,
        origine="declaration",
        cas_conge=conge.cas,
        date_prescription=conge.date_reception,
        date_reception=conge.date_reception,
        debut=conge.debut,
        fin=conge.fin,
    )
    session.add(arret)
    session.flush()
    _link_attestation(session, arret)
    journal(session, caller, Action.CREATION, Ressource.ARRET_TRAVAIL, arret.id, personne_id=personne.id, detail=f"congé {conge.risque}")
    return arret


# --------------------------------------------------------------------------
# Attestations de salaire


def _mois_requis(attestation: AttestationSalaire) -> list[date]:
    debut = attestation.dernier_jour_travaille + timedelta(days=1)
    count = 1 if attestation.risque == "atmp" else 3
    return [mois_decale(debut, -n) for n in range(count, 0, -1)]


def _check_attestation(attestation: AttestationSalaire) -> None:
    seen: set[date] = set()
    for index, salaire in enumerate(attestation.salaires):
        if salaire.mois.day != 1:
            raise InvalidField(f"salaires[{index}].mois", "le mois s'écrit par son premier jour (AAAA-MM-01)")
        if salaire.mois in seen:
            raise InvalidField(f"salaires[{index}].mois", f"le mois {salaire.mois:%m/%Y} figure deux fois")
        seen.add(salaire.mois)
    manquants = [m for m in _mois_requis(attestation) if m not in seen]
    if manquants:
        raise InvalidField(
            "salaires", "il manque le salaire de " + ", ".join(f"{m:%m/%Y}" for m in manquants) + " (les mois civils précédant l'arrêt, CSS R. 323-4)"
        )
    debut = attestation.dernier_jour_travaille + timedelta(days=1)
    if attestation.fin_previsionnelle is not None and attestation.fin_previsionnelle < debut:
        raise InvalidField("fin_previsionnelle", "la fin prévisionnelle précède le premier jour d'arrêt")
    if attestation.reprise is not None and attestation.reprise <= debut:
        raise InvalidField("reprise", "la reprise doit suivre le premier jour d'arrêt")
    if attestation.subrogation:
        if not attestation.iban_employeur:
            raise InvalidField("iban_employeur", "la subrogation demande le compte de l'employeur où verser les IJ")
        validate_iban(attestation.iban_employeur, field="iban_employeur")
        start = attestation.subrogation_debut or debut
        if attestation.subrogation_fin is not None and attestation.subrogation_fin < start:
            raise InvalidField("subrogation_fin", "la fin de la subrogation précède son début")
    elif attestation.subrogation_debut or attestation.subrogation_fin:
        raise InvalidField("subrogation", "des dates de subrogation sont données sans subrogation")


def recevoir_attestation_salaire(session: Session, attestation: AttestationSalaire, *, caller: Caller | None = None) -> AttestationSalaireRecue:
    """Store the attestation once per ``reference`` and link it to its arrêt. ``caller``: None for the DSN's
    reader (it checked the declarant), else the employer of that establishment, an agent of the CPAM, an admin."""
    check_dates(attestation)
    for index, salaire in enumerate(attestation.salaires):
        if not date(1900, 1, 1) <= salaire.mois <= DERNIER_JOUR_GERE:
            raise InvalidField(f"salaires[{index}].mois", "date hors de la période gérée (1900 à 2100)")
    if attestation.dernier_jour_travaille + timedelta(days=1) < premier_jour_gere():
        raise InvalidField("dernier_jour_travaille", f"les paramètres des IJ ne sont connus de secu qu'à partir du {premier_jour_gere():%d/%m/%Y}")
    siret = validate_siret(attestation.siret, field="siret")
    etablissement = session.scalar(select(Etablissement).where(Etablissement.siret == siret))
    if etablissement is None:
        raise NotFound("aucun établissement n'est enregistré sous ce SIRET", field="siret")
    personne = _person_by_nir(session, attestation.nir)
    if caller is not None:
        reach = exiger(caller, Permission.TRANSMETTRE_ATTESTATION_SALAIRE)
        if reach is Portee.LE_SIEN and caller.employeur_id != etablissement.employeur_id:
            raise refus("un employeur n'atteste que les salaires de ses propres établissements")
        if reach is Portee.SA_CAISSE and not reaches(session, caller, reach, personne):
            raise refus("action refusée : ce dossier ne relève pas de votre caisse", personne.id)
    dumped = attestation.model_dump(mode="json")
    dumped["salaires"] = [{k: v for k, v in m.items() if k != "heures" or v is not None} for m in dumped["salaires"]]  # as before the hours
    content = _empreinte(dumped)
    existing = session.scalar(select(AttestationSalaireRecue).where(AttestationSalaireRecue.reference == attestation.reference))
    if existing is not None:
        if existing.empreinte != content:
            raise Conflict("une autre attestation a déjà été reçue sous cette référence", field="reference")
        return existing
    _check_attestation(attestation)
    row = AttestationSalaireRecue(
        reference=attestation.reference,
        empreinte=content,
        source=attestation.source,
        nir=personne.nir,
        siret=siret,
        risque=attestation.risque,
        dernier_jour_travaille=attestation.dernier_jour_travaille,
        fin_previsionnelle=attestation.fin_previsionnelle,
        reprise=attestation.reprise,
        salaires=json.dumps(
            [{"mois": s.mois.isoformat(), "brut": s.brut} | ({"heures": str(s.heures)} if s.heures is not None else {}) for s in attestation.salaires]
        ),
        subrogation=attestation.subrogation,
        subrogation_debut=(attestation.subrogation_debut or attestation.dernier_jour_travaille + timedelta(days=1)) if attestation.subrogation else None,
        subrogation_fin=attestation.subrogation_fin,
        iban_employeur=validate_iban(attestation.iban_employeur, field="iban_employeur") if attestation.iban_employeur else None,
    )
    session.add(row)
    session.flush()
    debut = attestation.dernier_jour_travaille + timedelta(days=1)
    arret = session.scalar(
        select(ArretTravail).where(ArretTravail.personne_id == personne.id, ArretTravail.risque == attestation.risque, ArretTravail.debut == debut)
    )
    if arret is not None:
        _attach(arret, row)
        if attestation.reprise is not None and arret.debut < attestation.reprise <= arret.fin:
            _apply_reprise(session, arret, attestation.reprise, "reprise", caller=caller)  # an earlier return than prescribed
    if caller is not None:
        journal(session, caller, Action.CREATION, Ressource.ATTESTATION_SALAIRE, row.id, personne_id=personne.id, detail=attestation.source)
    return row


def _attach(arret: ArretTravail, attestation: AttestationSalaireRecue) -> None:
    attestation.arret_id = arret.id
    arret.statut = "indemnisable"
    arret.subrogation = attestation.subrogation
    arret.siret = attestation.siret


def _link_attestation(session: Session, arret: ArretTravail) -> None:
    """An attestation received before its arrêt: the latest one of the same person, risk and first day."""
    attestation = session.scalar(
        select(AttestationSalaireRecue)
        .where(
            AttestationSalaireRecue.nir == arret.nir,
            AttestationSalaireRecue.risque == arret.risque,
            AttestationSalaireRecue.dernier_jour_travaille == arret.debut - timedelta(days=1),
            AttestationSalaireRecue.arret_id.is_(None),
        )
        .order_by(AttestationSalaireRecue.id.desc())
        .limit(1)
    )
    if attestation is not None:
        _attach(arret, attestation)
        if attestation.reprise is not None and arret.debut < attestation.reprise <= arret.fin:
            _apply_reprise(session, arret, attestation.reprise, "reprise")


def recevoir_attestation_retrying(sessions: sessionmaker[Session], caller: Caller | None, attestation: AttestationSalaire) -> dict[str, Any]:
    return retrying(sessions, lambda session: attestation_out(recevoir_attestation_salaire(session, attestation, caller=caller)))


def attestation_out(row: AttestationSalaireRecue) -> dict[str, Any]:
    return {
        "id": row.id,
        "reference": row.reference,
        "source": row.source,
        "siret": row.siret,
        "risque": row.risque,
        "dernier_jour_travaille": row.dernier_jour_travaille,
        "subrogation": row.subrogation,
        "arret_id": row.arret_id,
    }


# --------------------------------------------------------------------------
# Liquidation


def _periodes(
    arret: ArretTravail, depuis: date, jusqu_au: date, longueur: int, deces: date | None = None, coupures: tuple[date, ...] = ()
) -> list[tuple[date, date]]:
    """The periods to liquidate: from ``depuis``, ``longueur`` days from the arrêt's first day, cut at its end (or
    at the assuré's death: no IJ after it) and on each day of ``coupures`` (the last day the employer is subrogated,
    the day before it is: each period has one payee); only those over by ``jusqu_au`` (the IJ are paid in arrears)."""
    out = []
    start = depuis
    fin = min(arret.fin, deces) if deces is not None else arret.fin
    while start <= fin:
        index = (start - arret.debut).days // longueur
        end = min([arret.debut + timedelta(days=(index + 1) * longueur - 1), fin, *(c for c in coupures if c >= start)])
        if end > jusqu_au:
            break
        out.append((start, end))
        start = end + timedelta(days=1)
    return out


def _salaires(attestation: AttestationSalaireRecue, debut: date) -> tuple[int, int, int]:
    pay = {date.fromisoformat(s["mois"]): int(s["brut"]) for s in json.loads(attestation.salaires)}
    return pay.get(mois_decale(debut, -3), 0), pay.get(mois_decale(debut, -2), 0), pay.get(mois_decale(debut, -1), 0)


def _historiques(session: Session, arrets: list[ArretTravail]) -> dict[int, dict[str, Any]]:
    """Each arrêt's history from the assuré's other arrêts (two queries for all of them): an earlier arrêt for an ALD
    within 3 years (it bore the carence; the 3 years of ALD indemnisation run from its first day, R. 323-1), and the
    IJ paid on non-ALD maladie arrêts in the 3 years before (towards the 360, R. 323-1)."""
    if not arrets:
        return {}
    personnes = {a.personne_id for a in arrets}
    depuis = min(_meme_jour_decale(a.debut, -36) for a in arrets)
    ald: dict[int, list[date]] = {}
    for personne_id, debut in session.execute(
        select(ArretTravail.personne_id, ArretTravail.debut).where(
            ArretTravail.personne_id.in_(personnes), ArretTravail.ald.is_(True), ArretTravail.risque == "maladie", ArretTravail.debut >= depuis
        )
    ):
        ald.setdefault(personne_id, []).append(debut)
    payees: dict[int, list[tuple[int, date, int]]] = {}
    for personne_id, arret_id, debut, jours in session.execute(
        select(ArretTravail.personne_id, ArretTravail.id, PeriodeIJ.debut, PeriodeIJ.jours_indemnises)
        .join(ArretTravail, ArretTravail.id == PeriodeIJ.arret_id)
        .where(ArretTravail.personne_id.in_(personnes), ArretTravail.risque == "maladie", ArretTravail.ald.is_(False), PeriodeIJ.debut >= depuis)
    ):
        payees.setdefault(personne_id, []).append((arret_id, debut, jours))
    out = {}
    for arret in arrets:
        trois_ans = _meme_jour_decale(arret.debut, -36)
        earlier = [d for d in ald.get(arret.personne_id, []) if trois_ans <= d < arret.debut] if arret.ald else []
        deja = sum(j for other, d, j in payees.get(arret.personne_id, []) if other != arret.id and trois_ans <= d < arret.debut)
        out[arret.id] = {"ald_arret_anterieur": bool(earlier), "ald_debut": min(earlier) if earlier else arret.debut, "ij_deja_versees": deja}
    return out


CONDITIONS_MOIS = 12
"""The months before the arrêt's month that R. 313-3 reads: 3 (hours) and 6 (pay) for 1°, 12 for 2°."""
NON_VERIFIEES = (
    "Conditions d'ouverture non vérifiées : secu ne connaît ni la DSN de l'assuré sur les 12 mois précédant l'arrêt ni ses heures sur l'attestation de salaire"
)
REF_CONDITIONS_SOURCES = "CSS art. R. 313-3 ; heures et salaires des DSN mensuelles reçues par secu et de l'attestation de salaire (R. 323-10)"


def _conditions_ouverture(session: Session, items: list[tuple[ArretTravail, AttestationSalaireRecue]]) -> dict[int, dict[str, Any]]:
    """Each arrêt's inputs of the conditions d'ouverture (R. 313-3): the hours over the 3 calendar months before the
    arrêt's month, the gross pay over the 6 and the 12, from ONE query of the DSN salary records secu keeps
    (``remuneration`` of each establishment's active DSN version, every employer of the person) and from the
    attestation de salaire.

    * A month of the attestation's establishment that secu has in a DSN is read from the DSN (the declaration is the
      record); one it has not (an employer that does not file its DSN in secu) is read from the attestation: its pay,
      and its hours when the attestation gives them.
    * The hours of a month nobody gives are unknown: the sum is over the months whose hours are known, null when no
      month of the window has any (the rule then checks the pay alone; R. 313-3 opens the rights on either).
    * Nothing known beyond the attestation's pay (no DSN month of the person in the 12 months, no hours on the
      attestation): the conditions are not checked (all inputs null) and the period says so; secu does not refuse
      on the three months' pay alone, which cannot reach 1 015 × the SMIC horaire of six months for a full-time SMIC.
    * ``mois_immatriculation`` is not given (the register holds no immatriculation date): counted as met.
    """
    from decimal import Decimal

    from secu.recouvrement.models import DeclarationDsn, Remuneration

    if not items:
        return {}
    personnes = {a.personne_id for a, _ in items}
    depuis = min(mois_decale(a.debut, -CONDITIONS_MOIS) for a, _ in items)
    jusqu = max(mois_decale(a.debut, -1) for a, _ in items)
    dsn: dict[int, dict[tuple[str, date], tuple[int, Decimal | None]]] = {}
    for personne_id, siret, mois, brut_mois, heures_mois in session.execute(
        select(Remuneration.personne_id, Remuneration.siret, Remuneration.mois, Remuneration.brut_cents, Remuneration.heures)
        .join(DeclarationDsn, DeclarationDsn.id == Remuneration.declaration_id)
        .where(Remuneration.personne_id.in_(personnes), DeclarationDsn.remplacee_par_id.is_(None), Remuneration.mois >= depuis, Remuneration.mois <= jusqu)
    ):
        assert personne_id is not None  # the where clause
        months = dsn.setdefault(personne_id, {})
        known_brut, known_heures = months.get((siret, mois), (0, Decimal(0)))
        h = None if heures_mois is None or known_heures is None else known_heures + Decimal(heures_mois)  # several contracts
        months[(siret, mois)] = (known_brut + int(brut_mois), h)
    out: dict[int, dict[str, Any]] = {}
    for arret, attestation in items:
        fenetre = [mois_decale(arret.debut, -n) for n in range(CONDITIONS_MOIS, 0, -1)]
        records = {key: value for key, value in dsn.get(arret.personne_id, {}).items() if fenetre[0] <= key[1] <= fenetre[-1]}
        declared = {(attestation.siret, date.fromisoformat(m["mois"])): m for m in json.loads(attestation.salaires)}
        brut: dict[date, int] = dict.fromkeys(fenetre, 0)
        heures: dict[date, Decimal | None] = dict.fromkeys(fenetre)
        for (_siret, mois), (b, h) in records.items():
            brut[mois] += b
            if h is not None:
                heures[mois] = (heures[mois] or Decimal(0)) + h
        for (siret, mois), m in declared.items():
            if mois in brut and (siret, mois) not in records:
                brut[mois] += int(m["brut"])
                if m.get("heures") is not None:
                    heures[mois] = (heures[mois] or Decimal(0)) + Decimal(m["heures"])
        if not records and all(m.get("heures") is None for m in declared.values()):
            out[arret.id] = {"heures_3_mois": None, "salaire_6_mois": None, "heures_12_mois": None, "salaire_12_mois": None}
            continue

        out[arret.id] = {
            "heures_3_mois": _somme_heures(heures, fenetre[-3:]),
            "salaire_6_mois": sum(brut[m] for m in fenetre[-6:]),
            "heures_12_mois": _somme_heures(heures, fenetre),
            "salaire_12_mois": sum(brut.values()),
        }
    return out


def _somme_heures(heures: dict[date, Any], mois: list[date]) -> float | None:
    """The hours of the months whose hours are known; null when none is."""
    known = [heures[m] for m in mois if heures[m] is not None]
    return float(sum(known)) if known else None


@dataclass
class _Item:
    arret: ArretTravail
    attestation: AttestationSalaireRecue
    periode: tuple[date, date]
    non_verifiees: bool  # R. 313-3 not checked: secu knows nothing of the reference period beyond the attestation's pay


def liquider_periodes(session: Session, au: date, *, organisme_code: str | None = None, caller: Caller | None = None) -> Liquidation:
    """Compute and store the IJ of every indemnisable arrêt's periods over by ``au`` (see the module's text)."""
    if not date(1900, 1, 1) <= au <= DERNIER_JOUR_GERE:
        raise InvalidField("au", "date hors de la période gérée (1900 à 2100)")
    if organisme_code is not None:
        get_organisme(organisme_code)
    if caller is not None and organisme_code is not None:
        require_pay(caller, organisme_code)
    query = select(ArretTravail).where(ArretTravail.statut == "indemnisable", ArretTravail.debut <= au).order_by(ArretTravail.id)
    if organisme_code is not None:
        query = query.where(ArretTravail.organisme_code == organisme_code)
    arrets = list(session.scalars(query))
    if not arrets:
        return Liquidation(au, 0, 0, 0, 0)
    ids = [a.id for a in arrets]
    last = dict(session.execute(select(PeriodeIJ.arret_id, func.max(PeriodeIJ.fin)).where(PeriodeIJ.arret_id.in_(ids)).group_by(PeriodeIJ.arret_id)).all())
    attestations = {
        a.arret_id: a
        for a in session.scalars(select(AttestationSalaireRecue).where(AttestationSalaireRecue.arret_id.in_(ids)).order_by(AttestationSalaireRecue.id))
    }
    fenetres: dict[int, list[AvisArret]] = {}
    for avis in session.scalars(
        select(AvisArret)
        .where(
            AvisArret.arret_id.in_(ids),
            ((AvisArret.sanction == "reduction") & AvisArret.reduction_debut.is_not(None)) | AvisArret.controle_impossible.is_(True),
        )
        .order_by(AvisArret.id)
    ):
        fenetres.setdefault(avis.arret_id, []).append(avis)
    deces = dict(session.execute(select(Personne.id, Personne.date_deces).where(Personne.id.in_({a.personne_id for a in arrets}))).all())
    historiques = _historiques(session, [a for a in arrets if a.id in attestations])
    conditions = _conditions_ouverture(session, [(a, attestations[a.id]) for a in arrets if a.id in attestations])
    items: list[_Item] = []
    rows: list[dict[str, Any]] = []
    sanctions: list[dict[str, Any]] = []
    for arret in arrets:
        attestation = attestations.get(arret.id)
        if attestation is None:
            continue
        depuis = last[arret.id] + timedelta(days=1) if arret.id in last else arret.debut
        coupures: tuple[date, ...] = ()
        if attestation.subrogation and attestation.subrogation_debut is not None:
            coupures = (attestation.subrogation_debut - timedelta(days=1),)
            coupures += (attestation.subrogation_fin,) if attestation.subrogation_fin is not None else ()
        periodes = _periodes(arret, depuis, au, int(_number(PERIODE, arret.debut)), deces[arret.personne_id], coupures)
        if not periodes:
            continue
        base = {"risque": arret.risque, "debut": arret.debut, "fin": arret.fin, "ald": arret.ald, **historiques[arret.id]}
        s1, s2, s3 = _salaires(attestation, arret.debut)
        base |= {"salaire_1": s1, "salaire_2": s2, "salaire_3": s3, **conditions[arret.id]}
        non_verifiees = all(v is None for v in conditions[arret.id].values())
        for periode in periodes:
            sanctions.extend(_sanctions(len(items), fenetres.get(arret.id, [])))
            items.append(_Item(arret, attestation, periode, non_verifiees))
            rows.append(base | {"periode_debut": periode[0], "periode_fin": periode[1]})
    if not rows:
        return Liquidation(au, 0, 0, 0, 0)
    frame = pl.DataFrame(
        rows,
        schema_overrides={
            "salaire_1": pl.Int64,
            "salaire_2": pl.Int64,
            "salaire_3": pl.Int64,
            "ij_deja_versees": pl.Int64,
            "ald_debut": pl.Date,
            "heures_3_mois": pl.Float64,
            "salaire_6_mois": pl.Int64,
            "heures_12_mois": pl.Float64,
            "salaire_12_mois": pl.Int64,
        },
    )
    # one vectorized call: every arrêt × period, with the days its avis's sanctions refuse or reduce
    computed = rules.indemnites_journalieres(frame, pl.DataFrame(sanctions, schema=SANCTIONS_SCHEMA))
    values = [_period_values(item, row) for item, row in zip(items, computed.iter_rows(named=True), strict=True)]
    written = _insert_new(session, values)
    _book(session, written, au)
    return Liquidation(au, len({i.arret.id for i in items}), len(written), sum(v["brut_cents"] for v in written), sum(v["net_cents"] for v in written))


INSERT_CHUNK = 2000
"""Periods per call (SQLAlchemy's insertmanyvalues then splits them within the database's limit of bound values)."""


def _insert_new(session: Session, values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert the periods in bulk, skipping any (arrêt, first day) a concurrent liquidation stored first (its own):
    ``INSERT … ON CONFLICT DO NOTHING RETURNING`` on both databases. The rows written, with their id."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from secu.core.db import table_of

    table = table_of(PeriodeIJ)
    bind = session.get_bind()
    insert = pg_insert if bind.dialect.name == "postgresql" else sqlite_insert
    by_key = {(v["arret_id"], v["debut"]): v for v in values}
    written: list[dict[str, Any]] = []
    statement = insert(table).on_conflict_do_nothing(index_elements=["arret_id", "debut"]).returning(table.c.id, table.c.arret_id, table.c.debut)
    for start in range(0, len(values), INSERT_CHUNK):  # executemany: SQLAlchemy batches it as multi-row INSERTs
        for id_, arret_id, debut in session.execute(statement, values[start : start + INSERT_CHUNK]):
            written.append(by_key[(arret_id, debut)] | {"id": id_})
    return sorted(written, key=lambda v: v["id"])


SANCTIONS_SCHEMA = {
    "ligne": pl.Int64, "nature": pl.String, "debut": pl.Date, "fin": pl.Date, "date_prescription": pl.Date,
    "avis_numero": pl.String, "avis_reception": pl.Date, "avis_fin": pl.Date,
}


def _sanctions(ligne: int, avis_list: list[AvisArret]) -> list[dict[str, Any]]:
    """The rule's input of the avis sanctioned on an arrêt, for one of its periods (row ``ligne``): the days an avis
    received after its last day left uncontrolled (R. 323-12), and the days of a repeated late sending (D. 323-2)."""
    out = []
    for avis in avis_list:
        common = {"ligne": ligne, "date_prescription": avis.date_prescription, "avis_numero": avis.numero, "avis_reception": avis.date_reception,
                  "avis_fin": avis.fin}
        if avis.controle_impossible:
            out.append(common | {"nature": "controle", "debut": avis.debut, "fin": avis.fin})
        if avis.sanction == "reduction" and avis.reduction_debut is not None and avis.reduction_fin is not None:
            out.append(common | {"nature": "reduction", "debut": avis.reduction_debut, "fin": avis.reduction_fin})
    return out


def _period_values(item: _Item, row: dict[str, Any]) -> dict[str, Any]:
    """One period's row of ``periode_ij``: the rule's output (after the avis's sanctions), the payee, the steps."""
    arret, attestation = item.arret, item.attestation
    steps: list[Etape] = explication.explain_ij(row)
    if item.non_verifiees and row["risque"] != "atmp":
        steps.insert(0, etape(NON_VERIFIEES, None, REF_CONDITIONS_SOURCES))
    debut, fin = item.periode
    employeur = (
        attestation.subrogation
        and attestation.subrogation_debut is not None
        and attestation.subrogation_debut <= debut
        and (attestation.subrogation_fin is None or attestation.subrogation_fin >= fin)
    )
    if employeur:
        steps.append(etape(f"Versé à l'employeur (SIRET {attestation.siret}), qui maintient le salaire", None, REF_SUBROGATION))
    return dict(
        arret_id=arret.id,
        personne_id=arret.personne_id,
        organisme_code=arret.organisme_code,
        risque=arret.risque,
        debut=debut,
        fin=fin,
        ij_journaliere_cents=row["ij_journaliere"],
        ij_majoree_cents=row["ij_journaliere_majoree"],
        jours_indemnises=row["jours_indemnises_apres_sanctions"],
        jours_carence=row["jours_carence"],
        jours_hors_droits=row["jours_hors_droits"],
        jours_reduits=row["jours_reduits"],
        reduction_cents=row["reduction"],
        jours_refuses=row["jours_refuses"],
        refus_cents=row["refus"],
        motif_refus=row["motifs_refus"],
        brut_cents=row["brut_apres_sanctions"],
        csg_cents=row["csg_apres_sanctions"],
        crds_cents=row["crds_apres_sanctions"],
        net_cents=row["net_apres_sanctions"],
        beneficiaire="employeur" if employeur else "assure",
        siret=attestation.siret if employeur else None,
        iban=attestation.iban_employeur if employeur else None,
        bic=None,
        titulaire=None,
        explication=json.dumps(steps, ensure_ascii=False, default=str),
        statut="calculee",
        campagne_id=None,
        calculee_le=datetime.now(UTC),
    )


def _book(session: Session, periodes: list[dict[str, Any]], au: date) -> None:
    """The liquidation's entries, one per period with an amount, in bulk (:func:`secu.core.ledger.post_many`)."""
    entries = []
    for p in periodes:
        if not p["brut_cents"]:
            continue
        branche, code = BRANCHE[p["risque"]], p["organisme_code"]
        payee = "employeurs" if p["beneficiaire"] == "employeur" else "assures"
        lignes = [
            ledger.Ligne(branche, code, f"charges.prestations.ij.{p['risque']}", p["brut_cents"]),
            ledger.Ligne(branche, code, "dettes.attributaires.csg", -p["csg_cents"], contrepartie="URSSAF"),
            ledger.Ligne(branche, code, "dettes.attributaires.cades", -p["crds_cents"], contrepartie="CADES"),
            ledger.Ligne(branche, code, f"dettes.prestations.{payee}", -p["net_cents"]),
        ]
        entries.append(
            ledger.NouvelleEcriture(
                cle_idempotence=f"especes:liquidation:{p['id']}",
                date_operation=au,
                libelle=f"IJ {p['risque']} du {p['debut']:%d/%m/%Y} au {p['fin']:%d/%m/%Y} (arrêt {p['arret_id']})",
                document_source=f"liquidation IJ {au.isoformat()}",
                lignes=tuple(line for line in lignes if line.montant_cents),
            )
        )
    ledger.post_many(session, entries)


# --------------------------------------------------------------------------
# Reading


def periode_out(periode: PeriodeIJ) -> dict[str, Any]:
    return {
        "id": periode.id,
        "arret_id": periode.arret_id,
        "risque": periode.risque,
        "debut": periode.debut,
        "fin": periode.fin,
        "ij_journaliere_cents": periode.ij_journaliere_cents,
        "ij_majoree_cents": periode.ij_majoree_cents,
        "jours_indemnises": periode.jours_indemnises,
        "jours_carence": periode.jours_carence,
        "jours_hors_droits": periode.jours_hors_droits,
        "jours_reduits": periode.jours_reduits,
        "reduction_cents": periode.reduction_cents,
        "jours_refuses": periode.jours_refuses,
        "refus_cents": periode.refus_cents,
        "motif_refus": periode.motif_refus,
        "motifs_refus": [MOTIFS[m] for m in (periode.motif_refus or "").split(",") if m],
        "brut_cents": periode.brut_cents,
        "csg_cents": periode.csg_cents,
        "crds_cents": periode.crds_cents,
        "net_cents": periode.net_cents,
        "beneficiaire": periode.beneficiaire,
        "siret": periode.siret,
        "statut": periode.statut,
        "campagne_id": periode.campagne_id,
        "explication": json.loads(periode.explication),
    }


MOTIFS = {
    "conditions_ouverture": "conditions d'ouverture des droits non remplies, " + rules.MOTIFS_REFUS["conditions_ouverture"],
    "conditions_au_dela_6_mois": "conditions de l'arrêt de plus de six mois non remplies, " + rules.MOTIFS_REFUS["conditions_au_dela_6_mois"],
    "controle_impossible": "avis d'arrêt reçu après la fin de l'arrêt prescrit, la caisse n'a pu contrôler ces jours (CSS art. R. 323-12)",
}
"""What a ``periode_ij.motif_refus`` says to the assuré and the agent."""


def motifs(arret: ArretTravail, periodes: list[PeriodeIJ]) -> list[str]:
    """Why (part of) an arrêt is not paid, in French: what the agent and the assuré read."""
    out = []
    if arret.statut == "en_attente_salaire":
        out.append("en attente de l'attestation de salaire de l'employeur (CSS R. 323-10) : aucune IJ ne peut être calculée")
    carence = sum(p.jours_carence for p in periodes)
    if carence:
        out.append(f"{carence} jour(s) de carence non indemnisé(s) (CSS R. 323-1, 1°)")
    conditions = {m: 0 for m in ("conditions_ouverture", "conditions_au_dela_6_mois")}
    for p in periodes:
        for m in (p.motif_refus or "").split(","):
            if m in conditions:
                conditions[m] += p.jours_hors_droits
    for m, jours in conditions.items():
        if jours:
            out.append(f"{jours} jour(s) non indemnisé(s) : {MOTIFS[m]}")
    hors = sum(p.jours_hors_droits for p in periodes) - sum(conditions.values())
    if hors:
        out.append(f"{hors} jour(s) au-delà des droits (360 IJ sur trois ans, ou trois ans d'ALD : CSS R. 323-1)")
    refuses = sum(p.jours_refuses for p in periodes)
    if refuses:
        out.append(f"{refuses} jour(s) non indemnisé(s), {format_eur(sum(p.refus_cents for p in periodes))} : {MOTIFS['controle_impossible']}")
    reduit = sum(p.reduction_cents for p in periodes)
    if reduit:
        out.append(f"{format_eur(reduit)} retenus pour envoi tardif répété de l'avis d'arrêt (CSS D. 323-2)")
    return out


def arrets_of(session: Session, caller: Caller, personne_id: int) -> list[dict[str, Any]]:
    """A person's arrêts with their IJ periods and why any day was not paid; the read is journaled."""
    personne = session.get(Personne, personne_id)
    if personne is None:
        raise NotFound("dossier introuvable", field="personne_id")
    require_read(session, caller, personne)
    arrets = list(session.scalars(select(ArretTravail).where(ArretTravail.personne_id == personne_id).order_by(ArretTravail.debut.desc(), ArretTravail.id)))
    periodes: dict[int, list[PeriodeIJ]] = {}
    for p in session.scalars(select(PeriodeIJ).where(PeriodeIJ.personne_id == personne_id).order_by(PeriodeIJ.debut)):
        periodes.setdefault(p.arret_id, []).append(p)
    avis: dict[int, list[AvisArret]] = {}
    for a in session.scalars(select(AvisArret).where(AvisArret.arret_id.in_([x.id for x in arrets])).order_by(AvisArret.id)):
        avis.setdefault(a.arret_id, []).append(a)
    journal(session, caller, Action.LECTURE, Ressource.ARRETS_TRAVAIL, personne_id, personne_id=personne_id)
    from secu.especes.indus import indus_de

    indus = indus_de(session, arrets)
    return [
        arret_out(a)
        | {
            "avis": [
                {
                    "numero": v.numero,
                    "nature": v.nature,
                    "date_prescription": v.date_prescription,
                    "date_reception": v.date_reception,
                    "tardif": v.tardif,
                    "sanction": v.sanction,
                    "controle_impossible": v.controle_impossible,
                }
                for v in avis.get(a.id, [])
            ],
            "periodes": [periode_out(p) for p in periodes.get(a.id, [])],
            "motifs": motifs(a, periodes.get(a.id, [])),
            "indus": indus.get(a.id, []),
        }
        for a in arrets
    ]


def attestation_paiement(session: Session, caller: Caller, personne_id: int, du: date, au: date) -> dict[str, Any]:
    """The attestation de paiement des IJ: every period paid between two dates (by its payment run's date)."""
    from secu.especes.models import CampagneIJ

    for name, value in (("du", du), ("au", au)):
        if not date(1900, 1, 1) <= value <= DERNIER_JOUR_GERE:
            raise InvalidField(name, "date hors de la période gérée (1900 à 2100)")
    if au < du:
        raise InvalidField("au", "la fin de la période précède son début")
    personne = session.get(Personne, personne_id)
    if personne is None:
        raise NotFound("dossier introuvable", field="personne_id")
    require_read(session, caller, personne)
    rows = session.execute(
        select(PeriodeIJ, CampagneIJ.date_execution)
        .join(CampagneIJ, CampagneIJ.id == PeriodeIJ.campagne_id)
        .where(PeriodeIJ.personne_id == personne_id, PeriodeIJ.statut == "payee", CampagneIJ.date_execution >= du, CampagneIJ.date_execution <= au)
        .order_by(PeriodeIJ.debut)
    ).all()
    journal(session, caller, Action.LECTURE, Ressource.ATTESTATION_PAIEMENT_IJ, personne_id, personne_id=personne_id)
    lignes = [{"date_paiement": paye_le, **{k: v for k, v in periode_out(p).items() if k != "explication"}} for p, paye_le in rows]
    return {
        "personne": {"id": personne.id, "nom": personne.nom_usage or personne.nom_naissance, "prenoms": personne.prenoms},
        "du": du,
        "au": au,
        "lignes": lignes,
        "total_brut_cents": sum(x["brut_cents"] for x in lignes),
        "total_csg_cents": sum(x["csg_cents"] for x in lignes),
        "total_crds_cents": sum(x["crds_cents"] for x in lignes),
        "total_net_cents": sum(x["net_cents"] for x in lignes),
    }


def ij_subrogees(session: Session, caller: Caller, siret: str) -> list[dict[str, Any]]:
    """The IJ an establishment receives under subrogation (its own SIRET only for an employer)."""
    siret = validate_siret(siret, field="siret")
    etablissement = session.scalar(select(Etablissement).where(Etablissement.siret == siret))
    if etablissement is None:
        raise NotFound("aucun établissement n'est enregistré sous ce SIRET", field="siret")
    reach = exiger(caller, Permission.LIRE_IJ_SUBROGEES)
    if reach is Portee.LE_SIEN and caller.employeur_id != etablissement.employeur_id:
        raise refus("un employeur ne voit que les IJ de ses propres établissements")
    periodes = list(
        session.scalars(select(PeriodeIJ).where(PeriodeIJ.siret == siret, PeriodeIJ.beneficiaire == "employeur").order_by(PeriodeIJ.debut, PeriodeIJ.id))
    )
    personnes = {p.id: p for p in session.scalars(select(Personne).where(Personne.id.in_({x.personne_id for x in periodes})))}
    for p in periodes:
        journal(session, caller, Action.LECTURE, Ressource.IJ_SUBROGEES, p.id, personne_id=p.personne_id, detail=siret)
    return [
        {
            "salarie": f"{personnes[p.personne_id].prenoms} {personnes[p.personne_id].nom_usage or personnes[p.personne_id].nom_naissance}",
            **{k: v for k, v in periode_out(p).items() if k not in ("explication", "siret")},
        }
        for p in periodes
    ]


__all__ = [
    "AvisIn",
    "CongeIn",
    "Liquidation",
    "Reception",
    "arrets_of",
    "attestation_paiement",
    "declarer_conge",
    "ij_subrogees",
    "liquider_periodes",
    "recevoir_attestation_salaire",
    "recevoir_avis",
    "recevoir_avis_retrying",
]
