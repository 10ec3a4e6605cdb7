"""secu's prestations en espèces against OpenFisca-France, where OpenFisca has the law.

OpenFisca-France does not compute any IJ amount: the IJ are inputs there
(``model/revenus/remplacement/indemnites_journalieres_securite_sociale.py``),
as are the invalidity pension and the capital décès. What it does hold is the
CSG rate on IJ and the MTP of each 1 April: both are compared here, through
secu's rules (the CSG a rule takes on 100 € of IJ, the MTP a 3e catégorie
pension adds), read from the parameter files of the pinned OpenFisca-France of
the isolated environment (tests/recouvrement/openfisca/environment.py; never
imported by secu's interpreter). ``SECU_SKIP_OPENFISCA=1`` skips it offline.
"""

from __future__ import annotations

import os
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import yaml

from secu.especes.rules import indemnites_journalieres, pension_invalidite
from tests.recouvrement.openfisca.environment import openfisca_python

pytestmark = pytest.mark.skipif(os.environ.get("SECU_SKIP_OPENFISCA") == "1", reason="SECU_SKIP_OPENFISCA=1")


@pytest.fixture(scope="module")
def parameters_dir() -> Path:
    python = openfisca_python()
    found = subprocess.run(
        [str(python), "-c", "import importlib.util as u; print(u.find_spec('openfisca_france').submodule_search_locations[0])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    return Path(found) / "parameters"


def _value_at(path: Path, day: date) -> Decimal:
    """An OpenFisca parameter's value in force on ``day`` (its last date ≤ day), as an exact decimal."""
    values = yaml.safe_load(path.read_text(encoding="utf-8"))["values"]
    dates = sorted(d if isinstance(d, date) else date.fromisoformat(str(d)) for d in values)
    key = max(d for d in dates if d <= day)
    raw = values[key] if key in values else values[key.isoformat()]
    return Decimal(str(raw["value"]))


@pytest.mark.parametrize("day", [date(2023, 6, 1), date(2024, 6, 1), date(2025, 6, 1), date(2026, 6, 1)])
def test_csg_on_ij_is_openfisca_rate(parameters_dir: Path, day: date) -> None:
    rate = _value_at(parameters_dir / "prelevements_sociaux/contributions_sociales/csg/remplacement/indemnites_journalieres/taux_global.yaml", day)
    # 100 € of IJ (10 000 cents) over one paid day: the CSG is 100 € × the rate, exactly.
    arret = pl.DataFrame({
        "risque": ["atmp"], "debut": [day], "fin": [day], "salaire_1": [0], "salaire_2": [0], "salaire_3": [304_200],
    })
    row = indemnites_journalieres(arret).row(0, named=True)
    assert row["montant_brut"] == 6000  # 3 042 € ÷ 30,42 = 100 €, × 60 %
    assert Decimal(row["csg"]) == Decimal(6000) * rate


@pytest.mark.parametrize("day", [date(2023, 6, 1), date(2025, 6, 1)])
def test_mtp_of_invalidity_is_openfisca_mtp(parameters_dir: Path, day: date) -> None:
    # OpenFisca has the 1 April values of 2023 (1 210,90 €) and 2025 (1 288,13 €), not 2024's (fact sheet §4).
    mtp = _value_at(parameters_dir / "prestations_sociales/prestations_etat_de_sante/perte_autonomie_personnes_agees/mtp.yaml", day)
    row = pension_invalidite(pl.DataFrame({"mois": [day], "categorie": [3], "sam": [0]})).row(0, named=True)
    assert Decimal(row["mtp"]) == mtp * 100
