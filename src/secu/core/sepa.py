"""SEPA credit-transfer files (pain.001): sepaxml builds them, one cached XML Schema checks them.

``sepaxml``'s own ``export(validate=True)`` compiles its XSD anew on every file
(about 1.4 s each here), which made every payment run pay for it; the schema
is the same file every time, so it is compiled once per process and the
check stays exactly the one sepaxml ships.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import sepaxml
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
