"""Deterministic synthetic careers for the retraite differential test.

:func:`careers` (random) and :func:`cas_types` (built by hand) return two frames:

* ``personnes``: ``personne``, ``naissance``, ``date_effet`` (always the 1st of
  a month, CSS R351-37), ``enfants`` (children raised, for the +10 % from 3),
  ``autres_pensions`` (cents a year: the other régimes' pensions at the date
  d'effet, for the écrêtement of the minimum contributif), ``carriere_longue``
  and ``inaptitude`` (bool), ``debut_activite`` (the age the career starts at: the year of that
  birthday is its first), ``cas`` (what the draw aimed at);
* ``annees``: ``personne``, ``annee``, ``salaire`` (cents, gross, uncapped,
  reported to the régime général), one row per year worked.

The mix: generations 1955–1969, dates d'effet 2023-01 to 2027-12, drawn no
earlier than the generation's âge légal under the 2023 reform (the later of
the two schedules: never before the âge légal of either, CSS L161-17-2), plus
the generations the LFSS 2026 suspension lets go earlier (1964 and the first
quarter of 1965 at 62 ans 9 mois, pensions from 2026-09-01) and carrières
longues (generations 1963–1969 started at 16–19, leaving at 58–62 with more
quarters than their generation's durée). Generation 1970 appears in no draw:
at 58, the earliest age of any departure of the interface (carrière longue
begun before 16, L351-1-1), it reaches 2028. The careers: a start between 16
and 24, a yearly salary drawn as a fraction of a nominal wage index (low
paid, median, above the PASS), gaps of a few years for a third, an early stop
for a sixth (before the âge légal: no surcote can be earned), work up to the
last year before the date d'effet otherwise. No salary is reported in the
year of the date d'effet: both models leave that year out of the SAM, and
quarters of that year would depend on the reporting of a part year.

The âge légal table below only shapes the draw (the rules under test carry
their own, as dated parameters): months of age by birth date, from the
fact sheet (shared reference §2.4: CSS L161-17-2, loi 2023-270 and
LFSS 2026, loi 2025-1403).
"""

from __future__ import annotations

import random
from datetime import date

import polars as pl

FIRST_EFFECT, LAST_EFFECT = date(2023, 1, 1), date(2027, 12, 1)
SUSPENSION = date(2026, 9, 1)


def age_legal_mois(naissance: date, effet: date) -> int:
    """Months of age of the âge légal (shaping only: see the module docstring)."""
    y, m = naissance.year, naissance.month
    if y <= 1960 or (y == 1961 and m < 9):
        return 62 * 12
    reform = {1961: 747, 1962: 750, 1963: 753, 1964: 756, 1965: 759, 1966: 762, 1967: 765}.get(y, 768)
    if effet < SUSPENSION:
        return reform
    if y == 1964 or (y == 1965 and m <= 3):
        return 753
    return {1965: 756, 1966: 759, 1967: 762, 1968: 765}.get(y, reform)


def _first_of_month_after(naissance: date, months: int) -> date:
    """The 1st of the month after the month in which the age of ``months`` months is reached (CSS R351-37; the
    population is born on days 2–28, never on the 1st, where the day the age is reached is a question of its own)."""
    return _add_months(date(naissance.year, naissance.month, 1), months + 1)


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(y, m + 1, 1)


def _index(year: int) -> float:
    """A nominal wage index in euros (≈ the PASS: 43 992 € in 2023, 2.6 % a year before): shaping only."""
    return 43_992 * 1.026 ** (year - 2023)


def _career(
    rng: random.Random, personne: int, naissance: date, effet: date, start_age: int, level: float, stop_year: int | None, gaps: bool = True
) -> list[tuple[int, int, int]]:
    rows = []
    last = effet.year - 1 if stop_year is None else min(stop_year, effet.year - 1)
    gap = gaps and rng.random() < 0.33
    gap_start = rng.randint(naissance.year + start_age + 3, naissance.year + 50) if gap else 0
    gap_len = rng.randint(1, 6) if gap else 0
    for year in range(naissance.year + start_age, last + 1):
        if gap and gap_start <= year < gap_start + gap_len:
            continue
        age = year - naissance.year
        ramp = min(1.0, 0.55 + 0.02 * (age - start_age))
        noise = rng.uniform(0.85, 1.15)
        part = rng.choice([0.1, 0.2, 0.35]) if rng.random() < 0.04 else 1.0  # a short year: 0–3 quarters
        salaire = round(_index(year) * level * ramp * noise * part * 100)
        rows.append((personne, year, salaire))
    return rows


def careers(count: int, seed: int, first: int = 1) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = random.Random(seed)
    personnes, annees = [], []
    for k in range(count):
        personne = first + k
        while True:  # drawn again when the earliest date d'effet falls after the last compared
            kind = rng.random()
            carriere_longue = inaptitude = False
            if kind < 0.70:  # ordinary: from the âge légal of the 2023 reform
                naissance = date(rng.randint(1955, 1963), rng.randint(1, 12), rng.randint(2, 28))
                earliest = max(FIRST_EFFECT, _first_of_month_after(naissance, age_legal_mois(naissance, FIRST_EFFECT)))
                cas = "ordinaire"
            elif kind < 0.82:  # the LFSS 2026 suspension: 1964 and 1965 Q1 at 62 ans 9 mois from 2026-09-01
                naissance = date(1964, rng.randint(1, 12), rng.randint(2, 28)) if rng.random() < 0.8 else date(1965, rng.randint(1, 3), rng.randint(2, 28))
                earliest = max(SUSPENSION, _first_of_month_after(naissance, 753))
                cas = "suspension"
            elif kind < 0.94:  # carrière longue: started at 16–19, leaves at 58–62
                naissance = date(rng.randint(1963, 1969), rng.randint(1, 12), rng.randint(2, 28))
                age = rng.choice([58, 60, 60, 62]) if naissance.year >= 1965 else 60
                # secu holds the carrière longue of the 2023 decree only (D351-1-1 as of décret 2023-436): from 2023-09-01
                earliest = max(date(2023, 9, 1), _first_of_month_after(naissance, age * 12))
                carriere_longue = True
                cas = "carriere_longue"
            else:  # inaptitude: taux plein at the âge légal whatever the durée
                naissance = date(rng.randint(1955, 1963), rng.randint(1, 12), rng.randint(2, 28))
                earliest = max(FIRST_EFFECT, _first_of_month_after(naissance, age_legal_mois(naissance, FIRST_EFFECT)))
                inaptitude = True
                cas = "inaptitude"
            if earliest <= LAST_EFFECT:
                break
        span = (LAST_EFFECT.year - earliest.year) * 12 + LAST_EFFECT.month - earliest.month
        # Most at or near the âge légal, some later (surcote, the âge d'annulation de la décote).
        offset = 0 if rng.random() < 0.35 or cas in ("carriere_longue", "inaptitude") else rng.randint(0, max(span, 0))
        effet = _add_months(earliest, min(offset, span))
        if cas == "carriere_longue":  # started early enough for the age (L351-1-1: before 16 for 58, 18 for 60, 20 for 62)
            start_age = {58: 15, 60: 16, 62: 18}[age]
        else:
            start_age = rng.choice([18, 19, 20, 21, 22, 23, 24, 26, 30])
        level = rng.choice([0.18, 0.3, 0.45, 0.6, 0.8, 1.0, 1.3, 1.8])
        stop_year = None
        if cas == "ordinaire" and rng.random() < 0.17:
            stop_year = naissance.year + rng.randint(50, 61)
        enfants = rng.choice([0, 0, 1, 2, 2, 3, 3, 4])
        autres = 0 if rng.random() < 0.6 else rng.choice([120_000, 360_000, 600_000, 900_000]) * 100 // 100
        rows = _career(rng, personne, naissance, effet, start_age, level, stop_year, gaps=cas != "carriere_longue")
        if cas == "carriere_longue":
            rows = [(p, y, max(s, round(_index(y) * 0.3 * 100))) for p, y, s in rows]  # every year 4 quarters
        annees += rows
        personnes.append((personne, naissance, effet, enfants, autres, carriere_longue, inaptitude, start_age, cas))
    return _frames(personnes, annees)


def cas_types(first: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Careers built by hand: full career at taux plein, a décote, a surcote, a minimum contributif (majoré and not,
    écrêté by other pensions), salaries above the PASS every year (the 50 % of the PASS is out of reach at taux plein:
    each year is capped at its PASS and revalued by prices, which grow less than the PASS), the âge légal of the 1961 generation around the
    2023-09-01 reform date, the 1964 generation before and after the suspension."""
    specs = [
        # (naissance, effet, start age, level, stop year, enfants, autres pensions €/an, cas)
        (date(1958, 5, 10), date(2023, 3, 1), 20, 0.8, None, 0, 0, "taux_plein"),
        (date(1960, 2, 1), date(2023, 2, 1), 25, 0.8, None, 0, 0, "decote"),
        (date(1957, 9, 15), date(2024, 10, 1), 21, 0.9, None, 3, 0, "surcote_enfants"),
        (date(1959, 6, 20), date(2024, 7, 1), 19, 0.2, None, 0, 0, "mico_majore"),
        (date(1959, 6, 20), date(2024, 7, 1), 19, 0.2, None, 0, 13_000, "mico_ecrete"),
        (date(1960, 1, 5), date(2025, 1, 1), 24, 0.18, 1995, 0, 0, "mico_non_majore"),
        (date(1956, 3, 3), date(2023, 4, 1), 20, 2.5, None, 0, 0, "salaires_au_dessus_du_pass"),
        (date(1961, 8, 20), date(2023, 9, 1), 20, 0.7, None, 0, 0, "1961_avant_septembre"),
        (date(1961, 9, 20), date(2024, 1, 1), 20, 0.7, None, 0, 0, "1961_apres_septembre"),
        (date(1964, 1, 15), date(2026, 11, 1), 20, 0.7, None, 0, 0, "1964_suspension"),
        (date(1964, 1, 15), date(2027, 2, 1), 20, 0.7, None, 0, 0, "1964_a_63_ans"),
        (date(1955, 1, 1), date(2023, 1, 1), 22, 0.6, 2015, 1, 0, "67_ans_carriere_courte"),
    ]
    personnes, annees = [], []
    for k, (naissance, effet, start_age, level, stop, enfants, autres, cas) in enumerate(specs):
        personne = first + k
        last = effet.year - 1 if stop is None else stop
        annees += [(personne, y, round(_index(y) * level * 100)) for y in range(naissance.year + start_age, last + 1)]
        personnes.append((personne, naissance, effet, enfants, autres * 100, False, False, start_age, cas))
    return _frames(personnes, annees)


def _frames(personnes: list[tuple], annees: list[tuple]) -> tuple[pl.DataFrame, pl.DataFrame]:
    p = pl.DataFrame(
        personnes,
        schema={
            "personne": pl.Int64,
            "naissance": pl.Date,
            "date_effet": pl.Date,
            "enfants": pl.Int64,
            "autres_pensions": pl.Int64,
            "carriere_longue": pl.Boolean,
            "inaptitude": pl.Boolean,
            "debut_activite": pl.Int64,
            "cas": pl.String,
        },
        orient="row",
    )
    a = pl.DataFrame(annees, schema={"personne": pl.Int64, "annee": pl.Int32, "salaire": pl.Int64}, orient="row")
    return p, a


def to_runner_json(personnes: pl.DataFrame, annees: pl.DataFrame, overrides: list[dict]) -> dict:
    return {
        "personnes": {
            "personne": personnes["personne"].to_list(),
            "naissance": [d.isoformat() for d in personnes["naissance"]],
            "date_effet": [d.isoformat() for d in personnes["date_effet"]],
            "enfants": personnes["enfants"].to_list(),
            "autres_pensions": personnes["autres_pensions"].to_list(),
            "inaptitude": personnes["inaptitude"].to_list(),
        },
        "annees": {c: annees[c].to_list() for c in ("personne", "annee", "salaire")},
        "overrides": overrides,
    }
