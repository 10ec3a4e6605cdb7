"""Dated legal parameters: loading, validation, and the as-of join onto Polars frames.

The law's numbers live in ``src/secu/parametres/<domaine>/…/<feuille>.yaml``,
one file per parameter (the format is described in
``src/secu/parametres/README.md``). The parameter's name is its path below
the domain folder, with dots: ``parametres/commun/smic/horaire.yaml`` is
``smic.horaire``.

Everything is read and checked once, by :func:`load_parameters`: a file that
lacks a reference, mixes up its dates or writes ``1709.285`` for an amount in
euros stops the load with :class:`InvalidParameterFile`, naming the file and
the problem. Numbers are read as :class:`~decimal.Decimal` straight from the
YAML text (never through a float), so ``1709.28`` is ``Decimal("1709.28")``.

Three types of parameter (the file's ``type``): ``scalaire`` (one number a
date, the default), ``table`` (numbers by category, one or two levels of
keys) and ``bareme`` (tranches of seuil and taux, computed by
``secu.core.bareme``).

Two ways to read a value:

* scalar: ``parameters().get("smic.horaire").at(date(2026, 1, 15))`` gives the
  :class:`ParameterValue` in force that day, with its reference;
* vectorized: :func:`join_parameters` adds the parameter's columns to a
  frame of many rows and many dates (a backward as-of join), which is how
  rules read the law: one column for a scalar, one per leaf for a table (or,
  keyed by a category column, the row's leaf), one per seuil and taux for a
  barème.

Column types in frames (what rules receive):

======================  ===================================================
unit                    column
======================  ===================================================
``eur``                 Int64, cents (1 709,28 € -> 170928)
``eur_par_heure``       Int64, cents per hour (12,02 €/h -> 1202)
``taux``                Decimal(38, 9): feed it to ``money.apply_rate_expr``
``coefficient``         Decimal(38, 9), same
``heures``              Decimal(38, 2)
``nombre``, ``jours``   Int64
references              Categorical (``with_references=True``)
======================  ===================================================

Rates keep 9 decimals because that is the exact scale
``secu.core.money.apply_rate_expr`` works at (``RATE_EXPR_SCALE``); the
loader refuses a rate with more.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import polars as pl
import yaml

from secu.core.bareme import Bareme, Tranche
from secu.core.errors import InvalidField, NotFound, SecuError, UnknownParameter
from secu.core.money import NBSP, RATE_EXPR_SCALE

PARAMETRES_ROOT = Path(__file__).resolve().parent.parent / "parametres"
"""The package's own tree of parameters."""

ParameterScalar = Decimal | int | None
TableLeaf = Decimal | int
TableValue = Mapping[str, TableLeaf | Mapping[str, TableLeaf]]
"""A table's value on one date: key -> number, or key -> subkey -> number (read-only mappings)."""
ParameterData = ParameterScalar | TableValue | Bareme
"""What ``ParameterValue.value`` holds, by parameter type: a number (or None), a table, a barème."""

# --------------------------------------------------------------------------
# Units


@dataclass(frozen=True)
class Unit:
    """What a unit accepts in YAML and how it is joined onto a frame."""

    code: str
    label: str
    """French label, for people."""
    integer: bool
    """Values are Python ints (counts), not Decimals."""
    max_decimals: int | None
    """Most decimals a value may carry (None: integers only)."""
    signed: bool
    """Negative values allowed."""
    dtype: pl.DataType
    """Column type given by join_parameters."""
    cents: bool
    """Joined as integer cents (value × 100)."""


UNITS: Mapping[str, Unit] = MappingProxyType(
    {
        "eur": Unit("eur", "euros", False, 2, False, pl.Int64(), True),
        "eur_par_heure": Unit("eur_par_heure", "euros par heure", False, 2, False, pl.Int64(), True),
        "taux": Unit("taux", "taux (fraction décimale : 5,25 % s'écrit 0.0525)", False, RATE_EXPR_SCALE, False,
                     pl.Decimal(38, RATE_EXPR_SCALE), False),
        "coefficient": Unit("coefficient", "coefficient multiplicateur", False, RATE_EXPR_SCALE, False,
                            pl.Decimal(38, RATE_EXPR_SCALE), False),
        "heures": Unit("heures", "heures", False, 2, False, pl.Decimal(38, 2), False),
        "nombre": Unit("nombre", "nombre entier", True, None, True, pl.Int64(), False),
        "jours": Unit("jours", "jours", True, None, False, pl.Int64(), False),
    }
)
"""The units a parameter may have. Each value is checked against its unit at load time."""

SCALAR_TYPE = "scalaire"
TABLE_TYPE = "table"
BAREME_TYPE = "bareme"
TYPES: Mapping[str, str] = MappingProxyType(
    {
        SCALAR_TYPE: "un nombre par date",
        TABLE_TYPE: "des nombres par catégorie (clé -> nombre, ou clé -> sous-clé -> nombre)",
        BAREME_TYPE: "des tranches de seuil et de taux",
    }
)
"""The parameter ``type``s (``scalaire`` when the file says none)."""
BAREME_RATE_UNITS = ("taux", "coefficient")
"""Units a barème's rates may have."""
BAREME_SEUIL_UNITS = ("eur", "nombre", "jours")
"""Units a barème's thresholds may have: joined as integers (cents for eur), so the barème is computed exactly."""

_TOP_KEYS = frozenset({"description", "unit", "unit_seuil", "documentation", "values", "type"})
_REQUIRED_TOP_KEYS = ("description", "unit", "values")
_VALUE_KEYS = frozenset({"date_effet", "value", "reference", "statut", "note", "source_url"})
_REQUIRED_VALUE_KEYS = ("date_effet", "value", "reference", "statut")
STATUTS: Mapping[str, str] = MappingProxyType(
    {
        "confirme": "relu dans le texte officiel qui fixe la valeur",
        "secondaire": "pris d'une source secondaire (OpenFisca-France, fiche de référence, presse, site d'un organisme)",
        "non-verifie": "non vérifié : valeur à confirmer dans le texte officiel",
    }
)
"""How far a value was checked: the structured verification status every value carries."""
_NAME_PART = re.compile(r"[a-z][a-z0-9_]*\Z")
_TABLE_KEY = re.compile(r"[a-z0-9_]+\Z")
_TRANCHE_KEYS = frozenset({"seuil", "taux"})
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


# --------------------------------------------------------------------------
# Model


@dataclass(frozen=True, slots=True)
class ParameterValue:
    """One dated value of a parameter and the text that sets it.

    ``value`` is None when the parameter ceases to apply from ``date_effet``.
    """

    date_effet: date
    value: ParameterData
    reference: str
    note: str | None = None
    source_url: str | None = None
    statut: str = "confirme"
    """One of STATUTS: confirme, secondaire, non-verifie."""

    def number(self) -> Decimal | int:
        """A scalar's value, typed (TypeError for a table, a barème or a null): ``at(d).number()``."""
        if self.value is None or isinstance(self.value, Mapping | Bareme):
            raise TypeError("number : cette valeur n'est pas un nombre")
        return self.value

    def leaf(self, key: str, subkey: str | None = None) -> TableLeaf:
        """A table's number for ``key`` (and ``subkey``, in a two-level table): ``at(d).leaf("gir1")``."""
        if not isinstance(self.value, Mapping):
            raise TypeError("leaf : cette valeur n'est pas une table")
        if key not in self.value:
            raise KeyError(f"clé {key!r} absente de la table (clés : {', '.join(self.value)})")
        item = self.value[key]
        if isinstance(item, Mapping) != (subkey is not None):
            raise KeyError(f"clé {key!r} : " + ("une sous-clé est attendue" if isinstance(item, Mapping) else "pas de sous-clé"))
        if isinstance(item, Mapping):
            assert subkey is not None
            if subkey not in item:
                raise KeyError(f"sous-clé {subkey!r} absente (sous-clés : {', '.join(item)})")
            return item[subkey]
        return item

    def bareme(self) -> Bareme:
        """A barème's value, typed: ``at(d).bareme().montant(base_cents)``."""
        if not isinstance(self.value, Bareme):
            raise TypeError("bareme : cette valeur n'est pas un barème")
        return self.value


@dataclass(frozen=True, slots=True)
class Parameter:
    """A legal parameter and its whole history, sorted by date d'effet."""

    name: str
    description: str
    unit: str
    values: tuple[ParameterValue, ...]
    documentation: str | None = None
    kind: str = SCALAR_TYPE
    """The file's ``type``: scalaire, table or bareme."""
    unit_seuil: str | None = None
    """A barème's unit of thresholds (its ``unit`` is that of the rates)."""
    domain: str | None = None
    """The domain folder the file sits in (commun, famille…): sorts the files, not part of the name."""

    @property
    def column(self) -> str:
        """The column name join_parameters gives it: dots become underscores (the prefix of a table's or barème's columns)."""
        return self.name.replace(".", "_")

    @property
    def keys(self) -> tuple[str, ...]:
        """A table's keys, in the file's order (empty for other types)."""
        table = self._first_table()
        return tuple(table) if table is not None else ()

    @property
    def subkeys(self) -> tuple[str, ...]:
        """A two-level table's subkeys (the same under every key), in the file's order; empty otherwise."""
        table = self._first_table()
        if table is None:
            return ()
        first = next(iter(table.values()))
        return tuple(first) if isinstance(first, Mapping) else ()

    @property
    def tranches(self) -> int:
        """A barème's largest number of tranches over its dates (0 for other types)."""
        return max((len(v.value.tranches) for v in self.values if isinstance(v.value, Bareme)), default=0)

    @property
    def columns(self) -> tuple[str, ...]:
        """The value columns join_parameters gives it, one per leaf for a table, per seuil and taux for a barème."""
        if self.kind == TABLE_TYPE:
            subkeys = self.subkeys
            if subkeys:
                return tuple(f"{self.column}_{k}_{s}" for k in self.keys for s in subkeys)
            return tuple(f"{self.column}_{k}" for k in self.keys)
        if self.kind == BAREME_TYPE:
            return tuple(f"{self.column}_{part}_{i}" for i in range(1, self.tranches + 1) for part in ("seuil", "taux"))
        return (self.column,)

    def keyed_columns(self) -> tuple[str, ...]:
        """The columns a keyed join gives (one leaf per row): ``<column>`` or ``<column>_<subkey>``."""
        subkeys = self.subkeys
        return tuple(f"{self.column}_{s}" for s in subkeys) if subkeys else (self.column,)

    def _first_table(self) -> TableValue | None:
        if self.kind != TABLE_TYPE:
            return None
        return next(v.value for v in self.values if isinstance(v.value, Mapping))

    @property
    def dates(self) -> tuple[date, ...]:
        return tuple(v.date_effet for v in self.values)

    def at(self, d: date) -> ParameterValue:
        """The value in force on ``d`` (the last one whose date d'effet is on or before it).

        Raises NotFound if ``d`` precedes the first value or if the parameter
        had ceased to apply (null value) on that day.
        """
        if isinstance(d, datetime):
            d = d.date()
        index = bisect.bisect_right(self.dates, d) - 1
        if index < 0 or self.values[index].value is None:
            raise NotFound(_not_in_force(self.name, d), field="date")
        return self.values[index]


class Parameters:
    """All loaded parameters, by name. Immutable once loaded.

    Iterating yields the Parameter objects in name order.
    """

    __slots__ = ("_by_name",)

    def __init__(self, parameters: Sequence[Parameter] | Mapping[str, Parameter]) -> None:
        items = parameters.values() if isinstance(parameters, Mapping) else parameters
        by_name: dict[str, Parameter] = {}
        for parameter in items:
            if parameter.name in by_name:
                raise ValueError(f"paramètre en double : {parameter.name!r}")
            by_name[parameter.name] = parameter
        self._by_name: Mapping[str, Parameter] = MappingProxyType(dict(sorted(by_name.items())))

    def get(self, name: str) -> Parameter:
        """The parameter called ``name``; UnknownParameter if nobody defined it."""
        try:
            return self._by_name[name]
        except (KeyError, TypeError):
            raise UnknownParameter(name) from None

    __getitem__ = get

    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def close_names(self, name: str, n: int = 5) -> list[str]:
        """Names that look like ``name`` (for "did you mean" messages)."""
        return difflib.get_close_matches(name, self.names(), n=n, cutoff=0.6)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __repr__(self) -> str:
        return f"Parameters({len(self)} paramètres)"


def _not_in_force(name: str, d: date) -> str:
    return f"aucune valeur de {name} en vigueur le {d:%d/%m/%Y}"


# --------------------------------------------------------------------------
# Loading and validation


class InvalidParameterFile(SecuError):
    """A parameter file is malformed. A deployment error: nothing is served until it is fixed."""

    status_code = 500

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message, field=path)
        self.path = path


class _DecimalLoader(yaml.SafeLoader):
    """Safe YAML loader that reads floats as exact Decimals and refuses duplicate keys."""


def _construct_decimal(loader: _DecimalLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise yaml.constructor.ConstructorError(None, None, f"nombre non fini : {text!r}", node.start_mark)
    return number


def _construct_mapping(loader: _DecimalLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"clé en double : {key!r}", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


def _construct_timestamp(loader: _DecimalLoader, node: yaml.ScalarNode) -> object:
    """Dates as PyYAML reads them, but an impossible one ("2024-02-30") stays text for a clear message."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return str(loader.construct_scalar(node))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_DecimalLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_DecimalLoader.add_constructor(
    "tag:yaml.org,2002:map",
    lambda loader, node: _construct_mapping(loader, node, deep=True),  # type: ignore[arg-type]
)


def read_yaml(text: str) -> Any:
    """Parse YAML text with exact decimals (1709.28 -> Decimal("1709.28"))."""
    return yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 - a SafeLoader subclass


def _parse_date(raw: object, where: str, path: str) -> date:
    if isinstance(raw, datetime):
        raise InvalidParameterFile(path, f"{where} : date_effet doit être une date AAAA-MM-JJ, sans heure")
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str) and _ISO_DATE.match(raw.strip()):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise InvalidParameterFile(path, f"{where} : date_effet {raw!r} n'est pas une date AAAA-MM-JJ valide")


def _parse_value(raw: object, unit: Unit, where: str, path: str) -> ParameterScalar:
    if raw is None:
        return None
    if isinstance(raw, bool) or isinstance(raw, float):
        raise InvalidParameterFile(path, f"{where} : valeur {raw!r} refusée (attendu : {unit.label})")
    if isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, str) and _DECIMAL_TEXT.match(raw.strip()):
        number = Decimal(raw.strip())
    else:
        raise InvalidParameterFile(path, f"{where} : valeur {raw!r} n'est pas un nombre (attendu : {unit.label})")
    if not number.is_finite():
        raise InvalidParameterFile(path, f"{where} : valeur {raw!r} n'est pas un nombre fini")
    if number < 0 and not unit.signed:
        raise InvalidParameterFile(path, f"{where} : valeur {raw!r} négative, refusée pour l'unité {unit.code}")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    decimals = max(0, -exponent)
    if unit.integer:
        if decimals and number != number.to_integral_value():
            raise InvalidParameterFile(path, f"{where} : valeur {raw!r} doit être un nombre entier (unité {unit.code})")
        if decimals:
            raise InvalidParameterFile(path, f"{where} : valeur {raw!r} doit s'écrire sans décimales (unité {unit.code})")
        return int(number)
    assert unit.max_decimals is not None
    if decimals > unit.max_decimals:
        raise InvalidParameterFile(
            path, f"{where} : valeur {raw!r} a {decimals} décimales, {unit.max_decimals} au plus pour l'unité {unit.code}"
        )
    if abs(number) >= Decimal(10) ** 15:
        raise InvalidParameterFile(path, f"{where} : valeur {raw!r} trop grande")
    return number


def _optional_text(entry: Mapping[str, Any], key: str, where: str, path: str) -> str | None:
    raw = entry.get(key)
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidParameterFile(path, f"{where} : {key} doit être un texte non vide")
    return raw.strip()


def parse_parameter(name: str, data: object, path: str, *, domain: str | None = None) -> Parameter:
    """Validate the content of one parameter file (already parsed) and build the Parameter."""
    if not isinstance(data, dict):
        raise InvalidParameterFile(path, "le fichier doit contenir un dictionnaire (description, unit, values)")
    unknown = sorted(str(k) for k in set(data) - _TOP_KEYS)
    if unknown:
        raise InvalidParameterFile(path, f"clé(s) inconnue(s) : {', '.join(unknown)} (admises : {', '.join(sorted(_TOP_KEYS))})")
    for key in _REQUIRED_TOP_KEYS:
        if key not in data or data[key] is None:
            raise InvalidParameterFile(path, f"clé obligatoire absente : {key}")
    kind = data.get("type", SCALAR_TYPE)
    if kind not in TYPES:
        raise InvalidParameterFile(path, f"type {kind!r} inconnu (admis : {', '.join(TYPES)})")
    description = data["description"]
    if not isinstance(description, str) or not description.strip():
        raise InvalidParameterFile(path, "description doit être un texte non vide")
    documentation = _optional_text(data, "documentation", "documentation", path)
    unit_code = data["unit"]
    if unit_code not in UNITS:
        raise InvalidParameterFile(path, f"unité inconnue : {unit_code!r} (admises : {', '.join(UNITS)})")
    unit = UNITS[unit_code]
    unit_seuil = _unit_seuil(data, kind, unit_code, path)
    raw_values = data["values"]
    if not isinstance(raw_values, list) or not raw_values:
        raise InvalidParameterFile(path, "values doit être une liste non vide de valeurs datées")

    def read_value(raw: object, where: str) -> ParameterData:
        if kind == TABLE_TYPE:
            return _parse_table(raw, unit, where, path)
        if kind == BAREME_TYPE:
            assert unit_seuil is not None
            return _parse_bareme(raw, unit, unit_seuil, where, path)
        return _parse_value(raw, unit, where, path)

    values: list[ParameterValue] = []
    for number, entry in enumerate(raw_values, start=1):
        value = _parse_entry(number, entry, read_value, path)
        where = f"valeur n° {number} (date_effet {value.date_effet.isoformat()})"
        if values and value.date_effet <= values[-1].date_effet:
            raise InvalidParameterFile(
                path,
                f"{where} : les dates d'effet doivent être strictement croissantes "
                f"({value.date_effet.isoformat()} après {values[-1].date_effet.isoformat()})",
            )
        if value.value is None and (not values or values[-1].value is None):
            raise InvalidParameterFile(path, f"{where} : une valeur nulle (fin d'application) doit suivre une valeur non nulle")
        values.append(value)

    if kind == TABLE_TYPE:
        _check_same_keys(values, path)
    return Parameter(name=name, description=" ".join(description.split()), unit=unit_code, values=tuple(values),
                     documentation=documentation, kind=kind, unit_seuil=unit_seuil.code if unit_seuil else None, domain=domain)


def _parse_entry(number: int, entry: object, read_value: Callable[[object, str], ParameterData], path: str) -> ParameterValue:
    """One dated value of a file: its keys, date, reference, value (read by ``read_value``, per type), statut, note, URL."""
    where = f"valeur n° {number}"
    if not isinstance(entry, dict):
        raise InvalidParameterFile(path, f"{where} : doit être un dictionnaire (date_effet, value, reference)")
    unknown = sorted(str(k) for k in set(entry) - _VALUE_KEYS)
    if unknown:
        raise InvalidParameterFile(path, f"{where} : clé(s) inconnue(s) : {', '.join(unknown)}")
    for key in _REQUIRED_VALUE_KEYS:
        if key not in entry:
            raise InvalidParameterFile(path, f"{where} : clé obligatoire absente : {key}")
    date_effet = _parse_date(entry["date_effet"], where, path)
    where = f"valeur n° {number} (date_effet {date_effet.isoformat()})"
    reference = entry["reference"]
    if not isinstance(reference, str) or not reference.strip():
        raise InvalidParameterFile(path, f"{where} : la référence juridique est obligatoire et ne peut être vide")
    value = read_value(entry["value"], where)
    statut = entry["statut"]
    if statut not in STATUTS:
        raise InvalidParameterFile(path, f"{where} : statut {statut!r} inconnu (admis : {', '.join(STATUTS)})")
    note = _optional_text(entry, "note", where, path)
    source_url = _optional_text(entry, "source_url", where, path)
    if source_url is not None and not source_url.startswith(("https://", "http://")):
        raise InvalidParameterFile(path, f"{where} : source_url doit être une adresse http(s)")
    return ParameterValue(date_effet, value, " ".join(reference.split()), note, source_url, statut)


def _unit_seuil(data: Mapping[str, Any], kind: str, unit_code: str, path: str) -> Unit | None:
    """A barème's unit of thresholds (required, and only for a barème), its rates' unit checked on the way."""
    raw = data.get("unit_seuil")
    if kind != BAREME_TYPE:
        if raw is not None:
            raise InvalidParameterFile(path, f"unit_seuil ne s'emploie que pour un paramètre de type {BAREME_TYPE!r}")
        return None
    if unit_code not in BAREME_RATE_UNITS:
        raise InvalidParameterFile(path, f"unité {unit_code!r} refusée pour les taux d'un barème (admises : {', '.join(BAREME_RATE_UNITS)})")
    if raw is None:
        raise InvalidParameterFile(path, f"clé obligatoire absente pour un barème : unit_seuil (admises : {', '.join(BAREME_SEUIL_UNITS)})")
    if raw not in BAREME_SEUIL_UNITS:
        raise InvalidParameterFile(path, f"unit_seuil {raw!r} refusée (admises : {', '.join(BAREME_SEUIL_UNITS)})")
    return UNITS[raw]


def _table_key(raw: object, where: str, path: str) -> str:
    if not isinstance(raw, str):
        raise InvalidParameterFile(path, f"{where} : clé {raw!r} à écrire entre guillemets (\"{raw}\") : les clés d'une table sont des textes")
    if not _TABLE_KEY.match(raw):
        raise InvalidParameterFile(path, f"{where} : clé {raw!r} invalide (minuscules, chiffres et _ seulement)")
    if raw == "reference":
        raise InvalidParameterFile(path, f"{where} : clé {raw!r} réservée (colonne des références)")
    return raw


def _parse_table(raw: object, unit: Unit, where: str, path: str) -> TableValue | None:
    """key -> number, or key -> subkey -> number (two levels at most, every key with the same subkeys)."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw:
        raise InvalidParameterFile(path, f"{where} : la valeur d'une table doit être un dictionnaire non vide clé -> nombre")
    table: dict[str, TableLeaf | Mapping[str, TableLeaf]] = {}
    for raw_key, item in raw.items():
        key = _table_key(raw_key, where, path)
        if isinstance(item, dict):
            if not item:
                raise InvalidParameterFile(path, f"{where} : {key} est un dictionnaire vide")
            leaves: dict[str, TableLeaf] = {}
            for raw_sub, leaf in item.items():
                sub = _table_key(raw_sub, f"{where}, {key}", path)
                if isinstance(leaf, dict):
                    raise InvalidParameterFile(path, f"{where} : {key}.{sub} : une table a deux niveaux de clés au plus")
                leaves[sub] = _parse_leaf(leaf, unit, f"{where}, {key}.{sub}", path)
            table[key] = MappingProxyType(leaves)
        else:
            table[key] = _parse_leaf(item, unit, f"{where}, {key}", path)
    _check_rectangular(table, where, path)
    return MappingProxyType(table)


def _parse_leaf(raw: object, unit: Unit, where: str, path: str) -> TableLeaf:
    value = _parse_value(raw, unit, where, path)
    if value is None:
        raise InvalidParameterFile(path, f"{where} : valeur absente (une table ne cesse de s'appliquer qu'en entier, value: null)")
    return value


def _shape(table: TableValue) -> dict[str, frozenset[str] | None]:
    """Each key's subkeys (None for a number): what must not change between keys and dates."""
    return {k: frozenset(v) if isinstance(v, Mapping) else None for k, v in table.items()}


def _check_rectangular(table: TableValue, where: str, path: str) -> None:
    """Two levels: every key has the same subkeys (a table of rows and columns); one level: only numbers."""
    shapes = set(_shape(table).values())
    if len(shapes) > 1:
        raise InvalidParameterFile(path, f"{where} : toutes les clés doivent avoir les mêmes sous-clés "
                                         f"(ou toutes être des nombres) : {_describe_shape(table)}")


def _describe_shape(table: TableValue) -> str:
    return "; ".join(f"{k} : {', '.join(sorted(v)) if v else 'nombre'}" for k, v in _shape(table).items())


def _check_same_keys(values: Sequence[ParameterValue], path: str) -> None:
    """Every date of a table has the same keys (and subkeys): a rule reads the same columns whatever the date."""
    first = values[0]  # never null (checked by the loader)
    assert isinstance(first.value, Mapping)
    for number, value in enumerate(values, start=1):
        if isinstance(value.value, Mapping) and _shape(value.value) != _shape(first.value):
            raise InvalidParameterFile(
                path,
                f"valeur n° {number} (date_effet {value.date_effet.isoformat()}) : les clés doivent être les mêmes "
                f"à chaque date (au {first.date_effet.isoformat()} : {_describe_shape(first.value)} ; "
                f"au {value.date_effet.isoformat()} : {_describe_shape(value.value)})",
            )


def _parse_bareme(raw: object, unit: Unit, unit_seuil: Unit, where: str, path: str) -> Bareme | None:
    """A list of {seuil, taux}: seuils strictly increasing from 0, in ``unit_seuil``; taux in ``unit``."""
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        raise InvalidParameterFile(path, f"{where} : la valeur d'un barème doit être une liste non vide de tranches {{seuil, taux}}")
    tranches: list[Tranche] = []
    for number, item in enumerate(raw, start=1):
        here = f"{where}, tranche n° {number}"
        if not isinstance(item, dict) or set(item) != _TRANCHE_KEYS:
            raise InvalidParameterFile(path, f"{here} : une tranche a exactement deux clés, seuil et taux")
        seuil = _parse_leaf(item["seuil"], unit_seuil, f"{here}, seuil", path)
        taux = _parse_leaf(item["taux"], unit, f"{here}, taux", path)
        if seuil < 0:
            raise InvalidParameterFile(path, f"{here} : seuil {seuil} négatif")
        if not tranches and seuil != 0:
            raise InvalidParameterFile(path, f"{here} : la première tranche commence à 0 (seuil: 0), pas à {seuil}")
        if tranches and seuil <= tranches[-1].seuil:
            raise InvalidParameterFile(path, f"{here} : les seuils doivent être strictement croissants ({seuil} après {tranches[-1].seuil})")
        assert isinstance(taux, Decimal)
        tranches.append(Tranche(seuil, taux))
    return Bareme(tuple(tranches), unit_seuil.code)


def parameter_name(relative: Path) -> str:
    """``commun/smic/horaire.yaml`` -> ``smic.horaire``: the path below the domain folder, with dots."""
    parts = relative.with_suffix("").parts
    if len(parts) < 2:
        raise InvalidParameterFile(relative.as_posix(), "un paramètre doit être rangé dans un dossier de domaine (commun/, famille/…)")
    for part in parts:
        if not _NAME_PART.match(part):
            raise InvalidParameterFile(
                relative.as_posix(), f"nom de dossier ou de fichier {part!r} invalide (minuscules, chiffres et _ seulement)"
            )
    return ".".join(parts[1:])


def load_parameters(root: Path | None = None) -> Parameters:
    """Read and validate every ``*.yaml`` file under ``root`` (the package's tree by default).

    Raises InvalidParameterFile, naming the file (relative to ``root``) and the
    problem, at the first malformed file; two files giving the same name, or
    names that would give the same column, are refused too.
    """
    root = PARAMETRES_ROOT if root is None else Path(root)
    if not root.is_dir():
        raise InvalidParameterFile(str(root), "dossier de paramètres introuvable")
    found: dict[str, tuple[Parameter, str]] = {}
    columns: dict[str, str] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml")):
        relative = path.relative_to(root)
        label = relative.as_posix()
        if path.suffix == ".yml":
            raise InvalidParameterFile(label, "extension .yml non admise : nommer le fichier en .yaml")
        name = parameter_name(relative)
        try:
            data = read_yaml(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            raise InvalidParameterFile(label, f"YAML illisible : {' '.join(str(error).split())}") from None
        parameter = parse_parameter(name, data, label, domain=relative.parts[0])
        if name in found:
            raise InvalidParameterFile(label, f"le paramètre {name} est déjà défini par {found[name][1]}")
        given = set(parameter.columns) | (set(parameter.keyed_columns()) if parameter.kind == TABLE_TYPE else set())
        for column in sorted(given):
            if column in columns:
                raise InvalidParameterFile(label, f"la colonne {column} serait aussi celle de {columns[column]}")
        found[name] = (parameter, label)
        columns.update(dict.fromkeys(given, name))
    return Parameters([parameter for parameter, _ in found.values()])


@lru_cache(maxsize=1)
def parameters() -> Parameters:
    """The package's parameters, loaded and validated once per process."""
    return load_parameters()


# --------------------------------------------------------------------------
# The as-of join

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)

_ROW = "__secu_row"
_KEY = "__secu_date"
_EFFECT = "__secu_date_effet"


def _column_value(unit: Unit, value: TableLeaf | None) -> TableLeaf | None:
    if value is None or not unit.cents:
        return value
    return int(Decimal(value) * 100)  # exact: at most 2 decimals, checked at load


def _leaf(value: ParameterData, key: str, sub: str | None) -> TableLeaf | None:
    if not isinstance(value, Mapping):
        return None
    item = value[key]
    return item[sub] if isinstance(item, Mapping) and sub is not None else item  # type: ignore[return-value]


def _tranche_part(value: ParameterData, index: int, part: str) -> TableLeaf | None:
    if not isinstance(value, Bareme) or index >= len(value.tranches):
        return None
    tranche = value.tranches[index]
    return tranche.seuil if part == "seuil" else tranche.taux


def _value_columns(parameter: Parameter) -> dict[str, pl.Series]:
    """The joined value columns of a parameter, one row per date d'effet (see Parameter.columns)."""
    unit = UNITS[parameter.unit]
    values = [v.value for v in parameter.values]
    columns: dict[str, pl.Series] = {}

    def add(name: str, column_unit: Unit, leaves: list[TableLeaf | None]) -> None:
        columns[name] = pl.Series(name, [_column_value(column_unit, leaf) for leaf in leaves], dtype=column_unit.dtype)

    if parameter.kind == TABLE_TYPE:
        for key in parameter.keys:
            for sub in parameter.subkeys or (None,):
                name = f"{parameter.column}_{key}" + (f"_{sub}" if sub is not None else "")
                add(name, unit, [_leaf(value, key, sub) for value in values])
    elif parameter.kind == BAREME_TYPE:
        assert parameter.unit_seuil is not None
        for index in range(parameter.tranches):
            add(f"{parameter.column}_seuil_{index + 1}", UNITS[parameter.unit_seuil],
                [_tranche_part(value, index, "seuil") for value in values])
            add(f"{parameter.column}_taux_{index + 1}", unit, [_tranche_part(value, index, "taux") for value in values])
    else:
        add(parameter.column, unit, [value if not isinstance(value, (Mapping, Bareme)) else None for value in values])
    return columns


def parameter_frame(parameter: Parameter, *, with_reference: bool = False) -> pl.DataFrame:
    """The small frame (date d'effet, value column(s)[, reference]) join_parameters joins, sorted by date.

    A scalar gives one value column, a table one per leaf, a barème one per
    seuil and taux (Parameter.columns names them).
    """
    columns = {_EFFECT: pl.Series(_EFFECT, [v.date_effet for v in parameter.values], dtype=pl.Date)}
    columns.update(_value_columns(parameter))
    if with_reference:
        name = f"{parameter.column}_reference"
        columns[name] = pl.Series(name, [v.reference for v in parameter.values], dtype=pl.Categorical)
    return pl.DataFrame(columns).set_sorted(_EFFECT)


def _check_in_force(keys: pl.Series, chosen: Sequence[Parameter], on: str) -> None:
    """Raise if a row's date is missing, precedes a parameter, or falls where it has ceased."""
    missing = keys.null_count()
    if missing:
        raise InvalidField(on, f"{missing} ligne(s) sans date : impossible de dire quelle valeur de la loi s'applique")
    if keys.len() == 0:
        return
    for parameter in chosen:
        starts = [v.date_effet for v in parameter.values]
        gaps: list[pl.Expr] = [pl.col(_KEY) < pl.lit(starts[0])]
        for index, value in enumerate(parameter.values):
            if value.value is None:
                condition = pl.col(_KEY) >= pl.lit(starts[index])
                if index + 1 < len(starts):
                    condition = condition & (pl.col(_KEY) < pl.lit(starts[index + 1]))
                gaps.append(condition)
        offending = keys.to_frame(_KEY).filter(pl.any_horizontal(gaps)).select(pl.col(_KEY).min()).item()
        if offending is not None:
            raise NotFound(_not_in_force(parameter.name, offending), field=on)


def join_parameters(
    frame: FrameT,
    names: Sequence[str],
    *,
    on: str = "date",
    params: Parameters | None = None,
    with_references: bool = False,
    by: Mapping[str, str | pl.Expr] | None = None,
) -> FrameT:
    """Add the value columns of each parameter: its value in force at each row's date.

    ``on`` names a Date or Datetime column (a Datetime counts by its calendar
    date). Columns are named after the parameter with dots replaced by
    underscores (``smic.horaire`` -> ``smic_horaire``) and typed by unit (see
    the module docstring: amounts in Int64 cents, rates in Decimal(38, 9)).

    A **table** is joined wide, one column per leaf, ``<column>_<key>`` or
    ``<column>_<key>_<subkey>`` (``apa.plafond`` -> ``apa_plafond_gir1``…); a
    **barème** gives ``<column>_seuil_<i>`` and ``<column>_taux_<i>`` for
    i = 1… its largest number of tranches (null where a date has fewer).

    ``by`` joins a table **keyed** instead: ``by={"apa.plafond": key}`` picks,
    on each row, the leaf of the key that ``key`` gives (a column name or a
    Polars expression, read as text: an integer 2 is the key ``"2"``). The
    table then gives one column, ``<column>`` (``apa_plafond``), or for a
    two-level table one per subkey, ``<column>_<subkey>``. A null key gives
    null; a key the table does not have raises InvalidField naming it.

    With ``with_references=True`` each parameter also gets
    ``<column>_reference``, the text that set the value, so an explanation can
    cite it (Categorical: a handful of long texts repeated over millions of
    rows; it compares with plain strings and ``.to_list()`` gives str).

    The join is a backward as-of join on the parameter's small frame of dates,
    so one call serves rows of any number of dates; the rows keep their order.
    A row whose date precedes the parameter's first value, or falls where the
    parameter has ceased to apply (null value), raises NotFound naming the
    parameter and the earliest such date; a row without a date raises
    InvalidField. Nothing is ever silently null. These checks run at call
    time, for a LazyFrame too: its ``on`` column (and the keys of ``by``) are
    computed once for them (projection pushdown reads only what they need),
    and the joined frame is returned lazy. An unknown name raises UnknownParameter.
    """
    source = params if params is not None else parameters()
    if isinstance(names, str):
        raise TypeError("names doit être une séquence de noms, pas un nom seul")
    if len(set(names)) != len(names):
        raise ValueError(f"paramètre demandé deux fois : {list(names)}")
    chosen = [source.get(name) for name in names]
    keyed = _keyed(chosen, by or {})
    eager = isinstance(frame, pl.DataFrame)
    lazy: pl.LazyFrame = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    if not isinstance(lazy, pl.LazyFrame):
        raise TypeError("frame doit être un DataFrame ou un LazyFrame Polars")
    if not chosen:
        return frame

    schema = lazy.collect_schema()
    key = _date_key(schema, on)
    added = [c for p in chosen for c in (p.keyed_columns() if p.name in keyed else p.columns)]
    added += [f"{p.column}_reference" for p in chosen] if with_references else []
    clash = sorted(set(added) & set(schema.names()) | {c for c in added if c.startswith("__secu_")})
    if clash:
        raise ValueError(f"colonne(s) déjà présente(s) dans le tableau : {', '.join(clash)}")

    # Checked here, eagerly, and not inside the plan: an exception raised in a
    # Polars UDF can come back re-wrapped (message altered, field lost).
    keys = lazy.select(key.alias(_KEY), *(expr.alias(_category(p)) for p, expr in keyed.values())).collect()
    _check_in_force(keys.get_column(_KEY), chosen, on)
    for parameter, _ in keyed.values():
        _check_categories(keys.get_column(_category(parameter)), parameter, by or {})

    joined = lazy.with_row_index(_ROW).with_columns(key.alias(_KEY)).sort(_KEY, maintain_order=True)
    joined = joined.with_columns(expr.alias(_category(p)) for p, expr in keyed.values())
    for parameter in chosen:
        right = parameter_frame(parameter, with_reference=with_references)
        if parameter.name in keyed:  # joined wide under temporary names, then one leaf picked per row
            right = right.rename({c: f"{_WIDE}{c}" for c in right.columns if c != _EFFECT})
        joined = joined.join_asof(right.lazy(), left_on=_KEY, right_on=_EFFECT, strategy="backward").drop(_EFFECT)
        if parameter.name in keyed:
            temporary = [c for c in right.columns if c != _EFFECT]
            reference = f"{parameter.column}_reference"
            references = [pl.col(f"{_WIDE}{reference}").alias(reference)] if with_references else []
            joined = joined.with_columns(*_pick_leaves(parameter), *references).drop(_category(parameter), *temporary)
    result = joined.sort(_ROW).drop(_ROW, _KEY)
    return result.collect() if eager else result  # type: ignore[return-value]


_WIDE = "__secu_wide_"


def _date_key(schema: pl.Schema, on: str) -> pl.Expr:
    if on not in schema:
        raise InvalidField(on, f"colonne {on!r} absente du tableau")
    dtype = schema[on]
    if dtype == pl.Date:
        return pl.col(on)
    if isinstance(dtype, pl.Datetime):
        return pl.col(on).dt.date()
    raise InvalidField(on, f"la colonne {on!r} doit être de type Date ou Datetime, pas {dtype}")


def _keyed(chosen: Sequence[Parameter], by: Mapping[str, str | pl.Expr]) -> dict[str, tuple[Parameter, pl.Expr]]:
    """The tables joined keyed, each with its key expression read as text."""
    by_name = {p.name: p for p in chosen}
    keyed: dict[str, tuple[Parameter, pl.Expr]] = {}
    for name, key in by.items():
        if name not in by_name:
            raise ValueError(f"by : {name!r} n'est pas parmi les paramètres joints ({', '.join(by_name)})")
        if by_name[name].kind != TABLE_TYPE:
            raise ValueError(f"by : {name!r} n'est pas une table (type {by_name[name].kind})")
        expr = pl.col(key) if isinstance(key, str) else key
        keyed[name] = (by_name[name], expr.cast(pl.String))
    return keyed


def _category(parameter: Parameter) -> str:
    return f"__secu_key_{parameter.column}"


def _check_categories(categories: pl.Series, parameter: Parameter, by: Mapping[str, str | pl.Expr]) -> None:
    """Raise InvalidField if a row's key is not one of the table's keys (a null key is allowed: null leaves)."""
    unknown = sorted(set(categories.drop_nulls().unique().to_list()) - set(parameter.keys))
    if unknown:
        key = by[parameter.name]
        field = key if isinstance(key, str) else parameter.name
        shown = ", ".join(repr(u) for u in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise InvalidField(field, f"clé(s) absente(s) de la table {parameter.name} : {shown} (clés : {', '.join(parameter.keys)})")


def _pick_leaves(parameter: Parameter) -> list[pl.Expr]:
    """The keyed columns: on each row, the leaf (or leaves, one per subkey) of its key."""
    category = pl.col(_category(parameter))
    picked = []
    for output, sub in zip(parameter.keyed_columns(), parameter.subkeys or (None,), strict=True):
        keys = parameter.keys
        wide = [f"{_WIDE}{parameter.column}_{k}" + (f"_{sub}" if sub is not None else "") for k in keys]
        picked.append(pl.coalesce([pl.when(category == k).then(pl.col(c)) for k, c in zip(keys, wide, strict=True)]).alias(output))
    return picked


def bareme_columns(name: str, *, params: Parameters | None = None) -> tuple[list[pl.Expr], list[pl.Expr]]:
    """The seuil and taux columns join_parameters gives a barème, for ``secu.core.bareme.bareme_expr``.

    ``bareme_expr(pl.col("base"), *bareme_columns("recouvrement_indus.bareme"))``.
    """
    parameter = (params if params is not None else parameters()).get(name)
    if parameter.kind != BAREME_TYPE:
        raise ValueError(f"{name!r} n'est pas un barème (type {parameter.kind})")
    count = range(1, parameter.tranches + 1)
    return [pl.col(f"{parameter.column}_seuil_{i}") for i in count], [pl.col(f"{parameter.column}_taux_{i}") for i in count]


# --------------------------------------------------------------------------
# Display


def _french_number(number: Decimal | int) -> str:
    """1234.5 -> "1 234,5" (no-break space between digit groups, decimal comma)."""
    text = str(number) if isinstance(number, int) else format(number, "f")
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}".replace(",", NBSP)
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def format_value(value: ParameterScalar, unit: str) -> str:
    """A parameter value written for people, the French way, with its unit.

    ``1709.28`` eur -> "1 709,28 €"; ``48060`` eur -> "48 060 €";
    ``12.02`` eur_par_heure -> "12,02 € par heure"; ``0.0525`` taux -> "5,25 %".
    """
    if value is None:
        return "— (ne s'applique plus)"
    if unit in ("eur", "eur_par_heure"):
        number = Decimal(value)
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if exponent < 0:
            number = number.quantize(Decimal("0.01"))
        text = f"{_french_number(number)}{NBSP}€"
        return f"{text} par heure" if unit == "eur_par_heure" else text
    if unit == "taux":
        percent = (Decimal(value) * 100).normalize()
        return f"{_french_number(percent)}{NBSP}%"
    if unit == "coefficient":
        return _french_number(Decimal(value).normalize())
    if unit == "heures":
        return f"{_french_number(Decimal(value))} heure{'s' if abs(Decimal(value)) > 1 else ''}"
    if unit == "jours":
        return f"{_french_number(value)} jour{'s' if abs(int(value)) > 1 else ''}"
    return _french_number(value)


def value_lines(parameter: Parameter, value: ParameterData) -> list[str]:
    """A value of ``parameter`` written for people: one line for a number, one per key of a table, one per tranche of a barème.

    Table: ``gir1 : 1,615`` or ``1 : deuxieme_enfant 32 % ; enfant_suivant 41 %``; barème:
    ``de 266 € à 397 € : 25 %`` … ``au-delà de 793 € : 60 %``.
    """
    unit = parameter.unit
    if isinstance(value, Bareme):
        seuil_unit = parameter.unit_seuil or value.unit_seuil
        lines = []
        for index, tranche in enumerate(value.tranches):
            low = format_value(tranche.seuil, seuil_unit)
            rate = format_value(tranche.taux, unit)
            if index + 1 < len(value.tranches):
                lines.append(f"de {low} à {format_value(value.tranches[index + 1].seuil, seuil_unit)} : {rate}")
            else:
                lines.append(f"au-delà de {low} : {rate}")
        return lines
    if isinstance(value, Mapping):
        return [
            f"{key} : " + (" ; ".join(f"{sub} {format_value(leaf, unit)}" for sub, leaf in item.items())
                           if isinstance(item, Mapping) else format_value(item, unit))
            for key, item in value.items()
        ]
    return [format_value(value, unit)]


JsonValue = str | None | dict[str, "JsonValue"] | list[dict[str, str]]


def json_value(value: ParameterData) -> JsonValue:
    """A value as JSON-ready exact decimal text: a number "0.0525", a table {key: …}, a barème [{seuil, taux}]."""
    if value is None:
        return None
    if isinstance(value, Bareme):
        return [{"seuil": str(t.seuil), "taux": str(t.taux)} for t in value.tranches]
    if isinstance(value, Mapping):
        return {key: json_value(item) for key, item in value.items()}
    return str(value)
