"""Batch liquidation: CSV and Parquet round trips, exact euros, lots that keep a person's lines together, the command."""

from __future__ import annotations

import io
import os
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from secu.cli import app
from secu.core.errors import InvalidField
from secu.maladie import batch
from secu.maladie.batch import BORNES, MONEY_OUT, PUBLIC_REQUIRED, liquidate_file, liquidate_public, to_rules

HEADER = "nir,date_naissance,sexe,date_soins,professionnel,acte,quantite,montant,base_unitaire,parcours,ald,maternite,atmp,c2s"
CSV = f"""{HEADER}
1850575115001,1985-05-01,1,2025-03-10,10003456786,G,1,30.00,,true,false,false,false,false
1850575115001,1985-05-01,1,2025-03-10,pharmacie,PH4,2,"10,00","5,00",oui,non,non,non,non
2900175115002,1990-01-01,2,2024-05-14,10003456786,G,1,26.50,,1,0,0,0,0
2900175115002,1990-01-01,2,2024-05-15,10003456786,G,1,35,,1,0,0,0,0
2900175115002,1990-01-01,2,2024-05-15,10003456786,ZZZ,1,35,,1,0,0,0,0
2900175115002,1990-01-01,2,2024-05-16,10003456786,G,1,12.345,,1,0,0,0,0
2900175115002,1990-01-01,2,2024-05-17,10003456786,G,1,30,,peut-être,0,0,0,0
"""


def test_csv_round_trip(tmp_path: Path) -> None:
    source, target = tmp_path / "lignes.csv", tmp_path / "resultat.csv"
    source.write_text(CSV, encoding="utf-8")
    summary = liquidate_file(source, target)
    assert (summary.lignes, summary.rejetees, summary.lots) == (7, 3, 1)
    out = pl.read_csv(target, infer_schema=False)
    assert out.columns[: len(PUBLIC_REQUIRED) + 1] == ["ligne", *PUBLIC_REQUIRED]
    assert set(MONEY_OUT.values()) | {"taux", "exoneration", "paye_a", "rejet", "motif"} <= set(out.columns)
    # PH4 (30 %, nomenclature of the SNDS): 2 boxes at 5 € → 3 € − franchise 2 × 1 € = 1 €
    assert out["rembourse"].to_list() == ["19.00", "1.00", "17.55", "16.55", "0.00", "0.00", "0.00"]
    assert out["participation_forfaitaire"].to_list()[:4] == ["2.00", "0.00", "1.00", "2.00"]
    assert out["franchise"].to_list()[1] == "2.00"
    assert out["taux"].to_list()[0] == "0.7000"
    assert out["rejet"].to_list()[4:] == ["ACTE_INCONNU", "FORMAT", "FORMAT"]
    assert out["motif"].to_list()[5:] == ["valeur illisible dans la colonne montant", "valeur illisible dans la colonne parcours"]
    assert out["montant"].to_list()[1] == "10,00"  # the input columns come back as given
    assert summary.rembourse_cents == 1900 + 100 + 1755 + 1655


PHARMACIE = f"""{HEADER}
1850575115001,1985-05-01,1,2025-03-10,pharmacie,PH1,1,100.00,100.00,oui,non,non,non,non
1850575115001,1985-05-01,1,2025-03-10,pharmacie,PH7,1,100.00,100.00,oui,non,non,non,non
1850575115001,1985-05-01,1,2025-03-10,pharmacie,PH4,1,100.00,100.00,oui,non,non,non,non
1850575115001,1985-05-01,1,2025-03-10,pharmacie,PH2,1,100.00,100.00,oui,non,non,non,non
"""


def test_secu_liquidate_gives_the_pharmacy_codes_the_rates_of_the_nomenclature(tmp_path: Path) -> None:
    """Nomenclature nationale des codes de prestation (documentation du SNDS, table ER_PHA_F) : 3311 (PH1)
    pharmacie 100 %, 3313 (PH7) 65 %, 3312 (PH4) 30 %, 3341 (PH2) 15 % (CSS R160-5, R322-1). A 100 € box each;
    the franchise is 1 € a box (décret n° 2024-114)."""
    source, target = tmp_path / "pharmacie.csv", tmp_path / "resultat.csv"
    source.write_text(PHARMACIE, encoding="utf-8")
    result = CliRunner().invoke(app, ["liquidate", str(source), "--out", str(target), "--sans-progression"])
    assert result.exit_code == 0, result.output
    out = pl.read_csv(target, infer_schema=False)
    assert out["taux"].to_list() == ["1.0000", "0.6500", "0.3000", "0.1500"]
    assert out["montant_amo"].to_list() == ["100.00", "65.00", "30.00", "15.00"]
    assert out["rembourse"].to_list() == ["99.00", "64.00", "29.00", "14.00"]


def test_parquet_round_trip_with_exact_decimals(tmp_path: Path) -> None:
    source, target = tmp_path / "lignes.parquet", tmp_path / "resultat.parquet"
    public = pl.read_csv(CSV.encode(), infer_schema=False).head(4).with_columns(
        pl.col("montant").str.replace(",", ".").cast(pl.Decimal(12, 2)),
        pl.col("base_unitaire").str.replace(",", ".").cast(pl.Decimal(12, 2)),
        pl.col("date_naissance", "date_soins").str.to_date(),
        pl.col("quantite").cast(pl.Int32),
        pl.col("parcours", "ald", "maternite", "atmp", "c2s").replace_strict({"true": True, "oui": True, "1": True}, default=False),
    )
    public.write_parquet(source)
    liquidate_file(source, target)
    out = pl.read_parquet(target)
    assert out.schema["rembourse"] == pl.Decimal(18, 2) and out.schema["montant"] == pl.Decimal(12, 2)
    assert out["rembourse"].to_list() == [Decimal("19.00"), Decimal("1.00"), Decimal("17.55"), Decimal("16.55")]
    assert out["base_remboursement"].to_list() == [Decimal("30.00"), Decimal("10.00"), Decimal("26.50"), Decimal("26.50")]
    assert out["depassement"].to_list()[3] == Decimal("8.50")


def test_money_as_floats_and_missing_columns_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "lignes.parquet"
    pl.read_csv(CSV.encode(), infer_schema=False).head(1).with_columns(pl.col("montant").cast(pl.Float64)).write_parquet(source)
    with pytest.raises(InvalidField) as floats:
        liquidate_file(source, tmp_path / "out.parquet")
    assert floats.value.field == "montant" and "virgule flottante" in floats.value.message
    pl.read_csv(CSV.encode(), infer_schema=False).drop("acte").write_parquet(source)
    with pytest.raises(InvalidField) as missing:
        liquidate_file(source, tmp_path / "out.parquet")
    assert missing.value.field == "acte"
    with pytest.raises(InvalidField):
        liquidate_file(source, tmp_path / "out.json")


def _euro_text(cents: int, comma: bool, decimals: int) -> str:
    euros, rest = divmod(cents, 100)
    if decimals == 0:
        assert rest == 0
        return str(euros)
    text = f"{euros}.{rest:02d}" if decimals == 2 else f"{euros}.{rest // 10}"
    return text.replace(".", ",") if comma else text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=10**13), st.booleans(), st.sampled_from([0, 1, 2])), min_size=1, max_size=30))
def test_euros_to_cents_and_back_are_exact(values: list[tuple[int, bool, int]]) -> None:
    cents = [c - c % 100 if d == 0 else (c - c % 10 if d == 1 else c) for c, _, d in values]
    texts = [_euro_text(c, comma, d) for c, (_, comma, d) in zip(cents, values, strict=True)]
    public = pl.DataFrame({name: ["x"] * len(texts) for name in PUBLIC_REQUIRED}).with_columns(
        pl.Series("montant", texts), pl.Series("base_unitaire", texts), pl.lit("2025-01-01").alias("date_soins"),
        pl.lit("1980-01-01").alias("date_naissance"), pl.lit("1").alias("quantite"),
        *(pl.lit("0").alias(f) for f in ("parcours", "ald", "maternite", "atmp", "c2s")),
    ).with_row_index("__ligne")
    parsed = to_rules(public.lazy()).collect()
    assert parsed["montant_cents"].to_list() == cents  # read exactly, even beyond the bound…
    beyond = "valeur hors limites dans la colonne montant"  # …where the line is rejected, not liquidated
    assert parsed["__format"].to_list() == [None if c <= BORNES["montant"] else beyond for c in cents]
    decimals = public.select(pl.col("montant").str.replace(",", ".").cast(pl.Decimal(18, 2))).to_series()
    from_decimal = to_rules(public.with_columns(decimals.alias("montant")).lazy()).collect()["montant_cents"]
    assert from_decimal.to_list() == cents
    back = pl.DataFrame({"c": pl.Series(cents, dtype=pl.Int64)}).select(
        (pl.col("c").cast(pl.Decimal(20, 0)) * pl.lit(Decimal("0.01"))).cast(pl.Decimal(18, 2))
    ).to_series()
    assert [d * 100 for d in back.to_list()] == cents


def test_unreadable_amounts_are_flagged_not_guessed() -> None:
    texts = ["12.345", "1e3", "12.", ",5", "abc", "1 234,56", "", None]
    public = pl.DataFrame({name: ["0"] * len(texts) for name in PUBLIC_REQUIRED}).with_columns(
        pl.Series("montant", texts, dtype=pl.String), pl.lit(None, dtype=pl.String).alias("base_unitaire"),
        pl.lit("2025-01-01").alias("date_soins"), pl.lit("1980-01-01").alias("date_naissance"),
    ).with_row_index("__ligne")
    parsed = to_rules(public.lazy()).collect()
    assert parsed["montant_cents"].to_list() == [None] * len(texts)
    assert parsed["__format"].to_list() == ["valeur illisible dans la colonne montant"] * 6 + [None, None]  # empty is missing: the rules reject it


def _population(lines: int, persons: int, seed: int) -> pl.DataFrame:
    rnd = random.Random(seed)
    acts = [("G", None, "30.00"), ("PH4", "7.00", "14.00"), ("AMI", None, "3.15"), ("TAX", "40.00", "40.00"), ("B", None, "0.27")]
    rows = []
    for _ in range(lines):
        person = rnd.randrange(persons)
        acte, unit, amount = rnd.choice(acts)
        rows.append({
            "nir": f"1{person:012d}", "date_naissance": "1970-01-01", "sexe": "1",
            "date_soins": (date(2024, 1, 1) + timedelta(days=rnd.randrange(40))).isoformat(),
            "professionnel": rnd.choice(["m1", "m2", "ph"]), "acte": acte, "quantite": "1", "montant": amount,
            "base_unitaire": unit or "", "parcours": "1", "ald": "0", "maternite": "0", "atmp": "0", "c2s": "0",
        })
    return pl.DataFrame(rows)


def test_lots_keep_a_persons_lines_together_sorted_or_not(tmp_path: Path) -> None:
    population = _population(600, 7, seed=5)  # ~85 lines a person over 40 days: the yearly caps bite
    one_lot, sorted_lots, partitions = tmp_path / "un.parquet", tmp_path / "tranches.parquet", tmp_path / "partitions.parquet"
    sorted_source, shuffled_source = tmp_path / "tries.parquet", tmp_path / "melanges.parquet"
    population.sort("nir", "date_soins", maintain_order=True).write_parquet(sorted_source)
    population.write_parquet(shuffled_source)
    assert liquidate_file(sorted_source, one_lot).strategie == "lot unique"
    summary = liquidate_file(sorted_source, sorted_lots, lignes_par_lot=37)
    assert summary.strategie == "tranches triées par nir" and summary.lots > 5
    reference = pl.read_parquet(one_lot)
    assert pl.read_parquet(sorted_lots).equals(reference)  # same rows, same order
    summary = liquidate_file(shuffled_source, partitions, lignes_par_lot=150)
    assert summary.strategie == "partitions par nir" and 1 <= summary.lots <= 4
    # Partitions keep input order inside each person; the caps follow date then input order — compare per person-date-total.
    shuffled_one = tmp_path / "melanges-un.parquet"
    liquidate_file(shuffled_source, shuffled_one)
    expected = pl.read_parquet(shuffled_one).sort("ligne")
    got = pl.read_parquet(partitions).sort("ligne")
    assert got.equals(expected)
    paid = expected.group_by("nir").agg(pl.col("participation_forfaitaire").sum().cast(pl.Decimal(18, 2)))
    assert (paid["participation_forfaitaire"] <= Decimal("50.00")).all()


def test_the_command(tmp_path: Path) -> None:
    source, target = tmp_path / "lignes.csv", tmp_path / "resultat.parquet"
    source.write_text(CSV, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["liquidate", str(source), "--out", str(target), "--sans-progression"])
    assert result.exit_code == 0, result.output
    assert "7 ligne(s)" in result.output and "3 rejetée(s)" in result.output
    assert pl.read_parquet(target).height == 7
    with_bar = runner.invoke(app, ["liquidate", str(source), "--out", str(tmp_path / "r.csv")])
    assert with_bar.exit_code == 0, with_bar.output
    bad = runner.invoke(app, ["liquidate", str(source), "--out", str(tmp_path / "r.txt")])
    assert bad.exit_code == 2 and "extension" in bad.output


def test_liquidate_public_keeps_line_numbers() -> None:
    public = pl.read_csv(CSV.encode(), infer_schema=False).with_row_index("__ligne")
    out = liquidate_public(public)
    assert out["ligne"].to_list() == list(range(7))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1), min_size=1, max_size=50))
def test_cents_become_exact_euros(cents: list[int]) -> None:
    # The batch writes euros by reinterpreting the cents as the Decimal's unscaled integer: exact, no multiplication.
    from secu.core.money import from_cents, from_cents_expr

    out = pl.DataFrame({"c": cents}, schema={"c": pl.Int64}).select(from_cents_expr(pl.col("c")))["c"]
    assert out.dtype == pl.Decimal(18, 2)
    assert out.to_list() == [from_cents(c) for c in cents]


# -- files that are not what they should be (issue 12, defect 8): a French refusal, or the bad lines rejected alone ----

GOOD = "1850575115001,1985-05-01,1,2025-03-10,10003456786,G,1,30.00,,true,false,false,false,false"


def _liquidated(tmp_path: Path, content: bytes, suffix: str = ".csv") -> pl.DataFrame:
    source, target = tmp_path / f"lignes{suffix}", tmp_path / "resultat.parquet"
    source.write_bytes(content)
    result = CliRunner().invoke(app, ["liquidate", str(source), "--out", str(target), "--sans-progression"])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    return pl.read_parquet(target).select("ligne", "montant", "rembourse", "rejet", "motif")


def _rejections(out: pl.DataFrame) -> list[tuple[int, str | None]]:
    return [(row["ligne"], row["motif"] if row["rejet"] == "FORMAT" else None) for row in out.iter_rows(named=True)]


def test_bytes_that_are_not_utf8_reject_their_line_only(tmp_path: Path) -> None:
    latin1 = GOOD.replace("10003456786", "Clément").encode("latin-1")
    out = _liquidated(tmp_path, f"{HEADER}\n{GOOD}\n".encode() + latin1 + f"\n{GOOD}\n".encode())
    assert _rejections(out) == [(0, None), (1, batch.TEXTE_ILLISIBLE), (2, None)]
    assert out["rembourse"].to_list() == [Decimal("19.00"), Decimal("0.00"), Decimal("19.00")]


@pytest.mark.parametrize("bad", [GOOD + ",en,trop", "1850575115001,1985-05-01,1", GOOD.replace(",G,", ',"G,'), GOOD.replace(",G,", ",G\x00,")])
def test_a_ragged_or_broken_line_is_rejected_and_the_others_liquidated(tmp_path: Path, bad: str) -> None:
    """More or fewer fields than the header, a quote never closed, a NUL: that line rejected with its motif, not the file."""
    out = _liquidated(tmp_path, f"{HEADER}\n{GOOD}\n{bad}\n{GOOD}\n".encode())
    motif = batch.TEXTE_ILLISIBLE if "\x00" in bad else batch.LIGNE_MAL_FORMEE
    assert _rejections(out) == [(0, None), (1, motif), (2, None)]
    assert sum(out["rembourse"].to_list()) == Decimal("38.00")


@pytest.mark.parametrize("amount", ["99999999999999999999.99", "92233720368547758.07", "100000.01", "-100000.01"])
def test_a_huge_amount_rejects_its_line(tmp_path: Path, amount: str) -> None:
    """One huge amount used to crash the batch and leave an empty output: it is out of bounds, its line rejected."""
    out = _liquidated(tmp_path, f"{HEADER}\n{GOOD}\n{GOOD.replace('30.00', amount)}\n".encode())
    assert _rejections(out) == [(0, None), (1, "valeur hors limites dans la colonne montant")]
    big = pl.DataFrame({"montant": [Decimal("30.00"), Decimal("9" * 20 + ".00")]}, schema={"montant": pl.Decimal(38, 2)})
    parquet = pl.read_csv(f"{HEADER}\n{GOOD}\n{GOOD}\n".encode(), infer_schema=False).with_columns(big["montant"])
    buffer = io.BytesIO()
    parquet.write_parquet(buffer)
    out = _liquidated(tmp_path, buffer.getvalue(), ".parquet")
    assert _rejections(out) == [(0, None), (1, "valeur hors limites dans la colonne montant")]


def test_a_quantity_or_coefficient_out_of_bounds_rejects_its_line(tmp_path: Path) -> None:
    lines = [GOOD.replace(",G,1,", ",G,1000,"), GOOD.replace(",G,1,", ",G,99999999999999999999,")]
    out = _liquidated(tmp_path, "\n".join([HEADER, GOOD, *lines]).encode() + b"\n")
    assert _rejections(out) == [(0, None), (1, "valeur hors limites dans la colonne quantite"), (2, "valeur illisible dans la colonne quantite")]


@pytest.mark.parametrize("content, says", [
    (b"", "fichier vide"),
    (b"\n\n", "fichier vide"),
    (bytes(range(256)) * 20, "ligne 1 (en-tête)"),
    (b"nir,nir\n1,2\n", "colonne(s) obligatoire(s) absente(s)"),
    ("\u00e9l\u00e9phant;girafe\n1;2\n".encode("latin-1"), "colonne(s) obligatoire(s) absente(s) : nir"),
    (b"PAR1 not parquet at all", "Parquet illisible"),
])
def test_a_file_that_is_no_claim_lines_is_refused_in_french(tmp_path: Path, content: bytes, says: str) -> None:
    """Empty, garbage, no header: exit 2 with a French message naming the line, never a traceback, no output."""
    source = tmp_path / ("lignes.parquet" if content.startswith(b"PAR1") else "lignes.csv")
    source.write_bytes(content)
    target = tmp_path / "resultat.csv"
    result = CliRunner().invoke(app, ["liquidate", str(source), "--out", str(target), "--sans-progression"])
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output
    assert not target.exists()


def test_the_command_names_the_first_line_rejected_for_its_format(tmp_path: Path) -> None:
    source = tmp_path / "lignes.csv"
    source.write_text(f"{HEADER}\n{GOOD}\n{GOOD},en,trop\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["liquidate", str(source), "--out", str(tmp_path / "r.csv"), "--sans-progression"])
    assert result.exit_code == 0, result.output
    assert "la première à la ligne 1" in result.output and batch.LIGNE_MAL_FORMEE in result.output


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_a_batch_cut_off_midway_leaves_the_previous_result_whole_and_nothing_beside_it(tmp_path: Path, monkeypatch, suffix: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 12, defect 9: the output was written in place, so a batch cut off left a truncated file that looked complete."""
    from secu.maladie import batch

    source, target = tmp_path / "lignes.parquet", tmp_path / f"resultat.{suffix}"
    _population(200, 7, seed=3).sort("nir").write_parquet(source)
    liquidate_file(source, target, lignes_par_lot=300)
    before = target.read_bytes()
    _population(300, 9, seed=4).write_parquet(source)  # another input: partitions in a working folder, several lots
    real, calls = batch.liquidate_public, {"n": 0}

    def fails_on_the_third_lot(lot: pl.DataFrame) -> pl.DataFrame:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("coupure")
        return real(lot)

    monkeypatch.setattr(batch, "liquidate_public", fails_on_the_third_lot)
    with pytest.raises(RuntimeError):
        liquidate_file(source, target, lignes_par_lot=60)
    assert target.read_bytes() == before  # the previous result, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["lignes.parquet", target.name])  # no partial file, no folder
    monkeypatch.setattr(batch, "liquidate_public", real)
    assert liquidate_file(source, target, lignes_par_lot=60).lignes == 300  # restartable: run again, from the start


def test_what_a_killed_batch_left_is_removed_on_the_next_start(tmp_path: Path) -> None:
    import subprocess
    import sys

    from secu.maladie.batch import PARTIAL, clean_leftovers

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    pid = int(dead.stdout)  # a process that has ended: what it left is garbage
    target = tmp_path / "resultat.parquet"
    left = [tmp_path / f".resultat.parquet{PARTIAL}{pid}-abcd", tmp_path / f".resultat.parquet{PARTIAL}{pid}-abcd-travail-x1"]
    left[0].write_bytes(b"PAR1 tronque")
    (left[1] / "partitions").mkdir(parents=True)
    running = tmp_path / f".resultat.parquet{PARTIAL}{os.getpid()}-beef"  # a liquidation still running keeps its file
    running.write_bytes(b"en cours")
    other = tmp_path / f".autre.parquet{PARTIAL}{pid}-abcd"  # another target's: not ours to judge
    other.write_bytes(b"x")
    assert sorted(clean_leftovers(target)) == sorted(left)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([running.name, other.name])
