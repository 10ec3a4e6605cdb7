"""Stand-in jobs for the engine tests: read one small Parquet partition, return a deterministic accounts frame.

They follow the contract of `secu.batch.jobs.mois` (README §3) without its
rules, so the engines are tested on what they own: scheduling, files, resume.
They leave a file per call under the dataset's `appels/` so that a test can
count which tasks ran, whatever process or Spark worker ran them.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import date
from pathlib import Path

import polars as pl


def write_dataset(folder: Path, sizes: list[int]) -> Path:
    """Partitions of `sizes[i]` people (0 for an empty one), deterministic."""
    (folder / "personnes").mkdir(parents=True)
    for part, size in enumerate(sizes):
        ids = list(range(part * 1000, part * 1000 + size))
        pl.DataFrame(
            {
                "personne": ids,
                "statut": ["salarie" if i % 3 else "retraite" for i in ids],
                "salaire_brut_mensuel": [180_000 + (i * 7919) % 400_000 for i in ids],
                "enfants": [i % 4 for i in ids],
            },
            schema={"personne": pl.Int64, "statut": pl.String, "salaire_brut_mensuel": pl.Int64, "enfants": pl.Int64},
        ).write_parquet(folder / "personnes" / f"part-{part:05d}.parquet")
    (folder / "appels").mkdir()
    return folder


def calls(dataset: Path) -> list[tuple[int, str]]:
    return sorted((int(p.name.split("_")[0]), p.name.split("_")[1]) for p in (dataset / "appels").iterdir())


def _record(dataset: Path, part: int, mois: date) -> None:
    (dataset / "appels" / f"{part}_{mois:%Y-%m}_{uuid.uuid4().hex}").touch()


def comptes(dataset: Path, part: int, mois: date, seed: int) -> pl.DataFrame:
    _record(dataset, part, mois)
    personnes = pl.read_parquet(dataset / "personnes" / f"part-{part:05d}.parquet")
    if personnes.height == 0:
        return pl.DataFrame(schema={"branche": pl.String, "mois": pl.Date, "sens": pl.String, "poste": pl.String,
                                    "montant_cents": pl.Int64, "volume": pl.Int64})
    taux = 700 + mois.month * 10 + seed % 7  # per ten thousand: differs by month and seed
    salaries = personnes.filter(pl.col("statut") == "salarie")
    cotisations = salaries.select(
        pl.lit("maladie").alias("branche"),
        pl.lit("produit").alias("sens"),
        pl.lit("cotisations").alias("poste"),
        (pl.col("salaire_brut_mensuel") * taux // 10_000).sum().alias("montant_cents"),
        pl.len().alias("volume"),  # UInt32: the engine widens it
    )
    familles = (
        personnes.filter(pl.col("enfants") >= 2)
        .group_by("enfants")
        .agg(pl.len().alias("volume"))
        .select(
            pl.lit("famille").alias("branche"),
            pl.lit("charge").alias("sens"),
            pl.format("prestations.af.{}", pl.col("enfants")).alias("poste"),
            (pl.col("volume").cast(pl.Int64) * (14_000 + (pl.col("enfants") - 2) * 18_000)).alias("montant_cents"),
            pl.col("volume"),
        )
    )
    frame = pl.concat([cotisations, familles]).with_columns(pl.lit(mois).alias("mois"))
    # rows in an order that depends on the seed: the written file must not
    return frame.sample(fraction=1.0, shuffle=True, seed=seed + part)


def comptes_lents(dataset: Path, part: int, mois: date, seed: int) -> pl.DataFrame:
    time.sleep(float(os.environ.get("SECU_TEST_JOB_PAUSE", "0.4")))
    return comptes(dataset, part, mois, seed)


PANNE = (1, date(2025, 2, 1))


def panne_une_fois(dataset: Path, part: int, mois: date, seed: int) -> pl.DataFrame:
    """Fails on PANNE the first time only, as a task would on a machine that crashed."""
    if (part, mois) == PANNE:
        marker = dataset / "deja-en-panne"
        if not marker.exists():
            marker.touch()
            raise OSError("panne simulée du nœud de calcul")
    return comptes(dataset, part, mois, seed)


def panne_toujours(dataset: Path, part: int, mois: date, seed: int) -> pl.DataFrame:
    if (part, mois) == PANNE:
        raise ValueError("donnée impossible dans la partition")
    return comptes(dataset, part, mois, seed)


def mauvais_type(dataset: Path, part: int, mois: date, seed: int) -> pl.DataFrame:
    return comptes(dataset, part, mois, seed).with_columns(pl.col("montant_cents").cast(pl.Float64))
