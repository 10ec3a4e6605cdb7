"""The job of one (partition, month): its accounts are the branches' rules over the month's events, and they add up."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from secu import branches
from secu.batch import jobs
from secu.batch.jobs import CHARGE, PRODUIT
from secu.core.errors import InvalidField
from secu.especes import comptes as especes_comptes
from secu.famille import comptes as famille_comptes
from secu.maladie import comptes as maladie_comptes
from secu.recouvrement import comptes as recouvrement_comptes
from secu.retraite import comptes as retraite_comptes

MARS = date(2025, 3, 1)
SEED = 11


def _partitions(dataset: Path) -> int:
    return int(json.loads((dataset / "manifest.json").read_text())["partitions"])


def _tables(dataset: Path, part: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return (
        pl.read_parquet(jobs.partition_path(dataset, "personnes", part)),
        pl.read_parquet(jobs.partition_path(dataset, "foyers", part)),
        pl.read_parquet(dataset / "employeurs.parquet"),
        pl.read_parquet(dataset / "professionnels.parquet"),
    )


def _all(dataset: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    parts = [_tables(dataset, p) for p in range(_partitions(dataset))]
    return (pl.concat([p[0] for p in parts]), pl.concat([p[1] for p in parts]), parts[0][2], parts[0][3])


def _amount(accounts: pl.DataFrame, **where: str) -> int:
    rows = accounts.filter(*(pl.col(k) == v for k, v in where.items()))
    return int(rows["montant_cents"].sum())


@pytest.fixture(scope="module")
def mars(dataset: Path) -> pl.DataFrame:
    return jobs.mois(dataset, 0, MARS, SEED)


def test_the_accounts_frame_follows_the_contract(dataset: Path, mars: pl.DataFrame) -> None:
    assert _partitions(dataset) == 2
    assert dict(mars.schema) == jobs.SCHEMA
    assert mars["mois"].unique().to_list() == [MARS]
    assert set(mars["sens"].unique()) == {PRODUIT, CHARGE}
    assert mars.select("branche", "sens", "poste").is_unique().all()  # one row per line
    assert (mars["montant_cents"] >= 0).all() and (mars["volume"] > 0).all()
    # Every branch of the régime général earns something (AT/MP: when the employers have a rate); maladie and
    # famille pay something.
    atmp_rates = bool((pl.read_parquet(dataset / "employeurs.parquet")["taux_atmp"].cast(pl.Float64) > 0).any())
    for branche in (b.code for b in branches.simulees()):
        if branche != "atmp" or atmp_rates:
            assert _amount(mars, branche=branche, sens=PRODUIT) > 0, branche
    assert _amount(mars, branche="maladie", sens=CHARGE, poste="soins.rembourse") > 0
    assert _amount(mars, branche="famille", sens=CHARGE) > 0
    # The same task gives the same frame (the engines rely on it).
    assert jobs.mois(dataset, 0, MARS, SEED).equals(mars)


def test_recouvrement_produits_are_the_payslips_contributions(dataset: Path, mars: pl.DataFrame) -> None:
    from secu.recouvrement import rules
    from secu.synth import evenements

    personnes, _, employeurs, _ = _tables(dataset, 0)
    payslips = pl.concat([evenements.paie(personnes, employeurs, date(2025, m, 1), SEED) for m in (1, 2, 3)], how="vertical_relaxed")
    lines = rules.contributions(payslips).filter(pl.col("mois") == MARS)
    due = int((lines["montant_salarial_cents"] + lines["montant_patronal_cents"]).sum())
    # The CRDS withheld on benefits (crds.prestations, crds.ij_*, crds.pensions) and the CASA withheld on pensions are not
    # payslip contributions.
    produits = mars.filter((pl.col("sens") == PRODUIT) & ~pl.col("poste").str.starts_with("crds.") & (pl.col("poste") != "casa"))
    # Every cent of every line lands with one recipient (réduction générale charged, CSG split, nothing lost).
    assert int(produits["montant_cents"].sum()) == due
    # The CSG, split among maladie, autonomie, famille, Unédic and CADES, is the CSG of the lines.
    csg = lines.filter(pl.col("attributaire") == "csg")
    assert _amount(mars, poste="csg") == int((csg["montant_salarial_cents"] + csg["montant_patronal_cents"]).sum())
    assert _amount(mars, branche="vieillesse", poste="csg") == 0
    # The CRDS on salaries goes to the CADES, the FNAL to the State.
    crds = lines.filter(pl.col("code") == "crds")
    assert _amount(mars, branche="cades", poste="crds") == int(crds["montant_salarial_cents"].sum())
    assert _amount(mars, branche="etat", poste="fnal") > 0
    assert produits.filter(pl.col("branche") == "maladie")["volume"].to_list()[0] == payslips.filter(pl.col("mois") == MARS).height


def test_famille_charges_are_the_rights_of_the_month(dataset: Path, mars: pl.DataFrame) -> None:
    from secu.famille.rules import droits, par_prestation
    from secu.synth import evenements

    personnes, foyers, _, _ = _tables(dataset, 0)
    paid = par_prestation(droits(*evenements.famille(personnes, foyers, MARS)))
    assert _amount(mars, branche="famille", sens=CHARGE) + _amount(mars, branche="etat", poste="prestations.aah") == int(paid["brut"].sum())
    assert _amount(mars, branche="cades", poste="crds.prestations") == int(paid["crds"].sum())
    by_benefit = paid.group_by(pl.col("prestation").cast(pl.String)).agg(pl.col("brut").sum(), pl.len())
    for row in by_benefit.iter_rows(named=True):
        branche = "etat" if row["prestation"] == "aah" else "famille"
        line = mars.filter((pl.col("branche") == branche) & (pl.col("poste") == f"prestations.{row['prestation']}"))
        assert (line["montant_cents"].item(), line["volume"].item()) == (row["brut"], row["len"])


def test_the_country_is_the_sum_of_its_partitions(dataset: Path) -> None:
    # Households never straddle partitions, the yearly caps are per person and the réduction générale is charged
    # payslip by payslip: the rules over all the partitions' events at once give the sum of the partitions'
    # accounts — exactly, but for two splits made on each task's total: the CSG among its recipients
    # (CSS L131-8), rounded once per partition (a cent per recipient and partition at most), and the réductions
    # of payslips that have no contribution of their own to bear them (pooled on the task's contributions).
    from secu.synth import evenements, retraites

    count = _partitions(dataset)
    tables = [_tables(dataset, p) for p in range(count)]
    months = [date(2025, m, 1) for m in (1, 2, 3)]
    claims = pl.concat([evenements.soins(t[0], t[3], m, SEED) for t in tables for m in months], how="vertical_relaxed")
    payslips = pl.concat([evenements.paie(t[0], t[2], m, SEED) for t in tables for m in months], how="vertical_relaxed")
    frames = [evenements.famille(t[0], t[1], MARS) for t in tables]
    arrets = pl.concat([evenements.arrets(t[0], 2025, SEED) for t in tables])
    invalides = pl.concat([evenements.invalides(t[0], 2025, SEED) for t in tables])
    retirees = pl.concat([retraites.retraites(t[0], 2025, SEED) for t in tables])
    survivors = pl.concat([retraites.reversions(t[0], t[1], 2025, SEED) for t in tables])
    whole = jobs.total(pl.concat([
        maladie_comptes.comptes_des_lignes(claims, MARS),
        recouvrement_comptes.comptes_des_bulletins(payslips, MARS),
        famille_comptes.comptes_des_droits(pl.concat([f[0] for f in frames]), pl.concat([f[1] for f in frames]), MARS),
        especes_comptes.comptes_des_arrets(arrets, MARS).filter(pl.col("mois") == MARS),
        especes_comptes.comptes_des_invalides(invalides, MARS).filter(pl.col("mois") == MARS),
        retraite_comptes.comptes_des_retraites(retirees, survivors, pl.concat([t[0] for t in tables]), pl.concat([t[1] for t in tables]), [MARS]),
    ]))
    parts = jobs.total(pl.concat([jobs.mois(dataset, p, MARS, SEED) for p in range(count)]))
    keys = ["branche", "mois", "sens", "poste"]
    both = parts.join(whole, on=keys, how="full", coalesce=True, suffix="_pays")
    assert both.height == parts.height == whole.height
    from secu.recouvrement import rules

    lines = rules.contributions(payslips).filter(pl.col("mois") == MARS)
    reduced = lines.filter(pl.col("code").cast(pl.String).is_in(["maladie", "vieillesse_plafonnee", "vieillesse_deplafonnee",
                                                                "allocations_familiales", "atmp", "csa", "fnal", "chomage",
                                                                "agirc_arrco_t1", "ceg_t1"]) & (pl.col("montant_patronal_cents") > 0))
    pooled = -int(lines.filter((pl.col("code") == "reduction_generale") & ~pl.col("bulletin").is_in(reduced["bulletin"].implode()))
                  ["montant_patronal_cents"].sum())
    assert both["volume"].to_list() == both["volume_pays"].to_list()
    difference = (both["montant_cents"] - both["montant_cents_pays"]).abs()
    csg = (both["poste"] == "csg").cast(pl.Int64) * count
    assert (difference <= csg + pooled).all()
    if pooled == 0:  # no pooled réduction: every line but the CSG shares to the cent
        assert (difference <= csg).all()
    for sens in ("produit", "charge"):  # nothing lost or created by any split
        mine = both.filter(pl.col("sens") == sens)
        assert mine["montant_cents"].sum() == mine["montant_cents_pays"].sum()
    # The care and the benefits are exact whatever the recouvrement's splits.
    exact = both.filter(pl.col("poste").str.starts_with("soins.") | pl.col("poste").str.starts_with("prestations.")
                        | pl.col("poste").is_in(["crds.prestations", "crds.ij_maladie", "crds.ij_atmp"]))
    assert exact.height >= 4
    assert exact["montant_cents"].to_list() == exact["montant_cents_pays"].to_list()


def test_the_batch_books_what_a_declaration_of_the_same_payslips_books(dataset: Path) -> None:
    # One rule (secu.recouvrement.rules.financement) for the DSN and the batch: a month of a partition's payslips
    # gives the same réduction imputation and CSG split whether read as one declaration or by the job.
    from secu.recouvrement import financement, rules
    from secu.synth import evenements

    personnes, _, employeurs, _ = _tables(dataset, 0)
    payslips = pl.concat([evenements.paie(personnes, employeurs, date(2025, m, 1), SEED) for m in (1, 2, 3)], how="vertical_relaxed")
    lines = rules.contributions(payslips).filter(pl.col("mois") == MARS)
    assert lines.filter((pl.col("code") == "reduction_generale") & (pl.col("montant_patronal_cents") != 0)).height > 10
    declared = financement.by_recipient(lines)
    got: dict[str, int] = {}
    for r in recouvrement_comptes.comptes_des_bulletins(payslips, MARS).iter_rows(named=True):
        key = f"csg:{r['branche']}" if r["poste"] == "csg" else recouvrement_comptes.RECIPIENTS_BY_LINE[(r["branche"], r["poste"])]
        got[key] = got.get(key, 0) + r["montant_cents"]
    assert got == declared


def test_the_months_add_up_to_the_half_year(dataset: Path) -> None:
    # Each month is computed with the year's earlier events (plafonds, réduction générale, yearly caps of the
    # participations), so twelve monthly jobs give what one pass over the whole year gives, to the cent.
    from secu.maladie.batch import liquidate_public
    from secu.recouvrement import rules
    from secu.synth import evenements

    personnes, _, employeurs, professionnels = _tables(dataset, 1)
    year = [date(2025, m, 1) for m in range(1, 7)]  # half a year: the caps and the réduction cumulate already
    data = jobs.partition(dataset, 1, year[0], SEED)
    monthly = pl.concat([maladie_comptes.du_mois(data, m) for m in year] + [recouvrement_comptes.du_mois(data, m) for m in year])
    claims = pl.concat([evenements.soins(personnes, professionnels, m, SEED) for m in year], how="vertical_relaxed")
    liquidated = liquidate_public(claims.with_row_index("__ligne"))
    assert _amount(monthly, poste="soins.rembourse") == int(liquidated["rembourse"].to_physical().sum())
    payslips = pl.concat([evenements.paie(personnes, employeurs, m, SEED) for m in year], how="vertical_relaxed")
    lines = rules.contributions(payslips)
    assert _amount(monthly, sens=PRODUIT) == int((lines["montant_salarial_cents"] + lines["montant_patronal_cents"]).sum())


def test_the_year_job_equals_the_monthly_jobs(dataset: Path) -> None:
    # `annee` (what a simulated year runs: one pass per partition) gives, month by month, what `mois` gives.
    juin = date(2025, 6, 1)
    year = jobs.annee(dataset, 0, juin, SEED)
    assert sorted(year["mois"].unique().to_list()) == [date(2025, m, 1) for m in range(1, 7)]
    monthly = jobs.total(pl.concat([jobs.mois(dataset, 0, date(2025, m, 1), SEED) for m in range(1, 7)]))
    assert year.equals(monthly)


def test_a_missing_partition_or_a_bad_month_is_refused(dataset: Path) -> None:
    with pytest.raises(InvalidField) as error:
        jobs.mois(dataset, 99, MARS, SEED)
    assert error.value.field == "dataset" and "absent" in error.value.message
    with pytest.raises(InvalidField) as error:
        jobs.mois(dataset, 0, date(2025, 3, 15), SEED)
    assert error.value.field == "mois" and "premier jour" in error.value.message
