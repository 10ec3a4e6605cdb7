"""What a lot of feuilles de soins looks like on the way in, and what each FSE gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import ConfigDict, Field

from secu.core.entree import Entree

# A plausibility bound, not law: the coefficients of the NABM's biology acts reach several hundred (B 395).
COEFFICIENT_MAXIMAL = 10_000

# Rejection codes and their French labels.
REJETS = {
    "FORMAT": "feuille de soins mal formée",
    "NIR_INVALIDE": "NIR invalide",
    "PATIENT_INCONNU": "patient inconnu",
    "SANS_DROITS": "aucun droit ouvert à la date des soins",
    "ACTE_INCONNU": "acte inconnu",
    "DATE_FUTURE": "date des soins dans le futur",
    "DATE_PRESCRITE": "date des soins trop ancienne : l'action en paiement est prescrite (CSS L332-1)",
    "DOUBLON": "soins déjà facturés sous un autre numéro de feuille",
    "NUMERO_REUTILISE": "ce numéro de feuille a déjà servi pour d'autres soins",
    "PS_NON_CONVENTIONNE": "professionnel non conventionné",
    "LOT_MIXTE": "la feuille n'est pas du professionnel du lot",
    "TARIF": "acte non remboursable à cette date",
}


class LigneIn(Entree):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    acte: str = Field(min_length=1, max_length=12, description="code de l'acte (NGAP : G, APC, AMI, AMK, PH4…)")
    quantite: int = Field(default=1, ge=1, le=999)
    coefficient: Decimal = Field(default=Decimal(1), gt=0, le=COEFFICIENT_MAXIMAL, description="coefficient de la lettre-clé (AMI 3.5, B 395…)")
    montant: Decimal = Field(ge=0, le=100_000, description="honoraires facturés, en euros")
    base_unitaire: Decimal | None = Field(default=None, ge=0, le=100_000, description="prix unitaire (pharmacie, LPP, transport)")
    ald: bool = Field(default=False, description="soins en rapport avec l'ALD (ordonnance bizone)")
    acte_lourd_pendant_sejour: bool = Field(default=False, description="séjour hospitalier (GHS) au cours duquel un acte lourd a été effectué (CSS R160-16)")


class FseIn(Entree):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    numero: str = Field(min_length=1, max_length=40)
    nir: str = Field(max_length=21)
    date_soins: date
    professionnel_rpps: str | None = Field(default=None, max_length=11)
    tiers_payant: bool = False
    parcours: Literal["medecin_traitant", "oriente", "urgence", "remplacement", "hors_residence", "acces_direct", "hors_parcours"] | None = Field(
        default=None, description="situation au regard du parcours de soins coordonné, telle que le médecin la déclare"
    )
    maternite: bool = False
    atmp: bool = False
    lignes: list[LigneIn] = Field(min_length=1, max_length=99)


class LotIn(Entree):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    numero: str = Field(min_length=1, max_length=40)
    professionnel_rpps: str = Field(max_length=11)
    fse: list[dict[str, Any]] = Field(min_length=1, max_length=1000)

    champs_examines_ailleurs = frozenset({"fse"})  # each FSE meets FseIn alone: a bad one is rejected, not the lot


@dataclass
class Resultat:
    numero: str | None
    statut: Literal["liquidee", "rejetee"]
    code: str | None = None
    motif: str | None = None
    champ: str | None = None
    fse_id: int | None = None
    rembourse_cents: int = 0
    lignes: list[dict[str, Any]] = field(default_factory=list)
    explications: list[str] = field(default_factory=list)
    """Each line's steps as JSON text (the API writes it into its answer as it is; written once, at liquidation)."""


class Rejet(Exception):
    def __init__(self, code: str, detail: str | None = None, champ: str | None = None) -> None:
        super().__init__(code)
        self.code, self.champ = code, champ
        self.motif = REJETS[code] + (f" : {detail}" if detail else "")


class Collision(Exception):
    """A concurrent lot changed what this one read: the lot is run again (lot.receive_lot_retrying)."""
