"""The job of one (partition, month): the month's events through every branch's rules, as accounts.

:func:`mois` reads one partition of a synthetic dataset (``personnes``,
``foyers``) and the two small tables (``employeurs``, ``professionnels``),
generates the month's events (:mod:`secu.synth.evenements`), runs the
branches' rules and returns the partition's **accounts** for that month, one
row per (``branche``, ``sens``, ``poste``) — the frame of
``src/secu/batch/README.md`` §3:

* **maladie / atmp** — claim lines liquidated by
  :func:`secu.maladie.batch.liquidate_public`; the charge ``soins.rembourse``
  is what the AMO pays (AMO − participation forfaitaire − franchises), on the
  branch ``atmp`` for a line under AT/MP (as the intake books it), ``maladie``
  otherwise; ``volume`` counts the lines liquidated. Lines the rules reject
  are counted under ``soins.rejete`` (0 €) so that a generator/rules mismatch
  shows instead of vanishing.
* **recouvrement** — payslips through :func:`secu.recouvrement.rules.contributions`,
  then :func:`secu.recouvrement.rules.financement` (the rule a DSN's
  declaration uses too): the réduction générale imputed on the contributions
  it reduces pro rata of their rates in T (CSS L241-13, D241-7), the CSG split
  by CSS L131-8, payslip by payslip: each branch's produits
  ``cotisations`` (``csa`` for the autonomie) and ``csg``, and what is
  collected for others: ``unedic`` (chômage, CSG share), ``ags``, ``etat``
  (``fnal``: the FNAL is a State fund), ``cades`` (``crds``, ``csg``),
  ``agirc_arrco``, ``apec``, ``dialogue_social``. ``volume`` counts the
  month's payslips.
* **famille** — :func:`secu.famille.rules.droits` then
  :func:`~secu.famille.rules.par_prestation`: charges
  ``prestations.<benefit>`` gross; the AAH, paid by the CAF for the State, on
  the branch ``etat``; the CRDS withheld on the benefits as a produit of the
  ``cades`` (``crds.prestations``). ``volume`` counts the benefits paid.
* **autonomie** — not simulated on the expense side: the dataset contract
  (README §1) carries no GIR, plan d'aide or resources of the elderly, which
  :mod:`secu.autonomie.rules` needs; inventing them here would be a second
  generator. Its produits (CSA, CSG share) come from the payslips.

Two rules are cumulative over the calendar year — the plafonds, the
régularisation progressive and the réduction générale per employment, the
yearly caps of the participation forfaitaire and of the franchises per
person — so the job generates the events of every month from January to
``mois`` (they are pure functions of the partition, the month and the seed),
runs the rules over them at once and keeps ``mois``'s lines: the month is
right to the cent whatever ran before, and the task stays independent of any
other (the engines may run the months in any order, on any machine).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl

from secu.batch.engine import SCHEMA  # the accounts frame of README §3, in this column order
from secu.core.errors import InvalidField

PRODUIT, CHARGE = "produit", "charge"

BRANCHES_RG = ("maladie", "atmp", "vieillesse", "famille", "autonomie")
"""The branches of the régime général; every other ``branche`` of the frame is a third party."""

# Recipient of a payslip line (rules.ATTRIBUTAIRES) → (branche, poste) in the accounts.
_RECIPIENTS = {
    "maladie": ("maladie", "cotisations"),
    "atmp": ("atmp", "cotisations"),
    "vieillesse": ("vieillesse", "cotisations"),
    "famille": ("famille", "cotisations"),
    "autonomie": ("autonomie", "csa"),  # the only contribution on salaries for the CNSA (CSS L137-40)
    "cades": ("cades", "crds"),
    "fnal": ("etat", "fnal"),  # the FNAL is a State fund managed outside the régime général (CCH L813-1)
    "unedic": ("unedic", "cotisations"),
    "ags": ("ags", "cotisations"),
    "agirc_arrco": ("agirc_arrco", "cotisations"),
    "apec": ("apec", "cotisations"),
    "dialogue_social": ("dialogue_social", "contribution"),
}
_RECIPIENTS_BY_LINE = {line: recipient for recipient, line in _RECIPIENTS.items()}
_CSG = {"maladie": "maladie", "autonomie": "autonomie", "famille": "famille", "unedic": "unedic", "cades": "cades"}


def partition_path(dataset: Path, table: str, part: int) -> Path:
    return Path(dataset) / table / f"part-{part:05d}.parquet"


def _read(path: Path) -> pl.DataFrame:
    if not path.is_file():
        raise InvalidField("dataset", f"fichier absent du jeu de données : {path}")
    return pl.read_parquet(path)


def _months_to(mois: date) -> list[date]:
    return [date(mois.year, m, 1) for m in range(1, mois.month + 1)]


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def _rows(rows: list[tuple[str, str, str, int, int]], mois: date) -> pl.DataFrame:
    if not rows:
        return _empty()
    branche, sens, poste, montant, volume = zip(*rows, strict=True)
    return pl.DataFrame(
        {"branche": branche, "mois": [mois] * len(rows), "sens": sens, "poste": poste, "montant_cents": montant, "volume": volume},
        schema=SCHEMA,
    )


# --------------------------------------------------------------------------
# Maladie


def _true(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A flag of the claim-line format (Boolean, 0/1 or text such as "oui") as a Boolean, null as False."""
    from secu.maladie.batch import _flag  # the batch format's own reading of a flag, not a second one

    value, _ = _flag(name, frame.schema[name])
    return value.fill_null(False)


def maladie_comptes(lines: pl.DataFrame, mois: date) -> pl.DataFrame:
    """Claim lines of the year up to ``mois`` (in the batch format) liquidated → the month's charges ``soins.*``.

    The earlier months' lines only feed the yearly caps; the month's own lines are those dated in it.
    """
    return maladie_comptes_annee(lines, mois).filter(pl.col("mois") == mois)


def maladie_comptes_annee(lines: pl.DataFrame, jusqu_au: date) -> pl.DataFrame:
    """Claim lines of the year up to ``jusqu_au`` liquidated at once → charges ``soins.*`` of each month."""
    from secu.maladie.batch import liquidate_public

    if lines.height == 0:
        return _empty()
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
        rows = []
        for r in summary.filter(pl.col("__mois") == month).iter_rows(named=True):
            if r["liquidee"]:
                rows.append((r["branche"], CHARGE, "soins.rembourse", int(r["cents"]), int(r["volume"])))
            else:
                rows.append((r["branche"], CHARGE, "soins.rejete", 0, int(r["volume"])))
        frames.append(_rows(rows, month))
    return pl.concat(frames, how="vertical") if frames else _empty()


def _date_column(frame: pl.DataFrame, name: str) -> pl.Expr:
    from secu.maladie.batch import _date  # the batch format's reading of a date (Date or AAAA-MM-JJ text)

    value, _ = _date(name, frame.schema[name])
    return value


def maladie(personnes: pl.DataFrame, professionnels: pl.DataFrame, mois: date, seed: int) -> pl.DataFrame:
    """The month's care of a partition (with the year's earlier claims, for the caps) → charges ``soins.*``."""
    from secu.synth import evenements

    frames = [evenements.soins(personnes, professionnels, m, seed) for m in _months_to(mois)]
    return maladie_comptes(pl.concat(frames, how="vertical_relaxed"), mois)


# --------------------------------------------------------------------------
# Recouvrement


def recouvrement_comptes(payslips: pl.DataFrame, mois: date) -> pl.DataFrame:
    """Payslips of the year up to ``mois`` → the month's produits of each branch and of each third party.

    The earlier months feed the cumulative rules (plafond, régularisation, réduction générale); only
    ``mois``'s lines are counted.
    """
    from secu.recouvrement import rules

    count = payslips.filter(pl.col("mois") == mois).height
    if count == 0:
        return _empty()
    return _recouvrement_du_mois(rules.contributions(payslips).filter(pl.col("mois") == mois), mois, count)


def recouvrement_comptes_annee(payslips: pl.DataFrame, jusqu_au: date) -> pl.DataFrame:
    """Payslips of the year up to ``jusqu_au`` through the rules at once → the produits of each month."""
    from secu.recouvrement import rules

    if payslips.height == 0:
        return _empty()
    lines = rules.contributions(payslips)
    counts = payslips.group_by("mois").len()
    frames = [
        _recouvrement_du_mois(lines.filter(pl.col("mois") == month), month, int(count))
        for month, count in counts.sort("mois").iter_rows()
        if date(jusqu_au.year, 1, 1) <= month <= jusqu_au
    ]
    return pl.concat(frames, how="vertical") if frames else _empty()


def _recouvrement_du_mois(lines: pl.DataFrame, mois: date, count: int) -> pl.DataFrame:
    """One month's contribution lines → its produits per recipient (:func:`secu.recouvrement.rules.financement`)."""
    from secu.recouvrement import rules

    rows = []
    for r in rules.financement(lines, by=("mois",)).iter_rows(named=True):
        recipient, produit = r["attributaire"], r["produit"]
        place = (_CSG[recipient], "csg") if produit == "csg" else _RECIPIENTS.get(recipient)
        if place is None:  # a new recipient in the rules must be given a place, never dropped
            raise InvalidField("attributaire", f"attributaire sans place dans les comptes : {recipient!r}")
        rows.append((place[0], PRODUIT, place[1], int(r["cents"]), count))
    return _rows(sorted(rows), mois)


def recouvrement(personnes: pl.DataFrame, employeurs: pl.DataFrame, mois: date, seed: int) -> pl.DataFrame:
    """The month's payslips of a partition (with the year's earlier ones) → produits per recipient."""
    from secu.synth import evenements

    frames = [evenements.paie(personnes, employeurs, m, seed) for m in _months_to(mois)]
    return recouvrement_comptes(pl.concat(frames, how="vertical_relaxed"), mois)


# --------------------------------------------------------------------------
# Famille


def famille_comptes(foyers: pl.DataFrame, enfants: pl.DataFrame, mois: date) -> pl.DataFrame:
    """The month's rights of the households → charges ``prestations.<benefit>`` and the CRDS withheld."""
    from secu.famille.rules import SANS_CRDS, droits, par_prestation

    if foyers.height == 0:
        return _empty()
    paid = par_prestation(droits(foyers, enfants))
    summary = (
        paid.group_by("prestation").agg(pl.col("brut").sum(), pl.col("crds").sum(), pl.len().alias("volume"))
        .with_columns(pl.col("prestation").cast(pl.String)).sort("prestation")
    )
    rows = []
    crds = volume_crds = 0
    for r in summary.iter_rows(named=True):
        p = r["prestation"]
        # The AAH is paid by the CAF for the State (CSS L821-1: a State benefit); the others are the branch's.
        rows.append(("etat" if p == "aah" else "famille", CHARGE, f"prestations.{p}", int(r["brut"]), int(r["volume"])))
        if p not in SANS_CRDS:
            crds += int(r["crds"])
            volume_crds += int(r["volume"])
    if crds:
        rows.append(("cades", PRODUIT, "crds.prestations", crds, volume_crds))
    return _rows(rows, mois)


def famille(personnes: pl.DataFrame, foyers: pl.DataFrame, mois: date) -> pl.DataFrame:
    from secu.synth import evenements

    return famille_comptes(*evenements.famille(personnes, foyers, mois), mois)


# --------------------------------------------------------------------------
# The job


_EVENTS: OrderedDict[tuple[str, str, int, date, int], pl.DataFrame] = OrderedDict()
_EVENTS_KEPT = 26
"""Months of events a worker keeps (claims and payslips of a year, and one more of each): each task needs the
year's earlier months, which the same worker usually generated for the tasks before (memoisation of pure
functions: the result is the same with or without it)."""


def _events(kind: str, dataset: Path, part: int, month: date, seed: int, make: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    key = (str(Path(dataset).resolve()), kind, part, month, seed)
    frame = _EVENTS.get(key)
    if frame is None:
        frame = make()
        _EVENTS[key] = frame
        while len(_EVENTS) > _EVENTS_KEPT:
            _EVENTS.popitem(last=False)
    else:
        _EVENTS.move_to_end(key)
    return frame


def _tables(dataset: Path, part: int, mois: date) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The partition's ``personnes`` and ``foyers`` and the two small tables (README §1)."""
    if mois.day != 1:
        raise InvalidField("mois", "le mois se donne par son premier jour (AAAA-MM-01)")
    dataset = Path(dataset)
    return (_read(partition_path(dataset, "personnes", part)), _read(partition_path(dataset, "foyers", part)),
            _read(dataset / "employeurs.parquet"), _read(dataset / "professionnels.parquet"))


def mois(dataset: Path, part: int, mois: date, seed: int) -> pl.DataFrame:  # noqa: A001 - the contract's name
    """The accounts of partition ``part`` of ``dataset`` for the month ``mois`` (README §3), sorted, deterministic."""
    from secu.synth import evenements

    month = mois
    personnes, foyers, employeurs, professionnels = _tables(dataset, part, month)
    months = _months_to(month)
    claims = [_events("soins", dataset, part, m, seed, lambda m=m: evenements.soins(personnes, professionnels, m, seed)) for m in months]
    payslips = [_events("paie", dataset, part, m, seed, lambda m=m: evenements.paie(personnes, employeurs, m, seed)) for m in months]
    parts = [
        maladie_comptes(pl.concat(claims, how="vertical_relaxed"), month),
        recouvrement_comptes(pl.concat(payslips, how="vertical_relaxed"), month),
        famille(personnes, foyers, month),
    ]
    accounts = pl.concat(parts, how="vertical")
    return accounts.group_by("branche", "mois", "sens", "poste").agg(pl.col("montant_cents").sum(), pl.col("volume").sum()) \
        .select(list(SCHEMA)).sort("branche", "sens", "poste")


def annee(dataset: Path, part: int, mois: date, seed: int) -> pl.DataFrame:
    """The accounts of partition ``part`` for EVERY month from January to ``mois``, in one pass.

    What a simulated year runs (one task per partition, ``mois`` = December): the rules that cumulate over
    the year see the year's events once, so the cost grows with the months, not with their square. Each
    month's rows equal those of :func:`mois` for that month (a test checks it).
    """
    from secu.synth import evenements

    personnes, foyers, employeurs, professionnels = _tables(dataset, part, mois)
    months = _months_to(mois)
    claims = pl.concat([evenements.soins(personnes, professionnels, m, seed) for m in months], how="vertical_relaxed")
    payslips = pl.concat([evenements.paie(personnes, employeurs, m, seed) for m in months], how="vertical_relaxed")
    parts = [
        maladie_comptes_annee(claims, mois),
        recouvrement_comptes_annee(payslips, mois),
        *(famille(personnes, foyers, m) for m in months),
    ]
    return total(pl.concat(parts, how="vertical"))


def total(accounts: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Accounts of several partitions (or months) added up by (branche, mois, sens, poste) — README §3."""
    frame = accounts.lazy() if isinstance(accounts, pl.DataFrame) else accounts
    return frame.group_by("branche", "mois", "sens", "poste").agg(pl.col("montant_cents").sum(), pl.col("volume").sum()) \
        .select(list(SCHEMA)).sort("branche", "mois", "sens", "poste").collect()
