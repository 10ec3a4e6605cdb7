"""Batch liquidation of claim lines, file to file: ``secu liquidate IN --out OUT``.

The public format (documented in ``src/secu/maladie/README.md``) speaks in
euros: ``montant`` and ``base_unitaire`` are read exactly — Decimal columns,
or text such as ``"26.50"`` / ``"26,50"``, never floats — and converted to
integer cents for :func:`secu.maladie.rules.liquidate`; results come back as
euros with two decimals (Decimal(18, 2)).

Memory stays bounded: the file is processed in lots of about
``lignes_par_lot`` lines (a few lots in memory: two are liquidated while the
previous one is written). The caps of the participation forfaitaire and of
the franchises are per person and per year, so every line of a person must
be in the same lot:

* input sorted by ``nir`` (the recommended layout, e.g. by ``nir`` then
  ``date_soins``): lots are consecutive slices cut between two persons, and
  output rows keep the input order;
* any other order: the lines are first spread into partition files by a hash
  of the ``nir`` (one streaming pass), each partition is one lot; output rows
  then come grouped by partition, and the ``ligne`` column (input row number,
  from 0) gives the input order back.

The output is written beside the target under a partial name and renamed onto
it once complete (:func:`liquidate_file`): a batch killed midway leaves the
previous result, or none, never a truncated file that looks whole; the next
batch into that target removes what a dead one left (:func:`clean_leftovers`).
A batch is restartable (run it again: it starts over), not resumable.

The output, Parquet or CSV, is written by Polars' streaming sink (``sink_parquet`` / ``sink_csv``) fed lot
after lot (:func:`_lazy_lots`): one file, never a Python loop over its rows. ``secu liquidate`` sets Polars'
allocator to keep the pages a lot frees for the next one (:mod:`secu.core.allocateur`).

A line with an unreadable value is rejected (``rejet`` = ``FORMAT``, the
column named in ``motif``); it never stops the batch. A file that lacks a
required column, or carries money as floats, is refused as a whole.
"""

from __future__ import annotations

import glob
import math
import os
import secrets
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from secu.core.errors import InvalidField, SecuError
from secu.core.money import format_eur, from_cents_expr
from secu.maladie.intake.schemas import COEFFICIENT_MAXIMAL
from secu.maladie.rules import EXONERATION_DTYPE, MOTIF_DTYPE, PAYE_DTYPE, RATE, REJET_DTYPE, liquidate

PUBLIC_REQUIRED = ("nir", "date_naissance", "sexe", "date_soins", "professionnel", "acte", "quantite", "montant", "base_unitaire",
                   "parcours", "ald", "maternite", "atmp", "c2s")
"""Columns every input file must have (``base_unitaire`` may be empty on lines not priced per item)."""

PUBLIC_OPTIONAL = ("specialite", "coefficient", "invalidite", "tiers_payant", "ordre", "date_debut_grossesse", "date_accouchement",
                   "acte_lourd_pendant_sejour", "seance")

FLAGS = ("parcours", "ald", "maternite", "atmp", "c2s", "invalidite", "tiers_payant", "acte_lourd_pendant_sejour")
MONEY_IN = {"montant": "montant_cents", "base_unitaire": "base_unitaire_cents"}
DATES = ("date_naissance", "date_soins", "date_debut_grossesse", "date_accouchement")

MONEY_OUT = {
    "base_remboursement_cents": "base_remboursement",
    "depassement_cents": "depassement",
    "montant_amo_cents": "montant_amo",
    "ticket_moderateur_cents": "ticket_moderateur",
    "participation_forfaitaire_cents": "participation_forfaitaire",
    "franchise_cents": "franchise",
    "rembourse_cents": "rembourse",
    "a_recuperer_cents": "a_recuperer",
}
"""Result columns in euros, in output order, then ``taux``, ``exoneration``, ``paye_a``, ``rejet``, ``motif``."""

EUROS = pl.Decimal(18, 2)
REJET_OUT = pl.Enum([*REJET_DTYPE.categories, "FORMAT"])
LIGNE_MAL_FORMEE = "ligne mal formée : nombre de champs différent de l'en-tête"
TEXTE_ILLISIBLE = "texte illisible : octets hors UTF-8 ou caractère nul"
BORNES = {"montant": 100_000 * 100, "base_unitaire": 100_000 * 100, "quantite": 999, "coefficient": COEFFICIENT_MAXIMAL}
"""The largest value read (cents for money): the bounds of the online intake (``intake.LigneIn``), so that a line
meets the same checks by file as online, and no product of the rules can overflow its integers."""
MOTIF_OUT = pl.Enum([*MOTIF_DTYPE.categories, *(f"valeur illisible dans la colonne {c}" for c in (*PUBLIC_REQUIRED, *PUBLIC_OPTIONAL)),
                     *(f"valeur hors limites dans la colonne {c}" for c in BORNES), LIGNE_MAL_FORMEE, TEXTE_ILLISIBLE])
TAUX = pl.Decimal(10, 4)
DEFAULT_LOT = 500_000
"""Lines per lot. Half a million rather than a million: the same work per line, but the memory a lot takes
from the system is faulted in again for each lot, and smaller lots fault half as many pages (measured on
4 M lines, load average 7–10: 3.35 s of CPU against 3.5–3.7 s, page faults 290 000 against 440 000–500 000)."""
LOTS_EN_COURS = 2
"""Lots liquidated at the same time, ahead of the one being written (memory: about LOTS_EN_COURS + 2 lots)."""
DEFAULT_COMPRESSION = "snappy"
"""Parquet codec of the output: snappy writes about twice as fast as zstd for a file a bit larger."""
STATISTICS = False
"""No min/max statistics in the output's pages: writing them costs about 15 % of the write, and a result
file is read whole, never filtered on its pages."""

_HUGE = 10**17
"""Cents standing for an amount too large to read into 64 bits: beyond every bound, so the line is rejected."""
BRUT = "__brut"
"""Column a CSV reading adds when a line itself is unreadable (its motif), before any value is looked at."""
_TRUE = ("1", "true", "vrai", "oui", "o", "t", "y", "yes")
_FALSE = ("0", "false", "faux", "non", "n", "f", "no", "")
_AMOUNT = r"^-?[0-9]{1,15}([.,][0-9]{1,2})?$"
_DECIMAL = r"^[0-9]{1,9}([.,][0-9]{1,9})?$"


@dataclass
class Summary:
    """What a batch did (printed by the command)."""

    lignes: int
    rejetees: int
    lots: int
    rembourse_cents: int
    strategie: str
    premier_format: tuple[int, str] | None = None
    """The first line rejected for its format (``ligne``, motif): the command names it."""


# --------------------------------------------------------------------------
# Public columns <-> the rules' columns


def _money_cents(name: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    """(cents, unreadable) for a money column given in euros: exact, or null with the flag set."""
    column = pl.col(name)
    if isinstance(dtype, pl.Decimal) and dtype.scale is not None and dtype.scale <= 2:
        # The Decimal's unscaled integer is the amount in 10**-scale euros: cents exactly, without Decimal arithmetic.
        unscaled = column.to_physical()
        cents = (unscaled if dtype.scale == 2 else unscaled * 10 ** (2 - dtype.scale)).cast(pl.Int64, strict=False)
        return pl.when(unscaled.is_not_null()).then(cents.fill_null(_HUGE)), pl.lit(False)  # too large for 64 bits: out of bounds
    if isinstance(dtype, (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32)):
        euros = column.cast(pl.Int64)
        return pl.when(euros.abs() <= _HUGE // 100).then(euros * 100).otherwise(pl.when(euros.is_not_null()).then(_HUGE)), pl.lit(False)
    if isinstance(dtype, (pl.Float32, pl.Float64)):
        raise InvalidField(name, "montant en nombre à virgule flottante refusé : utiliser un décimal exact (Decimal) ou du texte")
    if isinstance(dtype, pl.Null):
        return pl.lit(None, dtype=pl.Int64), pl.lit(False)
    # Text (or a Decimal with more than 2 decimals, read through its text): "26.50", "26,5", "26".
    text = column.cast(pl.String).str.strip_chars()
    if isinstance(dtype, pl.Decimal):
        text = text.str.replace(r"(\.[0-9]{2})0+$", "$1").str.replace(r"\.0+$", "")
    empty = text.is_null() | (text == "")
    valid = text.str.contains(_AMOUNT)
    huge = text.str.contains(r"^-?[0-9]{16,}([.,][0-9]{1,2})?$")  # more digits than 64 bits hold: out of bounds
    parts = text.str.replace(",", ".", literal=True).str.split_exact(".", 1)
    whole = parts.struct.field("field_0").cast(pl.Int64, strict=False)
    fraction = parts.struct.field("field_1").fill_null("").str.pad_end(2, "0").cast(pl.Int64, strict=False)
    sign = pl.when(text.str.starts_with("-")).then(-1).otherwise(1)
    cents = whole.abs() * 100 + fraction
    return pl.when(valid).then(sign * cents).when(huge).then(_HUGE), ~empty & ~(valid | huge).fill_null(False)


def _out_of_bounds(name: str, value: pl.Expr) -> pl.Expr:
    """A value read but beyond ``BORNES`` (a huge amount would overflow the rules' integers and the output's decimals)."""
    bound = BORNES[name]
    if name == "coefficient":
        return value.is_not_null() & (value > pl.lit(bound).cast(RATE))
    return value.is_not_null() & (value.abs() > bound)


def _flag(name: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    column = pl.col(name)
    if dtype == pl.Boolean:
        return column, pl.lit(False)
    if isinstance(dtype, (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)):
        return pl.when(column.is_in([0, 1])).then(column == 1), column.is_not_null() & ~column.is_in([0, 1])
    if isinstance(dtype, pl.Null):
        return pl.lit(None, dtype=pl.Boolean), pl.lit(False)
    text = column.cast(pl.String).str.strip_chars().str.to_lowercase()
    value = pl.when(text.is_in(_TRUE)).then(True).when(text.is_in(_FALSE)).then(False)
    return value, text.is_not_null() & value.is_null()


def _date(name: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    column = pl.col(name)
    if dtype == pl.Date:
        return column, pl.lit(False)
    if isinstance(dtype, pl.Datetime):
        return column.dt.date(), pl.lit(False)
    if isinstance(dtype, pl.Null):
        return pl.lit(None, dtype=pl.Date), pl.lit(False)
    text = column.cast(pl.String).str.strip_chars()
    value = text.str.to_date("%Y-%m-%d", strict=False)
    return value, text.is_not_null() & (text != "") & value.is_null()


def _integer(name: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    column = pl.col(name)
    if isinstance(dtype, (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32)):
        return column.cast(pl.Int64), pl.lit(False)
    if isinstance(dtype, (pl.Float32, pl.Float64)):
        raise InvalidField(name, "nombre entier attendu, pas un nombre à virgule flottante")
    text = column.cast(pl.String).str.strip_chars()
    value = pl.when(text.str.contains(r"^-?[0-9]{1,15}$")).then(text.cast(pl.Int64, strict=False))
    return value, text.is_not_null() & (text != "") & value.is_null()


def _coefficient(dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    column = pl.col("coefficient")
    if isinstance(dtype, (pl.Decimal, pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32)):
        return column.cast(RATE), pl.lit(False)
    if isinstance(dtype, (pl.Float32, pl.Float64)):
        raise InvalidField("coefficient", "coefficient en nombre à virgule flottante refusé : utiliser un décimal exact ou du texte")
    text = column.cast(pl.String).str.strip_chars().str.replace(",", ".", literal=True)
    valid = text.str.contains(_DECIMAL)
    return pl.when(valid).then(text.cast(RATE, strict=False)), text.is_not_null() & (text != "") & ~valid.fill_null(False)


def to_rules(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Public batch columns → the columns of ``liquidate`` (+ ``__format``, the first unreadable column)."""
    schema = frame.collect_schema()
    missing = [name for name in PUBLIC_REQUIRED if name not in schema]
    if missing:
        raise InvalidField(missing[0], f"colonne(s) obligatoire(s) absente(s) : {', '.join(missing)}")
    columns: dict[str, pl.Expr] = {}
    errors: list[tuple[str, pl.Expr]] = []
    limits: list[tuple[str, pl.Expr]] = []
    columns["personne"] = pl.col("nir").cast(pl.String)
    errors.append(("nir", columns["personne"].is_null() | (columns["personne"] == "")))
    for name in DATES:
        if name in schema:
            columns[name], bad = _date(name, schema[name])
            errors.append((name, bad))
    for name, internal in MONEY_IN.items():
        columns[internal], bad = _money_cents(name, schema[name])
        errors.append((name, bad))
        limits.append((name, _out_of_bounds(name, columns[internal])))
    columns["quantite"], bad = _integer("quantite", schema["quantite"])
    errors.append(("quantite", bad))
    limits.append(("quantite", _out_of_bounds("quantite", columns["quantite"])))
    if "ordre" in schema:
        columns["ordre"], bad = _integer("ordre", schema["ordre"])
        errors.append(("ordre", bad))
    for name in FLAGS:
        if name in schema:
            columns[name], bad = _flag(name, schema[name])
            errors.append((name, bad))
    if "coefficient" in schema:
        columns["coefficient"], bad = _coefficient(schema["coefficient"])
        errors.append(("coefficient", bad))
        limits.append(("coefficient", _out_of_bounds("coefficient", columns["coefficient"])))
    columns["acte"] = pl.col("acte").cast(pl.String)
    columns["professionnel"] = pl.col("professionnel").cast(pl.String)
    columns["sexe"] = pl.col("sexe").cast(pl.String)
    if "specialite" in schema:
        columns["specialite"] = pl.col("specialite").cast(pl.String)
    if "seance" in schema:
        columns["seance"] = pl.col("seance").cast(pl.String)
    first_error: pl.Expr = pl.lit(None, dtype=pl.String)
    never = pl.lit(False)
    motifs = [(f"valeur illisible dans la colonne {name}", bad) for name, bad in errors]
    motifs += [(f"valeur hors limites dans la colonne {name}", bad) for name, bad in limits]
    for motif, bad in reversed(motifs):
        if not bad.meta.eq(never):  # a column read as it is (Parquet Date, Boolean, Decimal…) is never unreadable
            first_error = pl.when(bad.fill_null(False)).then(pl.lit(motif)).otherwise(first_error)
    if BRUT in schema:  # the line itself could not be read as the header says: nothing of it is trusted
        first_error = pl.coalesce(pl.col(BRUT), first_error)
    return frame.select(
        pl.col("__ligne"),
        *(expr.alias(name) for name, expr in columns.items()),
        first_error.alias("__format"),
    )


RULES_OUT = (*MONEY_OUT, "taux", "exoneration", "paye_a", "rejet", "motif")
"""The columns of ``liquidate`` the batch writes (the references are for the online explanation)."""


def _enum_code(dtype: pl.Enum, code: pl.Expr) -> pl.Expr:
    """The category of physical code ``code`` in ``dtype`` (a gather, no text built per line)."""
    return pl.lit(pl.Series(dtype.categories, dtype=dtype)).gather(code)


def from_rules(public: pl.DataFrame, liquidated: pl.DataFrame) -> pl.DataFrame:
    """The public input columns, ``ligne``, then the results in euros."""
    bad = liquidated["__format"].is_not_null()
    any_bad = bool(bad.any())

    def unless_bad(value: pl.Expr, otherwise: int | None = None) -> pl.Expr:
        return pl.when(~pl.lit(bad)).then(value).otherwise(otherwise) if any_bad else value

    # REJET_OUT and MOTIF_OUT extend the rules' Enums: the same physical codes name the same categories.
    rejet = pl.col("rejet").to_physical().cast(pl.UInt32)
    if any_bad:
        rejet = pl.when(pl.lit(bad)).then(pl.lit(REJET_OUT.categories.to_list().index("FORMAT"), dtype=pl.UInt32)).otherwise(rejet)
    motif = _enum_code(MOTIF_OUT, pl.col("motif").to_physical())
    if any_bad:
        motif = pl.when(pl.lit(bad)).then(pl.col("__format").cast(MOTIF_OUT)).otherwise(motif)
    out = liquidated.lazy().select(
        *(from_cents_expr(unless_bad(pl.col(cents), 0), EUROS).alias(name) for cents, name in MONEY_OUT.items()),
        unless_bad(pl.col("taux")).alias("taux"),
        unless_bad(pl.col("exoneration")).alias("exoneration"),
        pl.col("paye_a"),
        _enum_code(REJET_OUT, rejet).alias("rejet"),
        motif.alias("motif"),
    ).collect(engine="in-memory")
    return pl.concat([public.drop(BRUT, strict=False).rename({"__ligne": "ligne"}), out], how="horizontal")


def liquidate_public(public: pl.DataFrame) -> pl.DataFrame:
    """Liquidate one lot given in the public format (with its ``__ligne`` column): the core of a batch."""
    rules_input = to_rules(public.lazy()).collect(engine="in-memory")
    bad = rules_input["__format"].is_not_null()
    if bad.any():  # an unreadable line must not be liquidated on a guess: blank it so that the rules reject it
        rules_input = rules_input.with_columns(pl.when(pl.lit(bad)).then(None).otherwise(pl.col("acte")).alias("acte"))
    # Only what the rules read (``sexe``, ``specialite`` would only pass through), only the results written.
    rules_input = rules_input.drop("sexe", "specialite", strict=False)
    liquidated = liquidate(rules_input, columns=RULES_OUT, taux_dtype=TAUX)
    return from_rules(public, liquidated)


# --------------------------------------------------------------------------
# Files and lots


def _parquet_schema(path: Path) -> pl.Schema:
    try:
        return pl.scan_parquet(path).collect_schema()
    except (pl.exceptions.PolarsError, OSError) as error:
        raise InvalidField("fichier", f"fichier Parquet illisible : {path.name} ({type(error).__name__})") from None


def csv_to_parquet(source: Path, target: Path) -> None:
    """Read a CSV of claim lines into a Parquet file of text columns, whatever the bytes it holds.

    The fast path is Polars' reader, after one cheap pass that counts each line's fields; a file it cannot read
    whole (a line with more or fewer fields than the header, a field that opens a quote and never closes it…)
    is read again line by line (``_csv_line_by_line``). Either way a line that cannot be read as the header says
    is kept, with its motif in ``BRUT``, and rejected alone; bytes that are not UTF-8 reject their line too."""
    with source.open("rb") as handle:
        start = handle.read(65536)
    if not start.strip():
        raise InvalidField("fichier", f"fichier vide : {source.name} n'a pas même la ligne d'en-tête (ligne 1)")
    try:
        lazy = pl.scan_csv(source, infer_schema=False, encoding="utf8-lossy")
        names = lazy.collect_schema().names()
        if _fields_match_header(source, len(names)):
            unreadable = pl.any_horizontal(pl.col(name).str.contains("[\ufffd\x00]") for name in names)
            lazy.with_columns(pl.when(unreadable).then(pl.lit(TEXTE_ILLISIBLE)).alias(BRUT)).sink_parquet(target)
            return
    except pl.exceptions.PolarsError:
        pass  # read line by line below, which names what is wrong
    _csv_line_by_line(source, target)


def _fields_match_header(source: Path, expected: int) -> bool:
    """Whether every line has as many fields as the header (fields counted outside quotes, one pass in Polars)."""
    lines = pl.scan_csv(source, has_header=False, separator="\x1f", quote_char=None, new_columns=["brut"], infer_schema=False,
                        encoding="utf8-lossy", truncate_ragged_lines=True, empty_string_is_null=False)
    line = pl.col("brut").str.strip_suffix("\r")
    fields = line.str.replace_all('"[^"]*"', "").str.count_matches(",", literal=True) + 1
    balanced = line.str.count_matches('"', literal=True) % 2 == 0  # a quote never closed would swallow the next lines
    return bool(lines.select(((fields == expected) & balanced).all()).collect().item())


def _csv_line_by_line(source: Path, target: Path) -> None:
    """The careful reading: each line on its own (a claim line never spans two), a wrong one kept with its motif.

    A quote opened and never closed spoils its own line only, not the rest of the file."""
    import csv

    csv.field_size_limit(16 * 1024 * 1024)
    header: list[str] | None = None
    columns: list[list[str | None]] = []
    motifs: list[str | None] = []
    with source.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text, motif = raw.decode("utf-8"), None
            except UnicodeDecodeError:
                text, motif = raw.decode("utf-8", "replace"), TEXTE_ILLISIBLE
            if "\x00" in text:
                text, motif = text.replace("\x00", "\ufffd"), TEXTE_ILLISIBLE
            text = text.rstrip("\r\n")
            if not text.strip():
                continue  # a blank line is no claim line
            try:
                record = next(csv.reader([text]))
            except csv.Error as error:
                record, motif = [], motif or LIGNE_MAL_FORMEE
                if header is None:
                    raise InvalidField("fichier", f"ligne {number} (en-tête) : CSV illisible ({error})") from None
            if header is None:
                if motif is not None:
                    raise InvalidField("fichier", f"ligne {number} (en-tête) : texte illisible, octets hors UTF-8 ou caractère nul")
                doubles = sorted({name for name in record if record.count(name) > 1})
                if doubles or "" in record:
                    raise InvalidField("fichier", f"ligne {number} (en-tête) : colonne en double ou sans nom ({', '.join(doubles) or 'sans nom'})")
                header, columns = record, [[] for _ in record]
                continue
            if motif is None and len(record) != len(header):
                motif = LIGNE_MAL_FORMEE
            for index, values in enumerate(columns):
                values.append(record[index] if index < len(record) else None)
            motifs.append(motif)
    if header is None:
        raise InvalidField("fichier", f"fichier vide : {source.name} n'a pas même la ligne d'en-tête (ligne 1)")
    frame = pl.DataFrame({name: pl.Series(name, values, dtype=pl.String) for name, values in zip(header, columns, strict=True)})
    frame.with_columns(pl.Series(BRUT, motifs, dtype=pl.String)).write_parquet(target)


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".csv":
        return "csv"
    raise InvalidField("fichier", f"extension {suffix or '(aucune)'!r} non prise en charge : .parquet ou .csv")


def _output_schema(public_schema: pl.Schema) -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = {"ligne": pl.UInt32(), **dict(public_schema)}
    schema.pop("__ligne", None)
    schema.pop(BRUT, None)
    schema.update({name: EUROS for name in MONEY_OUT.values()})
    schema.update({"taux": TAUX, "exoneration": EXONERATION_DTYPE, "paye_a": PAYE_DTYPE, "rejet": REJET_OUT, "motif": MOTIF_OUT})
    return schema


def _sorted_by_nir(path: Path) -> bool:
    nir = pl.col("nir").cast(pl.String)
    return bool(pl.scan_parquet(path).select((nir >= nir.shift(1)).fill_null(True).all()).collect().item())


def _sorted_lots(path: Path, height: int, size: int) -> Iterator[pl.DataFrame]:
    """Consecutive slices cut between two persons (the file is sorted by nir)."""
    offset = 0
    while offset < height:
        length = size
        while True:
            lot = pl.scan_parquet(path).slice(offset, length).collect().with_row_index("__ligne", offset=offset)
            if offset + lot.height >= height:
                cut = lot.height
                break
            nir = lot["nir"].cast(pl.String)
            last = nir[-1]
            cut = int(nir.search_sorted(last, side="left"))
            if cut > 0:
                break
            length *= 2  # one person fills the whole slice: read more
        yield lot.slice(0, cut)
        offset += cut


def _partitioned_lots(path: Path, height: int, size: int, workdir: Path) -> Iterator[pl.DataFrame]:
    """Partitions by a hash of the nir: every line of a person in the same partition, input order kept inside."""
    count = max(1, math.ceil(height / size))
    source = pl.scan_parquet(path).with_row_index("__ligne").with_columns(
        (pl.col("nir").cast(pl.String).hash(2026) % count).alias("__partition")
    )
    folder = workdir / "partitions"
    try:  # one streaming pass (Polars' PartitionBy, marked unstable)
        source.sink_parquet(pl.PartitionBy(folder, key="__partition", include_key=False, approximate_bytes_per_file=None), mkdir=True)
        groups = [sorted(folder.glob(f"__partition={index}/*.parquet")) for index in range(count)]
    except Exception:  # noqa: BLE001  (the unstable API failed: one filtered pass per partition instead)
        folder.mkdir(parents=True, exist_ok=True)
        groups = []
        for index in range(count):
            target = folder / f"partition-{index:05d}.parquet"
            source.filter(pl.col("__partition") == index).drop("__partition").sink_parquet(target)
            groups.append([target])
    for files in groups:
        if files:
            yield pl.read_parquet(files).sort("__ligne")


def liquidate_file(
    source: Path,
    target: Path,
    *,
    lignes_par_lot: int = DEFAULT_LOT,
    on_progress: Callable[[int, int], None] | None = None,
    compression: str = DEFAULT_COMPRESSION,
) -> Summary:
    """Liquidate every line of ``source`` (Parquet or CSV) into ``target`` (Parquet or CSV), by lots.

    ``on_progress(done, total)`` is called after each lot. Raises
    InvalidField for a file that cannot be read as claim lines (a missing
    column, money as floats…); lines with unreadable values are rejected one
    by one in the output.
    """
    source, target = Path(source), Path(target)
    if lignes_par_lot < 1:
        raise InvalidField("lignes_par_lot", "le nombre de lignes par lot doit être au moins 1")
    if not source.is_file():
        raise InvalidField("fichier", f"fichier introuvable : {source}")
    in_format, out_format = _format_of(source), _format_of(target)
    if not target.parent.is_dir():
        raise InvalidField("out", f"dossier introuvable : {target.parent}")
    clean_leftovers(target)
    partial = _partial_name(target)
    try:
        with tempfile.TemporaryDirectory(prefix=partial.name + "-travail-", dir=target.parent) as scratch:
            summary = _liquidate_into(source, partial, Path(scratch), in_format, out_format, lignes_par_lot, on_progress, compression)
        _durable(partial)
        os.replace(partial, target)  # atomic: the target is the old file or the whole new one, never a part of it
        _durable(target.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return summary


PARTIAL = ".secu-partiel-"
"""Mark of what a liquidation writes beside its target until the rename: ``.<target>.secu-partiel-<pid>-<random>``
(the partial output, and the working folder with ``-travail-`` after it)."""


def _partial_name(target: Path) -> Path:
    return target.with_name(f".{target.name}{PARTIAL}{os.getpid()}-{secrets.token_hex(4)}")


def clean_leftovers(target: Path) -> list[Path]:
    """Remove what liquidations into ``target`` killed before their end left behind (partial file, working folder).

    Only a dead process's: a liquidation into the same target still running keeps its files. Returns what was removed.
    """
    removed = []
    for path in target.parent.glob(f".{glob.escape(target.name)}{PARTIAL}*"):
        pid = path.name[len(target.name) + 1 + len(PARTIAL):].split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _durable(path: Path) -> None:
    """Flush a written file (or a folder's entries, after a rename) to the disk, so that the rename publishes whole data."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _liquidate_into(source: Path, target: Path, workdir: Path, in_format: str, out_format: str, lignes_par_lot: int,
                    on_progress: Callable[[int, int], None] | None, compression: str) -> Summary:
    """Liquidate ``source`` into ``target`` (the partial file), using ``workdir`` for the intermediate files."""
    if in_format == "csv":
        parquet = workdir / "entree.parquet"
        csv_to_parquet(source, parquet)
        source = parquet
    schema = _parquet_schema(source)
    to_rules(pl.LazyFrame(schema=schema).with_row_index("__ligne"))  # refuses a malformed file before any work
    height = pl.scan_parquet(source).select(pl.len()).collect().item()
    if height <= lignes_par_lot:
        strategy, lots = "lot unique", iter([pl.read_parquet(source).with_row_index("__ligne")])
    elif _sorted_by_nir(source):
        strategy, lots = "tranches triées par nir", _sorted_lots(source, height, lignes_par_lot)
    else:
        strategy, lots = "partitions par nir", _partitioned_lots(source, height, lignes_par_lot, workdir)
    summary = Summary(height, 0, 0, 0, strategy)

    def results() -> Iterator[pl.DataFrame]:
        # Reading, liquidating and writing overlap: one thread reads the lots in order, two liquidate
        # (Polars releases the GIL), while the caller writes the previous lot — both cores stay busy.
        # At most LOTS_EN_COURS lots are liquidated ahead of the one being written.
        done = 0
        with ThreadPoolExecutor(max_workers=1) as reader, ThreadPoolExecutor(max_workers=LOTS_EN_COURS) as workers:

            def next_lot() -> Future[pl.DataFrame | None]:
                read = reader.submit(next, lots, None)
                return workers.submit(lambda: None if (lot := read.result()) is None else liquidate_public(lot))

            pending = deque(next_lot() for _ in range(LOTS_EN_COURS))
            while (out := pending.popleft().result()) is not None:
                pending.append(next_lot())
                done += out.height
                summary.lots += 1
                summary.rejetees += out.height - out["rejet"].null_count()
                summary.rembourse_cents += int(out["rembourse"].to_physical().sum())  # Decimal(18, 2): in cents
                if summary.premier_format is None:
                    unreadable = out.filter(pl.col("rejet") == "FORMAT").head(1)
                    if unreadable.height:
                        summary.premier_format = (int(unreadable["ligne"][0]), str(unreadable["motif"][0]))
                if on_progress:
                    on_progress(done, height)
                yield out

    output_schema = _output_schema(pl.Schema({"__ligne": pl.UInt32(), **dict(schema)}))
    lazy = _lazy_lots(results(), output_schema)
    if out_format == "csv":
        lazy.sink_csv(target)  # one header line, then every lot's rows (a header alone for an empty input)
    else:
        lazy.sink_parquet(target, compression=compression, statistics=STATISTICS)  # type: ignore[call-overload]  # a checked codec name
    return summary


def _lazy_lots(frames: Iterator[pl.DataFrame], schema: dict[str, pl.DataType]) -> pl.LazyFrame:
    """The lots as ONE lazy source fed by the generator, for Polars' streaming sinks (one file, written as the lots come)."""
    from polars.io.plugins import register_io_source

    def source(with_columns: list[str] | None, predicate: pl.Expr | None, n_rows: int | None, batch_size: int | None) -> Iterator[pl.DataFrame]:
        for frame in frames:
            yield frame.select(list(schema)) if with_columns is None else frame.select(with_columns)

    return register_io_source(source, schema=schema)


# --------------------------------------------------------------------------
# The command


commandes = typer.Typer()  # the commands this module adds to `secu` (secu/cli.py)


@commandes.command("liquidate", help="Liquider des lignes de soins (Parquet ou CSV) par lots.")
def liquidate_command(
    entree: Path = typer.Argument(..., help="fichier de lignes de soins (.parquet ou .csv)"),  # noqa: B008
    out: Path = typer.Option(..., "--out", help="fichier résultat (.parquet ou .csv)"),  # noqa: B008
    lignes_par_lot: int = typer.Option(DEFAULT_LOT, "--lignes-par-lot", min=1, help="lignes traitées ensemble (mémoire bornée)"),
    sans_progression: bool = typer.Option(False, "--sans-progression", help="ne pas afficher la barre de progression"),
) -> None:
    """Liquider des lignes de soins (Parquet ou CSV) par lots."""
    console, errors = Console(), Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        if sans_progression:
            summary = liquidate_file(entree, out, lignes_par_lot=lignes_par_lot)
        else:
            columns = (TextColumn("Liquidation"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, console=console) as bar:
                task = bar.add_task("liquidation", total=None)
                summary = liquidate_file(
                    entree, out, lignes_par_lot=lignes_par_lot,
                    on_progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
    except SecuError as error:
        errors.print(str(error), markup=False)
        raise typer.Exit(2) from None
    if summary.premier_format is not None:  # on stderr: the lines are rejected, not the file (the output has them all)
        ligne, motif = summary.premier_format
        errors.print(f"des lignes sont rejetées pour leur format (rejet FORMAT), la première à la ligne {ligne} "
                     f"(colonne « ligne » du résultat) : {motif}", markup=False)
    console.print(
        f"{summary.lignes} ligne(s) en {summary.lots} lot(s) ({summary.strategie}), {summary.rejetees} rejetée(s) ; "
        f"remboursé : {format_eur(summary.rembourse_cents)} → {out}",
        markup=False, highlight=False,
    )
