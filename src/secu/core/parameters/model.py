"""The model of dated legal parameters: units, types, one dated value, a parameter and its history, the loaded set."""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType

import polars as pl

from secu.core.bareme import Bareme
from secu.core.errors import NotFound, UnknownParameter
from secu.core.money import RATE_EXPR_SCALE

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
STATUTS: Mapping[str, str] = MappingProxyType(
    {
        "confirme": "relu dans le texte officiel qui fixe la valeur",
        "secondaire": "pris d'une source secondaire (OpenFisca-France, fiche de référence, presse, site d'un organisme)",
        "non-verifie": "non vérifié : valeur à confirmer dans le texte officiel",
    }
)
"""How far a value was checked: the structured verification status every value carries."""


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
            raise NotFound(not_in_force(self.name, d), field="date")
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


def not_in_force(name: str, d: date) -> str:
    return f"aucune valeur de {name} en vigueur le {d:%d/%m/%Y}"

