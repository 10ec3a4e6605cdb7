"""The household JSON of the CLI → frames, and its refusals (French, naming the field)."""

from __future__ import annotations

from datetime import date

import pytest

from secu.core.errors import InvalidField
from secu.famille.foyer import frames

MOIS = [date(2025, 5, 1)]
BASE = {"parents": ["1985-03-01", "1987-07-01"], "enfants": [{"date_naissance": "2012-05-01"}], "ressources_n2": 40000}


def test_frames_from_json_text():
    f, e = frames('{"parents": ["1985-03-01"], "enfants": [{"date_naissance": "2012-05-01", "salaire_net_mensuel": "12.5"}],'
                  ' "ressources_n2": 40000.10, "aah": {"taux_incapacite": 80}}', MOIS)
    assert f.row(0, named=True)["nb_parents"] == 1 and f["ressources_n2"][0] == 4000010
    assert f["aah_taux_incapacite"][0] == 80
    assert e["salaire_net_mensuel"][0] == 1250 and e["scolarise"][0] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parents": []}, "parents"),
        ({"parents": ["1980-01-01", "1981-01-01", "1982-01-01"]}, "parents"),
        ({"parents": ["1980-13-01"]}, "parents[0]"),
        ({"ressources_n2": -1}, "ressources_n2"),
        ({"enfants": [{"date_naissance": "2025-06-02"}]}, "enfants[0].date_naissance"),
        ({"enfants": [{"date_naissance": "2012/05/01"}]}, "enfants[0].date_naissance"),
        ({"enfants": [{"date_naissance": "2012-05-01", "asf": 3}]}, "enfants[0].asf"),
        ({"aah": {"ressources_n2": "-5"}}, "aah.ressources_n2"),
    ],
)
def test_refusals_name_the_field(change, field):
    with pytest.raises(InvalidField) as err:
        frames({**BASE, **change}, MOIS)
    assert err.value.field == field


def test_a_child_born_during_the_period_appears_from_his_month():
    f, e = frames({**BASE, "enfants": [{"date_naissance": "2025-06-15"}]}, [date(2025, 5, 1), date(2025, 6, 1)])
    assert f.height == 2 and e["mois"].to_list() == [date(2025, 6, 1)]
