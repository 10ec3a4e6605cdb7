"""Who is within the parcours de soins coordonné (CSS L162-5-3), as the intake decides it from the register."""

from __future__ import annotations

from datetime import date

import pytest

from secu.maladie.intake import in_parcours
from secu.register.models import Personne, ProfessionnelSante

DAY = date(2025, 6, 1)
ADULT, YOUNG = date(1980, 1, 1), date(2005, 1, 1)  # 45 and 20 on DAY


def doctor(pro_id: int, specialite: str, profession: str = "medecin") -> ProfessionnelSante:
    return ProfessionnelSante(id=pro_id, profession=profession, specialite=specialite)


@pytest.mark.parametrize(
    ("pro", "born", "declared", "traitant", "expected"),
    [
        (doctor(1, "medecine-generale"), ADULT, None, 1, True),  # the médecin traitant on record
        (doctor(2, "medecine-generale"), ADULT, None, 1, False),  # another generalist, nothing declared
        (doctor(2, "medecine-generale"), ADULT, None, None, False),  # no médecin traitant declared
        (doctor(2, "cardiologie"), ADULT, "oriente", 1, True),  # referred by the médecin traitant
        (doctor(2, "cardiologie"), ADULT, "urgence", None, True),
        (doctor(2, "medecine-generale"), ADULT, "remplacement", 1, True),
        (doctor(2, "medecine-generale"), ADULT, "hors_residence", 1, True),
        (doctor(2, "cardiologie"), ADULT, "acces_direct", 1, False),  # not a specialty of direct access
        (doctor(2, "ophtalmologie"), ADULT, None, 1, True),  # accès direct spécifique
        (doctor(2, "gynecologie"), ADULT, "acces_direct", 1, True),
        (doctor(2, "gynecologie"), ADULT, "acces_direct", None, False),  # only with a médecin traitant declared
        (doctor(2, "psychiatrie"), YOUNG, None, 1, True),  # psychiatrist, 16 to 25
        (doctor(2, "psychiatrie"), ADULT, None, 1, False),
        (doctor(1, "medecine-generale"), ADULT, "hors_parcours", 1, False),  # the doctor says so
        (doctor(3, None, "infirmier"), ADULT, None, None, True),  # outside the parcours' scope
    ],
)
def test_parcours(pro: ProfessionnelSante, born: date, declared: str | None, traitant: int | None, expected: bool) -> None:
    patient = Personne(date_naissance=born)
    assert in_parcours(pro, patient, declared, medecin_traitant_id=traitant, day=DAY) is expected
