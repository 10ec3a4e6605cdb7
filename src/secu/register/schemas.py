"""What callers send to the register and what they get back.

Inputs check types only; the rules (NIR key, dates, who is a doctor…) live in
`secu.register.service`, the one place every entry point goes through.
Outputs are separate models, so a field never leaks by accident.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


#: A row identifier sent in a body: bounded like the database's INTEGER, so an absurd number is a clear 422.
ID_MAX = 2**31 - 1

class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(Output, Generic[T]):
    items: list[T]
    total: int
    page: int
    taille: int


# -- persons -------------------------------------------------------------------


class PersonneIn(Input):
    nir: str = Field(max_length=21, description="NIR à 15 caractères (espaces tolérés)")
    nom_naissance: str = Field(max_length=100)
    nom_usage: str | None = Field(default=None, max_length=100)
    prenoms: str = Field(max_length=150)
    date_naissance: date
    sexe: Literal["1", "2"] = Field(description="1 homme, 2 femme (comme dans le NIR)")
    departement: str = Field(max_length=3, description="département de résidence")
    commune: str | None = Field(default=None, max_length=5, description="code INSEE de la commune")
    code_postal: str | None = Field(default=None, max_length=5)
    adresse: str | None = Field(default=None, max_length=200)
    regime: Literal["general", "agricole"] = "general"
    iban: str | None = Field(default=None, max_length=42)
    bic: str | None = Field(default=None, max_length=11)
    email: str | None = Field(default=None, max_length=200)


class PersonneChange(Input):
    nom_usage: str | None = Field(default=None, max_length=100)
    departement: str | None = Field(default=None, max_length=3)
    commune: str | None = Field(default=None, max_length=5)
    code_postal: str | None = Field(default=None, max_length=5)
    adresse: str | None = Field(default=None, max_length=200)
    iban: str | None = Field(default=None, max_length=42)
    bic: str | None = Field(default=None, max_length=11)
    email: str | None = Field(default=None, max_length=200)
    date_deces: date | None = None


class RattachementOut(Output):
    branche: str
    organisme_code: str


class PersonneOut(Output):
    id: int
    nir: str
    nom_naissance: str
    nom_usage: str | None
    prenoms: str
    date_naissance: date
    sexe: str
    date_deces: date | None
    adresse: str | None
    code_postal: str | None
    commune: str | None
    departement: str
    regime: str
    iban: str | None
    bic: str | None
    email: str | None
    rattachements: list[RattachementOut]


class PersonneResume(Output):
    id: int
    nom_naissance: str
    nom_usage: str | None
    prenoms: str
    date_naissance: date
    departement: str


class AyantDroitIn(Input):
    enfant_id: int = Field(ge=1, le=ID_MAX)
    date_debut: date


class AyantDroitOut(Output):
    id: int
    enfant_id: int
    ouvrant_droit_id: int
    date_debut: date
    date_fin: date | None


# -- households -----------------------------------------------------------------


class MembreIn(Input):
    personne_id: int = Field(ge=1, le=ID_MAX)
    role: Literal["allocataire", "conjoint", "enfant", "autre"]
    date_debut: date


class FoyerIn(Input):
    libelle: str | None = Field(default=None, max_length=200)
    membres: list[MembreIn]


class MembreOut(Output):
    personne_id: int
    role: str
    date_debut: date
    date_fin: date | None


class FoyerOut(Output):
    id: int
    libelle: str | None
    membres: list[MembreOut]


# -- employers ------------------------------------------------------------------------


class EtablissementIn(Input):
    siret: str = Field(max_length=20)
    enseigne: str | None = Field(default=None, max_length=200)
    code_naf: str = Field(max_length=6)
    effectif: int
    adresse: str | None = Field(default=None, max_length=200)
    commune: str | None = Field(default=None, max_length=5)
    departement: str = Field(max_length=3)


class EmployeurIn(Input):
    siren: str = Field(max_length=11)
    raison_sociale: str = Field(max_length=200)
    etablissements: list[EtablissementIn] = []


class EtablissementOut(Output):
    id: int
    employeur_id: int
    siret: str
    enseigne: str | None
    code_naf: str
    effectif: int
    adresse: str | None
    commune: str | None
    departement: str


class EmployeurOut(Output):
    id: int
    siren: str
    raison_sociale: str
    etablissements: list[EtablissementOut]


# -- health professionals -----------------------------------------------------------


SECTEUR_NON_CONVENTIONNE = 3
"""The répertoire's code of a practitioner outside the convention (CSS L. 162-5, L. 162-14-1 and the conventions).

Not a number of the law: the convention médicale names secteur 1 (tarifs opposables) and secteur 2 (honoraires
différents); "secteur 3" is the usual name, kept as a code, of a médecin who has not joined it.
"""


class ProfessionnelIn(Input):
    rpps: str = Field(max_length=11)
    nom: str = Field(max_length=100)
    prenom: str = Field(max_length=100)
    profession: str = Field(max_length=30)
    specialite: str | None = Field(default=None, max_length=60)
    secteur: Literal[1, 2, 3] = 1
    optam: bool = False
    departement: str = Field(max_length=3)
    commune: str | None = Field(default=None, max_length=5)
    iban: str | None = Field(default=None, max_length=42)
    bic: str | None = Field(default=None, max_length=11)


class ProfessionnelOut(Output):
    id: int
    rpps: str
    nom: str
    prenom: str
    profession: str
    specialite: str | None
    secteur: int
    optam: bool
    departement: str
    commune: str | None


# -- rights -------------------------------------------------------------------------------


class AffiliationIn(Input):
    motif: Literal["activite", "residence"]
    date_debut: date
    date_fin: date | None = None


class AffiliationOut(Output):
    id: int
    personne_id: int
    regime: str
    organisme_code: str
    motif: str
    date_debut: date
    date_fin: date | None


class CarteVitaleIn(Input):
    date_emission: date


class PerteCarteIn(Input):
    motif: Literal["perdue", "volee"]
    date: date


class CarteVitaleOut(Output):
    id: int
    personne_id: int
    numero: str
    date_emission: date
    statut: str
    date_statut: date


class MedecinTraitantIn(Input):
    professionnel_id: int = Field(ge=1, le=ID_MAX)
    date_debut: date


class MedecinTraitantOut(Output):
    id: int
    personne_id: int
    professionnel_id: int
    date_debut: date
    date_fin: date | None


class AldIn(Input):
    code: str = Field(max_length=3)
    date_debut: date
    date_fin: date | None = None
    protocole: str | None = Field(default=None, max_length=40)
    medecin_id: int | None = Field(default=None, ge=1, le=ID_MAX)


class AldOut(Output):
    id: int
    personne_id: int
    code: str
    libelle: str
    date_debut: date
    date_fin: date | None
    protocole: str | None


class C2SIn(Input):
    date_debut: date
    date_fin: date
    avec_participation: bool = False
    participation_mensuelle_cents: int = 0


class C2SOut(Output):
    id: int
    personne_id: int
    avec_participation: bool
    participation_mensuelle_cents: int
    date_debut: date
    date_fin: date


# -- attestation de droits ------------------------------------------------------------------


class OrganismeRef(Output):
    code: str
    nom: str


class Exoneration(Output):
    motif: str
    libelle: str
    reference: str
    depuis: date
    jusqu_au: date | None


class MedecinTraitantRef(Output):
    nom: str
    prenom: str
    depuis: date


class OuvrantDroitRef(Output):
    nom: str
    prenoms: str


class Attestation(Output):
    date: dt.date  # the field is named after the day the rights are read; dt.date keeps the type visible
    nom: str
    prenoms: str
    date_naissance: dt.date
    nir: str
    qualite: Literal["assuré", "ayant droit"]
    ouvrants_droit: list[OuvrantDroitRef]
    couvert: bool
    motif_absence_droits: str | None
    regime: str | None
    organisme: OrganismeRef | None
    droits_depuis: dt.date | None
    droits_jusqu_au: dt.date | None
    exonerations: list[Exoneration]
    c2s: C2SOut | None
    medecin_traitant: MedecinTraitantRef | None
