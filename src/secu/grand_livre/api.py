"""The ledger over HTTP: post an entry (administration and batch jobs), read balances."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from secu.acces import Permission, Portee, exiger
from secu.api.deps import CallerDep, transaction
from secu.core import ledger
from secu.core.entree import Entree
from secu.core.security import Action, Ressource, journal

router = APIRouter(prefix="/grand-livre", tags=["grand livre"])


class LigneIn(Entree):
    model_config = ConfigDict(extra="forbid")
    branche: str = Field(max_length=20)
    regime: str = Field(default="general", max_length=10)
    organisme_code: str = Field(max_length=20)
    compte: str = Field(max_length=60)
    montant_cents: int = Field(ge=-ledger.MONTANT_MAX_CENTS, le=ledger.MONTANT_MAX_CENTS, description="débit positif, crédit négatif, en centimes")
    contrepartie: str | None = Field(default=None, max_length=120)


class EcritureIn(Entree):
    model_config = ConfigDict(extra="forbid")
    cle_idempotence: str = Field(max_length=120)
    date_operation: date
    libelle: str = Field(max_length=200)
    document_source: str | None = Field(default=None, max_length=120)
    lignes: list[LigneIn] = Field(max_length=ledger.MAX_LIGNES)


class EcritureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    cle_idempotence: str
    date_operation: date
    libelle: str
    document_source: str | None
    lignes: list[LigneIn]


class SoldeOut(BaseModel):
    compte: str
    branche: str = Field(max_length=20)
    organisme_code: str
    regime: str
    debit_cents: int
    credit_cents: int
    solde_cents: int


@router.post("/ecritures", response_model=EcritureOut, status_code=201, summary="Passer une écriture (idempotente)")
def post_entry(request: Request, caller: CallerDep, data: EcritureIn) -> EcritureOut:
    exiger(caller, Permission.PASSER_ECRITURE)
    entry = ledger.NouvelleEcriture(
        cle_idempotence=data.cle_idempotence,
        date_operation=data.date_operation,
        libelle=data.libelle,
        document_source=data.document_source,
        lignes=tuple(ledger.Ligne(**ligne.model_dump()) for ligne in data.lignes),
    )
    with transaction(request) as session:
        ecriture = ledger.post(session, entry)
        journal(session, caller, Action.CREATION, Ressource.ECRITURE, ecriture.id)
        return EcritureOut.model_validate(ecriture)


@router.get("/soldes", response_model=list[SoldeOut], summary="Soldes par compte, branche et organisme sur une période")
def balances(
    request: Request,
    caller: CallerDep,
    du: Annotated[date | None, Query()] = None,
    au: Annotated[date | None, Query()] = None,
    branche: Annotated[str | None, Query()] = None,
    organisme: Annotated[str | None, Query(max_length=20)] = None,
    compte: Annotated[str | None, Query(max_length=60, description="préfixe de compte")] = None,
    regime: Annotated[str | None, Query()] = None,
) -> list[SoldeOut]:
    reach = exiger(caller, Permission.LIRE_SOLDES)
    filtre = ledger.FiltreSoldes(du=du, au=au, branche=branche, organisme_code=organisme, compte_prefixe=compte, regime=regime)
    if reach is Portee.SA_CAISSE:  # an agent sees the books of their own caisse only
        filtre.organismes = (caller.organisme_code or "",)
    with transaction(request) as session:
        return [SoldeOut(**s.__dict__, solde_cents=s.solde_cents) for s in ledger.balances(session, filtre)]
