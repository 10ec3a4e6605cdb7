"""The as-of join of parameters onto Polars frames: scalars, tables (wide or keyed) and barèmes, checked at call time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

import polars as pl

from secu.core.bareme import Bareme
from secu.core.errors import InvalidField, NotFound
from secu.core.parameters.loading import parameters
from secu.core.parameters.model import (
    BAREME_TYPE,
    TABLE_TYPE,
    UNITS,
    Parameter,
    ParameterData,
    Parameters,
    TableLeaf,
    Unit,
    not_in_force,
)

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
            raise NotFound(not_in_force(parameter.name, offending), field=on)


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


