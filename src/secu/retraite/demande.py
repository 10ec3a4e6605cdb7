"""The demande de retraite: filed → instructed by the CARSAT → decided → notified (issue 14 §3).

One row of ``demande_retraite`` through its life:

1. **demande** (``deposee``): the assuré files it for himself, or an agent of his caisse for him, with the date
   d'effet he wishes and what he declares (children raised, quarters in other régimes, inaptitude). The date
   d'effet is the first day of a month and not before the claim's receipt; without one, the first day of the
   month after the receipt (CSS art. R. 351-37; a claim received on the 1st may take effect that day: Cass. 2e
   civ., 30 mars 2017, n° 16-13.308). The claim goes to the caisse retraite of the person's residence (her
   ``rattachement``: the CARSAT, the CNAV in Île-de-France, a CGSS overseas, as :func:`secu.organismes.route` gives it).
   Filing the same claim twice (same person, same date d'effet) gives back the first one.
2. **instruction** (``instruite``): an agent of that caisse takes the career facts — from the compte de carrière
   (:func:`carriere_pour_liquidation`) once that service is on main, until then keyed by the agent (SAM, quarters,
   all documented on the claim as ``origine_carriere = "agent"``) — and runs
   :func:`secu.retraite.rules.droit_propre.pension_droit_propre`; the row and its steps are stored on the claim.
   He may instruct again until he decides.
3. **décision** (``attribuee`` / ``rejetee``): an attribution writes the ``pension_retraite`` from the instructed
   result; a rejection needs its motif. Either writes the **notification**: a message in the espace assuré and
   its letter as a PDF (:func:`lettre_pdf`) with the amounts and the steps.

Every read and write is journaled (``demande_retraite``, ``file_retraite``, ``pension_retraite``,
``notification_retraite``). The monthly payment is :mod:`secu.retraite.paiement`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import polars as pl
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from secu.acces import Permission, Portee, exiger, refus
from secu.core.dates import mois_decale
from secu.core.entree import Centimes, Entree, Identifiant
from secu.core.errors import Conflict, InvalidField, NotFound
from secu.core.identifiers import validate_bic, validate_iban
from secu.core.money import format_eur
from secu.core.security import Action, Caller, Ressource, journal
from secu.organismes import get_organisme
from secu.register.access import reaches
from secu.register.models import Personne
from secu.retraite import carriere
from secu.retraite.estimation import trimestres_au
from secu.retraite.explication import etapes_pension
from secu.retraite.models_pension import DemandeRetraite, NotificationRetraite, PensionRetraite, VersementRetraite
from secu.retraite.models_survivants import NotificationSolidarite
from secu.retraite.rules.carriere import salaire_annuel_moyen
from secu.retraite.rules.droit_propre import pension_droit_propre

REF_DATE_EFFET = "CSS art. R. 351-37 (date d'entrée en jouissance choisie par l'assuré : le premier jour d'un mois, pas avant la demande)"
REF_TERME_ECHU = "CSS art. R. 355-2 (pensions payables mensuellement et à terme échu aux dates fixées par arrêté)"
DECISIONS = ("attribution", "rejet")

# --------------------------------------------------------------------------
# Inputs


class DemandeIn(Entree):
    """A claim for the pension de droit propre (régime général)."""

    personne_id: Identifiant
    date_demande: date = Field(description="date de réception de la demande par la caisse")
    date_effet: date | None = Field(
        default=None, description="date d'effet souhaitée : le premier jour d'un mois ; par défaut le premier jour du mois suivant la demande"
    )
    enfants: int = Field(default=0, ge=0, le=30, description="enfants élevés (majoration de 10 % à partir de 3, CSS art. L. 351-12)")
    trimestres_autres_regimes: int = Field(default=0, ge=0, le=400, description="trimestres validés dans les autres régimes de base")
    inaptitude: bool = Field(default=False, description="l'assuré demande la retraite au titre de l'inaptitude au travail (L. 351-7)")
    iban: str = Field(max_length=34)
    bic: str | None = Field(default=None, max_length=11)
    titulaire: str | None = Field(default=None, max_length=70)


class InstructionIn(Entree):
    """The agent's instruction: the career facts (until the compte de carrière is on main) and the situation for the CSG."""

    sam_cents: Centimes | None = Field(default=None, description="salaire annuel moyen, en centimes (L. 351-1, R. 351-29)")
    trimestres: int | None = Field(default=None, ge=0, le=400, description="trimestres tous régimes, majorations comprises")
    trimestres_rg: int | None = Field(default=None, ge=0, le=400, description="trimestres au régime général")
    trimestres_cotises: int | None = Field(default=None, ge=0, le=400, description="trimestres cotisés (minimum contributif)")
    trimestres_apres_age_legal: int | None = Field(
        default=None, ge=0, le=200, description="trimestres cotisés après l'âge légal (surcote) ; vide : chaque trimestre civil"
    )
    carriere_longue: bool = False
    age_debut_activite: int | None = Field(
        default=None, ge=14, le=30, description="âge de début d'activité (16, 18, 20 ou 21 : D. 351-1-1), pour la carrière longue"
    )
    inaptitude_reconnue: bool = Field(default=False, description="inaptitude reconnue par le médecin-conseil (L. 351-7)")
    total_pensions_mensuel_cents: Centimes | None = Field(
        default=None,
        description="total mensuel des autres pensions de l'assuré (base et complémentaires, tous régimes), pour l'écrêtement du minimum contributif",
    )
    categorie_csg: str | None = Field(default=None, max_length=10)
    rfr_cents: Centimes | None = Field(default=None, description="revenu fiscal de référence de l'année N-2, en centimes")
    parts: Decimal | None = Field(default=None, ge=1, le=50, description="nombre de parts de ce revenu fiscal")


class DecisionIn(Entree):
    decision: str = Field(description="attribution ou rejet")
    date_decision: date
    motif: str | None = Field(default=None, max_length=500, description="motif du rejet")


# --------------------------------------------------------------------------
# Who may do what


def _personne(session: Session, personne_id: int) -> Personne:
    personne = session.get(Personne, personne_id)
    if personne is None:
        raise NotFound("dossier introuvable", field="personne_id")
    return personne


def _exiger(session: Session, caller: Caller, permission: Permission, personne: Personne, organisme_code: str | None = None) -> Portee:
    """The caller's right over this person's retirement file (an agent: the claims of his caisse)."""
    reach = exiger(caller, permission)
    if reach is Portee.SA_CAISSE and organisme_code is not None:
        if caller.organisme_code != organisme_code:
            raise refus("accès refusé : cette demande relève d'une autre caisse de retraite", personne.id)
        return reach
    if not reaches(session, caller, reach, personne):
        raise refus("accès refusé : ce dossier ne relève pas de votre périmètre", personne.id)
    return reach


# --------------------------------------------------------------------------
# The claim


def _premier_du_mois_suivant(d: date) -> date:
    return mois_decale(d, 1)


def demander(session: Session, caller: Caller, data: DemandeIn, *, today: date | None = None) -> DemandeRetraite:
    """File a claim (the assuré for himself, an agent of his caisse, an administrator); the same claim twice is one."""
    personne = _personne(session, data.personne_id)
    _exiger(session, caller, Permission.RETRAITE_DEMANDER, personne)
    today = today or date.today()
    if data.date_demande > today:
        raise InvalidField("date_demande", "la date de réception de la demande ne peut pas être future")
    if data.date_demande < personne.date_naissance:
        raise InvalidField("date_demande", "la date de la demande précède la naissance")
    date_effet = data.date_effet or _premier_du_mois_suivant(data.date_demande)
    if date_effet.day != 1:
        raise InvalidField("date_effet", f"la date d'effet est nécessairement le premier jour d'un mois ({REF_DATE_EFFET})")
    if date_effet < data.date_demande:
        raise InvalidField("date_effet", f"la date d'effet ne peut pas précéder la réception de la demande ({REF_DATE_EFFET})")
    if personne.date_deces is not None and personne.date_deces < data.date_demande:
        raise InvalidField("date_demande", "la personne est décédée avant la date de la demande")
    iban = validate_iban(data.iban)
    bic = validate_bic(data.bic) if data.bic else None
    existantes = list(session.scalars(select(DemandeRetraite).where(DemandeRetraite.personne_id == personne.id)))
    for existante in existantes:
        if existante.date_effet == date_effet and existante.statut != "rejetee":
            return existante  # the same claim again (a double click, a retry): the first one
    for existante in existantes:
        if existante.statut in ("deposee", "instruite"):
            raise Conflict(f"une demande de retraite est déjà en cours (n° {existante.id}, effet au {existante.date_effet:%d/%m/%Y})", field="personne_id")
        if existante.statut == "attribuee":
            raise Conflict(f"une pension de retraite est déjà attribuée (demande n° {existante.id})", field="personne_id")
        if existante.date_effet == date_effet:
            raise Conflict("une demande à cette date d'effet a été rejetée : choisissez une autre date d'effet", field="date_effet")
    demande = DemandeRetraite(
        personne_id=personne.id,
        organisme_code=carriere.caisse_retraite(session, personne.id),
        date_demande=data.date_demande,
        date_effet=date_effet,
        enfants=data.enfants,
        trimestres_autres_regimes=data.trimestres_autres_regimes,
        inaptitude=data.inaptitude,
        iban=iban,
        bic=bic,
        titulaire=data.titulaire or f"{personne.prenoms} {personne.nom_usage or personne.nom_naissance}"[:70],
        deposee_par=caller.user_id,
    )
    try:
        with session.begin_nested():  # two callers at once: the unique (person, date d'effet) keeps one
            session.add(demande)
            session.flush()
    except IntegrityError:
        premiere = session.scalar(select(DemandeRetraite).where(DemandeRetraite.personne_id == personne.id, DemandeRetraite.date_effet == date_effet))
        if premiere is None:
            raise
        return premiere
    journal(session, caller, Action.CREATION, Ressource.DEMANDE_RETRAITE, demande.id, personne_id=personne.id)
    return demande


def _demande(session: Session, demande_id: int) -> DemandeRetraite:
    demande = session.get(DemandeRetraite, demande_id)
    if demande is None:
        raise NotFound("demande introuvable", field="demande_id")
    return demande


def lire_demande(session: Session, caller: Caller, demande_id: int) -> DemandeRetraite:
    demande = _demande(session, demande_id)
    personne = _personne(session, demande.personne_id)
    _exiger(session, caller, Permission.RETRAITE_LIRE, personne, demande.organisme_code)
    journal(session, caller, Action.LECTURE, Ressource.DEMANDE_RETRAITE, demande.id, personne_id=personne.id)
    return demande


def file_caisse(session: Session, caller: Caller, limite: int = 200) -> list[DemandeRetraite]:
    """The claims of the caller's caisse awaiting a decision, oldest date d'effet first; each listed claim is journaled."""
    reach = exiger(caller, Permission.RETRAITE_INSTRUIRE)
    query = select(DemandeRetraite).where(DemandeRetraite.statut.in_(("deposee", "instruite")))
    if reach is not Portee.TOUT:
        query = query.where(DemandeRetraite.organisme_code == caller.organisme_code)
    demandes = list(session.scalars(query.order_by(DemandeRetraite.date_effet, DemandeRetraite.id).limit(limite)))
    for demande in demandes:
        journal(session, caller, Action.LECTURE, Ressource.FILE_RETRAITE, demande.id, personne_id=demande.personne_id)
    return demandes


# --------------------------------------------------------------------------
# The instruction


@dataclass(frozen=True)
class CarriereLiquidation:
    """The career facts the pension rule needs, at a date d'effet."""

    sam_cents: int
    trimestres: int  # all régimes, majorations included
    trimestres_rg: int
    trimestres_cotises: int


def carriere_pour_liquidation(session: Session, personne_id: int, date_effet: date) -> CarriereLiquidation | None:
    """The career of the compte de carrière (:mod:`secu.retraite.carriere`) at the date d'effet; None when it holds nothing.

    The years of the compte through the career rule (PASS cap, quarters of R. 351-9), the SAM of the years before the
    date d'effet's year (L. 351-11, R. 351-29, the mothers' measure with the children the compte knows), the quarters
    validated before the date d'effet (a year's quarters counted from January, as the estimation counts them) plus the
    majorations for children (L. 351-4)."""
    personne = carriere.personne_ou_404(session, personne_id)
    faits = carriere.faits(session, personne)
    if not faits.lignes:
        return None
    annees = carriere.appliquer_regle(carriere.annees(faits))
    personnes = pl.DataFrame(
        {"personne": [personne.id], "naissance": [personne.date_naissance], "date_effet": [date_effet],
         "enfants_mere": [sum(1 for e in faits.enfants if e.parent == "mere")]},
        schema={"personne": pl.Int64, "naissance": pl.Date, "date_effet": pl.Date, "enfants_mere": pl.Int64},
    )
    sam = int(salaire_annuel_moyen(annees.filter(pl.col("annee") < date_effet.year), personnes).personnes["sam"][0])
    majorations, _ = carriere.majorations_enfants(faits.enfants, date_effet)
    return CarriereLiquidation(
        sam_cents=sam,
        trimestres=trimestres_au(annees, date_effet, "trimestres_tous_regimes") + majorations,
        trimestres_rg=trimestres_au(annees, date_effet, "trimestres_rg"),
        trimestres_cotises=trimestres_au(annees, date_effet, "trimestres_cotises"),
    )


def _ex_invalide(session: Session, personne_id: int) -> bool:
    """Whether the person's pension d'invalidité was handed over to the retraite branch (L. 341-15, L. 351-8)."""
    from secu.especes.invalidite import ConversionRetraite

    return session.scalar(select(ConversionRetraite.id).where(ConversionRetraite.personne_id == personne_id).limit(1)) is not None


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, (int, bool, str, float)) or v is None else str(v)) for k, v in row.items()}


def instruire(session: Session, caller: Caller, demande_id: int, data: InstructionIn, *, now: datetime | None = None) -> DemandeRetraite:
    """Run the pension rule on the career facts; the result and its steps are stored on the claim."""
    demande = _demande(session, demande_id)
    personne = _personne(session, demande.personne_id)
    _exiger(session, caller, Permission.RETRAITE_INSTRUIRE, personne, demande.organisme_code)
    if demande.statut not in ("deposee", "instruite"):
        raise Conflict("la demande a déjà été décidée", field="demande_id")
    compte = None if data.sam_cents is not None else carriere_pour_liquidation(session, personne.id, demande.date_effet)
    if compte is None:  # the agent's keyed facts prevail (a career before secu not imported yet), or the compte is empty
        if data.sam_cents is None:
            raise InvalidField("sam_cents", "le compte de carrière de l'assuré est vide : le salaire annuel moyen est obligatoire")
        if data.trimestres_rg is None:
            raise InvalidField("trimestres_rg", "le nombre de trimestres au régime général est obligatoire")
        trimestres = data.trimestres if data.trimestres is not None else data.trimestres_rg + demande.trimestres_autres_regimes
        cotises = data.trimestres_cotises if data.trimestres_cotises is not None else data.trimestres_rg
        compte = CarriereLiquidation(data.sam_cents, trimestres, data.trimestres_rg, cotises)
        origine = "agent"
    else:
        origine = "compte"
    if compte.trimestres_rg > compte.trimestres:
        raise InvalidField("trimestres_rg", "les trimestres au régime général ne peuvent pas dépasser les trimestres tous régimes")
    if compte.trimestres_cotises > compte.trimestres_rg:
        raise InvalidField("trimestres_cotises", "les trimestres cotisés ne peuvent pas dépasser les trimestres au régime général")
    if (data.rfr_cents is None) != (data.parts is None):
        raise InvalidField("rfr_cents" if data.rfr_cents is None else "parts", "le revenu fiscal de référence et le nombre de parts vont ensemble")
    _prelevements_valides(demande.date_effet, data)
    frame = pl.DataFrame(
        {
            "personne": [personne.id],
            "naissance": [personne.date_naissance],
            "date_effet": [demande.date_effet],
            "sam": [compte.sam_cents],
            "trimestres": [compte.trimestres],
            "trimestres_rg": [compte.trimestres_rg],
            "trimestres_cotises": [compte.trimestres_cotises],
            "trimestres_apres_age_legal": [data.trimestres_apres_age_legal],
            "carriere_longue": [data.carriere_longue],
            "age_debut_activite": [data.age_debut_activite],
            "inaptitude": [demande.inaptitude and data.inaptitude_reconnue],
            "ex_invalide": [_ex_invalide(session, personne.id)],
            "enfants": [demande.enfants],
            "total_pensions_mensuel": [data.total_pensions_mensuel_cents],
        },
        schema_overrides={"sam": pl.Int64, "total_pensions_mensuel": pl.Int64, "personne": pl.Int64, "trimestres_apres_age_legal": pl.Int64,
                          "age_debut_activite": pl.Int64},
    )
    row = pension_droit_propre(frame).row(0, named=True)  # a departure before the âge légal: InvalidField("date_effet", …)
    demande.sam_cents, demande.trimestres = compte.sam_cents, compte.trimestres
    demande.trimestres_rg, demande.trimestres_cotises = compte.trimestres_rg, compte.trimestres_cotises
    demande.carriere_longue, demande.inaptitude_reconnue = data.carriere_longue, demande.inaptitude and data.inaptitude_reconnue
    demande.total_pensions_mensuel_cents, demande.origine_carriere = data.total_pensions_mensuel_cents, origine
    demande.resultat = json.dumps(
        {
            "ligne": _json_row(row),
            "etapes": etapes_pension(row),
            "csg": {"categorie_csg": data.categorie_csg, "rfr_cents": data.rfr_cents, "parts": None if data.parts is None else str(data.parts)},
        },
        default=str,
    )
    demande.statut, demande.instruite_par, demande.instruite_le = "instruite", caller.user_id, now or datetime.now(UTC)
    journal(session, caller, Action.MODIFICATION, Ressource.DEMANDE_RETRAITE, demande.id, personne_id=personne.id, detail="instruction")
    return demande


def _prelevements_valides(mois: date, data: InstructionIn) -> None:
    """The CSG situation checked by the one rule that applies it (names the field in French)."""
    from secu.especes.rules import prelevements_pension

    prelevements_pension(
        pl.DataFrame(
            {
                "montant": [0],
                "mois": [mois],
                "categorie_csg": [data.categorie_csg],
                "rfr": [data.rfr_cents],
                "parts": [None if data.parts is None else float(data.parts)],
            },
            schema={"montant": pl.Int64, "mois": pl.Date, "categorie_csg": pl.String, "rfr": pl.Int64, "parts": pl.Float64},
        )
    )


# --------------------------------------------------------------------------
# The decision and its notification


def decider(session: Session, caller: Caller, demande_id: int, data: DecisionIn) -> DemandeRetraite:
    """Attribution (from the instructed result) or rejet (with its motif); either is notified to the assuré."""
    demande = _demande(session, demande_id)
    personne = _personne(session, demande.personne_id)
    _exiger(session, caller, Permission.RETRAITE_INSTRUIRE, personne, demande.organisme_code)
    if data.decision not in DECISIONS:
        raise InvalidField("decision", "décision inconnue : attribution ou rejet")
    if demande.statut in ("attribuee", "rejetee"):
        raise Conflict("la demande a déjà été décidée", field="demande_id")
    if data.date_decision < demande.date_demande:
        raise InvalidField("date_decision", "la décision ne peut pas précéder la demande")
    if data.decision == "attribution":
        if demande.statut != "instruite" or demande.resultat is None:
            raise Conflict("la demande doit être instruite (carrière et calcul) avant l'attribution", field="demande_id")
        pension = _attribuer(session, demande)
        demande.motif_rejet = None
    else:
        if not data.motif or not data.motif.strip():
            raise InvalidField("motif", "un rejet doit être motivé")
        pension = None
        demande.motif_rejet = data.motif.strip()
    demande.decision, demande.date_decision, demande.decidee_par = data.decision, data.date_decision, caller.user_id
    demande.statut = "attribuee" if pension is not None else "rejetee"
    _notifier(session, demande, personne, pension)
    journal(session, caller, Action.MODIFICATION, Ressource.DEMANDE_RETRAITE, demande.id, personne_id=personne.id, detail=data.decision)
    return demande


def _attribuer(session: Session, demande: DemandeRetraite) -> PensionRetraite:
    assert demande.resultat is not None
    resultat = json.loads(demande.resultat)
    ligne, csg = resultat["ligne"], resultat["csg"]
    pension = PensionRetraite(
        demande_id=demande.id,
        personne_id=demande.personne_id,
        organisme_code=demande.organisme_code,
        date_effet=demande.date_effet,
        pension_annuelle_cents=int(ligne["pension_annuelle"]),
        pension_mensuelle_cents=int(ligne["pension_mensuelle"]),
        iban=demande.iban,
        bic=demande.bic,
        titulaire=demande.titulaire,
        categorie_csg=csg["categorie_csg"],
        rfr_cents=csg["rfr_cents"],
        parts=None if csg["parts"] is None else Decimal(csg["parts"]),
        explication=json.dumps(resultat["etapes"]),
    )
    session.add(pension)
    session.flush()
    return pension


def premiere_echeance(date_effet: date) -> date:
    """The day the first month is paid: the 9th (``pension_paiement.jour``) of the month after the date d'effet."""
    from secu.retraite.paiement import echeance_du_mois

    return echeance_du_mois(date_effet)


def _notifier(session: Session, demande: DemandeRetraite, personne: Personne, pension: PensionRetraite | None) -> NotificationRetraite:
    caisse = get_organisme(demande.organisme_code).nom
    nom = f"{personne.prenoms} {personne.nom_usage or personne.nom_naissance}"
    if pension is not None:
        echeance = premiere_echeance(pension.date_effet)
        objet = f"Attribution de votre retraite du régime général à compter du {pension.date_effet:%d/%m/%Y}"
        paragraphes = [
            f"{caisse} vous attribue votre retraite personnelle du régime général à compter du {pension.date_effet:%d/%m/%Y}.",
            f"Montant brut : {format_eur(pension.pension_mensuelle_cents)} par mois ({format_eur(pension.pension_annuelle_cents)} par an), "
            "avant la CSG, la CRDS et la CASA retenues selon votre revenu fiscal de référence (CSS art. L. 136-8).",
            f"Votre retraite est payée chaque mois à terme échu ({REF_TERME_ECHU}) : le premier paiement, le "
            f"{echeance:%d/%m/%Y}, comprend les mois dus depuis la date d'effet. Elle est revalorisée chaque 1er janvier (CSS art. L. 161-23-1, L. 161-25).",
        ]
        etapes = json.loads(pension.explication)
        montants = {"pension_mensuelle_cents": pension.pension_mensuelle_cents, "pension_annuelle_cents": pension.pension_annuelle_cents}
    else:
        objet = "Rejet de votre demande de retraite"
        paragraphes = [
            f"{caisse} ne peut pas vous attribuer la retraite demandée à compter du {demande.date_effet:%d/%m/%Y}.",
            f"Motif : {demande.motif_rejet}",
            "Vous pouvez contester cette décision devant la commission de recours amiable de la caisse dans un délai de deux mois "
            "(CSS art. R. 142-1).",
        ]
        etapes, montants = [], {}
    notification = NotificationRetraite(
        demande_id=demande.id,
        personne_id=personne.id,
        organisme_code=demande.organisme_code,
        date_notification=demande.date_decision or date.today(),
        objet=objet,
        contenu=json.dumps({"destinataire": nom, "caisse": caisse, "paragraphes": paragraphes, "montants": montants, "etapes": etapes}, ensure_ascii=False),
    )
    session.add(notification)
    session.flush()
    return notification


def lire_notification(session: Session, caller: Caller, demande_id: int) -> NotificationRetraite:
    """The decision's letter (the assuré, his caisse); journaled, and marked read when the assuré opens it."""
    demande = _demande(session, demande_id)
    personne = _personne(session, demande.personne_id)
    _exiger(session, caller, Permission.RETRAITE_LIRE, personne, demande.organisme_code)
    notification = session.scalar(select(NotificationRetraite).where(NotificationRetraite.demande_id == demande.id))
    if notification is None:
        raise NotFound("aucune décision n'a encore été notifiée pour cette demande", field="demande_id")
    if caller.personne_id == personne.id and notification.lue_le is None:
        notification.lue_le = datetime.now(UTC)
    journal(session, caller, Action.LECTURE, Ressource.NOTIFICATION_RETRAITE, notification.id, personne_id=personne.id)
    return notification


def _latin1(text: str) -> str:
    # The PDF's built-in fonts know Latin-1 only: spell out the few characters outside it.
    for a, b in (("€", "EUR"), ("’", "'"), ("œ", "oe"), ("–", "-"), ("—", "-"), ("\u202f", " "), ("\u00a0", " "), ("≥", ">="), ("×", "x")):
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def lettre_pdf(notification: NotificationRetraite | NotificationSolidarite) -> bytes:
    """The notification letter: the caisse, the addressee, the decision, the amounts and each step with its article.

    A pension de droit propre's, or a réversion's, an allocation veuvage's, an ASPA's (:mod:`secu.retraite.survivants`)."""
    from fpdf import FPDF

    contenu = json.loads(notification.contenu)
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(notification.objet))
    pdf.set_author(_latin1(contenu["caisse"]))
    pdf.set_lang("fr")
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(0, 6, _latin1(contenu["caisse"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, _latin1(f"{contenu['destinataire']}\nLe {notification.date_notification:%d/%m/%Y} - demande n° {notification.demande_id}"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, _latin1(notification.objet), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 10)
    for paragraphe in contenu["paragraphes"]:
        pdf.multi_cell(0, 5, _latin1(paragraphe), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    if contenu["etapes"]:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 7, _latin1("Le calcul de votre retraite"), new_x="LMARGIN", new_y="NEXT")
        for step in contenu["etapes"]:
            montant = "" if step["montant_cents"] is None else f" : {format_eur(step['montant_cents'])}"
            pdf.set_font("Helvetica", "", 9)
            pdf.multi_cell(0, 4.5, _latin1(f"- {step['etape']}{montant}"), new_x="LMARGIN", new_y="NEXT")
            if step["reference"]:
                pdf.set_font("Helvetica", "I", 8)
                pdf.multi_cell(0, 4, _latin1(f"  {step['reference']}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# --------------------------------------------------------------------------
# Reads


def demande_out(session: Session, demande: DemandeRetraite) -> dict[str, Any]:
    pension = session.scalar(select(PensionRetraite.id).where(PensionRetraite.demande_id == demande.id))
    resultat = json.loads(demande.resultat) if demande.resultat else None
    return {
        "id": demande.id,
        "personne_id": demande.personne_id,
        "organisme_code": demande.organisme_code,
        "statut": demande.statut,
        "date_demande": demande.date_demande,
        "date_effet": demande.date_effet,
        "enfants": demande.enfants,
        "trimestres_autres_regimes": demande.trimestres_autres_regimes,
        "inaptitude": demande.inaptitude,
        "instruction": None
        if resultat is None
        else {
            "origine_carriere": demande.origine_carriere,
            "sam_cents": demande.sam_cents,
            "trimestres": demande.trimestres,
            "trimestres_rg": demande.trimestres_rg,
            "trimestres_cotises": demande.trimestres_cotises,
            "pension_mensuelle_cents": resultat["ligne"].get("pension_mensuelle"),
            "pension_annuelle_cents": resultat["ligne"].get("pension_annuelle"),
            "etapes": resultat["etapes"],
        },
        "decision": demande.decision,
        "motif_rejet": demande.motif_rejet,
        "date_decision": demande.date_decision,
        "pension_id": pension,
    }


def lire_pension(session: Session, caller: Caller, pension_id: int) -> dict[str, Any]:
    """A pension, its liquidation's steps and its payments; the read is journaled."""
    pension = session.get(PensionRetraite, pension_id)
    if pension is None:
        raise NotFound("pension introuvable", field="pension_id")
    personne = _personne(session, pension.personne_id)
    _exiger(session, caller, Permission.RETRAITE_LIRE, personne, pension.organisme_code)
    journal(session, caller, Action.LECTURE, Ressource.PENSION_RETRAITE, pension.id, personne_id=personne.id)
    return pension_out(session, pension)


def pension_out(session: Session, pension: PensionRetraite) -> dict[str, Any]:
    from secu.retraite.models_pension import CampagneRetraite

    versements = session.execute(
        select(VersementRetraite, CampagneRetraite.date_execution)
        .join(CampagneRetraite, CampagneRetraite.id == VersementRetraite.campagne_id)
        .where(VersementRetraite.pension_id == pension.id)
        .order_by(VersementRetraite.mois)
    ).all()
    return {
        "id": pension.id,
        "personne_id": pension.personne_id,
        "demande_id": pension.demande_id,
        "organisme_code": pension.organisme_code,
        "date_effet": pension.date_effet,
        "date_fin": pension.date_fin,
        "pension_annuelle_cents": pension.pension_annuelle_cents,
        "pension_mensuelle_cents": pension.pension_mensuelle_cents,
        "categorie_csg": pension.categorie_csg,
        "explication": json.loads(pension.explication),
        "versements": [
            {
                "mois": v.mois,
                "date_paiement": paye_le,
                "brut_cents": v.brut_cents,
                "csg_cents": v.csg_cents,
                "crds_cents": v.crds_cents,
                "casa_cents": v.casa_cents,
                "net_cents": v.net_cents,
                "explication": json.loads(v.explication),
            }
            for v, paye_le in versements
        ],
    }


def ma_retraite(session: Session, caller: Caller, personne_id: int) -> dict[str, Any]:
    """The espace assuré's « ma retraite »: the claims, the letters, the pension and its payments (each read journaled)."""
    personne = _personne(session, personne_id)
    _exiger(session, caller, Permission.RETRAITE_LIRE, personne)
    demandes = list(session.scalars(select(DemandeRetraite).where(DemandeRetraite.personne_id == personne.id).order_by(DemandeRetraite.id.desc())))
    out: dict[str, Any] = {"demandes": [], "notifications": [], "pension": None}
    for demande in demandes:
        journal(session, caller, Action.LECTURE, Ressource.DEMANDE_RETRAITE, demande.id, personne_id=personne.id)
        out["demandes"].append(demande_out(session, demande))
    for notification in session.scalars(
        select(NotificationRetraite).where(NotificationRetraite.personne_id == personne.id).order_by(NotificationRetraite.id.desc())
    ):
        journal(session, caller, Action.LECTURE, Ressource.NOTIFICATION_RETRAITE, notification.id, personne_id=personne.id)
        out["notifications"].append(
            {"demande_id": notification.demande_id, "objet": notification.objet, "date": notification.date_notification, "lue": notification.lue_le is not None}
        )
    pension = session.scalar(select(PensionRetraite).where(PensionRetraite.personne_id == personne.id).order_by(PensionRetraite.id.desc()).limit(1))
    if pension is not None:
        journal(session, caller, Action.LECTURE, Ressource.PENSION_RETRAITE, pension.id, personne_id=personne.id)
        out["pension"] = pension_out(session, pension)
    return out


__all__ = [
    "CarriereLiquidation",
    "DecisionIn",
    "DemandeIn",
    "InstructionIn",
    "carriere_pour_liquidation",
    "decider",
    "demande_out",
    "demander",
    "file_caisse",
    "instruire",
    "lettre_pdf",
    "lire_demande",
    "lire_notification",
    "lire_pension",
    "ma_retraite",
    "pension_out",
    "premiere_echeance",
]
