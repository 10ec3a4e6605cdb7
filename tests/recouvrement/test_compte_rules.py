"""The employer's account's law (recouvrement/rules.py): one worked example per rule, computed by hand from the article.

CSS R243-6: contributions on the pay of month M are due on the 5th of M+1 from 50 employees, on the 15th under
50, a non-working day moving to the next working day. CSS R243-16 I: majoration de retard of 5 % of the
contributions unpaid on the due date; II: majoration complémentaire of 0,2 % of the contributions still due per
month or fraction of month elapsed since the due date. CSS L244-2: the mise en demeure invites the employer to
settle within one month. Amounts are rounded half-up to the cent (the rounding of secu.core.money).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest

from secu.core.errors import NotFound
from secu.recouvrement import rules


def cents(euros: Decimal) -> int:
    return int((euros * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_due_date_r243_6_by_headcount_and_working_day() -> None:
    periods = pl.DataFrame(
        {"mois": [date(2026, 4, 1), date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 1), date(2026, 1, 1)],
         "effectif": [60, 50, 49, 50, 10], "departement": ["75", "75", "75", "75", "75"]},
    )
    due = rules.dates_exigibilite(periods)["date_exigibilite"].to_list()
    assert due == [
        date(2026, 5, 5),  # 50 or more: the 5th of M+1 (Tuesday 5 May 2026)
        date(2026, 5, 5),  # the threshold itself counts as "50 or more"
        date(2026, 5, 15),  # under 50: the 15th (Friday 15 May 2026)
        date(2026, 7, 6),  # Sunday 5 July 2026 moves to Monday 6 July
        date(2026, 2, 16),  # Sunday 15 February 2026 moves to Monday 16 February
    ]


def test_majoration_de_retard_r243_16_i() -> None:
    unpaid = 123456  # 1 234,56 € unpaid at the end of the due date
    row = rules.majoration_de_retard(pl.DataFrame({"date_exigibilite": [date(2026, 4, 15)], "impaye_cents": [unpaid]})).row(0, named=True)
    assert row["majoration_cents"] == cents(Decimal("1234.56") * Decimal("0.05")) == 6173  # 61,728 € -> 61,73 €
    assert row["libelle"] == "Majoration de retard de 5 % sur 1234,56 € impayés au 15/04/2026"
    assert "R. 243-16, I" in row["reference"]


def test_months_of_delay_r243_16_ii_a_fraction_counts_as_a_month() -> None:
    periods = pl.DataFrame({"mois": [date(2026, 3, 1), date(2025, 12, 1)], "date_exigibilite": [date(2026, 4, 15), date(2026, 1, 31)]})
    months = rules.mois_de_retard(periods, date(2026, 6, 20))
    march = months.filter(pl.col("mois") == date(2026, 3, 1))
    # 15/04–15/05, 15/05–15/06, then 15/06–20/06: a fraction of month, counted as a month
    assert march["rang"].to_list() == [1, 2, 3]
    assert march["debut"].to_list() == [date(2026, 4, 15), date(2026, 5, 15), date(2026, 6, 15)]
    december = months.filter(pl.col("mois") == date(2025, 12, 1))
    # date to date from 31 January: the last day of a shorter month
    assert december["debut"].to_list()[:3] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert december.height == 5  # 31/01, 28/02, 31/03, 30/04, 31/05 (the month started 31/05 is running on 20/06)
    # on the due date itself nothing has elapsed; one day later, a first month has started
    assert rules.mois_de_retard(periods.head(1), date(2026, 4, 15)).height == 0
    assert rules.mois_de_retard(periods.head(1), date(2026, 4, 16)).height == 1


def test_majoration_complementaire_r243_16_ii() -> None:
    frame = pl.DataFrame({"rang": [1, 2], "debut": [date(2026, 4, 15), date(2026, 5, 15)], "impaye_cents": [123456, 1250]})
    rows = rules.majoration_complementaire(frame).to_dicts()
    assert rows[0]["majoration_cents"] == cents(Decimal("1234.56") * Decimal("0.002")) == 247  # 2,46912 € -> 2,47 €
    assert rows[1]["majoration_cents"] == cents(Decimal("12.50") * Decimal("0.002")) == 3  # 0,025 € -> half-up to 0,03 €
    assert rows[1]["libelle"] == "Majoration complémentaire de 0,2 % (mois de retard n° 2)"
    assert "R. 243-16, II" in rows[0]["reference"]


def test_fees_before_the_decree_are_not_invented() -> None:
    with pytest.raises(NotFound):  # the rates apply from 1 January 2020 (décret n° 2019-1050): no earlier value
        rules.majoration_de_retard(pl.DataFrame({"date_exigibilite": [date(2019, 6, 15)], "impaye_cents": [100]}))


def test_mise_en_demeure_one_month_l244_2() -> None:
    notices = pl.DataFrame({"date_emission": [date(2026, 6, 20), date(2026, 1, 31)]})
    result = rules.dates_limites_mise_en_demeure(notices)
    assert result["date_limite"].to_list() == [date(2026, 7, 20), date(2026, 2, 28)]
    assert "L. 244-2" in result["reference_mise_en_demeure"][0]


def test_duree_legale_l3121_27_is_the_default_of_hours_paid() -> None:
    # Code du travail L3121-27: 35 hours a week; 35 × 52 / 12 = 151,666… h, written 151,67 h
    assert rules.duree_legale_mensuelle(date(2025, 3, 1)) == (Decimal(35) * 52 / 12).quantize(Decimal("0.01")) == Decimal("151.67")
    omitted, totals = rules.cotisations_bulletin(brut="1801.80", mois=date(2025, 3, 1), effectif=10, taux_atmp="0.0208")
    given, given_totals = rules.cotisations_bulletin(brut="1801.80", mois=date(2025, 3, 1), effectif=10, taux_atmp="0.0208", heures="151.67")
    assert omitted.equals(given) and totals == given_totals
