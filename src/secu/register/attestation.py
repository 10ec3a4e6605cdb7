"""The attestation de droits: who is covered, by which caisse, since when, with which exonérations.

Adults are covered in their own right by an affiliation period (PUMa, CSS
L160-1). A minor is covered as the ayant droit of an attached parent who is
covered on that date (CSS L160-2), unless the minor holds rights of their own.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from secu.organismes import get_organisme
from secu.register import schemas
from secu.register.models import (
    Affiliation,
    Ald,
    AyantDroit,
    MedecinTraitant,
    PeriodeC2S,
    Personne,
    ProfessionnelSante,
)

EXONERATION_ALD = (
    "Exonération du ticket modérateur pour les soins en rapport avec une affection de longue durée",
    "CSS L160-14 3° et 4°",
)


def _in_force(start_col, end_col, on: date):  # type: ignore[no-untyped-def]
    return (start_col <= on) & or_(end_col.is_(None), end_col >= on)


def _affiliation_on(session: Session, personne_id: int, on: date) -> Affiliation | None:
    return session.scalar(
        select(Affiliation)
        .where(Affiliation.personne_id == personne_id, _in_force(Affiliation.date_debut, Affiliation.date_fin, on))
        .order_by(Affiliation.date_debut.desc())
    )


def _continuous_since(session: Session, personne_id: int, current: Affiliation) -> date:
    """Rights run without a break since the earliest of the periods that chain into this one."""
    periods = list(
        session.scalars(
            select(Affiliation).where(Affiliation.personne_id == personne_id).order_by(Affiliation.date_debut.desc())
        )
    )
    since = current.date_debut
    for period in periods:
        if period.date_fin is not None and period.date_fin + timedelta(days=1) >= since and period.date_debut < since:
            since = period.date_debut
    return since


def attestation(session: Session, personne: Personne, on: date) -> schemas.Attestation:
    own = _affiliation_on(session, personne.id, on)
    qualite: Literal["assuré", "ayant droit"] = "assuré"
    ouvrants: list[Personne] = []
    affiliation = own
    if own is None:
        parents = [
            session.get(Personne, link.ouvrant_droit_id)
            for link in session.scalars(
                select(AyantDroit).where(AyantDroit.enfant_id == personne.id, _in_force(AyantDroit.date_debut, AyantDroit.date_fin, on))
            )
        ]
        covered = [(p, _affiliation_on(session, p.id, on)) for p in parents if p is not None]
        covered = [(p, a) for p, a in covered if a is not None]
        if covered:
            qualite = "ayant droit"
            ouvrants = [p for p, _ in covered]
            affiliation = covered[0][1]
    if personne.date_deces is not None and personne.date_deces < on:
        affiliation = None

    exonerations = [
        schemas.Exoneration(
            motif="ALD", libelle=EXONERATION_ALD[0], reference=EXONERATION_ALD[1], depuis=ald.date_debut, jusqu_au=ald.date_fin
        )
        for ald in session.scalars(
            select(Ald).where(Ald.personne_id == personne.id, _in_force(Ald.date_debut, Ald.date_fin, on)).order_by(Ald.date_debut)
        )
    ]
    c2s = session.scalar(
        select(PeriodeC2S).where(PeriodeC2S.personne_id == personne.id, PeriodeC2S.date_debut <= on, PeriodeC2S.date_fin >= on)
    )
    if c2s is not None:
        exonerations.append(
            schemas.Exoneration(
                motif="C2S",
                libelle="Complémentaire santé solidaire" + (" avec participation financière" if c2s.avec_participation else ""),
                reference="CSS L861-1 et L861-3",
                depuis=c2s.date_debut,
                jusqu_au=c2s.date_fin,
            )
        )
    mt = session.scalar(
        select(MedecinTraitant).where(
            MedecinTraitant.personne_id == personne.id, _in_force(MedecinTraitant.date_debut, MedecinTraitant.date_fin, on)
        )
    )
    medecin = session.get(ProfessionnelSante, mt.professionnel_id) if mt else None

    organisme = get_organisme(affiliation.organisme_code) if affiliation else None
    return schemas.Attestation(
        date=on,
        nom=personne.nom_usage or personne.nom_naissance,
        prenoms=personne.prenoms,
        date_naissance=personne.date_naissance,
        nir=personne.nir,
        qualite=qualite,
        ouvrants_droit=[schemas.OuvrantDroitRef(nom=p.nom_usage or p.nom_naissance, prenoms=p.prenoms) for p in ouvrants],
        couvert=affiliation is not None,
        motif_absence_droits=None if affiliation else motif_sans_droits(personne, on),
        regime=affiliation.regime if affiliation else None,
        organisme=schemas.OrganismeRef(code=organisme.code, nom=organisme.nom) if organisme else None,
        droits_depuis=(_continuous_since(session, affiliation.personne_id, affiliation) if affiliation else None),
        droits_jusqu_au=affiliation.date_fin if affiliation else None,
        exonerations=exonerations if affiliation else [],
        c2s=schemas.C2SOut.model_validate(c2s) if (c2s and affiliation) else None,
        medecin_traitant=(
            schemas.MedecinTraitantRef(nom=medecin.nom, prenom=medecin.prenom, depuis=mt.date_debut) if (medecin and mt) else None
        ),
    )


def motif_sans_droits(personne: Personne, on: date) -> str:
    """Why a person has no open right on a date (the attestation's motif, and the intake's SANS_DROITS)."""
    if personne.date_deces is not None and personne.date_deces < on:
        return "personne décédée à cette date"
    if on < personne.date_naissance:
        return "personne non née à cette date"
    return "aucune période de droits ouverte à cette date"
