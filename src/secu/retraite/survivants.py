"""The réversion, the allocation veuvage and the ASPA: claimed, instructed, decided, notified, revised (issue 14 §4).

The same life as the pension de droit propre's (:mod:`secu.retraite.demande`), one ``demande_solidarite`` per claim
with its ``nature``:

1. **demande**: the claimant files it (or an agent of her caisse for her) with what she declares — the resources of
   the 3 calendar months before the date d'effet (and of the 12 when those exceed a quarter of the ceiling), the
   household, the children, the length of her marriage; for a réversion or an allocation veuvage, the deceased,
   whose death must be recorded in the register (``personne.date_deces``, or a death declared to the CPAM,
   :class:`secu.especes.deces.DecesAssure`). The date d'effet is the first day of a month, not before the claim,
   by default the first day of the month after it (CSS art. R. 353-7; for a réversion — and, secu's reading, an
   allocation veuvage — claimed within ``survivants.delai_effet_retroactif_mois`` of the death, as early as the
   first day of the month after the death). The claim goes to the caisse retraite of the claimant's residence.
   The same claim twice (person, nature, date d'effet) is one.
2. **instruction** by an agent of that caisse: the deceased's pension is read from ``pension_retraite`` (revalued
   to the date d'effet) or, when he was not yet retired, keyed (the pension « due », with his quarters); the other
   marriages (``duree_mariages_total_mois``: ex-spouses share pro rata, L. 353-3); the deceased's affiliation for the
   allocation veuvage; then the rule (:func:`~secu.retraite.rules.reversion.pension_reversion`,
   :func:`~secu.retraite.rules.veuvage.allocation_veuvage`, :func:`~secu.retraite.rules.aspa.aspa`) and its steps.
3. **décision**: attribution (a benefit whose amount is owed) or rejet (motivated), notified (a message, a PDF).
4. **révision**: new resources from a month on give a new amount row — the réversion until its
   ``date_montant_definitif`` (R. 353-1-1), the allocation veuvage each quarter, the ASPA on any change.
5. **récupération** (ASPA, L. 815-13): once the beneficiary is dead, the net estate the notary declares gives the
   créance on the estate (:func:`~secu.retraite.rules.aspa.recuperation_aspa`), notified and booked to the FSV.

The monthly payment is the caisse's one run (:mod:`secu.retraite.paiement`, :mod:`secu.retraite.paiement_solidarite`).
Every read and write is journaled.
"""

from __future__ import annotations

import calendar
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import polars as pl
from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from secu.acces import Permission, Portee, exiger
from secu.core import ledger
from secu.core.entree import Centimes, Entree, Identifiant
from secu.core.errors import Conflict, InvalidField, NotFound
from secu.core.explication import Etape
from secu.core.identifiers import validate_bic, validate_iban
from secu.core.money import format_eur
from secu.core.parameters import parameters
from secu.core.security import Action, Caller, Ressource, journal
from secu.organismes import get_organisme
from secu.register.models import Personne
from secu.retraite.carriere import caisse_retraite
from secu.retraite.demande import _exiger, _personne, _premier_du_mois_suivant, lettre_pdf
from secu.retraite.explication_solidarite import etapes_aspa, etapes_recuperation, etapes_reversion, etapes_veuvage
from secu.retraite.models_pension import DemandeRetraite, PensionRetraite
from secu.retraite.models_survivants import (
    NATURES,
    DemandeSolidarite,
    MontantSolidarite,
    NotificationSolidarite,
    PrestationSolidarite,
    RecuperationAspa,
    VersementSolidarite,
)
from secu.retraite.paiement_solidarite import FSV
from secu.retraite.rules.aspa import aspa, recuperation_aspa
from secu.retraite.rules.revalorisation import pension_en_service
from secu.retraite.rules.reversion import pension_reversion
from secu.retraite.rules.veuvage import allocation_veuvage

DELAI = "survivants.delai_effet_retroactif_mois"
REF_DATE_EFFET = "CSS art. R. 353-7 (le premier jour d'un mois, pas avant la demande ; dans l'année du décès, dès le mois qui suit le décès)"
LIBELLES = {"reversion": "pension de réversion", "veuvage": "allocation veuvage", "aspa": "allocation de solidarité aux personnes âgées (ASPA)"}
MONTANT = {"reversion": "reversion_mensuelle", "veuvage": "allocation_mensuelle", "aspa": "aspa_mensuelle_allocataire"}
RESSOURCES = {
    "reversion": ("revenus_activite_3_mois", "autres_ressources_3_mois", "revenus_activite_12_mois", "autres_ressources_12_mois"),
    "aspa": ("revenus_activite_3_mois", "autres_ressources_3_mois", "revenus_activite_12_mois", "autres_ressources_12_mois"),
    "veuvage": ("ressources_trimestre", "revenus_reprise_trimestre", "debut_reprise"),
}
DECISIONS = ("attribution", "rejet")

# --------------------------------------------------------------------------
# Inputs


class Ressources(Entree):
    """The resources declared, counted ones only (the rule's docstring says which are left out), in cents."""

    revenus_activite_3_mois: Centimes = Field(default=0, description="revenus d'activité des 3 mois civils précédant la date d'effet")
    autres_ressources_3_mois: Centimes = Field(default=0, description="autres ressources des 3 mois civils précédant la date d'effet")
    revenus_activite_12_mois: Centimes | None = Field(default=None, description="revenus d'activité des 12 mois (si les 3 mois dépassent le quart du plafond)")
    autres_ressources_12_mois: Centimes | None = Field(default=None, description="autres ressources des 12 mois")
    ressources_trimestre: Centimes = Field(default=0, description="allocation veuvage : ressources des 3 mois civils précédents")
    revenus_reprise_trimestre: Centimes = Field(default=0, description="allocation veuvage : dont revenus d'une activité reprise pendant le versement")
    debut_reprise: date | None = Field(default=None, description="allocation veuvage : premier jour du mois suivant la reprise d'activité")


class DemandeSolidariteIn(Ressources):
    """A claim for a réversion, an allocation veuvage or the ASPA."""

    nature: str = Field(description="reversion, veuvage ou aspa")
    personne_id: Identifiant
    defunt_id: Identifiant | None = Field(default=None, description="réversion, veuvage : le dossier de l'assuré décédé")
    date_demande: date = Field(description="date de réception de la demande par la caisse")
    date_effet: date | None = Field(default=None, description="le premier jour d'un mois ; par défaut le premier jour du mois suivant la demande")
    couple: bool = Field(default=False, description="vit en couple (marié, pacsé, concubin) : ressources du ménage")
    enfants: int = Field(default=0, ge=0, le=30, description="réversion : enfants eus ou élevés")
    enfants_a_charge: int = Field(default=0, ge=0, le=30, description="réversion : enfants à charge")
    duree_mariage_mois: int | None = Field(default=None, ge=1, le=1200, description="réversion : durée du mariage avec l'assuré décédé, en mois")
    remarie: bool = Field(default=False, description="allocation veuvage : remarié(e), pacsé(e) ou en concubinage")
    allocataires: int = Field(default=1, ge=1, le=2, description="ASPA : 1, ou 2 quand les deux membres du couple la demandent")
    conjoint_id: Identifiant | None = Field(default=None, description="ASPA : le dossier du conjoint (deux allocataires)")
    inapte: bool = Field(default=False, description="ASPA : inapte au travail, invalide ou handicapé (âge de 62 ans)")
    inapte_conjoint: bool = False
    iban: str = Field(max_length=34)
    bic: str | None = Field(default=None, max_length=11)
    titulaire: str | None = Field(default=None, max_length=70)


class InstructionSolidariteIn(Entree):
    """What the agent establishes: the deceased's pension when he was not retired, the other marriages, the CSG."""

    pension_defunt_cents: Centimes | None = Field(
        default=None, description="réversion : pension annuelle de base de l'assuré décédé (due, s'il n'était pas retraité)")
    trimestres_defunt: int | None = Field(default=None, ge=0, le=400, description="réversion : trimestres de l'assuré au régime général")
    duree_mariages_total_mois: int | None = Field(
        default=None, ge=1, le=2400, description="réversion : durée totale des mariages de l'assuré (ex-conjoints), en mois")
    date_droits_propres: date | None = Field(default=None, description="réversion : entrée en jouissance de toutes les retraites personnelles")
    mois_affiliation_defunt: int | None = Field(
        default=None, ge=0, le=12, description="allocation veuvage : mois d'affiliation de l'assuré dans les 12 mois avant le décès")
    categorie_csg: str | None = Field(default=None, max_length=10)
    rfr_cents: Centimes | None = Field(default=None, description="revenu fiscal de référence de l'année N-2, en centimes")
    parts: Decimal | None = Field(default=None, ge=1, le=50)


class DecisionSolidariteIn(Entree):
    decision: str = Field(description="attribution ou rejet")
    date_decision: date
    motif: str | None = Field(default=None, max_length=500)


class RevisionIn(Ressources):
    """New resources, from the first day of a month."""

    a_compter_du: date = Field(description="le premier jour du mois à compter duquel les ressources sont révisées")
    date_revision: date


class RecuperationIn(Entree):
    """The net estate of a dead ASPA beneficiary, as the notary declares it."""

    date_declaration: date
    notaire: str = Field(min_length=1, max_length=140)
    actif_net_cents: Centimes = Field(description="actif net successoral, en centimes")
    outre_mer: bool = Field(default=False, description="succession relevant du seuil des départements et régions d'outre-mer")


# --------------------------------------------------------------------------
# Deaths


def date_deces(session: Session, personne_id: int) -> date | None:
    """The death as recorded: the register's, or the one declared to the CPAM (the earliest)."""
    from secu.especes.deces import DecesAssure

    dates = [d for d in (session.scalar(select(Personne.date_deces).where(Personne.id == personne_id)),) if d is not None]
    dates += list(session.scalars(select(DecesAssure.date_deces).where(DecesAssure.personne_id == personne_id)))
    return min(dates) if dates else None


def _mois_plus(d: date, n: int) -> date:
    index = d.year * 12 + d.month - 1 + n
    annee, mois = index // 12, index % 12 + 1
    return date(annee, mois, min(d.day, calendar.monthrange(annee, mois)[1]))


# --------------------------------------------------------------------------
# The claim


def demander(session: Session, caller: Caller, data: DemandeSolidariteIn, *, today: date | None = None) -> DemandeSolidarite:
    """File a claim; the same claim twice (person, nature, date d'effet) gives back the first one."""
    if data.nature not in NATURES:
        raise InvalidField("nature", "nature inconnue : reversion, veuvage ou aspa")
    personne = _personne(session, data.personne_id)
    _exiger(session, caller, Permission.RETRAITE_DEMANDER, personne)
    today = today or date.today()
    if data.date_demande > today:
        raise InvalidField("date_demande", "la date de réception de la demande ne peut pas être future")
    if data.date_demande < personne.date_naissance:
        raise InvalidField("date_demande", "la date de la demande précède la naissance")
    if date_deces(session, personne.id) is not None:
        raise InvalidField("personne_id", "le demandeur est décédé")
    plus_tot = data.date_demande
    mort: date | None = None
    if data.nature in ("reversion", "veuvage"):
        if data.defunt_id is None:
            raise InvalidField("defunt_id", "indiquez le dossier de l'assuré décédé")
        if data.defunt_id == personne.id:
            raise InvalidField("defunt_id", "le défunt ne peut pas être le demandeur")
        _personne(session, data.defunt_id)
        mort = date_deces(session, data.defunt_id)
        if mort is None:
            raise InvalidField("defunt_id", "aucun décès de cet assuré n'est enregistré au répertoire : déclarez d'abord le décès")
        if data.date_demande < mort:
            raise InvalidField("date_demande", "la demande précède le décès de l'assuré")
        delai = int(parameters().get(DELAI).at(mort).number())
        if data.date_demande <= _mois_plus(mort, delai):
            plus_tot = _premier_du_mois_suivant(mort) if data.nature == "reversion" else mort.replace(day=1)
    elif data.defunt_id is not None:
        raise InvalidField("defunt_id", "l'ASPA est un droit propre : pas d'assuré décédé")
    if data.allocataires == 2 and (data.conjoint_id is None or not data.couple):
        raise InvalidField("conjoint_id", "deux allocataires : indiquez le dossier du conjoint, qui vit en couple avec le demandeur")
    date_effet = data.date_effet or max(_premier_du_mois_suivant(data.date_demande), plus_tot)
    if date_effet.day != 1:
        raise InvalidField("date_effet", f"la date d'effet est nécessairement le premier jour d'un mois ({REF_DATE_EFFET})")
    if date_effet < plus_tot:
        raise InvalidField("date_effet", f"la date d'effet ne peut pas précéder le {plus_tot:%d/%m/%Y} ({REF_DATE_EFFET})")
    iban = validate_iban(data.iban)
    bic = validate_bic(data.bic) if data.bic else None
    existantes = list(session.scalars(select(DemandeSolidarite).where(DemandeSolidarite.personne_id == personne.id,
                                                                        DemandeSolidarite.nature == data.nature)))
    for existante in existantes:
        if existante.date_effet == date_effet and existante.statut != "rejetee":
            return existante
    for existante in existantes:
        if existante.statut in ("deposee", "instruite", "attribuee"):
            raise Conflict(f"une demande de {LIBELLES[data.nature]} est déjà {'attribuée' if existante.statut == 'attribuee' else 'en cours'} "
                           f"(n° {existante.id})", field="nature")
        if existante.date_effet == date_effet:
            raise Conflict("une demande à cette date d'effet a été rejetée : choisissez une autre date d'effet", field="date_effet")
    declaration = data.model_dump(mode="json", exclude={"personne_id", "date_demande", "date_effet", "iban", "bic", "titulaire", "nature"})
    demande = DemandeSolidarite(
        nature=data.nature,
        personne_id=personne.id,
        defunt_id=data.defunt_id,
        organisme_code=caisse_retraite(session, personne.id),
        date_demande=data.date_demande,
        date_effet=date_effet,
        declaration=json.dumps(declaration),
        iban=iban,
        bic=bic,
        titulaire=data.titulaire or f"{personne.prenoms} {personne.nom_usage or personne.nom_naissance}"[:70],
        deposee_par=caller.user_id,
    )
    try:
        with session.begin_nested():
            session.add(demande)
            session.flush()
    except IntegrityError:
        premiere = session.scalar(select(DemandeSolidarite).where(
            DemandeSolidarite.personne_id == personne.id, DemandeSolidarite.nature == data.nature, DemandeSolidarite.date_effet == date_effet))
        if premiere is None:
            raise
        return premiere
    journal(session, caller, Action.CREATION, Ressource.DEMANDE_SOLIDARITE, demande.id, personne_id=personne.id, detail=data.nature)
    return demande


def _demande(session: Session, demande_id: int) -> DemandeSolidarite:
    demande = session.get(DemandeSolidarite, demande_id)
    if demande is None:
        raise NotFound("demande introuvable", field="demande_id")
    return demande


def lire_demande(session: Session, caller: Caller, demande_id: int) -> DemandeSolidarite:
    demande = _demande(session, demande_id)
    personne = _personne(session, demande.personne_id)
    _exiger(session, caller, Permission.RETRAITE_LIRE, personne, demande.organisme_code)
    journal(session, caller, Action.LECTURE, Ressource.DEMANDE_SOLIDARITE, demande.id, personne_id=personne.id)
    return demande


def file_caisse(session: Session, caller: Caller, limite: int = 200) -> list[DemandeSolidarite]:
    """The claims of the caller's caisse awaiting a decision, oldest first; each listed claim is journaled."""
    reach = exiger(caller, Permission.RETRAITE_INSTRUIRE)
    query = select(DemandeSolidarite).where(DemandeSolidarite.statut.in_(("deposee", "instruite")))
    if reach is not Portee.TOUT:
        query = query.where(DemandeSolidarite.organisme_code == caller.organisme_code)
    demandes = list(session.scalars(query.order_by(DemandeSolidarite.date_effet, DemandeSolidarite.id).limit(limite)))
    for demande in demandes:
        journal(session, caller, Action.LECTURE, Ressource.FILE_RETRAITE, demande.id, personne_id=demande.personne_id, detail=demande.nature)
    return demandes


# --------------------------------------------------------------------------
# The instruction: the rule's input row and its result


def _pension_defunt(session: Session, defunt_id: int, date_effet: date) -> tuple[int, int] | None:
    """The deceased's annual pension de droit propre revalued to the date d'effet, and his quarters, when he was retired."""
    row = session.execute(
        select(PensionRetraite, DemandeRetraite.trimestres_rg).join(DemandeRetraite, DemandeRetraite.id == PensionRetraite.demande_id)
        .where(PensionRetraite.personne_id == defunt_id).order_by(PensionRetraite.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    pension, trimestres = row
    revalorisee = pension_en_service(pl.DataFrame(
        {"date_effet": [pension.date_effet], "mois": [max(date_effet, pension.date_effet)], "pension_mensuelle": [pension.pension_annuelle_cents]},
        schema={"date_effet": pl.Date, "mois": pl.Date, "pension_mensuelle": pl.Int64},
    )).item(0, "pension_mensuelle_revalorisee")
    return int(revalorisee), int(trimestres or 0)


def _entree(session: Session, demande: DemandeSolidarite, data: InstructionSolidariteIn) -> tuple[dict[str, Any], dict[str, Any]]:
    """The rule's input row (resources aside) and the resources, from the claim and the instruction."""
    declaration = json.loads(demande.declaration)
    personne = _personne(session, demande.personne_id)
    ressources = {k: declaration.get(k) for k in RESSOURCES[demande.nature]}
    if demande.nature == "reversion":
        assert demande.defunt_id is not None
        mort = date_deces(session, demande.defunt_id)
        lue = _pension_defunt(session, demande.defunt_id, demande.date_effet)
        if lue is None and data.pension_defunt_cents is None:
            raise InvalidField("pension_defunt_cents", "l'assuré décédé n'était pas retraité : indiquez la pension qui lui était due")
        if lue is None and data.trimestres_defunt is None:
            raise InvalidField("trimestres_defunt", "indiquez les trimestres de l'assuré décédé au régime général")
        pension, trimestres = lue if lue is not None else (data.pension_defunt_cents, data.trimestres_defunt)
        duree = declaration.get("duree_mariage_mois")
        if data.duree_mariages_total_mois is not None and duree is None:
            raise InvalidField("duree_mariages_total_mois", "pour partager la réversion, la durée de ce mariage doit figurer sur la demande")
        if data.duree_mariages_total_mois is not None and duree > data.duree_mariages_total_mois:
            raise InvalidField("duree_mariages_total_mois", "la durée totale des mariages ne peut pas être inférieure à celle de ce mariage")
        entree = {
            "date_effet": demande.date_effet, "date_deces": mort, "naissance": personne.date_naissance,
            "pension_defunt": pension, "trimestres_defunt": trimestres, "couple": declaration["couple"],
            "enfants": declaration["enfants"], "enfants_a_charge": declaration["enfants_a_charge"],
            "duree_mariage": duree if data.duree_mariages_total_mois is not None else None,
            "duree_mariages_total": data.duree_mariages_total_mois, "date_droits_propres": data.date_droits_propres,
            "pension_defunt_origine": "pension_retraite" if lue is not None else "due",
        }
    elif demande.nature == "veuvage":
        assert demande.defunt_id is not None
        if data.mois_affiliation_defunt is None:
            raise InvalidField("mois_affiliation_defunt", "indiquez les mois d'affiliation de l'assuré dans les 12 mois précédant son décès")
        entree = {"date_deces": date_deces(session, demande.defunt_id), "naissance": personne.date_naissance, "mois": demande.date_effet,
                  "mois_affiliation_defunt": data.mois_affiliation_defunt, "remarie": declaration["remarie"]}
    else:
        conjoint = declaration.get("conjoint_id")
        entree = {
            "date_effet": demande.date_effet, "naissance": personne.date_naissance, "couple": declaration["couple"],
            "allocataires": declaration["allocataires"], "inapte": declaration["inapte"], "inapte_conjoint": declaration["inapte_conjoint"],
            "naissance_conjoint": _personne(session, conjoint).date_naissance if conjoint else None,
        }
    return entree, ressources


def calculer(nature: str, entree: dict[str, Any], ressources: dict[str, Any], a_compter_du: date | None = None) -> tuple[dict[str, Any], list[Etape]]:
    """The rule's row and its steps, for the amount from ``a_compter_du`` (default the date d'effet)."""
    row = {k: v for k, v in (entree | ressources).items() if k != "pension_defunt_origine"}
    for k in ("date_effet", "date_deces", "naissance", "mois", "date_droits_propres", "naissance_conjoint", "debut_reprise"):
        if isinstance(row.get(k), str):
            row[k] = date.fromisoformat(row[k])
    if a_compter_du is not None:
        row["mois" if nature == "veuvage" else "date_effet"] = a_compter_du
    row = {k: v for k, v in row.items() if v is not None}
    dates = {k: pl.Date for k, v in row.items() if isinstance(v, date)}
    frame = pl.DataFrame({k: [v] for k, v in row.items()}, schema_overrides=dates)
    if nature == "reversion":
        out = pension_reversion(frame).row(0, named=True)
        return out, etapes_reversion(out)
    if nature == "veuvage":
        out = allocation_veuvage(frame).row(0, named=True)
        return out, etapes_veuvage(out)
    out = aspa(frame).row(0, named=True)
    return out, etapes_aspa(out)


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def _etapes_json(etapes: list[Etape]) -> list[dict[str, Any]]:
    return [dict(e) for e in etapes]


def _prelevements_valides(mois: date, data: InstructionSolidariteIn) -> None:
    from secu.especes.rules import prelevements_pension

    prelevements_pension(pl.DataFrame(
        {"montant": [0], "mois": [mois], "categorie_csg": [data.categorie_csg], "rfr": [data.rfr_cents],
         "parts": [None if data.parts is None else float(data.parts)]},
        schema={"montant": pl.Int64, "mois": pl.Date, "categorie_csg": pl.String, "rfr": pl.Int64, "parts": pl.Float64},
    ))


def instruire(session: Session, caller: Caller, demande_id: int, data: InstructionSolidariteIn, *, now: datetime | None = None) -> DemandeSolidarite:
    """Run the benefit's rule on the claim and the facts established; the row and its steps are stored on the claim."""
    demande = _demande(session, demande_id)
    personne = _personne(session, demande.personne_id)
    _exiger(session, caller, Permission.RETRAITE_INSTRUIRE, personne, demande.organisme_code)
    if demande.statut not in ("deposee", "instruite"):
        raise Conflict("la demande a déjà été décidée", field="demande_id")
    if demande.nature == "reversion":
        _prelevements_valides(demande.date_effet, data)
    entree, ressources = _entree(session, demande, data)
    ligne, etapes = calculer(demande.nature, entree, ressources)
    demande.instruction = _json({"entree": entree, "ressources": ressources, "csg": data.model_dump(
        mode="json", include={"categorie_csg", "rfr_cents", "parts"})})
    demande.resultat = _json({"ligne": ligne, "etapes": _etapes_json(etapes), "montant_mensuel_cents": int(ligne[MONTANT[demande.nature]])})
    demande.statut, demande.instruite_par, demande.instruite_le = "instruite", caller.user_id, now or datetime.now(UTC)
    journal(session, caller, Action.MODIFICATION, Ressource.DEMANDE_SOLIDARITE, demande.id, personne_id=personne.id, detail="instruction")
    return demande


# --------------------------------------------------------------------------
# The decision


def decider(session: Session, caller: Caller, demande_id: int, data: DecisionSolidariteIn) -> DemandeSolidarite:
    """Attribution (of an amount owed, from the instructed result) or rejet (motivated); either is notified."""
    demande = _demande(session, demande_id)
    personne = _personne(session, demande.personne_id)
    _exiger(session, caller, Permission.RETRAITE_INSTRUIRE, personne, demande.organisme_code)
    if data.decision not in DECISIONS:
        raise InvalidField("decision", "décision inconnue : attribution ou rejet")
    if demande.statut in ("attribuee", "rejetee"):
        raise Conflict("la demande a déjà été décidée", field="demande_id")
    if data.date_decision < demande.date_demande:
        raise InvalidField("date_decision", "la décision ne peut pas précéder la demande")
    prestation = None
    if data.decision == "attribution":
        if demande.statut != "instruite" or demande.resultat is None or demande.instruction is None:
            raise Conflict("la demande doit être instruite avant l'attribution", field="demande_id")
        resultat = json.loads(demande.resultat)
        if resultat["montant_mensuel_cents"] <= 0:
            raise Conflict("le calcul ne donne aucun montant dû (conditions ou ressources) : rejetez la demande en la motivant", field="decision")
        prestation = _attribuer(session, caller, demande, resultat)
    else:
        if not data.motif or not data.motif.strip():
            raise InvalidField("motif", "un rejet doit être motivé")
        demande.motif_rejet = data.motif.strip()
    demande.decision, demande.date_decision, demande.decidee_par = data.decision, data.date_decision, caller.user_id
    demande.statut = "attribuee" if prestation is not None else "rejetee"
    _notifier_decision(session, demande, personne, prestation)
    journal(session, caller, Action.MODIFICATION, Ressource.DEMANDE_SOLIDARITE, demande.id, personne_id=personne.id, detail=data.decision)
    return demande


def _attribuer(session: Session, caller: Caller, demande: DemandeSolidarite, resultat: dict[str, Any]) -> PrestationSolidarite:
    assert demande.instruction is not None
    instruction = json.loads(demande.instruction)
    ligne, csg = resultat["ligne"], instruction["csg"]
    date_fin = date.fromisoformat(ligne["fin_droit"]) if demande.nature == "veuvage" else None
    definitif = date.fromisoformat(ligne["date_montant_definitif"]) if demande.nature == "reversion" else None
    prestation = PrestationSolidarite(
        demande_id=demande.id, nature=demande.nature, personne_id=demande.personne_id, organisme_code=demande.organisme_code,
        date_effet=demande.date_effet, date_fin=date_fin, date_montant_definitif=definitif, entree=_json(instruction["entree"]),
        iban=demande.iban, bic=demande.bic, titulaire=demande.titulaire,
        categorie_csg=csg["categorie_csg"] if demande.nature == "reversion" else "exoneree",
        rfr_cents=csg["rfr_cents"], parts=None if csg["parts"] is None else Decimal(csg["parts"]),
    )
    session.add(prestation)
    session.flush()
    session.add(MontantSolidarite(
        prestation_id=prestation.id, a_compter_du=demande.date_effet, ressources=_json(instruction["ressources"]),
        montant_mensuel_cents=resultat["montant_mensuel_cents"], explication=_json(resultat["etapes"]),
        definitif=definitif is not None and definitif <= demande.date_effet, creee_par=caller.user_id,
    ))
    session.flush()
    return prestation


def _nom(personne: Personne) -> str:
    return f"{personne.prenoms} {personne.nom_usage or personne.nom_naissance}"


def _notification(session: Session, demande: DemandeSolidarite, personne_id: int, motif: str, objet: str, paragraphes: list[str],
                  montants: dict[str, int], etapes: list[dict[str, Any]], destinataire: str, jour: date) -> NotificationSolidarite:
    notification = NotificationSolidarite(
        demande_id=demande.id, personne_id=personne_id, organisme_code=demande.organisme_code, motif=motif, date_notification=jour, objet=objet,
        contenu=json.dumps({"destinataire": destinataire, "caisse": get_organisme(demande.organisme_code).nom, "paragraphes": paragraphes,
                            "montants": montants, "etapes": etapes}, ensure_ascii=False, default=str),
    )
    session.add(notification)
    session.flush()
    return notification


def _notifier_decision(session: Session, demande: DemandeSolidarite, personne: Personne, prestation: PrestationSolidarite | None) -> None:
    from secu.retraite.paiement import echeance_du_mois

    caisse = get_organisme(demande.organisme_code).nom
    libelle = LIBELLES[demande.nature]
    jour = demande.date_decision or date.today()
    if prestation is not None:
        resultat = json.loads(demande.resultat or "{}")
        montant = resultat["montant_mensuel_cents"]
        paragraphes = [
            f"{caisse} vous attribue la {libelle} à compter du {prestation.date_effet:%d/%m/%Y} : {format_eur(montant)} par mois.",
            f"Elle est payée chaque mois à terme échu ; le premier paiement, le {echeance_du_mois(prestation.date_effet):%d/%m/%Y} "
            "ou à la première échéance qui suit cette décision, comprend les mois dus depuis la date d'effet.",
        ]
        if demande.nature == "reversion":
            paragraphes.append(
                f"Ses ressources sont révisables jusqu'au {prestation.date_montant_definitif:%d/%m/%Y}, date à laquelle son montant devient définitif "
                "(CSS art. R. 353-1-1) : signalez tout changement de vos ressources. Elle est soumise à la CSG, à la CRDS et à la CASA.")
        elif demande.nature == "veuvage":
            paragraphes.append(f"Elle est versée jusqu'au {prestation.date_fin:%d/%m/%Y} au plus tard (CSS art. D. 356-5) ; "
                               "déclarez vos ressources chaque trimestre.")
        else:
            paragraphes.append("L'ASPA est financée par le Fonds de solidarité vieillesse. Les sommes versées sont récupérables sur la succession, "
                               "pour la part de l'actif net qui dépasse le seuil légal (CSS art. L. 815-13).")
        _notification(session, demande, personne.id, "decision", f"Attribution de votre {libelle} à compter du {prestation.date_effet:%d/%m/%Y}",
                      paragraphes, {"montant_mensuel_cents": montant}, resultat["etapes"], _nom(personne), jour)
    else:
        _notification(session, demande, personne.id, "decision", f"Rejet de votre demande de {libelle}", [
            f"{caisse} ne peut pas vous attribuer la {libelle} demandée à compter du {demande.date_effet:%d/%m/%Y}.",
            f"Motif : {demande.motif_rejet}",
            "Vous pouvez contester cette décision devant la commission de recours amiable de la caisse dans un délai de deux mois (CSS art. R. 142-1).",
        ], {}, [], _nom(personne), jour)


# --------------------------------------------------------------------------
# The revision of the resources


def _prestation(session: Session, prestation_id: int) -> PrestationSolidarite:
    prestation = session.get(PrestationSolidarite, prestation_id)
    if prestation is None:
        raise NotFound("prestation introuvable", field="prestation_id")
    return prestation


def reviser(session: Session, caller: Caller, prestation_id: int, data: RevisionIn) -> MontantSolidarite:
    """New resources from a month on: the rule run again, a new amount row, a letter; the same revision twice is one."""
    prestation = _prestation(session, prestation_id)
    personne = _personne(session, prestation.personne_id)
    _exiger(session, caller, Permission.RETRAITE_INSTRUIRE, personne, prestation.organisme_code)
    if data.a_compter_du.day != 1:
        raise InvalidField("a_compter_du", "la révision prend effet le premier jour d'un mois")
    if data.a_compter_du <= prestation.date_effet:
        raise InvalidField("a_compter_du", "la révision suit la date d'effet : la première période est celle de l'attribution")
    if prestation.date_fin is not None and data.a_compter_du >= prestation.date_fin:
        raise InvalidField("a_compter_du", f"la prestation a pris fin le {prestation.date_fin:%d/%m/%Y}")
    if prestation.date_montant_definitif is not None and data.a_compter_du > prestation.date_montant_definitif:
        raise InvalidField("a_compter_du", f"le montant de la réversion est définitif depuis le {prestation.date_montant_definitif:%d/%m/%Y} "
                                           "(CSS art. R. 353-1-1) : il n'est plus révisé")
    ressources = {k: v for k, v in data.model_dump(mode="json").items() if k in RESSOURCES[prestation.nature]}
    existante = session.scalar(select(MontantSolidarite).where(MontantSolidarite.prestation_id == prestation.id,
                                                               MontantSolidarite.a_compter_du == data.a_compter_du))
    if existante is not None:
        if json.loads(existante.ressources) == ressources:
            return existante
        raise Conflict(f"une révision au {data.a_compter_du:%d/%m/%Y} est déjà enregistrée", field="a_compter_du")
    ligne, etapes = calculer(prestation.nature, json.loads(prestation.entree), ressources, data.a_compter_du)
    montant = int(ligne[MONTANT[prestation.nature]])
    definitif = prestation.date_montant_definitif is not None and data.a_compter_du >= prestation.date_montant_definitif
    revision = MontantSolidarite(prestation_id=prestation.id, a_compter_du=data.a_compter_du, ressources=_json(ressources), montant_mensuel_cents=montant,
                                 explication=_json(_etapes_json(etapes)), definitif=definitif, creee_par=caller.user_id)
    session.add(revision)
    session.flush()
    demande = _demande(session, prestation.demande_id)
    libelle = LIBELLES[prestation.nature]
    _notification(session, demande, personne.id, "revision", f"Révision de votre {libelle} au {data.a_compter_du:%d/%m/%Y}", [
        f"Compte tenu des ressources déclarées, votre {libelle} est de {format_eur(montant)} par mois à compter du {data.a_compter_du:%d/%m/%Y}.",
        *(["Ce montant est définitif (CSS art. R. 353-1-1)."] if definitif else []),
        "Les mois déjà payés ne sont pas repris par ce paiement ; un trop-perçu ou un rappel vous sera notifié séparément.",
    ], {"montant_mensuel_cents": montant}, _etapes_json(etapes), _nom(personne), data.date_revision)
    journal(session, caller, Action.MODIFICATION, Ressource.PRESTATION_SOLIDARITE, prestation.id, personne_id=personne.id, detail="revision")
    return revision


# --------------------------------------------------------------------------
# The recovery of the ASPA on the estate (L. 815-13)


def recuperer(session: Session, caller: Caller, prestation_id: int, data: RecuperationIn) -> RecuperationAspa:
    """The créance on a dead beneficiary's estate: computed, notified to the estate, booked to the FSV. Once per benefit."""
    prestation = _prestation(session, prestation_id)
    personne = _personne(session, prestation.personne_id)
    _exiger(session, caller, Permission.RETRAITE_INSTRUIRE, personne, prestation.organisme_code)
    if prestation.nature != "aspa":
        raise InvalidField("prestation_id", "seule l'ASPA est récupérable sur la succession (CSS art. L. 815-13)")
    mort = date_deces(session, personne.id)
    if mort is None:
        raise InvalidField("prestation_id", "le décès de l'allocataire n'est pas enregistré : pas de succession à ce jour")
    if data.date_declaration < mort:
        raise InvalidField("date_declaration", "la déclaration de la succession précède le décès")
    existante = session.scalar(select(RecuperationAspa).where(RecuperationAspa.prestation_id == prestation.id))
    if existante is not None:
        if (existante.actif_net_cents, existante.outre_mer) == (data.actif_net_cents, data.outre_mer):
            return existante
        raise Conflict("la récupération sur cette succession est déjà notifiée", field="prestation_id")
    versee, mois = session.execute(select(func.coalesce(func.sum(VersementSolidarite.brut_cents), 0), func.count(VersementSolidarite.id))
                                   .where(VersementSolidarite.prestation_id == prestation.id)).one()
    couple = int(json.loads(prestation.entree).get("allocataires", 1)) == 2
    ligne = recuperation_aspa(pl.DataFrame(
        {"date_deces": [mort], "actif_net": [data.actif_net_cents], "aspa_versee": [int(versee)], "mois_versement": [int(mois)],
         "couple": [couple], "outre_mer": [data.outre_mer]},
        schema={"date_deces": pl.Date, "actif_net": pl.Int64, "aspa_versee": pl.Int64, "mois_versement": pl.Int64, "couple": pl.Boolean,
                "outre_mer": pl.Boolean},
    )).row(0, named=True)
    etapes = _etapes_json(etapes_recuperation(ligne))
    recuperation = RecuperationAspa(
        prestation_id=prestation.id, personne_id=personne.id, organisme_code=prestation.organisme_code, date_deces=mort,
        date_declaration=data.date_declaration, notaire=data.notaire.strip(), actif_net_cents=data.actif_net_cents, outre_mer=data.outre_mer,
        aspa_versee_cents=int(versee), mois_versement=int(mois), montant_cents=int(ligne["recuperation"]), explication=_json(etapes),
        creee_par=caller.user_id,
    )
    session.add(recuperation)
    session.flush()
    if recuperation.montant_cents:
        # The FSV's books: its receivable on the estate, its product (the CNAV recovers for the fund).
        ledger.post(session, ledger.NouvelleEcriture(
            cle_idempotence=f"retraite:recuperation_aspa:{prestation.id}", date_operation=data.date_declaration,
            libelle=f"Récupération de l'ASPA sur la succession (prestation {prestation.id})", document_source=f"recuperation aspa {recuperation.id}",
            lignes=(ledger.Ligne("fsv", FSV, "creances.successions.aspa", recuperation.montant_cents, contrepartie=f"succession {personne.id}"),
                    ledger.Ligne("fsv", FSV, "produits.recuperations.aspa", -recuperation.montant_cents)),
        ))
    demande = _demande(session, prestation.demande_id)
    _notification(session, demande, personne.id, "recuperation", "Récupération de l'ASPA sur la succession", [
        f"À l'attention de {data.notaire.strip()}, notaire chargé de la succession de {_nom(personne)}, décédé(e) le {mort:%d/%m/%Y}.",
        f"L'ASPA versée : {format_eur(int(versee))} sur {int(mois)} mois. Actif net successoral déclaré : {format_eur(data.actif_net_cents)}.",
        f"Somme à récupérer sur la succession au profit du Fonds de solidarité vieillesse : {format_eur(recuperation.montant_cents)} (CSS art. L. 815-13).",
    ], {"recuperation_cents": recuperation.montant_cents}, etapes, f"Succession de {_nom(personne)}", data.date_declaration)
    journal(session, caller, Action.CREATION, Ressource.RECUPERATION_ASPA, recuperation.id, personne_id=personne.id)
    return recuperation


# --------------------------------------------------------------------------
# Reads


def demande_out(session: Session, demande: DemandeSolidarite) -> dict[str, Any]:
    prestation = session.scalar(select(PrestationSolidarite.id).where(PrestationSolidarite.demande_id == demande.id))
    resultat = json.loads(demande.resultat) if demande.resultat else None
    return {
        "id": demande.id, "nature": demande.nature, "personne_id": demande.personne_id, "defunt_id": demande.defunt_id,
        "organisme_code": demande.organisme_code, "statut": demande.statut, "date_demande": demande.date_demande,
        "date_effet": demande.date_effet, "declaration": json.loads(demande.declaration),
        "instruction": None if resultat is None else {"montant_mensuel_cents": resultat["montant_mensuel_cents"], "etapes": resultat["etapes"]},
        "decision": demande.decision, "motif_rejet": demande.motif_rejet, "date_decision": demande.date_decision, "prestation_id": prestation,
    }


def prestation_out(session: Session, prestation: PrestationSolidarite) -> dict[str, Any]:
    from secu.retraite.models_pension import CampagneRetraite

    montants = session.scalars(select(MontantSolidarite).where(MontantSolidarite.prestation_id == prestation.id).order_by(MontantSolidarite.a_compter_du))
    versements = session.execute(
        select(VersementSolidarite, CampagneRetraite.date_execution).join(CampagneRetraite, CampagneRetraite.id == VersementSolidarite.campagne_id)
        .where(VersementSolidarite.prestation_id == prestation.id).order_by(VersementSolidarite.mois)
    ).all()
    recuperation = session.scalar(select(RecuperationAspa).where(RecuperationAspa.prestation_id == prestation.id))
    return {
        "id": prestation.id, "nature": prestation.nature, "personne_id": prestation.personne_id, "demande_id": prestation.demande_id,
        "organisme_code": prestation.organisme_code, "date_effet": prestation.date_effet, "date_fin": prestation.date_fin,
        "date_montant_definitif": prestation.date_montant_definitif,
        "montants": [{"a_compter_du": m.a_compter_du, "montant_mensuel_cents": m.montant_mensuel_cents, "definitif": m.definitif,
                      "explication": json.loads(m.explication)} for m in montants],
        "versements": [{"mois": v.mois, "date_paiement": paye_le, "brut_cents": v.brut_cents, "csg_cents": v.csg_cents, "crds_cents": v.crds_cents,
                        "casa_cents": v.casa_cents, "net_cents": v.net_cents, "explication": json.loads(v.explication)} for v, paye_le in versements],
        "recuperation": None if recuperation is None else {"montant_cents": recuperation.montant_cents, "actif_net_cents": recuperation.actif_net_cents,
                                                           "date_declaration": recuperation.date_declaration},
    }


def lire_prestation(session: Session, caller: Caller, prestation_id: int) -> dict[str, Any]:
    prestation = _prestation(session, prestation_id)
    personne = _personne(session, prestation.personne_id)
    _exiger(session, caller, Permission.RETRAITE_LIRE, personne, prestation.organisme_code)
    journal(session, caller, Action.LECTURE, Ressource.PRESTATION_SOLIDARITE, prestation.id, personne_id=personne.id)
    return prestation_out(session, prestation)


def lire_notification(session: Session, caller: Caller, notification_id: int) -> NotificationSolidarite:
    """A letter (the addressee, the caisse); journaled, and marked read when the assuré opens it."""
    notification = session.get(NotificationSolidarite, notification_id)
    if notification is None:
        raise NotFound("notification introuvable", field="notification_id")
    personne = _personne(session, notification.personne_id)
    _exiger(session, caller, Permission.RETRAITE_LIRE, personne, notification.organisme_code)
    if caller.personne_id == personne.id and notification.lue_le is None:
        notification.lue_le = datetime.now(UTC)
    journal(session, caller, Action.LECTURE, Ressource.NOTIFICATION_SOLIDARITE, notification.id, personne_id=personne.id)
    return notification


def mes_prestations(session: Session, caller: Caller, personne_id: int) -> dict[str, Any]:
    """The espace assuré: the claims, the letters, the benefits and their payments (each read journaled)."""
    personne = _personne(session, personne_id)
    _exiger(session, caller, Permission.RETRAITE_LIRE, personne)
    out: dict[str, Any] = {"demandes": [], "notifications": [], "prestations": []}
    for demande in session.scalars(select(DemandeSolidarite).where(DemandeSolidarite.personne_id == personne.id).order_by(DemandeSolidarite.id.desc())):
        journal(session, caller, Action.LECTURE, Ressource.DEMANDE_SOLIDARITE, demande.id, personne_id=personne.id)
        out["demandes"].append(demande_out(session, demande))
    for n in session.scalars(select(NotificationSolidarite).where(NotificationSolidarite.personne_id == personne.id)
                             .order_by(NotificationSolidarite.id.desc())):
        journal(session, caller, Action.LECTURE, Ressource.NOTIFICATION_SOLIDARITE, n.id, personne_id=personne.id)
        out["notifications"].append({"id": n.id, "demande_id": n.demande_id, "objet": n.objet, "date": n.date_notification, "lue": n.lue_le is not None})
    for p in session.scalars(select(PrestationSolidarite).where(PrestationSolidarite.personne_id == personne.id).order_by(PrestationSolidarite.id)):
        journal(session, caller, Action.LECTURE, Ressource.PRESTATION_SOLIDARITE, p.id, personne_id=personne.id)
        out["prestations"].append(prestation_out(session, p))
    return out


__all__ = [
    "LIBELLES", "DecisionSolidariteIn", "DemandeSolidariteIn", "InstructionSolidariteIn", "RecuperationIn", "RevisionIn",
    "calculer", "date_deces", "decider", "demande_out", "demander", "file_caisse", "instruire", "lire_demande", "lire_notification",
    "lettre_pdf", "lire_prestation", "mes_prestations", "prestation_out", "recuperer", "reviser",
]
