"""rules.droits as a frame function: order, columns and types, edge rows (the amounts are in test_worked_examples)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from secu.core.errors import NotFound
from secu.famille.rules import OUTPUT, droits

MAI_2025 = date(2025, 5, 1)


def test_one_row_per_foyers_row_in_order_with_every_output_column():
    mois = [MAI_2025, date(2026, 8, 1), MAI_2025, date(2024, 1, 1)]
    f = pl.DataFrame({"foyer": [3, 1, 2, 3], "mois": mois, "nb_parents": [1, 2, 2, 1], "ressources_n2": [0, 10, 20, 30]})
    e = pl.DataFrame(
        {
            "foyer": [1, 1, 3, 3, 3],
            "mois": [date(2026, 8, 1)] * 2 + [MAI_2025, date(2024, 1, 1), MAI_2025],
            "date_naissance": [date(2015, 1, 1), date(2018, 1, 1), date(2015, 1, 1), date(2015, 1, 1), date(2018, 1, 1)],
        }
    )
    out = droits(f, e)
    assert out.select("foyer", "mois").rows() == f.select("foyer", "mois").rows()
    assert out.columns[-len(OUTPUT) :] == list(OUTPUT)  # after the foyers columns, optional ones filled
    assert out["nb_enfants"].to_list() == [2, 2, 0, 1]
    types = out.schema
    assert types["af"] == pl.Int64 and types["nb_enfants"] == pl.Int32 and types["af_tranche"] == pl.Int8
    assert types["af_taux"] == pl.Decimal(38, 9) and types["cf_forme"] == pl.String and types["ref_af"] == pl.String


def test_children_of_months_or_households_not_asked_are_ignored():
    f = pl.DataFrame({"foyer": [1], "mois": [MAI_2025], "nb_parents": [2], "ressources_n2": [0]})
    e = pl.DataFrame(
        {"foyer": [1, 1, 2], "mois": [MAI_2025, date(2025, 6, 1), MAI_2025], "date_naissance": [date(2015, 1, 1), date(2016, 1, 1), date(2016, 1, 1)]}
    )
    assert droits(f, e).row(0, named=True)["nb_enfants"] == 1


@pytest.mark.parametrize("alternees, majorations_alternees", [([True, False], 0), ([False, True], 1)])
def test_eldest_of_twins_is_the_first_row_given(alternees, majorations_alternees):
    # Twins of 15, two children: one majoration (L521-3, the eldest opens none). The eldest is the first twin
    # listed; when he is in résidence alternée, the other twin's majoration is whole.
    f = pl.DataFrame({"foyer": [1], "mois": [MAI_2025], "nb_parents": [2], "ressources_n2": [0]})
    e = pl.DataFrame({"foyer": [1, 1], "mois": [MAI_2025] * 2, "date_naissance": [date(2010, 1, 1)] * 2, "garde_alternee": alternees})
    r = droits(f, e).row(0, named=True)
    assert (r["af_nb_majorations"], r["af_nb_majorations_alternees"]) == (1, majorations_alternees)


def test_aeeh_sixth_category_before_the_mtp_is_known_is_refused():
    mois = date(2023, 1, 1)
    f = pl.DataFrame({"foyer": [1], "mois": [mois], "nb_parents": [1], "ressources_n2": [0]})
    e = pl.DataFrame({"foyer": [1], "mois": [mois], "date_naissance": [date(2015, 1, 1)], "aeeh_categorie": [6]}, schema_overrides={"aeeh_categorie": pl.Int8})
    with pytest.raises(NotFound, match="01/01/2023"):
        droits(f, e)
    # A child no longer à charge (over 20) opens no AEEH: nothing to refuse.
    assert droits(f, e.with_columns(pl.lit(date(1990, 1, 1)).alias("date_naissance"))).row(0, named=True)["aeeh"] == 0


def test_a_month_asked_alone_gives_what_it_gives_among_other_months():
    """One month asked alone (its law broadcast, children grouped by foyer) = the same month among others (law joined
    per month, grouped by foyer and mois): every output column, on households with every benefit, AEEH included."""
    from tests.famille.openfisca.population import MONTHS, households

    foyers, enfants = households(1_500, 2025, seed=12, first_foyer=1)
    rng = __import__("random").Random(12)
    enfants = enfants.with_columns(
        pl.Series("aeeh_categorie", [rng.choice([None, None, 0, 1, 2, 3, 4, 5, 6]) for _ in range(enfants.height)], dtype=pl.Int8),
        pl.Series("asf", [rng.choice([0, 0, 1, 2]) for _ in range(enfants.height)], dtype=pl.Int8),
    )
    together = droits(foyers, enfants)
    assert len(MONTHS[2025]) > 1 and together["mois"].n_unique() == len(MONTHS[2025])
    for month in MONTHS[2025]:
        alone = droits(foyers.filter(pl.col("mois") == month), enfants)
        expected = together.filter(pl.col("mois") == month)
        assert alone.equals(expected), month
        assert (alone["aeeh"] > 0).sum() > 100 and (alone["af"] > 0).sum() > 100 and (alone["asf"] > 0).sum() > 100
