"""Cotisations on salaries: worked examples to the cent, each with its source, and properties.

Amounts are recomputed here by hand (Decimal arithmetic written out in the
test, rounded half-up to the cent), independently of the vectorized rule.
Sources: the legal texts cited in the parameters; service-public.fr fiche
F24542 "Réduction générale des cotisations patronales" (2025 and 2026
versions, read through the search tool in July 2026); openfisca-france
tests/formulas/allegement_general.yaml (commit a7038ee, RGDU 2026 cases).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secu.core.errors import InvalidField
from secu.recouvrement.rules import ATTRIBUTAIRES, LINES, contributions, cotisations_bulletin, net

FULL_TIME = Decimal("151.67")
ATMP = "0.0208"
"""The AT/MP rate of these examples: an input of the rule (each establishment's is notified by its Carsat), 2,08 % here."""


def cents(euros: Decimal) -> int:
    return int((euros * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def part(base: str | Decimal, rate: str) -> int:
    """base (euros) × rate, half-up to the cent: the hand computation."""
    return cents(Decimal(base) * Decimal(rate))


def payslip(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "bulletin": 1, "salarie": "A", "mois": date(2025, 3, 1), "brut_cents": 300000, "heures": FULL_TIME,
        "effectif": 30, "taux_atmp": Decimal("0.0208"), "cadre": False,
    }
    row.update(overrides)
    return row


SCHEMA = {"bulletin": pl.Int64, "salarie": pl.String, "mois": pl.Date, "brut_cents": pl.Int64, "heures": pl.Decimal(38, 2),
          "effectif": pl.Int64, "taux_atmp": pl.Decimal(38, 6), "cadre": pl.Boolean}


def frame(rows: list[dict[str, object]], **extra: pl.DataType) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={**SCHEMA, **extra})


def by_code(lines: pl.DataFrame, bulletin: object = None) -> dict[str, dict[str, object]]:
    if bulletin is not None:
        lines = lines.filter(pl.col("bulletin") == bulletin)
    return {row["code"]: row for row in lines.to_dicts()}


def employer(lines: dict[str, dict[str, object]], code: str) -> int:
    return int(lines[code]["montant_patronal_cents"])  # type: ignore[arg-type]


def employee(lines: dict[str, dict[str, object]], code: str) -> int:
    return int(lines[code]["montant_salarial_cents"])  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# SMIC full time: réduction générale at its maximum


def test_smic_full_time_january_2024() -> None:
    """SMIC 2024 (décret n° 2023-1216): 11,65 €/h, 1 766,92 € per month. Réduction: CSS D241-7, T = 0,3194
    (< 50 salariés, D241-7 as of 31/12/2023). Pay below the prorated SMIC (11,65 × 151,67 = 1 766,96 €):
    C is capped at T, the reduction is 0,3194 × 1 766,92 = 564,35 €. Bandeaux 2024: maladie 7 %, AF 3,45 %."""
    lines, totals = cotisations_bulletin(taux_atmp=ATMP, brut="1766.92", mois=date(2024, 1, 1), effectif=10)
    rows = by_code(lines)
    assert employer(rows, "reduction_generale") == -part("1766.92", "0.3194") == -56435
    assert rows["reduction_generale"]["taux_patronal"] == Decimal("-0.3194")
    assert employer(rows, "maladie") == part("1766.92", "0.07")
    assert employer(rows, "allocations_familiales") == part("1766.92", "0.0345")
    assert employer(rows, "vieillesse_deplafonnee") == part("1766.92", "0.0202")  # décret n° 2023-1329
    assert employer(rows, "ags") == part("1766.92", "0.002")  # AGS 0,20 % from 01/01/2024
    assert totals["smic_cents"] == cents(Decimal("11.65") * FULL_TIME) == 176696
    # CSG/CRDS base: 98,25 % of the gross (CSS L136-1-1): 1 766,92 × 0,9825 = 1 736,00 €.
    assert rows["csg_deductible"]["assiette_cents"] == cents(Decimal("1766.92") * Decimal("0.9825")) == 173600


def test_smic_full_time_march_2025() -> None:
    """SMIC 2025 unchanged (11,88 €/h, 1 801,80 €; décret n° 2024-951). T = 0,3194 until 30/04/2025
    (décret n° 2025-318 lowers it to 0,3193 from 01/05): reduction 0,3194 × 1 801,80 = 575,49 €."""
    lines, totals = cotisations_bulletin(taux_atmp=ATMP, brut="1801.80", mois=date(2025, 3, 1), effectif=10)
    rows = by_code(lines)
    assert employer(rows, "reduction_generale") == -part("1801.80", "0.3194") == -57549
    lines, _ = cotisations_bulletin(taux_atmp=ATMP, brut="1801.80", mois=date(2025, 5, 1), effectif=10)
    assert employer(by_code(lines), "reduction_generale") == -part("1801.80", "0.3193")
    lines, _ = cotisations_bulletin(taux_atmp=ATMP, brut="1801.80", mois=date(2025, 5, 1), effectif=60)
    assert employer(by_code(lines), "reduction_generale") == -part("1801.80", "0.3233")


def test_smic_full_time_2026_rgdu_maximum() -> None:
    """RGDU 2026 (CSS L241-13, décrets n° 2025-887 and 2025-1446): at the SMIC (12,02 €/h, 1 823,03 €) C is
    capped at Tmin + Tdelta: 0,02 + 0,3821 = 0,4021 for 50 employees and more (service-public.fr F24542,
    2026 example: 0,4021), 0,02 + 0,3781 = 0,3981 below 50 (openfisca-france test, 2026-01: 0,3981).
    No more bandeaux: maladie 13 %, AF 5,25 %; vieillesse déplafonnée 2,11 %."""
    lines, _ = cotisations_bulletin(taux_atmp=ATMP, brut="1823.03", mois=date(2026, 1, 1), effectif=100)
    rows = by_code(lines)
    assert employer(rows, "reduction_generale") == -part("1823.03", "0.4021") == -73304
    assert employer(rows, "maladie") == part("1823.03", "0.13")
    assert employer(rows, "allocations_familiales") == part("1823.03", "0.0525")
    assert employer(rows, "vieillesse_deplafonnee") == part("1823.03", "0.0211")
    lines, _ = cotisations_bulletin(taux_atmp=ATMP, brut="1823.03", mois=date(2026, 1, 1), effectif=15)
    assert employer(by_code(lines), "reduction_generale") == -part("1823.03", "0.3981") == -72575


def rgdu_coefficient(brut: str, t_delta: str) -> Decimal:
    """The RGDU coefficient by hand (CSS D241-7 as amended by décret n° 2025-887): C = Tmin + Tdelta ×
    [½ (3 × SMIC / rémunération − 1)]^P, P = 1,75, the term rounded to 4 decimals "au dix-millième le plus
    proche" (half up), SMIC = 12,02 × 151,67 = 1 823,0734 € for a full month."""
    smic = Decimal("12.02") * FULL_TIME
    ratio = (3 * smic / Decimal(brut) - 1) / 2
    term = (Decimal(t_delta) * ratio ** Decimal("1.75")).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return Decimal("0.02") + term


def test_rgdu_coefficient_at_1_25_smic_is_rounded_to_the_nearest_ten_thousandth() -> None:
    # openfisca-france tests/formulas/allegement_general.yaml (RGDU, 2026-02, 2 278,79 € = 1,25 SMIC, 15 employees)
    # expects 0,2225 with a relative margin of 0,1 %. The text rounds to the nearest ten-thousandth: the term is
    # 0,3781 × 0,700027…^1,75 = 0,20256…, so C = 0,02 + 0,2026 = 0,2226 (0,2225 would be a truncation, which the
    # text does not say; OpenFisca's own formula, round_(…, 4), gives 0,2226 too and passes within its margin).
    assert rgdu_coefficient("2278.79", "0.3781") == Decimal("0.2226")
    _, totals = cotisations_bulletin(taux_atmp=ATMP, brut="2278.79", mois=date(2026, 2, 1), effectif=15)
    assert totals["coefficient_reduction"] == Decimal("0.2226")


@pytest.mark.parametrize(
    ("brut", "effectif", "coefficient"),
    [
        # openfisca-france tests/formulas/allegement_general.yaml (RGDU): 1,25 SMIC, ≥ 50 → 0,2247; the < 50 case
        # (0,2225 there, 0,2226 by the text) is the test above.
        ("2278.79", 100, "0.2247"),
        ("5651.39", 15, "0"),  # 3,1 SMIC: beyond the exit threshold
        # service-public.fr F24542 (2026): 3 500 € per month, ≥ 50 employees → 0,0615.
        ("3500", 100, "0.0615"),
    ],
)
def test_rgdu_2026_coefficients(brut: str, effectif: int, coefficient: str) -> None:
    if coefficient != "0":
        assert rgdu_coefficient(brut, "0.3821") == Decimal(coefficient)  # the source agrees with the text
    lines, totals = cotisations_bulletin(taux_atmp=ATMP, brut=brut, mois=date(2026, 2, 1), effectif=effectif)
    assert totals["coefficient_reduction"] == Decimal(coefficient)
    rows = by_code(lines)
    if coefficient == "0":
        assert "reduction_generale" not in rows
    else:
        assert employer(rows, "reduction_generale") == -part(brut, coefficient)


def test_rgdu_exit_at_three_smic() -> None:
    """3 × SMIC of the month, kept exact (3 × 12,02 × 151,67 = 5 469,2202 €): below it, C = Tmin = 0,02;
    from it, no reduction (CSS L241-13 as amended by LFSS 2025 art. 18; décret n° 2025-887)."""
    _, below = cotisations_bulletin(taux_atmp=ATMP, brut="5469.22", mois=date(2026, 2, 1), effectif=100)
    assert below["coefficient_reduction"] == Decimal("0.02")
    lines, at = cotisations_bulletin(taux_atmp=ATMP, brut="5469.23", mois=date(2026, 2, 1), effectif=100)
    assert at["coefficient_reduction"] == 0
    assert "reduction_generale" not in by_code(lines)


def _rgdu_by_hand(brut: Decimal, smic_horaire: Decimal, heures: Decimal, t_delta: Decimal) -> Decimal:
    """C = Tmin + round₄(Tdelta × [½ (3 S / R − 1)]^1,75), capped at Tmin + Tdelta (CSS D241-7)."""
    s, r = smic_horaire * heures, brut
    ratio = (3 * s / r - 1) / 2
    term = Decimal(float(t_delta) * float(ratio) ** 1.75).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return min(Decimal("0.02") + term, Decimal("0.02") + t_delta)


def test_rgdu_2026_smic_frozen_at_first_of_january() -> None:
    """Décret n° 2026-509 du 12 juin 2026 (CSS D241-7): the RGDU of 2026 uses the SMIC of 01/01/2026 (12,02 €/h)
    all year, even after the revaluation of 01/06/2026 (12,31 €/h). July 2026, 1,5 SMIC of reference
    (1,5 × 12,02 × 151,67 = 2 734,61 €), 100 employees (Tdelta 0,3821): ½ (3 S / R − 1) = 0,50000004…,
    ^1,75 = 0,29730…, × 0,3821 = 0,1136 → C = 0,1336 (with 12,31 €/h it would be 0,1434)."""
    brut = Decimal("2734.61")
    expected = _rgdu_by_hand(brut, Decimal("12.02"), FULL_TIME, Decimal("0.3821"))
    assert expected == Decimal("0.1336")
    assert _rgdu_by_hand(brut, Decimal("12.31"), FULL_TIME, Decimal("0.3821")) == Decimal("0.1434")  # the SMIC in force
    lines, totals = cotisations_bulletin(taux_atmp=ATMP, brut=brut, mois=date(2026, 7, 1), effectif=100)
    assert totals["coefficient_reduction"] == expected
    assert totals["smic_cents"] == cents(Decimal("12.02") * FULL_TIME) == 182307
    assert employer(by_code(lines), "reduction_generale") == -part(brut, "0.1336") == -36534
    reference = lines.filter(pl.col("code") == "reduction_generale")["reference"].cast(pl.String).item()
    assert "Décret n° 2026-509 du 12 juin 2026" in reference
    # Before 2026: the SMIC in force (July 2025: 11,88 €/h), no reference SMIC in the reference.
    _, before = cotisations_bulletin(taux_atmp=ATMP, brut="2000", mois=date(2025, 7, 1), effectif=100)
    assert before["smic_cents"] == cents(Decimal("11.88") * FULL_TIME)


def test_fillon_zero_from_one_point_six_smic() -> None:
    """Until 2025: C = 0 from 1,6 SMIC (1,6 × 1 801,84 = 2 882,94 €)."""
    _, below = cotisations_bulletin(taux_atmp=ATMP, brut="2882.90", mois=date(2025, 3, 1), effectif=10)
    _, at = cotisations_bulletin(taux_atmp=ATMP, brut="2882.95", mois=date(2025, 3, 1), effectif=10)
    assert below["coefficient_reduction"] == Decimal("0")  # 0,3194 × (1,6 × 1801,84 / 2882,90 − 1) / 0,6 < 0,00005
    assert at["coefficient_reduction"] == 0
    _, lower = cotisations_bulletin(taux_atmp=ATMP, brut="2500", mois=date(2025, 3, 1), effectif=10)
    # 0,3194 / 0,6 × (1,6 × 1 801,84 / 2 500 − 1) = 0,3194 / 0,6 × 0,1531776 = 0,08154… → 0,0815
    assert lower["coefficient_reduction"] == Decimal("0.0815")


# --------------------------------------------------------------------------
# 3 000 € in 2025, with 30 and with 60 employees


def _expected_3000(effectif: int) -> dict[str, tuple[int, int]]:
    b = "3000"
    return {
        "maladie": (0, part(b, "0.07")),  # 3 000 ≤ 2,25 × 11,88 × 151,67 = 4 054,14: bandeau
        "csa": (0, part(b, "0.003")),
        "vieillesse_plafonnee": (part(b, "0.069"), part(b, "0.0855")),
        "vieillesse_deplafonnee": (part(b, "0.004"), part(b, "0.0202")),
        "allocations_familiales": (0, part(b, "0.0345")),  # ≤ 3,3 × 1 801,84 = 5 946,07: bandeau
        "atmp": (0, part(b, "0.0208")),
        "fnal": (0, part(b, "0.001") if effectif < 50 else part(b, "0.005")),
        "chomage": (0, part(b, "0.0405")),  # 4,05 % until 30/04/2025
        "ags": (0, part(b, "0.0025")),
        "agirc_arrco_t1": (part(b, "0.0315"), part(b, "0.0472")),
        "ceg_t1": (part(b, "0.0086"), part(b, "0.0129")),
        "dialogue_social": (0, part(b, "0.00016")),
        "csg_deductible": (part("2947.50", "0.068"), 0),  # 3 000 × 98,25 % = 2 947,50
        "csg_non_deductible": (part("2947.50", "0.024"), 0),
        "crds": (part("2947.50", "0.005"), 0),
    }


@pytest.mark.parametrize("effectif", [30, 60])
def test_3000_euros_march_2025(effectif: int) -> None:
    """Every line of a 3 000 € non-cadre payslip of March 2025 (rates of the parameters' texts, see each
    YAML file), no réduction générale (above 1,6 SMIC); FNAL 0,10 % below 50 employees, 0,50 % from 50
    (CSS L834-1, loi PACTE). Net avant impôt = 3 000 − 625,21 = 2 374,79 € for both."""
    lines, totals = cotisations_bulletin(taux_atmp=ATMP, brut="3000", mois=date(2025, 3, 1), effectif=effectif)
    rows = by_code(lines)
    expected = _expected_3000(effectif)
    assert set(rows) == set(expected)
    for code, (salarial, patronal) in expected.items():
        assert (employee(rows, code), employer(rows, code)) == (salarial, patronal), code
    assert totals["total_salarial_cents"] == sum(s for s, _ in expected.values()) == 62521
    assert totals["net_avant_impot_cents"] == 300000 - 62521 == 237479
    assert totals["net_imposable_cents"] == 237479 + expected["csg_non_deductible"][0] + expected["crds"][0]
    assert totals["total_patronal_cents"] == sum(p for _, p in expected.values())
    assert rows["fnal"]["assiette_cents"] == 300000


# --------------------------------------------------------------------------
# A cadre above the PASS


def test_cadre_above_the_plafond_2025() -> None:
    """6 000 € in March 2025, cadre, 100 employees. PMSS 2025 = 3 925 € (arrêté du 19/12/2024): T1 = 3 925,
    T2 = 2 075; CET on T1 + T2 since the pay exceeds the plafond; Apec on the pay within 4 plafonds;
    maladie 13 % (6 000 > 4 054,14) and AF 5,25 % (6 000 > 5 946,07)."""
    lines, totals = cotisations_bulletin(taux_atmp=ATMP, brut="6000", mois=date(2025, 3, 1), effectif=100, cadre=True)
    rows = by_code(lines)
    assert rows["vieillesse_plafonnee"]["assiette_cents"] == 392500
    assert (employee(rows, "vieillesse_plafonnee"), employer(rows, "vieillesse_plafonnee")) == (part("3925", "0.069"), part("3925", "0.0855"))
    assert rows["agirc_arrco_t2"]["assiette_cents"] == 207500
    assert (employee(rows, "agirc_arrco_t2"), employer(rows, "agirc_arrco_t2")) == (part("2075", "0.0864"), part("2075", "0.1295"))
    assert (employee(rows, "ceg_t2"), employer(rows, "ceg_t2")) == (part("2075", "0.0108"), part("2075", "0.0162"))
    assert (employee(rows, "cet"), employer(rows, "cet")) == (part("6000", "0.0014"), part("6000", "0.0021"))
    assert (employee(rows, "apec"), employer(rows, "apec")) == (part("6000", "0.00024"), part("6000", "0.00036"))
    assert employer(rows, "maladie") == part("6000", "0.13")
    assert employer(rows, "allocations_familiales") == part("6000", "0.0525")
    assert employer(rows, "fnal") == part("6000", "0.005")
    assert "reduction_generale" not in rows
    salarial = sum(employee(rows, c) for c in rows)
    assert totals["net_avant_impot_cents"] == 600000 - salarial


def test_non_cadre_has_no_apec_and_below_plafond_no_cet() -> None:
    lines, _ = cotisations_bulletin(taux_atmp=ATMP, brut="6000", mois=date(2025, 3, 1), effectif=100, cadre=False)
    rows = by_code(lines)
    assert "apec" not in rows and "cet" in rows
    lines, _ = cotisations_bulletin(taux_atmp=ATMP, brut="3000", mois=date(2025, 3, 1), effectif=100, cadre=True)
    rows = by_code(lines)
    assert "cet" not in rows and "agirc_arrco_t2" not in rows and employee(rows, "apec") == part("3000", "0.00024")


def test_bases_limited_to_four_and_eight_plafonds() -> None:
    """40 000 € in a month of 2025: chômage, AGS, Apec within 4 PMSS (15 700 €), T2 up to 8 PMSS (31 400 €),
    CSG base 98,25 % of 15 700 + 100 % of the rest = 39 725,25 €."""
    lines, _ = cotisations_bulletin(taux_atmp=ATMP, brut="40000", mois=date(2025, 3, 1), effectif=100, cadre=True)
    rows = by_code(lines)
    assert rows["chomage"]["assiette_cents"] == rows["ags"]["assiette_cents"] == rows["apec"]["assiette_cents"] == 1570000
    assert rows["agirc_arrco_t2"]["assiette_cents"] == 3140000 - 392500
    assert rows["cet"]["assiette_cents"] == 3140000
    assert rows["csg_deductible"]["assiette_cents"] == 4000000 - part("15700", "0.0175") == 3972525


# --------------------------------------------------------------------------
# Part-time, entry mid-month


def test_part_time_plafond_and_smic_prorated() -> None:
    """Half time (75,84 h), 1 000 € in March 2025. Plafond reduced in the ratio 75,84 / 151,67 (CSS L242-8):
    3 925 × 75,84 / 151,67 = 1 962,63 €. SMIC of the month 11,88 × 75,84 = 900,98 €; Fillon coefficient
    0,3194 / 0,6 × (1,6 × 900,98 / 1 000 − 1) = 0,23506… → 0,2351; reduction 235,10 €."""
    lines, totals = cotisations_bulletin(taux_atmp=ATMP, brut="1000", mois=date(2025, 3, 1), effectif=10, heures="75.84", heures_contrat="75.84")
    assert totals["plafond_cents"] == cents(Decimal(3925) * Decimal("75.84") / FULL_TIME) == 196263
    assert totals["smic_cents"] == cents(Decimal("11.88") * Decimal("75.84")) == 90098
    assert totals["coefficient_reduction"] == Decimal("0.2351")
    assert employer(by_code(lines), "reduction_generale") == -23510


def test_part_time_plafond_kept_exact_before_comparisons() -> None:
    """104 h a month in February 2026: plafond = 4 005 × 104 / 151,67 = 2 746,2253576… € (CSS L242-8, R242-7:
    a prorata, no rounding prescribed before use; openfisca-france keeps it exact too). It is shown rounded
    (2 746,23 €) but the pay is compared with the exact value and the tranches bound by it, each base then
    rounded to the cent: 2 746,23 € of pay exceeds the plafond, so the CET is due on it; with 25 000 €, T1 is
    2 746,23 € and T1 + T2 = 8 × 2 746,2253… = 21 969,80 € (not 8 × 2 746,23 = 21 969,84 €)."""
    exact = Decimal(4005) * Decimal("104.00") / FULL_TIME
    lines, totals = cotisations_bulletin(taux_atmp=ATMP, brut="2746.23", mois=date(2026, 2, 1), effectif=10, heures="104", heures_contrat="104")
    assert totals["plafond_cents"] == cents(exact) == 274623
    assert Decimal("2746.23") > exact
    rows = by_code(lines)
    assert rows["cet"]["assiette_cents"] == 274623
    assert employer(rows, "cet") == part("2746.23", "0.0021")
    assert rows["vieillesse_plafonnee"]["assiette_cents"] == 274623
    assert "agirc_arrco_t2" not in rows
    rows = by_code(cotisations_bulletin(taux_atmp=ATMP, brut="25000", mois=date(2026, 2, 1), effectif=10, heures="104", heures_contrat="104")[0])
    assert rows["agirc_arrco_t1"]["assiette_cents"] == cents(exact) == 274623
    assert rows["agirc_arrco_t2"]["assiette_cents"] == cents(8 * exact) - cents(exact) == 2196980 - 274623
    assert rows["cet"]["assiette_cents"] == cents(8 * exact) == 2196980


def test_entry_mid_month_plafond_over_the_days_of_the_month() -> None:
    """CSS R242-2 I (décret 2017-858, from 2018): the plafond is reduced « à due proportion du nombre de jours de
    la période pendant laquelle les personnes sont employées »; the BOSS divides the calendar days employed by the
    calendar days of the month (its example: 28 days employed / 30 calendar days of April), no longer by 30.

    Entry on 15 March 2025: 17 of March's 31 days, plafond = 3 925 × 17 / 31 = 2 152,42 €; 2 500 € of pay:
    T1 2 152,42, T2 347,58 and CET (pay above the plafond)."""
    row = payslip(brut_cents=250000, heures=Decimal("77.00"), date_entree=date(2025, 3, 15))
    wide = frame([row], date_entree=pl.Date)
    rows = by_code(contributions(wide))
    assert net(wide)["plafond_cents"][0] == cents(Decimal(3925) * 17 / 31) == 215242
    assert rows["vieillesse_plafonnee"]["assiette_cents"] == 215242
    assert rows["agirc_arrco_t2"]["assiette_cents"] == 250000 - 215242
    assert rows["cet"]["assiette_cents"] == 250000
    # Exit on 10 January (31 days): 3 925 × 10 / 31 = 1 266,13 €; exit on 14 February 2025 (28 days): half the
    # plafond, 1 962,50 €; entry on 2 April (30 days): 29 / 30 = 3 794,17 €; a whole month stays one plafond.
    months = frame([payslip(date_sortie=date(2025, 1, 10), mois=date(2025, 1, 1), salarie="a", bulletin=1),
                    payslip(date_sortie=date(2025, 2, 14), mois=date(2025, 2, 1), salarie="b", bulletin=2)], date_sortie=pl.Date)
    assert net(months)["plafond_cents"].to_list() == [cents(Decimal(3925) * 10 / 31), 196250] == [126613, 196250]
    april = frame([payslip(date_entree=date(2025, 4, 2), mois=date(2025, 4, 1))], date_entree=pl.Date)
    assert net(april)["plafond_cents"][0] == cents(Decimal(3925) * 29 / 30) == 379417
    whole = frame([payslip(date_entree=date(2024, 6, 1), mois=date(2025, 1, 1))], date_entree=pl.Date)
    assert net(whole)["plafond_cents"][0] == 392500


# --------------------------------------------------------------------------
# Bandeaux 2024 and 2025


@pytest.mark.parametrize(
    ("mois", "brut", "maladie", "famille"),
    [
        # 2024: 2,5 × SMIC of 31/12/2023 (11,52) × 151,67 = 4 368,096 € (annual 2,5 × 11,52 × 1 820 = 52 416 €);
        # AF: 3,5 × 11,52 × 151,67 = 6 115,33 €. CSS D241-3-2, décret n° 2023-1329.
        (date(2024, 6, 1), "4368.09", "0.07", "0.0345"),
        (date(2024, 6, 1), "4368.10", "0.13", "0.0345"),
        (date(2024, 6, 1), "6115.33", "0.13", "0.0345"),
        (date(2024, 6, 1), "6115.34", "0.13", "0.0525"),
        # 2025: 2,25 × SMIC of 01/01/2025 (11,88) × 151,67 = 4 054,139 € (annual 48 648,60 €);
        # AF 3,3 × 11,88 × 151,67 = 5 946,071 € (annual 71 351,28 €). LFSS 2025 art. 18, décret n° 2025-318.
        (date(2025, 6, 1), "4054.13", "0.07", "0.0345"),
        (date(2025, 6, 1), "4054.14", "0.13", "0.0345"),
        (date(2025, 6, 1), "5946.07", "0.13", "0.0345"),
        (date(2025, 6, 1), "5946.08", "0.13", "0.0525"),
        # 2023: 2,5 and 3,5 × the SMIC in force (11,52 from May 2023): 4 368,096 and 6 115,33 €.
        (date(2023, 6, 1), "4368.09", "0.07", "0.0345"),
        (date(2023, 6, 1), "4368.10", "0.13", "0.0345"),
        # 2026: abolished (décret n° 2025-887).
        (date(2026, 6, 1), "2000", "0.13", "0.0525"),
    ],
)
def test_bandeaux_thresholds(mois: date, brut: str, maladie: str, famille: str) -> None:
    """The month's pay is compared with the threshold (≤ applies: « n'excèdent pas », CSS L241-2-1,
    L241-6-1; openfisca-france uses < for the AF bandeau). Monthly appreciation; see README."""
    lines, _ = cotisations_bulletin(taux_atmp=ATMP, brut=brut, mois=mois, effectif=10)
    rows = by_code(lines)
    assert rows["maladie"]["taux_patronal"] == Decimal(maladie)
    assert rows["allocations_familiales"]["taux_patronal"] == Decimal(famille)
    assert employer(rows, "maladie") == part(brut, maladie)


def test_chomage_rate_changes_on_1_may_2025() -> None:
    april, _ = cotisations_bulletin(taux_atmp=ATMP, brut="3000", mois=date(2025, 4, 1), effectif=10)
    may, _ = cotisations_bulletin(taux_atmp=ATMP, brut="3000", mois=date(2025, 5, 1), effectif=10)
    assert employer(by_code(april), "chomage") == part("3000", "0.0405")
    assert employer(by_code(may), "chomage") == part("3000", "0.04")


def test_ags_rates_2023_2024() -> None:
    for mois, rate in ((date(2023, 12, 1), "0.0015"), (date(2024, 1, 1), "0.002"), (date(2024, 7, 1), "0.0025")):
        lines, _ = cotisations_bulletin(taux_atmp=ATMP, brut="3000", mois=mois, effectif=10)
        assert employer(by_code(lines), "ags") == part("3000", rate), mois


# --------------------------------------------------------------------------
# Régularisation progressive


def _months(*bruts: int, salarie: str = "A", start: int = 1, year: int = 2025) -> list[dict[str, object]]:
    return [payslip(bulletin=f"{salarie}{start + i}", salarie=salarie, mois=date(year, start + i, 1), brut_cents=b, effectif=10)
            for i, b in enumerate(bruts)]


SCHEMA_STR = {**SCHEMA, "bulletin": pl.String}


def test_plafond_regularised_over_the_months() -> None:
    """5 000, 2 000, 3 000 € in January–March 2025 (PMSS 3 925 €). January: T1 3 925, T2 1 075. February:
    cumulated pay 7 000 ≤ cumulated plafond 7 850, so T1 to date is 7 000: February's T1 is 3 075 and its
    T2 −1 075 (the T2 of January given back). March: T1 3 000, T2 0. Over the quarter T1 = min(10 000, 11 775)."""
    rows = _months(500000, 200000, 300000)
    lines = contributions(pl.DataFrame(rows, schema=SCHEMA_STR))
    t1 = {b: by_code(lines, b)["vieillesse_plafonnee"]["assiette_cents"] for b in ("A1", "A2", "A3")}
    assert t1 == {"A1": 392500, "A2": 307500, "A3": 300000}
    assert by_code(lines, "A1")["agirc_arrco_t2"]["assiette_cents"] == 107500
    assert by_code(lines, "A2")["agirc_arrco_t2"]["assiette_cents"] == -107500
    assert by_code(lines, "A2")["agirc_arrco_t2"]["montant_salarial_cents"] == -part("1075", "0.0864")
    assert "agirc_arrco_t2" not in by_code(lines, "A3")
    assert sum(t1.values()) == min(1000000, 3 * 392500)
    # CET: due in January (pay above the plafond); given back in February (cumulated pay below it).
    assert by_code(lines, "A1")["cet"]["assiette_cents"] == 500000
    assert by_code(lines, "A2")["cet"]["assiette_cents"] == -500000


def test_same_result_with_counters_instead_of_earlier_months() -> None:
    """February computed alone, with January's cumulated counters, gives February's lines computed in a run."""
    run = contributions(pl.DataFrame(_months(500000, 200000), schema=SCHEMA_STR))
    january = net(pl.DataFrame(_months(500000), schema=SCHEMA_STR)).row(0, named=True)
    alone = pl.DataFrame(
        [{**_months(200000, start=2)[0], "brut_cumul_avant_cents": 500000, "plafond_cumul_avant_cents": january["plafond_cents"],
          "smic_cumul_avant_cents": january["smic_cents"], "reduction_cumul_avant_cents": 0}],
        schema={**SCHEMA_STR, "brut_cumul_avant_cents": pl.Int64, "plafond_cumul_avant_cents": pl.Int64,
                "smic_cumul_avant_cents": pl.Int64, "reduction_cumul_avant_cents": pl.Int64},
    )
    assert contributions(alone).drop("reference").equals(run.filter(pl.col("bulletin") == "A2").drop("reference"))


def test_reduction_regularised_over_the_months() -> None:
    """January 2025 at the SMIC (reduction 575,49 €), February 3 000 € (a bonus). Cumulated: R = 4 801,80,
    S = 3 603,68; C = 0,3194 / 0,6 × (1,6 × 3 603,68 / 4 801,80 − 1) = 0,10687… → 0,1069; reduction to date
    0,1069 × 4 801,80 = 513,31 €; February gives back 575,49 − 513,31 = 62,18 € (CSS D241-7-? « régularisation
    progressive », as openfisca-france's compute_allegement_progressif)."""
    lines = contributions(pl.DataFrame(_months(180180, 300000), schema=SCHEMA_STR))
    assert employer(by_code(lines, "A1"), "reduction_generale") == -57549
    assert employer(by_code(lines, "A2"), "reduction_generale") == 57549 - part("4801.80", "0.1069") == 6218
    # The same February alone, with January's counters.
    alone = pl.DataFrame(
        [{**_months(300000, start=2)[0], "brut_cumul_avant_cents": 180180, "plafond_cumul_avant_cents": 392500,
          "smic_cumul_avant_cents": 180184, "reduction_cumul_avant_cents": 57549}],
        schema={**SCHEMA_STR, "brut_cumul_avant_cents": pl.Int64, "plafond_cumul_avant_cents": pl.Int64,
                "smic_cumul_avant_cents": pl.Int64, "reduction_cumul_avant_cents": pl.Int64},
    )
    assert employer(by_code(contributions(alone)), "reduction_generale") == 6218


def test_runs_by_person_and_year_in_any_order() -> None:
    """Two persons, December 2025 and January 2026 (a new year restarts the cumulation), rows shuffled:
    the output keeps the input order and the runs are the same."""
    rows = _months(500000, 200000, salarie="A") + _months(100000, salarie="B") + [
        payslip(bulletin="A13", salarie="A", mois=date(2026, 1, 1), brut_cents=200000, effectif=10)]
    shuffled = [rows[3], rows[1], rows[2], rows[0]]
    ordered = contributions(pl.DataFrame(rows, schema=SCHEMA_STR))
    mixed = contributions(pl.DataFrame(shuffled, schema=SCHEMA_STR))
    assert mixed["bulletin"].unique(maintain_order=True).to_list() == ["A13", "A2", "B1", "A1"]
    for bulletin in ("A1", "A2", "B1", "A13"):
        assert mixed.filter(pl.col("bulletin") == bulletin).equals(ordered.filter(pl.col("bulletin") == bulletin))
    assert by_code(ordered, "A13")["vieillesse_plafonnee"]["assiette_cents"] == 200000  # new year, no T2 give-back


def test_lazy_in_lazy_out_and_output_schema() -> None:
    lazy = frame([payslip()]).lazy()
    out = contributions(lazy)
    assert isinstance(out, pl.LazyFrame)
    got = out.collect()
    assert got.columns[:3] == ["bulletin", "salarie", "mois"]
    assert got.schema["taux_patronal"] == pl.Decimal(38, 9)
    assert got.schema["montant_patronal_cents"] == pl.Int64
    assert set(got["attributaire"].cast(pl.String)) <= set(ATTRIBUTAIRES)
    assert got["code"].cast(pl.String).to_list() == [c for c in LINES if c in got["code"].cast(pl.String).to_list()]
    assert all(r.strip() for r in got["reference"].cast(pl.String).to_list())
    assert isinstance(net(lazy), pl.LazyFrame)


def test_prevoyance_in_the_csg_base() -> None:
    wide = frame([payslip(prevoyance_patronale_cents=2000)], prevoyance_patronale_cents=pl.Int64)
    rows = by_code(contributions(wide))
    assert rows["csg_deductible"]["assiette_cents"] == 294750 + 2000


# --------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"brut_cents": -1}, "brut_cents"),
        ({"effectif": -2}, "effectif"),
        ({"effectif": 50_000_000}, "effectif"),
        ({"mois": date(2025, 3, 15)}, "mois"),
        ({"mois": date(2022, 12, 1)}, "mois"),
        ({"mois": None}, "mois"),
        ({"taux_atmp": Decimal("1.5")}, "taux_atmp"),
        ({"heures": Decimal("900")}, "heures"),
    ],
)
def test_bad_input_names_the_column(change: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidField) as error:
        contributions(frame([payslip(**change)]))
    assert error.value.field == field


def test_missing_column_float_rate_and_duplicates() -> None:
    with pytest.raises(InvalidField) as error:
        contributions(frame([payslip()]).drop("cadre"))
    assert error.value.field == "cadre" and "absente" in error.value.message
    with pytest.raises(InvalidField) as error:
        contributions(frame([payslip()]).with_columns(pl.col("taux_atmp").cast(pl.Float64)))
    assert error.value.field == "taux_atmp"
    with pytest.raises(InvalidField) as error:
        contributions(frame([payslip(), payslip(salarie="B")]))
    assert error.value.field == "bulletin"
    with pytest.raises(InvalidField) as error:
        contributions(frame([payslip(date_entree=date(2025, 4, 2))], date_entree=pl.Date))
    assert error.value.field == "date_entree"
    with pytest.raises(InvalidField) as error:
        contributions(frame([payslip(brut_cumul_avant_cents=1000)], brut_cumul_avant_cents=pl.Int64))
    assert error.value.field == "plafond_cumul_avant_cents"


# --------------------------------------------------------------------------
# Properties


payslips = st.lists(
    st.fixed_dictionaries({
        "salarie": st.sampled_from(["A", "B", "C"]),
        "mois": st.builds(date, st.integers(2023, 2026), st.integers(1, 12), st.just(1)),
        "brut_cents": st.integers(0, 5_000_000),
        "heures": st.decimals(0, 200, places=2),
        "effectif": st.integers(0, 500),
        "taux_atmp": st.decimals(0, "0.1", places=4),
        "cadre": st.booleans(),
        "prevoyance_patronale_cents": st.integers(0, 20_000),
    }),
    min_size=1, max_size=12,
)


def _frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    numbered = [{"bulletin": i, **row} for i, row in enumerate(rows)]
    return pl.DataFrame(numbered, schema={**SCHEMA, "prevoyance_patronale_cents": pl.Int64})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payslips)
def test_totals_are_consistent(rows: list[dict[str, object]]) -> None:
    """Whatever the frame: net = brut − every employee amount; totals = sum of the lines; over each person-year
    the tranche bases add up to min(cumulated pay, k × cumulated plafond)."""
    data = _frame(rows)
    lines = contributions(data)
    totals = net(data)
    sums = lines.group_by("bulletin").agg(pl.col("montant_salarial_cents").sum(), pl.col("montant_patronal_cents").sum())
    joined = totals.join(sums, on="bulletin")
    assert (joined["total_salarial_cents"] == joined["montant_salarial_cents"]).all()
    assert (joined["total_patronal_cents"] == joined["montant_patronal_cents"]).all()
    assert (totals["net_avant_impot_cents"] == totals["brut_cents"] - totals["total_salarial_cents"]).all()
    assert totals["bulletin"].to_list() == data["bulletin"].to_list()
    t1 = lines.filter(pl.col("code") == "vieillesse_plafonnee").join(totals.select("bulletin", "plafond_cents"), on="bulletin")
    per_year = t1.group_by("salarie", pl.col("mois").dt.year()).agg(pl.col("assiette_cents").sum())
    expected = data.join(totals.select("bulletin", "plafond_cents"), on="bulletin").group_by("salarie", pl.col("mois").dt.year()).agg(
        pl.min_horizontal(pl.col("brut_cents").sum(), pl.col("plafond_cents").sum()).alias("t1"))
    check = per_year.join(expected, on=["salarie", "mois"])
    assert (check["assiette_cents"] == check["t1"]).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payslips)
def test_single_month_amounts_never_negative_but_the_reduction(rows: list[dict[str, object]]) -> None:
    """One payslip per person and year (nothing to regularise): every amount ≥ 0, the reduction ≤ 0, and the
    reduction never above the coefficient's maximum (0,4021 × pay)."""
    seen: set[tuple[object, int]] = set()
    single = []
    for row in rows:
        key = (row["salarie"], row["mois"].year)  # type: ignore[attr-defined]
        if key not in seen:
            seen.add(key)
            single.append(row)
    lines = contributions(_frame(single))
    others = lines.filter(pl.col("code") != "reduction_generale")
    assert (others["montant_salarial_cents"] >= 0).all() and (others["montant_patronal_cents"] >= 0).all()
    assert (others["assiette_cents"] >= 0).all()
    reduction = lines.filter(pl.col("code") == "reduction_generale")
    assert (reduction["montant_patronal_cents"] <= 0).all()
    assert (-reduction["montant_patronal_cents"] * 10_000 <= reduction["assiette_cents"] * 4021 + 5000).all()


def test_wide_frame_keeps_only_what_varies_and_long_lines_gathers_the_month_rates() -> None:
    """compute() carries no per-month constant rate or reference; long_lines() gathers them by month: the lines
    of payslips of several months (several years, rates and references changing) computed together are those
    computed month by month, whatever the row order."""
    from secu.recouvrement import rules

    rows = [
        payslip(bulletin=i, salarie=f"S{i}", mois=mois, brut_cents=brut, effectif=effectif, cadre=cadre)
        for i, (mois, brut, effectif, cadre) in enumerate([
            (date(2024, 3, 1), 180000, 10, False), (date(2025, 7, 1), 900000, 120, True),
            (date(2026, 2, 1), 250000, 60, False), (date(2024, 3, 1), 400000, 60, True),
            (date(2026, 2, 1), 150000, 5, False), (date(2025, 7, 1), 210000, 20, False),
        ])
    ]
    wide = rules.compute(frame(rows))
    assert "taux_salarial_vieillesse_plafonnee" not in wide.columns and "reference_csa" not in wide.columns
    assert set(rules.VARYING) <= set(wide.columns)
    assert {f"montant_patronal_{code}" for code in LINES} <= set(wide.columns)
    together = rules.long_lines(wide).with_columns(pl.col("reference").cast(pl.String)).sort("bulletin", "code")
    apart = pl.concat([
        contributions(frame([row])).with_columns(pl.col("reference").cast(pl.String)) for row in rows
    ]).sort("bulletin", "code")
    assert together.equals(apart)
    assert together.schema == apart.schema


def test_reduction_in_int64_equals_int128(monkeypatch: pytest.MonkeyPatch) -> None:
    """The réduction's Int64 path (taken when the inputs' bounds allow it) gives the Int128 path's amounts."""
    from secu.recouvrement import rules

    rows = [
        payslip(bulletin=10 * k + m, salarie=f"S{k}", mois=date(year, m, 1), brut_cents=brut, effectif=effectif)
        for k, (year, brut, effectif) in enumerate([(2024, 180000, 10), (2025, 250000, 60), (2026, 190000, 5), (2026, 520000, 80)])
        for m in (1, 2, 3)
    ]
    results = []
    for needs in (False, True):
        monkeypatch.setattr(rules, "_reduction_needs_int128", lambda *args, needs=needs: needs)
        results.append(net(frame(rows)))
    assert results[0].equals(results[1])
    assert (results[0]["coefficient_reduction"] > 0).any()


def test_csg_and_crds_are_the_exact_base_times_the_rate_rounded_once() -> None:
    """CSS L136-1-1 (assiette : 98,25 % du brut dans la limite de 4 plafonds) prescribes no rounding of the base:
    6 522 € × 98,25 % = 6 407,865 € exactly; × 6,8 % = 435,73482 € → 435,73 € (a base rounded first to 6 407,87 €
    would give 435,74 €). The bulletin still shows the base to the cent."""
    lines, _ = cotisations_bulletin(taux_atmp=ATMP, brut="6522", mois=date(2025, 7, 1), effectif=251, cadre=True)
    row = {r["code"]: r for r in lines.iter_rows(named=True)}
    assert row["csg_deductible"]["assiette_cents"] == 640_787
    assert row["csg_deductible"]["montant_salarial_cents"] == 43_573
    assert row["csg_non_deductible"]["montant_salarial_cents"] == 15_379  # 2,4 % × 6 407,865 = 153,78876 → 153,79
    assert row["crds"]["montant_salarial_cents"] == 3_204  # 0,5 % × 6 407,865 = 32,039325 → 32,04
