"""Where the money goes: the réduction générale's imputation and the CSG's split, worked by hand.

Sources. Imputation: urssaf.fr, « Étape 3 : règles d'imputation du montant de
la réduction générale » (from 2024, fewer than 50 employees: réduction ×
0,0601 / 0,3194 on the retraite complémentaire, réduction × 0,2593 / 0,3194 on
the URSSAF's contributions, « au prorata des taux de cotisations et
contributions incluses dans la valeur T », AT/MP at 0,46 % for 2024), CSS
L241-13 and D241-7. CSG: CSS L131-8 (points of the 9,2 of CSS L136-8 I 1°).
The expected amounts are computed in the comments from those texts.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from secu.recouvrement import comptes, financement, rules

MARS_2024 = date(2024, 3, 1)


def split(lines: pl.DataFrame) -> dict[tuple[str, str], int]:
    return {(r["attributaire"], r["produit"]): r["cents"] for r in rules.financement(lines, by=()).iter_rows(named=True)}


def test_the_reduction_at_the_smic_is_imputed_as_the_urssaf_says() -> None:
    # SMIC 2024 full time, 1 766,92 €, 10 employees: réduction = 0,3194 × 1 766,92 = 564,35 € (T, CSS D241-7).
    lines, _ = rules.cotisations_bulletin(brut="1766.92", mois=MARS_2024, effectif=10, taux_atmp="0.0208")  # AT/MP: an input
    amounts = {r["code"]: r for r in lines.iter_rows(named=True)}
    assert amounts["reduction_generale"]["montant_patronal_cents"] == -56435
    # Retraite complémentaire: 564,35 × 0,0601 / 0,3194 = 106,191… → 106,19 €, on the Agirc-Arrco contributions
    # (4,72 % + 1,29 % employer, 3,15 % + 0,86 % employee on 1 766,92 €: 83,40 + 22,79 + 55,66 + 15,20 = 177,05 €).
    got = split(lines)
    assert got[("agirc_arrco", "cotisations")] == 17705 - 10619
    # The URSSAF: 564,35 − 106,19 = 458,16 € over the rates of T it collects (0,2593: maladie 7 %, AF 3,45 %,
    # vieillesse 8,55 + 2,02 %, CSA 0,30 %, FNAL 0,10 %, AT/MP 0,46 %, chômage 4,05 %): 458,16 × rate / 0,2593, in
    # whole cents, the 4 cents left to the largest remainders (chômage ,989; AF ,843; AT/MP ,779; FNAL ,691).
    imputed = {"maladie": 12368, "famille": 6096, "vieillesse": 18676, "autonomie": 530, "fnal": 177, "atmp": 813, "unedic": 7156}
    assert sum(imputed.values()) == 56435 - 10619
    # Their own amounts on 1 766,92 €: maladie 7 % 123,68; AF 3,45 % 60,96; CSA 0,30 % 5,30; FNAL 0,10 % 1,77;
    # vieillesse 8,55 % + 6,90 % plafonnée, 2,02 % + 0,40 % déplafonnée: 151,07 + 121,92 + 35,69 + 7,07.
    own = {"maladie": 12368, "famille": 6096, "autonomie": 530, "fnal": 177, "vieillesse": 15107 + 12192 + 3569 + 707}
    for recipient, cents in own.items():
        assert got.get((recipient, "cotisations"), 0) == cents - imputed[recipient], recipient
    # CSG 118,05 + 41,66 = 159,71 € split by points of 9,2 (L131-8 since 2024: maladie 4,25; CNSA 2,08;
    # famille 0,95; Unédic 1,47; CADES 0,45): floors 73,77 / 36,10 / 16,49 / 25,51 / 7,81, the 3 cents left to
    # maladie (,908), Unédic (,888) and the CNSA (,835).
    assert {k: v for (k, kind), v in got.items() if kind == "csg"} == {
        "maladie": 7378, "autonomie": 3611, "famille": 1649, "unedic": 2552, "cades": 781}


def test_the_weights_make_up_t_every_month() -> None:
    # The rates the réduction is imputed on are the rates T is the sum of (CSS D241-7), checked at load.
    months = [date(y, m, 1) for y in (2023, 2024, 2025, 2026) for m in (1, 5, 12)]
    weights = rules._split_weights(months)
    assert weights.height == len(months)
    unit = Decimal(int(weights.row(0, named=True)["w_unit"])) / rules.RATE_UNIT
    first = weights.row(0, named=True)  # 2023: T < 50 = 0,3191 with the FNAL at 0,10 %
    assert sum(first[f"w_{r}"] for r, _ in rules.IMPUTATION) * unit + Decimal("0.001") == Decimal("0.3191")


def _payslips() -> pl.DataFrame:
    rows = []
    for n, (brut, effectif, heures) in enumerate([(176692, 10, "151.67"), (180000, 60, "151.67"), (95000, 10, "80"), (250000, 300, "151.67"),
                                                 (0, 10, "0"), (123456, 49, "100.5")]):
        for month in (1, 2, 3):
            rows.append({"bulletin": n * 10 + month, "salarie": f"S{n}", "mois": date(2025, month, 1),
                         "brut_cents": brut + 1000 * month, "heures": Decimal(heures), "effectif": effectif,
                         "taux_atmp": Decimal("0.0208"), "cadre": n == 3})
    return pl.DataFrame(rows, schema={"bulletin": pl.Int64, "salarie": pl.String, "mois": pl.Date, "brut_cents": pl.Int64,
                                      "heures": pl.Decimal(38, 2), "effectif": pl.Int64, "taux_atmp": pl.Decimal(38, 6),
                                      "cadre": pl.Boolean})


def test_a_declaration_and_the_batch_give_the_same_amounts() -> None:
    # The same payslips, once as a declaration (financement.by_recipient, what a DSN books) and once through the
    # batch job (comptes.comptes_des_bulletins, what a simulated month books): the same amounts to the cent.
    payslips = _payslips()
    march = date(2025, 3, 1)
    declared = financement.by_recipient(rules.contributions(payslips).filter(pl.col("mois") == march))
    accounts = comptes.comptes_des_bulletins(payslips, march)
    batch: dict[str, int] = {}
    for r in accounts.iter_rows(named=True):
        if r["poste"] == "csg":
            key = f"csg:{r['branche']}"
        else:
            key = comptes.RECIPIENTS_BY_LINE[(r["branche"], r["poste"])]
        batch[key] = batch.get(key, 0) + r["montant_cents"]
    assert batch == declared
    assert sum(declared.values()) == int(rules.contributions(payslips).filter(pl.col("mois") == march)
                                         .select(pl.col("montant_salarial_cents") + pl.col("montant_patronal_cents")).sum().item())


@pytest.mark.parametrize("grouping", [("bulletin",), ("salarie",), ("mois",), ()])
def test_any_grouping_of_payslips_adds_up_to_the_same(grouping: tuple[str, ...]) -> None:
    lines = rules.contributions(_payslips())
    whole = rules.financement(lines, by=()).select("attributaire", "produit", "cents").sort("attributaire", "produit")
    parts = rules.financement(lines, by=grouping).group_by("attributaire", "produit").agg(pl.col("cents").sum()) \
        .filter(pl.col("cents") != 0).sort("attributaire", "produit")
    assert parts.to_dicts() == whole.to_dicts()


def test_a_renamed_rule_fails_the_openfisca_differential_instead_of_skipping_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.recouvrement.openfisca import compare

    assert compare.rules_module() is rules
    monkeypatch.delattr(rules, "net")
    with pytest.raises(AssertionError, match="net"):
        compare.rules_module()
