"""The public parameters route serves every value as exact decimal text: numbers, tables and barèmes."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _valeur(app, nom: str, jour: str):  # type: ignore[no-untyped-def]
    response = TestClient(app).get(f"/api/parametres/{nom}", params={"date": jour})
    assert response.status_code == 200, response.text
    (valeur,) = response.json()["valeurs"]
    return valeur["valeur"]


def test_a_table_is_served_key_by_key_as_exact_decimal_text(app) -> None:  # type: ignore[no-untyped-def]
    # CSS D521-1 I 1° to 3° (32 %, 41 %, 16 %; halved, then halved again) and D521-2 I (20,234 %, 10,117 %, 5,059 %),
    # in force since 1 July 2015 (décret n° 2015-611).
    assert _valeur(app, "af.tranche", "2026-01-01") == {
        "1": {"deuxieme_enfant": "0.32", "enfant_suivant": "0.41", "majoration_age": "0.16", "forfait": "0.20234"},
        "2": {"deuxieme_enfant": "0.16", "enfant_suivant": "0.205", "majoration_age": "0.08", "forfait": "0.10117"},
        "3": {"deuxieme_enfant": "0.08", "enfant_suivant": "0.1025", "majoration_age": "0.04", "forfait": "0.05059"},
    }
    # CASF R232-10 (décret n° 2024-2): the plan d'aide's ceiling per GIR, in MTP.
    assert _valeur(app, "apa.plafond", "2026-01-01") == {"gir1": "1.615", "gir2": "1.306", "gir3": "0.944", "gir4": "0.630"}


def test_a_bareme_is_served_tranche_by_tranche(app) -> None:  # type: ignore[no-untyped-def]
    # Arrêté du 20 décembre 2019, art. 5 (CSS D553-1 III): nothing below 266 €, then 25 %, 35 %, 45 % and 60 %.
    assert _valeur(app, "recouvrement_indus.bareme", "2020-06-01") == [
        {"seuil": "0", "taux": "0"}, {"seuil": "266", "taux": "0.25"}, {"seuil": "397", "taux": "0.35"},
        {"seuil": "594", "taux": "0.45"}, {"seuil": "793", "taux": "0.60"},
    ]


def test_a_scalar_is_still_its_exact_decimal_text(app) -> None:  # type: ignore[no-untyped-def]
    assert _valeur(app, "smic.horaire", "2026-01-01") == "12.02"  # décret n° 2025-1228: 12,02 € from 1 January 2026
