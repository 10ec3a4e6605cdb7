"""What comes in for the prestations en espèces: the employer's attestation de salaire for an arrêt.

One shape whatever the channel: the DSN signalement d'arrêt de travail (nature 04, read by
``secu.recouvrement.dsn``), the signalement de reprise (nature 05), or the attestation an agent keys from
paper. The service (``secu.especes.service``) stores it once per ``reference`` and the IJ rule reads its
salaries (CSS R. 323-4: the three calendar months before the arrêt; twelve for seasonal or discontinuous work).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from secu.core.entree import Centimes, Entree

Risque = Literal["maladie", "maternite", "paternite", "adoption", "atmp"]
"""The risk of an arrêt: maladie, maternité, paternité et accueil de l'enfant, adoption, accident du travail
or maladie professionnelle."""

Source = Literal["dsn", "saisie"]
"""Where the attestation came from: a DSN signalement, or an agent keying a paper attestation."""


class SalaireMois(Entree):
    """The gross pay of one calendar month before the arrêt (DSN S21.G00.51, rémunération brute)."""

    mois: date = Field(description="premier jour du mois")
    brut: Centimes = Field(description="salaire brut du mois, en centimes")
    heures: Decimal | None = Field(
        default=None, ge=0, le=744, max_digits=7, decimal_places=2, description="heures de travail salarié du mois (conditions d'ouverture, CSS R. 313-3)"
    )


class AttestationSalaire(Entree):
    """The employer's attestation for one arrêt of one employee."""

    reference: str = Field(min_length=1, max_length=80, description="identifiant unique de l'attestation chez l'émetteur")
    source: Source = "saisie"
    nir: str = Field(min_length=13, max_length=15, description="NIR du salarié")
    siret: str = Field(min_length=14, max_length=14, description="SIRET de l'établissement employeur")
    risque: Risque
    dernier_jour_travaille: date
    fin_previsionnelle: date | None = None
    reprise: date | None = Field(default=None, description="date de reprise (signalement de reprise, nature 05)")
    salaires: list[SalaireMois] = Field(min_length=1, max_length=12, description="les mois précédant l'arrêt")
    subrogation: bool = Field(default=False, description="l'employeur maintient le salaire et reçoit les IJ (R. 323-11)")
    subrogation_debut: date | None = None
    subrogation_fin: date | None = None
    iban_employeur: str | None = Field(default=None, max_length=34, description="compte où verser les IJ subrogées")
