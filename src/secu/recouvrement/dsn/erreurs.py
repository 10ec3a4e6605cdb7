"""Errors of a DSN: every problem found, with its line and rubrique, then one refusal of the whole declaration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from secu.core.errors import InvalidField
from secu.recouvrement.dsn.codes import MAX_ERREURS

if TYPE_CHECKING:
    from secu.recouvrement.dsn.lecture import _Rubrique



@dataclass(frozen=True)
class DsnProbleme:
    """One thing wrong in a DSN: where (line or JSON path, rubrique) and what, in French."""

    message: str
    ligne: int | None = None
    rubrique: str | None = None
    chemin: str | None = None

    def __str__(self) -> str:
        where = []
        if self.ligne is not None:
            where.append(f"ligne {self.ligne}")
        if self.chemin is not None:
            where.append(self.chemin)
        if self.rubrique is not None:
            where.append(f"rubrique {self.rubrique}")
        return f"{', '.join(where)} : {self.message}" if where else self.message

    def to_dict(self) -> dict[str, Any]:
        return {"ligne": self.ligne, "chemin": self.chemin, "rubrique": self.rubrique, "message": self.message}


class DsnError(InvalidField):
    """A DSN refused as a whole: the first problem in the message, all of them in ``erreurs``."""

    def __init__(self, erreurs: Sequence[DsnProbleme], *, non_listees: int = 0) -> None:
        if not erreurs:
            raise ValueError("DsnError needs at least one problem")
        first = erreurs[0]
        autres = len(erreurs) - 1 + non_listees
        where = f"ligne {first.ligne}" if first.ligne is not None else first.chemin
        message = f"{where} : {first.message}" if where else first.message
        if autres:
            message += f" (et {autres} autre{'s' if autres > 1 else ''} erreur{'s' if autres > 1 else ''})"
        super().__init__(first.rubrique or first.chemin or "dsn", message)
        self.erreurs: tuple[DsnProbleme, ...] = tuple(erreurs)
        self.non_listees = non_listees
        self.ligne = first.ligne
        self.rubrique = first.rubrique
        self.chemin = first.chemin

    def to_dict(self) -> dict[str, Any]:
        return {
            "champ": self.field,
            "message": self.message,
            "erreurs": [e.to_dict() for e in self.erreurs],
            "erreurs_non_listees": self.non_listees,
        }


class _Collecteur:
    def __init__(self) -> None:
        self.erreurs: list[DsnProbleme] = []
        self.non_listees = 0

    def add(self, message: str, *, ligne: int | None = None, rubrique: str | None = None, chemin: str | None = None) -> None:
        if len(self.erreurs) >= MAX_ERREURS:
            self.non_listees += 1
            return
        self.erreurs.append(DsnProbleme(message, ligne=ligne, rubrique=rubrique, chemin=chemin))

    def at(self, r: _Rubrique, message: str) -> None:
        self.add(message, ligne=r.ligne, rubrique=r.code, chemin=r.chemin)

    def raise_if_any(self) -> None:
        if self.erreurs:
            # in the file's order; problems of the whole file (no line) last; JSON paths as found
            ordered = sorted(self.erreurs, key=lambda e: (e.ligne is None, e.ligne or 0))
            raise DsnError(ordered, non_listees=self.non_listees)
