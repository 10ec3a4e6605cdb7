"""The synthetic France's retirees: deterministic, calibrated to the CNAV's counts, careers the pension rule can read.

The published counts (calibration.yaml, section retraite): 14,7 M retraites personnelles and 2,8 M pensions de
réversion at the régime général on 31 December 2024 (CNAV, chiffres clés 2024), 88 % of women among the
réversions and 691 000 allocataires du minimum vieillesse (DREES, Les retraités et les retraites 2024).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from secu.core.parameters import parameters
from secu.synth import retraites
from secu.synth.generator import synthesize

PEOPLE, SIZE, SEED, YEAR = 40_000, 20_000, 7, 2025
POPULATION = 68_606_000  # INSEE, 1 January 2025 (calibration.yaml, population.reference)


@pytest.fixture(scope="module")
def partitions(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    out = tmp_path_factory.mktemp("synth-retraite") / "ds"
    synthesize(out, PEOPLE, seed=SEED, annee=YEAR, partition_size=SIZE)
    return [(pl.read_parquet(out / "personnes" / f"part-{k:05d}.parquet"), pl.read_parquet(out / "foyers" / f"part-{k:05d}.parquet"))
            for k in range(2)]


def test_the_same_people_and_seed_give_the_same_retirees(partitions: list[tuple[pl.DataFrame, pl.DataFrame]]) -> None:
    personnes, foyers = partitions[0]
    first = retraites.retraites(personnes, YEAR, SEED)
    assert first.equals(retraites.retraites(personnes, YEAR, SEED))
    assert not first.equals(retraites.retraites(personnes, YEAR, SEED + 1))
    assert retraites.reversions(personnes, foyers, YEAR, SEED).equals(retraites.reversions(personnes, foyers, YEAR, SEED))
    assert list(first.schema.items()) == list(retraites.RETRAITE_SCHEMA.items())


def test_the_counts_are_the_published_ones(partitions: list[tuple[pl.DataFrame, pl.DataFrame]]) -> None:
    droit_propre = reversion = femmes = aspa = 0
    for personnes, foyers in partitions:
        r = retraites.retraites(personnes, YEAR, SEED)
        v = retraites.reversions(personnes, foyers, YEAR, SEED)
        droit_propre += r.height
        reversion += v.height
        femmes += int((v["sexe"] == "2").sum())
        aspa += int(r["aspa"].sum())
        # Retirees are people of the dataset who are retired, and the ASPA's beneficiaries are 65 or over.
        assert set(r["personne"]) <= set(personnes.filter(pl.col("statut") == "retraite")["personne"])
        old = r.filter(pl.col("aspa")).select((pl.lit(date(YEAR, 1, 1)) - pl.col("date_naissance")).dt.total_days() // 365)
        assert old.to_series().min() >= 65
        couples = personnes.filter(pl.col("role") == "conjoint")["foyer"]
        assert not r.filter(pl.col("aspa") & pl.col("foyer").is_in(couples.implode())).height  # alone: the ceiling of one
    # Drawn in each partition for its share of the published count: binomial noise only (a few %).
    assert droit_propre == pytest.approx(14_700_000 / POPULATION * PEOPLE, rel=0.03)
    assert reversion == pytest.approx(2_800_000 / POPULATION * PEOPLE, rel=0.08)
    assert femmes / reversion == pytest.approx(0.88, abs=0.04)
    assert aspa == pytest.approx(691_000 / POPULATION * PEOPLE, abs=2)


def test_each_career_is_one_the_pension_rule_can_read(partitions: list[tuple[pl.DataFrame, pl.DataFrame]]) -> None:
    personnes, foyers = partitions[1]
    legislation = date(2023, 1, 1)  # calibration.yaml, retraite.carriere.legislation
    pass_2023 = int(parameters().get("pss.annuel").at(legislation).number()) * 100
    for frame in (retraites.retraites(personnes, YEAR, SEED), retraites.reversions(personnes, foyers, YEAR, SEED)):
        assert frame.height > 0
        assert (frame["date_effet"] == legislation).all()
        # Departure at 62 or later (the âge légal of the generations the legislation of 2023 sees), and the
        # generation the rule sees is the one that reaches that age on the date d'effet.
        assert frame["age_depart_mois"].min() >= 62 * 12
        assert frame.select(pl.col("naissance").dt.offset_by(pl.format("{}mo", "age_depart_mois")) == pl.col("date_effet")).to_series().all()
        assert ((frame["trimestres_cotises"] <= frame["trimestres_rg"]) & (frame["trimestres_rg"] <= frame["trimestres"])).all()
        assert frame["trimestres_rg"].min() >= 1 and frame["sam"].min() > 0 and frame["sam"].max() <= pass_2023
    # A retiree left the labour market by 1 January: departure at the age reached then, at most.
    r = retraites.retraites(personnes, YEAR, SEED)
    reached = r.select(
        (pl.lit(date(YEAR, 1, 1)).dt.year() - pl.col("date_naissance").dt.year()) * 12
        + (1 - pl.col("date_naissance").dt.month())
    ).to_series()
    assert (r["age_depart_mois"] <= reached).all()


def test_a_partition_without_retirees_gives_empty_frames(partitions: list[tuple[pl.DataFrame, pl.DataFrame]]) -> None:
    personnes, foyers = partitions[0]
    young = personnes.filter(pl.col("statut") != "retraite")
    assert retraites.retraites(young, YEAR, SEED).height == 0
    assert list(retraites.retraites(young.head(0), YEAR, SEED).schema) == list(retraites.RETRAITE_SCHEMA)
    assert retraites.reversions(personnes.head(0), foyers, YEAR, SEED).height == 0


def test_calibration_sources_are_named() -> None:
    from secu.synth.calibration import calibration

    raw = calibration().raw
    for name in ("droit_propre", "reversion", "aspa", "reversion_part_femmes"):
        entry = raw["retraite"][name]
        assert entry["statut"] == "source" and entry["source"] in raw["sources"], name
    assert Path(raw["sources"]["cnav_mico_2020"]["url"]).name == "le-minimum-contributif.html"
