"""Keyed pseudonyms for analytics: HMAC-SHA-256 of NIR, birth date and sex.

Never a plain hash: the NIR space is small and structured, so a hash could be
reversed by enumeration. One key per extract makes extracts unlinkable; the
key stays outside the analytics store (SECU_PSEUDONYM_KEY or SECU_HOME).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date


def pseudonyme(key: bytes, nir: str, date_naissance: date, sexe: str) -> str:
    if not key:
        raise ValueError("une clé de pseudonymisation est obligatoire")
    message = f"{nir}|{date_naissance.isoformat()}|{sexe}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
