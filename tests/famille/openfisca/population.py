"""Deterministic synthetic households for the famille differential test and the benchmark.

:func:`households` (random) and :func:`edge_households` (a few built by hand, for the cases the random
draw reaches too rarely) return the two input frames of ``secu.famille.rules.droits``
(src/secu/famille/README.md): ``foyers`` (one row per household and month) and
``enfants`` (one row per child living in the household that month). A
household keeps the same parents, children and resources in every month of
its year; the same seed always gives the same frames.

The mix, per household:

* 1 parent (30 %) or 2; for couples, ``biactif`` half the time;
* 0 to 6 children (weights favour 1–3), birth dates spread from 24 years to
  a few weeks before the first month compared; siblings at least 13 months
  apart (see the timing notes below); 8 % of children in résidence alternée;
* a fifth of the children aged 16 or more earn a wage: half of them well
  under 55 % of the SMIC × 169 h (still à charge), half well over it (no
  longer à charge, CSS R512-2) — never within 5 % of the threshold, where
  OpenFisca's six-month average and ``>=`` would need a case of their own;
* resources N-2 from 0 to 160,000 € a year, denser under 100,000 €; a tenth of
  households sit exactly on one of the ceilings that matter to them (AF
  tranches, CF and CF majoré, PAJE taux plein and partiel, ARS), or one cent
  above it, where ``<=`` and ``<`` differ (the law: resources that « n'excèdent
  pas » the ceiling, CSS L521-1 for the AF tranches, L522-1, L531-3, L543-1);
* every child is ``scolarise`` (OpenFisca's ARS does not read schooling for
  the 16–18 year olds; CSS R543-1 asks for it: the population keeps the case
  where both agree, schooling being a plain filter tested in the rules' own
  tests).

Timing (CSS L552-1, R552-2, R552-3 against OpenFisca's age « au premier jour
du mois », computed with numpy's average year of 365.2425 days, ir.py
``age``): around a birthday at which a right opens or closes, the law and
OpenFisca can disagree on the month, by design or by a day of numpy
rounding. The population **avoids** those months deliberately rather than
compare them: a child whose birthday at an age that matters (3: PAJE base
ends, CF counts; 14 and, from March 2026, 18: AF majoration; 20: AF ends and
forfait starts; 21: CF and forfait end) falls between a few days before the
month before a compared month and a few days after it is born again on
another date (:func:`_timing_conflict`). The same for the ARS, whose
OpenFisca version reads ages on 1 December and the number of children in
October where the law reads ages on 31 December, 6 years before 1 February
N+1 and under 18 on 15 September (R543-2, R543-3): birthdays at 6, 11, 15
near the turn of the year, at 18 from early September to mid-October, at 20
from late July to early October are avoided for the August rows. Children are
born at least five weeks before the first compared month (no birth during
the year: the month of birth, when no benefit but the prime is due, L552-1,
is where OpenFisca already counts the child). Siblings 13 months apart: two
children of the same age in years would hit OpenFisca's eldest-child test
(af.py ``pas_aine``: « Ne fonctionne pas pour les enfants du même âge »),
where CSS L521-3 excludes one eldest only.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl

# The months compared for each year: January (before the 1 April BMAF revaluation), June (after it),
# August (the ARS, CSS R543-5: paid for the rentrée; zero in the other months).
MONTHS = {
    2024: [date(2024, 1, 1), date(2024, 6, 1), date(2024, 8, 1)],
    2025: [date(2025, 1, 1), date(2025, 6, 1), date(2025, 8, 1)],
    2026: [date(2026, 1, 1), date(2026, 6, 1), date(2026, 8, 1)],
}

# Shaping only (the rules under test bring their own law): SMIC horaire in cents and the ceilings in euros of
# each calendar year (AF: tranche bases + per child; CF and PAJE: base for the first children's rates;
# ARS: base), as published for 2024–2026 (CNAF barèmes, revalued each 1 January).
SMIC_HORAIRE = [(date(2023, 5, 1), 1152), (date(2024, 1, 1), 1165), (date(2024, 11, 1), 1188), (date(2026, 1, 1), 1202), (date(2026, 6, 1), 1231)]
CEILINGS = {
    2024: {
        "af1": 62474,
        "af2": 87430,
        "af_enfant": 6246,
        "cf": 23296,
        "cf_maj": 9363,
        "paje_plein": 23296,
        "paje_plein_maj": 9363,
        "paje_partiel": 27833,
        "paje_partiel_maj": 11188,
        "ars": 20878,
    },
    2025: {
        "af1": 65473,
        "af2": 91627,
        "af_enfant": 6546,
        "cf": 24414,
        "cf_maj": 9812,
        "paje_plein": 24414,
        "paje_plein_maj": 9812,
        "paje_partiel": 29169,
        "paje_partiel_maj": 11725,
        "ars": 21880,
    },
    2026: {
        "af1": 66652,
        "af2": 93276,
        "af_enfant": 6664,
        "cf": 24853,
        "cf_maj": 9989,
        "paje_plein": 24853,
        "paje_plein_maj": 9989,
        "paje_partiel": 29694,
        "paje_partiel_maj": 11936,
        "ars": 22274,
    },
}

# Birthdays at these ages open or close a right in some month (see the module docstring).
AGES_MONTHLY = (3, 14, 18, 20, 21)


def smic_horaire_cents(month: date) -> int:
    return [cents for start, cents in SMIC_HORAIRE if start <= month][-1]


def _birthday(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February
        return date(born.year + age, 3, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _timing_conflict(born: date, months: list[date]) -> bool:
    """True when a birthday at an age that matters falls where the law's month and OpenFisca's may differ."""
    margin = timedelta(days=5)
    for month in months:
        low, high = _add_months(month, -1) - margin, _add_months(month, 1) + margin
        if any(low <= _birthday(born, age) <= high for age in AGES_MONTHLY):
            return True
        if month.month == 8:  # ARS of the year's rentrée
            year = month.year
            windows = {
                6: (date(year, 11, 20), date(year + 1, 2, 10)),
                11: (date(year, 11, 20), date(year + 1, 1, 10)),
                15: (date(year, 11, 20), date(year + 1, 1, 10)),
                18: (date(year, 9, 1), date(year, 10, 20)),
                20: (date(year, 7, 20), date(year, 10, 10)),
            }
            if any(low <= _birthday(born, age) <= high for age, (low, high) in windows.items()):
                return True
    return False


def _children_births(rng: random.Random, count: int, months: list[date]) -> list[date]:
    latest = months[0] - timedelta(days=36)
    births: list[date] = []
    for _ in range(count):
        for _attempt in range(200):
            age_days = int(rng.triangular(36, 24 * 365, 8 * 365)) if rng.random() < 0.85 else rng.randint(36, 4 * 365)
            born = latest - timedelta(days=age_days - 36)
            if born > latest or _timing_conflict(born, months):
                continue
            if any(abs((born - other).days) < 396 for other in births):  # 13 months apart
                continue
            births.append(born)
            break
    return sorted(births)


def _at_ceiling(rng: random.Random, year: int, nb_parents: int, biactif: bool, ages: list[int]) -> int:
    """Resources exactly at one of the household's ceilings, or one cent above it, in cents."""
    c = CEILINGS[year]
    n_pf = sum(1 for a in ages if a < 20)
    n_cf = sum(1 for a in ages if a < 21)
    majoration = nb_parents == 1 or biactif
    choices = [
        c["af1"] + n_pf * c["af_enfant"],
        c["af2"] + n_pf * c["af_enfant"],
        c["ars"] * (1 + 0.3 * n_pf),
    ]
    for base, extra in (("cf", "cf_maj"), ("paje_plein", "paje_plein_maj"), ("paje_partiel", "paje_partiel_maj")):
        count = n_cf if base == "cf" else n_pf
        value = c[base] * (1 + 0.25 * min(count, 2) + 0.3 * max(count - 2, 0)) + c[extra] * majoration
        choices.append(value)
        if base == "cf":
            choices.append(value * 0.5)  # CF majoré
    exact = round(rng.choice(choices) * 100)
    return exact + rng.choice((0, 1))


def households(count: int, year: int, seed: int, first_foyer: int = 1, months: list[date] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``count`` households for each month of ``months`` (default: MONTHS[year]): (foyers, enfants)."""
    months = months or MONTHS[year]
    rng = random.Random(seed)
    foyers: dict[str, list] = {
        k: []
        for k in (
            "foyer",
            "mois",
            "nb_parents",
            "ressources_n2",
            "biactif",
            "aah_taux_incapacite",
            "aah_rsdae",
            "aah_ressources_n2",
            "date_naissance_allocataire",
        )
    }
    enfants: dict[str, list] = {
        k: [] for k in ("foyer", "mois", "date_naissance", "garde_alternee", "salaire_net_mensuel", "aeeh_categorie", "asf", "scolarise")
    }
    threshold = 0.55 * 169 * max(smic_horaire_cents(m) for m in months)  # cents a month, the highest of the year
    low_threshold = 0.55 * 169 * min(smic_horaire_cents(date(year - 1, 7, 1)), *(smic_horaire_cents(m) for m in months))
    for foyer in range(first_foyer, first_foyer + count):
        nb_parents = 1 if rng.random() < 0.30 else 2
        biactif = nb_parents == 2 and rng.random() < 0.5
        nb_children = rng.choices(range(7), weights=(4, 22, 30, 24, 11, 6, 3))[0]
        births = _children_births(rng, nb_children, months)
        ages = [(months[0] - b).days // 366 for b in births]
        if rng.random() < 0.10:
            ressources = _at_ceiling(rng, year, nb_parents, biactif, ages)
        elif rng.random() < 0.8:
            ressources = rng.randint(0, 100_000_00)
        else:
            ressources = rng.randint(100_000_00, 160_000_00)
        if rng.random() < 0.05:
            ressources = 0
        parent_born = date(year - rng.randint(20, 55), rng.randint(1, 12), rng.randint(1, 28))
        children = []
        for born in births:
            age = (months[0] - born).days // 365
            pay = 0
            if age >= 16 and rng.random() < 0.20:
                pay = int(low_threshold * rng.uniform(0.05, 0.95)) if rng.random() < 0.5 else int(threshold * rng.uniform(1.05, 2.2))
            children.append((born, rng.random() < 0.08, pay))
        for month in months:
            foyers["foyer"].append(foyer)
            foyers["mois"].append(month)
            foyers["nb_parents"].append(nb_parents)
            foyers["ressources_n2"].append(ressources)
            foyers["biactif"].append(biactif)
            foyers["aah_taux_incapacite"].append(0)
            foyers["aah_rsdae"].append(False)
            foyers["aah_ressources_n2"].append(0)
            foyers["date_naissance_allocataire"].append(parent_born)
            for born, alternee, pay in children:
                enfants["foyer"].append(foyer)
                enfants["mois"].append(month)
                enfants["date_naissance"].append(born)
                enfants["garde_alternee"].append(alternee)
                enfants["salaire_net_mensuel"].append(pay)
                enfants["aeeh_categorie"].append(None)
                enfants["asf"].append(0)
                enfants["scolarise"].append(True)
    return pl.DataFrame(foyers, schema=_FOYERS_SCHEMA), pl.DataFrame(enfants, schema=_ENFANTS_SCHEMA)


_FOYERS_SCHEMA = {
    "foyer": pl.Int64,
    "mois": pl.Date,
    "nb_parents": pl.Int8,
    "ressources_n2": pl.Int64,
    "biactif": pl.Boolean,
    "aah_taux_incapacite": pl.Int16,
    "aah_rsdae": pl.Boolean,
    "aah_ressources_n2": pl.Int64,
    "date_naissance_allocataire": pl.Date,
}
_ENFANTS_SCHEMA = {
    "foyer": pl.Int64,
    "mois": pl.Date,
    "date_naissance": pl.Date,
    "garde_alternee": pl.Boolean,
    "salaire_net_mensuel": pl.Int64,
    "aeeh_categorie": pl.Int8,
    "asf": pl.Int8,
    "scolarise": pl.Boolean,
}


def _edge_cases(year: int) -> list[tuple[int, list[tuple[date, int]], tuple[int, ...] | None]]:
    """The households of :func:`edge_households` for ``year``: (nb_parents, [(birth, monthly pay in cents from 16)],
    resources N-2 in cents, or None for three levels, one in each AF tranche)."""
    high = int(0.55 * 169 * smic_horaire_cents(date(year, 8, 1)) * 1.5)  # well over the pay ceiling of every month
    c = CEILINGS[year]
    twenty = date(year - 21, 10, 15)  # 20 in October N-1: the month before is September N-1, the forfait runs to September N
    return [
        # A third child born after the month before the 20th birthday (October N-1): OpenFisca counts him for the
        # forfait, the law does not (three children à charge the month before, L521-1 2e al.).
        (2, [(twenty, 0), (date(year - 10, 4, 10), 0), (date(year - 1, 10, 20), 0)], None),
        # A sibling of 15 the month before the 20th birthday (à charge then, whatever his pay: L512-3 1°), 16 in
        # November N-1 and paid above the ceiling since (no longer à charge): the law pays the forfait for its
        # year, OpenFisca, counting this month's children, does not.
        (1, [(twenty, 0), (date(year - 17, 11, 10), high), (date(year - 8, 4, 20), 0)], None),
        # A child paid above the ceiling who turns 16 in June: not à charge from June (L512-3 2°, R552-3 I);
        # OpenFisca, reading his age on 1 June (15), still counts him (AF for 3, CF).
        (2, [(date(year - 16, 6, 12), high), (date(year - 12, 4, 20), 0), (date(year - 10, 3, 3), 0)], None),
        # The same with a child under 3, resources between the PAJE taux plein ceilings for one child and for two
        # (couple biactif: base × 1,25 and × 1,5, plus the majoration): in June the law pays the allocation de base
        # at the partial rate, OpenFisca at the full rate.
        (2, [(date(year - 16, 6, 12), high), (date(year - 1, 3, 1), 0)], (int(c["paje_plein"] * 1.375 + c["paje_plein_maj"]) * 100,)),
    ]


def edge_households(year: int, first_foyer: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A few households built by hand, each in the months of MONTHS[year], most at three levels of resources (AF
    tranches 1, 2 and 3): the cases where the law counts the children otherwise than OpenFisca's month (the
    forfait's three children the month before the 20th birthday; a child paid above the ceiling in the month of
    his 16th birthday), which the random draw reaches too rarely to be tested. (foyers, enfants) as
    :func:`households`."""
    months = MONTHS[year]
    ceilings = CEILINGS[year]
    foyers: list[dict] = []
    enfants: list[dict] = []
    foyer = first_foyer
    for nb_parents, children, levels in _edge_cases(year):
        n = len(children)
        for ressources in levels or (
            30_000_00,
            (ceilings["af1"] + ceilings["af2"]) // 2 * 100 + n * ceilings["af_enfant"] * 100,
            (ceilings["af2"] + 20_000 + n * ceilings["af_enfant"]) * 100,
        ):
            for month in months:
                foyers.append(
                    {
                        "foyer": foyer,
                        "mois": month,
                        "nb_parents": nb_parents,
                        "ressources_n2": ressources,
                        "biactif": nb_parents == 2,
                        "aah_taux_incapacite": 0,
                        "aah_rsdae": False,
                        "aah_ressources_n2": 0,
                        "date_naissance_allocataire": date(year - 45, 2, 2),
                    }
                )
                for born, pay in children:
                    # Paid from the month of his 16th birthday only: under 16 every child is à charge whatever his pay
                    # (L512-3 1°), where OpenFisca's nb_enf (CF, ARS) applies autonomie_financiere at every age.
                    sixteen = (month.year - born.year) * 12 + month.month - born.month >= 16 * 12
                    enfants.append(
                        {
                            "foyer": foyer,
                            "mois": month,
                            "date_naissance": born,
                            "garde_alternee": False,
                            "salaire_net_mensuel": pay if sixteen else 0,
                            "aeeh_categorie": None,
                            "asf": 0,
                            "scolarise": True,
                        }
                    )
            foyer += 1
    return pl.DataFrame(foyers, schema=_FOYERS_SCHEMA), pl.DataFrame(enfants, schema=_ENFANTS_SCHEMA)


def to_runner_json(foyers: pl.DataFrame, enfants: pl.DataFrame) -> dict:
    """The runner's input (column lists, JSON-safe): the foyers rows and the children rows, joined by (foyer, mois)."""
    return {
        "foyers": {
            "foyer": foyers["foyer"].to_list(),
            "mois": [d.isoformat() for d in foyers["mois"].to_list()],
            "nb_parents": foyers["nb_parents"].to_list(),
            "ressources_n2": foyers["ressources_n2"].to_list(),
            "biactif": foyers["biactif"].to_list(),
            "date_naissance_allocataire": [d.isoformat() for d in foyers["date_naissance_allocataire"].to_list()],
        },
        "enfants": {
            "foyer": enfants["foyer"].to_list(),
            "mois": [d.isoformat() for d in enfants["mois"].to_list()],
            "date_naissance": [d.isoformat() for d in enfants["date_naissance"].to_list()],
            "garde_alternee": enfants["garde_alternee"].to_list(),
            "salaire_net_mensuel": enfants["salaire_net_mensuel"].to_list(),
        },
    }
