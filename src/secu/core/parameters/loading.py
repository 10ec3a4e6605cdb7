"""Reading and checking the tree of parameter files: exact YAML, every type's value shape, French errors naming the file."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from secu.core.bareme import Bareme, Tranche
from secu.core.errors import SecuError
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

PARAMETRES_ROOT = Path(__file__).resolve().parent.parent.parent / "parametres"
"""The package's own tree of parameters."""

_TOP_KEYS = frozenset({"description", "unit", "unit_seuil", "documentation", "values", "type"})
_REQUIRED_TOP_KEYS = ("description", "unit", "values")
_VALUE_KEYS = frozenset({"date_effet", "value", "reference", "statut", "note", "source_url"})
_REQUIRED_VALUE_KEYS = ("date_effet", "value", "reference", "statut")
_NAME_PART = re.compile(r"[a-z][a-z0-9_]*\Z")
_TABLE_KEY = re.compile(r"[a-z0-9_]+\Z")
_TRANCHE_KEYS = frozenset({"seuil", "taux"})
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")

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

