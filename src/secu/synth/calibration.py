"""The calibration of the synthetic France: ``calibration.yaml`` read once, and the curves derived from it.

Everything here is a pure function of the YAML (no randomness): the age
distribution, the share of each age living as a child in a household, the
death, ALD and fertility curves, the care multiplier by age. Each derivation
says which figures it matches; the tests check the generated population
against the same figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from statistics import NormalDist
from typing import Any, cast

import numpy as np
import yaml

CALIBRATION_PATH = Path(__file__).with_name("calibration.yaml")
AGE_MAX = 104
AGES = np.arange(AGE_MAX + 1)
"""Ages in completed years on 1 January of the reference year (100+ spread over 100-104)."""


def _value(entry: object) -> float:
    return float(entry["valeur"]) if isinstance(entry, dict) else float(cast(float, entry))


@dataclass(frozen=True)
class Calibration:
    raw: dict[str, Any]
    age_weights: np.ndarray
    """P(age = a) on 1 January, a = 0..104 (sums to 1)."""
    male_share: np.ndarray
    """P(homme | age) (RP 2018, per quinquennal band)."""
    birth_rate: float
    """Births in the year per inhabitant on 1 January."""
    child_share: np.ndarray
    """Share of the people of each age who live as a child of their household."""
    death_prob: np.ndarray
    ald_prob: np.ndarray
    fertility: np.ndarray
    """Relative fertility by age of the mother (sums to 1)."""
    care_multiplier: np.ndarray
    """Care consumption by age (index 0 also for the newborns), population mean 1."""
    employment: np.ndarray
    household_shares: dict[str, float]
    children_shares: dict[int, float]
    salary_knots_z: np.ndarray
    salary_knots_log: np.ndarray


def _pyramid(raw: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    pop = raw["population"]
    shape = pop["pyramide_2018"]
    weights = np.zeros(AGE_MAX + 1)
    male = np.zeros(AGE_MAX + 1)
    for (low, high), total, men in zip(shape["bandes"], shape["ensemble"], shape["hommes"], strict=True):
        width = high - low + 1
        weights[low:high + 1] = total / width
        male[low:high + 1] = men / total
    # Rescale the 2018 shape so that each broad band has its 2024 weight (REPSS Retraite 1.5).
    broad = pop["grandes_bandes_2024"]
    for (low, high), share in zip(broad["bandes"], broad["parts"], strict=True):
        band = weights[low:high + 1]
        weights[low:high + 1] = band / band.sum() * share
    return weights / weights.sum(), male


def _mean_children(raw: dict[str, Any]) -> float:
    return sum(int(k) * float(v) for k, v in raw["menages"]["enfants_par_famille"]["parts"].items())


def _child_share(raw: dict[str, Any], marginal: np.ndarray, birth_rate: float) -> np.ndarray:
    """Children in households = every minor, and a share k of the 18-24 (k × relatif at 25-29) solved so that the
    number of children the household types imply equals the number the pyramid gives (the pyramid wins)."""
    types = raw["menages"]["types"]
    families = float(types["couple_avec_enfants"]) + float(types["monoparentale"])
    children_per_household = families * _mean_children(raw)
    adults_per_household = (float(types["personne_seule_homme"]) + float(types["personne_seule_femme"])
                            + 2 * (float(types["couple_sans_enfant"]) + float(types["autre"]) + float(types["couple_avec_enfants"]))
                            + float(types["monoparentale"]))
    target = children_per_household / (children_per_household + adults_per_household)  # share of people
    total = marginal.sum() + birth_rate
    minors = (marginal[:18].sum() + birth_rate) / total
    relative = _value(raw["menages"]["enfant_au_foyer_25_29_relatif"])
    young = (marginal[18:25].sum() + relative * marginal[25:30].sum()) / total
    k = min(max((target - minors) / young, 0.0), _value(raw["menages"]["enfant_au_foyer_18_24"]))
    share = np.zeros(AGE_MAX + 1)
    share[:18] = 1.0
    share[18:25] = k
    share[25:30] = k * relative
    return share


def _death_prob(raw: dict[str, Any], marginal: np.ndarray) -> np.ndarray:
    pop = raw["population"]
    slope = _value(pop["mortalite"]["pente_gompertz"])
    target = _value(pop["deces_par_an"]) / _value(pop["reference"])
    base = np.exp(slope * AGES)
    low, high = 0.0, 1.0
    for _ in range(80):  # bisection on the level, with the 0.6 cap (the oldest ages)
        mid = (low + high) / 2
        if (np.minimum(mid * base, 0.6) * marginal).sum() < target:
            low = mid
        else:
            high = mid
    return np.asarray(np.minimum(low * base, 0.6))


def _ald_prob(raw: dict[str, Any], marginal: np.ndarray) -> np.ndarray:
    """p(a) = min(0.9, A·exp(b·a)), b and A solved so that prevalence and mean age match the published ones."""
    sante = raw["sante"]
    prevalence = _value(sante["ald_prevalence"])
    mean_age = _value(sante["ald_age_moyen"])

    def fit(b: float) -> np.ndarray:
        base = np.exp(b * AGES)
        low, high = 0.0, 1.0
        for _ in range(80):
            mid = (low + high) / 2
            if (np.minimum(mid * base, 0.9) * marginal).sum() < prevalence:
                low = mid
            else:
                high = mid
        return np.asarray(np.minimum(low * base, 0.9))

    low, high = 0.0, 0.2
    for _ in range(60):
        b = (low + high) / 2
        p = fit(b)
        if (p * marginal * AGES).sum() / (p * marginal).sum() < mean_age:
            low = b
        else:
            high = b
    return fit((low + high) / 2)


def _fertility(raw: dict[str, Any]) -> np.ndarray:
    f = raw["population"]["fecondite"]
    mean, sd = _value(f["age_moyen_mere"]), _value(f["ecart_type_age_mere"])
    curve = np.exp(-0.5 * ((AGES - mean) / sd) ** 2)
    curve[(AGES < 15) | (AGES > 49)] = 0.0
    return np.asarray(curve / curve.sum())


def _care_multiplier(raw: dict[str, Any], marginal: np.ndarray) -> np.ndarray:
    g = raw["sante"]["gradient_age"]
    curve = np.interp(AGES, np.asarray(g["ages"], dtype=float), np.asarray(g["multiplicateur"], dtype=float))
    return np.asarray(curve / (curve * marginal).sum())


def _employment(raw: dict[str, Any]) -> np.ndarray:
    e = raw["emploi"]
    rate = np.zeros(AGE_MAX + 1)
    rate[15:25] = _value(e["taux_emploi_15_24"])
    rate[25:50] = _value(e["taux_emploi_25_49"])
    rate[50:65] = _value(e["taux_emploi_50_64"])
    rate[65:75] = _value(e["taux_emploi_65_plus"])
    return rate


def _salary_knots(raw: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    q = raw["salaires"]["quantiles_nets"]
    z = np.array([NormalDist().inv_cdf(p) for p in q["p"]])
    return z, np.log(np.asarray(q["euros"], dtype=float))


@lru_cache(maxsize=1)
def calibration(path: Path = CALIBRATION_PATH) -> Calibration:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    weights, male = _pyramid(raw)
    pop = raw["population"]
    birth_rate = _value(pop["naissances_par_an"]) / _value(pop["reference"])
    types = {k: float(v) for k, v in raw["menages"]["types"].items() if k not in ("statut", "source")}
    children = {int(k): float(v) for k, v in raw["menages"]["enfants_par_famille"]["parts"].items()}
    z, log = _salary_knots(raw)
    return Calibration(
        raw=raw, age_weights=weights, male_share=male, birth_rate=birth_rate,
        child_share=_child_share(raw, weights, birth_rate), death_prob=_death_prob(raw, weights),
        ald_prob=_ald_prob(raw, weights), fertility=_fertility(raw), care_multiplier=_care_multiplier(raw, weights),
        employment=_employment(raw), household_shares=types, children_shares=children,
        salary_knots_z=z, salary_knots_log=log,
    )


def net_salary(z: np.ndarray, cal: Calibration) -> np.ndarray:
    """Net monthly FTE pay (euros) at normal scores ``z``: log-linear between the published quantiles,
    extended with the slope of the outer pieces."""
    kz, kl = cal.salary_knots_z, cal.salary_knots_log
    inside = np.interp(z, kz, kl)
    low_slope = (kl[1] - kl[0]) / (kz[1] - kz[0])
    high_slope = (kl[-1] - kl[-2]) / (kz[-1] - kz[-2])
    out = np.where(z < kz[0], kl[0] + (z - kz[0]) * low_slope, inside)
    out = np.where(z > kz[-1], kl[-1] + (z - kz[-1]) * high_slope, out)
    return np.asarray(np.exp(out))


def sigma_lognormal(mean_over_median: float) -> float:
    """σ of a log-normal law whose mean is ``mean_over_median`` times its median."""
    return math.sqrt(2 * math.log(mean_over_median))
