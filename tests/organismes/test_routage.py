"""route(): every département × branche, the special territories, shared départements, refusals."""

from __future__ import annotations

import pytest

from secu.core.errors import InvalidField
from secu.organismes import BRANCHES, get_organisme, route
from secu.organismes.territoire import all_departements

DEPS = [d.code for d in all_departements()]
IDF = {"75", "77", "78", "91", "92", "93", "94", "95"}
CGSS = {"971", "972", "973", "974"}
# A commune for each département where several CPAM share the territory (its préfecture).
COMMUNE = {"59": "59350", "62": "62041", "64": "64445", "76": "76540", "40": "40192"}


def expected_type(dep: str, branche: str, regime: str) -> str:
    """The routing table of the brief, written independently of secu.organismes.ROUTAGE."""
    if branche == "autonomie":
        return "CNSA"
    if dep == "976":
        return "CSSM"
    if regime == "agricole":
        if dep in CGSS:
            return "CAF" if branche == "famille" else "CGSS"
        return "MSA"
    if dep in CGSS:
        return "CAF" if branche == "famille" else "CGSS"
    if branche == "maladie":
        return "CCSS" if dep == "48" else "CPAM"
    if branche == "famille":
        return "CCSS" if dep == "48" else "CAF"
    if branche == "recouvrement":
        return "CCSS" if dep == "48" else "URSSAF"
    if branche == "retraite":
        return "CNAV" if dep in IDF else "CARSAT"
    if branche == "atmp":
        return "CRAMIF" if dep in IDF else "CARSAT"
    raise AssertionError(branche)


@pytest.mark.parametrize("regime", ["general", "agricole"])
@pytest.mark.parametrize("branche", BRANCHES)
def test_every_departement_routes_to_one_organism_of_the_right_type(branche: str, regime: str) -> None:
    for dep in DEPS:
        commune = COMMUNE.get(dep)
        o = route(dep, branche, commune=commune, regime=regime)
        assert o.type == expected_type(dep, branche, regime), (dep, branche, regime, o.code)
        assert branche in o.branches
        assert dep in o.departements and o.couvre(dep, commune)
        assert o is get_organisme(o.code)


@pytest.mark.parametrize(
    ("dep", "branche", "code"),
    [
        ("2A", "maladie", "CPAM-2A"), ("2B", "maladie", "CPAM-2B"),
        ("2A", "famille", "CAF-2A"), ("2B", "famille", "CAF-2B"),
        ("2A", "retraite", "CARSAT-SUD-EST"), ("2B", "atmp", "CARSAT-SUD-EST"),
        ("2A", "recouvrement", "URSSAF-CORSE"), ("2B", "recouvrement", "URSSAF-CORSE"),
        ("2a", "autonomie", "CNSA"),
    ],
)
def test_corsica(dep: str, branche: str, code: str) -> None:
    assert route(dep, branche).code == code


@pytest.mark.parametrize("dep", sorted(CGSS))
def test_overseas_cgss(dep: str) -> None:
    for branche in ("maladie", "atmp", "retraite", "recouvrement"):
        assert route(dep, branche).code == f"CGSS-{dep}"
    assert route(dep, "famille").code == f"CAF-{dep}"
    assert route(dep, "autonomie").code == "CNSA"


def test_mayotte_cssm() -> None:
    for branche in ("maladie", "atmp", "famille", "retraite", "recouvrement"):
        assert route("976", branche).code == "CSSM-976"
        assert route("976", branche, regime="agricole").code == "CSSM-976"
    assert route("976", "maladie", commune="97611").nom == "Caisse de sécurité sociale de Mayotte"


def test_lozere_ccss() -> None:
    for branche in ("maladie", "famille", "recouvrement"):
        assert route("48", branche).code == "CCSS-48"
    assert route("48", "retraite").code == "CARSAT-LR"
    assert route("48", "atmp").code == "CARSAT-LR"


@pytest.mark.parametrize("dep", sorted(IDF))
def test_ile_de_france(dep: str) -> None:
    assert route(dep, "retraite").code == "CNAV"
    assert route(dep, "atmp").code == "CRAMIF"
    assert route(dep, "recouvrement").code == "URSSAF-IDF"
    assert route(dep, "maladie").code == f"CPAM-{dep}"


@pytest.mark.parametrize(
    ("dep", "commune", "code"),
    [
        ("59", "59350", "CPAM-59-LILLE-DOUAI"),  # Lille
        ("59", "59178", "CPAM-59-LILLE-DOUAI"),  # Douai
        ("59", "59512", "CPAM-59-ROUBAIX"),  # Roubaix
        ("59", "59599", "CPAM-59-ROUBAIX"),  # Tourcoing
        ("59", "59183", "CPAM-59-FLANDRES"),  # Dunkerque
        ("59", "59248", "CPAM-59-FLANDRES"),  # a former code now part of Dunkerque
        ("59", "59017", "CPAM-59-FLANDRES"),  # Armentières
        ("59", "59606", "CPAM-59-HAINAUT"),  # Valenciennes
        ("59", "59122", "CPAM-59-HAINAUT"),  # Cambrai
        ("59", "59392", "CPAM-59-HAINAUT"),  # Maubeuge
        ("62", "62041", "CPAM-62-ARTOIS"),  # Arras
        ("62", "62498", "CPAM-62-ARTOIS"),  # Lens
        ("62", "62193", "CPAM-62-OPALE"),  # Calais
        ("62", "62160", "CPAM-62-OPALE"),  # Boulogne-sur-Mer
        ("76", "76540", "CPAM-76-ROUEN"),  # Rouen
        ("76", "76217", "CPAM-76-ROUEN"),  # Dieppe
        ("76", "76351", "CPAM-76-LE-HAVRE"),  # Le Havre
        ("64", "64102", "CPAM-64-BAYONNE"),  # Bayonne
        ("64", "64445", "CPAM-64-PAU"),  # Pau
        ("64", "64371", "CPAM-64-PAU"),  # Mauléon-Licharre (Soule)
        ("40", "40312", "CPAM-64-BAYONNE"),  # Tarnos (Seignanx)
        ("40", "40192", "CPAM-40"),  # Mont-de-Marsan
    ],
)
def test_shared_departements_route_by_commune(dep: str, commune: str, code: str) -> None:
    assert route(dep, "maladie", commune=commune).code == code


@pytest.mark.parametrize("dep", ["59", "62", "64", "76", "40"])
def test_shared_departement_without_commune_is_refused(dep: str) -> None:
    with pytest.raises(InvalidField) as caught:
        route(dep, "maladie")
    assert caught.value.field == "commune"
    assert "plusieurs caisses" in caught.value.message and "indiquez la commune" in caught.value.message


def test_other_branches_of_a_shared_departement_need_no_commune() -> None:
    assert route("59", "famille").code == "CAF-59"
    assert route("59", "retraite").code == "CARSAT-HDF"
    assert route("62", "recouvrement").code == "URSSAF-NPDC"
    assert route("59", "maladie", regime="agricole").code == "MSA-59"


def test_commune_checks() -> None:
    with pytest.raises(InvalidField, match="pas dans le département 59") as caught:
        route("59", "maladie", commune="62041")
    assert caught.value.field == "commune"
    with pytest.raises(InvalidField, match="code commune invalide"):
        route("59", "maladie", commune="5935")
    with pytest.raises(InvalidField, match="pas dans le département 75"):
        route("75", "maladie", commune="13055")
    assert route("75", "maladie", commune="75111").code == "CPAM-75"  # arrondissement municipal
    assert route("2A", "maladie", commune="2a004").code == "CPAM-2A"
    assert route("59", "maladie", commune=" 59350 ").code == "CPAM-59-LILLE-DOUAI"


@pytest.mark.parametrize("dep", ["20", "99", "975", "977", "978", "", "0"])
def test_bad_departements(dep: str) -> None:
    with pytest.raises(InvalidField) as caught:
        route(dep, "maladie")
    assert caught.value.field == "departement"


def test_unknown_branche() -> None:
    with pytest.raises(InvalidField) as caught:
        route("75", "sante")
    assert caught.value.field == "branche"
    assert caught.value.message == (
        "branche inconnue : sante (attendu : maladie, atmp, famille, retraite, autonomie, recouvrement)"
    )


def test_unknown_regime() -> None:
    with pytest.raises(InvalidField) as caught:
        route("75", "maladie", regime="special")
    assert caught.value.field == "regime"
    assert caught.value.message == "régime inconnu : special (attendu : general, agricole)"


def test_lenient_spelling() -> None:
    assert route("1", "MALADIE").code == "CPAM-01"
    assert route("01", " Famille ", regime="Général").code == "CAF-01"


@pytest.mark.parametrize(
    ("dep", "code"),
    [
        ("01", "MSA-69"), ("69", "MSA-69"), ("59", "MSA-59"), ("62", "MSA-59"), ("2A", "MSA-20"), ("2B", "MSA-20"),
        ("75", "MSA-75"), ("93", "MSA-75"), ("48", "MSA-48"), ("40", "MSA-64"), ("64", "MSA-64"), ("55", "MSA-51"),
        ("57", "MSA-54"), ("67", "MSA-68"), ("29", "MSA-22"), ("56", "MSA-35"), ("33", "MSA-33"),
    ],
)
def test_msa_routing(dep: str, code: str) -> None:
    for branche in ("maladie", "atmp", "famille", "retraite", "recouvrement"):
        assert route(dep, branche, regime="agricole").code == code
    assert route(dep, "autonomie", regime="agricole").code == "CNSA"


def test_agricole_overseas() -> None:
    assert route("971", "maladie", regime="agricole").code == "CGSS-971"
    assert route("974", "recouvrement", regime="agricole").code == "CGSS-974"
    assert route("972", "famille", regime="agricole").code == "CAF-972"


def test_demo_residences_all_route() -> None:
    from secu.demo.population import RESIDENCES

    for dep, commune, _postal, _weight in RESIDENCES:
        for branche in BRANCHES:
            assert route(dep, branche, commune=commune).couvre(dep, commune)
