"""Checks of the norm: each rubrique's format, each block's bounds."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from secu.recouvrement.dsn.champs import _FORMAT_PROPRE, _MINIMUMS_NON_APPLIQUES
from secu.recouvrement.dsn.erreurs import _Collecteur
from secu.recouvrement.dsn.lecture import _Bloc, _Rubrique
from secu.recouvrement.dsn.norme import _BLOCS_ENFANTS, _RUBRIQUES, _Format, _nomme
from secu.recouvrement.dsn.table import BLOCS

_DEC_RE = {
    "M": re.compile(r"-?[0-9]+\.[0-9]{2}"),
    "R": re.compile(r"-?[0-9]+\.[0-9]{2,3}"),
    "F": re.compile(r"-?[0-9]+(\.[0-9]{1,2})?"),
    "N": re.compile(r"-?[0-9]+"),
}
_DATE_RE = re.compile(r"[0-9]{8}")


def _parse_jjmmaaaa(value: str) -> date | None:
    if not _DATE_RE.fullmatch(value):
        return None
    try:
        return date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        return None


def _check_format(r: _Rubrique, fmt: _Format, errors: _Collecteur) -> None:
    value = r.valeur
    if value == "":
        errors.at(r, "la rubrique est vide : une rubrique sans valeur ne doit pas figurer dans la DSN")
        return
    if r.code in _FORMAT_PROPRE:
        return
    if fmt.kind == "D":
        if not _DATE_RE.fullmatch(value):
            errors.at(r, f"la date « {value} » doit avoir la forme JJMMAAAA (8 chiffres)")
        elif _parse_jjmmaaaa(value) is None:
            errors.at(r, f"la date « {value} » n'existe pas (forme JJMMAAAA)")
        return
    if fmt.kind == "A":
        if not fmt.min_len <= len(value) <= fmt.max_len:
            if fmt.min_len == fmt.max_len:
                errors.at(r, f"la valeur doit comporter {fmt.min_len} caractères ({len(value)} reçus)")
            else:
                errors.at(
                    r, f"la valeur doit comporter de {fmt.min_len} à {fmt.max_len} caractères ({len(value)} reçus)"
                )
        return
    if not _DEC_RE[fmt.kind].fullmatch(value):
        if fmt.kind == "M":
            errors.at(r, f"« {value} » : le nombre doit s'écrire avec un point et deux décimales (ex. 1234.56)")
        elif fmt.kind == "R":
            errors.at(r, f"« {value} » : le nombre doit s'écrire avec un point et deux ou trois décimales")
        elif fmt.kind == "F":
            errors.at(r, f"« {value} » : le nombre doit s'écrire en chiffres, avec au plus deux décimales après un point")
        else:
            errors.at(r, f"« {value} » : la valeur doit être un nombre entier écrit en chiffres")
        return
    if value.startswith("-") and not fmt.signed:
        errors.at(r, f"« {value} » : la valeur ne peut pas être négative")
        return
    if len(value) > fmt.max_len:
        errors.at(r, f"« {value} » : la valeur dépasse {fmt.max_len} caractères")


# ==========================================================================
# The tree


def _build_tree(rubriques: Iterable[_Rubrique], errors: _Collecteur) -> list[_Bloc]:
    """Rebuild the implicit tree; report unknown blocks/rubriques, formats and misplaced blocks."""
    roots: list[_Bloc] = []
    stack: list[_Bloc] = []
    for r in rubriques:
        formats = _RUBRIQUES.get(r.bloc)
        if formats is None:
            errors.at(r, f"bloc inconnu {r.bloc} : il n'existe pas dans la norme DSN")
            continue
        fmt = formats.get(r.numero)
        if fmt is None:
            errors.at(r, f"rubrique inconnue : le bloc {_nomme(r.bloc)} n'a pas de rubrique {r.numero}")
            continue
        _check_format(r, fmt, errors)
        top = stack[-1] if stack else None
        if top is not None and top.id == r.bloc and r.numero > top.dernier and not r.debut:
            top.add(r)
            continue
        bloc = _Bloc(r.bloc, r.ligne, r.chemin.rsplit(".", 1)[0] if r.chemin else None)
        parent = BLOCS[r.bloc][1]
        if parent is None:
            roots.append(bloc)
            stack = [bloc]
        else:
            index = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].id == parent), None)
            if index is None:
                errors.at(
                    r,
                    f"le bloc {_nomme(r.bloc)} doit suivre un bloc {_nomme(parent)} : "
                    "il n'a pas de parent à cet endroit",
                )
                # kept aside so that its rubriques and children do not cascade into more errors
                stack.append(bloc)
            else:
                del stack[index + 1 :]
                stack[-1].enfants.append(bloc)
                stack.append(bloc)
        bloc.add(r)
    return roots


def _check_bounds(bloc: _Bloc, errors: _Collecteur) -> None:
    for child, lo, hi in _BLOCS_ENFANTS.get(bloc.id, ()):
        present = bloc.children(child)
        if len(present) < lo and child not in _MINIMUMS_NON_APPLIQUES:
            errors.add(
                f"{bloc.where()} doit contenir au moins un bloc {_nomme(child)}",
                ligne=bloc.ligne,
                chemin=bloc.chemin,
                rubrique=bloc.id,
            )
        if hi is not None and len(present) > hi:
            extra = present[hi]
            errors.add(
                f"{bloc.where()} ne peut contenir qu'un bloc {_nomme(child)}",
                ligne=extra.ligne,
                chemin=extra.chemin,
                rubrique=extra.id,
            )
    for child_bloc in bloc.enfants:
        _check_bounds(child_bloc, errors)
