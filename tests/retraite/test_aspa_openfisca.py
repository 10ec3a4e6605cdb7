"""The ASPA against OpenFisca-France's ``aspa`` variable, on generated households of 2023–2026.

OpenFisca-France (the pinned environment of ``tests/recouvrement/openfisca/``, built and reused by
:func:`tests.recouvrement.openfisca.environment.openfisca_python`; never a dependency of secu) computes the ASPA of a
family for a month from the retirement pensions (``retraite_brute``) and wages (``salaire_de_base``) of its
3 previous months. secu's :func:`secu.retraite.rules.aspa.aspa` gets the same quarter. What OpenFisca covers here:
the age of 65, a person alone, a married couple with one or two claimants, the differential amount, the abattement
on earned income. What it does not (so the population stays out of it): the 12-month resources when the quarter
exceeds a quarter of the ceiling (R. 815-29, not in OpenFisca), the age of 62 for inaptitude (OpenFisca uses the
AAH's âge légal, 64).

Two differences, each named and bounded, nothing else is allowed:

1. **Rounding of the month.** secu pays the annual amount ÷ 12 rounded down to the cent, as the CNAV and
   service-public.fr publish it (12 411,44 € → 1 034,28 €); OpenFisca keeps the float: OpenFisca − secu ∈ [0, 1 cent).
2. **The SMIC of the abattement** (R. 815-29, circulaire Cnav 2015-23: « la valeur mensuelle du SMIC en vigueur au
   1er janvier »). secu takes the official monthly SMIC (``smic.mensuel``, e.g. 1 801,80 € in 2025); OpenFisca the
   hourly SMIC × 151,67 h (1 801,84 €). When the abattement binds, OpenFisca counts ``coefficient × (hourly × 151,67 −
   mensuel)`` less per quarter, so its monthly ASPA is higher by a third of that (a few cents a year).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest

from secu.core.ages import age_le
from secu.core.parameters import parameters
from secu.retraite.rules.aspa import aspa

pytestmark = pytest.mark.skipif(os.environ.get("SECU_SKIP_OPENFISCA") == "1", reason="SECU_SKIP_OPENFISCA=1 (poste hors ligne)")

MOIS = ("2023-03", "2023-11", "2024-02", "2024-09", "2025-03", "2025-10", "2026-02", "2026-07")

RUNNER = r'''
import json, sys
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_france import FranceTaxBenefitSystem

tbs = FranceTaxBenefitSystem()
cases = json.load(open(sys.argv[1]))
out = {}
for mois in sorted({c["mois"] for c in cases}):
    group = [c for c in cases if c["mois"] == mois]
    y, m = int(mois[:4]), int(mois[5:])
    periods = [f"{y + (m - k - 1) // 12}-{(m - k - 1) % 12 + 1:02d}" for k in (0, 1, 2, 3)]
    individus, familles, foyers, menages = {}, {}, {}, {}
    for c in group:
        names = []
        for i, person in enumerate(c["personnes"]):
            name = f"{c['id']}_{i}"
            names.append(name)
            individus[name] = {
                "date_naissance": {"ETERNITY": person["naissance"]},
                "ressortissant_eee": {mois: True},
                "retraite_brute": {p: person["retraite"] for p in periods},
                "salaire_de_base": {p: person["salaire"] for p in periods},
            }
            if len(c["personnes"]) == 2:
                individus[name]["statut_marital"] = {mois: "marie"}
        familles[c["id"]] = {"parents": names}
        foyers[c["id"]] = {"declarants": names}
        menages[c["id"]] = {"personne_de_reference": names[:1], **({"conjoint": names[1:]} if len(names) == 2 else {})}
    situation = {"individus": individus, "familles": familles, "foyers_fiscaux": foyers, "menages": menages}
    sim = SimulationBuilder().build_from_entities(tbs, situation)
    values = sim.calculate("aspa", mois)
    for c, value in zip(group, values):
        out[c["id"]] = float(value)
json.dump(out, open(sys.argv[2], "w"))
'''


def _population() -> list[dict]:
    """Households whose quarter stays within a quarter of the ceiling (OpenFisca has no 12-month rule)."""
    rng = random.Random(14)
    cases = []
    for mois in MOIS:
        for k in range(40):
            couple = k % 3 != 0
            age = rng.choice((60, 66, 70, 78, 85))
            conjoint_age = rng.choice((62, 67, 72, 80))
            year = int(mois[:4])
            personnes = [{"naissance": f"{year - age}-0{rng.randint(1, 9)}-15", "retraite": rng.randrange(0, 900_00, 37) / 100,
                          "salaire": rng.choice((0, 0, 0, rng.randrange(100_00, 1_600_00, 11) / 100))}]
            if couple:
                personnes.append({"naissance": f"{year - conjoint_age}-0{rng.randint(1, 9)}-15", "retraite": rng.randrange(0, 500_00, 41) / 100,
                                  "salaire": 0.0})
            cases.append({"id": f"{mois}_{k}", "mois": mois, "couple": couple, "personnes": personnes})
    return cases


def _secu(cases: list[dict]) -> pl.DataFrame:
    """secu's rows: the claimants are the members of 65 or more, as OpenFisca counts them (``asi_aspa_nb_alloc``)."""
    rows = []
    for c in cases:
        effet = date.fromisoformat(c["mois"] + "-01")
        p = sorted(c["personnes"], key=lambda x: age_le(date.fromisoformat(x["naissance"]), effet) < 65)  # the eligible first
        claimants = sum(age_le(date.fromisoformat(x["naissance"]), effet) >= 65 for x in p)
        retraites = sum(round(x["retraite"] * 100) for x in p)
        salaires = sum(round(x["salaire"] * 100) for x in p)
        rows.append({
            "id": c["id"], "date_effet": effet, "naissance": date.fromisoformat(p[0]["naissance"]),
            "couple": c["couple"], "allocataires": max(claimants, 1),
            "naissance_conjoint": date.fromisoformat(p[1]["naissance"]) if c["couple"] else None,
            "revenus_activite_3_mois": 3 * salaires, "autres_ressources_3_mois": 3 * retraites,
            "revenus_activite_12_mois": 12 * salaires, "autres_ressources_12_mois": 12 * retraites,  # steady: out of the comparison
        })
    return aspa(pl.DataFrame(rows))


def _openfisca(cases: list[dict], tmp_path: Path) -> dict[str, float]:
    from tests.recouvrement.openfisca.environment import openfisca_python

    python = openfisca_python()
    (tmp_path / "runner.py").write_text(RUNNER)
    (tmp_path / "in.json").write_text(json.dumps(cases))
    done = subprocess.run([str(python), str(tmp_path / "runner.py"), str(tmp_path / "in.json"), str(tmp_path / "out.json")],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, float] = json.loads((tmp_path / "out.json").read_text())
    return result


def _ecart_smic(row: dict) -> Decimal:
    """Difference 2 of the module docstring, in euros per month: OpenFisca's abattement less secu's, a third of it."""
    horaire = parameters().get("smic.horaire").at(date(row["date_effet"].year, 1, 1)).value
    assert isinstance(horaire, Decimal)
    theirs = (horaire * Decimal("151.67") * Decimal(str(row["aspa_abattement_smic"]))).quantize(Decimal("0.0001"))
    gains = Decimal(row["revenus_activite_3_mois"]) / 100
    ours = Decimal(row["abattement_activite"]) / 100
    return max(Decimal(0), min(gains, theirs) - ours) / 3


def test_aspa_matches_openfisca_france_but_for_the_two_named_differences(tmp_path: Path):
    cases = _population()
    ours = _secu(cases).filter(pl.col("periode_ressources") == 3)
    assert ours.height > 250  # the population stays within OpenFisca's scope
    theirs = _openfisca(cases, tmp_path)
    payes = 0
    for row in ours.to_dicts():
        of = Decimal(str(theirs[row["id"]])).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        secu = Decimal(row["aspa_mensuelle"]) / 100
        if not row["condition_age"]:
            assert of == 0, row["id"]
            continue
        payes += secu > 0
        maximum = Decimal(row["aspa_montant_maximum"]) / 1200
        borne = Decimal("0.01") + (_ecart_smic(row) if secu < maximum - Decimal("0.01") else Decimal(0))
        ecart = of - secu
        assert Decimal("-0.0005") <= ecart < borne + Decimal("0.0005"), (row["id"], of, secu, ecart)
    assert payes > 100
