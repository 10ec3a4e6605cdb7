"""The ledger over HTTP: post an entry (administration and batch jobs), read balances."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import polars as pl
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from secu.acces import Permission, Portee, exiger
from secu.api.deps import CallerDep, transaction
from secu.core import ledger
from secu.core.entree import Entree
from secu.core.security import Action, Ressource, journal
from secu.statistiques.rules import secret_statistique

router = APIRouter(prefix="/grand-livre", tags=["grand livre"])


class LigneIn(Entree):
    model_config = ConfigDict(extra="forbid", from_attributes=True)  # also read back from the stored lines (EcritureOut)
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
    exercice_rattache: int | None = Field(default=None, ge=1996, le=2100, description="correction d'un exercice clos : son année")
    lignes: list[LigneIn] = Field(max_length=ledger.MAX_LIGNES)


class EcritureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    cle_idempotence: str
    date_operation: date
    libelle: str
    document_source: str | None
    exercice_rattache: int | None = None
    lignes: list[LigneIn]


class SoldeOut(BaseModel):
    compte: str
    branche: str = Field(max_length=20)
    organisme_code: str
    regime: str
    debit_cents: int | None = Field(description="null : couvert par le secret statistique")
    credit_cents: int | None
    solde_cents: int | None
    secret: bool = Field(default=False, description="moins d'écritures que le seuil du secret statistique : montants masqués")


#: The simulated year's accounts add up a synthetic population: there is no one in them to single out.
SIMULATION = "simulation."
_SOLDES = {"compte": pl.String, "debit_cents": pl.Int64, "credit_cents": pl.Int64, "solde_cents": pl.Int64, "ecritures": pl.Int64}


def _fin_du_mois(d: date) -> date:
    return date(d.year, 12, 31) if d.month == 12 else date(d.year, d.month + 1, 1) - timedelta(days=1)


def _published(soldes: list[ledger.Solde], on: date) -> list[SoldeOut]:
    """Secret statistique for the callers who see aggregates only: a balance that adds up fewer entries than the
    threshold (one family's payment, one person's APA…) shows no amount, whatever the filters narrowed it to."""
    rows = [{**s.__dict__, "solde_cents": s.solde_cents} for s in soldes]
    cells = pl.DataFrame([{k: r[k] for k in _SOLDES} for r in rows], schema=_SOLDES).with_columns(
        date=pl.lit(on), effectif=pl.when(pl.col("compte").str.starts_with(SIMULATION)).then(0).otherwise(pl.col("ecritures")))
    hidden = secret_statistique(cells, masquer=["debit_cents", "credit_cents", "solde_cents"])
    return [SoldeOut(**{**r, **{k: h[k] for k in ("debit_cents", "credit_cents", "solde_cents", "secret")}})
            for r, h in zip(rows, hidden.iter_rows(named=True), strict=True)]


@router.post("/ecritures", response_model=EcritureOut, status_code=201, summary="Passer une écriture (idempotente)")
def post_entry(request: Request, caller: CallerDep, data: EcritureIn) -> EcritureOut:
    exiger(caller, Permission.PASSER_ECRITURE)
    entry = ledger.NouvelleEcriture(
        cle_idempotence=data.cle_idempotence,
        date_operation=data.date_operation,
        libelle=data.libelle,
        document_source=data.document_source,
        exercice_rattache=data.exercice_rattache,
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
    if reach is Portee.AGREGATS:
        # Whole months only: two periods a day apart would single out that day's entries by difference.
        du = du.replace(day=1) if du else None
        au = _fin_du_mois(au) if au else None
    filtre = ledger.FiltreSoldes(du=du, au=au, branche=branche, organisme_code=organisme, compte_prefixe=compte, regime=regime)
    if reach is Portee.SA_CAISSE:  # an agent sees the books of their own caisse only
        filtre.organismes = (caller.organisme_code or "",)
    with transaction(request) as session:
        soldes = ledger.balances(session, filtre)
    if reach is Portee.AGREGATS:
        return _published(soldes, date.today())
    return [SoldeOut(**s.__dict__, solde_cents=s.solde_cents) for s in soldes]
