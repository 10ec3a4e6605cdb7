"""What callers send to the branche famille and get back. Types only: the rules are in `secu.famille.service`."""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from secu.famille.models import NATURES


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EnfantAttributs(Input):
    garde_alternee: bool = False
    aeeh_categorie: int | None = Field(default=None, ge=0, le=6)
    asf: int = Field(default=0, ge=0, le=2)
    salaire_net_mensuel: Decimal | int | str = 0
    scolarise: bool = True


class MembreDeclare(Input):
    personne_id: int = Field(ge=1, le=2**31 - 1)
    role: Literal["allocataire", "conjoint", "enfant"]
    date_debut: date
    enfant: EnfantAttributs | None = None  # for role enfant


class RessourceIn(Input):
    personne_id: int = Field(ge=1, le=2**31 - 1)
    annee: int = Field(ge=1990, le=2100)
    montant: Decimal | int | str = Field(description="net catégoriel de l'année, en euros")
    revenu_professionnel: Decimal | int | str | None = Field(default=None, description="part professionnelle, en euros (biactivité)")


class DeclarationIn(Input):
    membres: list[MembreDeclare]
    date_debut: date = Field(description="date depuis laquelle le foyer existe")
    iban: str | None = None
    bic: str | None = None
    ressources: list[RessourceIn] = []
    aah_taux_incapacite: int = Field(default=0, ge=0, le=100)
    aah_rsdae: bool = False
    libelle: str | None = Field(default=None, max_length=200)


class ChangementIn(Input):
    nature: Literal[NATURES]  # type: ignore[valid-type]
    date: dt.date = Field(description="date de l'événement")
    personne_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    enfant: EnfantAttributs | None = None  # naissance, arrivée
    garde_alternee: bool | None = None
    aeeh_categorie: int | None = Field(default=None, ge=0, le=6)
    asf: int | None = Field(default=None, ge=0, le=2)
    salaire_net_mensuel: Decimal | int | str | None = None
    scolarise: bool | None = None
    taux_incapacite: int | None = Field(default=None, ge=0, le=100)
    rsdae: bool | None = None
    annee: int | None = Field(default=None, ge=1990, le=2100)
    montant: Decimal | int | str | None = None
    revenu_professionnel: Decimal | int | str | None = None
    departement: str | None = None
    commune: str | None = None
    iban: str | None = None
    bic: str | None = None


class DossierOut(BaseModel):
    id: int
    foyer_id: int
    allocataire_id: int
    organisme_code: str
    date_debut: date
    date_declaration: date
    iban_connu: bool
    membres: list[dict[str, Any]]
    evenements: list[dict[str, Any]]


class CampagneIn(Input):
    organisme_code: str
    mois: date = Field(description="mois des droits payés (premier jour du mois)")
    date_execution: date | None = None


class SimulationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mois: date
    foyer: dict[str, Any]
