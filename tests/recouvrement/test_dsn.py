"""DSN mensuelle intake: parsing, payslips, corrections, refusals with their line, JSON twin, fuzzing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secu.core.errors import InvalidField, SecuError
from secu.recouvrement.dsn import (
    PAYSLIP_SCHEMA,
    Declaration,
    DsnError,
    identity,
    is_replacement,
    parse_dsn,
    parse_dsn_envoi,
    parse_dsn_json,
    payslips,
    to_dsn_json,
    to_dsn_text,
)

SAMPLES = Path(__file__).parent / "dsn_samples"
MENSUELLE = SAMPLES / "mensuelle_2026_03.dsn"
REMPLACE = SAMPLES / "annule_remplace_2026_03.dsn"
NEANT = SAMPLES / "neant_2026_04.dsn"
GOOD = [MENSUELLE, REMPLACE, NEANT]

NIR_CADRE = "178056912304519"  # declared on 13 characters, key 19
NIR_PARTIEL = "288017505611232"
NIR_ENTREE = "199023801208760"
SIRET = "81234567600025"


def lines_of(path: Path = MENSUELLE) -> list[str]:
    return path.read_bytes().decode("latin-1").split("\r\n")[:-1]


def text_of(lines: list[str], *, fix_total: bool = True) -> str:
    if fix_total:
        count = sum(1 for line in lines if line.strip())
        lines = [f"S90.G00.90.001,'{count}'" if line.startswith("S90.G00.90.001") else line for line in lines]
    return "\r\n".join(lines) + "\r\n"


def index_of(lines: list[str], prefix: str, nth: int = 0) -> int:
    found = [i for i, line in enumerate(lines) if line.startswith(prefix)]
    return found[nth]


def refuse(data: str | bytes) -> DsnError:
    with pytest.raises(DsnError) as caught:
        parse_dsn(data)
    return caught.value


# ---------------------------------------------------------------------------
# Parsing


def test_monthly_dsn_is_read_whole() -> None:
    dsn = parse_dsn(MENSUELLE.read_bytes())
    assert isinstance(dsn, Declaration)
    assert (dsn.nature, dsn.type, dsn.numero_ordre, dsn.fraction) == ("01", "01", 1, "11")
    assert dsn.mois == date(2026, 3, 1)
    assert dsn.date_fichier == date(2026, 4, 5)
    assert dsn.envoi.norme == "P26V01"
    assert dsn.envoi.logiciel == "PaieMaison"
    assert dsn.emetteur.siren == "812345676" and dsn.emetteur.nic == "00017"
    assert dsn.entreprise.siren == "812345676" and dsn.entreprise.apen == "2512Z"
    assert dsn.etablissement.nic == "00025" and dsn.siret == SIRET
    assert dsn.etablissement.effectif == 3
    assert not dsn.is_replacement and not dsn.is_neant
    assert dsn.nature_libelle == "DSN mensuelle"
    assert [s.nom for s in dsn.salaries] == ["MARTIN", "LEROY", "N'DIAYE"]  # doubled quote read back as one
    assert dsn.salaries[1].prenoms == "Camille Hélène"  # Latin-1
    assert dsn.salaries[0].nir == NIR_CADRE  # 13 characters in the file, key added
    cadre = dsn.salaries[0].contrats[0]
    assert (cadre.numero, cadre.nature, cadre.statut_categoriel, cadre.cadre) == ("00001", "01", "01", True)
    assert cadre.libelle_emploi == "Ingénieur méthodes"
    assert cadre.taux_at == Decimal("2.08") and cadre.quotite == Decimal("151.67")
    versement = dsn.salaries[0].versements[0]
    assert versement.net_fiscal_cents == 417230
    assert [r.type for r in versement.remunerations] == ["001", "002", "003", "010"]
    assert versement.remunerations[1].activites[0].mesure == Decimal("151.67")
    assert [b.code for b in versement.bases] == ["02", "03", "04"]
    assert versement.bases[1].composants[0].montant_cents == 7800
    assert [c.code for c in dsn.bordereaux[0].cotisations] == ["100", "100", "260"]
    assert dsn.bordereaux[0].cotisations[0].qualifiant == "921"
    assert dsn.versements_organismes[0].montant_cents == 284576
    assert NIR_CADRE not in repr(dsn.salaries[0])


def test_utf8_and_lf_are_detected() -> None:
    latin1 = MENSUELLE.read_bytes()
    utf8_lf = latin1.decode("latin-1").replace("\r\n", "\n").encode("utf-8")
    assert utf8_lf != latin1
    assert parse_dsn(utf8_lf) == parse_dsn(latin1)
    assert parse_dsn(latin1.decode("latin-1")) == parse_dsn(latin1)
    neant = parse_dsn(NEANT.read_bytes())  # UTF-8, LF
    assert neant.emetteur.raison_sociale == "SOCIÉTÉ DES ÉTUDES LÉGÈRES"


def test_neant() -> None:
    dsn = parse_dsn(NEANT.read_bytes())
    assert dsn.type == "02" and dsn.is_neant and not is_replacement(dsn)
    assert dsn.envoi.type_envoi == "02"
    assert dsn.salaries == ()
    assert identity(dsn) == (SIRET, date(2026, 4, 1))
    frame = payslips(dsn)
    assert frame.height == 0 and frame.schema == pl.Schema(PAYSLIP_SCHEMA)


def test_annule_et_remplace_replaces_the_same_establishment_and_month() -> None:
    first = parse_dsn(MENSUELLE.read_bytes())
    second = parse_dsn(REMPLACE.read_bytes())
    assert is_replacement(second) and not is_replacement(first)
    assert second.type == "03" and second.numero_ordre == 2
    assert second.identifiant_remplace == "050420261"  # date du fichier + numéro d'ordre of the first
    assert identity(second) == identity(first) == (SIRET, date(2026, 3, 1))
    # what a store does with them: the replacement takes the place of the earlier one, never adds
    store: dict[tuple[str, date], Declaration] = {}
    for dsn in (first, second):
        if is_replacement(dsn) or identity(dsn) not in store:
            store[identity(dsn)] = dsn
    assert list(store.values()) == [second]
    assert payslips(store[identity(first)])["brut_cents"].sum() == 520000 + 145000 + 110000


def test_an_envoi_of_two_declarations() -> None:
    lines = lines_of()
    s20 = index_of(lines, "S20.G00.05.001")
    s90 = index_of(lines, "S90.G00.90.001")
    second = [line.replace("S21.G00.11.001,'00025'", "S21.G00.11.001,'00017'") for line in lines[s20:s90]]
    both = lines[:s90] + second + ["S90.G00.90.001,'0'", "S90.G00.90.002,'2'"]
    declarations = parse_dsn_envoi(text_of(both))
    assert [d.siret for d in declarations] == [SIRET, "81234567600017"]
    error = refuse(text_of(both))
    assert "parse_dsn_envoi" in error.message


# ---------------------------------------------------------------------------
# Payslips


def test_payslips_frame() -> None:
    frame = payslips(parse_dsn(MENSUELLE.read_bytes()))
    assert frame.columns == list(PAYSLIP_SCHEMA)
    assert frame.schema == pl.Schema(PAYSLIP_SCHEMA)
    mars = date(2026, 3, 1)
    expected = pl.DataFrame(
        {
            "salarie": [NIR_CADRE, NIR_PARTIEL, NIR_ENTREE],
            "nir": [NIR_CADRE, NIR_PARTIEL, NIR_ENTREE],
            "siret": [SIRET] * 3,
            "mois": [mars] * 3,
            "brut_cents": [520000, 145000, 105000],  # the cadre is above the plafond (4 005 € in 2026)
            "heures": [Decimal("151.67"), Decimal("104.00"), Decimal("84.00")],
            "heures_contrat": [Decimal("151.67"), Decimal("104.00"), Decimal("151.67")],
            "cadre": [True, False, False],
            "taux_atmp": [Decimal("0.0208")] * 3,
            "effectif": [3, 3, 3],
            "date_entree": [None, None, date(2026, 3, 16)],
            "date_sortie": [None, None, None],
            "numero_contrat": ["00001", "00002", "00003"],
            "bulletin": [
                f"{SIRET}|2026-03|{NIR_CADRE}|00001",
                f"{SIRET}|2026-03|{NIR_PARTIEL}|00002",
                f"{SIRET}|2026-03|{NIR_ENTREE}|00003",
            ],
            "prevoyance_patronale_cents": [7800, 0, 0],
        },
        schema=PAYSLIP_SCHEMA,
    )
    assert frame.equals(expected)


def test_payslips_of_the_replacement_show_the_exit() -> None:
    frame = payslips(parse_dsn(REMPLACE.read_bytes()))
    partiel = frame.filter(pl.col("numero_contrat") == "00002").row(0, named=True)
    assert partiel["date_sortie"] == date(2026, 3, 31)
    entree = frame.filter(pl.col("numero_contrat") == "00003").row(0, named=True)
    assert (entree["brut_cents"], entree["heures"]) == (110000, Decimal("88.00"))


def _edit(replace: dict[str, str]) -> str:
    lines = lines_of()
    for old, new in replace.items():
        i = index_of(lines, old)
        lines[i] = new
    return text_of(lines)


def test_payslips_fallbacks_and_statuts() -> None:
    # no activité block: hours from S21.G00.51.012 (older norms); statut RC 98 -> statut conventionnel;
    # no effectif of the establishment -> the company's; AT rate absent -> null; unit "journée" -> no hours
    lines = lines_of()
    first_53 = index_of(lines, "S21.G00.53.001")
    del lines[first_53 : first_53 + 3]
    i = index_of(lines, "S21.G00.51.013", 1)  # the cadre's 002 block
    lines.insert(i, "S21.G00.51.012,'150.00'")
    lines[index_of(lines, "S21.G00.40.003,'01'")] = "S21.G00.40.003,'98'"
    lines[index_of(lines, "S21.G00.11.008")] = "S21.G00.06.009,'12'"  # moved to the company block
    lines.insert(index_of(lines, "S21.G00.11.001"), lines.pop(index_of(lines, "S21.G00.06.009")))
    del lines[index_of(lines, "S21.G00.40.043")]
    lines[index_of(lines, "S21.G00.40.011", 1)] = "S21.G00.40.011,'12'"
    frame = payslips(parse_dsn(text_of(lines)))
    cadre, partiel = frame.row(0, named=True), frame.row(1, named=True)
    assert cadre["heures"] == Decimal("150.00")
    assert cadre["cadre"] is True  # statut conventionnel 04 (autres cadres)
    assert cadre["taux_atmp"] is None
    assert cadre["effectif"] == 12
    assert partiel["heures_contrat"] is None


# ---------------------------------------------------------------------------
# Refusals: each with its line and its French message


def _lines_without(prefix: str) -> list[str]:
    return [line for line in lines_of() if not line.startswith(prefix)]


def _insert_before(prefix: str, line: str) -> list[str]:
    lines = lines_of()
    lines.insert(index_of(lines, prefix), line)
    return lines


def _replace(old: str, new: str, nth: int = 0) -> list[str]:
    lines = lines_of()
    lines[index_of(lines, old, nth)] = new
    return lines


def _duplicate_contract() -> list[str]:
    """The part-time employee's contract block declared twice with the same number."""
    lines = lines_of()
    start = index_of(lines, "S21.G00.40.001", 1)
    end = index_of(lines, "S21.G00.71.002", 1) + 1
    return lines[:end] + lines[start:end] + lines[end:]


CASES: dict[str, tuple[Callable[[], list[str]], int | None, str | None, str]] = {
    "clé SIREN": (
        lambda: _replace("S21.G00.06.001", "S21.G00.06.001,'812345677'"),
        30, "S21.G00.06.001", "la clé de contrôle du SIREN est incorrecte",
    ),
    "clé SIRET": (
        lambda: _replace("S21.G00.11.001", "S21.G00.11.001,'00026'"),
        36, "S21.G00.11.001", "la clé de contrôle du SIRET de l'établissement (SIREN + NIC) est incorrecte",
    ),
    "clé NIR": (
        lambda: _replace("S21.G00.30.001", "S21.G00.30.001,'178056912304518'"),
        68, "S21.G00.30.001", "la clé du NIR est incorrecte",
    ),
    "NIR mois impossible": (
        lambda: _replace("S21.G00.30.001", "S21.G00.30.001,'1781369123045'"),
        68, "S21.G00.30.001", "le mois de naissance du NIR",
    ),
    "NIR en 9": (
        lambda: _replace("S21.G00.30.001", "S21.G00.30.001,'1999999999999'"),
        68, "S21.G00.30.001", "plus de cinq « 9 »",
    ),
    "NIR en double": (
        lambda: _replace("S21.G00.30.001", "S21.G00.30.001,'1780569123045'", 1),
        157, "S21.G00.30.001", "ce NIR est déjà déclaré",
    ),
    "pas de déclaration": (
        lambda: _lines_without("S20."),
        1, "S10.G00.00", "doit contenir au moins un bloc S20.G00.05 (Déclaration)",
    ),
    "pas d'établissement": (
        lambda: _lines_without("S21.G00.11"),
        30, "S21.G00.06", "doit contenir au moins un bloc S21.G00.11 (Etablissement)",
    ),
    "contrat avant tout individu": (
        lambda: _insert_before("S21.G00.30.001", "S21.G00.40.001,'01012020'"),
        68, "S21.G00.40.001", "le bloc S21.G00.40 (Contrat) doit suivre un bloc S21.G00.30 (Individu)",
    ),
    "bloc inconnu": (
        lambda: _insert_before("S21.G00.30.001", "S21.G00.99.001,'X'"),
        68, "S21.G00.99.001", "bloc inconnu S21.G00.99",
    ),
    "rubrique inconnue": (
        lambda: _replace("S21.G00.30.019", "S21.G00.30.099,'M0012'"),
        73, "S21.G00.30.099", "rubrique inconnue : le bloc S21.G00.30 (Individu) n'a pas de rubrique 099",
    ),
    "ligne mal formée": (
        lambda: _replace("S21.G00.30.004", "S21.G00.30.004 'Paul Henri'"),
        70, None, "ligne mal formée",
    ),
    "guillemet fermant manquant": (
        lambda: _replace("S21.G00.30.004", "S21.G00.30.004,'Paul Henri"),
        70, None, "ligne mal formée",
    ),
    "ligne vide": (
        lambda: _insert_before("S21.G00.30.001", ""),
        68, None, "ligne vide",
    ),
    "date mal écrite": (
        lambda: _replace("S21.G00.40.001", "S21.G00.40.001,'2019-09-01'"),
        74, "S21.G00.40.001", "doit avoir la forme JJMMAAAA",
    ),
    "date impossible": (
        lambda: _replace("S21.G00.40.001", "S21.G00.40.001,'31022019'"),
        74, "S21.G00.40.001", "la date « 31022019 » n'existe pas",
    ),
    "montant avec virgule": (
        lambda: _replace("S21.G00.50.002", "S21.G00.50.002,'4172,30'"),
        100, "S21.G00.50.002", "avec un point et deux décimales",
    ),
    "montant à une décimale": (
        lambda: _replace("S21.G00.51.013", "S21.G00.51.013,'5200.0'"),
        110, "S21.G00.51.013", "avec un point et deux décimales",
    ),
    "brut négatif": (
        lambda: _replace("S21.G00.51.013", "S21.G00.51.013,'-5200.00'"),
        110, "S21.G00.51.013", "la rémunération brute non plafonnée (type 001) ne peut pas être négative",
    ),
    "mois hors limites": (
        lambda: _replace("S20.G00.05.005", "S20.G00.05.005,'01132026'"),
        22, "S20.G00.05.005", "est hors limites : le mois doit aller de 01 à 12",
    ),
    "mois pas au premier": (
        lambda: _replace("S20.G00.05.005", "S20.G00.05.005,'15032026'"),
        22, "S20.G00.05.005", "doit être le premier jour du mois",
    ),
    "fichier avant le mois": (
        lambda: _replace("S20.G00.05.007", "S20.G00.05.007,'28022026'"),
        23, "S20.G00.05.007", "précède le mois principal déclaré",
    ),
    "contrat après le mois": (
        lambda: _replace("S21.G00.40.001", "S21.G00.40.001,'01042026'", 2),
        250, "S21.G00.40.001", "postérieure au dernier jour du mois principal déclaré",
    ),
    "rubrique obligatoire absente": (
        lambda: _lines_without("S21.G00.40.009,'00002'"),
        163, "S21.G00.40.009", "(numéro du contrat) est obligatoire dans le bloc S21.G00.40 (Contrat) commençant ligne 163",
    ),
    "code inconnu": (
        lambda: _replace("S21.G00.30.005", "S21.G00.30.005,'03'"),
        71, "S21.G00.30.005", "code « 03 » inconnu pour sexe : valeurs admises 01, 02",
    ),
    "contrat inconnu": (
        lambda: _replace("S21.G00.51.010", "S21.G00.51.010,'00009'"),
        108, "S21.G00.51.010", "n'est aucun des contrats de l'individu",
    ),
    "numéro de contrat en double": (
        lambda: _duplicate_contract(),
        195, "S21.G00.40.009", "le numéro de contrat « 00002 » est déjà utilisé pour cet individu",
    ),
    "nature signalement": (
        lambda: _replace("S20.G00.05.001", "S20.G00.05.001,'04'"),
        18, "S20.G00.05.001", "seule la DSN mensuelle (nature 01) est reçue ici",
    ),
    "normale sans individu": (
        lambda: [line for line in lines_of() if not line.startswith(("S21.G00.30", "S21.G00.4", "S21.G00.5",
                                                                      "S21.G00.6", "S21.G00.7", "S21.G00.8"))],
        19, "S20.G00.05.002", "doit déclarer au moins un individu",
    ),
    "néant avec individu": (
        lambda: [line.replace("S20.G00.05.002,'01'", "S20.G00.05.002,'02'").replace(
            "S10.G00.00.008,'01'", "S10.G00.00.008,'02'") for line in lines_of()],
        68, "S21.G00.30.001", "ne doit déclarer aucun individu",
    ),
    "rubrique vide": (
        lambda: _replace("S21.G00.30.004", "S21.G00.30.004,''"),
        70, "S21.G00.30.004", "la rubrique est vide",
    ),
    "fin avant début": (
        lambda: _insert_before("S21.G00.71.002", "S21.G00.62.001,'31082019'"),
        98, "S21.G00.62.001", "la date de fin du contrat précède sa date de début",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_each_refusal_names_its_line_and_rubrique(case: str) -> None:
    build, ligne, rubrique, message = CASES[case]
    error = refuse(text_of(build()))
    first = error.erreurs[0]
    assert (first.ligne, first.rubrique) == (ligne, rubrique), [str(e) for e in error.erreurs]
    assert message in first.message
    assert error.ligne == ligne and error.rubrique == rubrique
    assert error.message.startswith(f"ligne {ligne} : ")
    assert isinstance(error, InvalidField) and isinstance(error, SecuError)
    for problem in error.erreurs:  # NIR numbers never reach a message
        for nir in (NIR_CADRE, NIR_PARTIEL, NIR_ENTREE):
            assert nir[:13] not in problem.message


def test_total_count_in_s90_must_agree() -> None:
    lines = lines_of()
    del lines[index_of(lines, "S21.G00.30.019")]
    error = refuse(text_of(lines, fix_total=False))
    assert [(e.ligne, e.rubrique) for e in error.erreurs] == [(332, "S90.G00.90.001")]
    assert error.erreurs[0].message == "le nombre total de rubriques déclaré (334) ne correspond pas au fichier (333)"
    lines = _replace("S90.G00.90.002", "S90.G00.90.002,'2'")
    assert "le nombre de DSN déclaré (2) ne correspond pas au fichier (1)" in refuse(text_of(lines)).message


def test_envoi_neant_goes_with_neant_declarations() -> None:
    error = refuse(text_of(_replace("S10.G00.00.008", "S10.G00.00.008,'02'")))
    assert (error.ligne, error.rubrique) == (7, "S10.G00.00.008")
    neant = NEANT.read_bytes().decode("utf-8").split("\n")[:-1]
    neant[index_of(neant, "S10.G00.00.008")] = "S10.G00.00.008,'01'"
    assert "doit être de type 02" in refuse("\n".join(neant)).message


def test_empty_and_missing_footer() -> None:
    assert refuse(b"").message == "ligne 1 : le fichier DSN est vide"
    assert refuse("\r\n\r\n").message == "ligne 1 : le fichier DSN est vide"
    error = refuse(text_of(_lines_without("S90")))
    assert error.erreurs[-1].message.startswith("le bloc S90.G00.90 (Total de l'envoi) manque")


def test_broken_samples_report_every_problem_in_file_order() -> None:
    expected = {
        "erreur_cles.dsn": [
            (9, "S10.G00.01.002", "la clé de contrôle du SIRET de l'émetteur (SIREN + NIC) est incorrecte"),
            (30, "S21.G00.06.001", "la clé de contrôle du SIREN est incorrecte"),
            (36, "S21.G00.11.001", "la clé de contrôle du SIRET de l'établissement (SIREN + NIC) est incorrecte"),
            (157, "S21.G00.30.001", "la clé du NIR est incorrecte"),
        ],
        "erreur_structure.dsn": [
            (67, "S21.G00.99.001", "bloc inconnu S21.G00.99 : il n'existe pas dans la norme DSN"),
            (69, "S21.G00.40.001", "le bloc S21.G00.40 (Contrat) doit suivre un bloc S21.G00.30 (Individu) : "
                                   "il n'a pas de parent à cet endroit"),
            (164, "S21.G00.30.099", "rubrique inconnue : le bloc S21.G00.30 (Individu) n'a pas de rubrique 099"),
            (248, None, "ligne mal formée : attendu une rubrique de la forme S21.G00.40.001,'valeur'"),
        ],
        "erreur_formats.dsn": [
            (22, "S20.G00.05.005", "le mois principal déclaré « 01132026 » est hors limites : "
                                   "le mois doit aller de 01 à 12"),
            (163, "S21.G00.40.001", "la date « 30022022 » n'existe pas (forme JJMMAAAA)"),
            (189, "S21.G00.50.002", "« 1163,21 » : le nombre doit s'écrire avec un point et deux décimales "
                                    "(ex. 1234.56)"),
            (288, "S21.G00.51.013", "la rémunération brute non plafonnée (type 001) ne peut pas être négative"),
            (333, "S90.G00.90.001", "le nombre total de rubriques déclaré (300) ne correspond pas au fichier (334)"),
        ],
        "erreur_sans_declaration.dsn": [
            (1, "S10.G00.00", "le bloc S10.G00.00 (Envoi) commençant ligne 1 doit contenir au moins un bloc "
                              "S20.G00.05 (Déclaration)"),
            (18, "S21.G00.06.001", "le bloc S21.G00.06 (Entreprise) doit suivre un bloc S20.G00.05 (Déclaration) : "
                                   "il n'a pas de parent à cet endroit"),
            (322, "S90.G00.90.002", "le nombre de DSN déclaré (1) ne correspond pas au fichier (0)"),
        ],
    }  # fmt: skip
    for name, problems in expected.items():
        error = refuse((SAMPLES / name).read_bytes())
        assert [(e.ligne, e.rubrique, e.message) for e in error.erreurs] == problems, name
        n = len(problems) - 1
        assert error.message == f"ligne {problems[0][0]} : {problems[0][2]} (et {n} autre{'s' if n > 1 else ''} erreur{'s' if n > 1 else ''})"
        assert error.to_dict()["erreurs"][0]["ligne"] == problems[0][0]


def test_quote_escaping() -> None:
    dsn = parse_dsn(text_of(_replace("S21.G00.30.002", "S21.G00.30.002,'O'NEIL'")))  # a lone quote is tolerated
    assert dsn.salaries[0].nom == "O'NEIL"
    assert "S21.G00.30.002,'O''NEIL'" in to_dsn_text(dsn)


# ---------------------------------------------------------------------------
# JSON


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_json_and_text_are_the_same_declaration(path: Path) -> None:
    dsn = parse_dsn(path.read_bytes())
    as_json = to_dsn_json(dsn)
    assert parse_dsn_json(json.dumps(as_json)) == dsn
    assert parse_dsn_json(as_json) == dsn
    assert parse_dsn(to_dsn_text(dsn)) == dsn
    assert parse_dsn(to_dsn_text(dsn).encode("latin-1")) == dsn
    assert to_dsn_json(parse_dsn(to_dsn_text(parse_dsn_json(as_json)))) == as_json
    assert payslips(parse_dsn_json(as_json)).equals(payslips(dsn))


def test_json_schema_shape() -> None:
    data = to_dsn_json(parse_dsn(MENSUELLE.read_bytes()))
    assert data["format"] == "secu-dsn/1"
    assert data["declaration"]["mois"] == "2026-03"
    assert data["declaration"]["numero_ordre"] == 1
    salarie = data["salaries"][0]
    assert salarie["nir"] == NIR_CADRE  # 15 characters in JSON
    assert salarie["contrats"][0]["date_debut"] == "2019-09-01"
    assert salarie["versements"][0]["remunerations"][0] == {
        "date_debut": "2026-03-01", "date_fin": "2026-03-31", "numero_contrat": "00001", "type": "001",
        "montant": "5200.00",
    }  # fmt: skip
    json.dumps(data)  # plain JSON, no Decimal or date left


def _json() -> dict:
    return to_dsn_json(parse_dsn(MENSUELLE.read_bytes()))


def test_json_refusals_carry_a_path() -> None:
    data = _json()
    data["salaries"][0]["contrats"][0]["date_debut"] = "01/09/2019"
    data["salaries"][1]["nir"] = "288017505611233"
    data["salaries"][2]["versements"][0]["remunerations"][0]["montant"] = 1050.0
    data["entreprise"]["siren"] = "812345677"
    data["etablissement"]["inconnu"] = 1
    data["declaration"]["mois"] = "2026-13"
    with pytest.raises(DsnError) as caught:
        parse_dsn_json(data)
    found = {(e.chemin, e.rubrique) for e in caught.value.erreurs}
    assert ("$.salaries[0].contrats[0].date_debut", None) in found
    assert ("$.salaries[1].nir", "S21.G00.30.001") in found
    assert ("$.salaries[2].versements[0].remunerations[0].montant", None) in found
    assert ("$.entreprise.siren", "S21.G00.06.001") in found
    assert ("$.etablissement.inconnu", None) in found
    assert ("$.declaration.mois", "S20.G00.05.005") in found
    assert all(e.ligne is None for e in caught.value.erreurs)
    first = caught.value.erreurs[0]
    assert caught.value.message.startswith(f"{first.chemin} : {first.message} (et ")


def test_json_structure_refusals() -> None:
    data = _json()
    del data["salaries"][0]["versements"]
    data["salaries"][1]["contrats"].append({"date_debut": "2026-03-01"})
    with pytest.raises(DsnError) as caught:
        parse_dsn_json(data)
    messages = [(e.chemin, e.message) for e in caught.value.erreurs]
    assert any(
        chemin == "$.salaries[0]" and "doit contenir au moins un bloc S21.G00.50 (Versement individu)" in message
        for chemin, message in messages
    ), messages
    assert any(chemin == "$.salaries[1].contrats[1]" and "numéro du contrat" in message for chemin, message in messages)
    for bad in ("[]", "{", b"\xff", '{"format": "autre"}'):
        with pytest.raises(DsnError):
            parse_dsn_json(bad)


# ---------------------------------------------------------------------------
# Fuzzing: whatever comes in, the parser answers with a Declaration or a DsnError

_BASE = lines_of()
_RUBRIQUE_IDS = sorted({line.split(",", 1)[0] for line in _BASE})


def _parse_or_refuse(data: str | bytes) -> None:
    try:
        result = parse_dsn(data)
    except DsnError as error:
        assert error.erreurs and error.message
        return
    assert isinstance(result, Declaration)
    payslips(result)


_values = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"-?[0-9]{1,12}(\.[0-9]{1,3})?", fullmatch=True),
    st.sampled_from(["", "''", "01", "99", "01132026", "29022025", "1.5", "-0.00", "P26V01", "ÿ", "\x00"]),
)
_random_line = st.one_of(
    st.text(max_size=40),
    st.builds(lambda r, v: f"{r},'{v}'", st.sampled_from(_RUBRIQUE_IDS), _values),
    st.builds(lambda b, n, v: f"S{b[0]:02d}.G{b[1]:02d}.{b[2]:02d}.{n:03d},'{v}'",
              st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)), st.integers(0, 999), _values),
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_random_line, max_size=30))
def test_fuzz_random_lines(lines: list[str]) -> None:
    _parse_or_refuse("\n".join(lines))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(_BASE) - 1), st.sampled_from(["replace", "delete", "insert", "value"]), _random_line, _values),
        min_size=1,
        max_size=4,
    )
)
def test_fuzz_mutations_of_a_good_file(mutations: list[tuple[int, str, str, str]]) -> None:
    lines = list(_BASE)
    for index, kind, line, value in mutations:
        index %= len(lines) or 1
        if kind == "replace" and lines:
            lines[index] = line
        elif kind == "delete" and lines:
            del lines[index]
        elif kind == "insert":
            lines.insert(index, line)
        elif lines:
            lines[index] = lines[index].split(",", 1)[0] + f",'{value}'"
    _parse_or_refuse(text_of(lines, fix_total=False))
    _parse_or_refuse(text_of(lines))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_bytes(data: bytes) -> None:
    _parse_or_refuse(data)


_json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10))
_json_any = st.recursive(
    _json_leaf,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["envoi", "emetteur", "declaration", "entreprise", "etablissement", "salaries", "bordereaux"]),
       st.sampled_from(["", "0", "contrats", "versements", "nir", "siren", "mois"]), _json_any)  # fmt: skip
def test_fuzz_json(section: str, key: str, value: object) -> None:
    data = _json()
    target = data[section]
    if isinstance(target, list):
        target = target[0]
    if key:
        target[key] = value
    else:
        data[section] = value
    try:
        result = parse_dsn_json(data)
    except DsnError:
        return
    assert isinstance(result, Declaration)
