"""Use cases of the register: each validates, checks who may act, writes, and journals.

Every function takes the session of one unit of work and the `caller`; the
caller of the API, the pages and the command line all come through here, so
the same input meets the same rules and the same French messages. Nothing is
committed here: the unit of work commits everything or nothing.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import polars as pl
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from secu.acces import Permission, Portee, couvre_departement, departements_of, exiger, portee, refus
from secu.core.db import paginate
from secu.core.errors import Conflict, Forbidden, InvalidField, NotFound
from secu.core.identifiers import (
    check_nir_matches,
    parse_nir,
    siren_of,
    validate_bic,
    validate_iban,
    validate_naf,
    validate_rpps,
    validate_siren,
    validate_siret,
)
from secu.core.security import Action, Caller, Ressource, journal
from secu.organismes import BRANCHES, route
from secu.organismes.territoire import validate_departement
from secu.register import rules, schemas
from secu.register.access import require_person, require_person_write
from secu.register.ald import ALD, admissible
from secu.register.models import (
    PROFESSIONS,
    Affiliation,
    Ald,
    AyantDroit,
    CarteVitale,
    Employeur,
    Etablissement,
    Foyer,
    MedecinTraitant,
    MembreFoyer,
    PeriodeC2S,
    Personne,
    ProfessionnelSante,
    Rattachement,
)


def _required_text(value: str | None, field: str, label: str) -> str:
    if value is None or not value.strip():
        raise InvalidField(field, f"{label} est obligatoire")
    return " ".join(value.split())


def _commune(value: str | None, departement: str, field: str = "commune") -> str | None:
    if value is None or value == "":
        return None
    code = value.strip().upper()
    if len(code) != 5 or not (code[:2].isdigit() or code[:2] in ("2A", "2B")) or not code[2:].isdigit():
        raise InvalidField(field, "le code commune INSEE doit comporter 5 caractères (ex. 75056)")
    if not code.startswith(departement if len(departement) == 3 else departement[:2]):
        raise InvalidField(field, f"la commune {code} n'est pas dans le département {departement}")
    return code


def _code_postal(value: str | None, field: str = "code_postal") -> str | None:
    if value is None or value == "":
        return None
    if len(value) != 5 or not value.isdigit():
        raise InvalidField(field, "le code postal doit comporter 5 chiffres")
    return value


def _not_future(value: date, today: date, field: str, label: str) -> None:
    if value > today:
        raise InvalidField(field, f"{label} ne peut pas être dans le futur")


def _period(start: date, end: date | None, field: str = "date_fin") -> None:
    if end is not None and end < start:
        raise InvalidField(field, "la date de fin précède la date de début")


def _overlaps(column_start, column_end, start: date, end: date | None):  # type: ignore[no-untyped-def]
    """SQL condition: a stored period [column_start, column_end] meets [start, end]."""
    stored_ends_after = or_(column_end.is_(None), column_end >= start)
    return and_(stored_ends_after, column_start <= end) if end is not None else stored_ends_after


# -- persons -------------------------------------------------------------------------


def _route_all(personne: Personne) -> None:
    wanted = {
        branche: route(personne.departement, branche, commune=personne.commune, regime=personne.regime).code
        for branche in BRANCHES
    }
    current = {r.branche: r for r in personne.rattachements}
    for branche, code in wanted.items():
        if branche in current:
            current[branche].organisme_code = code
        else:
            personne.rattachements.append(Rattachement(branche=branche, organisme_code=code))


def register_person(session: Session, data: schemas.PersonneIn, *, caller: Caller, today: date) -> Personne:
    reach = exiger(caller, Permission.IMMATRICULER, "seul un agent de caisse peut immatriculer une personne")
    nom = _required_text(data.nom_naissance, "nom_naissance", "le nom de naissance")
    prenoms = _required_text(data.prenoms, "prenoms", "le prénom")
    _not_future(data.date_naissance, today, "date_naissance", "la date de naissance")
    if data.date_naissance.year < 1890:
        raise InvalidField("date_naissance", "la date de naissance est invraisemblable")
    nir = parse_nir(data.nir, field="nir")
    check_nir_matches(nir, date_naissance=data.date_naissance, sexe=data.sexe, field="nir")
    departement = validate_departement(data.departement, field="departement")
    personne = Personne(
        nir=nir.value,
        nom_naissance=nom.upper(),
        nom_usage=data.nom_usage.upper() if data.nom_usage else None,
        prenoms=prenoms,
        date_naissance=data.date_naissance,
        sexe=data.sexe,
        departement=departement,
        commune=_commune(data.commune, departement),
        code_postal=_code_postal(data.code_postal),
        adresse=data.adresse,
        regime=data.regime,
        iban=validate_iban(data.iban, field="iban") if data.iban else None,
        bic=validate_bic(data.bic, field="bic") if data.bic else None,
        email=data.email,
    )
    _route_all(personne)
    if reach is Portee.SA_CAISSE and caller.organisme_code not in {r.organisme_code for r in personne.rattachements}:
        raise Forbidden("cette personne ne relève pas de votre organisme (voir son lieu de résidence)")
    if session.scalar(select(Personne.id).where(Personne.nir == nir.value)) is not None:
        raise Conflict("une personne portant ce NIR est déjà immatriculée", field="nir")
    session.add(personne)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise Conflict("une personne portant ce NIR est déjà immatriculée", field="nir") from error
    journal(session, caller, Action.CREATION, Ressource.PERSONNE, personne.id, personne_id=personne.id)
    return personne


def change_person(session: Session, personne_id: int, data: schemas.PersonneChange, *, caller: Caller, today: date) -> Personne:
    personne = require_person_write(session, caller, personne_id)
    changed = data.model_dump(exclude_unset=True)
    if "departement" in changed or "commune" in changed:
        departement = validate_departement(changed.get("departement") or personne.departement, field="departement")
        personne.departement = departement
        personne.commune = _commune(changed.get("commune"), departement)
        _route_all(personne)
    if "code_postal" in changed:
        personne.code_postal = _code_postal(data.code_postal)
    if "adresse" in changed:
        personne.adresse = data.adresse
    if "nom_usage" in changed:
        personne.nom_usage = data.nom_usage.upper() if data.nom_usage else None
    if "iban" in changed:
        personne.iban = validate_iban(data.iban, field="iban") if data.iban else None
    if "bic" in changed:
        personne.bic = validate_bic(data.bic, field="bic") if data.bic else None
    if "email" in changed:
        personne.email = data.email
    if "date_deces" in changed and data.date_deces is not None:
        _not_future(data.date_deces, today, "date_deces", "la date de décès")
        if data.date_deces < personne.date_naissance:
            raise InvalidField("date_deces", "la date de décès précède la date de naissance")
        personne.date_deces = data.date_deces
    session.flush()
    journal(session, caller, Action.MODIFICATION, Ressource.PERSONNE, personne.id, personne_id=personne.id, detail=",".join(sorted(changed)))
    return personne


def search_persons(
    session: Session, caller: Caller, *, q: str | None, page: int, taille: int
) -> tuple[list[Personne], int]:
    """Search by name, birth date (JJ/MM/AAAA) or NIR, within what the caller may see."""
    reach = exiger(caller, Permission.CHERCHER_PERSONNES, "la recherche de personnes est réservée aux agents des caisses")
    query = select(Personne)
    if reach is Portee.SA_CAISSE:
        query = query.where(
            Personne.id.in_(select(Rattachement.personne_id).where(Rattachement.organisme_code == caller.organisme_code))
        )
    elif reach is Portee.SON_TERRITOIRE:
        query = query.where(Personne.departement.in_(departements_of(caller.organisme_code)))
    if q:
        term = q.strip()
        compact = term.replace(" ", "").upper()
        if len(compact) == 15 and compact[:5].isdigit():
            query = query.where(Personne.nir == compact)
        elif _as_date(term) is not None:
            query = query.where(Personne.date_naissance == _as_date(term))
        else:
            like = f"{term.upper()}%"
            query = query.where(or_(func.upper(Personne.nom_naissance).like(like), func.upper(Personne.nom_usage).like(like)))
    rows, total = paginate(session, query, page=page, taille=taille, order_by=(Personne.nom_naissance, Personne.prenoms, Personne.id))
    for personne in rows:
        journal(session, caller, Action.LECTURE, Ressource.RECHERCHE_PERSONNE, personne.id, personne_id=personne.id)
    return rows, total


def _as_date(text: str) -> date | None:
    for separator in ("/", "-"):
        parts = text.split(separator)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                if len(parts[0]) == 4:
                    return date(int(parts[0]), int(parts[1]), int(parts[2]))
                return date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                return None
    return None


# -- ayants droit and households ----------------------------------------------------------


def attach_child(session: Session, parent_id: int, data: schemas.AyantDroitIn, *, caller: Caller, today: date) -> AyantDroit:
    parent = require_person_write(session, caller, parent_id)
    enfant = require_person_write(session, caller, data.enfant_id, field="enfant_id")
    if enfant.id == parent.id:
        raise InvalidField("enfant_id", "une personne ne peut pas être son propre ayant droit")
    if data.date_debut < enfant.date_naissance:
        raise InvalidField("date_debut", "le rattachement ne peut pas précéder la naissance de l'enfant")
    if not rules.conditions_le(enfant.date_naissance, data.date_debut)["mineur"]:
        raise InvalidField("enfant_id", "seul un enfant mineur peut être rattaché comme ayant droit")
    ouvrant = rules.conditions_le(parent.date_naissance, data.date_debut)
    if not ouvrant["peut_ouvrir_droit"]:
        raise InvalidField("personne_id", f"l'ouvrant droit doit avoir au moins {ouvrant['ayant_droit_age_minimum_ouvrant_droit']} ans")
    open_links = list(
        session.scalars(
            select(AyantDroit).where(
                AyantDroit.enfant_id == enfant.id, or_(AyantDroit.date_fin.is_(None), AyantDroit.date_fin >= data.date_debut)
            )
        )
    )
    if any(link.ouvrant_droit_id == parent.id for link in open_links):
        raise Conflict("cet enfant est déjà rattaché à ce parent", field="enfant_id")
    if len(open_links) >= 2:
        raise Conflict("un enfant peut être rattaché à deux parents au plus", field="enfant_id")
    link = AyantDroit(enfant_id=enfant.id, ouvrant_droit_id=parent.id, date_debut=data.date_debut)
    session.add(link)
    session.flush()
    journal(session, caller, Action.CREATION, Ressource.AYANT_DROIT, link.id, personne_id=enfant.id)
    return link


def children_of(session: Session, parent_id: int, *, on: date) -> list[AyantDroit]:
    return list(
        session.scalars(
            select(AyantDroit).where(
                AyantDroit.ouvrant_droit_id == parent_id,
                AyantDroit.date_debut <= on,
                or_(AyantDroit.date_fin.is_(None), AyantDroit.date_fin >= on),
            )
        )
    )


def create_household(session: Session, data: schemas.FoyerIn, *, caller: Caller, today: date) -> Foyer:
    if not data.membres:
        raise InvalidField("membres", "un foyer compte au moins un membre")
    roles = [m.role for m in data.membres]
    if roles.count("allocataire") != 1:
        raise InvalidField("membres", "un foyer a exactement un allocataire")
    if roles.count("conjoint") > 1:
        raise InvalidField("membres", "un foyer a au plus un conjoint")
    foyer = Foyer(libelle=data.libelle)
    seen: set[int] = set()
    for index, membre in enumerate(data.membres):
        personne = require_person_write(session, caller, membre.personne_id, field=f"membres[{index}].personne_id")
        if personne.id in seen:
            raise InvalidField(f"membres[{index}].personne_id", "cette personne figure deux fois dans le foyer")
        seen.add(personne.id)
        if membre.date_debut < personne.date_naissance:
            raise InvalidField(f"membres[{index}].date_debut", "l'entrée dans le foyer précède la naissance")
        foyer.membres.append(MembreFoyer(personne_id=personne.id, role=membre.role, date_debut=membre.date_debut))
    session.add(foyer)
    session.flush()
    for member in foyer.membres:
        journal(session, caller, Action.CREATION, Ressource.FOYER, foyer.id, personne_id=member.personne_id)
    return foyer


# -- employers and professionals -------------------------------------------------------------


def _require_territory(caller: Caller, permission: Permission, departement: str, message: str) -> None:
    """An agent registers within his organism's territory only (the URSSAF its employers, the CPAM its professionals)."""
    if not couvre_departement(caller, portee(caller, permission), departement):
        raise refus(message)


def register_employer(session: Session, data: schemas.EmployeurIn, *, caller: Caller) -> Employeur:
    exiger(caller, Permission.ENREGISTRER_EMPLOYEURS, "seul un agent de l'URSSAF peut enregistrer un employeur")
    siren = validate_siren(data.siren, field="siren")
    if session.scalar(select(Employeur.id).where(Employeur.siren == siren)) is not None:
        raise Conflict("un employeur portant ce SIREN est déjà enregistré", field="siren")
    employeur = Employeur(siren=siren, raison_sociale=_required_text(data.raison_sociale, "raison_sociale", "la raison sociale"))
    session.add(employeur)
    session.flush()
    for index, etab in enumerate(data.etablissements):
        _add_establishment(session, employeur, etab, prefix=f"etablissements[{index}].", caller=caller)
    journal(session, caller, Action.CREATION, Ressource.EMPLOYEUR, employeur.id)
    return employeur


def add_establishment(session: Session, employeur_id: int, data: schemas.EtablissementIn, *, caller: Caller) -> Etablissement:
    exiger(caller, Permission.ENREGISTRER_EMPLOYEURS, "seul un agent de l'URSSAF peut enregistrer un établissement")
    employeur = session.get(Employeur, employeur_id)
    if employeur is None:
        raise NotFound("employeur introuvable", field="employeur_id")
    etab = _add_establishment(session, employeur, data, caller=caller)
    journal(session, caller, Action.CREATION, Ressource.ETABLISSEMENT, etab.id)
    return etab


def _add_establishment(session: Session, employeur: Employeur, data: schemas.EtablissementIn, prefix: str = "", *,
                       caller: Caller) -> Etablissement:
    siret = validate_siret(data.siret, field=f"{prefix}siret")
    if siren_of(siret) != employeur.siren:
        raise InvalidField(f"{prefix}siret", "le SIRET n'appartient pas au SIREN de l'employeur")
    if session.scalar(select(Etablissement.id).where(Etablissement.siret == siret)) is not None:
        raise Conflict("un établissement portant ce SIRET est déjà enregistré", field=f"{prefix}siret")
    if data.effectif < 0:
        raise InvalidField(f"{prefix}effectif", "l'effectif ne peut pas être négatif")
    departement = validate_departement(data.departement, field=f"{prefix}departement")
    _require_territory(caller, Permission.ENREGISTRER_EMPLOYEURS, departement,
                       "accès refusé : cet établissement est hors du territoire de votre organisme")
    etab = Etablissement(
        employeur_id=employeur.id,
        siret=siret,
        enseigne=data.enseigne,
        code_naf=validate_naf(data.code_naf, field=f"{prefix}code_naf"),
        effectif=data.effectif,
        adresse=data.adresse,
        commune=_commune(data.commune, departement, field=f"{prefix}commune"),
        departement=departement,
    )
    session.add(etab)
    session.flush()
    return etab


def register_professional(session: Session, data: schemas.ProfessionnelIn, *, caller: Caller) -> ProfessionnelSante:
    exiger(caller, Permission.ENREGISTRER_PROFESSIONNELS, "seul un agent de CPAM peut enregistrer un professionnel de santé")
    departement = validate_departement(data.departement, field="departement")
    _require_territory(caller, Permission.ENREGISTRER_PROFESSIONNELS, departement,
                       "accès refusé : ce professionnel exerce hors du territoire de votre organisme")
    rpps = validate_rpps(data.rpps, field="rpps")
    if data.profession not in PROFESSIONS:
        raise InvalidField("profession", f"profession inconnue : {data.profession!r} (attendu : {', '.join(PROFESSIONS)})")
    if data.optam and (data.profession != "medecin" or data.secteur != 2):
        raise InvalidField("optam", "l'OPTAM concerne les médecins de secteur 2")
    if session.scalar(select(ProfessionnelSante.id).where(ProfessionnelSante.rpps == rpps)) is not None:
        raise Conflict("un professionnel portant ce numéro RPPS est déjà enregistré", field="rpps")
    pro = ProfessionnelSante(
        rpps=rpps,
        nom=_required_text(data.nom, "nom", "le nom").upper(),
        prenom=_required_text(data.prenom, "prenom", "le prénom"),
        profession=data.profession,
        specialite=data.specialite,
        secteur=data.secteur,
        optam=data.optam,
        departement=departement,
        commune=_commune(data.commune, departement),
        iban=validate_iban(data.iban, field="iban") if data.iban else None,
        bic=validate_bic(data.bic, field="bic") if data.bic else None,
    )
    session.add(pro)
    session.flush()
    journal(session, caller, Action.CREATION, Ressource.PROFESSIONNEL_SANTE, pro.id)
    return pro


# -- rights -----------------------------------------------------------------------------------


def open_affiliation(session: Session, personne_id: int, data: schemas.AffiliationIn, *, caller: Caller) -> Affiliation:
    personne = require_person_write(session, caller, personne_id)
    _period(data.date_debut, data.date_fin)
    if data.date_debut < personne.date_naissance:
        raise InvalidField("date_debut", "les droits ne peuvent pas commencer avant la naissance")
    clash = session.scalar(
        select(Affiliation.id).where(
            Affiliation.personne_id == personne.id, _overlaps(Affiliation.date_debut, Affiliation.date_fin, data.date_debut, data.date_fin)
        )
    )
    if clash is not None:
        raise Conflict("cette période chevauche une période de droits déjà ouverte", field="date_debut")
    organisme = next(r.organisme_code for r in personne.rattachements if r.branche == "maladie")
    affiliation = Affiliation(
        personne_id=personne.id,
        regime=personne.regime,
        organisme_code=organisme,
        motif=data.motif,
        date_debut=data.date_debut,
        date_fin=data.date_fin,
    )
    session.add(affiliation)
    session.flush()
    journal(session, caller, Action.CREATION, Ressource.AFFILIATION, affiliation.id, personne_id=personne.id)
    return affiliation


def close_affiliation(session: Session, affiliation_id: int, date_fin: date, *, caller: Caller) -> Affiliation:
    affiliation = session.get(Affiliation, affiliation_id)
    if affiliation is None:
        raise NotFound("période de droits introuvable", field="affiliation_id")
    require_person_write(session, caller, affiliation.personne_id)
    if affiliation.date_fin is not None:
        raise Conflict("cette période de droits est déjà close", field="date_fin")
    _period(affiliation.date_debut, date_fin)
    affiliation.date_fin = date_fin
    session.flush()
    journal(session, caller, Action.MODIFICATION, Ressource.AFFILIATION, affiliation.id, personne_id=affiliation.personne_id)
    return affiliation


def _new_card_number(session: Session) -> str:
    while True:
        numero = "".join(secrets.choice("0123456789") for _ in range(10))
        if session.scalar(select(CarteVitale.id).where(CarteVitale.numero == numero)) is None:
            return numero


def issue_card(session: Session, personne_id: int, data: schemas.CarteVitaleIn, *, caller: Caller, today: date) -> CarteVitale:
    personne = require_person_write(session, caller, personne_id)
    _not_future(data.date_emission, today, "date_emission", "la date d'émission")
    ages = rules.conditions_le(personne.date_naissance, data.date_emission)
    if not ages["carte_vitale_possible"]:
        raise InvalidField("date_emission", f"un enfant a sa propre carte Vitale à partir de {ages['carte_vitale_age_minimum']} ans")
    if session.scalar(select(CarteVitale.id).where(CarteVitale.personne_id == personne.id, CarteVitale.statut == "active")):
        raise Conflict("cette personne a déjà une carte Vitale en cours de validité", field="personne_id")
    carte = CarteVitale(personne_id=personne.id, numero=_new_card_number(session), date_emission=data.date_emission, date_statut=data.date_emission)
    session.add(carte)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:  # a concurrent issue won the race
        raise Conflict("cette personne a déjà une carte Vitale en cours de validité", field="personne_id") from error
    journal(session, caller, Action.CREATION, Ressource.CARTE_VITALE, carte.id, personne_id=personne.id)
    return carte


def declare_card_lost(session: Session, carte_id: int, data: schemas.PerteCarteIn, *, caller: Caller, today: date) -> CarteVitale:
    """Invalidate the card and issue its replacement, in one transaction."""
    carte = session.get(CarteVitale, carte_id)
    if carte is None:
        raise NotFound("carte Vitale introuvable", field="carte_id")
    require_person_write(session, caller, carte.personne_id, allow_self=True)
    if carte.statut != "active":
        raise Conflict("cette carte n'est plus en cours de validité", field="carte_id")
    _not_future(data.date, today, "date", "la date de la perte")
    if data.date < carte.date_emission:
        raise InvalidField("date", "la perte ne peut pas précéder l'émission de la carte")
    carte.statut = data.motif
    carte.date_statut = data.date
    session.flush()
    nouvelle = CarteVitale(personne_id=carte.personne_id, numero=_new_card_number(session), date_emission=today, date_statut=today)
    session.add(nouvelle)
    session.flush()
    journal(session, caller, Action.MODIFICATION, Ressource.CARTE_VITALE, carte.id, personne_id=carte.personne_id, detail=data.motif)
    journal(session, caller, Action.CREATION, Ressource.CARTE_VITALE, nouvelle.id, personne_id=carte.personne_id, detail="remplacement")
    return nouvelle


def declare_medecin_traitant(session: Session, personne_id: int, data: schemas.MedecinTraitantIn, *, caller: Caller, today: date) -> MedecinTraitant:
    personne = require_person_write(session, caller, personne_id, allow_self=True)
    medecin = session.get(ProfessionnelSante, data.professionnel_id)
    if medecin is None:
        raise InvalidField("professionnel_id", "professionnel de santé introuvable")
    if medecin.profession != "medecin":
        raise InvalidField("professionnel_id", "le médecin traitant doit être un médecin")
    if medecin.secteur == schemas.SECTEUR_NON_CONVENTIONNE:
        raise InvalidField("professionnel_id", "ce médecin n'est pas conventionné")
    _not_future(data.date_debut, today, "date_debut", "la date de la déclaration")
    if data.date_debut < personne.date_naissance:
        raise InvalidField("date_debut", "la déclaration ne peut pas précéder la naissance")
    current = session.scalar(
        select(MedecinTraitant).where(MedecinTraitant.personne_id == personne.id, MedecinTraitant.date_fin.is_(None))
    )
    if current is not None:
        if data.date_debut <= current.date_debut:
            raise InvalidField("date_debut", "une déclaration plus récente existe déjà")
        if current.professionnel_id == medecin.id:
            raise Conflict("ce médecin est déjà le médecin traitant déclaré", field="professionnel_id")
        current.date_fin = data.date_debut - timedelta(days=1)
    declaration = MedecinTraitant(personne_id=personne.id, professionnel_id=medecin.id, date_debut=data.date_debut)
    session.add(declaration)
    session.flush()
    journal(session, caller, Action.CREATION, Ressource.MEDECIN_TRAITANT, declaration.id, personne_id=personne.id)
    return declaration


def admit_ald(session: Session, personne_id: int, data: schemas.AldIn, *, caller: Caller) -> Ald:
    """Admission en ALD: a medical decision, taken by the service du contrôle médical."""
    exiger(caller, Permission.ADMETTRE_ALD, "l'admission en ALD relève du médecin-conseil")
    personne = require_person(session, caller, personne_id, medical=True)
    code = data.code.strip().lstrip("0")
    if code not in ALD:
        raise InvalidField("code", "code ALD inconnu (attendu : 1 à 32)")
    if not admissible(code, data.date_debut):
        raise InvalidField("code", "l'ALD 12 (hypertension artérielle sévère) ne fait plus partie de la liste")
    _period(data.date_debut, data.date_fin)
    if data.date_debut < personne.date_naissance:
        raise InvalidField("date_debut", "l'ALD ne peut pas commencer avant la naissance")
    if data.medecin_id is not None:
        medecin = session.get(ProfessionnelSante, data.medecin_id)
        if medecin is None or medecin.profession != "medecin":
            raise InvalidField("medecin_id", "le protocole de soins est établi par un médecin")
    ald = Ald(
        personne_id=personne.id,
        code=code,
        date_debut=data.date_debut,
        date_fin=data.date_fin,
        protocole=data.protocole,
        medecin_id=data.medecin_id,
    )
    session.add(ald)
    session.flush()
    journal(session, caller, Action.CREATION, Ressource.ALD, ald.id, personne_id=personne.id)
    return ald


def open_c2s(session: Session, personne_id: int, data: schemas.C2SIn, *, caller: Caller) -> PeriodeC2S:
    personne = require_person_write(session, caller, personne_id)
    _period(data.date_debut, data.date_fin)
    limite = rules.c2s_fin_maximale(pl.DataFrame({"date_debut": [data.date_debut]})).row(0, named=True)
    if data.date_fin > limite["c2s_fin_maximale"]:
        raise InvalidField("date_fin", f"la C2S est attribuée pour {limite['c2s_duree_mois']} mois au plus (CSS L861-5) : "
                                       f"fin au plus tard le {limite['c2s_fin_maximale']:%d/%m/%Y}")
    if data.avec_participation and data.participation_mensuelle_cents <= 0:
        raise InvalidField("participation_mensuelle_cents", "la participation financière doit être positive")
    if not data.avec_participation and data.participation_mensuelle_cents:
        raise InvalidField("participation_mensuelle_cents", "sans participation, le montant doit être nul")
    clash = session.scalar(
        select(PeriodeC2S.id).where(
            PeriodeC2S.personne_id == personne.id, _overlaps(PeriodeC2S.date_debut, PeriodeC2S.date_fin, data.date_debut, data.date_fin)
        )
    )
    if clash is not None:
        raise Conflict("cette période chevauche une période de C2S déjà ouverte", field="date_debut")
    periode = PeriodeC2S(personne_id=personne.id, **data.model_dump())
    session.add(periode)
    session.flush()
    journal(session, caller, Action.CREATION, Ressource.C2S, periode.id, personne_id=personne.id)
    return periode
