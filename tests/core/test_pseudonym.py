import hashlib
import hmac
from datetime import date

import pytest

from secu.core.pseudonym import pseudonyme


def test_pseudonym_is_the_keyed_hmac_and_depends_on_the_key() -> None:
    expected = hmac.new(b"k1", b"185057511500146|1985-05-14|1", hashlib.sha256).hexdigest()
    assert pseudonyme(b"k1", "185057511500146", date(1985, 5, 14), "1") == expected
    assert pseudonyme(b"k2", "185057511500146", date(1985, 5, 14), "1") != expected
    assert hashlib.sha256(b"185057511500146").hexdigest() != expected


def test_pseudonym_needs_a_key() -> None:
    with pytest.raises(ValueError):
        pseudonyme(b"", "185057511500146", date(1985, 5, 14), "1")
