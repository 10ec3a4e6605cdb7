"""SEPA credit-transfer files (pain.001): sepaxml builds them, one cached XML Schema checks them.

``sepaxml``'s own ``export(validate=True)`` compiles its XSD anew on every file
(about 1.4 s each here), which made every payment run pay for it; the schema
is the same file every time, so it is compiled once per process and the
check stays exactly the one sepaxml ships.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import sepaxml
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError


@cache
def _schema(name: str) -> Any:
    import xmlschema  # imported late, as sepaxml does: it patches ElementTree when imported

    return xmlschema.XMLSchema(str(Path(sepaxml.__file__).parent / "schemas" / f"{name}.xsd"))


def export_valide(sepa: Any) -> str:
    """The file of ``sepa`` (a sepaxml SepaTransfer), pretty-printed, after checking it against its XSD.

    Raises sepaxml's ValidationError, as its own export does, when a field is illegal.
    """
    out: bytes = sepa.export(validate=False, pretty_print=True)
    schema = _schema(sepa.schema)
    try:
        schema.validate(out.decode())
    except Exception as error:  # xmlschema's validation errors
        if type(error).__module__.startswith("xmlschema"):
            raise ValidationError(
                "The output SEPA file contains validation errors. This is likely due to an illegal value in one of your input fields."
            ) from error
        raise
    return out.decode()


@dataclass(frozen=True)
class Compte:
    """The paying account: the organism's name and the account the settings give."""

    nom: str
    iban: str
    bic: str | None


@dataclass(frozen=True)
class Virement:
    nom: str
    iban: str | None  # a row is paid only with an account: None is a broken invariant, refused below
    bic: str | None
    montant_cents: int
    libelle: str


def fichier_virements(payeur: Compte, date_execution: date, reference: str, virements: Sequence[Virement]) -> str:
    """The checked pain.001 of ``virements`` in their order ("" when there is none); end-to-end ids ``<reference><rank:06d>``."""
    if not virements:
        return ""
    sepa = SepaTransfer({"name": payeur.nom[:70], "IBAN": payeur.iban, "BIC": payeur.bic, "batch": True, "currency": "EUR"}, clean=True)
    for index, virement in enumerate(virements):
        if not virement.iban:
            raise ValueError(f"virement sans IBAN : {virement.nom}")
        payment: dict[str, Any] = {
            "name": virement.nom[:70],
            "IBAN": virement.iban,
            "amount": virement.montant_cents,
            "execution_date": date_execution,
            "description": virement.libelle,
            "endtoend_id": f"{reference}{index:06d}",
        }
        if virement.bic:
            payment["BIC"] = virement.bic
        sepa.add_payment(payment)
    return export_valide(sepa)
