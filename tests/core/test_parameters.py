"""secu.core.parameters: the loaded model, the loader's refusals, the as-of join."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import polars as pl
import pytest

from secu.core.errors import InvalidField, NotFound, UnknownParameter
from secu.core.money import apply_rate_expr
from secu.core.parameters import (
    InvalidParameterFile,
    Parameter,
    Parameters,
    ParameterValue,
    format_value,
    join_parameters,
    load_parameters,
    parameters,
    read_yaml,
)

NBSP = "\u00a0"


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip(), encoding="utf-8")
    return path


GOOD = """
description: Un paramètre de test.
unit: eur
values:
  - date_effet: 2024-01-01
    value: 10.50
    reference: Décret n° 2023-1 du 1er décembre 2023, art. 1er
    statut: confirme
  - date_effet: 2025-01-01
    value: 11
    reference: Décret n° 2024-1 du 1er décembre 2024, art. 1er
    statut: confirme
"""


# --------------------------------------------------------------------------
# Exact decimals


def test_numbers_are_read_as_exact_decimals_never_floats() -> None:
    smic = parameters().get("smic.mensuel").at(date(2023, 1, 1))
    assert isinstance(smic.value, Decimal)
    assert smic.value == Decimal("1709.28")
    assert str(smic.value) == "1709.28"
    assert parameters().get("smic.horaire").at(date(2023, 1, 1)).value == Decimal("11.27")
    data = read_yaml("a: 1709.28\nb: 0.1\nc: 3\nd: '0.0525'\ne: 1747.20\n")
    assert data == {"a": Decimal("1709.28"), "b": Decimal("0.1"), "c": 3, "d": "0.0525", "e": Decimal("1747.20")}
    assert str(data["e"]) == "1747.20" and not any(isinstance(v, float) for v in data.values())


def test_yaml_duplicate_keys_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "commun/x.yaml", GOOD + "unit: taux\n")
    with pytest.raises(InvalidParameterFile, match="clé en double"):
        load_parameters(tmp_path)


# --------------------------------------------------------------------------
# The model


def test_at_returns_the_value_in_force_with_its_reference() -> None:
    smic = parameters().get("smic.horaire")
    value = smic.at(date(2026, 1, 15))
    assert value == ParameterValue(
        date(2026, 1, 1),
        Decimal("12.02"),
        "Décret n° 2025-1228 du 17 décembre 2025 portant relèvement du salaire minimum de croissance, art. 1er",
        None,
        "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000053042520",
    )
    assert smic.at(date(2025, 12, 31)).value == Decimal("11.88")
    assert smic.at(datetime(2026, 1, 1, 0, 0)).value == Decimal("12.02")


def test_at_before_the_first_value_raises_not_found_in_french() -> None:
    smic = parameters().get("smic.horaire")
    first = smic.values[0].date_effet
    with pytest.raises(NotFound) as caught:
        smic.at(first - timedelta(days=1))
    assert caught.value.message == f"aucune valeur de smic.horaire en vigueur le {first - timedelta(days=1):%d/%m/%Y}"
    assert smic.at(first).date_effet == first


def test_unknown_name_fails_loudly() -> None:
    with pytest.raises(UnknownParameter) as caught:
        parameters().get("smic.horair")
    assert caught.value.name == "smic.horair"
    assert "paramètre inconnu" in str(caught.value)
    assert isinstance(caught.value, KeyError)
    assert parameters().close_names("smic.horair")[0] == "smic.horaire"
    with pytest.raises(UnknownParameter):
        parameters()["nope"]


def test_parameters_collection_api() -> None:
    loaded = parameters()
    assert loaded is parameters()  # cached singleton
    names = loaded.names()
    assert {"smic.horaire", "smic.mensuel", "pss.annuel", "pss.mensuel", "bmaf"} <= set(names)
    assert list(names) == sorted(names)
    assert [p.name for p in loaded] == list(names)
    assert len(loaded) == len(names) and "bmaf" in loaded and "bmaf.x" not in loaded
    assert all(isinstance(p, Parameter) for p in loaded)
    smic = loaded.get("smic.horaire")
    assert smic.unit == "eur_par_heure" and smic.column == "smic_horaire" and smic.description
    with pytest.raises(AttributeError):
        smic.name = "autre"  # type: ignore[misc]
    assert isinstance(smic.values, tuple)


def test_names_come_from_the_path_below_the_domain(tmp_path: Path) -> None:
    write(tmp_path, "commun/smic/horaire.yaml", GOOD)
    write(tmp_path, "famille/bmaf.yaml", GOOD)
    write(tmp_path, "recouvrement/a/b/c.yaml", GOOD)
    (tmp_path / "README.md").write_text("pas un paramètre")
    (tmp_path / "cli.py").write_text("")
    assert load_parameters(tmp_path).names() == ("a.b.c", "bmaf", "smic.horaire")


def test_null_means_the_parameter_ceases_to_apply(tmp_path: Path) -> None:
    write(
        tmp_path,
        "commun/aide.yaml",
        """
        description: Aide supprimée puis rétablie.
        unit: eur
        values:
          - date_effet: 2023-01-01
            value: 100
            reference: Décret A, art. 1er
            statut: confirme
          - date_effet: 2024-01-01
            value: null
            reference: Loi B, art. 2 (abrogation)
            statut: confirme
          - date_effet: 2025-01-01
            value: 120.5
            reference: Loi C, art. 3
            statut: confirme
        """,
    )
    aide = load_parameters(tmp_path).get("aide")
    assert aide.at(date(2023, 12, 31)).value == Decimal("100")
    with pytest.raises(NotFound, match="aucune valeur de aide en vigueur le 01/01/2024"):
        aide.at(date(2024, 1, 1))
    with pytest.raises(NotFound, match="31/12/2024"):
        aide.at(date(2024, 12, 31))
    assert aide.at(date(2025, 1, 1)).value == Decimal("120.5")


# --------------------------------------------------------------------------
# The loader refuses malformed files, naming the file and the problem

VALUE = "  - date_effet: 2024-01-01\n    value: 1\n    reference: Décret n° 1, art. 1er\n    statut: confirme\n"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-01-01\n    value: 1\n",
            "clé obligatoire absente : reference",
            id="missing-reference",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-01-01\n    value: 1\n    reference: '  '\n    statut: confirme\n",
            "la référence juridique est obligatoire",
            id="empty-reference",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-01-01\n    value: 1\n    reference: D\n    statut: peut-etre\n",
            "statut 'peut-etre' inconnu",
            id="unknown-statut",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-01-01\n    value: 1\n    reference: D\n",
            "clé obligatoire absente : statut",
            id="missing-statut",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-01-01\n    value: 1\n    statut: confirme\n    reference:\n",
            "la référence juridique est obligatoire",
            id="null-reference",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-01-01\n    value: 1709.285\n    reference: D\n    statut: confirme\n",
            "a 3 décimales, 2 au plus pour l'unité eur",
            id="eur-three-decimals",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-01-01\n    value: '1709.285'\n    reference: D\n    statut: confirme\n",
            "a 3 décimales",
            id="eur-three-decimals-quoted",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n"
            "  - date_effet: 2025-01-01\n    value: 2\n    reference: D2\n    statut: confirme\n"
            "  - date_effet: 2024-01-01\n    value: 1\n    reference: D1\n    statut: confirme\n",
            "strictement croissantes (2024-01-01 après 2025-01-01)",
            id="unsorted-dates",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n" + VALUE + VALUE,
            "strictement croissantes",
            id="same-date-twice",
        ),
        pytest.param("description: x\nunit: euros\nvalues:\n" + VALUE, "unité inconnue : 'euros'", id="unknown-unit"),
        pytest.param("description: x\nvalues:\n" + VALUE, "clé obligatoire absente : unit", id="missing-unit"),
        pytest.param("unit: eur\nvalues:\n" + VALUE, "clé obligatoire absente : description", id="missing-description"),
        pytest.param("description: x\nunit: eur\nvalues: []\n", "liste non vide", id="no-values"),
        pytest.param("description: x\nunit: eur\nvaleurs:\n" + VALUE, "clé(s) inconnue(s) : valeurs", id="unknown-key"),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-01-01\n    value: 1\n    reference: D\n    statut: confirme\n    ref: E\n",
            "valeur n° 1 : clé(s) inconnue(s) : ref",
            id="unknown-value-key",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - value: 1\n    reference: D\n    statut: confirme\n",
            "clé obligatoire absente : date_effet",
            id="missing-date",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-02-30\n    value: 1\n    reference: D\n    statut: confirme\n",
            "n'est pas une date AAAA-MM-JJ valide",
            id="impossible-date",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 01/02/2024\n    value: 1\n    reference: D\n    statut: confirme\n",
            "n'est pas une date AAAA-MM-JJ valide",
            id="french-date",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-01-01 10:00:00\n    value: 1\n    reference: D\n    statut: confirme\n",
            "sans heure",
            id="datetime",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-01-01\n    value: -1\n    reference: D\n    statut: confirme\n",
            "négative",
            id="negative-eur",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-01-01\n    value: yes\n    reference: D\n    statut: confirme\n",
            "refusée",
            id="boolean",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-01-01\n    value: '12,50'\n    reference: D\n    statut: confirme\n",
            "n'est pas un nombre",
            id="decimal-comma",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-01-01\n    value: .inf\n    reference: D\n    statut: confirme\n",
            "nombre non fini",
            id="infinity",
        ),
        pytest.param(
            "description: x\nunit: taux\nvalues:\n  - date_effet: 2024-01-01\n    value: '0.0123456789'\n    reference: D\n    statut: confirme\n",
            "a 10 décimales, 9 au plus pour l'unité taux",
            id="rate-ten-decimals",
        ),
        pytest.param(
            "description: x\nunit: nombre\nvalues:\n  - date_effet: 2024-01-01\n    value: 1.5\n    reference: D\n    statut: confirme\n",
            "doit être un nombre entier",
            id="count-with-decimals",
        ),
        pytest.param(
            "description: x\nunit: jours\nvalues:\n  - date_effet: 2024-01-01\n    value: 3.0\n    reference: D\n    statut: confirme\n",
            "sans décimales",
            id="days-written-with-decimals",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n  - date_effet: 2024-01-01\n    value: null\n    reference: D\n    statut: confirme\n",
            "doit suivre une valeur non nulle",
            id="first-value-null",
        ),
        pytest.param(
            "description: x\nunit: eur\nvalues:\n" + VALUE + "  - date_effet: 2024-06-01\n    value: 1\n    reference: D\n    statut: confirme\n"
            "    source_url: legifrance\n",
            "source_url doit être une adresse http(s)",
            id="bad-url",
        ),
        pytest.param("description: x\nunit: eur\ntype: liste\nvalues:\n" + VALUE, "type 'liste' inconnu (admis : scalaire, table, bareme)", id="unknown-type"),
        pytest.param("- 1\n- 2\n", "doit contenir un dictionnaire", id="not-a-mapping"),
        pytest.param("description: [x\n", "YAML illisible", id="broken-yaml"),
    ],
)
def test_loader_refuses_malformed_files(tmp_path: Path, text: str, problem: str) -> None:
    write(tmp_path, "commun/ok.yaml", GOOD)
    (tmp_path / "commun" / "mauvais").mkdir()
    (tmp_path / "commun" / "mauvais" / "fichier.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidParameterFile) as caught:
        load_parameters(tmp_path)
    assert caught.value.path == "commun/mauvais/fichier.yaml"
    assert problem in caught.value.message, caught.value.message
    assert str(caught.value).startswith("commun/mauvais/fichier.yaml : ")


def test_loader_names_the_value_and_its_date(tmp_path: Path) -> None:
    write(tmp_path, "commun/x.yaml", GOOD.replace("value: 11\n", "value: 11.001\n"))
    with pytest.raises(InvalidParameterFile) as caught:
        load_parameters(tmp_path)
    assert caught.value.message.startswith("valeur n° 2 (date_effet 2025-01-01) : valeur Decimal('11.001') a 3 décimales")


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"racine.yaml": GOOD}, "dossier de domaine"),
        ({"commun/smic.yaml": GOOD, "famille/smic.yaml": GOOD}, "déjà défini par commun/smic.yaml"),
        ({"commun/a_b/c.yaml": GOOD, "famille/a/b_c.yaml": GOOD}, "la colonne a_b_c serait aussi celle de"),
        ({"commun/Smic.yaml": GOOD}, "invalide"),
        ({"commun/smic.yml": GOOD}, "extension .yml non admise"),
    ],
)
def test_loader_refuses_bad_trees(tmp_path: Path, files: dict[str, str], problem: str) -> None:
    for relative, text in files.items():
        write(tmp_path, relative, text)
    with pytest.raises(InvalidParameterFile, match=problem.replace(".", r"\.")):
        load_parameters(tmp_path)


def test_units_give_their_python_types(tmp_path: Path) -> None:
    for unit, value in [("taux", "'0.0525'"), ("coefficient", "1.046"), ("heures", "151.67"), ("nombre", "172"), ("jours", "3")]:
        write(tmp_path, f"commun/{unit}.yaml",
              f"description: x\nunit: {unit}\nvalues:\n  - date_effet: 2024-01-01\n    value: {value}\n    reference: D\n    statut: confirme\n")
    loaded = load_parameters(tmp_path)
    got = {p.name: p.values[0].value for p in loaded}
    assert got == {"taux": Decimal("0.0525"), "coefficient": Decimal("1.046"), "heures": Decimal("151.67"), "nombre": 172, "jours": 3}
    assert type(got["nombre"]) is int and type(got["taux"]) is Decimal


# --------------------------------------------------------------------------
# The as-of join


def _boundary_dates(names: list[str]) -> list[date]:
    days: set[date] = set()
    for name in names:
        for value in parameters().get(name).values:
            days |= {value.date_effet - timedelta(days=1), value.date_effet, value.date_effet + timedelta(days=1)}
    return sorted(days)


def _expected_cents(name: str, day: date) -> int:
    value = parameters().get(name).at(day).value
    assert isinstance(value, Decimal)
    return int(value * 100)


SEEDED = ["smic.horaire", "smic.mensuel", "pss.annuel", "pss.mensuel", "bmaf"]


def test_join_many_dates_shuffled_with_boundaries() -> None:
    start = date(2022, 4, 1)  # every seeded parameter has a value from here on
    days = [d for d in _boundary_dates(SEEDED) if d >= start]
    days += [start + timedelta(days=random.Random(7).randrange(0, 1800)) for _ in range(300)]
    random.Random(2026).shuffle(days)
    frame = pl.DataFrame({"id": list(range(len(days))), "date": days})
    out = join_parameters(frame, SEEDED)
    assert out.columns == ["id", "date", "smic_horaire", "smic_mensuel", "pss_annuel", "pss_mensuel", "bmaf"]
    assert out["id"].to_list() == list(range(len(days)))  # input order kept
    assert out["date"].to_list() == days
    for name in SEEDED:
        column = name.replace(".", "_")
        assert out.schema[column] == pl.Int64
        assert out[column].to_list() == [_expected_cents(name, d) for d in days], name
        assert out[column].null_count() == 0


def test_join_values_on_each_side_of_a_change() -> None:
    frame = pl.DataFrame(
        {"date": [date(2026, 1, 1), date(2025, 12, 31), date(2024, 11, 1), date(2024, 10, 31), date(2026, 5, 31), date(2026, 6, 1)]}
    )
    out = join_parameters(frame, ["smic.horaire"], with_references=True)
    assert out["smic_horaire"].to_list() == [1202, 1188, 1188, 1165, 1202, 1231]
    assert out["smic_horaire_reference"].to_list()[0].startswith("Décret n° 2025-1228 du 17 décembre 2025")
    assert out["smic_horaire_reference"].to_list()[3].startswith("Décret n° 2023-1216 du 20 décembre 2023")
    bmaf = join_parameters(pl.DataFrame({"date": [date(2026, 3, 31), date(2026, 4, 1)]}), ["bmaf"])
    assert bmaf["bmaf"].to_list() == [47437, 47816]


@pytest.mark.parametrize(
    "dtype",
    [pl.Datetime("us"), pl.Datetime("ns"), pl.Datetime("ms", "Europe/Paris"), pl.Datetime("us", "UTC")],
    ids=str,
)
def test_join_on_datetime_uses_the_calendar_date(dtype: pl.DataType) -> None:
    moments = [datetime(2024, 10, 31, 23, 59, 59), datetime(2024, 11, 1, 0, 0), datetime(2023, 1, 1, 12, 0)]
    frame = pl.DataFrame({"quand": moments}).with_columns(pl.col("quand").cast(pl.Datetime("us")))
    if getattr(dtype, "time_zone", None):
        frame = frame.with_columns(pl.col("quand").dt.replace_time_zone(dtype.time_zone))  # type: ignore[attr-defined]
    frame = frame.with_columns(pl.col("quand").cast(dtype))
    out = join_parameters(frame, ["smic.horaire"], on="quand")
    assert out["smic_horaire"].to_list() == [1165, 1188, 1127]
    assert out.schema["quand"] == dtype


def test_join_lazy_frame_stays_lazy() -> None:
    lazy = pl.LazyFrame({"date": [date(2025, 4, 1), date(2023, 3, 31), date(2024, 4, 1)], "n": [1, 2, 3]})
    out = join_parameters(lazy, ["bmaf", "pss.mensuel"], with_references=True)
    assert isinstance(out, pl.LazyFrame)
    got = out.collect()
    assert got["bmaf"].to_list() == [47437, 43917, 46644]
    assert got["pss_mensuel"].to_list() == [392500, 366600, 386400]
    assert got["n"].to_list() == [1, 2, 3]
    assert got["bmaf_reference"].to_list()[1].startswith("Loi n° 2022-1158 du 16 août 2022")


def test_join_before_first_value_raises_with_earliest_offending_date() -> None:
    days = [date(2026, 1, 1), date(2021, 3, 5), date(2020, 7, 1), date(2024, 1, 1), date(2021, 12, 31)]
    with pytest.raises(NotFound) as caught:
        join_parameters(pl.DataFrame({"date": days}), ["pss.mensuel", "smic.horaire"])
    assert caught.value.message == "aucune valeur de pss.mensuel en vigueur le 01/07/2020"
    assert caught.value.field == "date"
    with pytest.raises(NotFound) as caught:  # a LazyFrame is checked at call time too (smic.horaire starts in December 1971)
        join_parameters(pl.LazyFrame({"date": [*days, date(1970, 7, 1)]}).with_columns(pl.col("date").cast(pl.Datetime)), ["smic.horaire"])
    assert caught.value.message == "aucune valeur de smic.horaire en vigueur le 01/07/1970"
    assert caught.value.field == "date"


def test_join_error_on_a_large_multi_chunk_frame_keeps_its_message() -> None:
    n = 200_000
    days = pl.select(date=pl.lit(date(2023, 1, 1)) + pl.duration(days=(pl.int_range(n) * 7919) % 1461))["date"].to_list()
    days[10], days[n - 10] = date(1971, 5, 1), date(1970, 2, 2)  # smic.horaire starts in December 1971
    frame = pl.concat([pl.DataFrame({"date": days[: n // 2]}), pl.DataFrame({"date": days[n // 2 :]})], rechunk=False)
    for candidate in (frame, frame.lazy()):
        with pytest.raises(NotFound) as caught:
            join_parameters(candidate, ["smic.horaire"])
        assert caught.value.message == "aucune valeur de smic.horaire en vigueur le 02/02/1970"
        assert caught.value.field == "date"


def test_join_where_the_parameter_ceased_raises(tmp_path: Path) -> None:
    write(
        tmp_path,
        "commun/aide.yaml",
        """
        description: Aide supprimée.
        unit: eur
        values:
          - date_effet: 2023-01-01
            value: 100
            reference: Décret A
            statut: confirme
          - date_effet: 2024-01-01
            value: null
            reference: Loi B (abrogation)
            statut: confirme
          - date_effet: 2025-01-01
            value: 7
            reference: Loi C
            statut: confirme
        """,
    )
    params = load_parameters(tmp_path)
    ok = join_parameters(pl.DataFrame({"date": [date(2025, 2, 1), date(2023, 12, 31)]}), ["aide"], params=params)
    assert ok["aide"].to_list() == [700, 10000]
    with pytest.raises(NotFound, match="aucune valeur de aide en vigueur le 15/03/2024"):
        join_parameters(
            pl.DataFrame({"date": [date(2025, 1, 1), date(2024, 6, 1), date(2024, 3, 15), date(2023, 5, 1)]}), ["aide"], params=params
        )


def test_join_refuses_rows_without_date_and_bad_columns() -> None:
    with pytest.raises(InvalidField) as caught:
        join_parameters(pl.DataFrame({"date": [date(2024, 1, 1), None]}), ["smic.horaire"])
    assert caught.value.field == "date" and "1 ligne(s) sans date" in caught.value.message
    with pytest.raises(InvalidField, match="absente"):
        join_parameters(pl.DataFrame({"jour": [date(2024, 1, 1)]}), ["smic.horaire"])
    with pytest.raises(InvalidField, match="Date ou Datetime"):
        join_parameters(pl.DataFrame({"date": ["2024-01-01"]}), ["smic.horaire"])
    with pytest.raises(ValueError, match="déjà présente"):
        join_parameters(pl.DataFrame({"date": [date(2024, 1, 1)], "bmaf": [1]}), ["bmaf"])
    with pytest.raises(ValueError, match="deux fois"):
        join_parameters(pl.DataFrame({"date": [date(2024, 1, 1)]}), ["bmaf", "bmaf"])
    with pytest.raises(TypeError):
        join_parameters(pl.DataFrame({"date": [date(2024, 1, 1)]}), "bmaf")


def test_join_unknown_name_raises_at_once_even_for_lazy_frames() -> None:
    with pytest.raises(UnknownParameter):
        join_parameters(pl.LazyFrame({"date": [date(2024, 1, 1)]}), ["smic.horaire", "smic.horair"])


def test_join_empty_frame_and_no_names() -> None:
    empty = pl.DataFrame({"date": []}, schema={"date": pl.Date})
    out = join_parameters(empty, ["smic.horaire"])
    assert out.height == 0 and out.schema["smic_horaire"] == pl.Int64
    frame = pl.DataFrame({"date": [date(2024, 1, 1)]})
    assert join_parameters(frame, []).equals(frame)


def test_join_rates_as_exact_decimals_for_apply_rate_expr(tmp_path: Path) -> None:
    write(
        tmp_path,
        "recouvrement/taux.yaml",
        """
        description: Un taux.
        unit: taux
        values:
          - date_effet: 2024-01-01
            value: "0.0525"
            reference: Décret T1
            statut: confirme
          - date_effet: 2025-01-01
            value: "0.123456789"
            reference: Décret T2
            statut: confirme
        """,
    )
    write(tmp_path, "commun/n.yaml",
          "description: x\nunit: nombre\nvalues:\n  - date_effet: 2024-01-01\n    value: 172\n    reference: Loi N\n    statut: confirme\n")
    params = Parameters(list(load_parameters(tmp_path)))
    frame = pl.DataFrame({"date": [date(2025, 1, 1), date(2024, 12, 31)], "base": [1_000_000, 333]})
    out = join_parameters(frame, ["taux", "n"], params=params)
    assert out.schema["taux"] == pl.Decimal(38, 9) and out.schema["n"] == pl.Int64
    assert out["taux"].to_list() == [Decimal("0.123456789"), Decimal("0.0525")]
    assert out["n"].to_list() == [172, 172]
    cents = out.select(apply_rate_expr(pl.col("base"), pl.col("taux")))["base"].to_list()
    assert cents == [123457, 17]  # 1 000 000 × 0.123456789 = 123 456.789 ; 333 × 0.0525 = 17.4825


def test_join_a_million_rows_runs() -> None:
    n = 1_000_000
    frame = pl.select(date=pl.lit(date(2023, 1, 1)) + pl.duration(days=(pl.int_range(n) * 7919) % 1461))
    out = join_parameters(frame, SEEDED, with_references=True)
    assert out.height == n and out["smic_horaire"].null_count() == 0
    assert out["date"].equals(frame["date"])
    lazy = join_parameters(frame.lazy(), ["smic.horaire"]).collect()
    assert lazy["smic_horaire"].min() == 1127 and lazy["smic_horaire"].max() == 1231


# --------------------------------------------------------------------------
# Display


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (Decimal("1709.28"), "eur", f"1{NBSP}709,28{NBSP}€"),
        (Decimal("1747.2"), "eur", f"1{NBSP}747,20{NBSP}€"),
        (Decimal("48060"), "eur", f"48{NBSP}060{NBSP}€"),
        (Decimal("12.02"), "eur_par_heure", f"12,02{NBSP}€ par heure"),
        (Decimal("0.0525"), "taux", f"5,25{NBSP}%"),
        (Decimal("1.046"), "coefficient", "1,046"),
        (Decimal("151.67"), "heures", "151,67 heures"),
        (172, "nombre", "172"),
        (1, "jours", "1 jour"),
        (None, "eur", "— (ne s'applique plus)"),
    ],
)
def test_format_value_in_french(value: Decimal | int | None, unit: str, text: str) -> None:
    assert format_value(value, unit) == text
