"""OpenFisca-France on a set of payslips: run with the python of .venv-openfisca.

    .venv-openfisca/bin/python tests/recouvrement/openfisca/runner.py IN.json OUT.json [--float32-only [--timing-only]]

This file is executed in the isolated OpenFisca environment (environment.py),
never imported by secu's own interpreter: it only needs numpy and OpenFisca.

IN (JSON, one list per column, the payslip contract of
``secu.recouvrement.rules.contributions``): ``bulletin``, ``mois`` ("YYYY-MM-01"),
``brut_cents``, ``heures``, ``heures_contrat`` (null = full time), ``effectif``,
``taux_atmp`` (fraction), ``cadre``, optionally ``date_entree``/``date_sortie``
("YYYY-MM-DD" or null).

OUT (JSON): ``columns`` with ``bulletin``, ``mois`` and, for every contribution
code of secu and every side (``salarial``, ``patronal``), four float columns
named ``CODE:SIDE:KIND``, already in secu's sign convention (contributions
positive, the réduction générale negative on the employer side):

* ``of32``: what OpenFisca computes, as shipped (float32 arrays);
* ``of64``: the same OpenFisca formulas run a second time with every float
  variable switched to float64 (``Variable.dtype``), i.e. without float32
  representation error: it separates float32 artefacts from real differences;
* ``unrounded``: for lines computed from a tax scale (barème), OpenFisca's
  bracket bases (rounded to the cent, as OpenFisca does) times the rates,
  summed **without** OpenFisca's per-bracket rounding to the cent (float64);
  for CSG and CRDS, the rate times the gross less 1.75 % of it within 4
  plafonds, without OpenFisca's rounding of that abattement; for other
  lines, equal to ``of64``;
* ``assiette``: for barème lines, the sum of the bracket bases that carry a
  non-zero rate (float64, in euros); NaN otherwise.

and ``net:of32`` / ``net:of64`` (``salaire_net``: gross minus employee social
contributions, CSG and CRDS — the net before income tax), plus diagnostics
``diag:*``. ``--float32-only`` runs OpenFisca once, as shipped, and writes
only the ``of32`` columns; with ``--timing-only`` too (the benchmark) it
writes only ``timing``. ``timing`` gives the seconds spent loading the tax-benefit system
and computing each run; ``versions`` the installed versions.

Modelling choices (each one so that OpenFisca computes one month alone, the
way a payslip does):

* one simulation per distinct month, the period being that month;
* ``salaire_de_base`` = gross pay (no bonuses, overtime or benefits in kind:
  the gross is one figure in our contract);
* ``contrat_de_travail`` = ``temps_partiel`` when ``heures_contrat`` is given
  and below 151.67 h, with ``heures_remunerees_volume`` = ``heures_contrat``
  (OpenFisca's quotité de travail = hours / 151.67 prorates the plafond de la
  sécurité sociale and the SMIC of the réduction générale); else
  ``temps_plein``;
* ``date_entree``/``date_sortie`` → ``contrat_de_travail_debut``/``_fin``
  (OpenFisca prorates the plafond by calendar days / 30 and the SMIC by
  working days; secu divides by the calendar days of the month, CSS R242-2
  since décret 2017-858 and the BOSS: the population gives no contract dates,
  a population that does needs a named exception in compare.py);
* ``effectif_entreprise``, ``taux_accident_travail`` (given directly, so
  OpenFisca's approximation from an exposure class is not used),
  ``categorie_salarie`` = ``prive_cadre`` / ``prive_non_cadre``;
* ``cotisation_sociale_mode_recouvrement`` = ``mensuel_strict``: each month's
  contributions computed on that month alone (no annual regularisation);
* ``allegement_general_mode_recouvrement`` and the modes of the two
  reduced-rate allègements (maladie, allocations familiales) = ``anticipe``:
  for January–November this is the month computed alone; in December it
  becomes the annual regularisation (year minus the 11 previous months), which
  equals the month alone here because the simulation has no other month. The
  default, ``progressif``, would regularise cumulatively from January and is
  not a single month computed alone;
* ``salarie_regime_alsace_moselle`` stays False (régime général outside
  Alsace-Moselle), apprentices, interns and JEI exemptions stay off.

Mapping of OpenFisca variables to secu codes (salarial / patronal):

=========================  =====================================================
maladie                    mmid_salarie / mmid_employeur_net_allegement
                           (13 % minus allegement_cotisation_maladie, the 6-point
                           reduced rate of 2019–2025; 13 % alone from 2026)
csa                        — / contribution_solidarite_autonomie
vieillesse_plafonnee       vieillesse_plafonnee_salarie / _employeur
vieillesse_deplafonnee     vieillesse_deplafonnee_salarie / _employeur
allocations_familiales     — / famille_net_allegement (5.25 % minus the 1.8-point
                           reduced rate of 2015–2025)
atmp                       — / accident_du_travail
fnal                       — / fnal_contribution
chomage                    chomage_salarie (0 since 2018-10) / chomage_employeur
ags                        — / ags
agirc_arrco_t1, _t2        agirc_arrco_salarie / _employeur, split by bracket
ceg_t1, ceg_t2             contribution_equilibre_general_salarie / _employeur,
                           split by bracket
cet                        contribution_equilibre_technique_salarie / _employeur
apec                       apec_salarie / apec_employeur
dialogue_social            — / financement_organisations_syndicales
csg_deductible             csg_deductible_salaire / —
csg_non_deductible         csg_imposable_salaire / —
crds                       crds_salaire / —
reduction_generale         — / allegement_general (sign reversed: OpenFisca gives
                           the reduction as a positive amount)
=========================  =====================================================

OpenFisca gives contributions as negative numbers; they are negated here.
The bracket split (agirc_arrco, ceg) applies OpenFisca's own tax scale of the
month and category bracket by bracket, exactly as
``MarginalRateTaxScale.calc(..., round_base_decimals=2)`` does, and the runner
checks that the brackets add up to OpenFisca's variable.
"""

from __future__ import annotations

import json
import sys
import time
from importlib import metadata

import numpy

CODES = [
    "maladie",
    "csa",
    "vieillesse_plafonnee",
    "vieillesse_deplafonnee",
    "allocations_familiales",
    "atmp",
    "fnal",
    "chomage",
    "ags",
    "agirc_arrco_t1",
    "agirc_arrco_t2",
    "ceg_t1",
    "ceg_t2",
    "cet",
    "apec",
    "dialogue_social",
    "csg_deductible",
    "csg_non_deductible",
    "crds",
    "reduction_generale",
]
SIDES = ("salarial", "patronal")

# code -> {side: (OpenFisca variable, barème name or None, bracket index or None)}
MAPPING: dict[str, dict[str, tuple[str, str | None, int | None]]] = {
    "maladie": {"salarial": ("mmid_salarie", None, None), "patronal": ("mmid_employeur_net_allegement", "maladie", None)},
    "csa": {"patronal": ("contribution_solidarite_autonomie", "csa", None)},
    "vieillesse_plafonnee": {
        "salarial": ("vieillesse_plafonnee_salarie", "vieillesse_plafonnee", None),
        "patronal": ("vieillesse_plafonnee_employeur", "vieillesse_plafonnee", None),
    },
    "vieillesse_deplafonnee": {
        "salarial": ("vieillesse_deplafonnee_salarie", "vieillesse_deplafonnee", None),
        "patronal": ("vieillesse_deplafonnee_employeur", "vieillesse_deplafonnee", None),
    },
    "allocations_familiales": {"patronal": ("famille_net_allegement", "famille", None)},
    "atmp": {"patronal": ("accident_du_travail", None, None)},
    "fnal": {"patronal": ("fnal_contribution", "fnal", None)},
    "chomage": {"salarial": ("chomage_salarie", None, None), "patronal": ("chomage_employeur", "chomage", None)},
    "ags": {"patronal": ("ags", "ags", None)},
    "agirc_arrco_t1": {
        "salarial": ("agirc_arrco_salarie", "agirc_arrco", 0),
        "patronal": ("agirc_arrco_employeur", "agirc_arrco", 0),
    },
    "agirc_arrco_t2": {
        "salarial": ("agirc_arrco_salarie", "agirc_arrco", 1),
        "patronal": ("agirc_arrco_employeur", "agirc_arrco", 1),
    },
    "ceg_t1": {
        "salarial": ("contribution_equilibre_general_salarie", "ceg", 0),
        "patronal": ("contribution_equilibre_general_employeur", "ceg", 0),
    },
    "ceg_t2": {
        "salarial": ("contribution_equilibre_general_salarie", "ceg", 1),
        "patronal": ("contribution_equilibre_general_employeur", "ceg", 1),
    },
    "cet": {
        "salarial": ("contribution_equilibre_technique_salarie", "cet2019", None),
        "patronal": ("contribution_equilibre_technique_employeur", "cet2019", None),
    },
    "apec": {"salarial": ("apec_salarie", "apec", None), "patronal": ("apec_employeur", "apec", None)},
    "dialogue_social": {"patronal": ("financement_organisations_syndicales", "financement_organisations_syndicales", None)},
    "csg_deductible": {"salarial": ("csg_deductible_salaire", None, None)},
    "csg_non_deductible": {"salarial": ("csg_imposable_salaire", None, None)},
    "crds": {"salarial": ("crds_salaire", None, None)},
    "reduction_generale": {"patronal": ("allegement_general", None, None)},
}
CSG_RATES = {"csg_deductible_salaire": "deductible", "csg_imposable_salaire": "imposable", "crds_salaire": None}
EXTRA = [
    "assiette_csg_abattue",
    "salaire_net",
    "plafond_securite_sociale",
    "assiette_cotisations_sociales",
    "assiette_allegement",
    "taux_allegement_general",
    "smic_proratise",
    "coefficient_proratisation",
    "allegement_cotisation_maladie",
    "allegement_cotisation_allocations_familiales",
]
FULL_TIME_HOURS = 151.67


def _variables() -> list[str]:
    names = {variable for sides in MAPPING.values() for variable, _, _ in sides.values()}
    return sorted(names | set(EXTRA))


def _brackets(scale, base, factor):
    """Per-bracket (rounded base, rounded amount, unrounded amount), as MarginalRateTaxScale.calc(round_base_decimals=2)."""
    thresholds = numpy.outer(factor + numpy.finfo(numpy.float64).eps, numpy.array([*scale.thresholds, numpy.inf]))
    thresholds = numpy.round(thresholds, 2)
    result = []
    for index, rate in enumerate(scale.rates):
        part = numpy.maximum(numpy.minimum(base, thresholds[:, index + 1]) - thresholds[:, index], 0)
        part = numpy.round(part, 2)
        result.append((part, numpy.round(rate * part, 2), rate * part, rate))
    return result


ABSENT_SCALES = frozenset({("prive_non_cadre", "apec")})
"""The barèmes a category has not in OpenFisca (the Apec is for cadres only); any other absence is a renamed
parameter and fails the run rather than comparing secu with zeros."""


def _scale(parameters, side: str, categorie: str, name: str):
    node = parameters.cotsoc.cotisations_salarie if side == "salarial" else parameters.cotsoc.cotisations_employeur
    try:
        return node[categorie][name]
    except Exception:
        if (categorie, name) in ABSENT_SCALES:
            return None
        raise


def _partial(columns: dict, rows: numpy.ndarray, month: str) -> numpy.ndarray:
    """Rows whose contract starts after the 1st or ends before the last day of the month."""
    first = numpy.datetime64(f"{month}-01")
    last = (first.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    partial = numpy.zeros(len(rows), dtype=bool)
    for column, later in (("date_entree", True), ("date_sortie", False)):
        values = columns.get(column)
        if values is None:
            continue
        dates = numpy.array([values[i] or ("1870-01-01" if later else "2099-12-31") for i in rows], dtype="datetime64[D]")
        partial |= (dates > first) if later else (dates < last)
    return partial


def _simulate(tbs, columns: dict, rows: numpy.ndarray, month: str) -> dict[str, numpy.ndarray]:
    from openfisca_core.simulation_builder import SimulationBuilder

    n = len(rows)
    simulation = SimulationBuilder().build_default_simulation(tbs, count=n)
    variables = tbs.variables

    def enum(name: str, values: list[str]):
        return variables[name].possible_values.encode(numpy.array(values))

    brut = numpy.array([columns["brut_cents"][i] for i in rows], dtype=numpy.float64) / 100
    heures_contrat = [columns["heures_contrat"][i] for i in rows]
    partiel = numpy.array([h is not None and float(h) < FULL_TIME_HOURS for h in heures_contrat])
    volume = numpy.array([float(h) if p else 0.0 for h, p in zip(heures_contrat, partiel, strict=True)])
    simulation.set_input("salaire_de_base", month, brut)
    simulation.set_input("contrat_de_travail", month, enum("contrat_de_travail", ["temps_partiel" if p else "temps_plein" for p in partiel]))
    simulation.set_input("heures_remunerees_volume", month, volume)
    simulation.set_input("effectif_entreprise", month, numpy.array([int(columns["effectif"][i]) for i in rows]))
    simulation.set_input("taux_accident_travail", month, numpy.array([float(columns["taux_atmp"][i]) for i in rows]))
    simulation.set_input("categorie_salarie", month, enum("categorie_salarie", ["prive_cadre" if columns["cadre"][i] else "prive_non_cadre" for i in rows]))
    simulation.set_input("cotisation_sociale_mode_recouvrement", month, enum("cotisation_sociale_mode_recouvrement", ["mensuel_strict"] * n))
    for mode in (
        "allegement_general_mode_recouvrement",
        "allegement_cotisation_maladie_mode_recouvrement",
        "allegement_cotisation_allocations_familiales_mode_recouvrement",
    ):
        simulation.set_input(mode, month, enum(mode, ["anticipe"] * n))
    for column, variable, default in (("date_entree", "contrat_de_travail_debut", "1870-01-01"), ("date_sortie", "contrat_de_travail_fin", "2099-12-31")):
        values = columns.get(column)
        if values is not None and any(values[i] is not None for i in rows):
            simulation.set_input(variable, month, numpy.array([values[i] or default for i in rows], dtype="datetime64[D]"))
    if not _partial(columns, rows, month).any():
        # A whole month counts as 30 calendar days for the plafond (CSS R242-2: 30ths only for a month
        # begun or ended during it). OpenFisca counts February's 28 days literally and would cut the
        # plafond to 28/30 for a full February; its own formula still runs for partial months (main()
        # puts them in simulations of their own).
        simulation.set_input("nombre_jours_calendaires", month, numpy.full(n, 30.0))
    return {name: numpy.asarray(simulation.calculate(name, month)) for name in _variables()}


def _lines(tbs, month: str, columns: dict, rows: numpy.ndarray, of32: dict, of64: dict) -> dict[str, numpy.ndarray]:
    """Every secu code and side: of32, of64, unrounded, assiette (secu's sign convention)."""
    parameters = tbs.parameters(f"{month}-01")
    n = len(rows)
    cadre = numpy.array([bool(columns["cadre"][i]) for i in rows])
    effectif = numpy.array([int(columns["effectif"][i]) for i in rows])
    base = of64["assiette_cotisations_sociales"].astype(numpy.float64)
    pss = of64["plafond_securite_sociale"].astype(numpy.float64)
    base32 = of32["assiette_cotisations_sociales"].astype(numpy.float64)
    pss32 = of32["plafond_securite_sociale"].astype(numpy.float64)
    out: dict[str, numpy.ndarray] = {}

    def scale_lines(side: str, name: str, bracket: int | None, base, pss):
        """Rounded amount, unrounded amount and assiette of a barème for every row (OpenFisca's sign: positive here)."""
        amount = numpy.zeros(n)
        unrounded = numpy.zeros(n)
        assiette = numpy.zeros(n)
        for categorie, mask in (("prive_cadre", cadre), ("prive_non_cadre", ~cadre)):
            if name == "fnal":
                parts = [
                    ("fnal_contribution_plus_de_50_salaries", mask & (effectif >= 50)),
                    ("fnal_contribution_moins_de_50_salaries", mask & (effectif < 50)),
                ]
            else:
                parts = [(name, mask)]
            for scale_name, rows_mask in parts:
                scale = _scale(parameters, side, categorie, scale_name)
                if scale is None or not rows_mask.any():
                    continue
                for index, (part, rounded, raw, rate) in enumerate(_brackets(scale, base[rows_mask], pss[rows_mask])):
                    if bracket is not None and index != bracket:
                        continue
                    amount[rows_mask] += rounded
                    unrounded[rows_mask] += raw
                    if rate:
                        assiette[rows_mask] += part
        return amount, unrounded, assiette

    for code in CODES:
        for side in SIDES:
            key = f"{code}:{side}"
            if side not in MAPPING[code]:
                for kind in ("of32", "of64", "unrounded"):
                    out[f"{key}:{kind}"] = numpy.zeros(n)
                out[f"{key}:assiette"] = numpy.full(n, numpy.nan)
                continue
            variable, scale_name, bracket = MAPPING[code][side]
            # OpenFisca: contributions negative, allègement positive; secu: contributions positive, réduction negative.
            sign = -1.0
            v32 = of32[variable].astype(numpy.float64)
            v64 = of64[variable].astype(numpy.float64)
            if bracket is not None:
                # Split OpenFisca's variable by bracket with its own scale; check the brackets add up to it.
                split32, _, _ = scale_lines(side, scale_name, bracket, base32, pss32)
                total32, _, _ = scale_lines(side, scale_name, None, base32, pss32)
                if not numpy.allclose(total32, -v32, atol=0.006, rtol=0):
                    worst = int(numpy.argmax(numpy.abs(total32 + v32)))
                    raise SystemExit(f"{variable} {month}: brackets {total32[worst]} != OpenFisca {-v32[worst]}")
                split64, raw, assiette = scale_lines(side, scale_name, bracket, base, pss)
                out[f"{key}:of32"] = split32
                out[f"{key}:of64"] = split64
                out[f"{key}:unrounded"] = raw
                out[f"{key}:assiette"] = assiette
                continue
            out[f"{key}:of32"] = sign * v32
            out[f"{key}:of64"] = sign * v64
            if variable in CSG_RATES:
                # OpenFisca rounds the 1.75 % abattement to the cent (abattement.calc(round_base_decimals=2));
                # here the same base and rate without that rounding.
                csg = parameters.prelevements_sociaux.contributions_sociales
                rate = csg.crds if variable == "crds_salaire" else csg.csg.activite[CSG_RATES[variable]]
                gross = of64["assiette_csg_abattue"].astype(numpy.float64)
                abattement = csg.csg.activite.abattement
                capped = numpy.minimum(gross, abattement.thresholds[1] * pss) if len(abattement.thresholds) > 1 else gross
                out[f"{key}:unrounded"] = rate * (gross - abattement.rates[0] * capped)
                out[f"{key}:assiette"] = numpy.full(n, numpy.nan)
                continue
            if scale_name is None:
                out[f"{key}:unrounded"] = sign * v64
                out[f"{key}:assiette"] = numpy.full(n, numpy.nan)
                continue
            _, raw, assiette = scale_lines(side, scale_name, None, base, pss)
            if variable == "contribution_equilibre_technique_" + ("salarie" if side == "salarial" else "employeur"):
                due = base > pss
                raw, assiette = raw * due, assiette * due
            elif variable == "mmid_employeur_net_allegement":
                raw = raw - of64["allegement_cotisation_maladie"].astype(numpy.float64)
            elif variable == "famille_net_allegement":
                raw = raw - of64["allegement_cotisation_allocations_familiales"].astype(numpy.float64)
            out[f"{key}:unrounded"] = raw
            out[f"{key}:assiette"] = assiette
    out["diag:seuil_famille"] = _seuil_famille(tbs, month, of64)
    out["net:of32"] = of32["salaire_net"].astype(numpy.float64)
    out["net:of64"] = of64["salaire_net"].astype(numpy.float64)
    for name in EXTRA:
        if name not in ("salaire_net", "assiette_csg_abattue"):
            out[f"diag:{name}"] = of32[name].astype(numpy.float64)
    return out


def _seuil_famille(tbs, month: str, of64: dict) -> numpy.ndarray:
    """The pay threshold of the AF reduced rate as OpenFisca sets it (allegements.py,
    compute_allegement_cotisation_allocations_familiales_base), in float64; NaN from 2026."""
    n = len(of64["salaire_net"])
    if month >= "2026-01":
        return numpy.full(n, numpy.nan)
    law = tbs.parameters(f"{month}-01").prelevements_sociaux.reductions_cotisations_sociales.allegement_cotisation_allocations_familiales
    coefficient = of64["coefficient_proratisation"].astype(numpy.float64)

    def smic(instant: str) -> float:
        node = tbs.parameters(instant).marche_travail.salaire_minimum.smic
        return node.smic_b_horaire * node.nb_heures_travail_mensuel

    if month < "2025-01":
        return numpy.maximum(
            law.plafond_smic_courant * of64["smic_proratise"].astype(numpy.float64),
            law.plafond_smic_2023_12_31 * coefficient * smic("2023-12-01"),
        )
    return law.plafond_smic_2025_01_01 * coefficient * smic("2025-01-01")


def main(source: str, target: str, float32_only: bool = False, timing_only: bool = False) -> None:
    started = time.monotonic()
    from openfisca_france import FranceTaxBenefitSystem

    tbs = FranceTaxBenefitSystem()
    loaded = time.monotonic()
    with open(source) as handle:
        columns = json.load(handle)["columns"]
    months = numpy.array([m[:7] for m in columns["mois"]])
    chunk = 200_000  # bounded memory on large populations
    results: dict[str, numpy.ndarray] = {}
    order: list[numpy.ndarray] = []
    compute32 = compute64 = cpu32 = 0.0
    pieces = []
    for month in sorted(set(months.tolist())):
        indices = numpy.flatnonzero(months == month)
        partial = _partial(columns, indices, month)
        for group in (indices[~partial], indices[partial]):  # whole months and begun/ended months apart
            for start in range(0, len(group), chunk):
                pieces.append((month, group[start : start + chunk]))
    float_variables = [v for v in tbs.variables.values() if v.value_type is float]
    if timing_only:  # the benchmark: warmed like secu, on 100 payslips of each month, untimed
        for month in sorted({month for month, _ in pieces}):
            _simulate(tbs, columns, next(rows for m, rows in pieces if m == month)[:100], month)
    of32_all = []
    for month, rows in pieces:
        t, c = time.monotonic(), time.process_time()
        of32_all.append(_simulate(tbs, columns, rows, month))
        compute32 += time.monotonic() - t
        cpu32 += time.process_time() - c
    if not float32_only:
        for variable in float_variables:  # the same formulas in double precision
            variable.dtype = numpy.float64
    for (month, rows), of32 in zip(pieces, of32_all, strict=True):
        t = time.monotonic()
        of64 = of32 if float32_only else _simulate(tbs, columns, rows, month)
        compute64 += time.monotonic() - t
        if timing_only:  # the benchmark's timing run: OpenFisca computes, nothing is written back
            continue
        lines = _lines(tbs, month, columns, rows, of32, of64)
        if float32_only:
            lines = {k: v for k, v in lines.items() if k.endswith(":of32")}
        order.append(rows)
        for key, values in lines.items():
            results.setdefault(key, []).append(values)
    if timing_only:
        order, results = [numpy.concatenate([rows for _, rows in pieces])], {}
    index = numpy.concatenate(order) if order else numpy.array([], dtype=int)
    inverse = numpy.empty_like(index)
    inverse[index] = numpy.arange(len(index))
    out = {
        "bulletin": [columns["bulletin"][i] for i in index[inverse]],
        "mois": [columns["mois"][i] for i in index[inverse]],
    }
    for key, parts in results.items():
        out[key] = [None if numpy.isnan(x) else float(x) for x in numpy.concatenate(parts)[inverse]]
    payload = {
        "versions": {name: metadata.version(name) for name in ("OpenFisca-France", "OpenFisca-Core", "numpy")},
        "timing": {
            "load_seconds": loaded - started,
            "compute_float32_seconds": compute32,
            "compute_float32_cpu_seconds": cpu32,  # process CPU time: what the load of other processes leaves alone
            "compute_float64_seconds": compute64,
            "total_seconds": time.monotonic() - started,
            "rows": int(len(index)),
        },
        "columns": out,
    }
    with open(target, "w") as handle:
        json.dump(payload, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float32_only="--float32-only" in sys.argv[3:], timing_only="--timing-only" in sys.argv[3:])
