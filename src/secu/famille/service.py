"""Use cases of the CAF: declare a household, record its dated changes, rebuild its months, compute its rights.

The household of the register (`foyer`, `membre_foyer`) is the CAF's household;
the dossier allocataire adds the CAF, the account and the history of changes.
The state of any month is rebuilt from that history (nothing is overwritten),
so a change recorded late recomputes the months it reaches.

When a change counts (CSS R552-2, I): rights open from the first day of the
month after the one in which their conditions are met, so every change takes
effect from the first day of the month after its event. A birth is the
exception the rules handle themselves: a child born in month M is in the
`enfants` frame from M, and `rules.droits` opens or closes each benefit from
the birth date (R552-2; prime à la naissance, PAJE).

Resources (CSS R532-3): the year N-2 of the calendar year of the month. A
member's resources of a year are, in this order: the latest declared amount;
the DSN salary records still in force (net imposable less the 10 %
déduction forfaitaire for professional expenses within its yearly minimum and
maximum, CGI art. 83, 3°, computed by ``rules.ressources_salaires``);
otherwise zero.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secu.acces import Permission, Portee, couvre_organisme, exiger, portee
from secu.core.errors import Forbidden, InvalidField, NotFound
from secu.core.identifiers import validate_bic, validate_iban
from secu.core.money import to_cents
from secu.core.security import Action, Caller, journal
from secu.core.security import Ressource as RessourceJournal  # famille has its own Ressource (income)
from secu.famille import rules
from secu.famille.models import (
    DossierAllocataire,
    EvenementFamille,
    RessourceAnnuelle,
)
from secu.famille.schemas import ChangementIn, DeclarationIn, EnfantAttributs
from secu.organismes import route
from secu.organismes.territoire import validate_departement
from secu.register import schemas as register_schemas
from secu.register import service as register_service
from secu.register.access import require_person_write
from secu.register.models import MembreFoyer, Personne, Rattachement

NOTE_DSN = (
    "ressources tirées des salaires déclarés en DSN : net imposable (net avant impôt + CSG non déductible + CRDS) "
    "diminué de la déduction forfaitaire de 10 % pour frais professionnels, dans ses minimum et plafond de l'année "
    "(CGI art. 83, 3°) ; CSS R532-3"
)
CHILD_NATURES = ("garde_alternee", "aeeh", "asf", "salaire_enfant", "scolarite", "depart_enfant")


# -- dates -------------------------------------------------------------------------------


def first_of_month(d: date) -> date:
    return d.replace(day=1)


def next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def month_range(start: date, end: date) -> list[date]:
    months, m = [], first_of_month(start)
    while m <= end:
        months.append(m)
        m = next_month(m)
    return months


def effect_of(d: date) -> date:
    """CSS R552-2, I: a change counts from the first day of the next month."""
    return next_month(d)


def _fr(d: date) -> str:
    return f"{d:%d/%m/%Y}"


# -- access --------------------------------------------------------------------------------


def _caf_of(session: Session, personne_id: int) -> str:
    code = session.scalar(
        select(Rattachement.organisme_code).where(Rattachement.personne_id == personne_id, Rattachement.branche == "famille")
    )
    if code is None:
        raise InvalidField("membres", "l'allocataire n'est rattaché à aucune CAF (adresse à compléter au répertoire)")
    return code


def _members_on(dossier: DossierAllocataire, session: Session) -> list[MembreFoyer]:
    return list(session.scalars(select(MembreFoyer).where(MembreFoyer.foyer_id == dossier.foyer_id).order_by(MembreFoyer.id)))


def may_see(session: Session, caller: Caller, dossier: DossierAllocataire) -> bool:
    reach = portee(caller, Permission.LIRE_DOSSIER_ALLOCATAIRE)
    if reach is Portee.LE_SIEN and caller.personne_id is not None:  # the allocataire and the conjoint
        adults = {m.personne_id for m in _members_on(dossier, session) if m.role in ("allocataire", "conjoint") and m.date_fin is None}
        return caller.personne_id in adults
    return couvre_organisme(caller, reach, dossier.organisme_code)


def load_dossier(session: Session, caller: Caller, dossier_id: int, *, write: bool = False) -> DossierAllocataire:
    dossier = session.get(DossierAllocataire, dossier_id)
    if dossier is None:
        raise NotFound("dossier allocataire introuvable", field="dossier_id")
    if not may_see(session, caller, dossier):  # whoever sees a dossier may declare its changes
        error = Forbidden("accès refusé : ce dossier ne relève pas de votre CAF")
        error.personne_id = dossier.allocataire_id  # type: ignore[attr-defined]
        raise error
    return dossier


def journal_read(session: Session, caller: Caller, dossier: DossierAllocataire, what: RessourceJournal) -> None:
    """Each member's file is read: one journal row per person shown."""
    for personne_id in sorted({m.personne_id for m in _members_on(dossier, session)}):
        journal(session, caller, Action.LECTURE, what, dossier.id, personne_id=personne_id)


# -- declaring -------------------------------------------------------------------------------


def _cents(value: Decimal | int | str | None, field: str, *, label: str = "le montant") -> int:
    if value is None:
        return 0
    cents = to_cents(value, field=field)
    if cents < 0:
        raise InvalidField(field, f"{label} ne peut pas être négatif")
    return cents


def _child_data(attributes: EnfantAttributs | None, field: str) -> dict[str, Any]:
    a = attributes or EnfantAttributs()
    return {
        "garde_alternee": a.garde_alternee,
        "aeeh_categorie": a.aeeh_categorie,
        "asf": a.asf,
        "salaire_net_mensuel": _cents(a.salaire_net_mensuel, f"{field}.salaire_net_mensuel", label="le salaire"),
        "scolarise": a.scolarise,
    }


def _event(session: Session, dossier: DossierAllocataire, caller: Caller, nature: str, on: date, effet: date,
           personne_id: int | None = None, data: dict[str, Any] | None = None, reference: str | None = None) -> EvenementFamille:
    event = EvenementFamille(
        dossier_id=dossier.id, nature=nature, personne_id=personne_id, date_evenement=on, date_effet=effet,
        donnees=json.dumps(data or {}, sort_keys=True), reference=reference, enregistre_par=caller.user_id,
    )
    session.add(event)
    return event


def declare_household(session: Session, data: DeclarationIn, *, caller: Caller, today: date) -> DossierAllocataire:
    """Open the dossier allocataire of a household: its members, their situation, resources and account."""
    exiger(caller, Permission.OUVRIR_DOSSIER_ALLOCATAIRE, "seul un agent de la CAF peut ouvrir un dossier allocataire")
    roles = [m.role for m in data.membres]
    if roles.count("allocataire") != 1:
        raise InvalidField("membres", "un foyer a exactement un allocataire")
    if roles.count("conjoint") > 1:
        raise InvalidField("membres", "un foyer a au plus un conjoint")
    if data.date_debut > today:
        raise InvalidField("date_debut", "le foyer ne peut pas commencer dans le futur")
    people: dict[int, Personne] = {}
    for index, membre in enumerate(data.membres):
        field = f"membres[{index}]"
        personne = require_person_write(session, caller, membre.personne_id, field=f"{field}.personne_id")
        people[personne.id] = personne
        if personne.date_naissance > today:
            raise InvalidField(f"{field}.personne_id", f"cet enfant est né après la date de la déclaration ({_fr(today)})")
        if membre.date_debut < data.date_debut:
            raise InvalidField(f"{field}.date_debut", f"l'entrée dans le foyer précède la date à laquelle le foyer existe ({_fr(data.date_debut)})")
        if membre.date_debut > today:
            raise InvalidField(f"{field}.date_debut", "l'entrée dans le foyer ne peut pas être dans le futur")
        if membre.role != "enfant" and membre.enfant is not None:
            raise InvalidField(f"{field}.enfant", "la situation d'enfant ne concerne qu'un membre de rôle « enfant »")
    allocataire = next(people[m.personne_id] for m in data.membres if m.role == "allocataire")
    if session.scalar(
        select(DossierAllocataire.id).join(MembreFoyer, MembreFoyer.foyer_id == DossierAllocataire.foyer_id)
        .where(MembreFoyer.personne_id == allocataire.id, MembreFoyer.role == "allocataire", MembreFoyer.date_fin.is_(None))
    ) is not None:
        from secu.core.errors import Conflict

        raise Conflict("cette personne est déjà allocataire d'un dossier ouvert", field="membres")
    iban = validate_iban(data.iban, field="iban") if data.iban else allocataire.iban
    bic = validate_bic(data.bic, field="bic") if data.bic else (None if data.iban else allocataire.bic)
    resources = []
    adults = {m.personne_id for m in data.membres if m.role in ("allocataire", "conjoint")}
    for index, ressource in enumerate(data.ressources):
        field = f"ressources[{index}]"
        if ressource.personne_id not in adults:
            raise InvalidField(f"{field}.personne_id", "les ressources sont celles de l'allocataire et de son conjoint")
        montant = _cents(ressource.montant, f"{field}.montant", label="le montant des ressources")
        pro = (montant if ressource.revenu_professionnel is None
               else _cents(ressource.revenu_professionnel, f"{field}.revenu_professionnel", label="le revenu professionnel"))
        resources.append((ressource, montant, pro))

    foyer = register_service.create_household(
        session,
        register_schemas.FoyerIn(libelle=data.libelle, membres=[
            register_schemas.MembreIn(personne_id=m.personne_id, role=m.role, date_debut=m.date_debut) for m in data.membres
        ]),
        caller=caller, today=today,
    )
    dossier = DossierAllocataire(
        foyer_id=foyer.id, allocataire_id=allocataire.id, organisme_code=_caf_of(session, allocataire.id),
        iban=iban, bic=bic, date_debut=data.date_debut, date_declaration=today, cree_par=caller.user_id,
    )
    session.add(dossier)
    session.flush()
    for index, membre in enumerate(data.membres):
        if membre.role == "enfant":
            born_here = membre.date_debut == people[membre.personne_id].date_naissance
            effet = first_of_month(membre.date_debut) if born_here else effect_of(membre.date_debut)
            _event(session, dossier, caller, "naissance" if born_here else "arrivee_enfant", membre.date_debut, effet,
                   membre.personne_id, _child_data(membre.enfant, f"membres[{index}].enfant"), "déclaration du foyer")
    if data.aah_taux_incapacite:
        _event(session, dossier, caller, "handicap", data.date_debut, effect_of(data.date_debut), allocataire.id,
               {"taux_incapacite": data.aah_taux_incapacite, "rsdae": data.aah_rsdae}, "déclaration du foyer")
    for ressource, montant, pro in resources:
        _record_resource(session, dossier, caller, ressource.personne_id, ressource.annee, montant, pro, today)
    session.flush()
    journal(session, caller, Action.CREATION, RessourceJournal.DOSSIER_ALLOCATAIRE, dossier.id, personne_id=allocataire.id)
    return dossier


def _record_resource(session: Session, dossier: DossierAllocataire, caller: Caller, personne_id: int, annee: int,
                     montant: int, pro: int, today: date) -> None:
    session.add(RessourceAnnuelle(dossier_id=dossier.id, personne_id=personne_id, annee=annee, montant_cents=montant,
                                  revenu_professionnel_cents=pro, origine="declaree", note="déclarées par l'allocataire"))
    _event(session, dossier, caller, "ressources", today, rules.effet_ressources(annee), personne_id,
           {"annee": annee, "montant_cents": montant, "revenu_professionnel_cents": pro}, "CSS R532-3 : ressources de l'année N-2")


# -- changes of situation -------------------------------------------------------------------------


def record_change(session: Session, dossier_id: int, data: ChangementIn, *, caller: Caller, today: date) -> EvenementFamille:
    """Record a change of situation with its date; the months it reaches are recomputed at the next payment run."""
    dossier = load_dossier(session, caller, dossier_id, write=True)
    if data.date < dossier.date_debut:
        raise InvalidField("date", f"le changement ne peut pas précéder l'existence du foyer ({_fr(dossier.date_debut)})")
    if data.date > today:
        raise InvalidField("date", "un changement de situation ne peut pas être daté dans le futur")
    members = _members_on(dossier, session)
    nature = data.nature
    effet = effect_of(data.date)
    payload: dict[str, Any] = {}
    personne_id = data.personne_id

    def need_person() -> Personne:
        if personne_id is None:
            raise InvalidField("personne_id", "la personne concernée par ce changement est obligatoire")
        return require_person_write(session, caller, personne_id, allow_self=True)

    def open_child() -> MembreFoyer:
        member = next((m for m in members if m.personne_id == personne_id and m.role == "enfant"
                       and (m.date_fin is None or m.date_fin >= data.date) and m.date_debut <= data.date), None)
        if member is None:
            raise InvalidField("personne_id", "cette personne n'est pas un enfant du foyer à cette date")
        return member

    if nature in ("naissance", "arrivee_enfant"):
        enfant = need_person()
        if nature == "naissance" and enfant.date_naissance != data.date:
            raise InvalidField("date", f"la date de naissance déclarée diffère de celle du répertoire ({_fr(enfant.date_naissance)})")
        if data.date < enfant.date_naissance:
            raise InvalidField("date", "l'arrivée d'un enfant ne peut pas précéder sa naissance")
        if any(m.personne_id == enfant.id and (m.date_fin is None or m.date_fin >= data.date) for m in members):
            raise InvalidField("personne_id", "cet enfant fait déjà partie du foyer")
        session.add(MembreFoyer(foyer_id=dossier.foyer_id, personne_id=enfant.id, role="enfant", date_debut=data.date))
        payload = _child_data(data.enfant, "enfant")
        if nature == "naissance":
            effet = first_of_month(data.date)  # the rules open each benefit from the birth date
    elif nature == "depart_enfant":
        need_person()
        open_child().date_fin = data.date
    elif nature == "mise_en_couple":
        conjoint = need_person()
        if any(m.role == "conjoint" and (m.date_fin is None or m.date_fin >= data.date) for m in members):
            raise InvalidField("personne_id", "le foyer a déjà un conjoint à cette date")
        if conjoint.id == dossier.allocataire_id:
            raise InvalidField("personne_id", "l'allocataire ne peut pas être son propre conjoint")
        session.add(MembreFoyer(foyer_id=dossier.foyer_id, personne_id=conjoint.id, role="conjoint", date_debut=data.date))
    elif nature == "separation":
        member = next((m for m in members if m.role == "conjoint" and m.date_fin is None and m.date_debut <= data.date), None)
        if member is None:
            raise InvalidField("nature", "le foyer n'a pas de conjoint à cette date")
        member.date_fin = data.date
        personne_id = member.personne_id
    elif nature == "demenagement":
        if not data.departement:
            raise InvalidField("departement", "le département de la nouvelle résidence est obligatoire")
        departement = validate_departement(data.departement, field="departement")
        caf = route(departement, "famille", commune=data.commune).code
        payload = {"departement": departement, "commune": data.commune, "caf_precedente": dossier.organisme_code, "caf": caf}
        dossier.organisme_code = caf
    elif nature in ("garde_alternee", "aeeh", "asf", "salaire_enfant", "scolarite"):
        need_person()
        open_child()
        if nature == "garde_alternee":
            if data.garde_alternee is None:
                raise InvalidField("garde_alternee", "indiquez si la résidence de l'enfant est alternée")
            payload = {"garde_alternee": data.garde_alternee}
        elif nature == "aeeh":
            payload = {"aeeh_categorie": data.aeeh_categorie}
        elif nature == "asf":
            if data.asf is None:
                raise InvalidField("asf", "la situation de l'enfant pour l'ASF est obligatoire (0, 1 ou 2)")
            payload = {"asf": data.asf}
        elif nature == "salaire_enfant":
            if data.salaire_net_mensuel is None:
                raise InvalidField("salaire_net_mensuel", "le salaire net mensuel est obligatoire")
            payload = {"salaire_net_mensuel": _cents(data.salaire_net_mensuel, "salaire_net_mensuel", label="le salaire")}
        else:
            if data.scolarise is None:
                raise InvalidField("scolarise", "indiquez si l'enfant est scolarisé ou apprenti")
            payload = {"scolarise": data.scolarise}
    elif nature == "handicap":
        personne_id = dossier.allocataire_id
        if data.taux_incapacite is None:
            raise InvalidField("taux_incapacite", "le taux d'incapacité est obligatoire")
        payload = {"taux_incapacite": data.taux_incapacite, "rsdae": bool(data.rsdae)}
    elif nature == "ressources":
        person = need_person()
        adults = {m.personne_id for m in members if m.role in ("allocataire", "conjoint")}
        if person.id not in adults:
            raise InvalidField("personne_id", "les ressources sont celles de l'allocataire et de son conjoint")
        if data.annee is None:
            raise InvalidField("annee", "l'année des ressources est obligatoire")
        if data.montant is None:
            raise InvalidField("montant", "le montant des ressources est obligatoire")
        montant = _cents(data.montant, "montant", label="le montant des ressources")
        pro = _cents(data.revenu_professionnel, "revenu_professionnel", label="le revenu professionnel") if data.revenu_professionnel is not None else montant
        session.add(RessourceAnnuelle(dossier_id=dossier.id, personne_id=person.id, annee=data.annee, montant_cents=montant,
                                      revenu_professionnel_cents=pro, origine="declaree", note=f"changement déclaré le {_fr(today)}"))
        payload = {"annee": data.annee, "montant_cents": montant, "revenu_professionnel_cents": pro}
        effet = rules.effet_ressources(data.annee)
    if data.iban:
        dossier.iban = validate_iban(data.iban, field="iban")
        dossier.bic = validate_bic(data.bic, field="bic") if data.bic else None
    event = _event(session, dossier, caller, nature, data.date, effet, personne_id, payload, "CSS R552-2")
    session.flush()
    journal(session, caller, Action.MODIFICATION, RessourceJournal.DOSSIER_ALLOCATAIRE, dossier.id, personne_id=personne_id or dossier.allocataire_id,
            detail=nature)
    return event


def set_iban(session: Session, dossier_id: int, iban: str, bic: str | None, *, caller: Caller) -> DossierAllocataire:
    dossier = load_dossier(session, caller, dossier_id, write=True)
    dossier.iban = validate_iban(iban, field="iban")
    dossier.bic = validate_bic(bic, field="bic") if bic else None
    journal(session, caller, Action.MODIFICATION, RessourceJournal.DOSSIER_ALLOCATAIRE, dossier.id, personne_id=dossier.allocataire_id, detail="iban")
    return dossier


# -- resources ---------------------------------------------------------------------------------------


def dsn_resources(session: Session, personne: Personne, annee: int) -> tuple[int, int] | None:
    """Net catégoriel of a year from the DSN salary records in force: (net catégoriel, net imposable), or None.

    The net catégoriel is computed by :func:`secu.famille.rules.ressources_salaires` (CGI art. 83, 3°).
    """
    from secu.recouvrement.models import LigneCotisation
    from secu.recouvrement.service import salary_records

    records = salary_records(session, personne, du=date(annee, 1, 1), au=date(annee, 12, 31))
    if not records:
        return None
    ids = [r.id for r in records]
    added = session.scalar(
        select(func.coalesce(func.sum(LigneCotisation.montant_salarial_cents), 0))
        .where(LigneCotisation.remuneration_id.in_(ids), LigneCotisation.code.in_(("csg_non_deductible", "crds")))
    ) or 0
    imposable = sum(r.net_avant_impot_cents for r in records) + int(added)
    imposable = max(imposable, 0)
    net = rules.ressources_salaires(pl.DataFrame({"annee": [annee], "net_imposable_cents": [imposable]}))
    return int(net["ressources_cents"][0]), imposable


@dataclass(frozen=True)
class Ressource:
    montant_cents: int
    professionnel_cents: int
    origine: str  # declaree, dsn, inconnue
    note: str


def resources_of(session: Session, dossier: DossierAllocataire, personne: Personne, annee: int,
                 cache: dict[tuple[int, int], Ressource] | None = None) -> Ressource:
    key = (personne.id, annee)
    if cache is not None and key in cache:
        return cache[key]
    declared = session.scalar(
        select(RessourceAnnuelle).where(RessourceAnnuelle.dossier_id == dossier.id, RessourceAnnuelle.personne_id == personne.id,
                                        RessourceAnnuelle.annee == annee, RessourceAnnuelle.origine == "declaree")
        .order_by(RessourceAnnuelle.id.desc()).limit(1)
    )
    if declared is not None:
        found = Ressource(declared.montant_cents, declared.revenu_professionnel_cents, "declaree", declared.note or "déclarées")
    else:
        dsn = dsn_resources(session, personne, annee)
        if dsn is not None:
            found = Ressource(dsn[0], dsn[0], "dsn", NOTE_DSN)
        else:
            found = Ressource(0, 0, "inconnue", "aucune ressource connue pour cette année : zéro retenu")
    if cache is not None:
        cache[key] = found
    return found


# -- the frames ---------------------------------------------------------------------------------------


def _present(member: MembreFoyer, birth: date, month: date) -> bool:
    """In the household for the month (CSS R552-2): from the month after arrival (birth: from its month), through the month of leaving."""
    start = first_of_month(member.date_debut) if member.date_debut == birth else effect_of(member.date_debut)
    if month < start:
        return False
    return member.date_fin is None or month < effect_of(member.date_fin)


def _state(events: list[EvenementFamille], month: date) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
    """Each child's attributes and the allocataire's handicap in force in the month, from the dated history."""
    children: dict[int, dict[str, Any]] = {}
    handicap: dict[str, Any] = {"taux_incapacite": 0, "rsdae": False}
    for event in sorted(events, key=lambda e: (e.date_effet, e.id)):
        if event.date_effet > month:
            continue
        data = json.loads(event.donnees or "{}")
        if event.nature in ("naissance", "arrivee_enfant") and event.personne_id is not None:
            children[event.personne_id] = dict(data)
        elif event.nature in ("garde_alternee", "aeeh", "asf", "salaire_enfant", "scolarite") and event.personne_id is not None:
            children.setdefault(event.personne_id, {}).update(data)
        elif event.nature == "handicap":
            handicap = data
    return children, handicap


def frames(session: Session, dossier: DossierAllocataire, months: list[date]) -> tuple[pl.DataFrame, pl.DataFrame, dict[date, dict[str, Any]]]:
    """The `foyers` and `enfants` frames of the README contract for one dossier and the months asked, and what was used."""
    members = _members_on(dossier, session)
    people = {p.id: p for p in session.scalars(select(Personne).where(Personne.id.in_({m.personne_id for m in members})))}
    allocataire = people[dossier.allocataire_id]
    events = list(session.scalars(select(EvenementFamille).where(EvenementFamille.dossier_id == dossier.id)))
    cache: dict[tuple[int, int], Ressource] = {}
    foyer_rows: list[dict[str, Any]] = []
    child_rows: list[dict[str, Any]] = []
    used: dict[date, dict[str, Any]] = {}
    pros: list[dict[str, Any]] = []
    for month in months:
        present = [m for m in members if _present(m, people[m.personne_id].date_naissance, month)]
        conjoint = next((m for m in present if m.role == "conjoint"), None)
        adults = [allocataire] + ([people[conjoint.personne_id]] if conjoint else [])
        n2 = rules.annee_ressources(month)
        res = [resources_of(session, dossier, p, n2, cache) for p in adults]
        total = sum(r.montant_cents for r in res)
        pros.append({"mois": month, "annee_ressources": n2, "revenu_professionnel_1_cents": res[0].professionnel_cents,
                     "revenu_professionnel_2_cents": res[1].professionnel_cents if len(res) > 1 else None})
        children, handicap = _state(events, month)
        foyer_rows.append({
            "foyer": dossier.foyer_id, "mois": month, "nb_parents": len(adults), "ressources_n2": total, "biactif": False,
            "aah_taux_incapacite": int(handicap.get("taux_incapacite", 0)), "aah_rsdae": bool(handicap.get("rsdae", False)),
            "aah_ressources_n2": res[0].montant_cents, "date_naissance_allocataire": allocataire.date_naissance,
        })
        used[month] = {
            "nb_parents": len(adults), "ressources_n2_cents": total, "annee_ressources": n2, "biactif": False,
            "ressources": [{"personne_id": p.id, "montant_cents": r.montant_cents, "origine": r.origine, "note": r.note}
                           for p, r in zip(adults, res, strict=True)],
            "enfants": [],
        }
        for m in present:
            if m.role != "enfant":
                continue
            attributes = children.get(m.personne_id, {})
            child = people[m.personne_id]
            child_rows.append({
                "foyer": dossier.foyer_id, "mois": month, "date_naissance": child.date_naissance,
                "garde_alternee": bool(attributes.get("garde_alternee", False)),
                "salaire_net_mensuel": int(attributes.get("salaire_net_mensuel", 0)),
                "aeeh_categorie": attributes.get("aeeh_categorie"), "asf": int(attributes.get("asf", 0)),
                "scolarise": bool(attributes.get("scolarise", True)),
            })
            used[month]["enfants"].append({"personne_id": child.id, "date_naissance": child.date_naissance.isoformat()})
    if pros:  # the biactivité of each month, by the rule (CSS R522-2, R531-1)
        flags = rules.biactivite(pl.DataFrame(pros, schema={"mois": pl.Date, "annee_ressources": pl.Int32, "revenu_professionnel_1_cents": pl.Int64,
                                                            "revenu_professionnel_2_cents": pl.Int64}))["biactif"].to_list()
        for row, month, flag in zip(foyer_rows, months, flags, strict=True):
            row["biactif"] = used[month]["biactif"] = flag
    return _foyers_frame(foyer_rows), _enfants_frame(child_rows), used


FOYERS_SCHEMA = {
    "foyer": pl.Int64, "mois": pl.Date, "nb_parents": pl.Int8, "ressources_n2": pl.Int64, "biactif": pl.Boolean,
    "aah_taux_incapacite": pl.Int16, "aah_rsdae": pl.Boolean, "aah_ressources_n2": pl.Int64, "date_naissance_allocataire": pl.Date,
}
ENFANTS_SCHEMA = {
    "foyer": pl.Int64, "mois": pl.Date, "date_naissance": pl.Date, "garde_alternee": pl.Boolean, "salaire_net_mensuel": pl.Int64,
    "aeeh_categorie": pl.Int8, "asf": pl.Int8, "scolarise": pl.Boolean,
}


def _foyers_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=FOYERS_SCHEMA, orient="row") if rows else pl.DataFrame(schema=FOYERS_SCHEMA)


def _enfants_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ENFANTS_SCHEMA, orient="row") if rows else pl.DataFrame(schema=ENFANTS_SCHEMA)


# -- rights --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Droit:
    mois: date
    prestation: str
    brut_cents: int
    crds_cents: int
    net_cents: int
    explication: list[dict[str, Any]]


def _explanations(row: dict[str, Any]) -> dict[str, Any]:
    try:
        from secu.famille import explication
    except ImportError:  # the explanation module comes with the rules; rights are computed without it
        return {}
    out = explication.explain(row)
    return out if isinstance(out, dict) else {}


def rights_of_frames(foyers: pl.DataFrame, enfants: pl.DataFrame) -> dict[tuple[int, date], list[Droit]]:
    """Run the rules on the frames: for each (foyer, month), its benefits with gross, CRDS, net and explanation."""
    from secu.famille import rules

    droits = rules.droits(foyers, enfants)
    long = rules.par_prestation(droits)
    explained = {(r["foyer"], r["mois"]): _explanations(r) for r in droits.iter_rows(named=True)}
    out: dict[tuple[int, date], list[Droit]] = {(r["foyer"], r["mois"]): [] for r in foyers.iter_rows(named=True)}
    for r in long.sort(["foyer", "mois", "prestation"]).iter_rows(named=True):
        steps = explained.get((r["foyer"], r["mois"]), {}).get(r["prestation"], [])
        out.setdefault((r["foyer"], r["mois"]), []).append(
            Droit(r["mois"], r["prestation"], int(r["brut"]), int(r["crds"]), int(r["net"]), list(steps) if isinstance(steps, list) else [steps])
        )
    return out


def compute_rights(session: Session, dossier: DossierAllocataire, months: list[date]) -> tuple[dict[date, list[Droit]], dict[date, dict[str, Any]]]:
    foyers, enfants, used = frames(session, dossier, months)
    if foyers.is_empty():
        return {m: [] for m in months}, used
    by_key = rights_of_frames(foyers, enfants)
    return {m: by_key.get((dossier.foyer_id, m), []) for m in months}, used


def show_rights(session: Session, caller: Caller, dossier_id: int, mois: date) -> dict[str, Any]:
    """The rights of a month, explained (a read of every member's file, journalled; nothing stored)."""
    dossier = load_dossier(session, caller, dossier_id)
    month = first_of_month(mois)
    if month < first_of_month(dossier.date_debut):
        raise InvalidField("mois", f"le foyer n'existait pas ce mois-là (depuis le {_fr(dossier.date_debut)})")
    rights, used = compute_rights(session, dossier, [month])
    journal_read(session, caller, dossier, RessourceJournal.DROITS_FAMILLE)
    lines = [d.__dict__ | {"mois": d.mois.isoformat()} for d in rights[month]]
    return {
        "dossier_id": dossier.id, "mois": month.isoformat(), "organisme_code": dossier.organisme_code,
        "situation": used.get(month, {}), "prestations": lines,
        "total_brut_cents": sum(d.brut_cents for d in rights[month]), "total_crds_cents": sum(d.crds_cents for d in rights[month]),
        "total_net_cents": sum(d.net_cents for d in rights[month]),
    }


def dossier_out(session: Session, caller: Caller, dossier_id: int) -> dict[str, Any]:
    dossier = load_dossier(session, caller, dossier_id)
    journal_read(session, caller, dossier, RessourceJournal.DOSSIER_ALLOCATAIRE)
    members = _members_on(dossier, session)
    return {
        "id": dossier.id, "foyer_id": dossier.foyer_id, "allocataire_id": dossier.allocataire_id, "organisme_code": dossier.organisme_code,
        "date_debut": dossier.date_debut, "date_declaration": dossier.date_declaration, "iban_connu": dossier.iban is not None,
        "membres": [{"personne_id": m.personne_id, "role": m.role, "date_debut": m.date_debut, "date_fin": m.date_fin} for m in members],
        "evenements": [
            {"id": e.id, "nature": e.nature, "personne_id": e.personne_id, "date_evenement": e.date_evenement, "date_effet": e.date_effet,
             "donnees": json.loads(e.donnees or "{}")}
            for e in sorted(dossier.evenements, key=lambda e: (e.date_effet, e.id))
        ],
    }


def dossiers_of(session: Session, caller: Caller) -> list[int]:
    query = select(DossierAllocataire.id)
    reach = exiger(caller, Permission.LIRE_DOSSIER_ALLOCATAIRE)
    if reach is Portee.SA_CAISSE:
        query = query.where(DossierAllocataire.organisme_code == caller.organisme_code)
    elif reach is Portee.LE_SIEN:
        query = query.join(MembreFoyer, MembreFoyer.foyer_id == DossierAllocataire.foyer_id).where(
            MembreFoyer.personne_id == caller.personne_id, MembreFoyer.role.in_(("allocataire", "conjoint")), MembreFoyer.date_fin.is_(None))
    return list(session.scalars(query.order_by(DossierAllocataire.id)))
