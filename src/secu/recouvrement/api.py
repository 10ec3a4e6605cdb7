"""Recouvrement over HTTP: DSN in; contributions, the employer's account and salary records out."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from secu.acces import Permission, exiger
from secu.api.deps import CallerDep, IdPath, transaction
from secu.core.entree import Entree, ObjetJson
from secu.core.errors import InvalidField, NotFound
from secu.core.money import to_cents
from secu.core.security import Action, Ressource, journal
from secu.especes.service import recevoir_attestation_salaire
from secu.recouvrement import compte, service
from secu.recouvrement.dsn.signalement import DepotSignalement, Recevoir, deposer_signalement
from secu.recouvrement.models import DeclarationDsn, MouvementCotisant
from secu.register.access import read_person

router = APIRouter(prefix="/recouvrement", tags=["recouvrement"])


def _declaration_out(record: DeclarationDsn, *, deja_recue: bool | None = None, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": record.id, "siren": record.siren, "siret": record.siret, "mois": record.mois, "version": record.version,
        "type": record.type_declaration, "remplacee_par": record.remplacee_par_id, "urssaf": record.organisme_code,
        "effectif": record.effectif, "salaries": record.salaries, "date_exigibilite": record.date_exigibilite,
        "brut_cents": record.brut_cents, "salarial_cents": record.salarial_cents, "patronal_cents": record.patronal_cents,
        "du_urssaf_cents": record.du_urssaf_cents,
    }
    if deja_recue is not None:
        out["deja_recue"] = deja_recue
    if detail:
        out["salaries_detail"] = [
            {
                "nir": r.nir, "numero_contrat": r.numero_contrat, "brut_cents": r.brut_cents, "heures": r.heures, "cadre": r.cadre,
                "salarial_cents": r.salarial_cents, "patronal_cents": r.patronal_cents, "net_avant_impot_cents": r.net_avant_impot_cents,
                "lignes": [
                    {"code": ligne.code, "libelle": ligne.libelle, "assiette_cents": ligne.assiette_cents, "taux_salarial": ligne.taux_salarial,
                     "taux_patronal": ligne.taux_patronal, "montant_salarial_cents": ligne.montant_salarial_cents,
                     "montant_patronal_cents": ligne.montant_patronal_cents, "attributaire": ligne.attributaire, "reference": ligne.reference}
                    for ligne in r.lignes
                ],
            }
            for r in record.remunerations
        ]
    return out


MAX_DSN_BYTES = 50 * 1024 * 1024


@router.post(
    "/dsn",
    summary="Déposer une DSN mensuelle (format texte de la norme, une rubrique par ligne)",
    openapi_extra={"requestBody": {"required": True, "content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def post_dsn_text(request: Request, caller: CallerDep) -> dict[str, Any]:
    """The file as sent (UTF-8 or Latin-1), read whole, then taken in one transaction."""
    exiger(caller, Permission.DEPOSER_DSN)  # refused before the body is read
    body = await request.body()
    if not body.strip():
        raise InvalidField("contenu", "le fichier DSN est vide")
    if len(body) > MAX_DSN_BYTES:
        raise InvalidField("contenu", "fichier DSN trop volumineux (50 Mo au plus)")

    def take() -> dict[str, Any]:
        with transaction(request) as session:
            received = service.receive(session, caller, body, today=date.today())
            return _declaration_out(received.declaration, deja_recue=received.deja_recue)

    return await run_in_threadpool(take)


RECEVOIR_ATTESTATION: Recevoir = recevoir_attestation_salaire
"""Who takes each attestation of a signalement: the service of the prestations en espèces (a test may put another)."""


def _signalement_out(depot: DepotSignalement) -> dict[str, Any]:
    return {
        "declarations": [{"nature": s.nature, "siret": s.siret, "identifiant": s.identifiant, "arrets": len(s.arrets)}
                         for s in depot.signalements],
        "attestations": [
            {"reference": d.attestation.reference, "risque": d.attestation.risque,
             "dernier_jour_travaille": d.attestation.dernier_jour_travaille, "fin_previsionnelle": d.attestation.fin_previsionnelle,
             "reprise": d.attestation.reprise, "subrogation": d.attestation.subrogation,
             "mois_de_salaire": len(d.attestation.salaires), "attestation_id": getattr(d.resultat, "id", None)}
            for d in depot.depots
        ],
    }  # fmt: skip


@router.post(
    "/dsn/signalements",
    summary="Déposer un signalement d'arrêt de travail (nature 04) ou de reprise (nature 05), format texte de la norme",
    openapi_extra={"requestBody": {"required": True, "content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def post_signalement(request: Request, caller: CallerDep) -> dict[str, Any]:
    """Each arrêt becomes an attestation de salaire for the prestations en espèces; the same file twice is one of each."""
    exiger(caller, Permission.DEPOSER_DSN)  # refused before the body is read
    body = await request.body()
    if not body.strip():
        raise InvalidField("contenu", "le fichier DSN est vide")
    if len(body) > MAX_DSN_BYTES:
        raise InvalidField("contenu", "fichier DSN trop volumineux (50 Mo au plus)")

    def take() -> dict[str, Any]:
        with transaction(request) as session:
            return _signalement_out(deposer_signalement(session, body, RECEVOIR_ATTESTATION, caller=caller))

    return await run_in_threadpool(take)


@router.post("/dsn/json", summary="Déposer une DSN mensuelle au format JSON (schéma secu-dsn/1)")
def post_dsn_json(request: Request, caller: CallerDep, contenu: Annotated[ObjetJson, Body(description="la DSN en JSON")]) -> dict[str, Any]:
    with transaction(request) as session:
        received = service.receive(session, caller, contenu, today=date.today())
        return _declaration_out(received.declaration, deja_recue=received.deja_recue)


@router.get("/dsn/{declaration_id}", summary="Une DSN : chaque salarié, chaque cotisation, avec sa base, son taux et sa référence")
def read_dsn(request: Request, caller: CallerDep, declaration_id: IdPath) -> dict[str, Any]:
    exiger(caller, Permission.LIRE_COMPTE_COTISANT)  # a profile without the right learns nothing, not even whether it exists
    with transaction(request) as session:
        record = session.get(DeclarationDsn, declaration_id)
        if record is None:
            raise NotFound("DSN introuvable", field="declaration_id")
        service.check_employer_access(session, caller, record.siren)
        journal(session, caller, Action.LECTURE, Ressource.DECLARATION_DSN, record.id)
        for remuneration in record.remunerations:  # each employee's pay is read: a trace in their own file's journal
            if remuneration.personne_id is not None:
                journal(session, caller, Action.LECTURE, Ressource.REMUNERATION, remuneration.id, personne_id=remuneration.personne_id)
        return _declaration_out(record, detail=True)


def _account_out(account: compte.Compte) -> dict[str, Any]:
    return {
        "siren": account.siren, "au": account.au, "solde_cents": account.solde_cents, "verse_d_avance_cents": account.non_impute_cents,
        "periodes": [p.__dict__ | {"en_retard": p in account.en_retard} for p in account.periodes],
        "mouvements": [_move_out(m) for m in account.mouvements],
    }


def _move_out(move: MouvementCotisant) -> dict[str, Any]:
    return {"date": move.date_valeur, "nature": move.nature, "mois": move.mois, "montant_cents": move.montant_cents,
            "libelle": move.libelle, "reference": move.reference}


@router.get("/employeurs/{siren}/compte", summary="Le compte cotisant : échéances, versements, majorations, solde")
def read_account(request: Request, caller: CallerDep, siren: str, au: Annotated[date | None, Query()] = None) -> dict[str, Any]:
    with transaction(request) as session:
        service.check_employer_access(session, caller, siren)
        on = compte.date_de_calcul(au, date.today()) if au else date.today()
        out = _account_out(compte.account(session, siren, on))
        out["declarations"] = [_declaration_out(d) for d in service.active_declarations(session, siren)]
        out["mises_en_demeure"] = [
            {"date_emission": n.date_emission, "date_limite": n.date_limite, "cotisations_cents": n.cotisations_cents,
             "majorations_cents": n.majorations_cents, "periodes": json.loads(n.periodes), "reference": compte.REFERENCE_MISE_EN_DEMEURE}
            for n in compte.notices(session, siren)
        ]
        return out


class VersementIn(Entree):
    montant: str = Field(max_length=20, description="montant reçu, en euros (ex. 1234.56)")
    date_reception: date
    reference: str = Field(min_length=1, max_length=60, description="référence bancaire du virement")


@router.post("/employeurs/{siren}/versements", summary="Enregistrer un versement reçu de l'employeur")
def post_payment(request: Request, caller: CallerDep, siren: str, data: VersementIn) -> dict[str, Any]:
    exiger(caller, Permission.GERER_COMPTE_COTISANT)
    with transaction(request) as session:
        urssaf = service.check_employer_access(session, caller, siren, write=True)
        move = compte.record_payment(session, siren=siren, urssaf=urssaf, montant_cents=to_cents(data.montant, field="montant"),
                                     recu_le=data.date_reception, reference=data.reference)
        return _move_out(move)


@router.post("/employeurs/{siren}/majorations", summary="Calculer les majorations de retard dues à une date")
def post_late_fees(request: Request, caller: CallerDep, siren: str, au: Annotated[date | None, Query()] = None) -> dict[str, Any]:
    exiger(caller, Permission.GERER_COMPTE_COTISANT)
    with transaction(request) as session:
        urssaf = service.check_employer_access(session, caller, siren, write=True)
        moves = compte.apply_late_fees(session, siren=siren, urssaf=urssaf, on=au or date.today(), today=date.today())
        return {"majorations": [_move_out(m) for m in moves], "total_cents": sum(m.montant_cents for m in moves)}


@router.post("/employeurs/{siren}/mises-en-demeure", summary="Adresser une mise en demeure pour les périodes échues impayées")
def post_notice(request: Request, caller: CallerDep, siren: str, au: Annotated[date | None, Query()] = None) -> dict[str, Any]:
    exiger(caller, Permission.GERER_COMPTE_COTISANT)
    with transaction(request) as session:
        urssaf = service.check_employer_access(session, caller, siren, write=True)
        notice = compte.issue_formal_notice(session, siren=siren, urssaf=urssaf, on=au or date.today(), today=date.today(),
                                             emise_par=caller.user_id)
        return {"date_emission": notice.date_emission, "date_limite": notice.date_limite, "cotisations_cents": notice.cotisations_cents,
                "majorations_cents": notice.majorations_cents, "periodes": json.loads(notice.periodes),
                "reference": compte.REFERENCE_MISE_EN_DEMEURE}


@router.get("/personnes/{personne_id}/remunerations", summary="Les salaires déclarés d'une personne, mois par mois")
def read_salary_records(request: Request, caller: CallerDep, personne_id: IdPath,
                        du: Annotated[date | None, Query()] = None, au: Annotated[date | None, Query()] = None) -> dict[str, Any]:
    exiger(caller, Permission.LIRE_REMUNERATIONS)  # pay is not the medical service's business
    with transaction(request) as session:
        personne = read_person(session, caller, personne_id, what=Ressource.REMUNERATIONS)
        records = service.salary_records(session, personne, du=du, au=au)
        return {"items": [{"mois": r.mois, "siret": r.siret, "brut_cents": r.brut_cents, "heures": r.heures, "cadre": r.cadre,
                           "date_entree": r.date_entree, "date_sortie": r.date_sortie, "net_avant_impot_cents": r.net_avant_impot_cents}
                          for r in records]}
