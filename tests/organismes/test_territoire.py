"""The 101 départements and the validation of département and commune codes."""

from __future__ import annotations

import pytest

from secu.core.errors import InvalidField, NotFound
from secu.organismes.territoire import (
    COLLECTIVITES_HORS_CHAMP,
    all_departements,
    departement,
    validate_commune,
    validate_departement,
)

EXPECTED = (
    [f"{n:02d}" for n in range(1, 20)]
    + ["2A", "2B"]
    + [f"{n:02d}" for n in range(21, 96)]
    + ["971", "972", "973", "974", "976"]
)


def test_the_101_departements_in_cog_order() -> None:
    codes = [d.code for d in all_departements()]
    assert codes == EXPECTED
    assert len(codes) == 101


def test_regions_are_the_2016_map() -> None:
    regions = {d.region for d in all_departements() if not d.outre_mer}
    assert len(regions) == 13  # 13 metropolitan régions since 2016 (loi 2015-29)
    assert departement("2A").region == "Corse" and departement("2B").nom == "Haute-Corse"
    assert departement("59").region == "Hauts-de-France"
    assert departement("67").region == "Grand Est"
    assert departement("974").nom == "La Réunion" and departement("974").region == "La Réunion"
    assert departement("976").region == "Mayotte"
    assert [d.code for d in all_departements() if d.outre_mer] == ["971", "972", "973", "974", "976"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", "01"), ("01", "01"), ("9", "09"), (" 75 ", "75"), ("2a", "2A"), ("2B", "2B"), (" 2b", "2B"), ("971", "971"), ("976", "976")],
)
def test_normalisation(raw: str, expected: str) -> None:
    assert validate_departement(raw) == expected


def test_20_is_refused_with_the_corsican_codes() -> None:
    with pytest.raises(InvalidField) as caught:
        validate_departement("20")
    assert caught.value.field == "departement"
    assert "2A" in caught.value.message and "2B" in caught.value.message and "Corse" in caught.value.message


@pytest.mark.parametrize("code", ["975", "977", "978", "986", "987", "988"])
def test_collectivites_d_outre_mer_are_refused(code: str) -> None:
    with pytest.raises(InvalidField) as caught:
        validate_departement(code)
    assert "collectivité d'outre-mer" in caught.value.message
    assert COLLECTIVITES_HORS_CHAMP[code] in caught.value.message


@pytest.mark.parametrize("code", ["99", "00", "96", "970", "A1", "", "abc", "2C", "100"])
def test_unknown_departements(code: str) -> None:
    with pytest.raises(InvalidField) as caught:
        validate_departement(code)
    assert caught.value.field == "departement"
    assert caught.value.message.startswith("département inconnu")


def test_the_field_name_is_the_callers() -> None:
    with pytest.raises(InvalidField) as caught:
        validate_departement("99", field="departement_naissance")
    assert caught.value.field == "departement_naissance"
    assert str(caught.value) == "departement_naissance : département inconnu : 99"


def test_departement_lookup_of_an_unknown_code_is_not_found() -> None:
    with pytest.raises(NotFound):
        departement("99")


@pytest.mark.parametrize(("raw", "expected"), [("59350", "59350"), ("2a004", "2A004"), (" 97411 ", "97411")])
def test_commune_codes(raw: str, expected: str) -> None:
    assert validate_commune(raw) == expected


@pytest.mark.parametrize("raw", ["5935", "593500", "Lille", "2C004", ""])
def test_bad_commune_codes(raw: str) -> None:
    with pytest.raises(InvalidField) as caught:
        validate_commune(raw)
    assert caught.value.field == "commune"


def test_commune_outside_its_departement() -> None:
    assert validate_commune("59350", "59") == "59350"
    with pytest.raises(InvalidField, match="pas dans le département 62"):
        validate_commune("59350", "62")
