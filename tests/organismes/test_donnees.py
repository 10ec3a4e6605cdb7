"""The organisms as data: integrity of the shipped files and the counts we confirmed."""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from importlib import resources

import pytest

from secu.core.errors import NotFound
from secu.organismes import BRANCHES, TYPES, Organisme, all_organismes, get_organisme
from secu.organismes.territoire import all_departements

DEPS = [d.code for d in all_departements()]
METRO = [d for d in DEPS if len(d) == 2]
IDF = ["75", "77", "78", "91", "92", "93", "94", "95"]


def of_type(type_: str) -> list[Organisme]:
    return [o for o in all_organismes() if o.type == type_]


def test_codes_are_unique_short_and_typed() -> None:
    codes = [o.code for o in all_organismes()]
    assert len(codes) == len(set(codes))
    assert all(0 < len(c) <= 20 for c in codes)  # Rattachement.organisme_code is String(20)
    for o in all_organismes():
        assert o.type in TYPES
        assert o.branches and o.branches <= set(BRANCHES)
        assert o.departements and set(o.departements) <= set(DEPS)
        assert o.source.strip()
        assert isinstance(o.branches, frozenset)


def test_organisme_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_organisme("CNAM").nom = "x"  # type: ignore[misc]


def test_get_organisme() -> None:
    assert get_organisme("CPAM-75").nom == "CPAM de Paris"
    with pytest.raises(NotFound) as caught:
        get_organisme("CPAM-20")
    assert caught.value.message == "organisme inconnu : CPAM-20"


def test_counts_per_type() -> None:
    counts = Counter(o.type for o in all_organismes())
    # ameli « Un réseau de proximité » announces 102 CPAM. We hold 101: one per metropolitan
    # département but Lozère (95), plus 3 more in Nord (Flandres, Hainaut, Lille-Douai,
    # Roubaix-Tourcoing), 1 more in Pas-de-Calais (Artois, Côte d'Opale), Seine-Maritime
    # (Rouen-Elbeuf-Dieppe, Le Havre) and Pyrénées-Atlantiques (Bayonne, Pau). The 102nd is,
    # by our reading, the CCSS de la Lozère, which does the CPAM's work (not confirmed).
    assert counts["CPAM"] == 101
    # caf.fr « Qui sommes-nous » (2022): « réseau des 101 Caf ». We hold 99 CAF (one per
    # département but Lozère and Mayotte); the CCSS (48) and the CSSM (976) make 101.
    assert counts["CAF"] == 99
    # Wikipédia FR « Caisse d'assurance retraite et de la santé au travail » (2022): 15 Carsat.
    assert counts["CARSAT"] == 15
    # DSN table of the organismes de protection sociale (Fibre44/dsn-parser ops.js): 35 distinct
    # DMSAxx codes of metropolitan MSA caisses; msa.fr also speaks of 35 caisses.
    assert counts["MSA"] == 35
    # 22 Urssaf régionales in 2014 (legisocial.fr 2011, snfocos.org 2020); the two Normandy
    # ones merged (« URSSAF Normandie » in the DSN table): 21.
    assert counts["URSSAF"] == 21
    # CGSS in 971, 972, 973, 974 (CSS L752-1; DSN table); one CSSM; one CCSS (Lozère).
    assert (counts["CGSS"], counts["CSSM"], counts["CCSS"]) == (4, 1, 1)
    # DRSM aligned on the 2016 régions (PACA and Corse together) + Antilles-Guyane + La Réunion:
    # 14, UNVERIFIED.
    assert counts["DRSM"] == 14
    for national in ("CNAM", "CNAV", "CNAF", "URSSAF_CN", "CNSA", "CCMSA", "CRAMIF"):
        assert counts[national] == 1


def test_national_caisses_cover_every_departement() -> None:
    for code in ("CNAM", "CNAF", "URSSAF-CN", "CNSA", "CCMSA"):
        o = get_organisme(code)
        assert o.national and list(o.departements) == DEPS
    cnav = get_organisme("CNAV")
    assert cnav.national and set(cnav.departements) == set(IDF)


def test_one_caf_per_departement_but_lozere_and_mayotte() -> None:
    cafs = of_type("CAF")
    assert all(len(o.departements) == 1 for o in cafs)
    assert sorted(o.departements[0] for o in cafs) == sorted(set(DEPS) - {"48", "976"})


def test_each_metropolitan_departement_has_one_carsat_or_is_in_ile_de_france() -> None:
    seen = Counter(d for o in of_type("CARSAT") for d in o.departements)
    assert set(seen) == set(METRO) - set(IDF)
    assert set(seen.values()) == {1}
    assert set(get_organisme("CRAMIF").departements) == set(IDF)


def test_each_metropolitan_departement_has_one_urssaf_but_lozere() -> None:
    seen = Counter(d for o in of_type("URSSAF") for d in o.departements)
    assert set(seen) == set(METRO) - {"48"}
    assert set(seen.values()) == {1}


def test_each_metropolitan_departement_has_one_msa_and_overseas_none() -> None:
    seen = Counter(d for o in of_type("MSA") for d in o.departements)
    assert set(seen) == set(METRO)
    assert set(seen.values()) == {1}
    assert {o.code_externe for o in of_type("MSA")} == {f"DMSA{o.code[4:]}" for o in of_type("MSA")}


def test_each_departement_has_one_drsm() -> None:
    seen = Counter(d for o in of_type("DRSM") for d in o.departements)
    assert set(seen) == set(DEPS)
    assert set(seen.values()) == {1}


def test_cpam_territories() -> None:
    seen = Counter(d for o in of_type("CPAM") for d in o.departements)
    assert set(seen) == set(METRO) - {"48"}
    shared = {d for d, n in seen.items() if n > 1}
    assert shared == {"40", "59", "62", "64", "76"}
    assert seen["59"] == 4 and seen["62"] == 2 and seen["64"] == 2 and seen["76"] == 2


def test_shared_cpam_communes_table() -> None:
    text = resources.files("secu.organismes").joinpath("data/communes.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert {r["departement"] for r in rows} == {"40", "59", "62", "64", "76"}
    assert len({r["commune"] for r in rows}) == len(rows)
    for r in rows:
        o = get_organisme(r["organisme"])
        assert o.type == "CPAM" and r["departement"] in o.departements and r["commune"] in o.communes
        assert r["regle"]
    current = Counter(r["departement"] for r in rows if r["nature"] == "commune")
    # communes actuelles of the COG copy used (decoupage-administratif 6.0.0)
    assert current == {"59": 647, "62": 887, "64": 545, "76": 707, "40": 327}


def test_couvre() -> None:
    bayonne = get_organisme("CPAM-64-BAYONNE")
    assert bayonne.couvre("64") and bayonne.couvre("40")
    assert bayonne.couvre("40", "40312")  # Tarnos, Seignanx
    assert not bayonne.couvre("40", "40192")  # Mont-de-Marsan
    assert not bayonne.couvre("33")
    assert get_organisme("CNSA").couvre("976")
    assert get_organisme("CPAM-75").couvre("75", "75111")
