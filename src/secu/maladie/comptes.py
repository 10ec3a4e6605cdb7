"""What the maladie branch books: the care its rules liquidate, as accounts (``src/secu/batch/README.md`` §3).

Claim lines liquidated by :func:`secu.maladie.batch.liquidate_public`; the
charge ``soins.rembourse`` is what the AMO pays (AMO − participation
forfaitaire − franchises), on the branch ``atmp`` for a line under AT/MP (as
the intake books it), ``maladie`` otherwise; ``volume`` counts the lines
liquidated. Lines the rules reject are counted under ``soins.rejete`` (0 €)
so that a generator/rules mismatch shows instead of vanishing. The CNAM
carries both branches in the ledger.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from secu.batch.jobs import CHARGE, Partition, empty, months_to, rows
from secu.branches import Branche

BRANCHES = (
    Branche("maladie", "Maladie", "Maladie", "maladie"),
    Branche("atmp", "Accidents du travail et maladies professionnelles", "AT-MP", "atmp"),
)


def _true(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A flag of the claim-line format (Boolean, 0/1 or text such as "oui") as a Boolean, null as False."""
    from secu.maladie.batch import _flag  # the batch format's own reading of a flag, not a second one

    value, _ = _flag(name, frame.schema[name])
    return value.fill_null(False)


def comptes_des_lignes(lines: pl.DataFrame, mois: date) -> pl.DataFrame:
    """Claim lines of the year up to ``mois`` (in the batch format) liquidated → the month's charges ``soins.*``.

    The earlier months' lines only feed the yearly caps; the month's own lines are those dated in it.
    """
    return comptes_des_lignes_de_l_annee(lines, mois).filter(pl.col("mois") == mois)


def comptes_des_lignes_de_l_annee(lines: pl.DataFrame, jusqu_au: date) -> pl.DataFrame:
    """Claim lines of the year up to ``jusqu_au`` liquidated at once → charges ``soins.*`` of each month."""
    from secu.maladie.batch import liquidate_public

    if lines.height == 0:
        return empty()
    out = liquidate_public(lines.with_row_index("__ligne"))
    dated = _date_column(out, "date_soins")
    out = out.with_columns(dated.dt.truncate("1mo").alias("__mois")).filter(
        (pl.col("__mois") >= date(jusqu_au.year, 1, 1)) & (pl.col("__mois") <= jusqu_au)
    )
    summary = (
        out.lazy()
        .select(
            "__mois",
            pl.when(_true(out, "atmp")).then(pl.lit("atmp")).otherwise(pl.lit("maladie")).alias("branche"),
            pl.col("rejet").is_null().alias("liquidee"),
            pl.col("rembourse").to_physical().cast(pl.Int64).alias("cents"),  # Decimal(18, 2): its integer is in cents
        )
        .group_by("__mois", "branche", "liquidee")
        .agg(pl.col("cents").sum(), pl.len().alias("volume"))
        .sort("__mois", "branche", "liquidee")
        .collect()
    )
    frames = []
    for month in summary["__mois"].unique().sort().to_list():
        found = []
        for r in summary.filter(pl.col("__mois") == month).iter_rows(named=True):
            if r["liquidee"]:
                found.append((r["branche"], CHARGE, "soins.rembourse", int(r["cents"]), int(r["volume"])))
            else:
                found.append((r["branche"], CHARGE, "soins.rejete", 0, int(r["volume"])))
        frames.append(rows(found, month))
    return pl.concat(frames, how="vertical") if frames else empty()


def _date_column(frame: pl.DataFrame, name: str) -> pl.Expr:
    from secu.maladie.batch import _date  # the batch format's reading of a date (Date or AAAA-MM-JJ text)

    value, _ = _date(name, frame.schema[name])
    return value


def _claims(partition: Partition, jusqu_au: date) -> pl.DataFrame:
    from secu.synth import evenements

    def soins(month: date) -> pl.DataFrame:
        return partition.events("soins", month, lambda: evenements.soins(partition.personnes, partition.professionnels, month, partition.seed))

    return pl.concat([soins(m) for m in months_to(jusqu_au)], how="vertical_relaxed")


def du_mois(partition: Partition, mois: date) -> pl.DataFrame:
    """The month's care of a partition (with the year's earlier claims, for the caps) → charges ``soins.*``."""
    return comptes_des_lignes(_claims(partition, mois), mois)


def de_l_annee(partition: Partition, jusqu_au: date) -> pl.DataFrame:
    """The care of every month from January to ``jusqu_au`` → charges ``soins.*`` of each month."""
    return comptes_des_lignes_de_l_annee(_claims(partition, jusqu_au), jusqu_au)
