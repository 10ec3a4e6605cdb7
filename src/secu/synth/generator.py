"""The calibrated generator of a synthetic France: ``secu synth --people N --out DIR``.

Writes the dataset of ``src/secu/batch/README.md`` §1, partition by
partition. Each partition is drawn from its own random stream, derived from
(seed, partition), with whole-array numpy/Polars operations: memory is one
partition at a time, and the same (people, seed, year, partition size) gives
the same bytes.

How a partition is drawn (figures: ``calibration.yaml``):

1. households by type (RP 2022), children per family;
2. ages: children from the pyramid × the share of each age living as a child,
   adults from the rest; siblings get neighbouring ages and parents ages
   consistent with their eldest (ranks matched, so the marginal of ages is the
   pyramid's exactly in expectation);
3. sex, births in the year (their mother's pregnancy start), deaths;
4. activity by age, pay (INSEE deciles, SMIC floor), part time, cadre,
   employer (weighted by its headcount), arrêts de travail;
5. ALD, care propensity, médecin traitant, households' resources, C2S for the
   poorest households.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import numpy as np
import polars as pl

from secu.core.errors import InvalidField
from secu.synth.calibration import AGE_MAX, Calibration, calibration, net_salary, sigma_lognormal
from secu.synth.identifiants import nir_key, rpps, sirets

VERSION = "1"
MAX_PEOPLE = 80_000_000
MAX_PARTITIONS = 990
"""The partition index is written in the NIR's commune and ordre digits (uniqueness), which caps it."""
MAX_PARTITION_SIZE = 1_000_000
PERSONNES_SCHEMA: dict[str, pl.DataType] = {
    "personne": pl.Int64(), "foyer": pl.Int64(), "role": pl.String(), "nir": pl.String(), "sexe": pl.String(),
    "date_naissance": pl.Date(), "date_deces": pl.Date(), "departement": pl.String(), "statut": pl.String(),
    "employeur": pl.String(), "salaire_brut_mensuel": pl.Int64(), "heures_mensuelles": pl.Decimal(6, 2),
    "cadre": pl.Boolean(), "ald": pl.Boolean(), "c2s": pl.Boolean(), "medecin_traitant": pl.String(),
    "soins_propension": pl.Float64(), "grossesse_debut": pl.Date(), "arret_debut": pl.Date(), "arret_jours": pl.Int32(),
}
FOYERS_SCHEMA: dict[str, pl.DataType] = {
    "foyer": pl.Int64(), "nb_parents": pl.Int8(), "ressources_n2": pl.Int64(), "biactif": pl.Boolean(),
    "departement": pl.String(),
}
PROFESSIONS = ("medecin_generaliste", "medecin_specialiste", "infirmier", "kinesitherapeute", "sage_femme",
               "pharmacie", "laboratoire", "etablissement")

# Stream numbers: each use of randomness has its own stream, so adding one never shifts the others.
_S_EMPLOYEURS, _S_PROFESSIONNELS, _S_PARTITION = 1, 2, 3


def rng(seed: int, *key: int) -> np.random.Generator:
    """The random stream of (seed, key…): independent of every other key."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed & 0xFFFFFFFF, seed >> 32, *key])))


@lru_cache(maxsize=1)
def departements() -> tuple[str, ...]:
    path = Path(__file__).resolve().parents[1] / "organismes" / "data" / "departements.csv"
    return tuple(pl.read_csv(path, schema_overrides={"code": pl.String})["code"].to_list())


@lru_cache(maxsize=8)
def heures_temps_plein(day: date) -> Decimal:
    """The legal full time of a month (151,67 h: 35 h × 52 / 12), the parameter ``plafond.heures_temps_plein``."""
    from secu.core.parameters import parameters

    return Decimal(cast(Decimal, parameters().get("plafond.heures_temps_plein").at(day).value))


def smic_mensuel_cents(day: date) -> int:
    """Full-time monthly SMIC (cents) in force on ``day``: hourly SMIC × the legal full time (legal parameters)."""
    from secu.core.parameters import parameters

    hourly = parameters().get("smic.horaire").at(day).value
    return int((Decimal(cast(Decimal, hourly)) * heures_temps_plein(day) * 100).quantize(Decimal(1)))


# --------------------------------------------------------------------------
# The small tables


def _expected_employees(cal: Calibration) -> float:
    """Salariés per inhabitant the calibration implies (employed, not self-employed)."""
    return float((cal.age_weights * cal.employment).sum()) * (1 - float(cal.raw["emploi"]["part_independants"]["valeur"]))


def employeurs(people: int, seed: int) -> pl.DataFrame:
    """Establishments, as many as the population needs: each has the headcount of its size class (the size
    the rules read), and receives synthetic employees in proportion to it."""
    cal = calibration()
    e = cal.raw["employeurs"]
    r = rng(seed, _S_EMPLOYEURS)
    employees = max(1.0, people * _expected_employees(cal))
    counts = []
    for (low, high), share in zip(e["classes"], e["part_salaries"], strict=True):
        mean_size = (high - low) / np.log(high / low) if high > low else low  # mean of a log-uniform law
        counts.append(max(1, round(employees * share / mean_size)))
    total = sum(counts)
    effectif = np.concatenate([
        np.exp(r.uniform(np.log(low), np.log(high + 1), n)).astype(np.int64).clip(low, high)
        for (low, high), n in zip(e["classes"], counts, strict=True)
    ])
    sectors = list(e["secteurs"])
    sector_p = np.array([e["secteurs"][s] for s in sectors], dtype=float)
    taux = r.integers(int(Decimal(e["taux_atmp_min"]) * 10000), int(Decimal(e["taux_atmp_max"]) * 10000) + 1, total)
    deps = departements()
    return pl.DataFrame({
        "siret": sirets(total).astype(str),
        "effectif": effectif,
        "secteur": np.array(sectors)[r.choice(len(sectors), total, p=sector_p / sector_p.sum())],
        "departement": np.array(deps)[r.integers(0, len(deps), total)],
        "taux_atmp_dix_milliemes": taux,
    }).with_columns(
        # scale 4 before dividing: a Decimal(10, 0) quotient truncates to 0
        (pl.col("taux_atmp_dix_milliemes").cast(pl.Decimal(10, 4)) / 10000).cast(pl.Decimal(10, 4)).alias("taux_atmp")
    ).drop("taux_atmp_dix_milliemes")


def professionnels(people: int, seed: int) -> pl.DataFrame:
    """Health professionals in proportion to the population (CNAM counts per inhabitant), at least one of each."""
    cal = calibration()
    p = cal.raw["professionnels"]
    r = rng(seed, _S_PROFESSIONNELS)
    per_head = {k: v / p["population_2021"] for k, v in p["effectifs"].items()}
    for k in ("pharmacie", "laboratoire", "etablissement"):
        per_head[k] = p["hypotheses"][k] / p["population_2021"]
    counts = {k: max(1, round(people * per_head[k])) for k in PROFESSIONS}
    total = sum(counts.values())
    profession = np.repeat(np.array(PROFESSIONS), [counts[k] for k in PROFESSIONS])
    deps = departements()
    secteur2 = (profession == "medecin_specialiste") & (r.random(total) < float(p["hypotheses"]["specialistes_secteur2"]))
    return pl.DataFrame({
        "professionnel": rpps(total).astype(str),
        "profession": profession,
        "departement": np.array(deps)[r.integers(0, len(deps), total)],
        "secteur": np.where(secteur2, 2, 1).astype(np.int8),
    }).sort("profession", "departement", "professionnel")


# --------------------------------------------------------------------------
# One partition


@dataclass(frozen=True)
class Partition:
    index: int
    people: int
    first_id: int


def plan(people: int, partition_size: int) -> list[Partition]:
    parts = []
    for index, start in enumerate(range(0, people, partition_size)):
        parts.append(Partition(index, min(partition_size, people - start), index * partition_size))
    return parts


def _households(r: np.random.Generator, people: int, cal: Calibration) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(type, adults, children) per household, the sizes adding up to exactly ``people``."""
    names = list(cal.household_shares)
    shares = np.array([cal.household_shares[n] for n in names])
    shares = shares / shares.sum()
    kids_values = np.array(sorted(cal.children_shares))
    kids_p = np.array([cal.children_shares[k] for k in kids_values])
    kids_p = kids_p / kids_p.sum()
    draw = int(people / 2.0) + 64
    kind = r.choice(len(names), draw, p=shares)
    label = np.array(names)[kind]
    adults = np.where(np.isin(label, ["couple_sans_enfant", "autre", "couple_avec_enfants"]), 2, 1)
    family = np.isin(label, ["couple_avec_enfants", "monoparentale"])
    children = np.where(family, kids_values[r.choice(len(kids_values), draw, p=kids_p)], 0)
    size = np.cumsum(adults + children)
    keep = int(np.searchsorted(size, people, side="right"))
    label, adults, children = label[:keep], adults[:keep], children[:keep]
    rest = people - (int(size[keep - 1]) if keep else 0)
    if rest > 0:  # the partition's last places: people living alone (the expected size is already reached)
        label = np.concatenate([label, np.where(r.random(rest) < 0.5, "personne_seule_homme", "personne_seule_femme")])
        adults = np.concatenate([adults, np.ones(rest, dtype=adults.dtype)])
        children = np.concatenate([children, np.zeros(rest, dtype=children.dtype)])
    return label, adults, children


def _draw(r: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    return r.choice(len(weights), n, p=weights / weights.sum())


def _ranked(keys: np.ndarray, values_sorted: np.ndarray) -> np.ndarray:
    """Give the k-th smallest value to the slot with the k-th smallest key (the marginal of values is kept)."""
    out = np.empty_like(values_sorted)
    out[np.argsort(keys, kind="stable")] = values_sorted
    return out


def _dates_in_year(r: np.random.Generator, years: np.ndarray) -> np.ndarray:
    """A uniform day of each year (numpy datetime64[D])."""
    starts = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    lengths = ((years + 1 - 1970).astype("datetime64[Y]").astype("datetime64[D]") - starts).astype(np.int64)
    return np.asarray(starts + np.floor(r.random(len(years)) * lengths).astype("timedelta64[D]"))


def generate_partition(part: Partition, people_total: int, seed: int, annee: int,
                       employers: pl.DataFrame, pros: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(personnes, foyers) of one partition."""
    cal = calibration()
    raw = cal.raw
    r = rng(seed, _S_PARTITION, part.index)
    label, adults_n, children_n = _households(r, part.people, cal)
    h = len(label)
    n_adults, n_children = int(adults_n.sum()), int(children_n.sum())
    deps = np.array(departements())
    hh_dep = deps[r.integers(0, len(deps), h)]

    # Ages. Index 0 of `child_ages_plus` is "born during the reference year" (age −1).
    marginal = np.concatenate([[cal.birth_rate], cal.age_weights])
    child_w = marginal * np.concatenate([[1.0], cal.child_share])
    adult_w = marginal * np.concatenate([[0.0], 1 - cal.child_share])
    adult_w[: 18 + 1] = 0.0
    child_ages = np.sort(_draw(r, child_w, n_children)) - 1
    adult_ages = np.sort(_draw(r, adult_w, n_adults)) - 1
    # Children: each family a key; its children take neighbouring ranks (siblings of close ages).
    family_of_child = np.repeat(np.arange(h), children_n)
    family_key = r.random(h)
    child_key = family_key[family_of_child] + r.normal(0, 0.04, n_children)
    child_age = _ranked(child_key, child_ages)
    eldest = np.full(h, -1)
    np.maximum.at(eldest, family_of_child, child_age)
    # Adults: a key per slot — the ideal age for parents (eldest + gap), an adult draw for the others, the partner
    # near the allocataire — then ranks matched with the adults' ages drawn from the pyramid.
    gap = raw["menages"]["ecart_age_parent_aine"]
    ideal = np.where(children_n > 0, eldest + r.normal(gap["moyenne"], gap["ecart_type"], h),
                     _draw(r, adult_w, h) - 1 + r.random(h))
    couple = adults_n == 2
    partner = raw["menages"]["ecart_age_conjoints"]
    keys = np.concatenate([ideal, ideal[couple] + r.normal(partner["moyenne"], partner["ecart_type"], int(couple.sum()))])
    adult_age = _ranked(keys, adult_ages)
    alloc_age, conj_age = adult_age[:h], adult_age[h:]

    # People, household by household: allocataire, conjoint, children.
    hh_index = np.arange(h)
    foyer_ids = part.first_id + hh_index
    conj_hh = hh_index[couple]
    order = np.concatenate([hh_index * 3, conj_hh * 3 + 1, family_of_child * 3 + 2])
    role = np.concatenate([np.full(h, "allocataire"), np.full(len(conj_hh), "conjoint"), np.full(n_children, "enfant")])
    age = np.concatenate([alloc_age, conj_age, child_age])
    hh_of = np.concatenate([hh_index, conj_hh, family_of_child])
    # Sex: alone by type; couples one of each (allocataire a woman half the time); single parents mostly mothers.
    alloc_female = np.where(label == "personne_seule_femme", True,
                            np.where(label == "personne_seule_homme", False,
                                     np.where(label == "monoparentale",
                                              r.random(h) < float(raw["menages"]["monoparentale_mere"]["valeur"]),
                                              r.random(h) < 0.5)))
    child_male = r.random(n_children) < cal.male_share[np.clip(child_age, 0, AGE_MAX)]
    female = np.concatenate([alloc_female, ~alloc_female[couple], ~child_male])
    sort = np.argsort(order, kind="stable")
    role, age, hh_of, female = role[sort], age[sort], hh_of[sort], female[sort]
    n = len(age)
    personne = part.first_id + np.arange(n)

    # Dates of birth (born in year Y−1−age; the newborns in Y) and of death.
    birth_year = annee - 1 - age
    naissance = _dates_in_year(r, birth_year)
    dies = r.random(n) < np.where(age >= 0, cal.death_prob[np.clip(age, 0, AGE_MAX)], 0.0)
    deces_day = _dates_in_year(r, np.full(n, annee))
    deces_day = np.maximum(deces_day, naissance)
    deces = np.where(dies, deces_day, np.datetime64("NaT"))

    # Pregnancies: the mother of each newborn (her pregnancy began 270 days before the birth), and pregnancies
    # begun in the year that end after it (three quarters of a year's births, spread over the women by age).
    grossesse = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    newborn = (role == "enfant") & (age == -1)
    mother_slot = np.full(h, -1)
    adult_female = (role != "enfant") & female
    mother_slot[hh_of[adult_female]] = np.flatnonzero(adult_female)
    nb_hh = hh_of[newborn]
    nb_mother = mother_slot[nb_hh]
    has_mother = nb_mother >= 0
    grossesse[nb_mother[has_mother]] = naissance[newborn][has_mother] - np.timedelta64(270, "D")
    fertile = adult_female & (age >= 15) & (age <= 49) & np.isnat(grossesse)
    expected = 0.75 * cal.birth_rate * n
    weight = np.where(fertile, cal.fertility[np.clip(age, 0, AGE_MAX)], 0.0)
    if weight.sum() > 0:
        prob = np.minimum(weight / weight.sum() * expected, 0.5)
        starts = np.datetime64(f"{annee}-04-01") + r.integers(0, 275, n).astype("timedelta64[D]")
        grossesse = np.where(fertile & (r.random(n) < prob), starts, grossesse)

    # Activity.
    emp = raw["emploi"]
    a = np.clip(age, 0, AGE_MAX)
    employed = (age >= 16) & (r.random(n) < cal.employment[a])
    independant = employed & (r.random(n) < float(emp["part_independants"]["valeur"]))
    salarie = employed & ~independant
    unemployed_rate = float(emp["chomage_bit"]["valeur"])
    chomeur = ~employed & (age >= 16) & (age < 65) \
        & (r.random(n) < cal.employment[a] * unemployed_rate / (1 - unemployed_rate) / np.maximum(1 - cal.employment[a], 1e-9))
    retired = ~employed & ~chomeur & ((age >= 62) | ((age >= 60) & (r.random(n) < float(emp["retraite_60_61"]["valeur"]))))
    student = ~employed & ~chomeur & ~retired & (age >= 16) & (age <= 25)
    statut = np.select([age < 16, salarie, independant, chomeur, retired, student],
                       ["enfant", "salarie", "salarie_independant", "chomeur", "retraite", "etudiant"], "inactif")
    statut = np.where(statut == "salarie_independant", "independant", statut)

    # Pay: full-time equivalent gross, floored at the SMIC of 1 January; gender gap split around the mean.
    sal = raw["salaires"]
    ratio = float(sal["brut_sur_net"]["valeur"])
    gap_w = 1 + float(sal["ecart_femmes"]["valeur"])
    men_factor, women_factor = gap_w ** -0.5, gap_w ** 0.5
    z = r.standard_normal(n)
    net = net_salary(z, cal) * np.where(female, women_factor, men_factor)
    smic = smic_mensuel_cents(date(annee, 1, 1))
    earner = salarie | independant
    brut = np.maximum(np.round(net * ratio * 100), smic).astype(np.int64)
    part_time = salarie & (r.random(n) < float(emp["part_temps_partiel"]["valeur"]))
    hours_values = np.array([int(Decimal(v) * 100) for v in emp["heures_temps_partiel"]["valeurs"]])
    hours_c = np.where(part_time, hours_values[r.integers(0, len(hours_values), n)], int(heures_temps_plein(date(annee, 1, 1)) * 100))
    cad = sal["part_cadres"]
    from statistics import NormalDist
    cut = np.array([NormalDist().inv_cdf(x) for x in cad["rangs"]])
    cadre_p = np.array(cad["probabilites"], dtype=float)[np.searchsorted(cut, z)]
    cadre = salarie & (r.random(n) < cadre_p)
    emp_weights = employers["effectif"].to_numpy().astype(float)
    employeur = np.where(salarie, r.choice(len(emp_weights), n, p=emp_weights / emp_weights.sum()), -1)

    # Arrêts de travail (salariés): one in the year for 28 % of them, log-normal length (DREES 2023).
    arr = raw["sante"]["arrets"]
    arret = salarie & (r.random(n) < float(arr["probabilite_annuelle"]["valeur"]))
    median = float(arr["jours_median"]["valeur"])
    sigma = sigma_lognormal(float(arr["jours_moyens"]["valeur"]) / median)
    arret_jours = np.clip(np.ceil(median * np.exp(sigma * r.standard_normal(n))), 1, 1095).astype(np.int32)
    arret_debut = np.where(arret, _dates_in_year(r, np.full(n, annee)), np.datetime64("NaT"))

    # Health.
    ald = r.random(n) < np.where(age >= 0, cal.ald_prob[a], 0.0)
    shape = float(raw["sante"]["propension"]["forme"])
    propension = r.gamma(shape, 1 / shape, n)
    gp = pros.filter(pl.col("profession") == "medecin_generaliste")
    traitant = _pick_local(r, gp["departement"].to_numpy(), hh_dep[hh_of])
    traitant = np.where(r.random(n) < float(raw["professionnels"]["medecin_traitant"]["valeur"]), traitant, -1)

    # Households' resources (net, per year) and C2S for the poorest households.
    pension = float(emp["pension_moyenne_nette"]["valeur"]) * 100 * 12
    allocation = float(emp["allocation_chomage_nette"]["valeur"]) * 100 * 12
    hours_f = hours_c / 100.0
    income = np.select([earner, statut == "retraite", statut == "chomeur"],
                       [brut / ratio * 12 * np.where(salarie, hours_f / float(heures_temps_plein(date(annee, 1, 1))), 1.0), pension, allocation], 0.0)
    hh_income = np.bincount(hh_of, weights=income, minlength=h)
    adult = role != "enfant"
    hh_earners = np.bincount(hh_of, weights=(adult & earner).astype(float), minlength=h)
    units = 1 + 0.5 * (adults_n - 1) + 0.3 * children_n
    c2s_share = float(raw["sante"]["c2s_beneficiaires"]["valeur"]) / float(raw["population"]["reference"]["valeur"])
    poorest = np.argsort(hh_income / units + r.random(h), kind="stable")
    covered = np.cumsum((adults_n + children_n)[poorest]) <= c2s_share * n
    hh_c2s = np.zeros(h, dtype=bool)
    hh_c2s[poorest[covered]] = True

    nir = _nirs(female, birth_year, naissance, hh_dep[hh_of], part.index)
    personnes = pl.DataFrame({
        "personne": personne, "foyer": foyer_ids[hh_of], "role": role, "nir": nir,
        "sexe": np.where(female, "2", "1"), "date_naissance": naissance, "date_deces": deces,
        "departement": hh_dep[hh_of], "statut": statut, "employeur": employeur,
        "salaire_brut_mensuel": np.where(earner, brut, -1), "heures_mensuelles": np.where(salarie, hours_c, -1),
        "cadre": cadre, "ald": ald, "c2s": hh_c2s[hh_of], "medecin_traitant": traitant,
        "soins_propension": propension, "grossesse_debut": grossesse, "arret_debut": arret_debut,
        "arret_jours": np.where(arret, arret_jours, -1),
    }).with_columns(
        _gather_or_null("employeur", employers["siret"]),
        _gather_or_null("medecin_traitant", gp["professionnel"]),
        pl.when(pl.col("salaire_brut_mensuel") >= 0).then(pl.col("salaire_brut_mensuel")).alias("salaire_brut_mensuel"),
        pl.when(pl.col("heures_mensuelles") >= 0).then(pl.col("heures_mensuelles").cast(pl.Int128).reinterpret(dtype=pl.Decimal(6, 2)))
        .alias("heures_mensuelles"),
        pl.when(pl.col("arret_jours") >= 0).then(pl.col("arret_jours")).cast(pl.Int32).alias("arret_jours"),
    ).select([pl.col(k).cast(v) for k, v in PERSONNES_SCHEMA.items()])
    foyers = pl.DataFrame({
        "foyer": foyer_ids, "nb_parents": adults_n.astype(np.int8), "ressources_n2": np.round(hh_income).astype(np.int64),
        "biactif": (adults_n == 2) & (hh_earners >= 2), "departement": hh_dep,
    }).select([pl.col(k).cast(v) for k, v in FOYERS_SCHEMA.items()])
    return personnes, foyers


def _gather_or_null(name: str, values: pl.Series) -> pl.Expr:
    """Column ``name`` holds row numbers into ``values`` (−1: none): the values, null for none."""
    index = pl.col(name)
    return pl.when(index >= 0).then(pl.lit(values).gather(index.clip(lower_bound=0))).alias(name)


def _pick_local(r: np.random.Generator, codes: np.ndarray, deps: np.ndarray) -> np.ndarray:
    """For each département in ``deps``, the row of a professional of that département (``codes`` sorted), else
    of any; −1 when there is none at all."""
    if len(codes) == 0:
        return np.full(len(deps), -1, dtype=np.int64)
    first = np.searchsorted(codes, deps, side="left")
    count = np.searchsorted(codes, deps, side="right") - first
    u = r.random(len(deps))
    local = first + np.floor(u * np.maximum(count, 1)).astype(np.int64)
    anywhere = np.floor(u * len(codes)).astype(np.int64)
    return np.where(count > 0, local, anywhere)


def _nirs(female: np.ndarray, birth_year: np.ndarray, naissance: np.ndarray, dep: np.ndarray, partition: int) -> np.ndarray:
    """Valid, unique NIRs: sex, year, month, place of birth (the département of residence), the commune and
    ordre digits carrying (partition, rank of the person among those of the same sex, year, month and place
    in the partition) — unique across partitions by construction — and the key."""
    month = naissance.astype("datetime64[M]").astype(np.int64) % 12 + 1
    yy = birth_year % 100
    sex = np.where(female, 2, 1)
    frame = pl.DataFrame({"sex": sex, "yy": yy, "mm": month, "dep": dep})
    rank = frame.select(pl.int_range(1, pl.len() + 1).over("sex", "yy", "mm", "dep").alias("r"))["r"].to_numpy() \
        if frame.height else np.zeros(0, dtype=np.int64)
    if frame.height and rank.max() > 99:
        raise RuntimeError("rang de NIR au-delà de 99 dans une partition : partition trop grande")
    dom = np.char.str_len(dep.astype(str)) == 3
    # Metropolitan: dd + commune (3 digits, 1 + partition // 10) + ordre (3 digits). Overseas: 97x + commune on
    # 2 digits (1 + partition // 10, below 99 since partitions < 990) + ordre.
    commune = 1 + partition // 10
    ordre = (partition % 10) * 100 + rank
    dep_num = np.where(dep == "2A", 19, np.where(dep == "2B", 18, 0))
    numeric = np.array([d if d.isdigit() else "0" for d in dep.astype(str)]).astype(np.int64)
    dep_num = np.where(dep_num > 0, dep_num, numeric)
    place = np.where(dom, dep_num * 100 + commune, dep_num * 1000 + commune)
    number = sex.astype(np.int64) * 10**12 + yy * 10**10 + month * 10**8 + place * 1000 + ordre
    key = nir_key(number)
    # Text: the Corsican départements keep their letters in the number.
    head = pl.DataFrame({"n": number, "k": key, "dep": dep}).select(
        pl.col("n").cast(pl.String).str.zfill(13).alias("n"), pl.col("k").cast(pl.String).str.zfill(2).alias("k"), "dep")
    text = head.select(
        pl.when(pl.col("dep") == "2A").then(pl.col("n").str.slice(0, 5) + "2A" + pl.col("n").str.slice(7))
        .when(pl.col("dep") == "2B").then(pl.col("n").str.slice(0, 5) + "2B" + pl.col("n").str.slice(7))
        .otherwise(pl.col("n")) + pl.col("k"))
    return text.to_series().to_numpy()


# --------------------------------------------------------------------------
# The dataset on disk


def manifest(people: int, seed: int, annee: int, partition_size: int, partitions: int) -> dict[str, Any]:
    return {
        "generateur": "secu.synth", "version": VERSION, "seed": seed, "people": people, "annee": annee,
        "partition_size": partition_size, "partitions": partitions,
        "calibration": calibration().raw,
    }


def _write(frame: pl.DataFrame, path: Path) -> None:
    """Write to a temporary name then rename: a file is whole or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    frame.write_parquet(tmp, compression="zstd", statistics=True)
    os.replace(tmp, path)


def check_request(people: int, partition_size: int, annee: int) -> None:
    if people < 1:
        raise InvalidField("people", "le nombre de personnes doit être d'au moins 1")
    if people > MAX_PEOPLE:
        raise InvalidField("people", f"nombre de personnes invraisemblable : au plus {MAX_PEOPLE:,} "
                                     "(la France compte 68,6 millions d'habitants)".replace(",", " "))
    if partition_size < 1 or partition_size > MAX_PARTITION_SIZE:
        raise InvalidField("partition-size", f"taille de partition entre 1 et {MAX_PARTITION_SIZE:,} personnes".replace(",", " "))
    if -(-people // partition_size) > MAX_PARTITIONS:
        raise InvalidField("partition-size", f"au plus {MAX_PARTITIONS} partitions : augmenter --partition-size")
    if not 2023 <= annee <= 2026:
        raise InvalidField("annee", "année de référence entre 2023 et 2026 (période couverte par les règles)")


def check_folder(out: Path, wanted: dict[str, Any]) -> None:
    """Refuse a folder that holds something else than this very dataset (it would be overwritten)."""
    if not out.exists():
        return
    if not out.is_dir():
        raise InvalidField("out", f"{out} existe et n'est pas un dossier")
    entries = {p.name for p in out.iterdir()}
    if not entries:
        return
    path = out / "manifest.json"
    if not path.exists():
        raise InvalidField("out", f"le dossier {out} n'est pas vide et ne contient pas de jeu de données secu synth : rien n'est écrasé")
    found = json.loads(path.read_text(encoding="utf-8"))
    keys = ("generateur", "version", "seed", "people", "annee", "partition_size")
    if any(found.get(k) != wanted[k] for k in keys):
        differs = [k for k in keys if found.get(k) != wanted[k]]
        raise InvalidField("out", f"le dossier {out} contient un autre jeu de données ({', '.join(differs)} différent) : rien n'est écrasé")


def synthesize(out: Path, people: int, seed: int = 2025, annee: int = 2025, partition_size: int = 100_000,
               progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Write the dataset; a run interrupted and started again with the same arguments completes it."""
    check_request(people, partition_size, annee)
    parts = plan(people, partition_size)
    meta = manifest(people, seed, annee, partition_size, len(parts))
    check_folder(out, meta)
    out.mkdir(parents=True, exist_ok=True)
    # The manifest first, marked incomplete: a later run with other arguments is refused.
    (out / "manifest.json").write_text(json.dumps({**meta, "complet": False}, ensure_ascii=False, sort_keys=True, indent=1, default=str),
                                       encoding="utf-8")
    employers = employeurs(people, seed)
    pros = professionnels(people, seed)
    _write(employers, out / "employeurs.parquet")
    _write(pros, out / "professionnels.parquet")
    for part in parts:
        target = out / "personnes" / f"part-{part.index:05d}.parquet"
        foyers_target = out / "foyers" / f"part-{part.index:05d}.parquet"
        if not (target.exists() and foyers_target.exists()):
            personnes, foyers = generate_partition(part, people, seed, annee, employers, pros)
            _write(foyers, foyers_target)
            _write(personnes, target)
        if progress:
            progress(part.index, part.people)
    meta = {**meta, "complet": True}
    (out / "manifest.json").write_text(json.dumps(meta, ensure_ascii=False, sort_keys=True, indent=1, default=str), encoding="utf-8")
    return meta
