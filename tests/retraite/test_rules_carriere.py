"""The career rule: quarters of each year (R. 351-9) and the salaire annuel moyen (R. 351-29, L. 351-11)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest

from secu.core.errors import InvalidField
from secu.retraite.rules.carriere import annees_carriere, premiere_annee, salaire_annuel_moyen


def _annees(rows: list[tuple[int, int, int]], **extra: list[int]) -> pl.DataFrame:
    personne, annee, salaire = zip(*rows, strict=True)
    return pl.DataFrame({"personne": list(personne), "annee": list(annee), "salaire": list(salaire), **extra})


def _une(annee: int, salaire: int, **extra: int) -> dict[str, object]:
    out = annees_carriere(_annees([(1, annee, salaire)], **{k: [v] for k, v in extra.items()}))
    return out.row(0, named=True)


# --------------------------------------------------------------------------
# Quarters (R. 351-9)


@pytest.mark.parametrize(
    ("annee", "seuil_cents", "source"),
    [
        # 150 h × 12,02 € = 1 803 € in 2026 (planet.fr quoting service-public.fr; cnews.fr 26/12/2025: 7 212 € for four)
        (2026, 180_300, "service-public.fr via planet.fr, 2026"),
        # 150 h × 11,27 € = 1 690,50 € in 2023, 6 762 € for four (centrepresseaveyron.fr, 05/03/2023)
        (2023, 169_050, "centrepresseaveyron.fr, 2023"),
        # 150 h × 9,53 € = 1 429,50 € in 2014, the first year of 150 hours (décret n° 2014-349; CNAV, via openfisca-france-pension salval)
        (2014, 142_950, "décret 2014-349, 2014"),
        # 200 h × 9,43 € = 1 886 € in 2013, the last year of 200 hours (CNAV, via openfisca-france-pension salval)
        (2013, 188_600, "200 heures, 2013"),
        # 200 h × 8,03 € = 1 606 € in 2006 (experts-univers.com, « montant validation trimestre »)
        (2006, 160_600, "experts-univers.com, 2006"),
    ],
)
def test_the_threshold_of_a_quarter_is_hours_times_the_smic_of_1_january(annee: int, seuil_cents: int, source: str) -> None:
    ligne = _une(annee, seuil_cents)
    assert ligne["seuil_trimestre"] == seuil_cents, source
    assert ligne["trimestres_cotises"] == 1
    assert _une(annee, seuil_cents - 1)["trimestres_cotises"] == 0
    assert _une(annee, 4 * seuil_cents)["trimestres_cotises"] == 4
    assert _une(annee, 4 * seuil_cents - 1)["trimestres_cotises"] == 3


@pytest.mark.parametrize(
    ("annee", "seuil_francs", "source"),
    [
        # 200 × 29,91 F = 5 982 F (CNAV salaire validant, via openfisca-france-pension)
        (1990, 5982, "openfisca-france-pension, salaire validant 1990"),
        # « il fallait un salaire de 2 586 F pour valider un trimestre en 1980, 5 982 F en 1990, 8 144 F en 2000 »
        (1980, 2586, "orange.sudptt.org, « Durée d'assurance », § 3-1-1"),
        (2000, 8144, "orange.sudptt.org, « Durée d'assurance », § 3-1-1"),
    ],
)
def test_before_2002_the_threshold_is_in_francs_and_the_salary_compared_exactly(annee: int, seuil_francs: int, source: str) -> None:
    """CSS R. 351-9: 200 × the SMIC horaire of 1 January, in francs before the euro; the euro salary is compared with
    it at 6,55957 F (règlement (CE) n° 2866/98), never with a SMIC rounded to the euro cent."""
    ligne = _une(annee, 0)
    assert ligne["seuil_trimestre_francs"] == seuil_francs * 100, source
    exact = Decimal(seuil_francs) / Decimal("6.55957")  # euros
    assert ligne["seuil_trimestre"] == int((exact * 100).quantize(Decimal(1), ROUND_HALF_UP))
    juste_assez = int((exact * 100).to_integral_value(rounding="ROUND_CEILING"))  # the first cent at or over the threshold
    assert _une(annee, juste_assez)["trimestres_cotises"] == 1
    assert _une(annee, juste_assez - 1)["trimestres_cotises"] == 0
    assert _une(annee, 4 * juste_assez)["trimestres_cotises"] == 4


def test_1979_a_salary_under_four_franc_thresholds_validates_three_quarters() -> None:
    """Born 1960-07-06, 1 376,08 € in 1979 (the OpenFisca-France-Pension check): 200 × 11,31 F = 2 262 F; 1 376,08 € =
    9 026,49 F < 4 × 2 262 F = 9 048 F → 3 quarters (R. 351-9), where a SMIC rounded to 1,72 € (344,00 €) gave 4."""
    ligne = _une(1979, 137_608)
    assert ligne["seuil_trimestre_francs"] == 226_200 and ligne["seuil_trimestre"] == 34_484  # 344,84 €
    assert ligne["trimestres_cotises"] == 3 and ligne["trimestres_rg"] == 3
    assert ligne["franc_par_euro_reference"].startswith("Règlement (CE) n° 2866/98")
    assert _une(2002, 0)["seuil_trimestre_francs"] is None  # from 2002 the SMIC is in euros


def test_at_most_four_quarters_and_the_salary_is_capped_at_the_pass() -> None:
    ligne = _une(2026, 10_000_000)  # 100 000 € in 2026
    assert ligne["trimestres_cotises"] == 4
    assert ligne["salaire_plafonne"] == 4_806_000  # PASS 2026: 48 060 € (arrêté du 22 décembre 2025)
    assert ligne["pss_annuel_reference"].startswith("Arrêté du 22 décembre 2025")
    assert ligne["carriere_heures_smic_trimestre_reference"].startswith("Décret n° 2014-349")


def test_avpf_assimilated_and_other_regimes_share_the_four_quarters_of_a_year() -> None:
    seuil = 180_300
    ligne = _une(2026, seuil, salaire_avpf=2 * seuil, trimestres_assimiles=2, trimestres_autres_regimes=3)
    assert (ligne["trimestres_cotises"], ligne["trimestres_salaire"], ligne["trimestres_avpf"]) == (1, 3, 2)
    assert ligne["trimestres_rg"] == 4  # 3 reported + 2 assimilated, at most four (R. 351-5)
    assert ligne["trimestres_tous_regimes"] == 4
    assert ligne["salaire_plafonne"] == 3 * seuil  # the AVPF salary is porté au compte
    seul = _une(2026, 0, trimestres_autres_regimes=2)
    assert (seul["trimestres_rg"], seul["trimestres_tous_regimes"]) == (0, 2)


def test_the_input_order_and_columns_are_kept() -> None:
    frame = _annees([(2, 2024, 500_000), (1, 2023, 100), (1, 2024, 900_000)])
    out = annees_carriere(frame)
    assert out.select("personne", "annee", "salaire").equals(frame.with_columns(pl.col("annee").cast(pl.Int32)))
    assert out.get_column("trimestres_cotises").to_list() == [2, 0, 4]


@pytest.mark.parametrize(
    ("frame", "field"),
    [
        (pl.DataFrame({"personne": [1], "annee": [2020]}), "salaire"),
        (pl.DataFrame({"personne": [1], "annee": [2020], "salaire": [None]}, schema_overrides={"salaire": pl.Int64}), "salaire"),
        (pl.DataFrame({"personne": [1], "annee": [2020], "salaire": [-1]}), "salaire"),
        (pl.DataFrame({"personne": [1], "annee": [1971], "salaire": [100]}), "annee"),
        (pl.DataFrame({"personne": [1, 1], "annee": [2020, 2020], "salaire": [100, 200]}), "annee"),
        (pl.DataFrame({"personne": [1], "annee": [2020], "salaire": [100], "trimestres_assimiles": [5]}), "trimestres_assimiles"),
        (pl.DataFrame({"personne": [1], "annee": [2020], "salaire": [100], "salaire_avpf": [-5]}), "salaire_avpf"),
    ],
)
def test_bad_input_names_the_column(frame: pl.DataFrame, field: str) -> None:
    with pytest.raises(InvalidField) as caught:
        annees_carriere(frame)
    assert caught.value.field == field


def test_1972_is_the_first_year_held() -> None:
    assert premiere_annee() == 1972
    assert _une(1972, 24_000)["seuil_trimestre_francs"] == 200 * 394  # 3,94 F (arrêté du 30 novembre 1971)


# --------------------------------------------------------------------------
# SAM (R. 351-29, L. 351-11)


def _personne(naissance: date, date_effet: date, enfants_mere: int = 0) -> pl.DataFrame:
    return pl.DataFrame({"personne": [1], "naissance": [naissance], "date_effet": [date_effet], "enfants_mere": [enfants_mere]})


def test_each_year_is_capped_then_revalued_with_the_column_of_the_date_d_effet() -> None:
    """Circulaire Cnav 2025-29 (column 2026, fiche D.1): 1990 → 1,704; 2022 → 1,137; 2025 → 1,009."""
    annees = annees_carriere(_annees([(1, 1990, 3_000_000), (1, 2022, 2_000_000), (1, 2025, 3_000_000)]))
    sam = salaire_annuel_moyen(annees, _personne(date(1964, 3, 1), date(2026, 10, 1)))
    rows = sam.annees.select("annee", "salaire_plafonne", "coefficient", "salaire_revalorise").rows()
    assert rows[0][:2] == (1990, 1_997_692)  # PASS 1990: 131 040 F = 19 976,92 €
    assert rows[0][2] == Decimal("1.704") and rows[0][3] == 3_404_067  # 19 976,92 × 1,704 = 34 040,6717…
    assert rows[1][2] == Decimal("1.137") and rows[1][3] == 2_274_000
    assert rows[2][2] == Decimal("1.009") and rows[2][3] == 3_027_000
    personne = sam.personnes.row(0, named=True)
    assert personne["annees_retenues"] == 3 and personne["nombre_annees"] == 25
    assert personne["sam"] == round((3_404_067 + 2_274_000 + 3_027_000) / 3)
    assert sam.annees.get_column("sam_coefficients_salaires_reference").to_list()[0].startswith("Circulaire Cnav n° 2025-29")


def test_the_columns_of_2023_to_2025_follow_the_circulars() -> None:
    """Fiche D.1 transcription of the circulars 2023-03, 2023-34, 2024-39: 1990 → 1,570 / 1,653 / 1,689."""
    annees = annees_carriere(_annees([(1, 1990, 1_000_000)]))
    for effet, attendu in ((date(2023, 6, 1), "1.570"), (date(2024, 6, 1), "1.653"), (date(2025, 6, 1), "1.689")):
        sam = salaire_annuel_moyen(annees, _personne(date(1961, 1, 1), effet))
        assert sam.annees.get_column("coefficient").to_list() == [Decimal(attendu)]


def test_the_best_25_years_are_kept_ties_to_the_earlier_year() -> None:
    rows = [(1, 1980 + i, 1_000_000 + (i % 5) * 10_000) for i in range(30)]  # 30 years, salaries in five levels
    annees = annees_carriere(_annees(rows))
    sam = salaire_annuel_moyen(annees, _personne(date(1962, 1, 1), date(2026, 1, 1)))
    kept = sam.annees.filter("retenue")
    assert kept.height == 25
    left_out = sam.annees.filter(~pl.col("retenue"))
    assert left_out.get_column("salaire_revalorise").max() <= kept.get_column("salaire_revalorise").min()  # type: ignore[operator]
    personne = sam.personnes.row(0, named=True)
    assert personne["annees_retenues"] == 25
    total = kept.get_column("salaire_revalorise").sum()
    assert personne["sam"] == (2 * total + 25) // 50  # half up


def test_mothers_keep_24_or_23_years_from_september_2026() -> None:
    """LFSS 2026 (loi n° 2025-1403): 24 best years with one child, 23 with two or more (date d'effet: non vérifiée)."""
    annees = annees_carriere(_annees([(1, 1980 + i, 1_000_000 + i) for i in range(30)]))
    for enfants, effet, nombre in ((0, date(2026, 10, 1), 25), (1, date(2026, 10, 1), 24), (2, date(2026, 10, 1), 23), (4, date(2026, 10, 1), 23),
                                   (2, date(2026, 8, 1), 25)):
        sam = salaire_annuel_moyen(annees, _personne(date(1963, 1, 1), effet, enfants))
        assert sam.personnes.get_column("nombre_annees").to_list() == [nombre], (enfants, effet)
        assert sam.annees.get_column("retenue").sum() == nombre


def test_the_year_of_the_date_d_effet_and_years_without_a_reported_quarter_are_left_out() -> None:
    annees = annees_carriere(_annees([(1, 2024, 3_000_000), (1, 2025, 100_000), (1, 2026, 4_000_000)],
                                     trimestres_assimiles=[0, 4, 0]))
    sam = salaire_annuel_moyen(annees, _personne(date(1964, 1, 1), date(2026, 10, 1)))
    assert sam.annees.get_column("prise_en_compte").to_list() == [True, False, False]
    assert sam.annees.get_column("coefficient").to_list()[2] == Decimal(1)  # not revalued
    assert sam.personnes.get_column("sam").to_list() == [round(3_000_000 * 1.031)]


def test_a_person_without_any_year_has_a_sam_of_zero() -> None:
    annees = annees_carriere(_annees([(1, 2020, 1_000_000)]))
    personnes = pl.concat([_personne(date(1964, 1, 1), date(2026, 10, 1)),
                           pl.DataFrame({"personne": [2], "naissance": [date(1965, 1, 1)], "date_effet": [date(2026, 10, 1)], "enfants_mere": [0]})])
    sam = salaire_annuel_moyen(annees, personnes)
    assert sam.personnes.select("personne", "annees_retenues", "sam").rows() == [(1, 1, round(1_000_000 * 1.153)), (2, 0, 0)]


def test_a_date_d_effet_without_published_coefficients_is_refused_unless_projected() -> None:
    annees = annees_carriere(_annees([(1, 2025, 1_000_000), (1, 2026, 1_000_000)]))
    with pytest.raises(InvalidField) as caught:
        salaire_annuel_moyen(annees, _personne(date(1965, 1, 1), date(2027, 1, 1)))
    assert caught.value.field == "date_effet"
    projete = salaire_annuel_moyen(annees, _personne(date(1965, 1, 1), date(2027, 1, 1)), projection=True)
    assert projete.annees.get_column("coefficient").to_list() == [Decimal("1.009"), Decimal(1)]


@pytest.mark.parametrize(
    ("personnes", "field"),
    [
        (pl.DataFrame({"personne": [1], "naissance": [date(1964, 1, 1)]}), "date_effet"),
        (_personne(date(1964, 1, 1), date(2022, 12, 1)), "date_effet"),
        (_personne(date(1947, 1, 1), date(2023, 12, 1)), "naissance"),
        (_personne(date(1964, 1, 1), date(2026, 10, 1), -1), "enfants_mere"),
        (pl.DataFrame({"personne": [2], "naissance": [date(1964, 1, 1)], "date_effet": [date(2026, 10, 1)]}), "personne"),
    ],
)
def test_bad_persons_name_the_column(personnes: pl.DataFrame, field: str) -> None:
    annees = annees_carriere(_annees([(1, 2020, 1_000_000)]))
    with pytest.raises(InvalidField) as caught:
        salaire_annuel_moyen(annees, personnes)
    assert caught.value.field == field
