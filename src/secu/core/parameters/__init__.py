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

The package, imported as one (everything public is re-exported here):

* ``model``: units, types, statuts, ParameterValue, Parameter, Parameters;
* ``loading``: the exact YAML reader, each type's value shape, ``load_parameters``, ``parameters()``;
* ``join``: ``join_parameters`` (wide and keyed), ``parameter_frame``, ``bareme_columns``;
* ``display``: ``format_value``, ``value_lines``, ``json_value``.
"""

from __future__ import annotations

from secu.core.parameters.display import JsonValue, format_value, json_value, value_lines
from secu.core.parameters.join import FrameT, bareme_columns, join_parameters, parameter_frame
from secu.core.parameters.loading import (
    PARAMETRES_ROOT,
    InvalidParameterFile,
    load_parameters,
    parameter_name,
    parameters,
    parse_parameter,
    read_yaml,
)
from secu.core.parameters.model import (
    BAREME_RATE_UNITS,
    BAREME_SEUIL_UNITS,
    BAREME_TYPE,
    SCALAR_TYPE,
    STATUTS,
    TABLE_TYPE,
    TYPES,
    UNITS,
    Parameter,
    ParameterData,
    Parameters,
    ParameterScalar,
    ParameterValue,
    TableLeaf,
    TableValue,
    Unit,
)

__all__ = [
    "BAREME_RATE_UNITS", "BAREME_SEUIL_UNITS", "BAREME_TYPE", "PARAMETRES_ROOT", "SCALAR_TYPE", "STATUTS", "TABLE_TYPE", "TYPES", "UNITS",
    "FrameT", "InvalidParameterFile", "JsonValue", "Parameter", "ParameterData", "ParameterScalar", "ParameterValue", "Parameters", "TableLeaf",
    "TableValue", "Unit", "bareme_columns", "format_value", "join_parameters", "json_value", "load_parameters", "parameter_frame",
    "parameter_name", "parameters", "parse_parameter", "read_yaml", "value_lines",
]
