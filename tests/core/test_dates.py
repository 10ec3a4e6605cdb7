"""Tests of secu.core.dates: jours fériés by département, jours ouvrés and ouvrables."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secu.core.dates import (
    add_jours_ouvrables,
    add_jours_ouvres,
    count_jours_ouvrables,
    count_jours_ouvres,
    holiday_subdivision,
    is_jour_ferie,
    is_jour_ouvrable,
    is_jour_ouvre,
    jours_feries,
)
from secu.core.errors import InvalidField

# The eleven jours fériés of Code du travail art. L3133-1, for 2025 (Pâques 20 April 2025).
FERIES_2025_METROPOLE = {
    date(2025, 1, 1): "Jour de l'an",
    date(2025, 4, 21): "Lundi de Pâques",
    date(2025, 5, 1): "Fête du Travail",
    date(2025, 5, 8): "Fête de la Victoire",
    date(2025, 5, 29): "Ascension",
    date(2025, 6, 9): "Lundi de Pentecôte",
    date(2025, 7, 14): "Fête nationale",
    date(2025, 8, 15): "Assomption",
    date(2025, 11, 1): "Toussaint",
    date(2025, 11, 11): "Armistice",
    date(2025, 12, 25): "Noël",
}


# --------------------------------------------------------------------------
# holiday_subdivision


@pytest.mark.parametrize(
    ("departement", "expected"),
    [
        ("75", None),
        ("01", None),
        ("1", None),
        ("2A", None),
        ("2b", None),
        ("95", None),
        ("57", "57"),
        ("67", "6AE"),
        ("68", "6AE"),
        ("971", "971"),
        ("972", "972"),
        ("973", "973"),
        ("974", "974"),
        ("976", "976"),
        ("975", "PM"),
        ("977", "BL"),
        ("978", "MF"),
        (" 971 ", "971"),
    ],
)
def test_holiday_subdivision(departement, expected):
    assert holiday_subdivision(departement) == expected


@pytest.mark.parametrize("departement", ["20", "00", "96", "99", "979", "2C", "", "ABC", "7500"])
def test_holiday_subdivision_refuses_unknown_codes(departement):
    with pytest.raises(InvalidField) as exc:
        holiday_subdivision(departement)
    assert exc.value.field == "departement"
    assert exc.value.message == "le code département est inconnu"


def test_holiday_subdivision_refuses_non_string():
    with pytest.raises(InvalidField):
        holiday_subdivision(75)


# --------------------------------------------------------------------------
# jours_feries


def test_jours_feries_2025_paris_is_the_eleven_legal_days():
    assert jours_feries(2025) == FERIES_2025_METROPOLE
    assert jours_feries(2025, "2A") == FERIES_2025_METROPOLE


def test_jours_feries_are_sorted_and_a_fresh_dict():
    feries = jours_feries(2025)
    assert list(feries) == sorted(feries)
    feries.clear()
    assert len(jours_feries(2025)) == 11


def test_ascension_2025_is_29_may():
    assert jours_feries(2025)[date(2025, 5, 29)] == "Ascension"
    assert is_jour_ferie(date(2025, 5, 29))


def test_paques_2026():
    # Easter Sunday is 5 April 2026; only the Monday is a jour férié.
    assert jours_feries(2026)[date(2026, 4, 6)] == "Lundi de Pâques"
    assert not is_jour_ferie(date(2026, 4, 5))
    assert jours_feries(2026)[date(2026, 5, 14)] == "Ascension"  # Pâques + 39
    assert jours_feries(2026)[date(2026, 5, 25)] == "Lundi de Pentecôte"  # Pâques + 50


def test_premier_mai_everywhere():
    for departement in ["75", "57", "67", "971", "972", "973", "974", "976", "2A"]:
        assert jours_feries(2025, departement)[date(2025, 5, 1)] == "Fête du Travail"


def test_lundi_de_pentecote_is_listed_except_2005_to_2007():
    assert date(2025, 6, 9) in jours_feries(2025)
    assert date(2008, 5, 12) in jours_feries(2008)
    # Loi 2004-626 made it the journée de solidarité; the package drops it for 2005-2007.
    assert date(2006, 6, 5) not in jours_feries(2006)


@pytest.mark.parametrize("departement", ["57", "67", "68"])
def test_alsace_moselle_vendredi_saint_and_saint_etienne(departement):
    feries = jours_feries(2025, departement)
    assert feries[date(2025, 4, 18)] == "Vendredi saint"
    assert feries[date(2025, 12, 26)] == "Saint-Étienne"
    assert len(feries) == 13
    assert feries.items() >= FERIES_2025_METROPOLE.items()


def test_vendredi_saint_and_26_december_not_feries_in_paris():
    assert not is_jour_ferie(date(2025, 4, 18), "75")
    assert not is_jour_ferie(date(2025, 12, 26), "75")
    assert is_jour_ferie(date(2026, 4, 3), "57")  # Vendredi saint 2026
    assert is_jour_ouvre(date(2026, 4, 3), "75")
    assert not is_jour_ouvre(date(2026, 4, 3), "68")


@pytest.mark.parametrize(
    ("departement", "jour"),
    [
        # Décret n° 83-1003 du 23 novembre 1983, taken from loi n° 83-550.
        ("971", date(2025, 5, 27)),  # Guadeloupe
        ("972", date(2025, 5, 22)),  # Martinique
        ("973", date(2025, 6, 10)),  # Guyane
        ("974", date(2025, 12, 20)),  # La Réunion
        ("976", date(2025, 4, 27)),  # Mayotte
        ("977", date(2025, 10, 9)),  # Saint-Barthélemy (décret 2012-553)
        ("978", date(2025, 5, 28)),  # Saint-Martin (décret 2012-553)
    ],
)
def test_abolition_de_l_esclavage_overseas(departement, jour):
    assert jours_feries(2025, departement)[jour] == "Abolition de l'esclavage"
    assert not is_jour_ferie(jour, "75")


def test_abolition_days_are_local_only():
    assert not is_jour_ferie(date(2025, 5, 27), "972")
    assert not is_jour_ferie(date(2025, 5, 22), "971")
    assert not is_jour_ferie(date(2025, 12, 20), "973")


def test_guadeloupe_customary_days_kept_from_package():
    feries = jours_feries(2025, "971")
    assert feries[date(2025, 4, 18)] == "Vendredi saint"
    assert feries[date(2025, 3, 27)] == "Mi-Carême"
    assert feries[date(2025, 7, 21)] == "Fête de Victor Schoelcher"


def test_jours_feries_refuses_bad_year():
    with pytest.raises(InvalidField) as exc:
        jours_feries(1700)
    assert exc.value.field == "annee"
    with pytest.raises(InvalidField):
        jours_feries("2025")


# --------------------------------------------------------------------------
# ouvrés / ouvrables


def test_is_jour_ouvre_and_ouvrable():
    assert is_jour_ouvre(date(2025, 5, 2))  # Friday
    assert not is_jour_ouvre(date(2025, 5, 3))  # Saturday
    assert is_jour_ouvrable(date(2025, 5, 3))  # Saturday is ouvrable
    assert not is_jour_ouvrable(date(2025, 5, 4))  # Sunday
    assert not is_jour_ouvre(date(2025, 5, 1))  # 1er mai, Thursday
    assert not is_jour_ouvrable(date(2025, 5, 1))
    assert not is_jour_ouvrable(date(2025, 11, 1))  # Toussaint, a Saturday


def test_datetime_is_refused():
    with pytest.raises(InvalidField):
        is_jour_ferie(datetime(2025, 5, 1, 12, 0))


def test_add_jours_ouvres_skips_weekends_and_feries():
    # d itself is not counted.
    assert add_jours_ouvres(date(2025, 5, 2), 1) == date(2025, 5, 5)
    # Wednesday 7 May + 1: Thursday 8 May is férié -> Friday 9 May.
    assert add_jours_ouvres(date(2025, 5, 7), 1) == date(2025, 5, 9)
    # Wednesday 28 May + 2: 29 (Ascension) skipped -> 30, then Monday 2 June.
    assert add_jours_ouvres(date(2025, 5, 28), 2) == date(2025, 6, 2)
    # From a Sunday, the first jour ouvré is Monday.
    assert add_jours_ouvres(date(2025, 5, 4), 1) == date(2025, 5, 5)


def test_add_jours_ouvres_zero_and_negative():
    assert add_jours_ouvres(date(2025, 5, 4), 0) == date(2025, 5, 4)
    assert add_jours_ouvres(date(2025, 5, 5), -1) == date(2025, 5, 2)
    assert add_jours_ouvres(date(2025, 5, 9), -1) == date(2025, 5, 7)
    assert add_jours_ouvres(date(2025, 1, 2), -1) == date(2024, 12, 31)


def test_add_jours_ouvres_depends_on_departement():
    # Wednesday 24 Dec 2025 + 1: 25 is Noël everywhere, 26 only in Alsace-Moselle.
    assert add_jours_ouvres(date(2025, 12, 24), 1, "75") == date(2025, 12, 26)
    assert add_jours_ouvres(date(2025, 12, 24), 1, "57") == date(2025, 12, 29)
    assert add_jours_ouvres(date(2025, 5, 26), 1, "971") == date(2025, 5, 28)
    assert add_jours_ouvres(date(2025, 5, 26), 1, "75") == date(2025, 5, 27)


def test_add_jours_ouvrables():
    assert add_jours_ouvrables(date(2025, 5, 2), 1) == date(2025, 5, 3)  # Saturday counts
    assert add_jours_ouvrables(date(2025, 5, 3), 1) == date(2025, 5, 5)  # Sunday does not
    assert add_jours_ouvrables(date(2025, 4, 30), 1) == date(2025, 5, 2)  # 1er mai skipped
    assert add_jours_ouvrables(date(2025, 5, 5), -2) == date(2025, 5, 2)
    assert add_jours_ouvrables(date(2025, 5, 4), 0) == date(2025, 5, 4)


def test_add_refuses_bad_inputs():
    with pytest.raises(InvalidField):
        add_jours_ouvres(date(2025, 5, 2), 1.5)
    with pytest.raises(InvalidField) as exc:
        add_jours_ouvres(date(2025, 5, 2), 0, "00")
    assert exc.value.field == "departement"


def test_count_jours_ouvres_inclusive():
    # May 2025: 22 weekdays, minus 1, 8 and 29 May.
    assert count_jours_ouvres(date(2025, 5, 1), date(2025, 5, 31)) == 19
    # Alsace: same month, same count (its extra days are not in May).
    assert count_jours_ouvres(date(2025, 5, 1), date(2025, 5, 31), "67") == 19
    # December 2025: 23 weekdays minus Noël; in Moselle also minus 26.
    assert count_jours_ouvres(date(2025, 12, 1), date(2025, 12, 31)) == 22
    assert count_jours_ouvres(date(2025, 12, 1), date(2025, 12, 31), "57") == 21
    # Both ends included.
    assert count_jours_ouvres(date(2025, 5, 5), date(2025, 5, 5)) == 1
    assert count_jours_ouvres(date(2025, 5, 5), date(2025, 5, 6)) == 2
    # Empty range.
    assert count_jours_ouvres(date(2025, 5, 6), date(2025, 5, 5)) == 0


def test_count_jours_ouvres_whole_year_2025():
    # 261 weekdays in 2025; fériés on weekdays: all but 1 Nov (Saturday) -> 10.
    assert count_jours_ouvres(date(2025, 1, 1), date(2025, 12, 31)) == 251


def test_count_jours_ouvrables_inclusive():
    # May 2025: 31 days - 4 Sundays = 27, minus 1, 8, 29 May -> 24.
    assert count_jours_ouvrables(date(2025, 5, 1), date(2025, 5, 31)) == 24
    assert count_jours_ouvrables(date(2025, 5, 3), date(2025, 5, 4)) == 1


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
departements = st.sampled_from(["75", "57", "67", "971", "974", "976", "2A"])


@given(days, st.integers(min_value=1, max_value=60), departements)
def test_add_then_count_ouvres_round_trip(start, n, departement):
    end = add_jours_ouvres(start, n, departement)
    assert is_jour_ouvre(end, departement)
    assert count_jours_ouvres(start + timedelta(days=1), end, departement) == n
    assert add_jours_ouvres(end, -n, departement) <= start


@given(days, st.integers(min_value=1, max_value=60), departements)
def test_add_then_count_ouvrables_round_trip(start, n, departement):
    end = add_jours_ouvrables(start, n, departement)
    assert is_jour_ouvrable(end, departement)
    assert count_jours_ouvrables(start + timedelta(days=1), end, departement) == n


@given(days, days)
def test_ouvres_never_exceed_ouvrables(a, b):
    start, end = min(a, b), max(a, b)
    if (end - start).days > 400:
        end = start + timedelta(days=400)
    assert count_jours_ouvres(start, end) <= count_jours_ouvrables(start, end) <= (end - start).days + 1
