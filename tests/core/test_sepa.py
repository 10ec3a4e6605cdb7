"""The SEPA export checks every file against sepaxml's own XSD, compiled once."""

from __future__ import annotations

from datetime import date

import pytest
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError

from secu.core.sepa import export_valide

PAYEUR = {"name": "CPAM de test", "IBAN": "FR7630006000011234567890189", "BIC": "AGRIFRPP", "batch": True, "currency": "EUR"}


def _transfer(name: str, endtoend_id: str = "SECU0000000100000") -> SepaTransfer:
    sepa = SepaTransfer(PAYEUR, clean=True)
    sepa.add_payment({"name": name, "IBAN": "FR7630004000031234567890143", "BIC": "BNPAFRPP", "amount": 12345,
                      "execution_date": date(2026, 1, 5), "description": "Remboursement", "endtoend_id": endtoend_id})
    return sepa


def test_the_file_is_sepaxml_s_own_export() -> None:
    text = export_valide(_transfer("Jeanne Martin"))
    assert "<InstdAmt Ccy=\"EUR\">123.45</InstdAmt>" in text
    assert "<Nm>Jeanne Martin</Nm>" in text
    assert "<NbOfTxs>1</NbOfTxs>" in text


def test_a_file_the_schema_refuses_is_refused() -> None:
    # pain.001.001.03: an EndToEndId is Max35Text; sepaxml passes it through, the XSD refuses it.
    with pytest.raises(ValidationError):
        export_valide(_transfer("Jeanne Martin", endtoend_id="E" * 36))
