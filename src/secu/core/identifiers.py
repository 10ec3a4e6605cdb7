"""Identifiers of persons, employers, banks and health professionals.

Checksums come from python-stdnum; what this module adds is the French
régime général's reading of each number and a French message naming
exactly what is wrong, raised as InvalidField.

The NIR is personal data whose use is framed by law (décret n° 2019-341):
a Nir never shows its number in repr/str, and no error message ever
repeats the number that was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from secu.core.errors import InvalidField

# ==========================================================================
# NIR


NIR_LENGTH = 15
SEXES = MappingProxyType({"1": "homme", "2": "femme"})
PROVISIONAL_SEX_DIGITS = MappingProxyType({"7": "1", "8": "2"})
"""Sex digit of a provisional number -> sex ("7" man, "8" woman)."""

_MASKED_UNKNOWN = "<NIR masqué>"
_NIR_BODY_RE = re.compile(r"[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}")
"""The 13 characters before the key: 2A/2B only in the département position."""
_NIR_RE = re.compile(r"[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8}")


def _is_special_month(month: int) -> bool:
    """Month codes INSEE uses when the civil status gives no usable month.

    Sources do not agree on the exact ranges (20; 20-30; 30-42; 50-99 are
    all quoted for persons registered on an incomplete civil status), so we
    accept the union 20-42 and 50-99 rather than refuse a genuine number
    whose key is right. 00, 13-19 and 43-49 are never used.
    """
    return 20 <= month <= 42 or 50 <= month <= 99


def _is_valid_month(month: int) -> bool:
    """A real month 01-12, or a special code (see _is_special_month)."""
    return 1 <= month <= 12 or _is_special_month(month)


@dataclass(frozen=True, repr=False)
class Nir:
    """A checked NIR (numéro d'inscription au répertoire), 15 characters.

    ``value`` is the compact form: 13 characters and the 2-digit key, with
    "2A"/"2B" kept for Corsica. Build it with parse_nir. The number is
    never shown by repr() or str(), which print a mask; use formatted() to
    display it to the person it belongs to.

    Layout: sexe (1) année (2) mois (2) lieu de naissance (5: département +
    commune, "97x"+2 digits overseas, "99"+country abroad) ordre (3) clé (2).
    """

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str):
            raise InvalidField("nir", "le NIR doit être une chaîne de caractères")
        _check_nir(self.value, field="nir", allow_provisional=True)

    # -- reading the number --------------------------------------------------

    @property
    def sexe(self) -> str:
        """The person's sex, "1" (homme) or "2" (femme).

        A provisional number (first digit 7 or 8) gives "1" for 7 and "2"
        for 8: the sex is the same information, only the status differs (see
        is_provisoire).
        """
        digit = self.value[0]
        return PROVISIONAL_SEX_DIGITS.get(digit, digit)

    @property
    def is_provisoire(self) -> bool:
        """True for a provisional number (first digit 7 or 8), pending RNIPP certification."""
        return self.value[0] in PROVISIONAL_SEX_DIGITS

    @property
    def annee_naissance_2(self) -> str:
        """The last two digits of the year of birth ("85"); the century is not in the NIR."""
        return self.value[1:3]

    @property
    def mois_naissance(self) -> int:
        """The month code: 1-12, or a special code (20-42, 50-99) when the month is unknown."""
        return int(self.value[3:5])

    @property
    def mois_naissance_connu(self) -> bool:
        """True when mois_naissance is a real month (1-12)."""
        return 1 <= self.mois_naissance <= 12

    @property
    def lieu_naissance(self) -> str:
        """The 5-character place of birth: département + commune, or "99" + country code."""
        return self.value[5:10]

    @property
    def is_corse(self) -> bool:
        """Born in Corsica: "2A"/"2B" (births from 1976) or "20" (earlier births)."""
        return self.value[5:7] in ("2A", "2B", "20")

    @property
    def is_ne_outre_mer(self) -> bool:
        """Born overseas: département/collectivité codes 97x and 98x."""
        return self.value[5:7] in ("97", "98")

    @property
    def is_ne_etranger(self) -> bool:
        """Born abroad: place of birth "99" followed by the INSEE country code."""
        return self.value[5:7] == "99"

    # -- display ---------------------------------------------------------------

    def formatted(self) -> str:
        """The full number in its usual spacing, '2 95 10 99 126 111 93', for display to its owner."""
        return stdnum_nir.format(self.value)

    def masked(self) -> str:
        """Sex, year and month only: '1 85 05 ** *** *** **'."""
        return mask_nir(self.value)

    def __repr__(self) -> str:
        return f"Nir({self.masked()})"

    def __str__(self) -> str:
        return self.masked()


def mask_nir(value: str) -> str:
    """Mask a NIR for logs: keep sex, year and month, hide place, order and key.

    '185057512345678' -> '1 85 05 ** *** *** **'. Anything that is not 15
    characters once compacted gives '<NIR masqué>', so a malformed input
    never leaks either.
    """
    try:
        compact = stdnum_nir.compact(value)
    except (ValidationError, TypeError, AttributeError):
        return _MASKED_UNKNOWN
    if len(compact) != NIR_LENGTH:
        return _MASKED_UNKNOWN
    return f"{compact[0]} {compact[1:3]} {compact[3:5]} ** *** *** **"


def cle_nir(corps: str) -> str:
    """Compute the 2-digit key of the 13 first characters of a NIR.

    Key = 97 - (the 13-digit number mod 97), Corsica's 2A and 2B counting as
    19 and 18 (stdnum.fr.nir.calc_check_digits).
    """
    if not isinstance(corps, str) or len(corps) != NIR_LENGTH - 2:
        raise InvalidField("nir", "le corps du NIR doit comporter 13 caractères")
    if not _NIR_BODY_RE.fullmatch(corps):
        raise InvalidField("nir", "le NIR ne doit comporter que des chiffres (sauf 2A ou 2B pour la Corse)")
    return stdnum_nir.calc_check_digits(corps + "00")


def _check_nir(value: str, *, field: str, allow_provisional: bool) -> None:
    """Check a compact NIR, naming the first thing wrong (never quoting the number)."""
    if not value:
        raise InvalidField(field, "le NIR est obligatoire")
    if len(value) == NIR_LENGTH - 2 and _NIR_BODY_RE.fullmatch(value):
        raise InvalidField(field, "la clé du NIR (2 derniers chiffres) est manquante")
    if len(value) != NIR_LENGTH:
        raise InvalidField(field, "le NIR doit comporter 15 caractères (13 chiffres et une clé de 2 chiffres)")
    if not _NIR_RE.fullmatch(value):
        raise InvalidField(field, "le NIR ne doit comporter que des chiffres (sauf 2A ou 2B pour la Corse)")
    sex = value[0]
    if sex not in SEXES and not (allow_provisional and sex in PROVISIONAL_SEX_DIGITS):
        expected = "1 ou 2, ou 7 ou 8 pour un numéro provisoire" if allow_provisional else "1 ou 2"
        raise InvalidField(field, f"le premier chiffre du NIR (sexe) doit être {expected}")
    if not _is_valid_month(int(value[3:5])):
        raise InvalidField(field, "le mois de naissance du NIR (4e et 5e chiffres) est impossible")
    if stdnum_nir.calc_check_digits(value) != value[13:]:
        raise InvalidField(field, "la clé du NIR est incorrecte")


def parse_nir(value: str, *, field: str = "nir", allow_provisional: bool = True) -> Nir:
    """Read a NIR typed by a person and return a checked Nir, or raise InvalidField.

    Spaces and dots are removed and letters upper-cased ("2a" -> "2A").
    Checked: length 15, digits (2A/2B allowed in the département), sex
    digit, month code, and the key (stdnum).

    Provisional numbers (first digit 7 or 8) are accepted by default: the
    régime général immatriculates persons born abroad under such a number
    while the RNIPP certifies them, and refusing it would leave them without
    cover. Pass allow_provisional=False where only a certified NIR will do.
    3 and 4 are refused.

    Corsica: 2A/2B appear only for births from 1976, "20" before. The year
    in the NIR has no century, so we do not cross-check and accept both.

    Messages say what is wrong and never contain the number.
    """
    if not isinstance(value, str):
        raise InvalidField(field, "le NIR doit être une chaîne de caractères")
    compact = stdnum_nir.compact(value)
    _check_nir(compact, field=field, allow_provisional=allow_provisional)
    return Nir(compact)


def check_nir_matches(nir: Nir, *, date_naissance: date, sexe: str, field: str = "nir") -> None:
    """Check that a NIR agrees with the person's sex and date of birth, or raise InvalidField.

    Compared: the sex digit ("1" homme, "2" femme; 7/8 read as 1/2), the
    last two digits of the year, and the month unless the NIR carries a
    special month code (unknown month at registration).
    """
    if not isinstance(sexe, str) or sexe not in SEXES:
        raise InvalidField("sexe", "le sexe doit être 1 (homme) ou 2 (femme)")
    if not isinstance(date_naissance, date):
        raise InvalidField("date_naissance", "la date de naissance doit être une date")
    if nir.sexe != sexe:
        raise InvalidField(field, "le premier chiffre du NIR ne correspond pas au sexe indiqué")
    if nir.annee_naissance_2 != f"{date_naissance.year % 100:02d}":
        raise InvalidField(field, "l'année de naissance du NIR ne correspond pas à la date de naissance")
    if nir.mois_naissance_connu and nir.mois_naissance != date_naissance.month:
        raise InvalidField(field, "le mois de naissance du NIR ne correspond pas à la date de naissance")


# ==========================================================================
# Companies: SIREN, SIRET, NAF


def _require_text(value: str, field: str, label: str) -> str:
    """Refuse non-strings and empty strings; label is the noun with its article ("le SIRET", "l'IBAN")."""
    if not isinstance(value, str):
        raise InvalidField(field, f"{label} doit être une chaîne de caractères")
    if not value.strip():
        raise InvalidField(field, f"{label} est obligatoire")
    return value


def validate_siren(value: str, field: str = "siren") -> str:
    """Return a checked SIREN (9 digits, Luhn key), spaces and dots removed."""
    _require_text(value, field, "le SIREN")
    try:
        return stdnum_siren.validate(value)
    except InvalidLength:  # a subclass of InvalidFormat: test it first
        raise InvalidField(field, "le SIREN doit comporter 9 chiffres") from None
    except InvalidFormat:
        raise InvalidField(field, "le SIREN ne doit comporter que des chiffres") from None
    except InvalidChecksum:
        raise InvalidField(field, "la clé de contrôle du SIREN est incorrecte") from None


def validate_siret(value: str, field: str = "siret") -> str:
    """Return a checked SIRET (14 digits), spaces and dots removed.

    The key is Luhn over the 14 digits, and the first 9 must be a valid
    SIREN; La Poste's establishments (SIREN 356000000, other than the head
    office 35600000000048) follow another rule, the sum of the digits being
    a multiple of 5, which stdnum applies.
    """
    _require_text(value, field, "le SIRET")
    try:
        return stdnum_siret.validate(value)
    except InvalidLength:  # a subclass of InvalidFormat: test it first
        raise InvalidField(field, "le SIRET doit comporter 14 chiffres") from None
    except InvalidFormat:
        raise InvalidField(field, "le SIRET ne doit comporter que des chiffres") from None
    except InvalidChecksum:
        raise InvalidField(field, "la clé de contrôle du SIRET est incorrecte") from None


def siren_of(siret: str, field: str = "siret") -> str:
    """Return the SIREN (first 9 digits) of a SIRET, after checking the SIRET."""
    return validate_siret(siret, field)[:9]


_NAF_RE = re.compile(r"([0-9]{2})\.?([0-9]{2})([A-Z])")


def validate_naf(value: str, field: str = "code_naf") -> str:
    """Return a NAF rév. 2 code in its official form "62.01Z".

    Accepts "6201Z", "62.01z", "62 01 Z". Only the format is checked
    (2 digits, point, 2 digits, a letter): the nomenclature itself is not
    bundled here.
    """
    _require_text(value, field, "le code NAF")
    compact = value.replace(" ", "").upper()
    match = _NAF_RE.fullmatch(compact)
    if not match:
        raise InvalidField(field, "le code NAF doit avoir la forme 62.01Z (4 chiffres et une lettre)")
    division_groupe, classe, letter = match.groups()
    return f"{division_groupe}.{classe}{letter}"


# ==========================================================================
# Banks: IBAN, BIC


IBAN_LENGTHS = {
    # European Union
    "AT": 20, "BE": 16, "BG": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24,
    "FI": 18, "FR": 27, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IT": 27, "LT": 20, "LU": 20,
    "LV": 21, "MT": 31, "NL": 18, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24,
    # EEA
    "IS": 26, "LI": 21, "NO": 15,
    # other countries of the SEPA schemes' scope (GI: Gibraltar, part of the UK's participation)
    "CH": 21, "GB": 22, "GI": 23, "MC": 27, "SM": 27, "VA": 22, "AD": 24,
    # admitted by the EPC in 2024-2025: Albania, Montenegro, Moldova, North Macedonia, Serbia
    "AL": 28, "ME": 22, "MD": 24, "MK": 19, "RS": 22,
}  # fmt: skip
"""IBAN length by country code, for the SEPA schemes' geographical scope (41 countries, EPC, 2025).

Lengths are those of the SWIFT IBAN registry (the same as stdnum's iban.dat,
checked in the tests). French overseas départements, Saint-Barthélemy,
Saint-Martin and Saint-Pierre-et-Miquelon use FR IBANs; Jersey, Guernsey
and Man use GB ones.
"""

SEPA_COUNTRIES = frozenset(IBAN_LENGTHS)

_RIB_LETTERS = {
    letter: str(value)
    for value, letters in enumerate(["AJ", "BKS", "CLT", "DMU", "ENV", "FOW", "GPX", "HQY", "IRZ"], start=1)
    for letter in letters
}
_IBAN_RE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")


def _cle_rib(bban: str) -> str:
    """The French RIB key of a French or Monegasque BBAN (banque 5, guichet 5, compte 11).

    Key = 97 - ((89 * banque + 15 * guichet + 3 * compte) mod 97), letters of
    the account number being read as digits (A, J -> 1; B, K, S -> 2; ...).
    """
    banque, guichet, compte = bban[:5], bban[5:10], bban[10:21]
    compte_chiffres = "".join(_RIB_LETTERS.get(c, c) for c in compte)
    return f"{97 - (89 * int(banque) + 15 * int(guichet) + 3 * int(compte_chiffres)) % 97:02d}"


def validate_iban(value: str, field: str = "iban") -> str:
    """Return a checked IBAN of a SEPA country, compact and upper-case.

    Checked: characters, SEPA country, length for that country, the
    country's BBAN structure and the mod-97 key (stdnum), and for FR and MC also the RIB key inside the BBAN,
    which the IBAN key alone does not guarantee.
    """
    _require_text(value, field, "l'IBAN")
    compact = stdnum_iban.compact(value)
    if not _IBAN_RE.fullmatch(compact):
        raise InvalidField(field, "l'IBAN doit commencer par 2 lettres et 2 chiffres, suivis de lettres et de chiffres")
    country = compact[:2]
    if country not in SEPA_COUNTRIES:
        raise InvalidField(field, "l'IBAN doit être celui d'un compte dans un pays de la zone SEPA")
    if len(compact) != IBAN_LENGTHS[country]:
        raise InvalidField(field, f"un IBAN {country} doit comporter {IBAN_LENGTHS[country]} caractères")
    try:
        stdnum_iban.validate(compact)
    except InvalidChecksum:
        raise InvalidField(field, "la clé de contrôle de l'IBAN est incorrecte") from None
    except (InvalidFormat, InvalidComponent):
        raise InvalidField(field, "l'IBAN n'a pas la forme prévue pour son pays") from None
    if country in ("FR", "MC") and _cle_rib(compact[4:]) != compact[-2:]:
        raise InvalidField(field, "la clé RIB contenue dans l'IBAN est incorrecte")
    return compact


def validate_bic(value: str, field: str = "bic") -> str:
    """Return a checked BIC (8 or 11 characters), compact and upper-case."""
    _require_text(value, field, "le BIC")
    try:
        return stdnum_bic.validate(value)
    except InvalidLength:  # a subclass of InvalidFormat: test it first
        raise InvalidField(field, "le BIC doit comporter 8 ou 11 caractères") from None
    except InvalidFormat:
        raise InvalidField(
            field,
            "le BIC doit comporter 4 lettres (banque), 2 lettres (pays), "
            "2 lettres ou chiffres (lieu) et éventuellement 3 lettres ou chiffres (agence)",
        ) from None
    except InvalidComponent:
        raise InvalidField(field, "le code pays du BIC est inconnu") from None


# ==========================================================================
# Health professionals: RPPS


def validate_rpps(value: str, field: str = "rpps") -> str:
    """Return a checked RPPS number: 11 digits, the last a Luhn key over the first 10.

    The ANS does not publish the rule in a text we could cite; we checked
    it empirically: all 27 RPPS numbers of the ANS's own extract used as a
    test fixture in ansforge/psc-rass-loader pass stdnum.luhn (10**-27 odds
    by chance). The "identifiant national" idNat_PS is "8" + RPPS (12
    characters): give the RPPS alone.
    """
    _require_text(value, field, "le numéro RPPS")
    compact = value.replace(" ", "")
    if not compact.isascii() or not compact.isdigit():
        raise InvalidField(field, "le numéro RPPS ne doit comporter que des chiffres")
    if len(compact) != 11:
        raise InvalidField(field, "le numéro RPPS doit comporter 11 chiffres")
    if not luhn.is_valid(compact):
        raise InvalidField(field, "la clé de contrôle du numéro RPPS est incorrecte")
    return compact
