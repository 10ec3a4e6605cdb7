"""OpenFisca-France on a set of households: run with the python of .venv-openfisca.

    .venv-openfisca/bin/python tests/famille/openfisca/runner.py IN.json OUT.json [--float32-only [--timing-only]]

Executed in the isolated OpenFisca environment
(tests/recouvrement/openfisca/environment.py), never imported by secu's own
interpreter: it needs only numpy and OpenFisca.

IN (JSON, population.to_runner_json): ``foyers`` (``foyer``, ``mois``,
``nb_parents``, ``ressources_n2`` cents a year, ``biactif``,
``date_naissance_allocataire``) and ``enfants`` (``foyer``, ``mois``,
``date_naissance``, ``garde_alternee``, ``salaire_net_mensuel`` cents).

OUT (JSON): ``columns`` with ``foyer``, ``mois`` and, per benefit
``af``, ``cf``, ``paje_base``, ``ars``, two float columns in euros:
``BENEFIT:of32`` (OpenFisca as shipped, float32 arrays) and ``BENEFIT:of64``
(the same formulas with every float variable switched to float64,
``Variable.dtype``: separates float32 artefacts from real differences); and
``diag:*`` columns from the float64 run, the pieces the named exceptions of
compare.py recompute the law from (BMAF, counts, modulation rate, ceilings).
``timing`` gives the seconds spent loading the tax-benefit system and
computing; ``versions`` the installed versions.

Mapping (one OpenFisca ``famille`` per row of ``foyers``, with its own
``foyer_fiscal`` and ``menage``; one simulation per distinct month):

* persons: the allocataire (role ``demandeur``, ``declarant_principal``,
  ``personne_de_reference``), the spouse when ``nb_parents`` = 2
  (``conjoint``), each child (``enfant``, ``personne_a_charge``);
  ``date_naissance`` of each; the spouse takes the allocataire's (unused);
* resources: ``prestations_familiales_base_ressources_individu`` =
  ``ressources_n2`` for the allocataire and 0 for everyone else, in every
  month of the year (the variable is annual in size: OpenFisca reads it as the
  N-2 base of the month's year, and both ``prestations_familiales_base_ressources``
  (AF, PAJE, ARS) and ``cf_base_ressources`` (CF) sum it over the
  members); ``prestations_familiales_base_ressources_communes`` = 0: the
  household's whole base is ``ressources_n2``;
* ``biactivite`` = ``biactif`` and two parents (OpenFisca adds the
  majoration for a parent alone separately, by ``en_couple``, from the
  number of parents);
* ``garde_alternee`` per child; ``salaire_net`` = the child's monthly pay in
  every month from July N-1 to December N (OpenFisca's
  ``autonomie_financiere`` averages the six months before the month: a
  constant wage makes that average the month's wage of our contract), 0 for
  the parents;
* the ARS is a YEAR variable in OpenFisca (ages read in December, children
  counted in October, resources of January): computed for the year of every
  August row; other months get 0 (secu pays it in August, CSS R543-5).
"""

from __future__ import annotations

import json
import sys
import time
from importlib import metadata

import numpy

BENEFITS = ("af", "cf", "paje_base")
DIAG_FAMILLE = (
    "af_nbenf",
    "af_base",
    "af_majoration",
    "af_allocation_forfaitaire",
    "af_complement_degressif",
    "af_allocation_forfaitaire_complement_degressif",
    "af_taux_modulation",
    "af_allocation_forfaitaire_taux_modulation",
    "af_coeff_garde_alternee",
    "af_allocation_forfaitaire_nb_enfants",
    "prestations_familiales_base_ressources",
    "cf_plafond",
    "cf_non_majore_avant_cumul",
    "cf_majore_avant_cumul",
    "cf_montant",
)


def _months_of(year: int, first: tuple[int, int], last: tuple[int, int]) -> list[str]:
    (y, m), out = first, []
    while (y, m) <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


MARSHALLING = {"seconds": 0.0, "cpu_seconds": 0.0}
"""Time spent in _simulate's Python loops building the per-person lists from the JSON rows (the runner's, not OpenFisca's)."""


def _simulate(tbs, foyers: dict, enfants: dict, rows: numpy.ndarray, month: str) -> dict[str, numpy.ndarray]:
    from openfisca_core.simulation_builder import SimulationBuilder
    from openfisca_france.model.prestations.prestations_familiales.base_ressource import nb_enf

    year = int(month[:4])
    n = len(rows)
    started, cpu = time.monotonic(), time.process_time()
    children_of: dict[int, list[int]] = {}
    for index, (foyer, mois) in enumerate(zip(enfants["foyer"], enfants["mois"], strict=True)):
        if mois[:7] == month:
            children_of.setdefault(foyer, []).append(index)

    births, roles_fam, roles_ff, roles_men, group, pay, alternate, base = [], [], [], [], [], [], [], []
    for position, row in enumerate(rows):
        foyer = foyers["foyer"][row]
        parent_born = foyers["date_naissance_allocataire"][row]
        for is_first in [True] + [False] * (int(foyers["nb_parents"][row]) - 1):
            births.append(parent_born)
            roles_fam.append("demandeur" if is_first else "conjoint")
            roles_ff.append("declarant_principal" if is_first else "conjoint")
            roles_men.append("personne_de_reference" if is_first else "conjoint")
            group.append(position)
            pay.append(0.0)
            alternate.append(False)
            base.append(foyers["ressources_n2"][row] / 100 if is_first else 0.0)
        for child in children_of.get(foyer, []):
            births.append(enfants["date_naissance"][child])
            roles_fam.append("enfant")
            roles_ff.append("personne_a_charge")
            roles_men.append("enfant")
            group.append(position)
            pay.append(enfants["salaire_net_mensuel"][child] / 100)
            alternate.append(bool(enfants["garde_alternee"][child]))
            base.append(0.0)
    persons = len(births)
    # The runner's own Python loops that turn the JSON rows into per-person lists (not OpenFisca's work): timed apart.
    MARSHALLING["seconds"] += time.monotonic() - started
    MARSHALLING["cpu_seconds"] += time.process_time() - cpu
    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("individu", [f"i{k}" for k in range(persons)])
    group_ids = [f"g{k}" for k in range(n)]
    for entity, roles in (("famille", roles_fam), ("foyer_fiscal", roles_ff), ("menage", roles_men)):
        population = builder.declare_entity(entity, group_ids)
        builder.join_with_persons(population, numpy.array(group_ids)[numpy.array(group)], roles)
    simulation = builder.build(tbs)

    simulation.set_input("date_naissance", "ETERNITY", numpy.array(births, dtype="datetime64[D]"))
    couple = numpy.array([int(foyers["nb_parents"][r]) == 2 for r in rows])
    biactif = numpy.array([bool(foyers["biactif"][r]) for r in rows]) & couple
    pay = numpy.array(pay)
    alternate = numpy.array(alternate)
    base = numpy.array(base)
    for m in _months_of(year, (year - 1, 7), (year, 12)):
        simulation.set_input("salaire_net", m, pay)
    for m in _months_of(year, (year, 1), (year, 12)):
        simulation.set_input("prestations_familiales_base_ressources_individu", m, base)
        simulation.set_input("prestations_familiales_base_ressources_communes", m, numpy.zeros(n))
        simulation.set_input("biactivite", m, biactif)
        simulation.set_input("garde_alternee", m, alternate)
        # No CLCA / PreParE / APE / APJE in our contract (benefits of a parent who stops or reduces work,
        # which also exclude the CF): inputs rather than their formulas, which would read activity variables.
        for name in ("paje_clca", "paje_prepare", "ape_avant_cumul", "apje_avant_cumul"):
            simulation.set_input(name, m, numpy.zeros(n))

    out = {name: numpy.asarray(simulation.calculate(name, month), dtype=numpy.float64) for name in (*BENEFITS, *DIAG_FAMILLE)}
    # Majorations pour âge: how many (garde alternée counted for its factor), before the modulation.
    majoration = numpy.asarray(simulation.calculate("af_majoration_enfant", month), dtype=numpy.float64)
    famille = simulation.populations["famille"]
    bmaf = tbs.parameters(f"{month}-01").prestations_sociales.prestations_familiales.bmaf.bmaf
    out["diag:bmaf"] = numpy.full(n, float(bmaf))
    enfant = famille.entity.ENFANT
    out["diag:af_majorations_pleines"] = famille.sum((majoration > 0) & ~alternate, role=enfant).astype(numpy.float64)
    out["diag:af_majorations_alternees"] = famille.sum((majoration > 0) & alternate, role=enfant).astype(numpy.float64)
    from openfisca_core.periods import period as make_period
    from openfisca_france.model.prestations.prestations_familiales.af import depassement_helper

    out["diag:af_depassement_mensuel"] = numpy.asarray(
        depassement_helper(famille, make_period(month), tbs.parameters, simulation.calculate("af_nbenf", month)), dtype=numpy.float64
    )
    if month[5:7] == "08":
        ars = numpy.asarray(simulation.calculate("ars", str(year)), dtype=numpy.float64)
        parameters = tbs.parameters(f"{year}-10-01").prestations_sociales.prestations_familiales.education_presence_parentale.ars
        dec = make_period(f"{year}-12")
        age_months = famille.members("age_en_mois", dec)
        autonomous = famille.members("autonomie_financiere", dec)
        cond = parameters.ars_cond
        sortie = 12 * cond.age_sortie_lycee
        lycee_18 = famille.sum((age_months <= sortie + 2) * (age_months >= sortie) * ~autonomous, role=famille.entity.ENFANT)
        out["diag:ars_primaire"] = nb_enf(famille, dec, cond.age_entree_primaire, cond.age_entree_college - 1).astype(numpy.float64)
        out["diag:ars_college"] = nb_enf(famille, dec, cond.age_entree_college, cond.age_entree_lycee - 1).astype(numpy.float64)
        out["diag:ars_lycee"] = (nb_enf(famille, dec, cond.age_entree_lycee, cond.age_sortie_lycee - 1) + lycee_18).astype(numpy.float64)
        out["diag:ars_nbenf_octobre"] = numpy.asarray(simulation.calculate("af_nbenf", f"{year}-10"), dtype=numpy.float64)
        out["diag:ars_bmaf"] = numpy.full(n, float(tbs.parameters(f"{year}-10-01").prestations_sociales.prestations_familiales.bmaf.bmaf))
        out["diag:ars_plafond"] = parameters.ars_plaf.plafond_ressources * (1 + out["diag:ars_nbenf_octobre"] * parameters.ars_plaf.majoration_par_enf_supp)
        out["diag:ars_minimum"] = numpy.full(n, float(parameters.montant_minimum_verse))
    else:
        ars = numpy.zeros(n)
        for name in ("ars_primaire", "ars_college", "ars_lycee", "ars_nbenf_octobre", "ars_bmaf", "ars_plafond", "ars_minimum"):
            out[f"diag:{name}"] = numpy.full(n, numpy.nan)
    out["ars"] = ars
    return out


def main(source: str, target: str, float32_only: bool = False, timing_only: bool = False) -> None:
    started = time.monotonic()
    from openfisca_france import FranceTaxBenefitSystem

    tbs = FranceTaxBenefitSystem()
    loaded = time.monotonic()
    with open(source) as handle:
        payload = json.load(handle)
    foyers, enfants = payload["foyers"], payload["enfants"]
    months = numpy.array([m[:7] for m in foyers["mois"]])
    chunk = 100_000  # bounded memory on large populations
    pieces = []
    for month in sorted(set(months.tolist())):
        indices = numpy.flatnonzero(months == month)
        for start in range(0, len(indices), chunk):
            pieces.append((month, indices[start : start + chunk]))
    compute32 = compute64 = cpu32 = 0.0
    if timing_only:  # the benchmark: warmed like secu, on 100 households of each month, untimed
        for month in sorted(set(months.tolist())):
            _simulate(tbs, foyers, enfants, numpy.flatnonzero(months == month)[:100], month)
    MARSHALLING.update(seconds=0.0, cpu_seconds=0.0)
    of32_all = []
    for month, rows in pieces:
        t, c = time.monotonic(), time.process_time()
        of32_all.append(_simulate(tbs, foyers, enfants, rows, month))
        compute32 += time.monotonic() - t
        cpu32 += time.process_time() - c
    marshalling = (MARSHALLING["seconds"], MARSHALLING["cpu_seconds"])
    results: dict[str, list] = {}
    if not timing_only:
        if not float32_only:
            for variable in tbs.variables.values():
                if variable.value_type is float:
                    variable.dtype = numpy.float64
        for (month, rows), of32 in zip(pieces, of32_all, strict=True):
            t = time.monotonic()
            of64 = of32 if float32_only else _simulate(tbs, foyers, enfants, rows, month)
            compute64 += time.monotonic() - t
            for name in (*BENEFITS, "ars"):
                results.setdefault(f"{name}:of32", []).append(of32[name])
                if not float32_only:
                    results.setdefault(f"{name}:of64", []).append(of64[name])
            if not float32_only:
                for name, values in of64.items():
                    if name not in (*BENEFITS, "ars"):
                        key = name if name.startswith("diag:") else f"diag:{name}"
                        results.setdefault(key, []).append(values)
    index = numpy.concatenate([rows for _, rows in pieces]) if pieces else numpy.array([], dtype=int)
    out: dict[str, list] = {}
    if not timing_only:
        inverse = numpy.empty_like(index)
        inverse[index] = numpy.arange(len(index))
        out["foyer"] = [foyers["foyer"][i] for i in index[inverse]]
        out["mois"] = [foyers["mois"][i] for i in index[inverse]]
        for key, parts in results.items():
            out[key] = [None if numpy.isnan(x) else float(x) for x in numpy.concatenate(parts)[inverse]]
    result = {
        "versions": {name: metadata.version(name) for name in ("OpenFisca-France", "OpenFisca-Core", "numpy")},
        "timing": {
            "load_seconds": loaded - started,
            "compute_float32_seconds": compute32,
            "compute_float32_cpu_seconds": cpu32,  # process CPU time: what the load of other processes leaves alone
            # Included in the two above: the runner's Python loops building per-person lists (not OpenFisca's work).
            "marshalling_float32_seconds": marshalling[0],
            "marshalling_float32_cpu_seconds": marshalling[1],
            "compute_float64_seconds": compute64,
            "total_seconds": time.monotonic() - started,
            "rows": int(len(index)),
            "persons": int(len(foyers["foyer"]) + sum(int(p) - 1 for p in foyers["nb_parents"]) + len(enfants["foyer"])),
        },
        "columns": out,
    }
    with open(target, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float32_only="--float32-only" in sys.argv[3:], timing_only="--timing-only" in sys.argv[3:])
