"""OpenFisca-France-Pension on a set of careers: run with the python of .venv-openfisca-pension.

    .venv-openfisca-pension/bin/python tests/retraite/openfisca/runner.py IN.json OUT.json

Executed in the isolated OpenFisca-France-Pension environment (the ``PENSION``
environment of compare.py, built by tests/recouvrement/openfisca/environment.py),
never imported by secu's interpreter: it needs only numpy and the package.

IN (JSON, population.to_runner_json): ``personnes`` (``personne``,
``naissance``, ``date_effet`` "YYYY-MM-DD", ``enfants``, ``autres_pensions``
cents a year, the pensions of the other régimes at the date d'effet,
``inaptitude``) and ``annees`` (``personne``, ``annee``, ``salaire`` cents,
gross, uncapped); ``overrides``: further runs, each with a ``name``, a list
of parameter ``changes`` (``path`` dotted from the root of the parameters,
``values`` {date: value}; ``after_last``: only the dates after the
parameter's last one; ``create``: a missing parameter or birth-date bracket
is made, :func:`_apply`), ``as_of_effect`` (parameters read on the date
d'effet, :func:`_as_of`) and ``sam_au_centime`` (the SAM's salaries and mean
rounded to the cent). compare.py's run ``secu`` uses all three.

OUT (JSON): ``columns`` with ``personne`` and, for each run ``R`` (``of32`` as
shipped; ``of64`` the same in float64; then each override run, in float64,
the changes of a run kept by the next), ``R:VARIABLE`` for the variables of
:data:`OUTPUTS` without their ``regime_general_cnav_`` prefix (euros a year,
quarters, rates as fractions, dates as "YYYY-MM-DD"), plus ``R:duree_cible``
and ``R:duree_proratisation`` (the generation's quarters), ``R:pss`` and
``R:plafond_mico`` (monthly), as the run reads them. ``timing`` and
``versions``.

Modelling choices:

* OpenFisca-France-Pension computes by calendar year: every person whose date
  d'effet falls in year Y is computed for the period Y (one simulation per
  year; with ``as_of_effect``, per group of dates of Y with the same
  parameters), ``regime_general_cnav_liquidation_date`` = the date d'effet;
  parameters are read on 1 January of Y (as shipped);
* the salary of each year → ``regime_general_cnav_salaire_de_base``
  (uncapped gross: the model caps at its PASS and converts quarters itself);
  years from :data:`FIRST_YEAR`; the other inputs of the model stay at their
  defaults (no AVPF, no assimilated period, no fonction publique, not a
  woman — so no majoration de durée d'assurance for children);
* ``nombre_enfants`` = ``enfants`` (the +10 % majoration from 3);
  ``raison_depart_taux_plein_anticipe`` = ``inapte`` for an inaptitude;
* the other régimes' pensions (for the écrêtement of the minimum contributif)
  → ``arrco_pension_au_31_decembre`` of Y (the model adds arrco, agirc and
  fonction publique: only their sum matters), the others 0;
* the model's yearly recursions (quarters and surcote accumulated year by
  year) start from zero inputs in FIRST_YEAR − 1 and are computed in
  chronological order, so no OpenFisca "spiral" cuts them short (with
  openfisca-core's default of one spiral loop, a recursion computed from the
  last year returns the default 0);
* ``of64``: every float variable switched to float64 (``Variable.dtype``) and
  the model's numba float32 mean of the k best salaries
  (``tools.mean_over_k_nonzero_largest``) replaced by the same algorithm in
  float64, to separate float32 artefacts from real differences.
"""

from __future__ import annotations

import json
import sys
import time
from importlib import metadata

import numpy

FIRST_YEAR = 1970
RECURSIVE = (
    "regime_general_cnav_duree_assurance_validee",
    "regime_general_cnav_duree_assurance_cotisee",
    "regime_general_cnav_duree_assurance_personnellement_cotisee",
    "duree_assurance_tous_regimes",
    "regime_general_cnav_surcote_trimestres",
    "fonction_publique_duree_assurance_validee",
    "fonction_publique_duree_de_service_effective",
    "fonction_publique_duree_de_service_actif",
    "fonction_publique_duree_de_service_super_actif",
    "cnracl_duree_assurance_validee",
    "cnracl_duree_de_service_effective",
    "cnracl_duree_de_service_actif",
    "cnracl_duree_de_service_super_actif",
)
OUTPUTS = (
    "regime_general_cnav_ouverture_des_droits_date",
    "regime_general_cnav_age_annulation_decote",
    "regime_general_cnav_duree_assurance",
    "regime_general_cnav_duree_assurance_personnellement_cotisee",
    "duree_assurance_tous_regimes",
    "regime_general_cnav_salaire_de_reference",
    "regime_general_cnav_decote_trimestres",
    "regime_general_cnav_surcote_trimestres",
    "regime_general_cnav_decote",
    "regime_general_cnav_surcote",
    "regime_general_cnav_taux_de_liquidation",
    "regime_general_cnav_coefficient_de_proratisation",
    "regime_general_cnav_pension_minimale",
    "regime_general_cnav_pension_avant_minimum_et_plafonnement",
    "regime_general_cnav_pension_brute",
    "regime_general_cnav_majoration_pension",
    "regime_general_cnav_pension",
)
CNAV = "retraites.secteur_prive.regime_general_cnav"


def _mean_over_k_nonzero_largest_64(vector, k):
    """tools.mean_over_k_nonzero_largest, the same steps, in float64."""
    vector = numpy.asarray(vector, dtype=numpy.float64)
    if k == 0:
        return 0.0
    nonzeros = int((vector > 0.0).sum())
    if k >= nonzeros:
        return vector.sum() / (nonzeros + (nonzeros == 0))
    z = -numpy.partition(-vector, kth=k)
    upper = min(k, nonzeros)
    return z[:upper].sum() / upper


def _mean_over_k_nonzero_largest_cents(vector, k):
    """The same mean, each revalued salary rounded to the cent and the mean rounded to the cent, half up, as the
    Cnav computes the SAM (run ``secu`` with ``sam_au_centime``)."""
    cents = numpy.floor(numpy.asarray(vector, dtype=numpy.float64) * 100 + 0.5 + 1e-6)
    return numpy.floor(_mean_over_k_nonzero_largest_64(cents, k) + 0.5 + 1e-9) / 100


def _to_float64(tbs, mean=None) -> None:
    for variable in tbs.variables.values():
        if variable.value_type is float:
            variable.dtype = numpy.float64
    formula_globals = set()
    for variable in tbs.variables.values():
        for formula in variable.formulas.values():
            if "mean_over_k_nonzero_largest" in formula.__globals__:
                formula_globals.add(id(formula.__globals__))
                formula.__globals__["mean_over_k_nonzero_largest"] = mean or _mean_over_k_nonzero_largest_64
    if not formula_globals:
        raise SystemExit("mean_over_k_nonzero_largest introuvable : le runner ne sait plus passer le SAM en float64")


def _node(tbs, path: str, create: bool = False):
    """The parameter node at ``path``; with ``create``, a missing bracket of a node keyed by birth date
    (``after_YYYY_MM_DD``) is made as a copy of the bracket before it, inserted in date order."""
    node = tbs.parameters
    for part in path.split("."):
        if part not in node.children and create and part.startswith("after_"):
            _insert_bracket(node, part)
        node = node.children[part] if part in node.children else None
        if node is None:
            raise SystemExit(f"paramètre OpenFisca introuvable : {path}")
    return node


def _insert_bracket(node, name: str) -> None:
    def key(child: str) -> str:
        return "0000" if child.startswith("before_") else child[len("after_"):]

    earlier = [child for child in node.children if key(child) < key(name)]
    if not earlier:
        raise SystemExit(f"pas de tranche avant {name} dans {node.name}")
    copy = node.children[max(earlier, key=key)].clone()
    node.children[name] = copy
    setattr(node, name, copy)
    ordered = sorted(node.children, key=key)  # the vectorial lookup counts the brackets before a date: keep them in order
    node.children = {child: node.children[child] for child in ordered}


def _forget(tbs) -> None:
    """Drop openfisca-core's caches of parameters at an instant (a dict, and an lru_cache on the method)."""
    tbs._parameters_at_instant_cache = {}
    clear = getattr(type(tbs).get_parameters_at_instant, "cache_clear", None)
    if clear is not None:
        clear()


def _apply(tbs, changes: list[dict]) -> None:
    """Each change sets a parameter's value from each date given. ``after_last``: only the dates after the
    parameter's last one (what the model lacks, never a value it has); ``create``: a parameter the model does
    not have (a salary year of revalorisation_salaire_cummulee) is added, a missing bracket of a table by birth
    date is copied from the one before it (:func:`_node`)."""
    from openfisca_core import periods
    from openfisca_core.parameters import Parameter

    for change in changes:
        parent_path, _, leaf = change["path"].rpartition(".")
        parent = _node(tbs, parent_path, create=bool(change.get("create")))
        if leaf not in parent.children and change.get("create") and leaf.startswith("after_"):
            _insert_bracket(parent, leaf)
        if leaf not in parent.children:
            if not change.get("create"):
                raise SystemExit(f"paramètre OpenFisca introuvable : {change['path']}")
            parent.add_child(leaf, Parameter(change["path"], data={"values": {d: {"value": v} for d, v in change["values"].items()}}))
            continue
        parameter = parent.children[leaf]
        last = parameter.values_list[0].instant_str  # values_list: latest first
        for day, value in sorted(change["values"].items()):
            if change.get("after_last") and day <= last:
                continue
            # Up to the parameter's next date only: Parameter.update without a stop drops every later value.
            later = [v.instant_str for v in parameter.values_list if v.instant_str > day]
            stop = periods.instant(min(later)).offset(-1, "day") if later else None
            parameter.update(start=periods.instant(day), stop=stop, value=value)
    _forget(tbs)


def _simulate(tbs, personnes: dict, annees: dict, rows: numpy.ndarray, year: int) -> dict[str, numpy.ndarray]:
    from openfisca_core.simulation_builder import SimulationBuilder

    n = len(rows)
    position = {int(personnes["personne"][r]): k for k, r in enumerate(rows)}
    simulation = SimulationBuilder().build_default_simulation(tbs, count=n)
    birth = numpy.array([personnes["naissance"][r] for r in rows], dtype="datetime64[D]")
    simulation.set_input("date_de_naissance", "ETERNITY", birth)
    simulation.set_input("regime_general_cnav_liquidation_date", "ETERNITY", numpy.array([personnes["date_effet"][r] for r in rows], dtype="datetime64[D]"))
    simulation.set_input("nombre_enfants", "ETERNITY", numpy.array([int(personnes["enfants"][r]) for r in rows]))
    raison = tbs.variables["raison_depart_taux_plein_anticipe"].possible_values
    simulation.set_input(
        "raison_depart_taux_plein_anticipe",
        "ETERNITY",
        raison.encode(numpy.array(["inapte" if personnes["inaptitude"][r] else "non_concerne" for r in rows])),
    )
    salaries = numpy.zeros((year - FIRST_YEAR + 1, n))
    for person, annee, salaire in zip(annees["personne"], annees["annee"], annees["salaire"], strict=True):
        k = position.get(int(person))
        if k is not None and FIRST_YEAR <= annee <= year:
            salaries[annee - FIRST_YEAR, k] = salaire / 100
    for variable in RECURSIVE:
        simulation.set_input(variable, str(FIRST_YEAR - 1), numpy.zeros(n))
    for y in range(FIRST_YEAR, year + 1):
        simulation.set_input("regime_general_cnav_salaire_de_base", str(y), salaries[y - FIRST_YEAR])
    others = numpy.array([personnes["autres_pensions"][r] / 100 for r in rows])
    simulation.set_input("arrco_pension_au_31_decembre", str(year), others)
    for name in ("agirc_pension_au_31_decembre", "fonction_publique_pension_au_31_decembre"):
        simulation.set_input(name, str(year), numpy.zeros(n))
    for y in range(FIRST_YEAR, year + 1):  # chronological: each year's recursion finds the previous one cached
        for variable in RECURSIVE:
            if variable.startswith("regime_general_cnav") or variable == "duree_assurance_tous_regimes":
                simulation.calculate(variable, str(y))
    out = {}
    for name in OUTPUTS:
        values = simulation.calculate(name, str(year))
        out[name] = values.astype(str) if values.dtype.kind == "M" else numpy.asarray(values, dtype=numpy.float64)
    cnav = _node(tbs, CNAV)(f"{year}-01-01")
    out["duree_cible"] = numpy.asarray(cnav.trimtp.nombre_trimestres_cibles_par_generation[birth], dtype=numpy.float64)
    out["plafond_mico"] = numpy.full(n, float(cnav.plafond_mico.minimum_contributif_plafond_mensuel))
    out["pss"] = numpy.full(n, float(tbs.parameters(f"{year}-01-01").prelevements_sociaux.pss.plafond_securite_sociale_annuel))
    out["duree_proratisation"] = numpy.asarray(
        cnav.prorat.nombre_trimestres_maximal_pris_en_compte_proratisation_par_generation[birth], dtype=numpy.float64
    )
    return out


def _as_of(tbs, day: str) -> list[tuple]:
    """Make the régime général's parameters read on 1 January of ``day``'s year (as the model reads them) give
    their values in force on ``day``; return what to restore."""
    from openfisca_core import periods
    from openfisca_core.parameters import Parameter

    saved = []
    first = periods.instant(f"{day[:4]}-01-01")
    for leaf in _node(tbs, CNAV).get_descendants():
        if not isinstance(leaf, Parameter):
            continue
        try:
            value = leaf(day)
        except Exception:  # a leaf without a value on that day: left as it is
            continue
        if value is None:
            continue
        saved.append((leaf, leaf.values_list))
        leaf.update(start=first, value=value)
    _forget(tbs)
    return saved


def _restore(tbs, saved: list[tuple]) -> None:
    for leaf, values in saved:
        leaf.values_list = values
    _forget(tbs)


def _signature(tbs, day: str) -> tuple:
    """The values in force on ``day`` of the régime général's parameters (dates sharing it share a simulation)."""
    from openfisca_core.parameters import Parameter

    values = []
    for leaf in _node(tbs, CNAV).get_descendants():
        if isinstance(leaf, Parameter):
            try:
                values.append(repr(leaf(day)))
            except Exception:
                values.append(None)
    return (day[:4], *values)


def _run(tbs, personnes: dict, annees: dict, as_of_effect: bool = False) -> dict[str, numpy.ndarray]:
    """One simulation per year of the date d'effet; with ``as_of_effect``, one per group of dates d'effet of a
    year with the same parameters in force, read on that date (:func:`_as_of`)."""
    dates = numpy.array(personnes["date_effet"])
    if as_of_effect:
        groups: dict[tuple, list[str]] = {}
        for day in sorted(set(dates.tolist())):
            groups.setdefault(_signature(tbs, day), []).append(day)
        keys = {day: days[0] for days in groups.values() for day in days}
    else:
        keys = {day: day[:4] for day in set(dates.tolist())}
    grouped = numpy.array([keys[d] for d in dates])
    order, parts = [], []
    for key in sorted(set(grouped.tolist())):
        rows = numpy.flatnonzero(grouped == key)
        order.append(rows)
        saved = _as_of(tbs, key) if as_of_effect else []
        try:
            parts.append(_simulate(tbs, personnes, annees, rows, int(key[:4])))
        finally:
            _restore(tbs, saved)
    index = numpy.concatenate(order)
    inverse = numpy.empty_like(index)
    inverse[index] = numpy.arange(len(index))
    return {name: numpy.concatenate([p[name] for p in parts])[inverse] for name in parts[0]}


def main(source: str, target: str) -> None:
    started = time.monotonic()
    from openfisca_france_pension import CountryTaxBenefitSystem

    tbs = CountryTaxBenefitSystem()
    loaded = time.monotonic()
    with open(source) as handle:
        payload = json.load(handle)
    personnes, annees = payload["personnes"], payload["annees"]
    columns: dict[str, list] = {"personne": list(personnes["personne"])}
    timing = {"load_seconds": loaded - started}

    def keep(run: str, values: dict[str, numpy.ndarray]) -> None:
        for name, array in values.items():
            short = name.removeprefix("regime_general_cnav_")
            if array.dtype.kind in "US":
                columns[f"{run}:{short}"] = array.tolist()
            else:
                columns[f"{run}:{short}"] = [None if numpy.isnan(x) else float(x) for x in array]

    t = time.monotonic()
    keep("of32", _run(tbs, personnes, annees))
    timing["compute_float32_seconds"] = time.monotonic() - t
    _to_float64(tbs)
    t = time.monotonic()
    keep("of64", _run(tbs, personnes, annees))
    timing["compute_float64_seconds"] = time.monotonic() - t
    for run in payload.get("overrides", []):
        _apply(tbs, run["changes"])
        if run.get("sam_au_centime"):
            _to_float64(tbs, _mean_over_k_nonzero_largest_cents)
        t = time.monotonic()
        keep(run["name"], _run(tbs, personnes, annees, as_of_effect=run.get("as_of_effect", False)))
        timing[f"compute_{run['name']}_seconds"] = time.monotonic() - t
    timing["total_seconds"] = time.monotonic() - started
    timing["persons"] = len(personnes["personne"])
    result = {
        "versions": {name: metadata.version(name) for name in ("OpenFisca-France-Pension", "OpenFisca-Core", "numpy")},
        "timing": timing,
        "columns": columns,
    }
    with open(target, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
