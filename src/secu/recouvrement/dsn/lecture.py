"""Reading the text: decoding, the lines as rubriques, the blocks as a tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from secu.recouvrement.dsn.erreurs import DsnError, DsnProbleme, _Collecteur
from secu.recouvrement.dsn.norme import _nomme


@dataclass(slots=True)
class _Rubrique:
    bloc: str
    numero: str
    valeur: str
    ligne: int | None = None
    chemin: str | None = None
    debut: bool = False  # JSON: the first rubrique of an object always opens a new block

    @property
    def code(self) -> str:
        return f"{self.bloc}.{self.numero}"


@dataclass(slots=True)
class _Bloc:
    id: str
    ligne: int | None
    chemin: str | None
    rubriques: dict[str, _Rubrique] = field(default_factory=dict)
    enfants: list[_Bloc] = field(default_factory=list)
    dernier: str = ""

    def add(self, r: _Rubrique) -> None:
        self.rubriques[r.numero] = r
        self.dernier = r.numero

    def children(self, bloc: str) -> list[_Bloc]:
        return [c for c in self.enfants if c.id == bloc]

    def where(self) -> str:
        if self.ligne is not None:
            return f"le bloc {_nomme(self.id)} commençant ligne {self.ligne}"
        return f"le bloc {_nomme(self.id)}"


# ==========================================================================
# Text: decoding and lexing

_LINE_RE = re.compile(r"(S[0-9]{2}\.G[0-9]{2}\.[0-9]{2})\.([0-9]{3}),'(.*)'", re.DOTALL)
_NEWLINE_RE = re.compile(r"\r\n|\n|\r")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
"""Control characters a rubrique never holds (a NUL would reach the database, which refuses it): tab aside, and
the C1 range too, which a Latin-1 file may use for its own characters."""


def _decode(data: bytes | str) -> str:
    """UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), else ISO-8859-1 (Latin-1)."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        try:
            return raw.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    raise DsnError([DsnProbleme("la DSN doit être un texte ou des octets")])


def _lex(text: str, errors: _Collecteur) -> tuple[list[_Rubrique], int]:
    """The rubriques, and the number of lines meant to be rubriques (what S90.G00.90.001 counts)."""
    lines = _NEWLINE_RE.split(text)
    while lines and not lines[-1].strip():
        lines.pop()
    result: list[_Rubrique] = []
    if not lines:
        errors.add("le fichier DSN est vide", ligne=1)
        return result, 0
    for number, line in enumerate(lines, start=1):
        stripped = line.rstrip(" \t")
        control = _CONTROL_RE.search(stripped)
        if control is not None:
            errors.add(f"caractère de contrôle interdit (caractère nul…) en position {control.start() + 1}", ligne=number)
        if not stripped:
            errors.add("ligne vide : chaque ligne doit porter une rubrique", ligne=number)
            continue
        match = _LINE_RE.fullmatch(stripped)
        if match is None:
            errors.add(
                "ligne mal formée : attendu une rubrique de la forme S21.G00.40.001,'valeur'",
                ligne=number,
            )
            continue
        bloc, numero, valeur = match.groups()
        result.append(_Rubrique(bloc, numero, valeur.replace("''", "'"), ligne=number))
    return result, sum(1 for line in lines if line.strip())
