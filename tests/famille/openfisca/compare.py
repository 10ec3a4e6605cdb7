"""secu's family benefits against OpenFisca-France's, to the cent.

:func:`openfisca_results` runs the runner (in the isolated venv of
tests/recouvrement/openfisca/environment.py) on a population and caches the
result; :func:`secu_droits` calls ``secu.famille.rules.droits``;
:func:`compare` joins both per (foyer, mois) and classifies every amount of
``af``, ``cf``, ``paje_base`` and ``ars``:

* **exact**: secu's amount equals OpenFisca's rounded to the nearest cent,
  half up;
* **tolerated**: it differs, but one of the named :data:`EXCEPTIONS`
  explains the difference: each names the benefit it covers, the cause on
  OpenFisca's side, the legal reference that decides, and checks that secu's
  amount is then exactly the legal one, recomputed here from OpenFisca's own
  counts, rates and BMAF (``diag:*`` columns of the runner) — never a
  tolerance in cents;
* **mismatch**: anything else. The differential test fails on any mismatch.

Two exceptions need the children themselves, where the law counts them
otherwise than OpenFisca's month (:func:`law_children`, from the population's
birth dates and pays): the forfait's three children à charge the month before
the 20th birthday, and a child paid above the ceiling in the month of his 16th
birthday, for whom OpenFisca is run again on the household without him (the
law's household) and secu's amount classified against that run.

The legal recomputations (``law_*``) round each monthly amount once: BMAF ×
its rate (× the modulation coefficient, × ½ for a child in résidence
alternée), to the nearest cent, half up. They take from OpenFisca only its
counts (children à charge, majorations, forfaits, ARS age bands), its
modulation and résidence alternée coefficients, its ceilings and the BMAF of
the month; the rates, the same from 2024 to 2026, are written out below
(AF: 32 % for two children, 41 % per further child, 16 % majoration pour
âge, 20.234 % allocation forfaitaire; CF 41.65 %, majoré 62.48 %; PAJE base
41.65 %; ARS 89.72 %, 94.67 %, 97.95 % by age band).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from secu.core.parameters import join_parameters
from secu.famille import rules
from tests.famille.openfisca.population import to_runner_json
from tests.recouvrement.openfisca import environment

RUNNER = Path(__file__).resolve().parent / "runner.py"
CODES = ["af", "cf", "paje_base", "ars"]
LAW_ROUNDING = (
    "arrondi au centime le plus proche, la demi-centime comptant pour un (règlement (CE) n° 1103/97, art. 5 ; "
    "règle du projet : un seul arrondi ROUND_HALF_UP par montant mensuel)"
)
# The law's rates (fractions of the BMAF), the same 2024–2026.
AF_DEUX, AF_PAR_SUIVANT, AF_MAJORATION, AF_FORFAIT, AF_FORFAIT_QUART = 0.32, 0.41, 0.16, 0.20234, 0.05059
CF_TAUX, CF_MAJORE = 0.4165, 0.6248
PAJE_TAUX_PLEIN = 0.4165
ARS_TAUX = {"ars_primaire": 0.8972, "ars_college": 0.9467, "ars_lycee": 0.9795}
ARS_MAJORATION = 0.3


def round_half_up_cents(euros: pl.Expr) -> pl.Expr:
    """Euros (float) → cents, half away from zero. Snapped first to 1e-6 cent: the exact amounts here (a BMAF
    in cents times a rate of at most 6 decimals, sums and twelfths of them) are within 1e-6 cent of a tie only
    when they are one, which the law rounds up."""
    cents = (euros.abs() * 100).round(6)
    return ((cents + 0.5).floor() * euros.sign()).cast(pl.Int64)


def _r(euros: pl.Expr) -> pl.Expr:
    return round_half_up_cents(euros)


def law_af(forfait_in_af_tranche: bool = False, forfait_count: pl.Expr | None = None) -> pl.Expr:
    """AF of the law from OpenFisca's counts: the base rounded once, × (mean number of children / number of
    children) in résidence alternée and rounded once more; each majoration rounded once, the alternating
    children's halved (their sum rounded once); complément dégressif (the AF less the monthly excess over the
    ceiling, rounded once); each forfait rounded once. With ``forfait_in_af_tranche`` the forfait takes the
    tranche of the AF (ceilings raised for the children à charge only), not OpenFisca's own forfait tranche; with
    ``forfait_count`` that many forfaits, not those OpenFisca pays."""
    bmaf, n = pl.col("diag:bmaf"), pl.col("diag:af_nbenf")
    modulation = pl.col("diag:af_taux_modulation")
    forfait_mod = modulation if forfait_in_af_tranche else pl.col("diag:af_allocation_forfaitaire_taux_modulation")
    taux = pl.when(n >= 2).then(AF_DEUX + AF_PAR_SUIVANT * (n - 2).clip(lower_bound=0)).otherwise(0.0)
    base_famille = pl.when(n >= 2).then(_r(bmaf * taux * modulation)).otherwise(0)
    halves = 2 * n  # the number of children in halves; a child in résidence alternée counts for one half
    alternes = ((1 - pl.col("diag:af_coeff_garde_alternee")) * halves).round(0)
    base = pl.when(alternes > 0).then(_r(base_famille.cast(pl.Float64) / 100 * (halves - alternes) / halves)).otherwise(base_famille)
    unit = _r(bmaf * AF_MAJORATION * modulation)
    majorations = pl.col("diag:af_majorations_pleines").cast(pl.Int64) * unit + _r(pl.col("diag:af_majorations_alternees") * unit.cast(pl.Float64) / 200)
    if forfait_count is None:
        forfait_count = _openfisca_forfaits()
    # D521-2 writes the forfait of each tranche as its own percentage, the quarter rounded: 5.059 %, not 5.0585 %.
    forfait_rate = pl.when(forfait_mod == 1).then(AF_FORFAIT).when(forfait_mod == 0.5).then(AF_FORFAIT / 2).otherwise(AF_FORFAIT_QUART)
    forfait = forfait_count.cast(pl.Int64) * _r(bmaf * forfait_rate)
    excess = pl.col("diag:af_depassement_mensuel")
    degressif = pl.when(excess > 0).then((_r((base + majorations).cast(pl.Float64) / 100 - excess)).clip(lower_bound=0)).otherwise(0)
    degressif_forfait = pl.when(excess > 0).then((_r(forfait.cast(pl.Float64) / 100 - excess)).clip(lower_bound=0)).otherwise(0)
    return base + majorations + degressif + forfait + degressif_forfait


def _openfisca_forfaits() -> pl.Expr:
    """The number of forfaits OpenFisca pays (its count of children of 20, when its condition of 3 children holds)."""
    return pl.when(pl.col("diag:af_allocation_forfaitaire") > 0).then(pl.col("diag:af_allocation_forfaitaire_nb_enfants")).otherwise(0)


def law_cf() -> pl.Expr:
    bmaf, resources, ceiling = pl.col("diag:bmaf"), pl.col("diag:prestations_familiales_base_ressources"), pl.col("diag:cf_plafond")
    full = _r(bmaf * CF_TAUX)
    amount = (
        pl.when(pl.col("diag:cf_majore_avant_cumul") > 0)
        .then(_r(bmaf * CF_MAJORE))
        .when(resources <= ceiling)
        .then(full)
        .otherwise(_r((ceiling * 100 + 12 * full.cast(pl.Float64) - resources * 100) / 1200))
    )
    return pl.when(pl.col("of64") > 0).then(amount).otherwise(0)


_CF_CEILINGS = ("cf.plafond.base", "cf.plafond.majoration_biactif_isole", "cf.plafond_majore.base", "cf.plafond_majore.majoration_biactif_isole")


def law_cf_majore_ceiling() -> pl.Expr:
    """The ceiling of the CF majoré of R522-4, in euros: its own base × the R522-2 per-child factor (read off
    OpenFisca's CF ceiling, same factor) + its own majoration for a couple biactif or a person alone."""
    m = ((pl.col("nb_parents") == 1) | pl.col("biactif").fill_null(False)).cast(pl.Float64)
    factor = (pl.col("diag:cf_plafond") - pl.col("cf_plafond_majoration_biactif_isole") / 100 * m) / (pl.col("cf_plafond_base") / 100)
    return pl.col("cf_plafond_majore_base") / 100 * factor + pl.col("cf_plafond_majore_majoration_biactif_isole") / 100 * m


def law_cf_by_r522_4() -> pl.Expr:
    """The CF (majoré or not) when the resources lie between OpenFisca's majoré ceiling (half the CF ceiling) and
    the law's (R522-4): majoré up to the law's ceiling, the full CF above."""
    bmaf, resources = pl.col("diag:bmaf"), pl.col("diag:prestations_familiales_base_ressources")
    majore = resources <= law_cf_majore_ceiling() + 1e-6
    return pl.when(majore).then(_r(bmaf * CF_MAJORE)).otherwise(_r(bmaf * CF_TAUX))


def law_paje_base() -> pl.Expr:
    bmaf = pl.col("diag:bmaf")
    full = bmaf * PAJE_TAUX_PLEIN
    return pl.when(pl.col("of64") <= 0).then(0).when((pl.col("of64") - full).abs() < 0.005).then(_r(full)).otherwise(_r(full / 2))


def law_ars(majoration_in_euros: bool = False) -> pl.Expr:
    """ARS of the law from OpenFisca's counts; with ``majoration_in_euros`` the ceiling's per-child majoration is
    30 % of the base ceiling rounded to the euro, as the yearly arrêté fixes it, not OpenFisca's exact 30 %."""
    bmaf = pl.col("diag:ars_bmaf")
    full = sum(pl.col(f"diag:{name}").cast(pl.Int64) * _r(bmaf * rate) for name, rate in ARS_TAUX.items())
    plafond = pl.col("diag:ars_plafond")
    if majoration_in_euros:
        n = pl.col("diag:ars_nbenf_octobre")
        base = (plafond / (1 + ARS_MAJORATION * n)).round(0)
        plafond = base + n * (base * ARS_MAJORATION + 0.5).floor()
    excess = (pl.col("diag:prestations_familiales_base_ressources") - plafond).clip(lower_bound=0)
    amount = (full - _r(excess)).clip(lower_bound=0)
    return pl.when(pl.col("of64") <= 0).then(0).when(amount < pl.col("diag:ars_minimum") * 100).then(0).otherwise(amount)


LAW = {"af": law_af, "cf": law_cf, "paje_base": law_paje_base, "ars": law_ars}


@dataclass(frozen=True)
class Exception_:
    """A named, narrow reason why secu's amount may differ from OpenFisca's rounded amount."""

    name: str
    codes: frozenset[str]
    cause: str
    law: str
    # Over the joined frame (ours, of32, of64, diag:*): True where the difference is explained AND secu's
    # amount is exactly the legal one this exception recomputes.
    holds: Callable[[str], pl.Expr]
    since: date | None = None
    until: date | None = None


def _differs_from_law(code: str) -> pl.Expr:
    """OpenFisca (float64, rounded) is not the law's amount, and secu is."""
    law = LAW[code]()
    return (pl.col("ours") == law) & (_r(pl.col("of64")) != law)


EXCEPTIONS: list[Exception_] = [
    Exception_(
        name="float32",
        codes=frozenset(CODES),
        cause=(
            "openfisca-core stores every float variable as numpy.float32 (openfisca_core/variables/config.py): "
            "BMAF × rate, the modulation and the differential amounts keep an error of about 1e-7 relative, "
            "enough to move an amount across a half cent. Checked: secu equals the same OpenFisca formulas "
            "evaluated in float64 (runner, of64), rounded."
        ),
        law="amounts due exactly, then " + LAW_ROUNDING,
        holds=lambda code: (pl.col("ours") == _r(pl.col("of64"))) & (_r(pl.col("of32")) != _r(pl.col("of64"))),
    ),
    Exception_(
        name="AF rounded per amount",
        codes=frozenset({"af"}),
        cause=(
            "OpenFisca's af rounds BMAF × rate before multiplying by the modulation coefficient (½, ¼) and "
            "never rounds after the résidence alternée coefficient (af_base: round_(bmaf * taux_total, 2) * coeff * "
            "modulation), computes the forfait of the third tranche as 20.234 % × ¼ = 5.0585 % of the BMAF, and "
            "keeps the majorations pour âge, the allocation forfaitaire and the complément dégressif unrounded "
            "in their sum. Checked: secu equals the base, each majoration and each forfait computed as BMAF × "
            "rate × coefficients and rounded once, plus the complément dégressif (the rounded AF less the "
            "monthly excess over the ceiling) rounded once."
        ),
        law=(
            "CSS L521-1 (modulation, complément dégressif), L521-3 (majorations), R521-2 (résidence alternée), "
            "D521-1 to D521-3 (rates as percentages of the BMAF, the forfait at 20.234 %, 10.117 % and 5.059 %; "
            "ceilings), each monthly amount " + LAW_ROUNDING
        ),
        holds=lambda code: _differs_from_law(code),
    ),
    Exception_(
        name="CF différentiel from the unrounded amount",
        codes=frozenset({"cf"}),
        cause=(
            "OpenFisca's complément familial différentiel is (ceiling + 12 × BMAF × 41.65 % − resources) / 12 "
            "with the unrounded BMAF × rate (cf_non_majore_avant_cumul), rounded half to even by numpy at the "
            "end. Checked: secu equals the same with the monthly CF rounded to the cent first, rounded once."
        ),
        law=(
            "CSS L522-2 and D522-2 (complément différentiel: the ceiling increased by twelve times the monthly "
            "amount of the complément familial, less the resources, a twelfth), amounts " + LAW_ROUNDING
        ),
        holds=lambda code: _differs_from_law(code),
    ),
    Exception_(
        name="CF majoré ceiling of R522-4",
        codes=frozenset({"cf"}),
        cause=(
            "OpenFisca's ceiling of the CF majoré is half the CF ceiling (cf_plaf.plafond_cf_majore = 0.5). CSS "
            "R522-4 gives that ceiling its own amounts, revalued and rounded to the euro each year (2022: 10 890 € "
            "and 4 376 € where half of 21 775 € is 10 887,50 €), majorated per child as R522-2. Checked: the "
            "resources lie between the two ceilings, both below the CF ceiling, and secu pays the majoré up to the "
            "R522-4 ceiling (its parameters cf.plafond_majore.*, R522-2's factor read off OpenFisca's CF ceiling), "
            "the full CF above it, BMAF × rate rounded once."
        ),
        law=(
            "CSS L522-3 and R522-4 (the ceiling of the montant majoré and its majoration, fixed and revalued each "
            "1 January), D522-2 (62.48 % and 41.65 % of the BMAF), " + LAW_ROUNDING
        ),
        holds=lambda code: (
            (pl.col("ours") == law_cf_by_r522_4())
            & (_r(pl.col("of64")) != pl.col("ours"))
            & (pl.col("diag:prestations_familiales_base_ressources") <= pl.col("diag:cf_plafond"))
            & (
                (pl.col("diag:prestations_familiales_base_ressources") - pl.col("diag:cf_plafond") / 2)
                * (pl.col("diag:prestations_familiales_base_ressources") - law_cf_majore_ceiling())
                <= 1e-6
            )
        ),
    ),
    Exception_(
        name="PAJE base unrounded",
        codes=frozenset({"paje_base"}),
        cause=(
            "OpenFisca's paje_base is BMAF × 41.65 % unrounded, and half of it at the partial rate. Checked: secu "
            "equals BMAF × 41.65 % (or × 20.825 %) rounded once to the cent."
        ),
        law="CSS L531-3 and D531-3 (allocation de base, percentage of the BMAF, taux partiel), " + LAW_ROUNDING,
        holds=lambda code: _differs_from_law(code),
    ),
    Exception_(
        name="ARS per child rounded",
        codes=frozenset({"ars"}),
        cause=(
            "OpenFisca's ars sums BMAF × rate over the children unrounded, subtracts the excess of resources over "
            "the ceiling and keeps the result unrounded. Checked: secu equals the sum of each child's amount "
            "(BMAF × the rate of the child's age band, rounded to the cent) less the excess, rounded once."
        ),
        law=("CSS L543-1, R543-6 (ARS différentielle) and D543-1 (amount per child by age band, percentage of the BMAF), " + LAW_ROUNDING),
        holds=lambda code: _differs_from_law(code),
    ),
    Exception_(
        name="ARS ceiling: the per-child majoration in euros of the arrêté",
        codes=frozenset({"ars"}),
        cause=(
            "OpenFisca raises the ARS ceiling by exactly 30 % of the base ceiling per child (ars_plaf."
            "majoration_par_enf_supp); the yearly arrêté fixes that majoration in euros, rounded (2024: 6 263 € for "
            "30 % × 20 878 € = 6 263,40 €). Checked: secu equals the legal ARS with the ceiling base + n × the "
            "rounded majoration, each amount rounded once."
        ),
        law=(
            "CSS R543-5 (+ 30 % per child) and the arrêtés relatifs aux plafonds de ressources de certaines "
            "prestations familiales (22 décembre 2023: « majoré […] de 6 263 euros par enfant à charge » ; "
            "20 décembre 2024, art. 3: 6 564 euros), " + LAW_ROUNDING
        ),
        holds=lambda code: (pl.col("ours") == law_ars(majoration_in_euros=True)) & (_r(pl.col("of64")) != pl.col("ours")),
    ),
    Exception_(
        name="AF forfait: the child of 20 does not raise the ceiling",
        codes=frozenset({"af"}),
        cause=(
            "OpenFisca picks the tranche of the allocation forfaitaire with ceilings raised for the children à "
            "charge AND the children of 20 who open the forfait (af_allocation_forfaitaire_taux_modulation adds "
            "af_allocation_forfaitaire_nb_enfants to the count), so a household between two ceilings can get the "
            "forfait of the lower tranche while its AF fall in the higher. Checked: secu equals the legal AF "
            "with the forfait in the AF's own tranche (ceilings raised for the children à charge only), each "
            "amount rounded once."
        ),
        law=(
            "CSS D521-2 I (the forfait's rate by the same ceilings as the AF, those of D521-3 I and II) and "
            "D521-3 (each ceiling raised per enfant à charge); a child who has reached 20, the age limit of "
            "L512-3 2° and R512-2, is no longer à charge for the prestations familiales: he opens the forfait "
            "(L521-1 2e al.) but does not raise the ceilings. Reading of the texts by secu; the CNAF's practice "
            "was not found in a published source. " + LAW_ROUNDING
        ),
        holds=lambda code: (
            (pl.col("diag:af_allocation_forfaitaire_nb_enfants") > 0)
            & (pl.col("ours") == law_af(forfait_in_af_tranche=True))
            & (_r(pl.col("of64")) != law_af(forfait_in_af_tranche=True))
        ),
    ),
    Exception_(
        name="AF forfait: three children à charge the month before the 20th birthday",
        codes=frozenset({"af"}),
        cause=(
            "OpenFisca grants the allocation forfaitaire in every month where the children à charge of that month plus "
            "the children of 20 number at least 3 (af_allocation_forfaitaire: af_nbenf + "
            "af_allocation_forfaitaire_nb_enfants >= 3). The law looks once, at the month before the 20th birthday: "
            "a third child born (or a sibling no longer paid above the ceiling) after that month does not open it, "
            "and a sibling who has since left the count (passed 16 and paid above the ceiling) does not close it. "
            "Checked: the forfaits due by the law differ from those OpenFisca pays, counted here from the population "
            "(each child of 20 whose family had at least 3 children à charge the month before his 20th birthday: "
            "born before that month, under 20 then, and from 16 paid no more than 55 % of the SMIC × 169), and secu "
            "equals the legal AF with that many forfaits, in the AF's own tranche, each amount rounded once."
        ),
        law=(
            "CSS L521-1 2e al. (the forfait is paid to the household « qui assume la charge d'un nombre minimum "
            "d'enfants […] lorsque l'un ou plusieurs des enfants qui ouvraient droit aux allocations familiales "
            "atteignent l'âge limite »), D521-2 (3 children; rates), L512-3 and R512-2 (à charge: under 20, from the end "
            "of compulsory schooling at 16 paid no more than 55 % of the SMIC × 169); circulaire DSS/2B/2003/310 of 27 "
            "June 2003 and the CNAF's reading of it (ASH n° 2313, 2003: « un droit aux allocations familiales doit être "
            "vérifié pour trois enfants au moins, y compris celui atteignant 20 ans, le mois précédant le 20e "
            "anniversaire. Il n'est pas dû si un quatrième enfant arrive au foyer le mois des 20 ans (ou après) » — sic: "
            "read with the first sentence, the child who arrives then is the one who would have made the third; "
            "the forfait stays due when twins leave together). " + LAW_ROUNDING
        ),
        holds=lambda code: (
            (pl.col("law:af_forfaits") != _openfisca_forfaits())
            & (pl.col("ours") == law_af(forfait_in_af_tranche=True, forfait_count=pl.col("law:af_forfaits")))
            & (_r(pl.col("of64")) != pl.col("ours"))
        ),
    ),
    Exception_(
        name="a child paid above the ceiling is no longer à charge from the month of his 16th birthday",
        codes=frozenset(CODES),
        cause=(
            "OpenFisca reads a child's age on the first day of the month (prestations_familiales_enfant_a_charge: "
            "under 16, à charge without looking at his pay), so a child paid above the ceiling who turns 16 during the"
            " month still counts for that whole month (in the AF, and in the counts and ceilings of the CF, the PAJE "
            "and the ARS). By the law his right as a child à charge ceases that month: from 16 he is à charge only if "
            "paid no more than the ceiling, and a right ceases from the first day of the month in which its condition "
            "ceases. Checked: such a child is in the household this month (16th birthday in the month, not on its "
            "first day, pay above 55 % of the SMIC × 169), and secu equals OpenFisca run on the same household without"
            " him (the law's household), exactly or by one of the exceptions above."
        ),
        law=(
            "CSS L512-3 1° and 2° (à charge until the end of compulsory schooling, then only if the pay does not exceed "
            "the ceiling), code de l'éducation L131-1 (instruction obligatoire « jusqu'à l'âge de seize ans »), R512-2 "
            "(the ceiling: 55 % of the SMIC × 169, for a month), R552-3 I (monthly benefits cease from the first day of "
            "the calendar month in which the conditions cease to be met)"
        ),
        holds=lambda code: (pl.col("law:hors_charge_16") > 0) & pl.col("law:verdict").is_not_null() & (pl.col("law:verdict") != "mismatch"),
    ),
]


# The pay ceiling of a child à charge (CSS R512-2): 55 % of the hourly SMIC × 169, for a month.
PLAFOND_REMUNERATION_SMIC = 0.55 * 169


def law_children(foyers: pl.DataFrame, enfants: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What the law counts from the children themselves where OpenFisca's reading of the month differs.

    Returns (per (foyer, mois): ``law:af_forfaits``, the forfaits due by the law, and ``law:hors_charge_16``, the
    children paid above the ceiling in the month of their 16th birthday; the children rows without those, for the
    law's household). Months are counted as year × 12 + month (CSS R552-2 I, R552-3 I: a child reaches age A in
    the month of his birthday); the pay ceiling is that of the month (SMIC of secu's dated parameters), the
    population's pays lying far from it.
    """
    keys = ["foyer", "mois"]

    def month_index(d: pl.Expr) -> pl.Expr:
        return d.dt.year().cast(pl.Int64) * 12 + d.dt.month().cast(pl.Int64) - 1

    smic = join_parameters(foyers.select("mois").unique(), ["smic.horaire"], on="mois")
    children = (
        enfants.join(foyers.select(keys), on=keys, how="semi")
        .join(smic, on="mois", how="left")
        .with_row_index("enfant")
        .with_columns(
            month_index(pl.col("date_naissance")).alias("b"),
            (month_index(pl.col("mois")) - month_index(pl.col("date_naissance"))).alias("age_m"),
            (pl.col("salaire_net_mensuel") > (pl.col("smic_horaire") * PLAFOND_REMUNERATION_SMIC).floor()).alias("paye_au_dessus"),
        )
    )
    hors_charge_16 = (pl.col("age_m") == 16 * 12) & (pl.col("date_naissance").dt.day() != 1) & pl.col("paye_au_dessus")
    forfait = (pl.col("age_m") >= 20 * 12) & (pl.col("age_m") < 21 * 12) & ~pl.col("paye_au_dessus")
    forfaits = children.filter(forfait).select(*keys, "enfant", (pl.col("b") + 20 * 12 - 1).alias("veille"))
    age_veille = pl.col("veille") - pl.col("b")
    a_charge_veille = (age_veille > 0) & (age_veille < 20 * 12) & ((age_veille < 16 * 12) | ~pl.col("paye_au_dessus"))
    dus = (
        forfaits.join(children.select(*keys, "b", "paye_au_dessus"), on=keys)
        .group_by(*keys, "enfant", "veille")
        .agg(a_charge_veille.sum().alias("n"))
        .group_by(keys)
        .agg((pl.col("n") >= 3).sum().cast(pl.Int64).alias("law:af_forfaits"))
    )
    per_household = (
        foyers.select(keys)
        .join(children.group_by(keys).agg(hors_charge_16.sum().cast(pl.Int64).alias("law:hors_charge_16")), on=keys, how="left")
        .join(dus, on=keys, how="left")
        .with_columns(pl.col("law:af_forfaits", "law:hors_charge_16").fill_null(0))
    )
    return per_household, children.filter(~hors_charge_16).select(enfants.columns)


# ---------------------------------------------------------------------------------------------------------------
# OpenFisca side
# ---------------------------------------------------------------------------------------------------------------


def run_runner(python: Path, payload: bytes, folder: Path, *flags: str) -> dict:
    source, target = folder / "famille.in.json", folder / "famille.out.json"
    source.write_bytes(payload)
    done = subprocess.run([str(python), str(RUNNER), str(source), str(target), *flags], capture_output=True, text=True)
    source.unlink(missing_ok=True)
    if done.returncode != 0:
        raise environment.OpenFiscaUnavailable(f"le runner OpenFisca famille a échoué :\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
    result = json.loads(target.read_text())
    target.unlink(missing_ok=True)
    return result


def openfisca_results(foyers: pl.DataFrame, enfants: pl.DataFrame, say: Callable[[str], None] = lambda m: None) -> tuple[pl.DataFrame, dict]:
    """Run the runner (cached by content + runner + requirements); return (frame per (foyer, mois), meta)."""
    python = environment.openfisca_python(say=say)
    payload = json.dumps(to_runner_json(foyers, enfants), sort_keys=True).encode()
    key = "famille-" + hashlib.sha256(payload + RUNNER.read_bytes() + environment.wanted_stamp().encode()).hexdigest()[:32]
    cache = environment.cache_dir()
    target = cache / f"{key}.json"
    with open(cache / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            work = cache / f"{key}.work"
            work.mkdir(exist_ok=True)
            result = run_runner(python, payload, work)
            work.rmdir()
            partial = cache / f"{key}.partial.json"
            partial.write_text(json.dumps(result))
            partial.rename(target)
    result = json.loads(target.read_text())
    columns = result.pop("columns")
    frame = pl.DataFrame(columns, infer_schema_length=None).with_columns(pl.col("mois").str.to_date(), pl.col("foyer").cast(pl.Int64))
    return frame, result


# ---------------------------------------------------------------------------------------------------------------
# secu side
# ---------------------------------------------------------------------------------------------------------------


def secu_droits(foyers: pl.DataFrame, enfants: pl.DataFrame) -> pl.DataFrame:
    """secu's rights, by secu.famille.rules.droits itself (imported plainly: a rename fails, never skips)."""
    return rules.droits(foyers, enfants)


# ---------------------------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    code: str
    year: int
    rows: int = 0
    exact: int = 0
    nonzero: int = 0
    tolerated: dict[str, int] = field(default_factory=dict)
    mismatches: int = 0
    examples: list[dict] = field(default_factory=list)


def _joined(foyers: pl.DataFrame, droits: pl.DataFrame, of: pl.DataFrame, code: str, law: pl.DataFrame, verdicts: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per (foyer, mois) of ``foyers``: secu's amount, OpenFisca's, its diag:* columns, the law's counts
    (``law``, of :func:`law_children`) and ``law:verdict``, the verdict against OpenFisca on the law's household
    (``verdicts``; null where none)."""
    ours = droits.select("foyer", "mois", pl.col(code).cast(pl.Int64).fill_null(0).alias("ours"))
    if verdicts is None:
        verdicts = pl.DataFrame(schema={"foyer": pl.Int64, "mois": pl.Date, "law:verdict": pl.String})
    diag = [c for c in of.columns if c.startswith("diag:")]
    # The ceilings' amounts of the law (cents), for the exception of R522-4.
    ceilings = join_parameters(foyers.select("mois").unique(), list(_CF_CEILINGS), on="mois")
    return (
        foyers.select("foyer", "mois", "nb_parents", "ressources_n2", "biactif")
        .join(ceilings, on="mois", how="left")
        .join(ours, on=["foyer", "mois"], how="left")
        .join(of.select("foyer", "mois", pl.col(f"{code}:of32").alias("of32"), pl.col(f"{code}:of64").alias("of64"), *diag), on=["foyer", "mois"], how="left")
        .join(law, on=["foyer", "mois"], how="left")
        .join(verdicts, on=["foyer", "mois"], how="left")
        .with_columns(_r(pl.col("of32")).alias("openfisca"))
    )


def classify(joined: pl.DataFrame, code: str) -> pl.DataFrame:
    """Add ``verdict``: "exact", an exception name, or "mismatch"."""
    verdict = pl.when(pl.col("ours") == pl.col("openfisca")).then(pl.lit("exact"))
    for rule in EXCEPTIONS:
        if code not in rule.codes:
            continue
        condition = rule.holds(code)
        if rule.since:
            condition = condition & (pl.col("mois") >= rule.since)
        if rule.until:
            condition = condition & (pl.col("mois") <= rule.until)
        verdict = verdict.when(condition).then(pl.lit(rule.name))
    return joined.with_columns(verdict.otherwise(pl.lit("mismatch")).alias("verdict"))


def compare(
    foyers: pl.DataFrame,
    enfants: pl.DataFrame,
    droits: pl.DataFrame,
    of: pl.DataFrame,
    examples: int = 3,
    say: Callable[[str], None] = lambda m: None,
) -> dict[str, list[Outcome]]:
    """Outcomes per benefit and year.

    Where a child paid above the ceiling turns 16 in the month (:func:`law_children`), OpenFisca is also run
    (:func:`openfisca_results`, cached) on those households without him, the law's household, and secu's amount
    classified against that run too (``law:verdict``, for the exception that names the case).
    """
    law, law_enfants = law_children(foyers, enfants)
    affected = law.filter(pl.col("law:hors_charge_16") > 0).select("foyer", "mois")
    law_foyers = foyers.join(affected, on=["foyer", "mois"], how="semi")
    of_law = openfisca_results(law_foyers, law_enfants.join(affected, on=["foyer", "mois"], how="semi"), say=say)[0] if affected.height else None
    no_change = law.with_columns(pl.lit(0, dtype=pl.Int64).alias("law:hors_charge_16"))
    result: dict[str, list[Outcome]] = {}
    for code in CODES:
        verdicts = None
        if of_law is not None:
            verdicts = classify(_joined(law_foyers, droits, of_law, code, no_change), code).select("foyer", "mois", pl.col("verdict").alias("law:verdict"))
        classified = classify(_joined(foyers, droits, of, code, law, verdicts), code)
        result[code] = []
        for (year,), part in sorted(classified.group_by(pl.col("mois").dt.year()), key=lambda kv: kv[0]):
            outcome = Outcome(code, int(year), rows=part.height, nonzero=int((part["openfisca"] != 0).sum()))
            counts = dict(part["verdict"].value_counts().iter_rows())
            outcome.exact = counts.pop("exact", 0)
            outcome.mismatches = counts.pop("mismatch", 0)
            outcome.tolerated = counts
            bad = part.filter(pl.col("verdict") == "mismatch").with_columns((pl.col("ours") - pl.col("openfisca")).alias("ecart"))
            outcome.examples = bad.sort(pl.col("ecart").abs(), descending=True).head(examples).drop("verdict").to_dicts()
            result[code].append(outcome)
    return result


def report(outcomes: dict[str, list[Outcome]]) -> str:
    lines = []
    for code, items in outcomes.items():
        for o in items:
            tolerated = ", ".join(f"{k}: {v}" for k, v in sorted(o.tolerated.items()))
            lines.append(
                f"{code:10} {o.year}  {o.rows:5} lignes ({o.nonzero:5} non nulles)  {o.exact:5} exactes"
                + (f"  tolérées ({tolerated})" if tolerated else "")
                + (f"  ÉCARTS {o.mismatches}" if o.mismatches else "")
            )
            for example in o.examples:
                lines.append(f"      ex. {json.dumps(example, default=str)}")
    return "\n".join(lines)


def write_report(path: Path, outcomes: dict[str, list[Outcome]], meta: dict) -> None:
    path.write_text(json.dumps(meta, indent=1, default=str) + "\n" + report(outcomes) + "\n")
