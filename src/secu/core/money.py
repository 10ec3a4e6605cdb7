"""Money as integer cents, and the roundings the law names.

Every amount in secu is a whole number of euro cents: a Python ``int`` in
scalar code, an ``Int64`` column in Polars. Floats never hold money, because
0.1 + 0.2 != 0.3 and a cotisation rounded on a float can be one cent off.

Rounding is never implicit. Each helper is named after the rule the texts
state, so the reader of a calculation sees which rule applies:

* ``arrondi_centime``: "au centime d'euro le plus proche", the half cent going
  up (away from zero), as the euro conversion rule of règlement (CE)
  n° 1103/97, art. 5, and most social security texts do;
* ``arrondi_euro``: "à l'euro le plus proche", same half-up rule;
* ``arrondi_centime_inferieur``: towards minus infinity (a floor), for texts
  that say "arrondi au centime inférieur";
* ``apply_rate``: a rate applied to an amount, then ``arrondi_centime``.

``apply_rate_expr`` is the very same arithmetic on Polars expressions (not a
second rule): both compute ``cents * numerator / 10**k`` exactly on integers
and round half away from zero.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import polars as pl

from secu.core.errors import InvalidField

Cents = int
"""An amount of money in euro cents (1 € = 100)."""

AMOUNT_FIELD = "montant"
MONTANT_MAX_CENTS = 10**14
"""The largest amount secu reads or books, in cents (1 000 milliards d'euros, above a whole branch's year): a bound
on input, not law. A sum of many such amounts stays far within 64-bit integers, and a typo of ten digits is refused."""
RATE_FIELD = "taux"

RATE_EXPR_SCALE = 9
"""Decimals kept when a rate comes as a Polars expression (see apply_rate_expr)."""

_MAX_DIGITS = 18
"""Largest number of integer digits accepted for an amount or a rate.

10**18 cents is ten million billion euros: far beyond any real amount, yet
small enough that a mistyped exponent ("1E999999") cannot make us build a
gigantic integer.
"""

_MAX_DECIMALS = 30
"""Largest number of decimals accepted (same reason as _MAX_DIGITS)."""

_MAX_EXPR_NUMERATOR = 10**24
"""Largest scalar rate numerator for apply_rate_expr: keeps |cents * numerator|
below 10**38 (Int128) for amounts up to 10**14 cents."""

_SPACES = (" ", "\u00a0", "\u202f")
NBSP = "\u00a0"
"""The no-break space used by format_eur, both between digit groups and before €."""


# --------------------------------------------------------------------------
# Exact decimal <-> integer helpers


def _as_decimal(value: Decimal | str | int, *, field: str, what: str) -> Decimal:
    """Turn an accepted input into a finite Decimal, refusing floats and junk.

    Floats are refused because they cannot represent most decimal amounts
    exactly: the caller must say what they mean with a str or Decimal.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidField(field, f"{what} doit être un nombre décimal exact (pas un nombre à virgule flottante)")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        number = _parse_decimal_text(value, field=field, what=what)
    else:
        raise InvalidField(field, f"{what} doit être un nombre")
    if not number.is_finite():
        raise InvalidField(field, f"{what} n'est pas un nombre")
    if number.adjusted() >= _MAX_DIGITS:
        raise InvalidField(field, f"{what} est trop grand")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -_MAX_DECIMALS:
        raise InvalidField(field, f"{what} a trop de décimales")
    return number


def _parse_decimal_text(text: str, *, field: str, what: str) -> Decimal:
    """Read "1234.56", "1 234,56" or "1 234,56 €" (French writing) as a Decimal."""
    cleaned = text.strip().removesuffix("€").strip()
    for space in _SPACES:
        cleaned = cleaned.replace(space, "")
    if "," in cleaned:
        if "." in cleaned:
            raise InvalidField(field, f"{what} ne peut pas mêler virgule et point")
        cleaned = cleaned.replace(",", ".")
    if not cleaned:
        raise InvalidField(field, f"{what} est obligatoire")
    if not cleaned.isascii():  # Decimal would read other scripts' digits ("١٢")
        raise InvalidField(field, f"{what} n'est pas un nombre")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise InvalidField(field, f"{what} n'est pas un nombre") from None


def _fraction(number: Decimal) -> tuple[int, int]:
    """Return (numerator, k) with number == numerator / 10**k and k >= 0, exactly.

    Works on the Decimal's digits directly, so no decimal context (precision,
    rounding) can alter the value.
    """
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite, checked by the callers
    numerator = int("".join(map(str, digits)) or "0")
    if sign:
        numerator = -numerator
    if exponent >= 0:
        return numerator * 10**exponent, 0
    return numerator, -exponent


def _round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest integer, halves away from zero."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return -quotient if numerator < 0 else quotient


def _check_cents(cents: int, *, field: str = AMOUNT_FIELD) -> int:
    """Refuse anything that is not a plain int number of cents (bool included)."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise InvalidField(field, "le montant en centimes doit être un nombre entier")
    return cents


# --------------------------------------------------------------------------
# Conversions


def to_cents(value: Decimal | str | int, *, field: str = AMOUNT_FIELD) -> Cents:
    """Convert an amount in euros to cents, exactly, or refuse it.

    Accepts an int (whole euros), a Decimal, or a str written "1234.56",
    "1234,56", "1 234,56" or "1 234,56 €" (spaces, no-break spaces and a
    trailing € are ignored). An amount with more than two significant
    decimals ("12.345") is refused rather than silently rounded: rounding is
    a legal decision, made with the arrondi_* helpers. "12.50" and "12.500"
    are both 1250 cents.
    """
    number = _as_decimal(value, field=field, what="le montant")
    if number.is_finite() and abs(number) > MONTANT_MAX_CENTS // 100:
        raise InvalidField(field, f"montant hors limites ({MONTANT_MAX_CENTS // 100} euros au plus, en valeur absolue)")
    numerator, k = _fraction(number)
    if k <= 2:
        return numerator * int(10 ** (2 - k))  # int(): k <= 2 here, the power is an int
    divisor = int(10 ** (k - 2))
    if numerator % divisor:
        raise InvalidField(field, "le montant ne peut pas avoir plus de deux décimales")
    return numerator // divisor


def from_cents(cents: Cents) -> Decimal:
    """Return the amount in euros as a Decimal with exactly two decimals."""
    _check_cents(cents)
    return Decimal(f"{cents}e-2")


# --------------------------------------------------------------------------
# Roundings named after the texts


def arrondi_centime(value: Decimal | str | int, *, field: str = AMOUNT_FIELD) -> Cents:
    """Round euros to the nearest cent ("au centime le plus proche"), in cents.

    Half a cent goes away from zero: 1.005 € -> 101, -1.005 € -> -101 (the
    règlement (CE) 1103/97 rule, symmetric for negative amounts such as
    regularisations).
    """
    numerator, k = _fraction(_as_decimal(value, field=field, what="le montant"))
    return _round_half_up(numerator * 100, 10**k)


def arrondi_centime_inferieur(value: Decimal | str | int, *, field: str = AMOUNT_FIELD) -> Cents:
    """Round euros down to the cent below ("au centime inférieur"), in cents.

    This is a floor, towards minus infinity: 1.239 € -> 123 but
    -1.231 € -> -124. Texts using this rounding concern positive amounts; for
    a negative one the floor is what "inférieur" literally means.
    """
    numerator, k = _fraction(_as_decimal(value, field=field, what="le montant"))
    return (numerator * 100) // int(10**k)


def arrondi_euro(cents: Cents) -> Cents:
    """Round an amount in cents to the nearest euro ("à l'euro le plus proche").

    The result stays in cents (a multiple of 100). 50 cents go away from
    zero: 150 -> 200, 149 -> 100, -150 -> -200.
    """
    _check_cents(cents)
    return _round_half_up(cents, 100) * 100


def rate_fraction(rate: Decimal | str | int, *, field: str = RATE_FIELD) -> tuple[int, int]:
    """Return (numerator, k) with rate == numerator / 10**k exactly.

    Rates come as Decimal or str ("0.20234", "98.25e-2"), never as float.
    Exposed so that vectorised code can share the exact representation.
    """
    return _fraction(_as_decimal(rate, field=field, what="le taux"))


def apply_rate(cents: Cents, rate: Decimal | str | int) -> Cents:
    """Apply a rate to an amount and round to the nearest cent (half-up).

    Computed exactly on integers: cents * numerator / 10**k, so
    apply_rate(1_000_000, "0.20234") is 202_340 with no float in between.
    """
    _check_cents(cents)
    numerator, k = rate_fraction(rate)
    return _round_half_up(cents * numerator, 10**k)


# --------------------------------------------------------------------------
# Vectorised twin


def _round_half_up_expr(product: pl.Expr, k: int) -> pl.Expr:
    """Divide an Int128 expression by 10**k, rounding halves away from zero.

    For k >= 1, 10**k is even, so adding half of it to the absolute value and
    flooring is exactly "round half up"; the sign is put back afterwards.
    """
    if k == 0:
        return product
    denominator = 10**k
    half = denominator // 2
    magnitude = (product.abs() + pl.lit(half, dtype=pl.Int128)) // pl.lit(denominator, dtype=pl.Int128)
    return product.sign() * magnitude


RATE_DTYPE = pl.Decimal(38, RATE_EXPR_SCALE)
"""The one fixed-point type of rates and coefficients in frames (what join_parameters gives ``taux`` columns)."""

RATE_UNIT: int = 10**RATE_EXPR_SCALE
"""A rate of 1 as the integer numerator of RATE_DTYPE (rates scaled by it are exact integers)."""


def div_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves away from zero: the scalar twin of div_half_up_expr."""
    if denominator <= 0:
        raise ValueError("le diviseur doit être positif")
    return _round_half_up(numerator, denominator)


def div_toward_zero(numerator: int, denominator: int) -> int:
    """numerator / denominator truncated toward zero: the scalar twin of div_toward_zero_expr."""
    if denominator <= 0:
        raise ValueError("le diviseur doit être positif")
    magnitude = abs(numerator) // denominator
    return -magnitude if numerator < 0 else magnitude


def div_half_up_expr(numerator: pl.Expr, denominator: pl.Expr | int, *, non_negative: bool = False) -> pl.Expr:
    """numerator / denominator rounded to the nearest integer, halves away from zero (the law's "arrondi au plus proche").

    Integer expressions only; the denominator must be positive. Exact: computed as
    ``(2·|n| + d) // (2·d)`` with the sign put back, in the numerator's own integer
    type (cast the numerator to Int128 first when 2·|n| + d could pass 2**63).

    ``non_negative=True``: the caller guarantees the numerator is never negative where
    the result is used (an amount × a rate of a liquidated line); the sign is then not
    looked at, and an even integer denominator gives ``(n + d/2) // d`` (the same
    quotient): two passes over the column instead of five.
    """
    if non_negative:
        if isinstance(denominator, int) and denominator % 2 == 0:
            return (numerator + denominator // 2) // denominator
        d = pl.lit(denominator) if isinstance(denominator, int) else denominator
        return (numerator * 2 + d) // (d * 2)
    d = pl.lit(denominator) if isinstance(denominator, int) else denominator
    magnitude = (numerator.abs() * 2 + d) // (d * 2)
    return pl.when(numerator < 0).then(magnitude * -1).otherwise(magnitude)  # Polars cannot negate an Int128


def div_toward_zero_expr(numerator: pl.Expr, denominator: pl.Expr | int) -> pl.Expr:
    """numerator / denominator truncated toward zero (the law's "arrondi au centime inférieur" on amounts ≥ 0)."""
    d = pl.lit(denominator) if isinstance(denominator, int) else denominator
    magnitude = numerator.abs() // d
    return pl.when(numerator < 0).then(magnitude * -1).otherwise(magnitude)


def apply_rate_expr(cents: pl.Expr, rate: pl.Expr | Decimal | str | int, *, arrondi: str = "plus_proche") -> pl.Expr:
    """Polars twin of apply_rate: cents * rate, half-up to the cent, as Int64.

    ``arrondi="inferieur"`` rounds toward zero instead (au centime inférieur, the twin of
    ``arrondi_centime_inferieur`` for the non-negative amounts it is used on).

    ``cents`` must be an integer expression (Int64 cents).

    Exactness. The amount is cast to Int128 and the rate becomes an integer
    numerator over 10**k:

    * a Decimal/str/int rate is converted exactly in Python (any number of
      decimals, same code as apply_rate);
    * a rate expression is cast to Decimal(38, 9) then scaled by 10**9, so
      it must carry at most 9 decimals. Give rate columns a Decimal dtype.
      A Float64 column is converted to the nearest 9-decimal value, which
      recovers any rate written with at most 9 decimals (float64 keeps 15
      significant digits) but is not the recommended input.

    Overflow bounds. Products are formed in Int128 (|x| < 1.7e38). With
    amounts up to 10**12 cents (10 milliards d'euros) and an expression rate
    below 10**6 (numerator below 10**15), products stay below 10**27; a
    scalar rate's numerator is limited to 10**24, which keeps products below
    10**38 for amounts up to 10**14 cents. (In Int64 alone, 10**12 cents
    times a 9-decimal numerator would overflow for any rate above 9.2, hence
    Int128.) The result is cast back to Int64 strictly: a result beyond
    9.2e18 cents raises an error instead of wrapping around.

    Nulls in either input give a null result.
    """
    amount = cents.cast(pl.Int128)
    if isinstance(rate, pl.Expr):
        numerator = (rate.cast(pl.Decimal(38, RATE_EXPR_SCALE)) * 10**RATE_EXPR_SCALE).cast(pl.Int128)
        k = RATE_EXPR_SCALE
    else:
        value, k = rate_fraction(rate)
        if abs(value) >= _MAX_EXPR_NUMERATOR:
            raise InvalidField(RATE_FIELD, "le taux a trop de chiffres pour un calcul exact")
        numerator = pl.lit(value, dtype=pl.Int128)
    if arrondi == "inferieur":
        return div_toward_zero_expr(amount * numerator, pl.lit(int(10**k), dtype=pl.Int128)).cast(pl.Int64, strict=True)
    if arrondi != "plus_proche":
        raise ValueError(f"arrondi inconnu : {arrondi!r} (plus_proche ou inferieur)")
    return _round_half_up_expr(amount * numerator, k).cast(pl.Int64, strict=True)


def apply_unit_rate_expr(cents: pl.Expr, rate_units: pl.Expr, *, arrondi: str = "plus_proche") -> pl.Expr:
    """apply_rate_expr in Int64 for a rate between 0 and 1: the same result, without Int128 or Decimal per row.

    ``rate_units`` is the rate as an Int64 numerator over :data:`RATE_UNIT` (a Decimal(38, 9) rate × 10**9, computed
    once per month, not per row), **0 <= rate_units <= RATE_UNIT**: the caller checks it (where it does not hold,
    call apply_rate_expr). ``cents`` is any Int64 amount; the result is ``cents × rate`` rounded half away from zero
    (``arrondi="plus_proche"``) or toward zero (``"inferieur"``), exactly apply_rate_expr's.

    Exact in 64 bits: with m = |cents| = q × RATE_UNIT + r (0 <= r < RATE_UNIT), m × rate = q × rate_units +
    r × rate_units / RATE_UNIT, where q × rate_units <= m and 2 × r × rate_units + RATE_UNIT < 2 × 10**18 + 10**9,
    both below 2**63; only the second term is rounded, and the sign is put back on the magnitude.
    """
    m = cents.abs()
    q = m // RATE_UNIT
    r = m % RATE_UNIT
    if arrondi == "inferieur":
        fraction = (r * rate_units) // RATE_UNIT
    elif arrondi == "plus_proche":
        fraction = (r * rate_units * 2 + RATE_UNIT) // (2 * RATE_UNIT)
    else:
        raise ValueError(f"arrondi inconnu : {arrondi!r} (plus_proche ou inferieur)")
    magnitude = q * rate_units + fraction
    return pl.when(cents < 0).then(-magnitude).otherwise(magnitude)


def rate_units_expr(rate: pl.Expr) -> pl.Expr:
    """A rate column (Decimal(38, 9)) as its Int64 numerator over RATE_UNIT, for apply_unit_rate_expr: exact."""
    return (rate.cast(RATE_DTYPE) * RATE_UNIT).cast(pl.Int64, strict=True)


def from_cents_expr(cents: pl.Expr, dtype: pl.Decimal | None = None) -> pl.Expr:
    """Polars twin of from_cents: integer cents as euros, a Decimal with 2 decimals (Decimal(18, 2) by default).

    Exact and cheap: the cents ARE the Decimal's unscaled integer, so the
    column is reinterpreted, never multiplied. A value beyond the precision
    raises instead of being cut.
    """
    dtype = pl.Decimal(18, 2) if dtype is None else dtype
    if dtype.scale != 2:
        raise ValueError("from_cents_expr : un Decimal à 2 décimales est attendu")
    return cents.cast(pl.Int128).reinterpret(dtype=dtype)


# --------------------------------------------------------------------------
# Display


def format_eur(cents: Cents) -> str:
    """Format cents the French way: "1 234,56 €", "-0,05 €".

    Digit groups and the space before € are both U+00A0 NO-BREAK SPACE (one
    character, chosen for consistency and because every font and terminal
    has it; CLDR would use U+202F between groups). The minus sign is the
    ASCII hyphen-minus. to_cents reads this output back.
    """
    _check_cents(cents)
    sign = "-" if cents < 0 else ""
    euros, centimes = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", NBSP)
    return f"{sign}{grouped},{centimes:02d}{NBSP}€"
