"""The one table from the ledger's accounts to the CCSS lines (data/correspondance.yaml): every account the branches
post has its line. A posted ledger (the demo's) is walked by tests/web/test_analyste_comptes.py."""

from __future__ import annotations

import pytest

from secu.batch.jobs import CHARGE, PRODUIT
from secu.especes.comptes import POSTES
from secu.especes.rules import RISQUES
from secu.famille.rules import PRESTATIONS
from secu.pilotage.comptes import correspondance, parse_correspondance
from secu.recouvrement.comptes import RECIPIENTS


def _posted() -> dict[str, tuple[str, str | None]]:
    """Every account the posting code writes (secu/*/paiement.py, service.py, intake, financement, simulation.run),
    with the class and line it must get."""
    prestations_legales = ("charge", "prestations_legales")
    accounts = {
        "charges.prestations.soins": prestations_legales, "charges.prestations.participations_assures": prestations_legales,
        "charges.prestations.capital_deces": prestations_legales, "charges.prestations.invalidite": prestations_legales,
        "charges.concours.apa": ("charge", "transferts"), "charges.concours.pch": ("charge", "transferts"),
        "produits.cotisations": ("produit", "cotisations"), "produits.csg": ("produit", "csg"),
        "produits.majorations": ("produit", "autres"),
        "departement.75.charges.apa_domicile": ("hors_perimetre", None), "departement.75.tresorerie.virements_emis": ("hors_perimetre", None),
        "departement.75.produits.concours_cnsa": ("hors_perimetre", None), "departement.2A.charges.pch": ("hors_perimetre", None),
        "creances.assures.participations": ("bilan", None), "creances.cotisants": ("bilan", None), "creances.etat.aah": ("bilan", None),
        "creances.allocataires.indus": ("bilan", None), "dettes.allocataires": ("bilan", None),
        "tresorerie.virements_emis": ("bilan", None), "tresorerie.encaissements": ("bilan", None), "tresorerie.compte_courant": ("bilan", None),
        **{f"dettes.prestations.{payee}": ("bilan", None) for payee in ("assures", "professionnels", "employeurs")},
        **{f"dettes.attributaires.{who}": ("bilan", None) for who in ("csg", "cades", "cnsa", "csg.unedic", "csg.cades", *RECIPIENTS)},
        **{f"charges.prestations.ij.{risque}": prestations_legales for risque in RISQUES},
        **{f"charges.prestations.{p}": prestations_legales for p in PRESTATIONS if p != "aah"},
    }
    # the simulated year: charges.<poste> / produits.<poste> of each branch, prefixed (simulation.run)
    simulated = {"charges.soins.rembourse": prestations_legales, "charges.soins.rejete": prestations_legales,
                 "produits.csa": ("produit", "itaf"),
                 **{f"charges.prestations.{poste}": prestations_legales for _, poste in POSTES.values()}}
    accounts.update({"simulation." + name: line for name, line in {**accounts, **simulated}.items()})
    return accounts


@pytest.mark.parametrize(("compte", "attendu"), sorted(_posted().items()))
def test_every_account_the_branches_post_has_its_line(compte: str, attendu: tuple[str, str | None]) -> None:
    regle = correspondance().classer(compte)
    assert regle is not None, f"{compte} n'a pas de ligne dans correspondance.yaml"
    assert (regle.classe, regle.ligne) == attendu


def test_the_risk_of_a_benefit_outside_its_branch_is_named() -> None:
    table = correspondance()
    assert [table.classer(f"charges.prestations.ij.{r}").risque for r in ("maternite", "paternite", "adoption", "maladie")] == \
        ["maternite", "maternite", "maternite", None]
    assert table.classer("simulation.charges.prestations.ij_maternite").risque == "maternite"  # type: ignore[union-attr]
    assert table.classer("charges.prestations.invalidite").risque == "invalidite"  # type: ignore[union-attr]


def test_an_account_nobody_mapped_is_not_classed_and_the_constants_of_the_posting_code_are_the_ones_tested() -> None:
    assert correspondance().classer("charges.inconnues.x") is None
    assert CHARGE != PRODUIT and "af" in PRESTATIONS and "maternite" in RISQUES


def test_the_table_is_checked_on_load() -> None:
    base = {"lignes": {"charge": {"prestations_legales": "x"}, "produit": {"cotisations": "y"}}, "risques": {"maladie": "m"}}
    with pytest.raises(ValueError, match="ligne 'transferts' inconnue"):
        parse_correspondance({**base, "comptes": [{"motif": "charges.*", "classe": "charge", "ligne": "transferts"}]})
    with pytest.raises(ValueError, match="classe 'perte'"):
        parse_correspondance({**base, "comptes": [{"motif": "charges.*", "classe": "perte"}]})
    with pytest.raises(ValueError, match="risque"):
        parse_correspondance({**base, "comptes": [{"motif": "produits.*", "classe": "produit", "ligne": "cotisations", "risque": "maladie"}]})
