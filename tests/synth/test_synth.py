"""The synthetic France: deterministic, whole households, valid identifiers, calibrated, events the rules accept."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siret as stdnum_siret
from typer.testing import CliRunner

from secu.cli import app
from secu.famille.rules import droits
from secu.maladie.batch import liquidate_public
from secu.recouvrement.rules import compute
from secu.synth.calibration import calibration
from secu.synth.evenements import famille, paie, soins
from secu.synth.generator import Partition, employeurs, generate_partition, professionnels, synthesize

PEOPLE, SIZE, SEED = 3000, 1000, 11


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "ds"
    synthesize(out, PEOPLE, seed=SEED, annee=2025, partition_size=SIZE)
    return out


@pytest.fixture(scope="module")
def sample() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """200,000 people in one partition: what the calibration is checked on."""
    people = 200_000
    emp, pros = employeurs(people, 5), professionnels(people, 5)
    personnes, foyers = generate_partition(Partition(0, people, 0), people, 5, 2025, emp, pros)
    return personnes, foyers, emp, pros


def _read(dataset: Path, table: str) -> pl.DataFrame:
    return pl.read_parquet(sorted((dataset / table).glob("part-*.parquet")))


def test_same_seed_same_bytes_other_seed_other_people(dataset: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    synthesize(again, PEOPLE, seed=SEED, annee=2025, partition_size=SIZE)
    assert _digest(again) == _digest(dataset)
    other = tmp_path / "other"
    synthesize(other, PEOPLE, seed=SEED + 1, annee=2025, partition_size=SIZE)
    assert _digest(other)["personnes/part-00000.parquet"] != _digest(dataset)["personnes/part-00000.parquet"]


def test_layout_counts_and_whole_households(dataset: Path) -> None:
    meta = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
    assert meta["complet"] and meta["people"] == PEOPLE and meta["partitions"] == 3
    assert meta["calibration"]["population"]["naissances_par_an"]["source"] == "insee_bilan_2024"
    foyers_seen: set[int] = set()
    for part in range(3):
        p = pl.read_parquet(dataset / "personnes" / f"part-{part:05d}.parquet")
        f = pl.read_parquet(dataset / "foyers" / f"part-{part:05d}.parquet")
        assert p.height == SIZE
        # Every member's household is in the same partition, and no household is in two partitions.
        assert set(p["foyer"].unique()) == set(f["foyer"])
        assert not foyers_seen & set(f["foyer"])
        foyers_seen |= set(f["foyer"])
        roles = p.group_by("foyer").agg((pl.col("role") == "allocataire").sum().alias("a"),
                                        (pl.col("role") == "conjoint").sum().alias("c"))
        assert (roles["a"] == 1).all()
        assert roles.join(f, on="foyer").select((pl.col("c") + 1 == pl.col("nb_parents")).all()).item()
    personnes = _read(dataset, "personnes")
    assert personnes["personne"].is_unique().all()


def test_identifiers_are_valid_and_unique(dataset: Path) -> None:
    personnes = _read(dataset, "personnes")
    nirs = personnes["nir"].to_list()
    assert all(stdnum_nir.is_valid(n) for n in nirs)
    assert len(set(nirs)) == len(nirs)
    # The NIR says the person's sex and month of birth.
    assert personnes.select((pl.col("nir").str.slice(0, 1) == pl.col("sexe")).all()).item()
    assert personnes.select((pl.col("nir").str.slice(3, 2).cast(pl.Int32) == pl.col("date_naissance").dt.month()).all()).item()
    emp = pl.read_parquet(dataset / "employeurs.parquet")
    pros = pl.read_parquet(dataset / "professionnels.parquet")
    assert all(stdnum_siret.is_valid(s) for s in emp["siret"]) and emp["siret"].is_unique().all()
    assert all(len(r) == 11 and luhn.is_valid(r) for r in pros["professionnel"]) and pros["professionnel"].is_unique().all()
    salaries = personnes.filter(pl.col("statut") == "salarie")
    assert salaries["employeur"].is_in(emp["siret"].implode()).all()
    assert personnes["medecin_traitant"].drop_nulls().is_in(pros["professionnel"].implode()).all()


def test_age_pyramid_matches_the_calibration(sample: tuple) -> None:
    personnes = sample[0]
    weights = calibration().age_weights
    born = personnes.filter(pl.col("date_naissance") < date(2025, 1, 1))
    age = born.select((2024 - pl.col("date_naissance").dt.year()).alias("a"))["a"].to_numpy()
    # Broad bands (REPSS 2024) within 0.5 point; every quinquennal band within 8 % of its weight.
    for low, high in ((0, 19), (20, 59), (60, 74), (75, 104)):
        assert abs(((age >= low) & (age <= high)).mean() - weights[low:high + 1].sum()) < 0.005, (low, high)
    for low in range(0, 95, 5):
        expected = weights[low:low + 5].sum()
        assert abs(((age >= low) & (age < low + 5)).mean() / expected - 1) < 0.08, low
    # Births and deaths in the year (INSEE 2024: 663,000 and 646,000 for 68.6 M) within 15 %.
    share_births = (personnes["date_naissance"] >= date(2025, 1, 1)).mean()
    share_deaths = personnes["date_deces"].is_not_null().mean()
    assert abs(share_births / (663_000 / 68_606_000) - 1) < 0.15
    assert abs(share_deaths / (646_000 / 68_606_000) - 1) < 0.15


def test_pay_deciles_match_insee(sample: tuple) -> None:
    personnes = sample[0]
    cal = calibration()
    ratio = cal.raw["salaires"]["brut_sur_net"]["valeur"]
    net = personnes.filter(pl.col("statut") == "salarie")["salaire_brut_mensuel"].to_numpy() / 100 / ratio
    d1, d5, d9, p99 = np.percentile(net, [10, 50, 90, 99])
    # INSEE Première n° 2020: D1 1 512, median 2 183, D9 4 302, P99 10 222 € net.
    assert abs(d1 / 1512 - 1) < 0.03 and abs(d5 / 2183 - 1) < 0.03 and abs(d9 / 4302 - 1) < 0.03
    assert abs(p99 / 10222 - 1) < 0.06
    # The SMIC floor makes a mass point: nobody under it, a few percent exactly on it.
    smic = personnes.filter(pl.col("statut") == "salarie")["salaire_brut_mensuel"].min()
    on_floor = (personnes.filter(pl.col("statut") == "salarie")["salaire_brut_mensuel"] == smic).mean()
    assert smic == 180184 and 0.02 < on_floor < 0.10  # 11.88 €/h × 151.67 h = 1 801.84 € in January 2025


def test_households_activity_and_health_shares(sample: tuple) -> None:
    personnes, foyers = sample[0], sample[1]
    assert abs(personnes.height / foyers.height - 2.15) < 0.1  # RP 2022 mean household size
    age = 2024 - personnes["date_naissance"].dt.year().to_numpy()
    statut = personnes["statut"].to_numpy()
    working_age = (age >= 15) & (age <= 64)
    employment = np.isin(statut[working_age], ["salarie", "independant"]).mean()
    assert abs(employment - 0.688) < 0.015  # INSEE 2024
    assert abs(personnes["ald"].mean() - 0.18) < 0.01  # REPSS: 18 % in ALD
    ald_age = age[personnes["ald"].to_numpy()].mean()
    assert abs(ald_age - 63) < 1.5  # ameli: mean age 63
    assert abs(personnes["c2s"].mean() - 7_700_000 / 68_606_000) < 0.005  # DSS: 7.7 M in C2S
    salaries = personnes.filter(pl.col("statut") == "salarie")
    assert abs(salaries["arret_debut"].is_not_null().mean() - 5.9 / 21) < 0.02  # DREES: 5.9 M of 21 M
    assert abs((salaries["heures_mensuelles"].cast(pl.Float64) < 151.67).mean() - 0.176) < 0.015  # part time 17.6 %
    assert abs(personnes["soins_propension"].mean() - 1) < 0.02


def test_claims_are_valid_input_and_a_year_costs_the_right_order(sample: tuple) -> None:
    personnes, _, _, pros = sample
    people = personnes.head(6000)
    lines = [soins(people, pros, date(2025, m, 1), 3) for m in range(1, 13)]
    assert lines[0].equals(soins(people, pros, date(2025, 1, 1), 3))  # pure: same inputs, same lines
    assert lines[0].select(pl.col("nir").is_sorted()).item()
    out = pl.concat([liquidate_public(frame.with_row_index("__ligne")) for frame in lines])
    assert out["rejet"].null_count() == out.height  # every line liquidated, none rejected
    assert set(out["acte"].unique()) >= {"G", "CS", "AMI", "AMK", "B", "PH4", "PH7", "GHS", "FJH"}
    # Boxes in calibration.yaml's shares, keyed by the nomenclature's codes (SNDS ER_PHA_F: PH7 65 %, PH4 30 %,
    # PH2 15 %, PH1 100 %), and 65 % is the most common rate of a box.
    shares = dict(out.filter(pl.col("acte").str.starts_with("PH"))["acte"].value_counts(normalize=True).iter_rows())
    for code, share in {"PH7": 0.62, "PH4": 0.18, "PH2": 0.06, "PH1": 0.14}.items():
        assert abs(shares[code] - share) < 0.02, (code, shares)
    per_head = out.group_by(pl.col("acte").is_in(["GHS", "FJH"]).alias("hopital")).agg(
        (pl.col("rembourse").sum().cast(pl.Float64) / people.height).alias("euros")).sort("hopital")["euros"].to_list()
    # Soins de ville the rules cover (doctors' consultations, auxiliaries, biology, drugs): ONDAM 2025 soins de
    # ville is 1 650 €/inhabitant, of which these are about half (no IJ, dentists, devices, transport, CCAM).
    assert 450 < per_head[0] < 1_200, per_head
    assert 300 < per_head[1] < 1_500, per_head  # hospital stays: MCO 2025 ≈ 1 200 €/inhabitant all included
    # About two thirds of the reimbursements go to the 18 % in ALD (REPSS: 65 %).
    ald_nirs = people.filter(pl.col("ald"))["nir"].implode()
    share = out.filter(pl.col("nir").is_in(ald_nirs))["rembourse"].sum() / out["rembourse"].sum()
    assert 0.5 < float(share) < 0.8


def test_payslips_go_through_the_contribution_rules(sample: tuple) -> None:
    personnes, _, emp, _ = sample
    people = personnes.head(5000)
    slips = paie(people, emp, date(2025, 3, 1), 3)
    assert slips.equals(paie(people, emp, date(2025, 3, 1), 3))
    assert slips.height == people.filter(pl.col("statut") == "salarie", pl.col("date_deces").is_null()
                                         | (pl.col("date_deces") >= date(2025, 3, 1))).height
    result = compute(slips)
    assert result.height == slips.height and slips["bulletin"].is_unique().all()
    # A full-time month without arrêt pays at least the SMIC of the month.
    full = slips.filter(pl.col("heures_contrat").is_null()).join(
        people.select(pl.col("personne").cast(pl.String).alias("salarie"), "arret_debut"), on="salarie")
    assert (full.filter(pl.col("arret_debut").is_null())["brut_cents"] >= 180184).all()


def test_family_frames_go_through_the_family_rules(sample: tuple) -> None:
    personnes, foyers, _, _ = sample
    people = personnes.head(5000)
    f, e = famille(people, foyers, date(2025, 6, 1))
    rights = droits(f, e)
    assert rights.height == f.height
    # AF only for households with at least two children; some households get them.
    kids = e.group_by("foyer").len()
    paid = rights.filter(pl.col("af") > 0).join(kids, on="foyer", how="left")
    assert paid.height > 0 and (paid["len"] >= 2).all()


def test_refusals_in_french_with_exit_code_2(dataset: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["synth", "--people", "0", "--out", str(tmp_path / "a")])
    assert result.exit_code == 2 and "au moins 1" in result.output
    result = runner.invoke(app, ["synth", "--people", "90000000", "--out", str(tmp_path / "b")])
    assert result.exit_code == 2 and "invraisemblable" in result.output
    before = _digest(dataset)
    result = runner.invoke(app, ["synth", "--people", "2000", "--seed", str(SEED), "--partition-size", str(SIZE),
                                 "--out", str(dataset), "--sans-progression"])
    assert result.exit_code == 2 and "autre jeu de données" in result.output and "rien n'est écrasé" in result.output
    assert _digest(dataset) == before
    stranger = tmp_path / "c"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("à garder", encoding="utf-8")
    result = runner.invoke(app, ["synth", "--people", "10", "--out", str(stranger)])
    assert result.exit_code == 2 and "n'est pas vide" in result.output
    assert sorted(p.name for p in stranger.iterdir()) == ["notes.txt"]


def test_cli_writes_a_dataset(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["synth", "--people", "500", "--out", str(tmp_path / "d"), "--sans-progression"])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(tmp_path / "d" / "personnes" / "part-00000.parquet").height == 500
