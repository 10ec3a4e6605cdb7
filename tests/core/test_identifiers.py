"""Tests of secu.core.identifiers: NIR, SIREN/SIRET, NAF, IBAN/BIC, RPPS."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban

from secu.core.errors import InvalidField
from secu.core.identifiers import (
    IBAN_LENGTHS,
    SEPA_COUNTRIES,
    Nir,
    check_nir_matches,
    cle_nir,
    mask_nir,
    parse_nir,
    siren_of,
    validate_bic,
    validate_iban,
    validate_naf,
    validate_rpps,
    validate_siren,
    validate_siret,
)


def independent_key(body: str) -> str:
    """The INSEE rule written out: 97 - (13 digits mod 97), 2A -> 19 and 2B -> 18."""
    digits = body.replace("2A", "19").replace("2B", "18")
    return f"{97 - int(digits) % 97:02d}"


def assert_message_hides_number(exc: InvalidField, typed: str) -> None:
    """No NIR, nor any long run of its digits, may appear in an error."""
    compact = re.sub(r"[\s.]", "", typed)
    for text in (exc.message, str(exc), repr(exc)):
        assert compact not in text or len(compact) < 3
        assert not re.search(r"\d{3,}", text)


# --------------------------------------------------------------------------
# Valid NIRs

# From stdnum.fr.nir doctests (born abroad, Corsica 2B, Corsica 2A).
NIR_ETRANGER = "295109912611193"
NIR_2B = "253072B07300470"
NIR_2A = "253072A07300443"
# Published worked examples: scienceetonnante.com (key 15) and trabucaire.free.fr (key 77).
NIR_SEINE_MARITIME = "137047624348415"
NIR_PARIS = "262087503203977"
# Built for these tests, key computed by independent_key below.
NIR_GUADELOUPE = "185059710512361"  # born in 971 (Guadeloupe), commune 05
NIR_MARTINIQUE = "292039720904586"  # born in 972 (Martinique)
NIR_PROVISOIRE_HOMME = "785059935012320"  # provisional (7), born in Morocco (99350)
NIR_PROVISOIRE_FEMME = "890059913504545"  # provisional (8), born in Spain (99134)
NIR_MOIS_20 = "185207511234575"  # month code 20: month unknown
NIR_MOIS_50 = "185507511234570"  # month code 50
NIR_CORSE_AVANT_1976 = "165502000412380"  # département 20: Corsica before 1976


@pytest.mark.parametrize(
    "value",
    [
        NIR_ETRANGER,
        NIR_2B,
        NIR_2A,
        NIR_SEINE_MARITIME,
        NIR_PARIS,
        NIR_GUADELOUPE,
        NIR_MARTINIQUE,
        NIR_PROVISOIRE_HOMME,
        NIR_PROVISOIRE_FEMME,
        NIR_MOIS_20,
        NIR_MOIS_50,
        NIR_CORSE_AVANT_1976,
    ],
)
def test_known_valid_nirs(value):
    assert independent_key(value[:13]) == value[13:]
    assert cle_nir(value[:13]) == value[13:]
    assert parse_nir(value).value == value


def test_parse_nir_compacts_spaces_dots_and_case():
    assert parse_nir("2 95 10 99 126 111 93").value == NIR_ETRANGER
    assert parse_nir(" 1.37.04.76.243.484.15 ").value == NIR_SEINE_MARITIME
    assert parse_nir("2 53 07 2a 073 004 43").value == NIR_2A


def test_nir_reading_born_abroad():
    nir = parse_nir(NIR_ETRANGER)
    assert nir.sexe == "2"
    assert nir.annee_naissance_2 == "95"
    assert nir.mois_naissance == 10
    assert nir.mois_naissance_connu
    assert nir.lieu_naissance == "99126"  # 126 = Grèce in the INSEE country code
    assert nir.is_ne_etranger
    assert not nir.is_ne_outre_mer
    assert not nir.is_corse
    assert not nir.is_provisoire


@pytest.mark.parametrize(
    ("value", "lieu"),
    [(NIR_2A, "2A073"), (NIR_2B, "2B073"), (NIR_CORSE_AVANT_1976, "20004")],
)
def test_nir_reading_corsica(value, lieu):
    nir = parse_nir(value)
    assert nir.is_corse
    assert nir.lieu_naissance == lieu
    assert not nir.is_ne_etranger
    assert not nir.is_ne_outre_mer


def test_nir_reading_overseas():
    nir = parse_nir(NIR_GUADELOUPE)
    assert nir.sexe == "1"
    assert nir.annee_naissance_2 == "85"
    assert nir.mois_naissance == 5
    assert nir.lieu_naissance == "97105"
    assert nir.is_ne_outre_mer
    assert not nir.is_ne_etranger
    assert not nir.is_corse
    assert parse_nir(NIR_MARTINIQUE).lieu_naissance == "97209"


def test_nir_reading_provisional():
    homme = parse_nir(NIR_PROVISOIRE_HOMME)
    femme = parse_nir(NIR_PROVISOIRE_FEMME)
    assert homme.is_provisoire and homme.sexe == "1"
    assert femme.is_provisoire and femme.sexe == "2"
    assert homme.is_ne_etranger


def test_provisional_refused_when_asked():
    with pytest.raises(InvalidField) as exc:
        parse_nir(NIR_PROVISOIRE_HOMME, allow_provisional=False)
    assert exc.value.message == "le premier chiffre du NIR (sexe) doit être 1 ou 2"


def test_special_month_codes():
    assert parse_nir(NIR_MOIS_20).mois_naissance == 20
    assert not parse_nir(NIR_MOIS_20).mois_naissance_connu
    assert parse_nir(NIR_MOIS_50).mois_naissance == 50


# --------------------------------------------------------------------------
# Display and masking


def test_formatted():
    assert parse_nir(NIR_ETRANGER).formatted() == "2 95 10 99 126 111 93"
    assert parse_nir(NIR_2A).formatted() == "2 53 07 2A 073 004 43"


def test_repr_and_str_mask_the_number():
    nir = parse_nir(NIR_GUADELOUPE)
    assert repr(nir) == "Nir(1 85 05 ** *** *** **)"
    assert str(nir) == "1 85 05 ** *** *** **"
    assert f"{nir}" == "1 85 05 ** *** *** **"
    for text in (repr(nir), str(nir), repr([nir]), repr({"nir": nir})):
        assert NIR_GUADELOUPE not in text
        assert "971" not in text
        assert nir.formatted() not in text


def test_mask_nir():
    assert mask_nir(NIR_ETRANGER) == "2 95 10 ** *** *** **"
    assert mask_nir("2 95 10 99 126 111 93") == "2 95 10 ** *** *** **"
    assert mask_nir("12345") == "<NIR masqué>"
    assert mask_nir("2951099126111930000") == "<NIR masqué>"
    assert mask_nir(None) == "<NIR masqué>"


def test_nir_equality_and_hash():
    assert parse_nir("2 95 10 99 126 111 93") == parse_nir(NIR_ETRANGER)
    assert len({parse_nir(NIR_ETRANGER), parse_nir(NIR_ETRANGER)}) == 1


def test_nir_constructor_checks_too():
    with pytest.raises(InvalidField) as exc:
        Nir("295109912611199")
    assert exc.value.message == "la clé du NIR est incorrecte"
    with pytest.raises(InvalidField):
        Nir(295109912611193)


# --------------------------------------------------------------------------
# Invalid NIRs


def with_key(body: str) -> str:
    """Complete a 13-character body with its right key, so that only the targeted defect remains."""
    return body + independent_key(body)


LENGTH_MSG = "le NIR doit comporter 15 caractères (13 chiffres et une clé de 2 chiffres)"
DIGITS_MSG = "le NIR ne doit comporter que des chiffres (sauf 2A ou 2B pour la Corse)"
SEX_MSG = "le premier chiffre du NIR (sexe) doit être 1 ou 2, ou 7 ou 8 pour un numéro provisoire"
MONTH_MSG = "le mois de naissance du NIR (4e et 5e chiffres) est impossible"
KEY_MSG = "la clé du NIR est incorrecte"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("295109912611199", KEY_MSG),  # stdnum doctest
        ("295109912611139", KEY_MSG),  # swapped key digits
        ("185059710512360", KEY_MSG),
        ("6546546546546703", LENGTH_MSG),
        ("29510991261119", LENGTH_MSG),
        ("2951099126111", "la clé du NIR (2 derniers chiffres) est manquante"),
        ("", "le NIR est obligatoire"),
        ("   ", "le NIR est obligatoire"),
        ("253072C07300443", DIGITS_MSG),
        ("29510991261119A", DIGITS_MSG),
        ("2951O9912611193", DIGITS_MSG),
        ("2-95-10-99-126-111-93", LENGTH_MSG),
        (with_key("3850575112345"), SEX_MSG),
        (with_key("4850575112345"), SEX_MSG),
        (with_key("0850575112345"), SEX_MSG),
        (with_key("1851375112345"), MONTH_MSG),
        (with_key("1850075112345"), MONTH_MSG),
        (with_key("1851975112345"), MONTH_MSG),
        (with_key("1854575112345"), MONTH_MSG),
    ],
)
def test_invalid_nirs_say_what_is_wrong_without_the_number(value, message):
    with pytest.raises(InvalidField) as exc:
        parse_nir(value)
    assert exc.value.field == "nir"
    assert exc.value.message == message
    assert_message_hides_number(exc.value, value)


def test_invalid_nir_field_can_be_named():
    with pytest.raises(InvalidField) as exc:
        parse_nir("295109912611199", field="nir_ayant_droit")
    assert exc.value.field == "nir_ayant_droit"
    assert str(exc.value) == "nir_ayant_droit : la clé du NIR est incorrecte"


def test_parse_nir_refuses_non_string():
    with pytest.raises(InvalidField) as exc:
        parse_nir(295109912611193)
    assert exc.value.message == "le NIR doit être une chaîne de caractères"


# --------------------------------------------------------------------------
# Property tests: key round-trip and error detection

nir_bodies = st.builds(
    lambda sexe, annee, mois, dept, commune, ordre: (
        f"{sexe}{annee:02d}{mois:02d}{dept}{commune:03d}{ordre:03d}"
    ),
    st.sampled_from("1278"),
    st.integers(0, 99),
    st.one_of(st.integers(1, 12), st.integers(20, 42), st.integers(50, 99)),
    st.one_of(st.sampled_from(["2A", "2B", "99", "97", "98"]), st.integers(1, 95).map(lambda n: f"{n:02d}")),
    st.integers(0, 999),
    st.integers(1, 999),
)


@given(nir_bodies)
def test_nir_key_round_trip(body):
    key = cle_nir(body)
    assert key == independent_key(body)
    assert 1 <= int(key) <= 97
    nir = parse_nir(body + key)
    assert nir.value == body + key
    assert parse_nir(nir.formatted()) == nir


@given(nir_bodies, st.integers(7, 12), st.integers(1, 9))
def test_any_single_digit_change_in_commune_or_ordre_breaks_the_key(body, position, delta):
    assume(body[5:7] not in ("2A", "2B") or position >= 7)
    key = cle_nir(body)
    changed = body[:position] + str((int(body[position]) + delta) % 10) + body[position + 1 :]
    with pytest.raises(InvalidField) as exc:
        parse_nir(changed + key)
    assert exc.value.message == "la clé du NIR est incorrecte"


@given(nir_bodies, st.integers(1, 96))
def test_any_other_key_is_refused(body, shift):
    good = int(cle_nir(body))
    wrong = (good - 1 + shift) % 97 + 1
    with pytest.raises(InvalidField) as exc:
        parse_nir(f"{body}{wrong:02d}")
    assert exc.value.message == "la clé du NIR est incorrecte"


@given(st.text(alphabet="0123456789AB .-xé", max_size=20))
def test_errors_never_echo_random_input(text):
    try:
        parse_nir(text)
    except InvalidField as exc:
        assert_message_hides_number(exc, text)


# --------------------------------------------------------------------------
# check_nir_matches


def test_check_nir_matches_accepts_coherent_person():
    check_nir_matches(parse_nir(NIR_ETRANGER), date_naissance=date(1995, 10, 3), sexe="2")
    check_nir_matches(parse_nir(NIR_GUADELOUPE), date_naissance=date(1985, 5, 31), sexe="1")
    check_nir_matches(parse_nir(NIR_2A), date_naissance=date(1953, 7, 1), sexe="2")
    # The century is not in the NIR: 1895 and 1995 both end in 95.
    check_nir_matches(parse_nir(NIR_ETRANGER), date_naissance=date(1895, 10, 3), sexe="2")


def test_check_nir_matches_skips_unknown_month():
    check_nir_matches(parse_nir(NIR_MOIS_20), date_naissance=date(1985, 7, 14), sexe="1")
    check_nir_matches(parse_nir(NIR_MOIS_50), date_naissance=date(1985, 1, 1), sexe="1")


def test_check_nir_matches_provisional_reads_7_as_man_8_as_woman():
    check_nir_matches(parse_nir(NIR_PROVISOIRE_HOMME), date_naissance=date(1985, 5, 2), sexe="1")
    check_nir_matches(parse_nir(NIR_PROVISOIRE_FEMME), date_naissance=date(1990, 5, 2), sexe="2")
    with pytest.raises(InvalidField):
        check_nir_matches(parse_nir(NIR_PROVISOIRE_FEMME), date_naissance=date(1990, 5, 2), sexe="1")


@pytest.mark.parametrize(
    ("naissance", "sexe", "field", "message"),
    [
        (date(1995, 10, 3), "1", "nir", "le premier chiffre du NIR ne correspond pas au sexe indiqué"),
        (date(1996, 10, 3), "2", "nir", "l'année de naissance du NIR ne correspond pas à la date de naissance"),
        (date(1995, 11, 3), "2", "nir", "le mois de naissance du NIR ne correspond pas à la date de naissance"),
        (date(1995, 10, 3), "F", "sexe", "le sexe doit être 1 (homme) ou 2 (femme)"),
        (date(1995, 10, 3), "3", "sexe", "le sexe doit être 1 (homme) ou 2 (femme)"),
    ],
)
def test_check_nir_matches_refuses_mismatch(naissance, sexe, field, message):
    with pytest.raises(InvalidField) as exc:
        check_nir_matches(parse_nir(NIR_ETRANGER), date_naissance=naissance, sexe=sexe)
    assert exc.value.field == field
    assert exc.value.message == message
    assert_message_hides_number(exc.value, NIR_ETRANGER)


def test_check_nir_matches_field_name():
    with pytest.raises(InvalidField) as exc:
        check_nir_matches(
            parse_nir(NIR_ETRANGER), date_naissance=date(1995, 1, 1), sexe="2", field="nir_assure"
        )
    assert exc.value.field == "nir_assure"


# --------------------------------------------------------------------------
# SIREN / SIRET

# stdnum doctests and test_fr_siret.doctest ("found online").
VALID_SIRETS = ["73282932000074", "30206838200050", "314 901 323 00043", "329.338.88300153", "44126652500019"]


@pytest.mark.parametrize("value", VALID_SIRETS)
def test_valid_sirets(value):
    assert validate_siret(value) == re.sub(r"[ .]", "", value)


def test_la_poste_sirets_use_sum_of_digits():
    # Luhn would refuse these; La Poste's rule (sum of digits multiple of 5) accepts them.
    assert validate_siret("35600000049837") == "35600000049837"
    assert validate_siret("356 000 000 09075") == "35600000009075"
    assert validate_siret("35600000000048") == "35600000000048"  # head office, Luhn
    with pytest.raises(InvalidField) as exc:
        validate_siret("35600000049838")
    assert exc.value.message == "la clé de contrôle du SIRET est incorrecte"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("73282932000079", "la clé de contrôle du SIRET est incorrecte"),
        ("7328293200007", "le SIRET doit comporter 14 chiffres"),
        ("732829320000744", "le SIRET doit comporter 14 chiffres"),
        ("7328293200007A", "le SIRET ne doit comporter que des chiffres"),
        ("", "le SIRET est obligatoire"),
    ],
)
def test_invalid_sirets(value, message):
    with pytest.raises(InvalidField) as exc:
        validate_siret(value)
    assert exc.value.field == "siret"
    assert exc.value.message == message


def test_siren():
    assert validate_siren("732 829 320") == "732829320"
    assert validate_siren("356000000") == "356000000"
    for value, message in [
        ("732829321", "la clé de contrôle du SIREN est incorrecte"),
        ("73282932", "le SIREN doit comporter 9 chiffres"),
        ("73282932A", "le SIREN ne doit comporter que des chiffres"),
    ]:
        with pytest.raises(InvalidField) as exc:
            validate_siren(value, field="siren_employeur")
        assert exc.value.field == "siren_employeur"
        assert exc.value.message == message


def test_siren_of():
    assert siren_of("732 829 320 00074") == "732829320"
    assert siren_of("35600000049837") == "356000000"
    with pytest.raises(InvalidField):
        siren_of("73282932000079")


# --------------------------------------------------------------------------
# NAF


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("62.01Z", "62.01Z"),
        ("6201Z", "62.01Z"),
        ("62.01z", "62.01Z"),
        (" 86.21Z ", "86.21Z"),
        ("62 01 Z", "62.01Z"),
        ("0111Z", "01.11Z"),
    ],
)
def test_valid_naf(value, expected):
    assert validate_naf(value) == expected


@pytest.mark.parametrize("value", ["620Z", "62.01", "62-01Z", "A2.01Z", "62.011", "62.01ZZ", "6.201Z", ""])
def test_invalid_naf(value):
    with pytest.raises(InvalidField) as exc:
        validate_naf(value)
    assert exc.value.field == "code_naf"


# --------------------------------------------------------------------------
# IBAN


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("FR7630006000011234567890189", "FR7630006000011234567890189"),
        ("fr76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189"),
        # IBAN registry examples (stdnum test_iban.doctest), account number with a letter:
        ("FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606"),
        ("MC58 1122 2000 0101 2345 6789 030", "MC5811222000010123456789030"),
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"),
        ("BE31435411161155", "BE31435411161155"),
    ],
)
def test_valid_ibans(value, expected):
    assert validate_iban(value) == expected


def test_iban_outside_sepa_refused_even_if_valid():
    brazil = "BR1800360305000010009795493C1"
    assert stdnum_iban.is_valid(brazil)
    with pytest.raises(InvalidField) as exc:
        validate_iban(brazil)
    assert exc.value.message == "l'IBAN doit être celui d'un compte dans un pays de la zone SEPA"


def test_french_iban_with_wrong_rib_key_is_refused():
    # Same account with RIB key 88 instead of 89, IBAN check digits recomputed so that
    # the mod-97 IBAN check passes: only the RIB key can catch it.
    bban = "30006000011234567890188"
    forged = "FR" + stdnum_iban.calc_check_digits("FR00" + bban) + bban
    assert stdnum_iban.is_valid(forged)
    with pytest.raises(InvalidField) as exc:
        validate_iban(forged)
    assert exc.value.message == "la clé RIB contenue dans l'IBAN est incorrecte"


IBAN_SHAPE_MSG = "l'IBAN doit commencer par 2 lettres et 2 chiffres, suivis de lettres et de chiffres"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("FR7630006000011234567890188", "la clé de contrôle de l'IBAN est incorrecte"),
        ("FR7630006000011234567890", "un IBAN FR doit comporter 27 caractères"),
        ("BE314354111611550", "un IBAN BE doit comporter 16 caractères"),
        # Right length and key, but a letter where the French structure wants digits (bank code):
        ("FR" + stdnum_iban.calc_check_digits("FR00A0006000011234567890189") + "A0006000011234567890189",
         "l'IBAN n'a pas la forme prévue pour son pays"),
        ("7630006000011234567890189", IBAN_SHAPE_MSG),
        ("FR76-3000_6000", IBAN_SHAPE_MSG),
        ("", "l'IBAN est obligatoire"),
    ],
)
def test_invalid_ibans(value, message):
    with pytest.raises(InvalidField) as exc:
        validate_iban(value)
    assert exc.value.field == "iban"
    assert exc.value.message == message


def test_sepa_countries_are_the_41_of_the_epc_scope():
    assert len(SEPA_COUNTRIES - {"GI"}) == 41
    assert {"FR", "MC", "CH", "GB", "NO", "AD", "VA", "RS"} <= SEPA_COUNTRIES
    assert not {"US", "BR", "PF", "NC", "TR"} & SEPA_COUNTRIES


def test_iban_lengths_agree_with_stdnum_registry_copy():
    # stdnum ships the SWIFT IBAN registry (iban.dat): length = 4 + the BBAN structure.
    from stdnum import numdb

    database = numdb.get("iban")
    for country, length in IBAN_LENGTHS.items():
        structure = database.info(country + "00")[0][1]["bban"]
        assert 4 + sum(int(n) for n in re.findall(r"(\d+)!", structure)) == length, country


# --------------------------------------------------------------------------
# BIC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("AGRIFRPP882", "AGRIFRPP882"),
        ("AGRIFRPP", "AGRIFRPP"),
        ("agri frpp", "AGRIFRPP"),
        ("ABNA BE 2A", "ABNABE2A"),
        ("BDFEFRPPCCT", "BDFEFRPPCCT"),  # Banque de France
    ],
)
def test_valid_bics(value, expected):
    assert validate_bic(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("AGRIFRPP8", "le BIC doit comporter 8 ou 11 caractères"),
        ("AGRIFR", "le BIC doit comporter 8 ou 11 caractères"),
        (
            "AGRIF2PP",
            "le BIC doit comporter 4 lettres (banque), 2 lettres (pays), "
            "2 lettres ou chiffres (lieu) et éventuellement 3 lettres ou chiffres (agence)",
        ),
        ("MULTIPLE", "le code pays du BIC est inconnu"),  # IP is no country
    ],
)
def test_invalid_bics(value, message):
    with pytest.raises(InvalidField) as exc:
        validate_bic(value)
    assert exc.value.field == "bic"
    assert exc.value.message == message


# --------------------------------------------------------------------------
# RPPS


def test_valid_rpps():
    assert validate_rpps("10000000009") == "10000000009"
    assert validate_rpps("101 2345 6781") == "10123456781"


def test_rpps_key_is_luhn_only_one_last_digit_fits():
    accepted = []
    for last in "0123456789":
        try:
            validate_rpps("1012345678" + last)
            accepted.append(last)
        except InvalidField:
            pass
    assert accepted == ["1"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10000000001", "la clé de contrôle du numéro RPPS est incorrecte"),
        ("1000000000", "le numéro RPPS doit comporter 11 chiffres"),
        ("810000000009", "le numéro RPPS doit comporter 11 chiffres"),
        ("1000000000A", "le numéro RPPS ne doit comporter que des chiffres"),
        ("１0000000009", "le numéro RPPS ne doit comporter que des chiffres"),
        ("", "le numéro RPPS est obligatoire"),
    ],
)
def test_invalid_rpps(value, message):
    with pytest.raises(InvalidField) as exc:
        validate_rpps(value)
    assert exc.value.field == "rpps"
    assert exc.value.message == message
