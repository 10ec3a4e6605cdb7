"""The simulated year pays the pensions of the synthetic France's retirees (issue 14 §7).

The law is the retraite rules' (droit propre, réversion, ASPA, revaluation) and the one rule on the pensions'
CSG/CRDS/CASA; here: which pensions the dataset gives, in which month each is paid, on which branch it is booked,
and how far the year lands from the CNAV's published figures (calibration.yaml, section retraite).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from secu import branches
from secu.batch import jobs
from secu.batch.jobs import CHARGE, PRODUIT
from secu.retraite import comptes
from secu.simulation import run
from secu.synth import retraites
from secu.synth.generator import synthesize

SEED = 11
DECEMBRE = date(2025, 12, 1)


def test_the_vieillesse_branch_is_the_retraite_module_s_and_the_aspa_the_fsv_s() -> None:
    assert "secu.retraite.comptes" in branches.MODULES
    vieillesse = branches.branche("vieillesse")
    assert vieillesse is not None and vieillesse in comptes.BRANCHES and vieillesse.grand_livre == "retraite"
    assert branches.caisse_nationale("retraite") == "CNAV"
    special = branches.grand_livre_special()
    # The ASPA is the FSV's (CSS L. 815-1, L. 135-2): the CNAV pays it and is owed it back; CRDS and CASA withheld are owed.
    assert special[("fsv", CHARGE, "prestations.aspa")] == ("retraite", "creances.fsv.aspa")
    assert special[("cades", PRODUIT, "crds.pensions")] == ("retraite", "dettes.attributaires.cades")
    assert special[("autonomie", PRODUIT, "casa")] == ("retraite", "dettes.attributaires.cnsa")
    # The FSV's ledger branch (ASPA paid, récupérations: secu.retraite.paiement_solidarite) is named, not simulated (CSS L. 135-1).
    assert branches.libelles_grand_livre()["fsv"] == "Fonds de solidarité vieillesse"
    assert "fsv" not in {b.code for b in branches.simulees()}


def test_each_month_pays_every_living_retiree_his_revalued_pension(dataset: Path) -> None:
    from secu.especes.rules import prelevements_pension
    from secu.retraite.rules.droit_propre import pension_droit_propre
    from secu.retraite.rules.revalorisation import pension_en_service

    partition = jobs.partition(dataset, 0, DECEMBRE, SEED, memo=False)
    retirees = retraites.retraites(partition.personnes, 2025, SEED)
    assert retirees.height > 0
    accounts = comptes.de_l_annee(partition, DECEMBRE)
    assert sorted(accounts["mois"].unique().to_list()) == [date(2025, m, 1) for m in range(1, 13)]
    liquidated = pension_droit_propre(retirees.select("personne", *comptes.CARRIERE))
    for month in (date(2025, 1, 1), date(2025, 7, 1)):
        alive = retirees.join(liquidated.select("personne", "pension_mensuelle"), on="personne").filter(
            pl.col("date_deces").is_null() | (pl.col("date_deces") >= month))
        served = pension_en_service(alive.select("date_effet", pl.lit(month).alias("mois"), "pension_mensuelle"))
        booked = accounts.filter((pl.col("mois") == month) & (pl.col("poste") == "prestations.droit_propre"))
        assert booked["branche"].to_list() == ["vieillesse"]
        assert int(booked["montant_cents"][0]) == int(served["pension_mensuelle_revalorisee"].sum()) > 0
        assert int(booked["volume"][0]) == alive.height
    # Liquidated on 1 January 2023, a pension of 2025 carries the revaluations of 1 January 2024 (+5,3 %, circulaire
    # Cnav n° 2023-34) and 1 January 2025 (+2,2 %, circulaire Cnav n° 2024-39), each rounded half up to the cent.
    paid = comptes.pensions_du_mois(retirees.join(liquidated.select("personne", "pension_mensuelle"), on="personne"),
                                    [date(2025, 1, 1), date(2025, 6, 1), DECEMBRE])
    expected = ((pl.col("pension_mensuelle") * 1053 + 500) // 1000 * 1022 + 500) // 1000
    assert paid.select((pl.col("pension_mensuelle_revalorisee") == expected).all()).item()
    # The CRDS and CASA withheld are the pension rule's, on the droit propre and the réversions paid.
    crds = accounts.filter(pl.col("poste") == "crds.pensions")
    assert crds["branche"].unique().to_list() == ["cades"] and int(crds["montant_cents"].sum()) > 0
    sample = prelevements_pension(pl.DataFrame({"montant": [100_000], "mois": [DECEMBRE], "categorie_csg": ["normal"]}))
    assert 0 < int(sample["crds"][0]) < int(sample["csg"][0])


def test_the_month_alone_is_the_year_s_month(dataset: Path) -> None:
    partition = jobs.partition(dataset, 1, DECEMBRE, SEED, memo=False)
    year = comptes.de_l_annee(partition, DECEMBRE)
    for month in (date(2025, 1, 1), date(2025, 12, 1)):
        assert comptes.du_mois(partition, month).equals(year.filter(pl.col("mois") == month))


def test_survivors_and_aspa_are_paid_on_their_branches(dataset: Path) -> None:
    found = pl.concat([comptes.de_l_annee(jobs.partition(dataset, k, DECEMBRE, SEED, memo=False), DECEMBRE) for k in (0, 1)])
    postes = set(found.select("branche", "sens", "poste").unique().iter_rows())
    assert ("vieillesse", CHARGE, "prestations.reversion") in postes
    assert ("fsv", CHARGE, "prestations.aspa") in postes
    assert not found.filter((pl.col("branche") == "vieillesse") & (pl.col("poste") == "prestations.aspa")).height
    # The ledger: the ASPA advanced for the FSV is a claim on it in the retraite branch, not a charge.
    p = run.Parametres(2025, Decimal("0.00002"), 1368, SEED)
    books = {(line.branche, line.compte): line.montant_cents for entry in run.entries(found, p, "essai") for line in entry.lignes
             if entry.date_operation.month == 12}
    aspa = int(found.filter((pl.col("poste") == "prestations.aspa") & (pl.col("mois") == DECEMBRE))["montant_cents"].sum())
    assert books[("retraite", "simulation.creances.fsv.aspa")] == aspa > 0
    assert ("retraite", "simulation.charges.prestations.aspa") not in books


@pytest.fixture(scope="module")
def grand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth-retraite-comptes") / "ds"
    synthesize(out, 40_000, seed=SEED, annee=2025, partition_size=40_000)
    return out


def test_the_year_lands_near_the_cnav_s_published_figures(grand: Path) -> None:
    # CNAV, chiffres clés 2024 (calibration.yaml, retraite.cibles): 866 € a month served on average at the end of 2024
    # (droit propre, réversion and minimum vieillesse), about 848 € for the droit propre (calcul); 34,9 % of the
    # retirees of droit direct at the minimum contributif (CNAV, statistiques, 31 December 2020).
    partition = jobs.partition(grand, 0, DECEMBRE, SEED, memo=False)
    liquidated = comptes.pensions_liquidees(retraites.retraites(partition.personnes, 2024, SEED))
    december = comptes.pensions_du_mois(liquidated, [date(2024, 12, 1)])
    mean = int(december["pension_mensuelle_revalorisee"].mean()) / 100  # type: ignore[arg-type]
    assert mean == pytest.approx(848, rel=0.10)
    assert float(liquidated["minimum_contributif"].mean()) == pytest.approx(0.349, abs=0.07)  # type: ignore[arg-type]


def test_the_analyst_s_table_by_generation_hides_small_cells(dataset: Path) -> None:
    table = comptes.pensions_par_generation(dataset, 2025, SEED, DECEMBRE)
    retirees = pl.concat([retraites.retraites(pl.read_parquet(jobs.partition_path(dataset, "personnes", k)), 2025, SEED) for k in (0, 1)])
    alive = retirees.filter(pl.col("date_deces").is_null() | (pl.col("date_deces") >= DECEMBRE))
    cells = table.filter(pl.col("generation") != "ensemble")
    shown, hidden = cells.filter(~pl.col("secret")), cells.filter(pl.col("secret"))
    assert hidden.height >= 1  # about 290 retirees: the oldest generations hold fewer than 11
    assert hidden["effectif"].null_count() == hidden.height and hidden["pension_moyenne"].null_count() == hidden.height
    assert shown["effectif"].min() >= 11  # secret_statistique.seuil
    # Each generation shown counts its retirees; the total is theirs only (with the hidden ones, a subtraction would show them).
    by_generation = alive.group_by((pl.col("date_naissance").dt.year() // 5 * 5).alias("debut")).len()
    assert dict(shown.select("debut", "effectif").iter_rows()) == {d: n for d, n in by_generation.iter_rows() if d in set(shown["debut"])}
    total = table.filter(pl.col("generation") == "ensemble")
    assert int(total["effectif"][0]) == int(shown["effectif"].sum()) < alive.height
