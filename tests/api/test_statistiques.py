"""Secret statistique: the rule on a frame of cells (hand-built counts around the threshold), then over HTTP."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from secu.core.errors import NotFound
from secu.statistiques.rules import secret_statistique, seuil

ON = date(2026, 6, 1)


def test_the_threshold_is_eleven_the_rule_of_health_data() -> None:
    # « Aucune case de moins de 11 » (ATIH/ScanSanté at the CNIL's request; CASD guide § 5.23): see the YAML.
    assert seuil(ON) == 11


def test_cells_of_one_to_ten_persons_are_hidden_with_what_they_add_up() -> None:
    cells = pl.DataFrame({
        "cellule": ["vide", "un", "dix", "onze", "mille"],
        "effectif": [0, 1, 10, 11, 1000],
        "montant_cents": [0, 186_049, 5_000_000, 6_000_000, 9_000_000],
        "date": [ON] * 5,
    })
    out = secret_statistique(cells, masquer=["montant_cents"])
    assert out.columns == ["cellule", "effectif", "montant_cents", "date", "secret"]
    assert out.select("cellule", "effectif", "montant_cents", "secret").rows() == [
        ("vide", 0, 0, False),  # an empty cell singles out no one
        ("un", None, None, True),
        ("dix", None, None, True),  # shown by secu before (threshold 10 in code), hidden now
        ("onze", 11, 6_000_000, False),
        ("mille", 1000, 9_000_000, False),
    ]


def test_lazy_and_empty_frames_and_a_date_before_the_rule() -> None:
    empty = pl.DataFrame(schema={"effectif": pl.Int64, "date": pl.Date})
    assert secret_statistique(empty).height == 0
    lazy = secret_statistique(pl.LazyFrame({"effectif": [3], "date": [ON]}))
    assert lazy.collect().rows() == [(None, ON, True)]
    with pytest.raises(NotFound):
        secret_statistique(pl.DataFrame({"effectif": [3], "date": [date(2010, 1, 1)]}))


def test_population_over_http_hides_the_small_cells_and_totals(world) -> None:  # type: ignore[no-untyped-def]
    body = world.client.get("/api/statistiques/population", headers=world.as_("analyste")).json()
    assert body["seuil_secret"] == 11
    # Three persons in the répertoire of the test world (two covered, one in ALD): every figure is hidden.
    assert (body["total"], body["couverts"], body["en_ald"]) == (None, None, None)
    assert body["cellules"] and all(c["secret"] and c["effectif"] is None for c in body["cellules"])
    rows = world.client.get("/api/statistiques/organismes", headers=world.as_("analyste")).json()
    assert rows and all(r["secret"] and r["effectif"] is None for r in rows)
