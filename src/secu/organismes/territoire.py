"""The territory secu serves: the 101 départements, with their name and their région (2016 map).

Data: ``data/departements.csv`` (code, nom, region, source), taken from the Code officiel
géographique of the INSEE (copy in the npm package ``@etalab/decoupage-administratif`` 6.0.0,
Licence Ouverte). Metropolitan France has 96 départements (01–19, 2A, 2B, 21–95; there is no
« 20 » since 1976), and five are overseas: 971 Guadeloupe, 972 Martinique, 973 Guyane,
974 La Réunion, 976 Mayotte.

The collectivités d'outre-mer (975 Saint-Pierre-et-Miquelon, 977 Saint-Barthélemy,
978 Saint-Martin, and 984–989 in the Pacific and the southern lands) are not départements of
the régime général as secu models it: each has a social-security organisation of its own (or,
for some, specific attachment rules), so they are refused with a message saying so.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from secu.core.errors import InvalidField, NotFound

__all__ = [
    "COLLECTIVITES_HORS_CHAMP",
    "Departement",
    "all_departements",
    "departement",
    "validate_commune",
    "validate_departement",
]

#: Overseas codes that are not départements of the régime général handled here.
COLLECTIVITES_HORS_CHAMP: dict[str, str] = {
    "975": "Saint-Pierre-et-Miquelon",
    "977": "Saint-Barthélemy",
    "978": "Saint-Martin",
    "984": "Terres australes et antarctiques françaises",
    "986": "Wallis-et-Futuna",
    "987": "Polynésie française",
    "988": "Nouvelle-Calédonie",
    "989": "Île de Clipperton",
}


@dataclass(frozen=True)
class Departement:
    code: str
    nom: str
    region: str

    @property
    def outre_mer(self) -> bool:
        return len(self.code) == 3


@lru_cache(maxsize=1)
def _load() -> dict[str, Departement]:
    text = resources.files("secu.organismes").joinpath("data/departements.csv").read_text(encoding="utf-8")
    found: dict[str, Departement] = {}
    for row in csv.DictReader(text.splitlines()):
        code = row["code"]
        if code in found:
            raise ValueError(f"departements.csv : code en double {code}")
        found[code] = Departement(code=code, nom=row["nom"], region=row["region"])
    if len(found) != 101:
        raise ValueError(f"departements.csv : 101 départements attendus, {len(found)} lus")
    return found


def all_departements() -> list[Departement]:
    """The 101 départements in code order: 01 … 19, 2A, 2B, 21 … 95, then 971 … 976."""
    return list(_load().values())


def departement(code: str) -> Departement:
    """The département of a (validated or raw) code; NotFound if it does not exist."""
    try:
        return _load()[validate_departement(code)]
    except InvalidField as error:
        raise NotFound(error.message, field="departement") from error


def validate_departement(code: str, field: str = "departement") -> str:
    """Normalise a département code ("1" → "01", "2a" → "2A") or refuse it in French.

    "20" is refused with the reminder that Corsica is 2A or 2B; the collectivités d'outre-mer
    are refused as outside the régime général handled here; anything else unknown is refused
    as « département inconnu ».
    """
    if not isinstance(code, str):
        raise InvalidField(field, f"département inconnu : {code!r}")
    raw = code.strip().upper()
    if raw.isdigit() and len(raw) == 1:
        raw = "0" + raw
    if raw == "20":
        raise InvalidField(
            field,
            "le département 20 n'existe plus depuis 1976 : la Corse est divisée en 2A (Corse-du-Sud) et 2B (Haute-Corse)",
        )
    if raw in COLLECTIVITES_HORS_CHAMP:
        raise InvalidField(
            field,
            f"{raw} ({COLLECTIVITES_HORS_CHAMP[raw]}) est une collectivité d'outre-mer, pas un département : "
            "elle ne relève pas des caisses du régime général gérées par secu",
        )
    if raw in _load():
        return raw
    shown = code.strip() or repr(code)
    raise InvalidField(field, f"département inconnu : {shown}")


_COMMUNE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")


def validate_commune(commune: str, departement: str | None = None, field: str = "commune") -> str:
    """Normalise an INSEE commune code (5 characters, e.g. "59350", "2A004").

    With a département, the code must belong to it (its first 2 characters, or 3 overseas).
    """
    if not isinstance(commune, str):
        raise InvalidField(field, f"code commune invalide : {commune!r} (code INSEE à 5 caractères attendu)")
    raw = commune.strip().upper()
    if not _COMMUNE.match(raw):
        raise InvalidField(field, f"code commune invalide : {commune.strip()!r} (code INSEE à 5 caractères attendu, ex. 59350)")
    if departement is not None and not raw.startswith(departement):
        raise InvalidField(field, f"la commune {raw} n'est pas dans le département {departement}")
    return raw
