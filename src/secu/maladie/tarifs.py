"""Tarifs conventionnels as dated data: loading, validation, and the join onto claim lines.

The tables live in ``src/secu/maladie/data/``:

* ``tarifs.csv``: one row per act code and date d'effet — the base de
  remboursement in euros (empty when the act is priced per item by the line:
  pharmacy, LPP, transports, CCAM acts, hospital stays), its reimbursement
  category, the legal reference, and ``statut``: ``confirme`` (read in a
  text, at ameli or in several concordant professional sources),
  ``secondaire`` (one secondary source, or the reference sheet) or
  ``non-verifie`` (the sheet's UNVERIFIED, or memory);
* ``categories.yaml``: what each category means for the rules — which dated
  rate parameter applies, whether the participation forfaitaire and which
  franchise are due, whether the parcours de soins and the actes-lourds
  forfait apply, which exonérations waive the ticket modérateur.

:func:`tarifs` reads and checks both once. The join onto claim lines is an
exact-date lookup in a dense table with one row per (act, day) from
:data:`COUVERTURE_DEBUT` to the last date d'effet (a day after it takes the
last value): each line's (act, day) gives a row number in that table, and
the lookup is a gather — no sort of the lines, no hash join, whatever the
number of lines and dates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

import polars as pl
import yaml

from secu.core.errors import InvalidField, NotFound, SecuError
from secu.core.money import to_cents

DATA = Path(__file__).resolve().parent / "data"
TARIFS_PATH = DATA / "tarifs.csv"
CATEGORIES_PATH = DATA / "categories.yaml"

COUVERTURE_DEBUT = date(2023, 1, 1)
"""First day of care secu liquidates: the tables and parameters are researched from this day on."""

FRANCHISES = ("boite", "paramedical", "transport")
"""Kinds of franchise (CSS L160-13 III): per box of medicine, per paramedical act, per transport."""

MOTIFS_EXONERATION = ("atmp", "maternite", "ALD", "invalidite", "nouveau-ne", "c2s")
"""Motifs that waive the ticket modérateur, in the order they are retained when several apply."""

STATUTS = ("confirme", "secondaire", "non-verifie")

ACTES_LOURDS = ("acte", "sejour")
"""How a category can bear the actes-lourds forfait (CSS R160-16): by its acts, or as a hospital stay."""

_COLUMNS = ("acte", "libelle", "categorie", "date_effet", "tarif", "reference", "statut", "source", "note")
_CATEGORY_KEYS = {"libelle", "taux", "participation_forfaitaire", "franchise", "hors_parcours", "acte_lourd", "exonerations"}

KEY = "__tarif_cle"
"""The join key of the dense table: act index × number of days + day index."""

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


class InvalidTariffFile(SecuError):
    """A tariff table is malformed: a deployment error, nothing is liquidated until it is fixed."""

    status_code = 500

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message, field=path)
        self.path = path


@dataclass(frozen=True, slots=True)
class Categorie:
    code: str
    libelle: str
    taux: str | None
    """Name of the dated rate parameter; None: the expense stays with the assuré (forfait journalier)."""
    participation_forfaitaire: bool
    franchise: str | None
    hors_parcours: bool
    acte_lourd: str | None
    """How the actes-lourds forfait (CSS R160-16) reaches the category: ``acte`` (an act, or the acts of one
    session, at or above the thresholds), ``sejour`` (a hospital stay during which such an act was performed,
    said by the line), None (never)."""
    exonerations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Exoneration:
    motif: str
    libelle: str
    reference: str
    majoration_hors_parcours: bool
    """Does the hors-parcours majoration (CSS L162-5-3) still reduce the rate under this exonération?"""


@dataclass(frozen=True, slots=True)
class TarifRow:
    acte: str
    libelle: str
    categorie: str
    date_effet: date
    tarif_cents: int | None
    """Base de remboursement of one act (or of one unit of coefficient for a key letter); None: priced per item."""
    reference: str
    statut: str
    source: str | None
    note: str | None

    @property
    def unitaire(self) -> bool:
        """Priced per item: the line carries the unit price (``base_unitaire``)."""
        return self.tarif_cents is None


class Tarifs:
    """The validated tables. Immutable once loaded; build it with :func:`load_tarifs`."""

    def __init__(self, rows: Sequence[TarifRow], categories: Mapping[str, Categorie], exonerations: Mapping[str, Exoneration],
                 *, jusqu_au: date | None = None) -> None:
        self.rows = tuple(sorted(rows, key=lambda r: (r.acte, r.date_effet)))
        self.categories: Mapping[str, Categorie] = MappingProxyType(dict(categories))
        self.exonerations: Mapping[str, Exoneration] = MappingProxyType(dict(exonerations))
        by_code: dict[str, list[TarifRow]] = {}
        for row in self.rows:
            by_code.setdefault(row.acte, []).append(row)
        self._by_code = {code: tuple(found) for code, found in by_code.items()}
        self.debut = COUVERTURE_DEBUT
        self.fin = max(max(r.date_effet for r in self.rows), COUVERTURE_DEBUT, jusqu_au or COUVERTURE_DEBUT)
        """Last date d'effet of a tariff — or of a parameter the rules read (``jusqu_au``): every later day has the
        values of that day, so the dense (act, day) table must reach the last change of either."""
        self.days = (self.fin - self.debut).days + 1
        self.acte_dtype = pl.Enum(self.codes())
        self.categorie_dtype = pl.Enum(sorted(self.categories))

    def codes(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_code))

    def __contains__(self, acte: object) -> bool:
        return acte in self._by_code

    def history(self, acte: str) -> tuple[TarifRow, ...]:
        """Every dated row of an act; InvalidField("acte", "acte inconnu : …") for an unknown code."""
        try:
            return self._by_code[acte]
        except (KeyError, TypeError):
            raise InvalidField("acte", f"acte inconnu : {acte}") from None

    def at(self, acte: str, day: date) -> TarifRow:
        """The row of ``acte`` in force on ``day``.

        InvalidField for an unknown code; NotFound when the day precedes the act's first row.
        """
        found = [row for row in self.history(acte) if row.date_effet <= day]
        if not found:
            raise NotFound(f"aucun tarif de l'acte {acte} en vigueur le {day:%d/%m/%Y}", field="date_soins")
        return found[-1]

    def frame(self) -> pl.DataFrame:
        """The rows as a frame (money in Int64 cents)."""
        return pl.DataFrame(
            {
                "acte": [r.acte for r in self.rows],
                "libelle": [r.libelle for r in self.rows],
                "categorie": [r.categorie for r in self.rows],
                "date_effet": [r.date_effet for r in self.rows],
                "tarif_cents": [r.tarif_cents for r in self.rows],
                "reference": [r.reference for r in self.rows],
                "statut": [r.statut for r in self.rows],
            },
            schema_overrides={"tarif_cents": pl.Int64, "date_effet": pl.Date},
        )

    def daily(self) -> pl.DataFrame:
        """One row per (act, day) from :attr:`debut` to :attr:`fin`, keyed by :data:`KEY`.

        Columns: ``tarif_cents`` (Int64, null when priced per item),
        ``tarif_unitaire``, ``tarif_en_vigueur`` (False before the act's
        first row; every other column is then null), ``categorie`` (Enum),
        ``tarif_date_effet``, ``tarif_reference`` (Categorical),
        ``tarif_statut``, ``jour``.
        """
        return _daily(self)

    def key(self, acte: pl.Expr, day: pl.Expr) -> pl.Expr:
        """The dense-table key of each line: null for an unknown act or a day before :attr:`debut`.

        ``acte`` is a String (or Categorical/Enum) expression, ``day`` a Date
        expression. Days after :attr:`fin` take the row of :attr:`fin`.
        """
        index = acte.cast(pl.String).cast(self.acte_dtype, strict=False).to_physical().cast(pl.Int64)
        offset = (day - pl.lit(self.debut)).dt.total_days()
        offset = pl.when(offset >= 0).then(offset.clip(upper_bound=self.days - 1))
        return index * self.days + offset


# --------------------------------------------------------------------------
# Loading and validation


def _text(raw: object) -> str | None:
    if raw is None:
        return None
    text = " ".join(str(raw).split())
    return text or None


def _parse_categories(data: object, path: str) -> tuple[dict[str, Categorie], dict[str, Exoneration]]:
    from secu.core.parameters import parameters

    if not isinstance(data, dict) or set(data) != {"categories", "exonerations"}:
        raise InvalidTariffFile(path, "le fichier doit contenir exactement « categories » et « exonerations »")
    raw_exonerations = data["exonerations"]
    if not isinstance(raw_exonerations, dict) or list(raw_exonerations) != list(MOTIFS_EXONERATION):
        raise InvalidTariffFile(path, f"exonerations doit lister, dans cet ordre : {', '.join(MOTIFS_EXONERATION)}")
    exonerations: dict[str, Exoneration] = {}
    for motif, entry in raw_exonerations.items():
        if not isinstance(entry, dict) or not _text(entry.get("libelle")) or not _text(entry.get("reference")):
            raise InvalidTariffFile(path, f"exonération {motif} : libelle et reference obligatoires")
        if not isinstance(entry.get("majoration_hors_parcours"), bool):
            raise InvalidTariffFile(path, f"exonération {motif} : majoration_hors_parcours doit valoir true ou false")
        exonerations[motif] = Exoneration(motif, _text(entry["libelle"]) or "", _text(entry["reference"]) or "",
                                          entry["majoration_hors_parcours"])
    raw = data["categories"]
    if not isinstance(raw, dict) or not raw:
        raise InvalidTariffFile(path, "categories doit être un dictionnaire non vide")
    known = parameters()
    categories: dict[str, Categorie] = {}
    for code, entry in raw.items():
        where = f"catégorie {code}"
        if not isinstance(entry, dict) or set(entry) != _CATEGORY_KEYS:
            raise InvalidTariffFile(path, f"{where} : clés attendues {', '.join(sorted(_CATEGORY_KEYS))}")
        taux = entry["taux"]
        if taux is not None and (taux not in known or known.get(taux).unit != "taux"):
            raise InvalidTariffFile(path, f"{where} : {taux!r} n'est pas un paramètre de taux défini")
        if entry["franchise"] is not None and entry["franchise"] not in FRANCHISES:
            raise InvalidTariffFile(path, f"{where} : franchise {entry['franchise']!r} inconnue (admises : {', '.join(FRANCHISES)})")
        for flag in ("participation_forfaitaire", "hors_parcours"):
            if not isinstance(entry[flag], bool):
                raise InvalidTariffFile(path, f"{where} : {flag} doit valoir true ou false")
        if entry["acte_lourd"] not in (False, *ACTES_LOURDS):
            raise InvalidTariffFile(path, f"{where} : acte_lourd doit valoir false, {' ou '.join(ACTES_LOURDS)}")
        if entry["acte_lourd"] == "acte" and entry["franchise"] is not None:
            # The session of R160-16 is settled after the franchise, which is capped by each line's own AMO.
            raise InvalidTariffFile(path, f"{where} : une catégorie d'actes lourds par séance ne peut pas porter de franchise")
        motifs = entry["exonerations"]
        if not isinstance(motifs, list) or any(m not in exonerations for m in motifs):
            raise InvalidTariffFile(path, f"{where} : exonerations doit être une liste de motifs parmi {', '.join(exonerations)}")
        libelle = _text(entry["libelle"])
        if not libelle:
            raise InvalidTariffFile(path, f"{where} : libelle obligatoire")
        categories[str(code)] = Categorie(
            str(code), libelle, taux, entry["participation_forfaitaire"], entry["franchise"],
            entry["hors_parcours"], entry["acte_lourd"] or None, tuple(m for m in MOTIFS_EXONERATION if m in motifs),
        )
    return categories, exonerations


def _parse_rows(text: str, path: str, categories: Mapping[str, Categorie]) -> list[TarifRow]:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise InvalidTariffFile(path, f"colonnes attendues : {', '.join(_COLUMNS)}")
    rows: list[TarifRow] = []
    last: dict[str, TarifRow] = {}
    for number, raw in enumerate(reader, start=2):
        where = f"ligne {number}"
        acte = (raw["acte"] or "").strip()
        if not acte or acte != acte.upper() or any(c.isspace() for c in acte):
            raise InvalidTariffFile(path, f"{where} : code d'acte {acte!r} invalide (majuscules, sans espace)")
        where = f"ligne {number} (acte {acte})"
        try:
            day = date.fromisoformat((raw["date_effet"] or "").strip())
        except ValueError:
            raise InvalidTariffFile(path, f"{where} : date_effet {raw['date_effet']!r} n'est pas une date AAAA-MM-JJ") from None
        reference = _text(raw["reference"])
        if not reference:
            raise InvalidTariffFile(path, f"{where} : la référence juridique est obligatoire")
        categorie = (raw["categorie"] or "").strip()
        if categorie not in categories:
            raise InvalidTariffFile(path, f"{where} : catégorie {categorie!r} inconnue")
        statut = (raw["statut"] or "").strip()
        if statut not in STATUTS:
            raise InvalidTariffFile(path, f"{where} : statut {statut!r} inconnu (admis : {', '.join(STATUTS)})")
        libelle = _text(raw["libelle"])
        if not libelle:
            raise InvalidTariffFile(path, f"{where} : libellé obligatoire")
        tarif_text = (raw["tarif"] or "").strip()
        tarif: int | None = None
        if tarif_text:
            try:
                amount = Decimal(tarif_text)
            except InvalidOperation:
                raise InvalidTariffFile(path, f"{where} : tarif {tarif_text!r} n'est pas un nombre") from None
            if not amount.is_finite() or amount < 0:
                raise InvalidTariffFile(path, f"{where} : tarif {tarif_text!r} invalide")
            try:
                tarif = to_cents(amount, field="tarif")
            except InvalidField as error:
                raise InvalidTariffFile(path, f"{where} : {error.message}") from None
        row = TarifRow(acte, libelle, categorie, day, tarif, reference, statut, _text(raw["source"]), _text(raw["note"]))
        previous = last.get(acte)
        if previous is not None:
            if day <= previous.date_effet:
                raise InvalidTariffFile(
                    path, f"{where} : les dates d'effet doivent croître ({day.isoformat()} après {previous.date_effet.isoformat()})"
                )
            if previous.categorie != categorie or previous.unitaire != row.unitaire:
                raise InvalidTariffFile(path, f"{where} : un acte garde sa catégorie et son mode de tarification")
        last[acte] = row
        rows.append(row)
    if not rows:
        raise InvalidTariffFile(path, "table vide")
    return rows


def load_tarifs(tarifs_path: Path | None = None, categories_path: Path | None = None, *, jusqu_au: date | None = None) -> Tarifs:
    """Read and check the tables (the package's by default); InvalidTariffFile names the file and the problem."""
    tarifs_path = TARIFS_PATH if tarifs_path is None else Path(tarifs_path)
    categories_path = CATEGORIES_PATH if categories_path is None else Path(categories_path)
    try:
        data = yaml.safe_load(categories_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidTariffFile(categories_path.name, f"fichier illisible : {error}") from None
    categories, exonerations = _parse_categories(data, categories_path.name)
    try:
        text = tarifs_path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidTariffFile(tarifs_path.name, f"fichier illisible : {error}") from None
    if jusqu_au is None:  # the days reach the last change of any dated parameter, not only of the tariffs
        from secu.core.parameters import parameters

        jusqu_au = max(value.date_effet for parameter in parameters() for value in parameter.values)
    return Tarifs(_parse_rows(text, tarifs_path.name, categories), categories, exonerations, jusqu_au=jusqu_au)


@lru_cache(maxsize=1)
def tarifs() -> Tarifs:
    """The package's tables, loaded and checked once per process."""
    return load_tarifs()


# --------------------------------------------------------------------------
# The dense (act, day) table and the join


def _daily(table: Tarifs) -> pl.DataFrame:
    rows = table.frame().with_columns(
        pl.col("acte").cast(table.acte_dtype),
        pl.col("categorie").cast(table.categorie_dtype),
        pl.col("statut").cast(pl.Enum(list(STATUTS))),
        pl.col("reference").cast(pl.Categorical),
        pl.col("tarif_cents").is_null().alias("tarif_unitaire"),
    )
    days = pl.DataFrame({"jour": pl.date_range(table.debut, table.fin, "1d", eager=True)})
    codes = pl.DataFrame({"acte": pl.Series(table.codes(), dtype=table.acte_dtype)})
    grid = codes.join(days, how="cross").sort("jour")
    dense = grid.join_asof(
        rows.rename({"date_effet": "tarif_date_effet"}).sort("tarif_date_effet"),
        left_on="jour", right_on="tarif_date_effet", by="acte", strategy="backward", check_sortedness=False,
    )
    return (
        dense.with_columns(
            (pl.col("acte").to_physical().cast(pl.Int64) * table.days + (pl.col("jour") - pl.lit(table.debut)).dt.total_days()).alias(KEY),
            pl.col("tarif_date_effet").is_not_null().alias("tarif_en_vigueur"),
        )
        .rename({"reference": "tarif_reference", "statut": "tarif_statut"})
        .select(KEY, "acte", "jour", "categorie", "tarif_cents", "tarif_unitaire", "tarif_en_vigueur",
                "tarif_date_effet", "tarif_reference", "tarif_statut")
        .sort(KEY)
    )


def join_tarifs(
    frame: FrameT,
    *,
    on: str = "date_soins",
    acte: str = "acte",
    strict: bool = True,
    table: pl.DataFrame | None = None,
    source: Tarifs | None = None,
) -> FrameT:
    """Add the tariff in force on each line's date: a vectorized as-of join by (acte, date).

    Adds the columns of :meth:`Tarifs.daily` (or of ``table``, a wider
    frame keyed the same way, as the rules use) except ``acte`` and
    ``jour``. Rows keep their order.

    ``strict=True`` (for one claim online): an unknown code raises
    InvalidField("acte", "acte inconnu : …"); a date before an act's first
    row, or before :data:`COUVERTURE_DEBUT`, raises NotFound; a missing date
    raises InvalidField. ``strict=False`` (the rules, a batch): such lines get
    nulls (and ``tarif_en_vigueur`` null or False) so the caller can reject
    them line by line without stopping the batch.
    """
    source = source if source is not None else tarifs()
    dense = table if table is not None else source.daily()
    if dense.height != len(source.codes()) * source.days or KEY not in dense.columns:
        raise ValueError("la table jointe doit être la table dense (acte, jour) des tarifs, triée par clé")
    eager = isinstance(frame, pl.DataFrame)
    lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    schema = lazy.collect_schema()
    for name in (on, acte):
        if name not in schema:
            raise InvalidField(name, f"colonne {name!r} absente du tableau")
    if schema[on] != pl.Date:
        raise InvalidField(on, f"la colonne {on!r} doit être de type Date, pas {schema[on]}")
    added = [c for c in dense.columns if c not in (KEY, "acte", "jour")]
    clash = sorted(set(added) & set(schema.names()))
    if clash:
        raise ValueError(f"colonne(s) déjà présente(s) dans le tableau : {', '.join(clash)}")
    if strict:
        _check_strict(lazy, on, acte, source)
    # The dense table holds row KEY at position KEY: the lookup is a gather, with null for null keys.
    key = source.key(pl.col(acte), pl.col(on))
    joined = lazy.with_columns(key.alias(KEY)).with_columns(
        pl.lit(dense[name]).gather(pl.col(KEY)).alias(name) for name in added
    ).drop(KEY)
    return joined.collect() if eager else joined  # type: ignore[return-value]


def _check_strict(lazy: pl.LazyFrame, on: str, acte: str, source: Tarifs) -> None:
    keys = lazy.select(pl.col(acte).cast(pl.String), pl.col(on)).collect()
    if keys[on].null_count():
        raise InvalidField(on, "date des soins absente")
    unknown = sorted({str(code) for code in keys[acte].unique().to_list() if code not in source})
    if unknown:
        raise InvalidField("acte", f"acte inconnu : {', '.join(unknown)}")
    if keys.height == 0:
        return
    firsts = {code: source.history(code)[0].date_effet for code in keys[acte].unique().to_list()}
    for code, first in sorted(firsts.items()):
        start = max(first, source.debut)
        earliest = keys.filter(pl.col(acte) == code)[on].min()
        assert isinstance(earliest, date)
        if earliest < start:
            raise NotFound(f"aucun tarif de l'acte {code} en vigueur le {earliest:%d/%m/%Y}", field=on)
