"""The JSON twin of a declaration: reading it through the same checks as the text."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from secu.recouvrement.dsn.champs import _ENFANTS, _RACINE_JSON, FIELDS, JSON_FORMAT, _Champ
from secu.recouvrement.dsn.controles import _build_tree
from secu.recouvrement.dsn.erreurs import DsnError, DsnProbleme, _Collecteur
from secu.recouvrement.dsn.interpretation import _interpret
from secu.recouvrement.dsn.lecture import _Bloc, _Rubrique
from secu.recouvrement.dsn.modele import Declaration
from secu.recouvrement.dsn.norme import _nomme


def _json_vers_texte(value: Any, champ: _Champ, chemin: str, errors: _Collecteur) -> str | None:
    """A JSON value -> the rubrique's DSN text, or None after reporting a problem."""
    conv = champ.conv
    if conv in ("date", "naissance"):
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            return f"{value[8:10]}{value[5:7]}{value[0:4]}"
        errors.add(f"{champ.libelle} : la date doit avoir la forme AAAA-MM-JJ", chemin=chemin)
        return None
    if conv == "mois":
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}", value):
            return f"01{value[5:7]}{value[0:4]}"
        errors.add(f"{champ.libelle} : le mois doit avoir la forme AAAA-MM", chemin=chemin)
        return None
    if conv == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str):
            return value
        errors.add(f"{champ.libelle} : un nombre entier est attendu", chemin=chemin)
        return None
    if isinstance(value, str):
        return value
    if conv in ("cents", "dec"):
        errors.add(f"{champ.libelle} : le nombre doit être écrit dans une chaîne, ex. \"1234.56\"", chemin=chemin)
    else:
        errors.add(f"{champ.libelle} : une chaîne de caractères est attendue", chemin=chemin)
    return None


def _json_bloc(obj: Any, bloc: str, chemin: str, out: list[_Rubrique], errors: _Collecteur) -> None:
    if not isinstance(obj, dict):
        errors.add(f"un objet JSON est attendu pour le bloc {_nomme(bloc)}", chemin=chemin)
        return
    champs = {c.cle: c for c in FIELDS[bloc]}
    enfants = {attribut: (child, many) for child, attribut, many in _ENFANTS.get(bloc, ())}
    for key in obj:
        if key not in champs and key not in enfants:
            errors.add(f"champ inconnu « {key} » dans le bloc {_nomme(bloc)}", chemin=f"{chemin}.{key}")
    start = len(out)
    for champ in FIELDS[bloc]:
        value = obj.get(champ.cle)
        if value is None:
            continue
        path = f"{chemin}.{champ.cle}"
        text = _json_vers_texte(value, champ, path, errors)
        if text is not None:
            out.append(_Rubrique(bloc, champ.numero, text, chemin=path, debut=len(out) == start))
    if len(out) == start:
        # a block with no rubrique at all: carry its path so that missing rubriques are reported there
        out.append(_Rubrique(bloc, "", "", chemin=chemin + ".x"))
    for child, attribut, many in _ENFANTS.get(bloc, ()):
        value = obj.get(attribut)
        if value is None:
            continue
        path = f"{chemin}.{attribut}"
        if many:
            if not isinstance(value, list):
                errors.add("une liste JSON est attendue", chemin=path)
                continue
            for index, item in enumerate(value):
                _json_bloc(item, child, f"{path}[{index}]", out, errors)
        else:
            _json_bloc(value, child, path, out, errors)


def _json_tree(rubriques: list[_Rubrique], errors: _Collecteur) -> list[_Bloc]:
    """The JSON's nesting is explicit, but going through the text tree keeps one set of rules."""
    real = [r for r in rubriques if r.numero]
    roots = _build_tree(real, errors)
    # blocks given as empty objects: report their missing mandatory rubriques at their path
    for r in rubriques:
        if not r.numero:
            for champ in FIELDS.get(r.bloc, ()):
                if champ.obligatoire:
                    errors.add(
                        f"la rubrique {r.bloc}.{champ.numero} ({champ.libelle}) est obligatoire",
                        chemin=r.chemin,
                        rubrique=f"{r.bloc}.{champ.numero}",
                    )
    return roots


def parse_dsn_json(data: str | bytes | Mapping[str, Any]) -> Declaration:
    """Read one declaration in secu's JSON schema (module docstring), or raise DsnError with JSON paths."""
    errors = _Collecteur()
    if isinstance(data, (str, bytes, bytearray)):
        try:
            obj = json.loads(data)
        except (ValueError, RecursionError) as error:
            raise DsnError([DsnProbleme(f"le document n'est pas un JSON valide ({error})", chemin="$")]) from None
    else:
        obj = data
    if not isinstance(obj, Mapping):
        raise DsnError([DsnProbleme("un objet JSON est attendu", chemin="$")])
    known = {"format"} | {k for k, _b, _m in _RACINE_JSON}
    for key in obj:
        if key not in known:
            errors.add(f"champ inconnu « {key} »", chemin=f"$.{key}")
    if obj.get("format", JSON_FORMAT) != JSON_FORMAT:
        errors.add(f"format « {obj.get('format')} » inconnu : attendu « {JSON_FORMAT} »", chemin="$.format")
    rubriques: list[_Rubrique] = []
    for key, bloc, many in _RACINE_JSON:
        value = obj.get(key)
        path = f"$.{key}"
        if value is None:
            if not many:
                value = {}
            else:
                continue
        if many:
            if not isinstance(value, list):
                errors.add("une liste JSON est attendue", chemin=path)
                continue
            for index, item in enumerate(value):
                _json_bloc(item, bloc, f"{path}[{index}]", rubriques, errors)
        else:
            _json_bloc(value, bloc, path, rubriques, errors)
    roots = _json_tree(rubriques, errors)
    declarations = _interpret(roots, errors, envoi_text=False, total=0)
    if len(declarations) != 1:  # pragma: no cover - the JSON carries exactly one declaration
        raise DsnError([DsnProbleme("le document doit contenir une déclaration", chemin="$.declaration")])
    return declarations[0]
