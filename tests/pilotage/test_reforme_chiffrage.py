"""`secu simulate --reforme`: the baseline and the reform on the same synthetic France, the deltas and the households."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from secu.cli import app
from secu.core.money import div_half_up

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCALE = "0.00002"  # 1 368 people: 68 400 000 / 1 368 = 50 000 people of France for one simulated


def _simulate(out: Path, reforme: Path, *args: str) -> dict:
    result = runner.invoke(app, ["simulate", "--year", "2025", "--scale", SCALE, "--seed", "5", "--workers", "1", "--out", str(out),
                                 "--database", f"sqlite:///{out.parent / 'secu.db'}", "--reforme", str(reforme), *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else {"sortie": result.stdout}


@pytest.fixture(scope="module")
def annee(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """One baseline, two reforms on it (the second run resumes the baseline's dataset and accounts)."""
    out = tmp_path_factory.mktemp("reforme") / "2025"
    af = _simulate(out, EXAMPLES / "reforme-sans-majoration-age.yaml", "--json")
    csg = _simulate(out, EXAMPLES / "reforme-csg-activite-plus-un-point.yaml", "--json")
    return out, af, csg


def _comptes(out: Path, cle: str | None = None) -> pl.DataFrame:
    folder = out / "comptes" if cle is None else out / "reformes" / cle / "comptes"
    return pl.read_parquet(folder / "**" / "*.parquet")


def _poste(comptes: pl.DataFrame, branche: str, sens: str, poste: str | None = None) -> int:
    rows = comptes.filter((pl.col("branche") == branche) & (pl.col("sens") == sens))
    if poste is not None:
        rows = rows.filter(pl.col("poste") == poste)
    return int(rows["montant_cents"].sum())


def test_without_the_majoration_only_the_famille_branch_pays_less(annee: tuple[Path, dict, dict]) -> None:
    out, doc, _ = annee
    r = doc["reforme"]
    assert r["debut"] == "2025-01-01" and [p["parametre"] for p in r["parametres"]] == ["af.tranche"]
    famille = r["delta"]["famille"]
    assert famille["depenses"] < 0 and famille["recettes"] == 0 and famille["solde"] == -famille["depenses"]
    for branche in ("maladie", "atmp", "vieillesse", "autonomie"):
        assert (r["delta"][branche]["recettes"], r["delta"][branche]["depenses"]) == (0, 0), branche
    # Euros of France: the sample's cents × 50 000, to the euro.
    assert famille["depenses"] == div_half_up(famille["simule"]["depenses_cents"] * 50_000, 100)
    # The baseline is the simulated year itself, unchanged by the reform's run.
    assert doc["branches"]["famille"]["simule"]["depenses_cents"] == _poste(_comptes(out), "famille", "charge")
    reform = _comptes(out, r["cle"])
    assert famille["simule"]["depenses_cents"] == _poste(reform, "famille", "charge") - _poste(_comptes(out), "famille", "charge")


def test_the_households_lose_what_the_branch_saves(annee: tuple[Path, dict, dict]) -> None:
    out, doc, _ = annee
    r = doc["reforme"]
    menages = pl.read_parquet(out / "reformes" / r["cle"] / "menages.parquet")
    gained = (menages["prestations_reforme_cents"] - menages["prestations_base_cents"]).sum()
    # Benefits net of CRDS: the branch's gross Δ less the CRDS the CADES no longer withholds on it.
    assert gained == r["delta"]["famille"]["simule"]["depenses_cents"] - r["delta"]["cades"]["simule"]["recettes_cents"]
    assert (menages["prelevements_reforme_cents"] == menages["prelevements_base_cents"]).all()
    deciles = r["deciles"]
    assert [d["decile"] for d in deciles] == list(range(1, 11))
    assert sum(d["personnes"] for d in deciles) == r["personnes_concernees"]["personnes"] == int(menages["personnes"].sum())
    # A cut makes no winner; the losers are families (two children at least: the AF).
    assert all(d["gagnants"] == 0 for d in deciles) and r["personnes_concernees"]["perdants"] > 0
    losers = {t["type_menage"]: t["perdants"] for t in r["types_menage"]}
    assert losers["personne_seule"] == losers["couple_sans_enfant"] == 0
    assert losers["couple_3_plus"] > 0
    # Deciles of persons: each holds about a tenth of them (a household is never split).
    total = r["personnes_concernees"]["personnes"]
    assert all(abs(d["personnes"] - total / 10) <= 12 for d in deciles)
    assert all(deciles[i]["niveau_de_vie_max"] <= deciles[i + 1]["niveau_de_vie_min"] for i in range(9))


def test_one_more_point_of_csg_goes_to_maladie_and_every_wage_earner_pays_it(annee: tuple[Path, dict, dict]) -> None:
    out, _, doc = annee
    r = doc["reforme"]
    base, reform = _comptes(out), _comptes(out, r["cle"])
    csg_base = sum(_poste(base, b, "produit", "csg") for b in ("maladie", "famille", "autonomie", "unedic", "cades"))
    # CSS L. 136-8: 9,2 % → 10,2 % of the same base, the point to the CNAM: its CSG grows by 1/9,2 of the CSG collected
    # (to the cents of each payslip's split), the other recipients' shares unchanged.
    delta_maladie = _poste(reform, "maladie", "produit", "csg") - _poste(base, "maladie", "produit", "csg")
    assert delta_maladie == pytest.approx(csg_base / 9.2, rel=1e-4)
    assert r["delta"]["maladie"]["simule"]["recettes_cents"] == delta_maladie
    for other in ("famille", "autonomie"):
        assert abs(_poste(reform, other, "produit", "csg") - _poste(base, other, "produit", "csg")) <= 12 * 2 * 1_368, other
    assert all(d["gagnants"] == 0 for d in r["deciles"]) and r["personnes_concernees"]["perdants"] > 0
    menages = pl.read_parquet(out / "reformes" / r["cle"] / "menages.parquet")
    assert (menages["prelevements_reforme_cents"] >= menages["prelevements_base_cents"]).all()


def test_the_table_names_the_reform_and_its_deciles(annee: tuple[Path, dict, dict]) -> None:
    out, _, _ = annee
    sortie = _simulate(out, EXAMPLES / "reforme-sans-majoration-age.yaml")["sortie"]
    for text in ("Réforme : Suppression de la majoration pour âge", "Par décile de niveau de vie", "Par type de ménage", "Famille"):
        assert text in sortie, text


@pytest.mark.parametrize(("contenu", "words"), [
    ("titre: Essai\nparametres:\n  af.tranch:\n    values: []\n", ["parametres.af.tranch", "paramètre inconnu", "af.tranche"]),
    ("titre: Essai\nparametres:\n  bmaf:\n    values:\n      - {date_effet: 2025-01-01, value: douze, reference: x, statut: non-verifie}\n",
     ["parametres.bmaf", "n'est pas un nombre"]),
])
def test_a_bad_reform_exits_2_before_anything_runs(tmp_path: Path, contenu: str, words: list[str]) -> None:
    fichier = tmp_path / "reforme.yaml"
    fichier.write_text(contenu, encoding="utf-8")
    out = tmp_path / "sim"
    result = runner.invoke(app, ["simulate", "--year", "2025", "--scale", SCALE, "--out", str(out), "--reforme", str(fichier)])
    assert result.exit_code == 2
    for word in words:
        assert word in result.output, result.output
    assert not out.exists()


def test_a_missing_reform_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "--year", "2025", "--scale", SCALE, "--reforme", str(tmp_path / "absente.yaml")])
    assert result.exit_code == 2 and "introuvable" in result.output
