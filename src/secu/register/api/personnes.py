"""Persons and their rights: identity, ayants droit, affiliation, carte Vitale, médecin traitant, ALD, C2S."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from secu.api.deps import CallerDep, IdPath, PaginationDep, transaction
from secu.core.security import Ressource
from secu.register import lectures, schemas, service
from secu.register.access import read_person
from secu.register.ald import ALD
from secu.register.attestation import attestation
from secu.register.models import (
    Affiliation,
    Ald,
    AyantDroit,
    CarteVitale,
    MedecinTraitant,
    PeriodeC2S,
)

router = APIRouter(tags=["personnes"])

DateQuery = Annotated[date | None, Query(description="date d'effet (par défaut : aujourd'hui)")]


def _person_out(personne) -> schemas.PersonneOut:  # type: ignore[no-untyped-def]
    return schemas.PersonneOut.model_validate(personne)


@router.get("/personnes", response_model=schemas.Page[schemas.PersonneResume], summary="Rechercher des personnes")
def search(
    request: Request,
    caller: CallerDep,
    pagination: PaginationDep,
    q: Annotated[str | None, Query(max_length=100, description="nom, date de naissance (JJ/MM/AAAA) ou NIR")] = None,
) -> schemas.Page[schemas.PersonneResume]:
    with transaction(request) as session:
        rows, total = service.search_persons(session, caller, q=q, page=pagination.page, taille=pagination.taille)
        return schemas.Page[schemas.PersonneResume](
            items=[schemas.PersonneResume.model_validate(r) for r in rows],
            total=total,
            page=pagination.page,
            taille=pagination.taille,
        )


@router.post("/personnes", response_model=schemas.PersonneOut, status_code=201, summary="Immatriculer une personne")
def create(request: Request, caller: CallerDep, data: schemas.PersonneIn) -> schemas.PersonneOut:
    with transaction(request) as session:
        return _person_out(service.register_person(session, data, caller=caller, today=date.today()))


@router.get("/personnes/{personne_id}", response_model=schemas.PersonneOut, summary="Le dossier d'une personne")
def read(request: Request, caller: CallerDep, personne_id: IdPath) -> schemas.PersonneOut:
    with transaction(request) as session:
        return _person_out(read_person(session, caller, personne_id))


@router.patch("/personnes/{personne_id}", response_model=schemas.PersonneOut, summary="Déclarer un changement")
def change(request: Request, caller: CallerDep, personne_id: IdPath, data: schemas.PersonneChange) -> schemas.PersonneOut:
    with transaction(request) as session:
        return _person_out(service.change_person(session, personne_id, data, caller=caller, today=date.today()))


@router.get("/personnes/{personne_id}/attestation", response_model=schemas.Attestation, summary="Attestation de droits")
def rights_certificate(
    request: Request, caller: CallerDep, personne_id: IdPath, date_: Annotated[date | None, Query(alias="date")] = None
) -> schemas.Attestation:
    with transaction(request) as session:
        personne = read_person(session, caller, personne_id, what=Ressource.ATTESTATION)
        return attestation(session, personne, date_ or date.today())


@router.get("/personnes/{personne_id}/ayants-droit", response_model=list[schemas.AyantDroitOut], summary="Enfants rattachés")
def list_children(request: Request, caller: CallerDep, personne_id: IdPath) -> list[schemas.AyantDroitOut]:
    with transaction(request) as session:
        read_person(session, caller, personne_id, what=Ressource.AYANTS_DROIT)
        rows = session.scalars(select(AyantDroit).where(AyantDroit.ouvrant_droit_id == personne_id).order_by(AyantDroit.id))
        return [schemas.AyantDroitOut.model_validate(r) for r in rows]


@router.post("/personnes/{personne_id}/ayants-droit", response_model=schemas.AyantDroitOut, status_code=201, summary="Rattacher un enfant mineur")
def attach_child(request: Request, caller: CallerDep, personne_id: IdPath, data: schemas.AyantDroitIn) -> schemas.AyantDroitOut:
    with transaction(request) as session:
        return schemas.AyantDroitOut.model_validate(service.attach_child(session, personne_id, data, caller=caller, today=date.today()))


@router.get("/personnes/{personne_id}/affiliations", response_model=list[schemas.AffiliationOut], summary="Périodes de droits")
def list_affiliations(request: Request, caller: CallerDep, personne_id: IdPath) -> list[schemas.AffiliationOut]:
    with transaction(request) as session:
        read_person(session, caller, personne_id, what=Ressource.AFFILIATIONS)
        rows = session.scalars(select(Affiliation).where(Affiliation.personne_id == personne_id).order_by(Affiliation.date_debut))
        return [schemas.AffiliationOut.model_validate(r) for r in rows]


@router.post("/personnes/{personne_id}/affiliations", response_model=schemas.AffiliationOut, status_code=201, summary="Ouvrir une période de droits (PUMa)")
def open_affiliation(request: Request, caller: CallerDep, personne_id: IdPath, data: schemas.AffiliationIn) -> schemas.AffiliationOut:
    with transaction(request) as session:
        return schemas.AffiliationOut.model_validate(service.open_affiliation(session, personne_id, data, caller=caller))


@router.post("/affiliations/{affiliation_id}/cloture", response_model=schemas.AffiliationOut, summary="Clore une période de droits")
def close_affiliation(request: Request, caller: CallerDep, affiliation_id: IdPath, date_fin: Annotated[date, Query()]) -> schemas.AffiliationOut:
    with transaction(request) as session:
        return schemas.AffiliationOut.model_validate(service.close_affiliation(session, affiliation_id, date_fin, caller=caller))


@router.get("/personnes/{personne_id}/cartes-vitale", response_model=list[schemas.CarteVitaleOut], summary="Cartes Vitale")
def list_cards(request: Request, caller: CallerDep, personne_id: IdPath) -> list[schemas.CarteVitaleOut]:
    with transaction(request) as session:
        read_person(session, caller, personne_id, what=Ressource.CARTES_VITALE)
        rows = session.scalars(select(CarteVitale).where(CarteVitale.personne_id == personne_id).order_by(CarteVitale.id))
        return [schemas.CarteVitaleOut.model_validate(r) for r in rows]


@router.post("/personnes/{personne_id}/cartes-vitale", response_model=schemas.CarteVitaleOut, status_code=201, summary="Émettre une carte Vitale")
def issue_card(request: Request, caller: CallerDep, personne_id: IdPath, data: schemas.CarteVitaleIn) -> schemas.CarteVitaleOut:
    with transaction(request) as session:
        return schemas.CarteVitaleOut.model_validate(service.issue_card(session, personne_id, data, caller=caller, today=date.today()))


@router.post(
    "/cartes-vitale/{carte_id}/perte", response_model=schemas.CarteVitaleOut, status_code=201,
    summary="Déclarer une carte perdue ou volée (et la remplacer)",
)
def declare_lost(request: Request, caller: CallerDep, carte_id: IdPath, data: schemas.PerteCarteIn) -> schemas.CarteVitaleOut:
    with transaction(request) as session:
        return schemas.CarteVitaleOut.model_validate(service.declare_card_lost(session, carte_id, data, caller=caller, today=date.today()))


@router.get("/personnes/{personne_id}/medecin-traitant", response_model=list[schemas.MedecinTraitantOut], summary="Déclarations de médecin traitant")
def list_mt(request: Request, caller: CallerDep, personne_id: IdPath) -> list[schemas.MedecinTraitantOut]:
    with transaction(request) as session:
        read_person(session, caller, personne_id, what=Ressource.MEDECIN_TRAITANT)
        rows = session.scalars(select(MedecinTraitant).where(MedecinTraitant.personne_id == personne_id).order_by(MedecinTraitant.date_debut))
        return [schemas.MedecinTraitantOut.model_validate(r) for r in rows]


@router.post("/personnes/{personne_id}/medecin-traitant", response_model=schemas.MedecinTraitantOut, status_code=201, summary="Déclarer son médecin traitant")
def declare_mt(request: Request, caller: CallerDep, personne_id: IdPath, data: schemas.MedecinTraitantIn) -> schemas.MedecinTraitantOut:
    with transaction(request) as session:
        return schemas.MedecinTraitantOut.model_validate(service.declare_medecin_traitant(session, personne_id, data, caller=caller, today=date.today()))


def _ald_out(ald: Ald) -> schemas.AldOut:
    return schemas.AldOut(
        id=ald.id, personne_id=ald.personne_id, code=ald.code, libelle=ALD[ald.code], date_debut=ald.date_debut, date_fin=ald.date_fin, protocole=ald.protocole
    )


@router.get("/personnes/{personne_id}/ald", response_model=list[schemas.AldOut], summary="ALD (données médicales)")
def list_ald(request: Request, caller: CallerDep, personne_id: IdPath) -> list[schemas.AldOut]:
    with transaction(request) as session:
        read_person(session, caller, personne_id, what=Ressource.ALD, medical=True)
        return [_ald_out(a) for a in session.scalars(select(Ald).where(Ald.personne_id == personne_id).order_by(Ald.date_debut))]


@router.post("/personnes/{personne_id}/ald", response_model=schemas.AldOut, status_code=201, summary="Admettre en ALD (médecin-conseil)")
def admit_ald(request: Request, caller: CallerDep, personne_id: IdPath, data: schemas.AldIn) -> schemas.AldOut:
    with transaction(request) as session:
        return _ald_out(service.admit_ald(session, personne_id, data, caller=caller))


@router.get("/personnes/{personne_id}/c2s", response_model=list[schemas.C2SOut], summary="Périodes de Complémentaire santé solidaire")
def list_c2s(request: Request, caller: CallerDep, personne_id: IdPath) -> list[schemas.C2SOut]:
    with transaction(request) as session:
        read_person(session, caller, personne_id, what=Ressource.C2S)
        rows = session.scalars(select(PeriodeC2S).where(PeriodeC2S.personne_id == personne_id).order_by(PeriodeC2S.date_debut))
        return [schemas.C2SOut.model_validate(r) for r in rows]


@router.post("/personnes/{personne_id}/c2s", response_model=schemas.C2SOut, status_code=201, summary="Ouvrir une période de C2S")
def open_c2s(request: Request, caller: CallerDep, personne_id: IdPath, data: schemas.C2SIn) -> schemas.C2SOut:
    with transaction(request) as session:
        return schemas.C2SOut.model_validate(service.open_c2s(session, personne_id, data, caller=caller))


@router.get("/personnes/{personne_id}/acces", summary="Qui a consulté ce dossier (journal des accès)")
def who_read(request: Request, caller: CallerDep, personne_id: IdPath, pagination: PaginationDep) -> dict:  # type: ignore[type-arg]
    """The assuré may see who read their own file; the administrator (DPO) anyone's."""
    with transaction(request) as session:
        items = lectures.who_read(session, caller, personne_id, page=pagination.page, taille=pagination.taille)
    return {"items": items, "page": pagination.page, "taille": pagination.taille}
