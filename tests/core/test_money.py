"""Tests of secu.core.money: exact cents, named roundings, Polars twin, French display."""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secu.core.errors import InvalidField
from secu.core.money import (
    MONTANT_MAX_CENTS,
    NBSP,
    apply_rate,
    apply_rate_expr,
    arrondi_centime,
    arrondi_centime_inferieur,
    arrondi_euro,
    format_eur,
    from_cents,
    rate_fraction,
    to_cents,
)

MAX_CENTS = 10**12


def reference_half_up(value: Decimal) -> int:
    """Independent oracle: Decimal's own ROUND_HALF_UP (halves away from zero) at the cent."""
    with localcontext() as ctx:
        ctx.prec = 100
        return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --------------------------------------------------------------------------
# to_cents / from_cents


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234.56", 123456),
        ("1234,56", 123456),
        ("1 234,56", 123456),
        (f"1{NBSP}234,56{NBSP}€", 123456),
        ("1\u202f234,56 €", 123456),
        ("0.1", 10),
        ("-0.05", -5),
        ("12.500", 1250),
        (Decimal("12.5"), 1250),
        (Decimal("1E+2"), 10000),
        (Decimal("-3.10"), -310),
        (7, 700),
        (0, 0),
        (-2, -200),
    ],
)
def test_to_cents_exact(value, expected):
    assert to_cents(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12.345", "le montant ne peut pas avoir plus de deux décimales"),
        (Decimal("0.001"), "le montant ne peut pas avoir plus de deux décimales"),
        ("abc", "le montant n'est pas un nombre"),
        ("12,3.4", "le montant ne peut pas mêler virgule et point"),
        ("", "le montant est obligatoire"),
        ("  € ", "le montant est obligatoire"),
        ("NaN", "le montant n'est pas un nombre"),
        ("١٢", "le montant n'est pas un nombre"),
        (Decimal("Infinity"), "le montant n'est pas un nombre"),
        (Decimal("1E+999999"), "le montant est trop grand"),
        (Decimal("1E-999999"), "le montant a trop de décimales"),
    ],
)
def test_to_cents_refuses_with_french_message(value, message):
    with pytest.raises(InvalidField) as exc:
        to_cents(value)
    assert exc.value.field == "montant"
    assert exc.value.message == message


@pytest.mark.parametrize("value", [0.1, 1.0, True, None, [1]])
def test_to_cents_refuses_floats_bools_and_other_types(value):
    with pytest.raises(InvalidField) as exc:
        to_cents(value)
    assert exc.value.field == "montant"


def test_to_cents_field_name_can_be_chosen():
    with pytest.raises(InvalidField) as exc:
        to_cents("1.234", field="salaire_brut")
    assert exc.value.field == "salaire_brut"


def test_from_cents_has_two_decimals():
    assert from_cents(123456) == Decimal("1234.56")
    assert str(from_cents(100)) == "1.00"
    assert str(from_cents(-5)) == "-0.05"
    assert str(from_cents(0)) == "0.00"


@pytest.mark.parametrize("value", [1.5, True, "12"])
def test_from_cents_refuses_non_int(value):
    with pytest.raises(InvalidField):
        from_cents(value)


@given(st.integers(min_value=-MONTANT_MAX_CENTS, max_value=MONTANT_MAX_CENTS))
def test_cents_round_trip_through_decimal_and_text(cents):
    assert to_cents(from_cents(cents)) == cents
    assert to_cents(str(from_cents(cents))) == cents
    assert to_cents(format_eur(cents)) == cents


@pytest.mark.parametrize("text", ["1000000000000.01", "-1000000000000.01", "46000000000000000"])
def test_an_amount_beyond_the_bound_is_refused_naming_the_field(text):
    """Issue 12, defect 4: a 4.6×10¹⁶ € entry got in. Beyond 1 000 milliards d'euros, an amount is a typo."""
    with pytest.raises(InvalidField) as refused:
        to_cents(text, field="montant_verse")
    assert refused.value.field == "montant_verse" and "hors limites" in refused.value.message


# --------------------------------------------------------------------------
# Roundings


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.005", 101),  # the half cent goes up
        ("1.0049999", 100),
        ("1.004", 100),
        ("-1.005", -101),  # away from zero for negatives
        ("-1.004", -100),
        ("0.125", 13),
        ("2.675", 268),  # the classic float trap: round(2.675, 2) == 2.67
        ("12", 1200),
        (Decimal("0.995"), 100),
    ],
)
def test_arrondi_centime(value, expected):
    assert arrondi_centime(Decimal(value)) == expected


def test_arrondi_centime_beats_float_rounding():
    # float says 2.67 because 2.675 is stored as 2.67499999...; the law says 2.68.
    assert round(2.675, 2) == 2.67
    assert arrondi_centime(Decimal("2.675")) == 268


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.239", 123), ("1.231", 123), ("1.23", 123), ("-1.231", -124), ("-1.23", -123), ("0.009", 0)],
)
def test_arrondi_centime_inferieur_is_a_floor(value, expected):
    assert arrondi_centime_inferieur(Decimal(value)) == expected


@pytest.mark.parametrize(
    ("cents", "expected"),
    [
        (150, 200),
        (149, 100),
        (151, 200),
        (-150, -200),
        (-149, -100),
        (0, 0),
        (123456, 123500),
        (99, 100),
        (49, 0),
    ],
)
def test_arrondi_euro(cents, expected):
    assert arrondi_euro(cents) == expected


def test_roundings_refuse_floats():
    with pytest.raises(InvalidField):
        arrondi_centime(1.005)
    with pytest.raises(InvalidField):
        arrondi_centime_inferieur(1.005)
    with pytest.raises(InvalidField):
        arrondi_euro(1.5)


decimals_amounts = st.decimals(min_value=Decimal("-1e10"), max_value=Decimal("1e10"), places=6, allow_nan=False, allow_infinity=False)


@given(decimals_amounts)
def test_arrondi_centime_matches_decimal_round_half_up(value):
    assert arrondi_centime(value) == reference_half_up(value)


@given(decimals_amounts)
def test_arrondi_centime_inferieur_matches_decimal_floor(value):
    with localcontext() as ctx:
        ctx.prec = 100
        expected = int((value * 100).quantize(Decimal(1), rounding=ROUND_FLOOR))
    assert arrondi_centime_inferieur(value) == expected


@given(decimals_amounts)
def test_arrondi_centime_is_symmetric_and_within_half_a_cent(value):
    cents = arrondi_centime(value)
    assert arrondi_centime(-value) == -cents
    assert abs(Decimal(cents) - value * 100) <= Decimal("0.5")


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_arrondi_euro_properties(cents):
    rounded = arrondi_euro(cents)
    assert rounded % 100 == 0
    assert abs(rounded - cents) <= 50
    assert arrondi_euro(-cents) == -rounded


# --------------------------------------------------------------------------
# apply_rate


@pytest.mark.parametrize(
    ("cents", "rate", "expected"),
    [
        (1_000_000, "0.20234", 202_340),
        (350_000, "0.9825", 343_875),  # 98,25 % of 3 500 € (assiette CSG)
        (123_456, "0.069", 8_518),  # 8 518.464 -> 8 518
        (123_450, "0.069", 8_518),  # 8 518.05 -> 8 518
        (1, "0.5", 1),  # 0.5 cent -> 1 cent
        (-1, "0.5", -1),  # away from zero
        (3, "0.5", 2),  # 1.5 -> 2
        (-3, "0.5", -2),
        (5, Decimal("0.1"), 1),  # 0.5 -> 1
        (4, Decimal("0.1"), 0),
        (1234, 2, 2468),
        (1234, "1", 1234),
        (0, "0.2", 0),
        (MAX_CENTS, "0.000001", 1_000_000),
    ],
)
def test_apply_rate(cents, rate, expected):
    assert apply_rate(cents, rate) == expected


def test_apply_rate_refuses_float_rate():
    with pytest.raises(InvalidField) as exc:
        apply_rate(100, 0.2)
    assert exc.value.field == "taux"


def test_rate_fraction_is_exact():
    assert rate_fraction("0.20234") == (20234, 5)
    assert rate_fraction(Decimal("98.25E-2")) == (9825, 4)
    assert rate_fraction(Decimal("2E+1")) == (20, 0)
    assert rate_fraction(3) == (3, 0)


rates = st.decimals(min_value=Decimal("-2"), max_value=Decimal("2"), places=6, allow_nan=False, allow_infinity=False)
amounts = st.integers(min_value=-MAX_CENTS, max_value=MAX_CENTS)


@given(amounts, rates)
def test_apply_rate_matches_decimal_oracle(cents, rate):
    with localcontext() as ctx:
        ctx.prec = 100
        exact_euros = Decimal(cents) * rate / 100
    assert apply_rate(cents, rate) == reference_half_up(exact_euros)


# --------------------------------------------------------------------------
# apply_rate_expr: same arithmetic, vectorised


def test_apply_rate_expr_known_values_with_scalar_and_column_rates():
    df = pl.DataFrame(
        {
            "c": [1_000_000, 350_000, 1, -1, 3, -3, None, MAX_CENTS],
            "r": [Decimal(x) for x in ["0.20234", "0.9825", "0.5", "0.5", "0.5", "0.5", "0.1", "0.9825"]],
        },
        schema={"c": pl.Int64, "r": pl.Decimal(12, 6)},
    )
    out = df.select(
        col=apply_rate_expr(pl.col("c"), pl.col("r")),
        half=apply_rate_expr(pl.col("c"), "0.5"),
    )
    assert out.schema == pl.Schema({"col": pl.Int64, "half": pl.Int64})
    assert out["col"].to_list() == [202_340, 343_875, 1, -1, 2, -2, None, 982_500_000_000]
    assert out["half"].to_list() == [500_000, 175_000, 1, -1, 2, -2, None, 500_000_000_000]


def test_apply_rate_expr_float_column_is_read_to_9_decimals():
    df = pl.DataFrame({"c": [1_000_000, 123_456], "r": [0.20234, 0.069]})
    out = df.select(apply_rate_expr(pl.col("c"), pl.col("r")).alias("x"))
    assert out["x"].to_list() == [202_340, 8_518]


def test_apply_rate_expr_overflowing_int64_raises_instead_of_wrapping():
    df = pl.DataFrame({"c": [9 * 10**18]})
    with pytest.raises(pl.exceptions.InvalidOperationError):
        df.select(apply_rate_expr(pl.col("c"), "2"))


def test_apply_rate_expr_refuses_float_scalar_rate():
    with pytest.raises(InvalidField):
        apply_rate_expr(pl.col("c"), 0.2)


@settings(max_examples=200)
@given(
    st.lists(amounts, min_size=1, max_size=50),
    st.lists(rates, min_size=1, max_size=50),
)
def test_apply_rate_expr_agrees_with_scalar(amount_list, rate_list):
    size = min(len(amount_list), len(rate_list))
    amount_list, rate_list = amount_list[:size], rate_list[:size]
    df = pl.DataFrame(
        {"c": amount_list, "r": rate_list},
        schema={"c": pl.Int64, "r": pl.Decimal(18, 6)},
    )
    scalar_rate = rate_list[0]
    out = df.select(
        per_row=apply_rate_expr(pl.col("c"), pl.col("r")),
        one_rate=apply_rate_expr(pl.col("c"), scalar_rate),
    )
    assert out["per_row"].to_list() == [apply_rate(c, r) for c, r in zip(amount_list, rate_list, strict=True)]
    assert out["one_rate"].to_list() == [apply_rate(c, scalar_rate) for c in amount_list]


@given(amounts, st.decimals(min_value=Decimal("-5"), max_value=Decimal("5"), places=12, allow_nan=False))
def test_apply_rate_expr_scalar_rate_exact_beyond_9_decimals(cents, rate):
    out = pl.DataFrame({"c": [cents]}).select(apply_rate_expr(pl.col("c"), rate).alias("x"))
    assert out["x"].to_list() == [apply_rate(cents, rate)]


# --------------------------------------------------------------------------
# format_eur


@pytest.mark.parametrize(
    ("cents", "expected"),
    [
        (123456, "1 234,56 €"),
        (0, "0,00 €"),
        (5, "0,05 €"),
        (-5, "-0,05 €"),
        (100, "1,00 €"),
        (99999, "999,99 €"),
        (100000, "1 000,00 €"),
        (123456789012, "1 234 567 890,12 €"),
        (-123456, "-1 234,56 €"),
    ],
)
def test_format_eur(cents, expected):
    assert format_eur(cents) == expected.replace(" ", NBSP)


def test_format_eur_uses_only_no_break_spaces():
    text = format_eur(123456789)
    assert " " not in text
    assert "\u202f" not in text
    assert text.count("\u00a0") == 3


def test_format_eur_refuses_float():
    with pytest.raises(InvalidField):
        format_eur(12.5)


@given(st.integers(min_value=0, max_value=10**11), st.decimals(min_value=0, max_value=1, places=6))
def test_apply_rate_expr_rounding_down_is_the_scalar_floor(cents: int, rate: Decimal) -> None:
    # arrondi="inferieur" is the vectorised twin of arrondi_centime_inferieur (e.g. the CRDS on benefits).
    out = pl.DataFrame({"c": [cents]}).select(apply_rate_expr(pl.col("c"), rate, arrondi="inferieur")).item()
    assert out == arrondi_centime_inferieur(Decimal(cents) * rate / 100)
    assert pl.DataFrame({"c": [15180]}).select(apply_rate_expr(pl.col("c"), "0.005", arrondi="inferieur")).item() == 75


def test_div_half_up_and_toward_zero_expr_agree_with_decimal_rounding() -> None:
    from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

    import polars as pl

    from secu.core.money import div_half_up_expr, div_toward_zero_expr

    pairs = [(n, d) for n in range(-41, 42) for d in (1, 2, 3, 4, 7, 10, 12, 100)]
    frame = pl.DataFrame({"n": [n for n, _ in pairs], "d": [d for _, d in pairs]}).with_columns(
        half=div_half_up_expr(pl.col("n"), pl.col("d")), down=div_toward_zero_expr(pl.col("n"), pl.col("d"))
    )
    for (n, d), half, down in zip(pairs, frame["half"], frame["down"], strict=True):
        assert half == int((Decimal(n) / d).quantize(Decimal(1), rounding=ROUND_HALF_UP)), (n, d)
        assert down == int((Decimal(n) / d).quantize(Decimal(1), rounding=ROUND_DOWN)), (n, d)


def test_div_half_up_of_a_non_negative_numerator() -> None:
    """``non_negative=True`` (the numerator is known to be ≥ 0): the same half-up quotient, for an even or odd
    integer denominator, a denominator column, and on Int128."""
    from secu.core.money import div_half_up_expr

    numerators = [*range(0, 42), 499_999_999, 500_000_000, 500_000_001, 10**12 + 5 * 10**8]
    for d in (1, 2, 3, 7, 10, 100, 10**9):
        frame = pl.DataFrame({"n": numerators, "d": [d] * len(numerators)})
        out = frame.select(
            literal=div_half_up_expr(pl.col("n"), d, non_negative=True),
            column=div_half_up_expr(pl.col("n"), pl.col("d"), non_negative=True),
            wide=div_half_up_expr(pl.col("n").cast(pl.Int128), d, non_negative=True),
        )
        for n, literal, column, wide in zip(numerators, out["literal"], out["column"], out["wide"], strict=True):
            expected = int((Decimal(n) / d).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            assert literal == column == wide == expected, (n, d)


def test_div_helpers_on_int128_and_their_scalar_twins() -> None:
    from decimal import ROUND_DOWN

    from secu.core.money import div_half_up, div_half_up_expr, div_toward_zero, div_toward_zero_expr

    pairs = [(n, d) for n in (-(10**25) - 5, -7, -5, -1, 0, 1, 5, 7, 10**25 + 5) for d in (1, 2, 10, 10**9)]
    frame = pl.DataFrame({"n": pl.Series([n for n, _ in pairs], dtype=pl.Int128), "d": pl.Series([d for _, d in pairs], dtype=pl.Int128)})
    out = frame.select(half=div_half_up_expr(pl.col("n"), pl.col("d")), down=div_toward_zero_expr(pl.col("n"), pl.col("d")))
    for (n, d), half, down in zip(pairs, out["half"], out["down"], strict=True):
        with localcontext() as context:
            context.prec = 60
            assert half == div_half_up(n, d) == int((Decimal(n) / d).quantize(Decimal(1), rounding=ROUND_HALF_UP)), (n, d)
            assert down == div_toward_zero(n, d) == int((Decimal(n) / d).quantize(Decimal(1), rounding=ROUND_DOWN)), (n, d)
    with pytest.raises(ValueError, match="positif"):
        div_half_up(1, 0)


# --------------------------------------------------------------------------
# apply_unit_rate_expr: the Int64 twin of apply_rate_expr for a rate between 0 and 1


_EDGE_AMOUNTS = [
    0,
    1,
    -1,
    999_999_999,
    1_000_000_000,
    1_000_000_001,
    -1_000_000_001,
    123_456_789_012,
    -987_654_321_098,
    MONTANT_MAX_CENTS,
    -MONTANT_MAX_CENTS,
    2**62,
    -(2**62),
    2**63 - 1,
]
_EDGE_RATES = [Decimal("0"), Decimal("0.005"), Decimal("0.5"), Decimal("0.000000001"), Decimal("0.999999999"), Decimal("1"), Decimal("0.123456789")]


def _unit_rate_frame(amounts: list[int], rates: list[Decimal]) -> pl.DataFrame:
    from secu.core.money import RATE_DTYPE, apply_unit_rate_expr, rate_units_expr

    frame = pl.DataFrame({"c": amounts, "r": rates}, schema={"c": pl.Int64, "r": RATE_DTYPE})
    return frame.with_columns(rate_units_expr(pl.col("r")).alias("u")).select(
        *(apply_unit_rate_expr(pl.col("c"), pl.col("u"), arrondi=a).alias(f"int64_{a}") for a in ("plus_proche", "inferieur")),
        *(apply_rate_expr(pl.col("c"), pl.col("r"), arrondi=a).alias(f"int128_{a}") for a in ("plus_proche", "inferieur")),
    )


def test_apply_unit_rate_expr_equals_apply_rate_expr_on_the_edges() -> None:
    pairs = [(c, r) for c in _EDGE_AMOUNTS for r in _EDGE_RATES if abs(c) * r < 2**63 - 1]
    out = _unit_rate_frame([c for c, _ in pairs], [r for _, r in pairs])
    for a in ("plus_proche", "inferieur"):
        assert out[f"int64_{a}"].to_list() == out[f"int128_{a}"].to_list(), a
    # The CRDS's own case (0,5 % of 151,80 €, rounded down): 75 cents; half a cent goes up in plus_proche.
    assert _unit_rate_frame([15180, 100, -100], [Decimal("0.005")] * 3)["int64_inferieur"].to_list() == [75, 0, 0]
    assert _unit_rate_frame([100, -100], [Decimal("0.005")] * 2)["int64_plus_proche"].to_list() == [1, -1]


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(st.integers(min_value=-(10**17), max_value=10**17), st.decimals(min_value=0, max_value=1, places=9, allow_nan=False)), min_size=1, max_size=40
    )
)
def test_apply_unit_rate_expr_equals_apply_rate_expr(pairs: list[tuple[int, Decimal]]) -> None:
    out = _unit_rate_frame([c for c, _ in pairs], [r for _, r in pairs])
    for a in ("plus_proche", "inferieur"):
        assert out[f"int64_{a}"].to_list() == out[f"int128_{a}"].to_list(), a
