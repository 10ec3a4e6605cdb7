"""The norm table (``table.BLOCS``) parsed once: each block's rubriques and formats, parent and bounds."""

from __future__ import annotations

import re
from dataclasses import dataclass

from secu.recouvrement.dsn.table import BLOCS


@dataclass(frozen=True)
class _Format:
    kind: str
    signed: bool
    min_len: int
    max_len: int


def _norme() -> tuple[dict[str, dict[str, _Format]], dict[str, list[tuple[str, int, int | None]]]]:
    rubriques: dict[str, dict[str, _Format]] = {}
    enfants: dict[str, list[tuple[str, int, int | None]]] = {}
    for bloc, (_label, parent, lo, hi, spec) in BLOCS.items():
        table: dict[str, _Format] = {}
        for item in spec.split():
            match = re.fullmatch(r"([0-9]{3})([ADNMRF])(-?)([0-9]+)-([0-9]+)", item)
            assert match, item
            numero, kind, sign, mn, mx = match.groups()
            table[numero] = _Format(kind, sign == "-", int(mn), int(mx))
        rubriques[bloc] = table
        if parent is not None:
            enfants.setdefault(parent, []).append((bloc, lo, hi))
    return rubriques, enfants


_RUBRIQUES, _BLOCS_ENFANTS = _norme()


def _label(bloc: str) -> str:
    return BLOCS[bloc][0].split(" (")[0] if bloc in BLOCS else bloc


def _nomme(bloc: str) -> str:
    return f"{bloc} ({_label(bloc)})"
