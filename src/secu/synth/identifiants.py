"""Valid identifiers for whole columns at once (numpy): NIR key, Luhn keys of SIREN, SIRET and RPPS.

The rules are those ``secu.core.identifiers`` checks one number at a time
(through python-stdnum); here they are computed on integer arrays so that a
million numbers cost milliseconds. The tests check samples with stdnum.
"""

from __future__ import annotations

import numpy as np


def luhn_key(body: np.ndarray, digits: int) -> np.ndarray:
    """The Luhn check digit of each ``digits``-digit number in ``body`` (Int64 array)."""
    total = np.zeros(body.shape, dtype=np.int64)
    rest = body.astype(np.int64).copy()
    for position in range(digits):  # from the rightmost digit of the body, which is doubled
        digit = rest % 10
        rest //= 10
        if position % 2 == 0:
            digit = digit * 2
            digit = np.where(digit > 9, digit - 9, digit)
        total += digit
    return (10 - total % 10) % 10


def with_luhn(body: np.ndarray, digits: int) -> np.ndarray:
    """``body`` followed by its Luhn key (a number of ``digits`` + 1 digits)."""
    return np.asarray(body.astype(np.int64) * 10 + luhn_key(body, digits))


def nir_key(number13: np.ndarray) -> np.ndarray:
    """97 − (n mod 97), n the 13 digits read as a number (Corsica: 2A → 19, 2B → 18, done by the caller)."""
    return 97 - number13.astype(np.int64) % 97


def sirets(count: int, first: int = 41_000_000) -> np.ndarray:
    """``count`` distinct valid SIRETs (Int64, 14 digits): SIREN 8 digits + key, NIC 0001..9 + key.

    SIRENs start at 41 000 000 (never La Poste's 356 000 000, which follows another rule)."""
    siren = with_luhn(np.arange(first, first + count, dtype=np.int64), 8)
    body = siren * 10_000 + 1  # NIC "0001" then its key, which makes the Luhn sum of all 14 digits right
    return with_luhn(body, 13)


def rpps(count: int, first: int = 1_000_000_000) -> np.ndarray:
    """``count`` distinct valid RPPS numbers (Int64, 11 digits: 10 + a Luhn key)."""
    return with_luhn(np.arange(first, first + count, dtype=np.int64), 10)
