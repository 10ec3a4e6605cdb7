"""A reform is data: a YAML file overlaying dated parameters, applied for the reform's run only.

The file (``examples/reforme-*.yaml``)::

    titre: Suppression de la majoration pour âge des allocations familiales
    description: …                      # optional
    parametres:
      af.tranche:                       # a parameter's name, as in parametres/ (secu param af.tranche)
        documentation: …                # optional
        values:                         # the schema of a parameter file's values (parametres/README.md)
          - date_effet: 2025-01-01
            value: {…}
            reference: "Réforme étudiée : …"
            statut: non-verifie

Each parameter keeps its description, unit and type from the package's tree; its
``values`` are read and checked by the same code as a parameter file
(:func:`secu.core.parameters.parse_parameter`: the value against the unit,
dates strictly increasing, a table's keys). The reform's values replace the
tree's from its first ``date_effet`` on; the earlier ones stay.

:func:`appliquee` installs the overlaid tree for every reader of
``parameters()`` in this process and restores the package's on exit. It is
process-wide, not per thread: the reform runs in the engine's worker
processes (:class:`JobReforme`), never in a web server's thread.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from secu.core.errors import InvalidField
from secu.core.parameters import (
    TABLE_TYPE,
    InvalidParameterFile,
    Parameter,
    Parameters,
    parameters,
    parse_parameter,
    read_yaml,
)
from secu.core.parameters import loading as _loading

_TOP_KEYS = frozenset({"titre", "description", "parametres"})
_PARAMETER_KEYS = frozenset({"values", "documentation"})
TAILLE_MAX = 256 * 1024
"""Largest reform file read (bytes): a reform is a few parameters."""


@dataclass(frozen=True)
class Reforme:
    """A validated reform: its title, its text (what identifies it) and the overlaid parameters."""

    titre: str
    description: str | None
    texte: str
    parametres: tuple[Parameter, ...]
    """Each overlaid parameter as the reform gives it (its values only, the tree's unit and type)."""

    @property
    def cle(self) -> str:
        """Identifies the reform's text: its run folder's name (same text, same results)."""
        return hashlib.sha256(self.texte.encode()).hexdigest()[:16]

    def debut(self) -> date:
        """The first date a value of the reform applies."""
        return min(p.values[0].date_effet for p in self.parametres)

    def registre(self, base: Parameters | None = None) -> Parameters:
        """The package's tree (or ``base``) with the reform's values replacing the tree's from their first date on."""
        tree = base if base is not None else parameters()
        changed = {p.name: p for p in self.parametres}
        result = []
        for parameter in tree:
            overlay = changed.get(parameter.name)
            if overlay is None:
                result.append(parameter)
                continue
            start = overlay.values[0].date_effet
            kept = tuple(v for v in parameter.values if v.date_effet < start)
            result.append(Parameter(name=parameter.name, description=parameter.description, unit=parameter.unit,
                                    values=kept + overlay.values, documentation=overlay.documentation or parameter.documentation,
                                    kind=parameter.kind, unit_seuil=parameter.unit_seuil, domain=parameter.domain))
        return Parameters(result)

    def resume(self) -> list[dict[str, Any]]:
        """What the reform changes: each parameter's dated values (exact decimal strings, and ``texte`` for people)."""
        from secu.core.parameters import json_value, value_lines

        return [{"parametre": p.name, "valeurs": [{"date_effet": v.date_effet.isoformat(), "valeur": json_value(v.value),
                                                   "texte": " / ".join(value_lines(p, v.value)) if v.value is not None else "cesse de s'appliquer",
                                                   "reference": v.reference, "statut": v.statut} for v in p.values]}
                for p in self.parametres]


def lire(source: str | Path, *, texte: str | None = None) -> Reforme:
    """Read and check a reform file (``source`` its path; ``texte`` its content when already read, e.g. uploaded).

    Every refusal is an InvalidField, in French, naming the field (``parametres.af.tranche``…).
    """
    if texte is None:
        path = Path(source)
        if not path.is_file():
            raise InvalidField("reforme", f"fichier de réforme introuvable : {path}")
        if path.stat().st_size > TAILLE_MAX:
            raise InvalidField("reforme", f"fichier de réforme trop gros (plus de {TAILLE_MAX // 1024} Kio)")
        try:
            texte = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidField("reforme", "le fichier de réforme doit être un texte UTF-8") from None
    if len(texte.encode()) > TAILLE_MAX:
        raise InvalidField("reforme", f"fichier de réforme trop gros (plus de {TAILLE_MAX // 1024} Kio)")
    try:
        data = read_yaml(texte)
    except yaml.YAMLError as error:
        raise InvalidField("reforme", f"YAML illisible : {' '.join(str(error).split())}") from None
    return _reforme(data, texte)


def _reforme(data: object, texte: str) -> Reforme:
    if not isinstance(data, dict):
        raise InvalidField("reforme", "le fichier de réforme doit contenir un dictionnaire (titre, parametres)")
    unknown = sorted(str(k) for k in set(data) - _TOP_KEYS)
    if unknown:
        raise InvalidField(unknown[0], f"clé(s) inconnue(s) : {', '.join(unknown)} (admises : {', '.join(sorted(_TOP_KEYS))})")
    titre = data.get("titre")
    if not isinstance(titre, str) or not titre.strip():
        raise InvalidField("titre", "le titre de la réforme est obligatoire (un texte non vide)")
    description = data.get("description")
    if description is not None and (not isinstance(description, str) or not description.strip()):
        raise InvalidField("description", "la description doit être un texte non vide")
    given = data.get("parametres")
    if not isinstance(given, dict) or not given:
        raise InvalidField("parametres", "parametres doit être un dictionnaire non vide : nom du paramètre → values")
    tree = parameters()
    overlaid = tuple(_parametre(str(name), entry, tree) for name, entry in given.items())
    return Reforme(" ".join(titre.split()), " ".join(description.split()) if description else None, texte, overlaid)


def _parametre(name: str, entry: object, tree: Parameters) -> Parameter:
    field = f"parametres.{name}"
    if name not in tree:
        close = tree.close_names(name)
        hint = f" (voulez-vous dire : {', '.join(close)} ?)" if close else " (secu param --json liste les noms)"
        raise InvalidField(field, f"paramètre inconnu : {name!r}{hint}")
    if not isinstance(entry, dict):
        raise InvalidField(field, f"{name} : attendu un dictionnaire avec values (la liste des valeurs datées)")
    unknown = sorted(str(k) for k in set(entry) - _PARAMETER_KEYS)
    if unknown:
        raise InvalidField(field, f"{name} : clé(s) inconnue(s) : {', '.join(unknown)} (admises : documentation, values ; "
                                  "l'unité et le type restent ceux du paramètre)")
    base = tree.get(name)
    data: dict[str, Any] = {"description": base.description, "unit": base.unit, "type": base.kind, "values": entry.get("values")}
    if base.unit_seuil is not None:
        data["unit_seuil"] = base.unit_seuil
    if entry.get("documentation") is not None:
        data["documentation"] = entry["documentation"]
    try:
        parsed = parse_parameter(name, data, field, domain=base.domain)
    except InvalidParameterFile as error:
        raise InvalidField(field, f"{name} : {error.message}") from None
    if parsed.kind == TABLE_TYPE and (parsed.keys, parsed.subkeys) != (base.keys, base.subkeys):
        raise InvalidField(field, f"{name} : la table doit garder les clés du paramètre ({_shape(base)}), "
                                  f"la réforme donne {_shape(parsed)}")
    return parsed


def _shape(parameter: Parameter) -> str:
    keys = ", ".join(parameter.keys)
    return f"clés {keys} ; sous-clés {', '.join(parameter.subkeys)}" if parameter.subkeys else f"clés {keys}"


# --------------------------------------------------------------------------
# Installing the overlaid tree


def _vider_caches() -> None:
    """Forget every value memoised from the parameters by the loaded secu modules (law tables built once per process).

    Caches keyed by the tree's identity (famille's, recouvrement's month laws) need nothing; the ``lru_cache``s
    (maladie's law table, the synthetic France's full time) would keep the tree they were built from.
    """
    for name, module in list(sys.modules.items()):
        if not name.startswith("secu.") or module is None:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, functools._lru_cache_wrapper) and value is not _loading.parameters:
                value.cache_clear()


@contextmanager
def appliquee(reforme: Reforme) -> Iterator[Parameters]:
    """Serve the reform's tree to every reader of ``parameters()`` in this process, the package's again on exit."""
    overlaid = reforme.registre()
    cached = _loading.parameters
    saved = _loading.load_parameters
    cached.cache_clear()
    _loading.load_parameters = lambda root=None: overlaid  # only for the call that fills the cache
    try:
        installed = cached()
    finally:
        _loading.load_parameters = saved
    assert installed is overlaid
    _vider_caches()
    try:
        yield overlaid
    finally:
        cached.cache_clear()
        _vider_caches()


@dataclass(frozen=True)
class JobReforme:
    """The engine's job (``secu.batch.engine.Job``) under a reform: ``job`` run with the reform's tree installed.

    It travels to the worker processes by value (the reform's text, checked again there); the parent process's
    tree is never changed.
    """

    texte: str
    job: str = "secu.batch.jobs:annee"

    def __call__(self, dataset: Path, part: int, mois: date, seed: int) -> pl.DataFrame:
        from secu.batch.engine import NamedJob

        with appliquee(lire("reforme", texte=self.texte)):
            return NamedJob(self.job)(dataset, part, mois, seed)


