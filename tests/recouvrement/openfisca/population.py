"""Deterministic synthetic payslips for the differential test and the benchmark.

:func:`payslips` returns a Polars frame in the input contract of
``secu.recouvrement.rules.contributions``: one row per employee-month with
``bulletin``, ``salarie``, ``mois`` (pl.Date, 1st of month), ``brut_cents``
(Int64), ``heures`` and ``heures_contrat`` (Decimal hours, null = full time),
``effectif`` (Int32), ``taux_atmp`` (Decimal fraction), ``cadre`` (Boolean).

The mix, per employee (the same seed always gives the same frame):

* pay, as a full-time equivalent, in bands: 25 % from 1 to 1.3 SMIC, 35 % from
  1.3 to 3.5 SMIC (the bandeaux maladie and famille, the Fillon exit at 1.6
  SMIC and the RGDU exit at 3 SMIC), 25 % from 3.5 SMIC to 2 PASS, 10 % from
  2 to 4 PASS, 5 % from 4 to 10 PASS (the 4- and 8-PASS ceilings); about 3 %
  of payslips sit exactly on a threshold (1 SMIC, 1.6 SMIC, 2.25 / 2.5 SMIC,
  3 SMIC, 3.3 / 3.5 SMIC, 1, 4 and 8 PASS), where strict and non-strict
  comparisons differ;
* 20 % part time (contractual 75.83 h to 138.67 h a month), the gross pay
  prorated to those hours; hours paid = contractual hours (no complementary
  or overtime hours, whose SMIC correction OpenFisca does not take from
  these inputs);
* cadres: 5 % under 3,000 €, half of those up to 2 PASS, 90 % above;
* headcount 1–500, with the thresholds 11, 20, 49, 50, 250 over-represented;
* AT/MP rate 0.60 %–6.00 % (4 decimals, as notified by the CARSAT);
* full months only (no entry or exit during the month);
* by default every payslip has a ``salarie`` of its own: secu applies the
  régularisation progressive of the plafond and of the réduction générale
  over one employee's months of a year, which OpenFisca's single-month
  computation (runner.py) does not do; a payslip alone is the case both
  compute the same way. ``same_employee=True`` gives each employee's months
  one ``salarie`` id (for the benchmark's realism).

SMIC and PASS values are the legal ones (legislation-other-branches.md §3.1,
§3.2); they only shape the population, the rules under test bring their own.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import polars as pl

SMIC_HORAIRE = [  # (from, hourly SMIC in cents)
    (date(2024, 1, 1), 1165), (date(2024, 11, 1), 1188), (date(2026, 1, 1), 1202), (date(2026, 6, 1), 1231),
]
PMSS = {2024: 3864, 2025: 3925, 2026: 4005}
FULL_TIME = Decimal("151.67")
PART_TIME_HOURS = [Decimal(h) for h in ("75.83", "86.67", "104.00", "108.33", "121.33", "130.00", "138.67")]
HEADCOUNTS = [1, 3, 9, 10, 11, 19, 20, 21, 49, 50, 51, 120, 249, 250, 251, 499, 500]

# The months compared for each year: both sides of each mid-year change
# (AGS 2024-07, chômage and Fillon T 2025-05, SMIC 2024-11 and 2026-06).
MONTHS = {
    2024: [date(2024, 3, 1), date(2024, 11, 1)],
    2025: [date(2025, 2, 1), date(2025, 7, 1)],
    2026: [date(2026, 2, 1), date(2026, 7, 1)],
}


def smic_mensuel_cents(month: date) -> int:
    hourly = [cents for start, cents in SMIC_HORAIRE if start <= month][-1]
    return round(hourly * FULL_TIME)


def _thresholds(month: date) -> list[int]:
    """Full-time monthly pay on each side of a legal threshold, in cents: the last cent at or under the
    exact threshold and the first cent above it (ratios of the hourly SMIC × 151.67 h are not whole cents)."""
    hourly = [cents for start, cents in SMIC_HORAIRE if start <= month][-1]
    pmss = PMSS[month.year] * 100
    exact = [Decimal(hourly) * FULL_TIME * Decimal(k) for k in ("1", "1.6", "3")]
    if month.year == 2024:  # bandeaux: 2.5 and 3.5 × the SMIC of 31/12/2023 (11.52 €)
        exact += [Decimal(1152) * FULL_TIME * Decimal(k) for k in ("2.5", "3.5")]
    elif month.year == 2025:  # 2.25 and 3.3 × the SMIC of 01/01/2025 (11.88 €)
        exact += [Decimal(1188) * FULL_TIME * Decimal(k) for k in ("2.25", "3.3")]
    elif month.year == 2026:  # RGDU: the SMIC of 01/01/2026 for the whole year (décret 2026-509)
        exact += [Decimal(1202) * FULL_TIME * Decimal(k) for k in ("1", "3")]
    exact += [Decimal(pmss * k) for k in (1, 4, 8)]
    values = []
    for value in exact:
        floor = int(value)  # value > 0: the last whole cent at or under
        values += [floor, floor + 1]
    return values


def _gross_fte(rng: random.Random, month: date) -> int:
    smic = smic_mensuel_cents(month)
    pmss = PMSS[month.year] * 100
    band = rng.random()
    if band < 0.25:
        low, high = smic, int(smic * 1.3)
    elif band < 0.60:
        low, high = int(smic * 1.3), int(smic * 3.5)
    elif band < 0.85:
        low, high = int(smic * 3.5), 2 * pmss
    elif band < 0.95:
        low, high = 2 * pmss, 4 * pmss
    else:
        low, high = 4 * pmss, 10 * pmss
    return rng.randint(low, high)


def payslips(
    employees: int, months: list[date], seed: int = 2026, first_bulletin: int = 1, same_employee: bool = False
) -> pl.DataFrame:
    """``employees`` employees, one payslip each for every month of ``months``."""
    rng = random.Random(seed)
    rows: dict[str, list] = {k: [] for k in (
        "bulletin", "salarie", "mois", "brut_cents", "heures", "heures_contrat", "effectif", "taux_atmp", "cadre")}
    bulletin = first_bulletin
    for salarie in range(1, employees + 1):
        partiel = rng.random() < 0.20
        hours = rng.choice(PART_TIME_HOURS) if partiel else None
        effectif = rng.choice(HEADCOUNTS) if rng.random() < 0.4 else rng.randint(1, 500)
        taux = Decimal(rng.randint(60, 600)) / Decimal(10000)
        profile = rng.random()  # the employee's place in the pay distribution
        cadre_draw = rng.random()
        for month in months:
            if rng.random() < 0.03:
                fte = rng.choice(_thresholds(month))
            else:
                fte = _gross_fte(random.Random(f"{seed}-{salarie}-{profile}-{month.year}"), month)
                fte = int(fte * (1 + 0.1 * rng.random() * (rng.random() < 0.2)))  # occasional bonus month
            if fte < 300_000:
                cadre = cadre_draw < 0.05
            elif fte < 2 * PMSS[month.year] * 100:
                cadre = cadre_draw < 0.5
            else:
                cadre = cadre_draw < 0.9
            brut = fte if hours is None else int((Decimal(fte) * hours / FULL_TIME).to_integral_value())
            rows["bulletin"].append(bulletin)
            rows["salarie"].append(first_bulletin + salarie - 1 if same_employee else bulletin)
            rows["mois"].append(month)
            rows["brut_cents"].append(brut)
            rows["heures"].append(hours if hours is not None else FULL_TIME)
            rows["heures_contrat"].append(hours)
            rows["effectif"].append(effectif)
            rows["taux_atmp"].append(taux)
            rows["cadre"].append(cadre)
            bulletin += 1
    return pl.DataFrame(
        rows,
        schema={
            "bulletin": pl.Int64, "salarie": pl.Int64, "mois": pl.Date, "brut_cents": pl.Int64,
            "heures": pl.Decimal(10, 2), "heures_contrat": pl.Decimal(10, 2), "effectif": pl.Int32,
            "taux_atmp": pl.Decimal(10, 4), "cadre": pl.Boolean,
        },
    )


def to_runner_json(frame: pl.DataFrame) -> dict:
    """The runner's input (column lists, JSON-safe)."""
    columns = {
        "bulletin": frame["bulletin"].to_list(),
        "mois": [d.isoformat() for d in frame["mois"].to_list()],
        "brut_cents": frame["brut_cents"].to_list(),
        "heures": [None if h is None else str(h) for h in frame["heures"].to_list()],
        "heures_contrat": [None if h is None else str(h) for h in frame["heures_contrat"].to_list()],
        "effectif": frame["effectif"].to_list(),
        "taux_atmp": [str(t) for t in frame["taux_atmp"].to_list()],
        "cadre": frame["cadre"].to_list(),
    }
    for optional in ("date_entree", "date_sortie"):
        if optional in frame.columns:
            columns[optional] = [None if d is None else d.isoformat() for d in frame[optional].to_list()]
    return {"columns": columns}
