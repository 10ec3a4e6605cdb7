"""Jours fériés, jours ouvrés and jours ouvrables, by département.

Délais in social security law are counted in jours calendaires, ouvrés or
ouvrables, and which days are fériés depends on where the person works:
Alsace-Moselle keeps two more days (Code du travail, art. L3134-13), the
overseas départements add the abolition of slavery (loi n° 83-550 du
30 juin 1983, dates set by décret n° 83-1003 du 23 novembre 1983).

The list of fériés comes from the ``holidays`` package (France, version
0.108), asked for French names. What it contains, and we keep as is:

* the eleven days of art. L3133-1, including the lundi de Pentecôte, which
  stays a jour férié in law even where it is worked as the journée de
  solidarité (the package omits it for 2005-2007 only, when loi
  n° 2004-626 had fixed the journée de solidarité on that day);
* Moselle (57) and Alsace (67, 68): Vendredi saint and 26 décembre
  (Saint-Étienne). In law, Vendredi saint is férié only in communes with a
  Protestant temple or a mixed church; like most payroll software, the
  package applies it to the whole three départements;
* Guadeloupe (971) 27 mai, Martinique (972) 22 mai, Guyane (973) 10 juin,
  La Réunion (974) 20 décembre, Mayotte (976) 27 avril,
  Saint-Barthélemy 9 octobre, Saint-Martin 28 mai (abolition de
  l'esclavage); plus, from the package, the Vendredi saint (971, 972), the
  Mi-Carême (971) and the fête de Victor Schoelcher on 21 juillet (971,
  972, Saint-Martin), which are local customary days rather than days
  listed by art. L3133-1.

Definitions used here:

* jour ouvré: Monday to Friday, not férié;
* jour ouvrable: Monday to Saturday, not férié (every day but the weekly
  rest day, Sunday, and jours fériés).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

from holidays import country_holidays

from secu.core.errors import InvalidField

DEPARTEMENT_FIELD = "departement"
DEFAULT_DEPARTEMENT = "75"

_SUBDIVISIONS: Mapping[str, str] = MappingProxyType(
    {
        "57": "57",  # Moselle
        "67": "6AE",  # Bas-Rhin
        "68": "6AE",  # Haut-Rhin
        "971": "971",  # Guadeloupe
        "972": "972",  # Martinique
        "973": "973",  # Guyane
        "974": "974",  # La Réunion
        "975": "PM",  # Saint-Pierre-et-Miquelon
        "976": "976",  # Mayotte
        "977": "BL",  # Saint-Barthélemy
        "978": "MF",  # Saint-Martin
        "984": "TF",  # Terres australes et antarctiques françaises
        "986": "WF",  # Wallis-et-Futuna
        "987": "PF",  # Polynésie française
        "988": "NC",  # Nouvelle-Calédonie
    }
)
"""Département (COG code) -> holidays subdivision, where it differs from the default."""

_METROPOLE = frozenset(
    [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
)
"""Metropolitan départements: 01-95, Corsica being 2A and 2B (20 no longer exists)."""


def _normalise_departement(departement: str) -> str:
    """Upper-case, strip, and pad "1" to "01" so that codes compare exactly."""
    if not isinstance(departement, str):
        raise InvalidField(DEPARTEMENT_FIELD, "le code département doit être une chaîne de caractères")
    code = departement.strip().upper()
    if len(code) == 1 and code.isdigit():
        code = "0" + code
    return code


def holiday_subdivision(departement: str) -> str | None:
    """Return the holidays subdivision for a département code, None for the general calendar.

    "57" -> "57" (Moselle), "67"/"68" -> "6AE" (Alsace), "971".."976" -> the
    same code ("975" Saint-Pierre-et-Miquelon -> "PM"), overseas
    collectivités "977", "978", "984", "986"-"988" -> their ISO letters;
    any other metropolitan département, Corsica ("2A", "2B") included ->
    None. An unknown code is refused, since silently using the national
    calendar would miscount délais.
    """
    code = _normalise_departement(departement)
    if code in _SUBDIVISIONS:
        return _SUBDIVISIONS[code]
    if code in _METROPOLE:
        return None
    raise InvalidField(DEPARTEMENT_FIELD, "le code département est inconnu")


@lru_cache(maxsize=512)
def _feries_cached(annee: int, subdivision: str | None) -> Mapping[date, str]:
    """Holidays of one year and subdivision, computed once (read-only)."""
    calendar = country_holidays("FR", subdiv=subdivision, years=annee, language="fr")  # typed, unlike the lazy holidays.France
    return MappingProxyType(dict(sorted(calendar.items())))


def _check_year(annee: int) -> int:
    """Refuse non-int years and years before the French calendar of holidays (1803)."""
    if isinstance(annee, bool) or not isinstance(annee, int):
        raise InvalidField("annee", "l'année doit être un nombre entier")
    if not 1803 <= annee <= 9999:
        raise InvalidField("annee", "l'année doit être comprise entre 1803 et 9999")
    return annee


def _check_date(d: date, field: str = "date") -> date:
    """Refuse datetimes and non-dates: a jour férié is a calendar day."""
    if not isinstance(d, date) or hasattr(d, "hour"):
        raise InvalidField(field, "la date doit être une date (sans heure)")
    return d


def jours_feries(annee: int, departement: str = DEFAULT_DEPARTEMENT) -> dict[date, str]:
    """Return the jours fériés of a year in a département, {date: French name}, sorted by date.

    The lundi de Pentecôte is included (the package lists it; it is a
    jour férié of art. L3133-1 even when worked as journée de solidarité).
    """
    return dict(_feries_cached(_check_year(annee), holiday_subdivision(departement)))


def is_jour_ferie(d: date, departement: str = DEFAULT_DEPARTEMENT) -> bool:
    """Tell whether a day is férié in the département."""
    _check_date(d)
    return d in _feries_cached(_check_year(d.year), holiday_subdivision(departement))


def is_jour_ouvre(d: date, departement: str = DEFAULT_DEPARTEMENT) -> bool:
    """Tell whether a day is ouvré: Monday to Friday and not férié (the calendar's definition, not a parameter)."""
    return _check_date(d).weekday() < 5 and not is_jour_ferie(d, departement)


def is_jour_ouvrable(d: date, departement: str = DEFAULT_DEPARTEMENT) -> bool:
    """Tell whether a day is ouvrable: Monday to Saturday and not férié."""
    return _check_date(d).weekday() < 6 and not is_jour_ferie(d, departement)


def _check_count(n: int) -> int:
    """Refuse a non-int number of days."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise InvalidField("nombre_jours", "le nombre de jours doit être un nombre entier")
    return n


def _add_days(d: date, n: int, departement: str, counts: Callable[[date, str], bool]) -> date:
    """Step from d, one day at a time, until n counted days have been passed."""
    _check_date(d)
    _check_count(n)
    holiday_subdivision(departement)  # refuse a bad code even when n == 0
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    current = d
    while remaining:
        current += step
        if counts(current, departement):
            remaining -= 1
    return current


def _count_days(start: date, end: date, departement: str, counts: Callable[[date, str], bool]) -> int:
    """Count the days of [start, end] (both included) for which counts() is true."""
    _check_date(start, "date_debut")
    _check_date(end, "date_fin")
    holiday_subdivision(departement)
    total = 0
    current = start
    while current <= end:
        if counts(current, departement):
            total += 1
        current += timedelta(days=1)
    return total


def add_jours_ouvres(d: date, n: int, departement: str = DEFAULT_DEPARTEMENT) -> date:
    """Return the n-th jour ouvré after d (before d if n < 0).

    d itself is never counted, whatever its nature: from Friday 2 May 2025,
    one jour ouvré later is Monday 5 May. n == 0 returns d unchanged. The
    result of a non-zero n is always a jour ouvré.
    """
    return _add_days(d, n, departement, is_jour_ouvre)


def add_jours_ouvrables(d: date, n: int, departement: str = DEFAULT_DEPARTEMENT) -> date:
    """Return the n-th jour ouvrable after d (before d if n < 0); d is not counted, n == 0 gives d."""
    return _add_days(d, n, departement, is_jour_ouvrable)


def count_jours_ouvres(start: date, end: date, departement: str = DEFAULT_DEPARTEMENT) -> int:
    """Count the jours ouvrés from start to end, both included; 0 if end is before start."""
    return _count_days(start, end, departement, is_jour_ouvre)


def count_jours_ouvrables(start: date, end: date, departement: str = DEFAULT_DEPARTEMENT) -> int:
    """Count the jours ouvrables from start to end, both included; 0 if end is before start."""
    return _count_days(start, end, departement, is_jour_ouvrable)


def mois_decale(d: date, n: int) -> date:
    """The first day of the month ``n`` months after (before, when negative) the month of ``d``."""
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)
