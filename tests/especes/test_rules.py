"""The IJ rule's days and its exceptions, on several arrêts at once; its refusals of bad input.

Expected counts are the texts' intervals: carence = days 1–3 of a maladie arrêt (R. 323-1, 1°), none for a
prolongation, an ALD already indemnified within 3 years, maternité, paternité or AT/MP; at most 360 IJ over
3 years outside ALD; an ALD paid up to 3 years from its start (R. 323-1, 2°).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from secu.core.errors import InvalidField
from secu.especes.rules import indemnites_journalieres

S = 200_000  # 2 000 € a month: IJ maladie 32,88 €


def _arrets(**columns: list) -> pl.DataFrame:
    n = len(next(iter(columns.values()), [None]))
    base = {"risque": ["maladie"] * n, "debut": [date(2025, 5, 1)] * n, "fin": [date(2025, 5, 10)] * n,
            "salaire_1": [S] * n, "salaire_2": [S] * n, "salaire_3": [S] * n}
    return pl.DataFrame({**base, **columns})


def test_carence_and_its_exceptions_row_by_row():
    frame = _arrets(
        risque=["maladie", "maladie", "maladie", "maladie", "maternite", "atmp"],
        prolongation=[False, True, False, False, False, False],
        ald=[False, False, True, True, False, False],
        ald_arret_anterieur=[False, False, False, True, False, False],
    )
    out = indemnites_journalieres(frame)
    assert out.get_column("jours_carence").to_list() == [3, 0, 3, 0, 0, 0]
    assert out.get_column("jours_indemnises").to_list() == [7, 10, 7, 10, 10, 10]


def test_a_short_arret_is_all_carence():
    out = indemnites_journalieres(_arrets(fin=[date(2025, 5, 2)])).row(0, named=True)
    assert (out["jours_arret"], out["jours_carence"], out["jours_indemnises"], out["montant_brut"]) == (2, 2, 0, 0)


def test_360_ij_over_three_years_outside_ald():
    # 355 IJ already paid: 5 more, then the rest of the arrêt is beyond the rights.
    out = indemnites_journalieres(_arrets(ij_deja_versees=[355, 360, 0])).to_dicts()
    assert [(r["jours_indemnises"], r["jours_hors_droits"]) for r in out] == [(5, 2), (0, 7), (7, 0)]


def test_ald_paid_up_to_three_years_from_its_start():
    # ALD indemnified since 2022-05-05: paid through 2025-05-04 (3 years), not from 2025-05-05.
    out = indemnites_journalieres(_arrets(ald=[True], ald_arret_anterieur=[True], ald_debut=[date(2022, 5, 5)])).row(0, named=True)
    assert (out["jours_indemnises"], out["jours_hors_droits"]) == (4, 6)


def test_payment_period_inside_the_arret():
    # A 14-day payment of a long AT/MP arrêt: days 22–35, of which 29–35 majorés.
    frame = _arrets(risque=["atmp"], fin=[date(2025, 7, 31)], periode_debut=[date(2025, 5, 22)], periode_fin=[date(2025, 6, 4)])
    out = indemnites_journalieres(frame).row(0, named=True)
    assert (out["jours_indemnises"], out["jours_majores"]) == (14, 7)
    assert out["montant_brut"] == 7 * out["ij_journaliere"] + 7 * out["ij_journaliere_majoree"]


def test_exonere_csg_pays_the_gross():
    out = indemnites_journalieres(_arrets(exonere_csg=[True])).row(0, named=True)
    assert (out["csg"], out["crds"], out["montant_net"]) == (0, 0, out["montant_brut"])


@pytest.mark.parametrize(
    ("columns", "field"),
    [
        ({"risque": ["grippe"]}, "risque"),
        ({"fin": [date(2025, 4, 30)]}, "fin"),
        ({"salaire_2": [-1]}, "salaire_2"),
        ({"ij_deja_versees": [-3]}, "ij_deja_versees"),
    ],
)
def test_bad_input_names_the_field(columns, field):
    with pytest.raises(InvalidField) as error:
        indemnites_journalieres(_arrets(**columns))
    assert error.value.field == field


def test_missing_column_is_named():
    with pytest.raises(InvalidField) as error:
        indemnites_journalieres(_arrets().drop("salaire_3"))
    assert error.value.field == "salaire_3"


def test_duree_conge_refuses_a_case_its_table_lacks():
    from secu.especes.rules import duree_conge

    with pytest.raises(InvalidField) as error:
        duree_conge(pl.DataFrame({"conge": ["paternite"], "cas": ["jumeaux"], "date": [date(2025, 1, 1)]}))
    assert error.value.field == "cas"


def test_every_step_but_the_net_cites_its_text():
    from secu.especes.explication import explain_ij

    out = indemnites_journalieres(_arrets(risque=["maladie", "maternite", "paternite", "adoption", "atmp"], fin=[date(2025, 6, 30)] * 5))
    for row in out.iter_rows(named=True):
        steps = explain_ij(row)
        assert steps[-1]["etape"] == "Montant net versé" and steps[-1]["montant_cents"] == row["montant_net"]
        assert all(step["reference"] for step in steps[:-1]), row["risque"]


def test_adoption_is_paid_as_maternite():
    out = indemnites_journalieres(_arrets(risque=["maternite", "adoption"])).to_dicts()
    assert out[0]["ij_journaliere"] == out[1]["ij_journaliere"] and out[1]["jours_carence"] == 0


def test_a_prolongation_given_as_a_period_of_the_initial_arret_keeps_its_ceiling():
    # Initial arrêt from 2025-03-25 (1,8 SMIC), prolonged to 2025-04-20: the April days are paid at 53,31 €.
    frame = _arrets(debut=[date(2025, 3, 25)], fin=[date(2025, 4, 20)], periode_debut=[date(2025, 4, 1)], periode_fin=[date(2025, 4, 20)],
                    salaire_1=[600_000], salaire_2=[600_000], salaire_3=[600_000])
    out = indemnites_journalieres(frame).row(0, named=True)
    assert (out["ij_journaliere"], out["jours_carence"], out["jours_indemnises"]) == (5331, 0, 20)


# -- the avis's sanctions: refusal (R. 323-12) and reduction (D. 323-2), an input of the rule ---------------------


def _sanctions(*rows: tuple[int, str, date, date]) -> pl.DataFrame:
    return pl.DataFrame(
        {"ligne": [r[0] for r in rows], "nature": [r[1] for r in rows], "debut": [r[2] for r in rows], "fin": [r[3] for r in rows],
         "date_prescription": [date(2025, 12, 1)] * len(rows), "avis_numero": [f"AV-{i}" for i in range(len(rows))]},
        schema_overrides={"ligne": pl.Int64},
    )


def test_windows_straddling_a_period_are_cut_to_it_and_a_refused_day_is_not_reduced_too():
    """Period 15-28 December of an arrêt from 1 December (IJ 32,88 €, no carence left): refused 18-19 December and
    27 December - 5 January (R. 323-12, ``avis_arret.refus_controle_impossible`` = 1: the whole IJ), reduced by 50 %
    from 10 to 25 December (D. 323-2: « réduit de 50 % ») except the two refused days. A second row, the first
    period, has no sanction: what is due after them is what is due."""
    arrets = _arrets(debut=[date(2025, 12, 1)] * 2, fin=[date(2026, 1, 10)] * 2,
                     periode_debut=[date(2025, 12, 15), date(2025, 12, 1)], periode_fin=[date(2025, 12, 28), date(2025, 12, 14)])
    sanctions = _sanctions((0, "reduction", date(2025, 12, 10), date(2025, 12, 25)), (0, "controle", date(2025, 12, 18), date(2025, 12, 19)),
                           (0, "controle", date(2025, 12, 27), date(2026, 1, 5)))
    cut, whole = indemnites_journalieres(arrets, sanctions).iter_rows(named=True)
    ij = 3288
    assert cut["montant_brut"] == 14 * ij  # before the sanctions
    assert [(s["nature"], s["debut"], s["fin"], s["jours"], s["montant"], s["avis_numero"]) for s in cut["sanctions"]] == [
        ("controle", date(2025, 12, 18), date(2025, 12, 19), 2, 2 * ij, "AV-1"),  # the refusals first, in the input's order
        ("controle", date(2025, 12, 27), date(2025, 12, 28), 2, 2 * ij, "AV-2"),
        ("reduction", date(2025, 12, 15), date(2025, 12, 17), 3, 3 * ij // 2, "AV-0"),  # then the reduction, less the refused days
        ("reduction", date(2025, 12, 20), date(2025, 12, 25), 6, 6 * ij // 2, "AV-0"),
    ]
    assert (cut["jours_refuses"], cut["refus"], cut["jours_reduits"], cut["reduction"]) == (4, 4 * ij, 9, 9 * ij // 2)
    brut = 14 * ij - 4 * ij - 9 * ij // 2  # 180,84 €
    assert (cut["brut_apres_sanctions"], cut["jours_indemnises_apres_sanctions"], cut["motifs_refus"]) == (brut, 10, "controle_impossible")
    # CSG 6,2 % and CRDS 0,5 % on what remains, half up: 11,212 08 € → 11,21 €; 0,904 2 € → 0,90 €
    assert (cut["csg_apres_sanctions"], cut["crds_apres_sanctions"], cut["net_apres_sanctions"]) == (1_121, 90, brut - 1_121 - 90)
    assert whole["sanctions"] is None and (whole["refus"], whole["reduction"], whole["motifs_refus"]) == (0, 0, None)
    assert (whole["brut_apres_sanctions"], whole["csg_apres_sanctions"], whole["net_apres_sanctions"]) == (11 * ij, whole["csg"], whole["montant_net"])


@pytest.mark.parametrize(("change", "field"), [({"nature": ["retard"]}, "nature"), ({"ligne": [3]}, "ligne"),
                                              ({"fin": [date(2025, 5, 1)]}, "fin")])
def test_a_bad_sanction_is_refused_naming_its_column(change: dict, field: str) -> None:
    sanctions = _sanctions((0, "reduction", date(2025, 5, 2), date(2025, 5, 4))).with_columns(
        *[pl.Series(name, values, dtype=pl.Int64 if name == "ligne" else None) for name, values in change.items()])
    with pytest.raises(InvalidField) as error:
        indemnites_journalieres(_arrets(), sanctions)
    assert error.value.field == field
