"""The month's events of a partition's people: care, payslips, family frames (``src/secu/batch/README.md`` §2).

Pure functions: the same rows, month and seed give the same frame. The random
stream is derived from (seed, month, event, first person of the rows), so a
partition's events do not depend on the other partitions. Volumes come from
``calibration.yaml`` (section ``sante``): a person's yearly rate of each kind
of care = the population rate × the age multiplier × the person's
propensity × (ALD factor), drawn as a Poisson count for the month.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

import numpy as np
import polars as pl

from secu.core.money import from_cents_expr
from secu.core.parameters import parameters
from secu.maladie.tarifs import join_tarifs
from secu.synth.calibration import AGE_MAX, calibration, net_salary, sigma_lognormal
from secu.synth.generator import heures_temps_plein, rng, smic_mensuel_cents

EUROS = pl.Decimal(18, 2)
COEFFICIENT = pl.Decimal(10, 2)
_E_SOINS, _E_PAIE = 11, 12

CLAIM_SCHEMA: dict[str, pl.DataType] = {
    "nir": pl.String(), "date_naissance": pl.Date(), "sexe": pl.String(), "date_soins": pl.Date(),
    "professionnel": pl.String(), "acte": pl.String(), "quantite": pl.Int64(), "montant": EUROS,
    "base_unitaire": EUROS, "coefficient": COEFFICIENT, "parcours": pl.Boolean(), "ald": pl.Boolean(),
    "maternite": pl.Boolean(), "atmp": pl.Boolean(), "c2s": pl.Boolean(), "date_debut_grossesse": pl.Date(),
}
"""The claim lines of :func:`soins`: the batch format of ``secu liquidate`` (+ optional ``coefficient``,
``date_debut_grossesse``)."""


def _month_bounds(mois: date) -> tuple[date, date]:
    first = mois.replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last


def _alive(personnes: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    return personnes.filter((pl.col("date_naissance") <= last)
                            & (pl.col("date_deces").is_null() | (pl.col("date_deces") >= first)))


def _stream(seed: int, mois: date, event: int, personnes: pl.DataFrame) -> np.random.Generator:
    first = int(cast(int, personnes["personne"].min())) if personnes.height else 0
    return rng(seed, event, mois.year * 100 + mois.month, first)


# --------------------------------------------------------------------------
# Care


def _rates(raw: dict[str, Any]) -> dict[str, float]:
    v = raw["sante"]["volumes"]
    value = {k: float(e["valeur"]) for k, e in v.items()}
    value["consultation_specialiste"] = value["consultation_medecin"] - value["consultation_generaliste"]
    return value


def soins(personnes: pl.DataFrame, professionnels: pl.DataFrame, mois: date, seed: int) -> pl.DataFrame:
    """The month's claim lines of the partition, sorted by (nir, date_soins)."""
    cal = calibration()
    raw = cal.raw
    first, last = _month_bounds(mois)
    p = _alive(personnes, first, last)
    r = _stream(seed, first, _E_SOINS, p)
    n = p.height
    if n == 0:
        return pl.DataFrame(schema=CLAIM_SCHEMA)
    birth = p["date_naissance"].to_numpy().astype("datetime64[D]")
    age = ((np.datetime64(first) - birth).astype(np.int64) // 365).clip(0, AGE_MAX)
    ald = p["ald"].to_numpy()
    ald_factor = float(raw["sante"]["facteur_ald"]["valeur"])
    mult = cal.care_multiplier[age] * p["soins_propension"].to_numpy() * np.where(ald, ald_factor, 1.0)
    # The ALD factor raises the mean: bring it back to 1 over the pyramid (the volumes are per inhabitant).
    mult = mult / (1 + (ald_factor - 1) * float((cal.age_weights * cal.care_multiplier * cal.ald_prob).sum()))
    rates = _rates(raw)
    deces = p["date_deces"].to_numpy().astype("datetime64[D]")
    last_day = np.where(np.isnat(deces), np.datetime64(last), np.minimum(deces, np.datetime64(last)))
    first_day = np.maximum(birth, np.datetime64(first))
    span = (last_day - first_day).astype(np.int64) + 1
    female = p["sexe"].to_numpy() == "2"

    pros = professionnels
    kinds: list[tuple[np.ndarray, str, dict[str, Any]]] = []

    def count(rate_name: str, factor: np.ndarray | float = 1.0) -> np.ndarray:
        return np.asarray(r.poisson(rates[rate_name] * mult * factor * span / 365.0))

    kinds.append((count("consultation_generaliste"), "generaliste", {}))
    kinds.append((count("consultation_specialiste"), "specialiste", {}))
    kinds.append((count("seances_infirmieres"), "infirmier", {}))
    kinds.append((count("series_kine"), "kine", {}))
    kinds.append((count("biologie"), "biologie", {}))
    kinds.append((count("delivrances_pharmacie"), "pharmacie", {}))
    kinds.append((count("sejours_hospitaliers"), "hopital", {}))
    # Pregnancy: a midwife's or gynaecologist's visit each month from the 2nd to the 9th month (hypothèse).
    grossesse = p["grossesse_debut"].to_numpy().astype("datetime64[D]")
    months_in = (np.datetime64(first) - grossesse).astype(np.int64)
    pregnant = ~np.isnat(grossesse) & (months_in >= 30) & (months_in < 280)
    kinds.append((pregnant.astype(np.int64), "suivi_grossesse", {}))

    frames = []
    for counts, kind, _ in kinds:
        idx = np.repeat(np.arange(n), counts)
        if len(idx) == 0:
            continue
        day = first_day[idx] + np.floor(r.random(len(idx)) * span[idx]).astype("timedelta64[D]")
        frames.append(_lines(kind, idx, day, r, p, pros, age, female, raw, _parcours_age(first)))
    if not frames:
        return pl.DataFrame(schema=CLAIM_SCHEMA)
    lines = pl.concat(frames, how="vertical")
    # Flags from the person and the date: ALD (most of the lines of a patient), maternité in the legal window
    # (checked by the rules again from date_debut_grossesse), C2S.
    person = p.select("nir", "date_naissance", "sexe", "ald", "c2s", "grossesse_debut").with_row_index("__i")
    # The window of the assurance maternité (parameters maternite.*: from the 1st day of the 6th month to 12 days
    # after the birth), the birth taken 9 months after the start of the pregnancy (hypothèse of the generator).
    mois_debut = int(cast(int, parameters().get("maternite.mois_debut_exoneration").at(first).value))
    jours_apres = int(cast(int, parameters().get("maternite.jours_apres_accouchement").at(first).value))
    lines = lines.join(person, on="__i", how="left").with_columns(
        (pl.col("ald") & (pl.col("__u") < float(raw["sante"]["lignes_en_rapport_ald"]["valeur"]))).alias("ald"),
        (pl.col("grossesse_debut").is_not_null()
         & (pl.col("date_soins") >= pl.col("grossesse_debut").dt.offset_by(f"{mois_debut - 1}mo"))
         & (pl.col("date_soins") <= pl.col("grossesse_debut").dt.offset_by("9mo").dt.offset_by(f"{jours_apres}d"))).alias("maternite"),
        pl.lit(False).alias("atmp"),
        pl.col("grossesse_debut").alias("date_debut_grossesse"),
    )
    return lines.sort("nir", "date_soins", "__ordre").select([pl.col(k).cast(v) for k, v in CLAIM_SCHEMA.items()])


def _choose(r: np.random.Generator, pros: pl.DataFrame, profession: str, size: int) -> np.ndarray:
    ids = pros.filter(pl.col("profession") == profession)["professionnel"].to_numpy()
    if len(ids) == 0:
        ids = pros["professionnel"].to_numpy()
    return ids[r.integers(0, len(ids), size)]


def _parcours_age(day: date) -> int:
    """The age from which the parcours de soins applies (CSS L162-5-3: ``parcours.age_minimum``, 16)."""
    return int(cast(int, parameters().get("parcours.age_minimum").at(day).value))


def _lines(kind: str, idx: np.ndarray, day: np.ndarray, r: np.random.Generator, p: pl.DataFrame,
           pros: pl.DataFrame, age: np.ndarray, female: np.ndarray, raw: dict[str, Any], parcours_age: int) -> pl.DataFrame:
    """Lines of one kind of care: act, quantity, coefficient, unit price (cents), professional, parcours."""
    m = len(idx)
    prix = raw["sante"]["prix"]
    coefficient = np.full(m, np.nan)
    quantite = np.ones(m, dtype=np.int64)
    unitaire = np.full(m, -1, dtype=np.int64)
    parcours = np.ones(m, dtype=bool)
    depassement = np.zeros(m)
    if kind == "generaliste":
        acte = np.full(m, "G")
        traitant = p["medecin_traitant"].to_numpy()[idx]
        other = _choose(r, pros, "medecin_generaliste", m)
        has = np.array([t is not None for t in traitant])
        # A visit to one's médecin traitant nine times in ten when one has declared one (hypothèse).
        own = has & (r.random(m) < 0.9)
        professionnel = np.where(own, traitant, other)
        parcours = own | (age[idx] < parcours_age)
    elif kind == "specialiste":
        u = r.random(m)
        acte = np.where(u < 0.06, "APC", np.where((u < 0.20) & female[idx], "CSG", "CS"))
        spec = pros.filter(pl.col("profession") == "medecin_specialiste")
        pick = r.integers(0, max(spec.height, 1), m)
        professionnel = spec["professionnel"].to_numpy()[pick] if spec.height else _choose(r, pros, "medecin_generaliste", m)
        secteur2 = (spec["secteur"].to_numpy()[pick] == 2) if spec.height else np.zeros(m, dtype=bool)
        depassement = np.where(secteur2, float(raw["professionnels"]["hypotheses"]["depassement_secteur2"]), 0.0)
        parcours = r.random(m) < 0.85  # adressé by the médecin traitant (hypothèse)
    elif kind == "infirmier":
        acte = np.full(m, "AMI")
        coefficient = r.choice(np.array([1.0, 2.0, 3.0, 4.0]), m, p=[0.4, 0.3, 0.2, 0.1])
        quantite = r.integers(1, 11, m)
        professionnel = _choose(r, pros, "infirmier", m)
    elif kind == "kine":
        acte = np.full(m, "AMK")
        coefficient = np.full(m, 7.5)
        quantite = r.integers(5, 16, m)
        professionnel = _choose(r, pros, "kinesitherapeute", m)
    elif kind == "biologie":
        acte = np.full(m, "B")
        coefficient = np.round(r.uniform(50, 400, m))
        professionnel = _choose(r, pros, "laboratoire", m)
    elif kind == "pharmacie":
        parts = prix["parts_taux"]
        # The shares are keyed by the national nomenclature's codes (SNDS, ER_PHA_F): PH7 65 %, PH4 30 %, PH2 15 %,
        # PH1 100 %.
        codes = np.array(["PH7", "PH4", "PH2", "PH1"])
        weights = np.array([float(parts[c]) for c in codes])
        acte = codes[r.choice(4, m, p=weights / weights.sum())]
        median = float(prix["boite_mediane"]["valeur"]) * np.where(acte == "PH1", 4.0, 1.0)  # 100 %: costly boxes
        unitaire = np.maximum(np.round(median * np.exp(r.standard_normal(m)) * 100), 50).astype(np.int64)
        quantite = 1 + r.poisson(float(prix["boites_par_delivrance"]["valeur"]) - 1, m)
        professionnel = _choose(r, pros, "pharmacie", m)
    elif kind == "hopital":
        acte = np.full(m, "GHS")
        unitaire = np.round(float(prix["ghs_median"]["valeur"]) * np.exp(r.standard_normal(m)) * 100).astype(np.int64)
        professionnel = _choose(r, pros, "etablissement", m)
    elif kind == "suivi_grossesse":
        acte = np.where(r.random(m) < 0.5, "C-SF", "CSG")
        professionnel = np.where(acte == "C-SF", _choose(r, pros, "sage_femme", m), _choose(r, pros, "medecin_specialiste", m))
    else:  # pragma: no cover - the kinds are the ones listed in soins()
        raise ValueError(kind)
    frame = pl.DataFrame({
        "__i": idx.astype(np.uint32), "date_soins": day, "professionnel": professionnel.astype(str), "acte": acte,
        "quantite": quantite, "__coef100": np.where(np.isnan(coefficient), -1, np.round(coefficient * 100)).astype(np.int64),
        "__unitaire": unitaire, "parcours": parcours, "__dep": depassement, "__u": r.random(m),
        "__ordre": np.zeros(m, dtype=np.int64),
    }).with_columns(pl.col("date_soins").cast(pl.Date))
    if kind == "hopital":  # the forfait journalier of the nights, half of the stays being ambulatory (hypothèse)
        nights = np.where(r.random(m) < 0.5, 0, 1 + r.poisson(2 * float(prix["duree_sejour_moyenne"]["valeur"]) - 1, m))
        fj = frame.filter(pl.lit(nights > 0)).with_columns(
            pl.lit("FJH").alias("acte"), pl.lit(nights[nights > 0].astype(np.int64)).alias("quantite"), pl.lit(-1, dtype=pl.Int64).alias("__unitaire"),
            pl.lit(1, dtype=pl.Int64).alias("__ordre"))
        frame = pl.concat([frame, fj])
    return _priced(frame)


def _priced(frame: pl.DataFrame) -> pl.DataFrame:
    """``montant`` = tariff × coefficient × quantity (+ dépassement), or unit price × quantity; in euros."""
    t = join_tarifs(frame, strict=False).select("tarif_cents")
    frame = frame.with_columns(t["tarif_cents"])
    coef100 = pl.col("__coef100")
    unit = pl.when(pl.col("__unitaire") >= 0).then(pl.col("__unitaire"))
    per_act = pl.when(coef100 >= 0).then((pl.col("tarif_cents") * coef100 + 50) // 100).otherwise(pl.col("tarif_cents"))
    fees = pl.coalesce(unit, per_act) * pl.col("quantite")
    fees = (fees.cast(pl.Float64) * (1 + pl.col("__dep"))).round(0).cast(pl.Int64)
    return frame.with_columns(
        from_cents_expr(fees, EUROS).alias("montant"),
        pl.when(unit.is_not_null()).then(from_cents_expr(unit, EUROS)).alias("base_unitaire"),
        pl.when(coef100 >= 0).then(from_cents_expr(coef100, COEFFICIENT)).alias("coefficient"),
    ).drop("tarif_cents", "__coef100", "__unitaire", "__dep")


# --------------------------------------------------------------------------
# Payslips


def paie(personnes: pl.DataFrame, employeurs: pl.DataFrame, mois: date, seed: int) -> pl.DataFrame:
    """One payslip per salarié alive in the month (``secu.recouvrement.dsn.PAYSLIP_SCHEMA``), sorted by salarie.

    Gross = full-time pay × hours / 151.67, never under the month's SMIC for those hours; days of arrêt de
    travail and days after death are not paid (no maintien de salaire: hypothèse)."""
    from secu.recouvrement.dsn import PAYSLIP_SCHEMA

    first, last = _month_bounds(mois)
    days = (last - first).days + 1
    smic = smic_mensuel_cents(first)
    p = _alive(personnes, first, last).filter(pl.col("statut") == "salarie")
    arret_fin = pl.col("arret_debut") + pl.duration(days=pl.col("arret_jours"))
    overlap = pl.when(pl.col("arret_debut").is_not_null()).then(  # min/max_horizontal skip nulls: test first
        (pl.min_horizontal(arret_fin, pl.lit(last + timedelta(days=1)))
         - pl.max_horizontal(pl.col("arret_debut"), pl.lit(first))).dt.total_days().clip(lower_bound=0)).otherwise(0)
    after_death = pl.when(pl.col("date_deces").is_not_null()).then(
        (pl.lit(last) - pl.col("date_deces")).dt.total_days().clip(lower_bound=0)).otherwise(0)
    hours100 = pl.col("heures_mensuelles").cast(pl.Decimal(8, 2)).to_physical().cast(pl.Int64)
    full100 = int(heures_temps_plein(first) * 100)  # 151,67 h in hundredths
    fte = pl.max_horizontal(pl.col("salaire_brut_mensuel"), pl.lit(smic))
    contract = fte * hours100 // full100
    worked = (pl.lit(days) - overlap - after_death).clip(lower_bound=0)
    slips = p.join(employeurs.select("siret", "effectif", "taux_atmp"), left_on="employeur", right_on="siret", how="left")
    return slips.select(
        pl.col("personne").cast(pl.String).alias("salarie"),
        "nir",
        pl.col("employeur").alias("siret"),
        pl.lit(first).alias("mois"),
        (contract * worked // days).alias("brut_cents"),
        # Hours paid, not contract hours: a day of arrêt without maintien de salaire is neither paid nor counted
        # in the SMIC of the réduction générale (CSS D241-7, SMIC prorated to the hours paid).
        (hours100 * worked // days).cast(pl.Int128).reinterpret(dtype=pl.Decimal(12, 2)).alias("heures"),
        pl.when(hours100 < full100).then(pl.col("heures_mensuelles")).cast(pl.Decimal(12, 2)).alias("heures_contrat"),
        "cadre",
        pl.col("taux_atmp").cast(pl.Decimal(10, 4)),
        pl.col("effectif").cast(pl.Int64),
        pl.lit(None, dtype=pl.Date).alias("date_entree"),
        pl.when(pl.col("date_deces") <= last).then(pl.col("date_deces")).alias("date_sortie"),
        pl.lit("1").alias("numero_contrat"),
        (pl.col("personne").cast(pl.String) + pl.lit(f"-{first:%Y%m}")).alias("bulletin"),
        pl.lit(None, dtype=pl.Int64).alias("prevoyance_patronale_cents"),
    ).sort("salarie").select([pl.col(k).cast(v) for k, v in PAYSLIP_SCHEMA.items()])


# --------------------------------------------------------------------------
# Family


def famille(personnes: pl.DataFrame, foyers: pl.DataFrame, mois: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The frames of ``src/secu/famille/README.md`` for the month: every household with a living allocataire,
    and the children living in it (born by the end of the month, alive at its start)."""
    first, last = _month_bounds(mois)
    alive = _alive(personnes, first, last)
    alloc = alive.filter(pl.col("role") == "allocataire").select("foyer", pl.col("date_naissance").alias("date_naissance_allocataire"),
                                                                 "statut", "salaire_brut_mensuel", "heures_mensuelles")
    ratio = float(calibration().raw["salaires"]["brut_sur_net"]["valeur"])
    f = foyers.join(alloc, on="foyer", how="inner").select(
        "foyer",
        pl.lit(first).alias("mois"),
        pl.col("nb_parents").cast(pl.Int8),
        pl.col("ressources_n2").cast(pl.Int64),
        pl.col("biactif").cast(pl.Boolean),
        pl.lit(0, dtype=pl.Int16).alias("aah_taux_incapacite"),
        pl.lit(False).alias("aah_rsdae"),
        pl.when(pl.col("salaire_brut_mensuel").is_not_null())
        .then((pl.col("salaire_brut_mensuel").cast(pl.Float64) / ratio * 12).round(0).cast(pl.Int64)).otherwise(0)
        .alias("aah_ressources_n2"),
        "date_naissance_allocataire",
    ).sort("foyer")
    full = float(heures_temps_plein(first))
    hours = pl.col("heures_mensuelles").cast(pl.Float64).fill_null(full)
    e = alive.filter(pl.col("role") == "enfant").join(f.select("foyer"), on="foyer", how="semi").select(
        "foyer",
        pl.lit(first).alias("mois"),
        "date_naissance",
        pl.lit(False).alias("garde_alternee"),
        pl.when(pl.col("statut") == "salarie")
        .then((pl.col("salaire_brut_mensuel").cast(pl.Float64) * hours / full / ratio).round(0).cast(pl.Int64))
        .otherwise(0).alias("salaire_net_mensuel"),
        pl.lit(None, dtype=pl.Int8).alias("aeeh_categorie"),
        pl.lit(0, dtype=pl.Int8).alias("asf"),
        pl.col("statut").is_in(["enfant", "etudiant"]).alias("scolarise"),
    ).sort("foyer", "date_naissance")
    return f, e


# --------------------------------------------------------------------------
# Arrêts de travail and invalidity (what secu.especes.comptes pays)

_E_ARRETS_ATMP, _E_INVALIDITE = 13, 14

ARRET_SCHEMA: dict[str, pl.DataType] = {
    "personne": pl.Int64(), "risque": pl.String(), "debut": pl.Date(), "jours": pl.Int64(), "accouchement": pl.Date(),
    "rang_3_plus": pl.Boolean(), "ald": pl.Boolean(), "salaire_mensuel": pl.Int64(), "heures_mensuelles": pl.Decimal(6, 2),
}
"""The year's arrêts of :func:`arrets`: one row per arrêt. ``jours`` is the arrêt's length (null for a maternité,
whose length is the law's); ``accouchement`` and ``rang_3_plus`` describe a maternité only; ``salaire_mensuel`` is
the person's gross monthly pay for the hours of the contract (cents), ``heures_mensuelles`` those hours."""

INVALIDE_SCHEMA: dict[str, pl.DataType] = {
    "personne": pl.Int64(), "date_naissance": pl.Date(), "date_deces": pl.Date(), "categorie": pl.Int8(),
    "salaire_annuel": pl.Int64(), "fin_pension": pl.Date(),
}
"""The pensionnés d'invalidité of :func:`invalides`: category, the yearly gross salary of their career (cents,
before any ceiling: the law caps it) and the first day without pension (the age of conversion)."""


def _contract_pay(p: pl.DataFrame, first: date) -> pl.Expr:
    """The month's gross pay of the contract (cents): full-time pay, never under the SMIC, × hours / full time —
    the payslips' own formula (:func:`paie`)."""
    hours100 = pl.col("heures_mensuelles").cast(pl.Decimal(8, 2)).to_physical().cast(pl.Int64)
    full100 = int(heures_temps_plein(first) * 100)
    return pl.max_horizontal(pl.col("salaire_brut_mensuel"), pl.lit(smic_mensuel_cents(first))) * hours100 // full100


def arrets(personnes: pl.DataFrame, annee: int, seed: int) -> pl.DataFrame:
    """The arrêts de travail that begin in ``annee`` (:data:`ARRET_SCHEMA`), sorted by (personne, risque).

    * ``maladie``: the arrêt the generator drew for a salarié (``arret_debut``, ``arret_jours``: DREES 2023).
      ``ald`` when the person is in ALD or the arrêt lasts more than 6 months (an affection of CSS L324-1,
      « arrêt de travail … d'une durée supérieure à six mois », indemnified up to 3 years: hypothèse that
      the médecin-conseil recognises it).
    * ``atmp``: one more arrêt for a share of the salariés (calibration ``sante.arrets_atmp``), drawn here from
      (seed, year, first person) so that the dataset's format does not change; its days are not taken off the
      payslips (hypothèse: the employer's maintien de salaire, subrogated).
    * ``maternite``: a salariée whose pregnancy ends in a birth in the year or the next (birth 270 days after
      ``grossesse_debut``, as the generator draws the newborns' mothers and the pregnancies begun in the year),
      the rank of the child from the household's other children; which congés begin in the year is the law's
      (:mod:`secu.especes.comptes`).
    """
    raw = calibration().raw
    first = date(annee, 1, 1)
    salaries = personnes.filter(pl.col("statut") == "salarie").with_columns(_contract_pay(personnes, first).alias("salaire_mensuel"))
    common = ["salaire_mensuel", "heures_mensuelles"]
    maladie = salaries.filter(pl.col("arret_debut").is_not_null()).select(
        "personne", pl.lit("maladie").alias("risque"), pl.col("arret_debut").alias("debut"), pl.col("arret_jours").cast(pl.Int64).alias("jours"),
        pl.lit(None, dtype=pl.Date).alias("accouchement"), pl.lit(None, dtype=pl.Boolean).alias("rang_3_plus"),
        (pl.col("ald") | (pl.col("arret_jours") > 180)).alias("ald"), *common,
    )
    frames = [maladie]
    if salaries.height:
        atmp = raw["sante"]["arrets_atmp"]
        r = _stream(seed, first, _E_ARRETS_ATMP, salaries)
        n = salaries.height
        drawn = r.random(n) < float(atmp["probabilite_annuelle"]["valeur"])
        median = float(atmp["jours_median"]["valeur"])
        sigma = sigma_lognormal(float(atmp["jours_moyens"]["valeur"]) / median)
        jours = np.clip(np.ceil(median * np.exp(sigma * r.standard_normal(n))), 1, 1095).astype(np.int64)
        debut = np.datetime64(first) + np.floor(r.random(n) * (date(annee + 1, 1, 1) - first).days).astype("timedelta64[D]")
        frames.append(salaries.with_columns(pl.Series("__tire", drawn), pl.Series("debut", debut).cast(pl.Date),
                                            pl.Series("jours", jours)).filter(pl.col("__tire")).select(
            "personne", pl.lit("atmp").alias("risque"), "debut", "jours", pl.lit(None, dtype=pl.Date).alias("accouchement"),
            pl.lit(None, dtype=pl.Boolean).alias("rang_3_plus"), pl.lit(False).alias("ald"), *common,
        ))
    children = personnes.filter(pl.col("role") == "enfant").group_by("foyer").agg(pl.len().alias("__enfants"))
    naissance = pl.col("grossesse_debut") + pl.duration(days=270)  # the generator's newborns: pregnancy = birth − 270 days
    # Births of the year and of the next (whose congé may begin in the year: the law's length decides, in the comptes).
    meres = salaries.filter((pl.col("sexe") == "2") & pl.col("grossesse_debut").is_not_null() & naissance.dt.year().is_in([annee, annee + 1]))
    frames.append(meres.join(children, on="foyer", how="left").select(
        "personne", pl.lit("maternite").alias("risque"), pl.lit(None, dtype=pl.Date).alias("debut"), pl.lit(None, dtype=pl.Int64).alias("jours"),
        naissance.alias("accouchement"),
        # A newborn of the year is among the household's children, a child of the next year not yet: a 3rd child has two others.
        (pl.col("__enfants").fill_null(0).cast(pl.Int64) + (naissance.dt.year() > annee).cast(pl.Int64) >= 3).alias("rang_3_plus"),
        pl.lit(False).alias("ald"), *common,
    ))
    out = pl.concat([f.select([pl.col(k).cast(v) for k, v in ARRET_SCHEMA.items()]) for f in frames], how="vertical")
    return out.sort("personne", "risque")


def invalides(personnes: pl.DataFrame, annee: int, seed: int) -> pl.DataFrame:
    """The pensionnés d'invalidité of ``annee`` (:data:`INVALIDE_SCHEMA`), sorted by personne.

    A person aged from ``age_minimum`` to the age of conversion on 1 January is one with probability
    p(a) = part_a_61_ans × exp(k (a − 61)), k such that the calibration's pyramid gives the published number of
    pensionnés (REPSS 2023; the share at 61 is DREES's); the category by its published share; the salary of the
    career is the person's pay × 12 for an earner, a draw of the salary law otherwise, × ``facteur_carriere``
    (hypothèse: the dataset holds no career; invalids' careers are below the salariés' pay).
    """
    cal = calibration()
    inv = cal.raw["sante"]["invalidite"]
    first = date(annee, 1, 1)
    lo, hi = int(inv["age_minimum"]["valeur"]), int(inv["age_conversion"]["valeur"])
    birth = personnes["date_naissance"].to_numpy().astype("datetime64[D]")
    age = np.clip((np.datetime64(first) - birth).astype(np.int64) // 365, -1, AGE_MAX)
    prob = _invalidity_by_age(float(inv["part_a_61_ans"]["valeur"]), float(inv["pensionnes"]["valeur"]),
                              float(cal.raw["population"]["reference"]["valeur"]), lo, hi, tuple(cal.age_weights.tolist()))
    r = _stream(seed, first, _E_INVALIDITE, personnes)
    n = personnes.height
    u, z, c = r.random(n), r.standard_normal(n), r.random(n)
    chosen = (age >= lo) & (age < hi) & (u < prob[np.clip(age, 0, AGE_MAX)])
    cats = inv["categories"]
    cut1, cut2 = float(cats["categorie_1"]), float(cats["categorie_1"]) + float(cats["categorie_2"])
    categorie = np.where(c < cut1, 1, np.where(c < cut2, 2, 3)).astype(np.int8)
    ratio = float(cal.raw["salaires"]["brut_sur_net"]["valeur"])
    drawn = np.round(net_salary(z, cal) * ratio * 100 * 12).astype(np.int64)
    smic = smic_mensuel_cents(first)
    full = float(heures_temps_plein(first))
    hours = personnes["heures_mensuelles"].cast(pl.Float64).fill_null(full).to_numpy()
    own = personnes["salaire_brut_mensuel"].fill_null(-1).to_numpy()
    career = float(inv["facteur_carriere"]["valeur"])
    salary = np.round(np.where(own >= 0, np.maximum(own, smic) * hours / full * 12, drawn) * career).astype(np.int64)
    return personnes.select("personne", "date_naissance", "date_deces").with_columns(
        pl.Series("categorie", categorie), pl.Series("salaire_annuel", salary), pl.Series("__choisi", chosen),
    ).filter(pl.col("__choisi")).with_columns(pl.col("date_naissance").dt.offset_by(f"{hi}y").alias("fin_pension")).select(
        [pl.col(k).cast(v) for k, v in INVALIDE_SCHEMA.items()]).sort("personne")


def _invalidity_by_age(share_61: float, pensioners: float, population: float, lo: int, hi: int,
                       weights: tuple[float, ...]) -> np.ndarray:
    """P(pensionné d'invalidité | age a), 0 outside [lo, hi): share_61 × exp(k (a − 61)), k by bisection so that
    Σ weights(a) p(a) = pensioners / population."""
    w = np.asarray(weights)
    ages = np.arange(len(w))
    inside = (ages >= lo) & (ages < hi)
    target = pensioners / population

    def total(k: float) -> float:
        return float((w * np.where(inside, np.minimum(share_61 * np.exp(k * (ages - 61)), 1.0), 0.0)).sum())

    low, high = 0.0, 1.0  # total() falls as k rises (the ages are below 61 but one)
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if total(mid) > target else (low, mid)
    return np.where(inside, np.minimum(share_61 * np.exp(low * (ages - 61)), 1.0), 0.0)
