"""The retirees of the synthetic France: careers summarised as the pension rule reads them.

Pure functions of (a partition's people, the year, the seed), like :mod:`secu.synth.evenements`: the same rows
give the same retirees. Figures and their sources: ``calibration.yaml``, section ``retraite``.

* :func:`retraites`: the retirees of the régime général with a droit propre — ``statut`` retraite, aged
  ``age_minimum`` or more on 1 January, drawn so that the partition holds its share of the published count — and
  their career: age at departure, quarters (all régimes, régime général, cotisés), SAM, children raised, the
  pensions of the other régimes; the poorest of the 65 and over living without a spouse are marked ASPA
  beneficiaries.
* :func:`reversions`: the survivors (55 or over, living without a spouse, women for the published share) and the
  career of the spouse who died, in the same columns.

**Constant legislation.** secu's parameters begin in 2023: the pension of every retiree is computed by the rules
as if liquidated on the ``carriere.legislation`` date (2023-01-01) at the same age and for the same career
(``naissance`` = that date − the age at departure, the generation the rules see), then revalued each 1 January up
to the month paid. The real generation stays in ``date_naissance`` (the analyst's page groups by it).
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import numpy as np
import polars as pl

from secu.synth.calibration import AGE_MAX, calibration
from secu.synth.generator import rng

_E_RETRAITES, _E_REVERSIONS = 21, 22

CARRIERE_SCHEMA: dict[str, pl.DataType] = {
    "naissance": pl.Date(), "date_effet": pl.Date(), "age_depart_mois": pl.Int32(), "sam": pl.Int64(),
    "trimestres": pl.Int32(), "trimestres_rg": pl.Int32(), "trimestres_cotises": pl.Int32(), "enfants": pl.Int8(),
    "pension_autres_regimes": pl.Int64(),
}
"""A career as the pension rule reads it (``naissance``, ``date_effet``: the constant legislation's; ``sam``
yearly cents of that date; ``pension_autres_regimes``: monthly cents of the other base régimes, without the
complementary pensions)."""

RETRAITE_SCHEMA: dict[str, pl.DataType] = {
    "personne": pl.Int64(), "foyer": pl.Int64(), "sexe": pl.String(), "date_naissance": pl.Date(), "date_deces": pl.Date(),
    **CARRIERE_SCHEMA, "aspa": pl.Boolean(),
}
REVERSION_SCHEMA: dict[str, pl.DataType] = {
    "personne": pl.Int64(), "foyer": pl.Int64(), "sexe": pl.String(), "date_naissance": pl.Date(), "date_deces": pl.Date(),
    "date_deces_conjoint": pl.Date(), **CARRIERE_SCHEMA,
}
"""A survivor (``personne``…) and the career of the spouse who died (the :data:`CARRIERE_SCHEMA` columns)."""


def _age(personnes: pl.DataFrame, first: date) -> np.ndarray:
    birth = personnes["date_naissance"].to_numpy().astype("datetime64[D]")
    return np.asarray(np.clip((np.datetime64(first) - birth).astype(np.int64) // 365, -1, AGE_MAX))


def _first(personnes: pl.DataFrame) -> int:
    """The partition's first person: its random stream's key (as in secu.synth.evenements)."""
    return int(cast(int, personnes["personne"].min())) if personnes.height else 0


def _share(raw: dict[str, Any], name: str) -> float:
    r = raw["retraite"]
    return float(r[name]["valeur"]) / float(raw["population"]["reference"]["valeur"])


def _legislation(raw: dict[str, Any]) -> date:
    return date.fromisoformat(str(raw["retraite"]["carriere"]["legislation"]["valeur"]))


def _months_between(start: np.ndarray, end: date) -> np.ndarray:
    """Whole months from each ``start`` (datetime64[D]) to ``end``."""
    s = start.astype("datetime64[M]")
    months = (np.datetime64(end, "M") - s).astype(np.int64)
    day_start = (start - s.astype("datetime64[D]")).astype(np.int64)
    return np.asarray(months - (day_start > end.day - 1))


def _duree_requise(naissance: np.ndarray, legislation: date) -> np.ndarray:
    """The durée d'assurance of each generation (L. 161-17-3) under the law the legislation's date applies."""
    from secu.core.parameters import join_parameters, parameters

    loi = f"loi_{parameters().get('droit_propre.calendrier').at(legislation).value}"
    frame = pl.DataFrame({"naissance": naissance}).with_columns(pl.col("naissance").cast(pl.Date), pl.lit(loi).alias("__loi"))
    joined = join_parameters(frame, ["droit_propre.duree_requise"], on="naissance", by={"droit_propre.duree_requise": "__loi"})
    return np.asarray(joined["droit_propre_duree_requise"].cast(pl.Int64).to_numpy())


def careers(r: np.random.Generator, female: np.ndarray, age_now_months: np.ndarray, raw: dict[str, Any]) -> pl.DataFrame:
    """One career per row (:data:`CARRIERE_SCHEMA`) of people aged ``age_now_months`` (whole months) on 1 January:
    the departure is at that age at most (they are retired by then)."""
    from secu.core.parameters import parameters

    c = raw["retraite"]["carriere"]
    n = len(female)
    legislation = _legislation(raw)
    ages = np.asarray(c["age_depart"]["ages"], dtype=np.int64)
    parts = np.asarray(c["age_depart"]["parts"], dtype=float)
    complete = r.random(n) < float(c["carriere_complete"]["valeur"])
    depart_years = ages[r.choice(len(ages), size=n, p=parts / parts.sum())]
    depart_years = np.where(~complete & (r.random(n) < float(c["depart_67_incomplet"]["valeur"])), int(ages.max()), depart_years)
    depart = depart_years * 12 + r.integers(0, 12, n)
    depart = np.maximum(np.minimum(depart, age_now_months), int(ages.min()) * 12)
    effet = np.datetime64(legislation, "D")
    naissance = (effet.astype("datetime64[M]") - depart.astype("timedelta64[M]")).astype("datetime64[D]")
    duree = _duree_requise(naissance, legislation)
    # A complete career holds the durée of its generation, and some quarters beyond for those who worked on (the
    # surcote); an incomplete one falls short of it.
    au_dela = c["trimestres_au_dela"]
    extra = np.where(r.random(n) < float(au_dela["part_sans"]), 0, r.integers(1, int(au_dela["max"]) + 1, n))
    lo = int(c["trimestres_incomplets"]["min"])
    trimestres = np.where(complete, duree + extra, lo + np.floor(r.random(n) * np.maximum(duree - lo, 1)).astype(np.int64))
    poly = r.random(n) < float(c["polypensionnes"]["valeur"])
    poly_rg = c["polypensionnes"]
    part_rg = np.where(poly, r.uniform(float(poly_rg["part_rg_min"]), float(poly_rg["part_rg_max"]), n), 1.0)
    trimestres_rg = np.maximum(np.round(trimestres * part_rg), 1).astype(np.int64)
    cot = c["part_cotises"]
    cotises = np.floor(trimestres_rg * r.uniform(float(cot["min"]), float(cot["max"]), n)).astype(np.int64)
    median = np.where(female, float(c["sam_median_femmes"]["valeur"]), float(c["sam_median_hommes"]["valeur"]))
    pass_annuel = float(parameters().get("pss.annuel").at(legislation).number())
    sam = np.minimum(median * np.exp(float(c["sam_sigma"]["valeur"]) * r.standard_normal(n)), pass_annuel)
    kids = raw["menages"]["enfants_par_famille"]["parts"]
    counts = np.asarray([int(k) for k in kids], dtype=np.int64)
    weights = np.asarray([float(v) for v in kids.values()])
    enfants = np.where(r.random(n) < float(c["enfants"]["sans_enfant"]), 0, counts[r.choice(len(counts), size=n, p=weights / weights.sum())])
    autres = c["autres_pensions"]
    pension_autres = np.round((trimestres - trimestres_rg) * float(autres["pension_autre_regime_par_trimestre"]) * 100).astype(np.int64)
    return pl.DataFrame({
        "naissance": naissance, "date_effet": np.full(n, effet), "age_depart_mois": depart, "sam": np.round(sam * 100).astype(np.int64),
        "trimestres": trimestres, "trimestres_rg": trimestres_rg, "trimestres_cotises": cotises, "enfants": enfants,
        "pension_autres_regimes": pension_autres,
    }).select([pl.col(k).cast(v) for k, v in CARRIERE_SCHEMA.items()])


def retraites(personnes: pl.DataFrame, annee: int, seed: int) -> pl.DataFrame:
    """The partition's retirees of the régime général (:data:`RETRAITE_SCHEMA`), sorted by personne."""
    raw = calibration().raw
    ret = raw["retraite"]
    first = date(annee, 1, 1)
    age = _age(personnes, first)
    eligible = (personnes["statut"].to_numpy() == "retraite") & (age >= int(ret["age_minimum"]["valeur"]))
    r = rng(seed, _E_RETRAITES, annee, _first(personnes))
    n = personnes.height
    u = r.random(n)
    count = int(eligible.sum())
    p = min(1.0, _share(raw, "droit_propre") * n / count) if count else 0.0
    chosen = eligible & (u < p)
    people = personnes.filter(pl.Series(chosen)).select("personne", "foyer", "sexe", "date_naissance", "date_deces")
    if people.height == 0:
        return pl.DataFrame(schema=RETRAITE_SCHEMA)
    birth = people["date_naissance"].to_numpy().astype("datetime64[D]")
    female = people["sexe"].to_numpy() == "2"
    career = careers(r, female, _months_between(birth, first), raw)
    # The ASPA (L. 815-1): the smallest careers (SAM × quarters at the régime général) of the 65 and over living without a
    # spouse (the couple's ceiling would need the spouse's resources), the published count.
    age_chosen = _age(people, first)
    index = career["sam"].to_numpy() * career["trimestres_rg"].to_numpy()
    couples = personnes.filter(pl.col("role") == "conjoint")["foyer"].unique()
    old = (age_chosen >= 65) & ~people["foyer"].is_in(couples.implode()).to_numpy()
    wanted = int(round(_share(raw, "aspa") * n))
    aspa = np.zeros(people.height, dtype=bool)
    if wanted and old.any():
        order = np.argsort(np.where(old, index, np.inf), kind="stable")[: min(wanted, int(old.sum()))]
        aspa[order] = True
    career = career.with_columns(pl.when(pl.Series(aspa)).then(0).otherwise(pl.col("pension_autres_regimes")).alias("pension_autres_regimes"))
    return pl.concat([people, career], how="horizontal").with_columns(pl.Series("aspa", aspa)).select(
        [pl.col(k).cast(v) for k, v in RETRAITE_SCHEMA.items()]).sort("personne")


def reversions(personnes: pl.DataFrame, foyers: pl.DataFrame, annee: int, seed: int) -> pl.DataFrame:
    """The partition's survivors with a pension de réversion and their late spouse's career (:data:`REVERSION_SCHEMA`).

    Drawn among the adults of 55 or over living in a household of one parent (no spouse at home), women with the
    published share; the spouse died in the ``deces_conjoint_annees`` years before the year (a uniform date), his or
    her career drawn like a retiree's, older by the mean gap between spouses."""
    raw = calibration().raw
    first = date(annee, 1, 1)
    alone = personnes.join(foyers.select("foyer", "nb_parents"), on="foyer", how="left")
    age = _age(alone, first)
    female = alone["sexe"].to_numpy() == "2"
    eligible = (age >= 55) & (alone["nb_parents"].fill_null(2).to_numpy() == 1) & (alone["role"].to_numpy() != "enfant")
    women = float(raw["retraite"]["reversion_part_femmes"]["valeur"])
    n = personnes.height
    wanted = _share(raw, "reversion") * n
    w_f, w_m = float((eligible & female).sum()), float((eligible & ~female).sum())
    p = np.where(female, wanted * women / max(w_f, 1.0), wanted * (1 - women) / max(w_m, 1.0))
    r = rng(seed, _E_REVERSIONS, annee, _first(personnes))
    chosen = eligible & (r.random(n) < np.minimum(p, 1.0))
    people = alone.filter(pl.Series(chosen)).select("personne", "foyer", "sexe", "date_naissance", "date_deces")
    if people.height == 0:
        return pl.DataFrame(schema=REVERSION_SCHEMA)
    m = people.height
    gap = round(-12 * float(raw["menages"]["ecart_age_conjoints"]["moyenne"]))  # months the late spouse was older
    spouse_age = _months_between(people["date_naissance"].to_numpy().astype("datetime64[D]"), first) + gap
    career = careers(r, people["sexe"].to_numpy() != "2", spouse_age, raw)
    span = int(raw["retraite"]["deces_conjoint_annees"]["valeur"])
    before = np.datetime64(first, "D") - np.datetime64(date(annee - span, 1, 1), "D")
    died = np.datetime64(first, "D") - (1 + r.integers(0, before.astype(np.int64), m)).astype("timedelta64[D]")
    return pl.concat([people, career], how="horizontal").with_columns(pl.Series("date_deces_conjoint", died)).select(
        [pl.col(k).cast(v) for k, v in REVERSION_SCHEMA.items()]).sort("personne")
