"""Parameter values written for people (French numbers and units) and as exact JSON text."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from secu.core.bareme import Bareme
from secu.core.money import NBSP
from secu.core.parameters.model import Parameter, ParameterData, ParameterScalar


def _french_number(number: Decimal | int) -> str:
    """1234.5 -> "1 234,5" (no-break space between digit groups, decimal comma)."""
    text = str(number) if isinstance(number, int) else format(number, "f")
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}".replace(",", NBSP)
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def format_value(value: ParameterScalar, unit: str) -> str:
    """A parameter value written for people, the French way, with its unit.

    ``1709.28`` eur -> "1 709,28 €"; ``48060`` eur -> "48 060 €";
    ``12.02`` eur_par_heure -> "12,02 € par heure"; ``0.0525`` taux -> "5,25 %".
    """
    if value is None:
        return "— (ne s'applique plus)"
    if unit in ("eur", "eur_par_heure"):
        number = Decimal(value)
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if exponent < 0:
            number = number.quantize(Decimal("0.01"))
        text = f"{_french_number(number)}{NBSP}€"
        return f"{text} par heure" if unit == "eur_par_heure" else text
    if unit == "taux":
        percent = (Decimal(value) * 100).normalize()
        return f"{_french_number(percent)}{NBSP}%"
    if unit == "coefficient":
        return _french_number(Decimal(value).normalize())
    if unit == "heures":
        return f"{_french_number(Decimal(value))} heure{'s' if abs(Decimal(value)) > 1 else ''}"
    if unit == "jours":
        return f"{_french_number(value)} jour{'s' if abs(int(value)) > 1 else ''}"
    return _french_number(value)


def value_lines(parameter: Parameter, value: ParameterData) -> list[str]:
    """A value of ``parameter`` written for people: one line for a number, one per key of a table, one per tranche of a barème.

    Table: ``gir1 : 1,615`` or ``1 : deuxieme_enfant 32 % ; enfant_suivant 41 %``; barème:
    ``de 266 € à 397 € : 25 %`` … ``au-delà de 793 € : 60 %``.
    """
    unit = parameter.unit
    if isinstance(value, Bareme):
        seuil_unit = parameter.unit_seuil or value.unit_seuil
        lines = []
        for index, tranche in enumerate(value.tranches):
            low = format_value(tranche.seuil, seuil_unit)
            rate = format_value(tranche.taux, unit)
            if index + 1 < len(value.tranches):
                lines.append(f"de {low} à {format_value(value.tranches[index + 1].seuil, seuil_unit)} : {rate}")
            else:
                lines.append(f"au-delà de {low} : {rate}")
        return lines
    if isinstance(value, Mapping):
        return [
            f"{key} : " + (" ; ".join(f"{sub} {format_value(leaf, unit)}" for sub, leaf in item.items())
                           if isinstance(item, Mapping) else format_value(item, unit))
            for key, item in value.items()
        ]
    return [format_value(value, unit)]


JsonValue = str | dict[str, str | dict[str, str]] | list[dict[str, str]] | None
"""A value as exact decimal text: a number, a table (one or two levels of keys), a barème's tranches, or None."""


def json_value(value: ParameterData) -> JsonValue:
    """A value as JSON-ready exact decimal text: a number "0.0525", a table {key: …}, a barème [{seuil, taux}]."""
    if value is None:
        return None
    if isinstance(value, Bareme):
        return [{"seuil": str(t.seuil), "taux": str(t.taux)} for t in value.tranches]
    if isinstance(value, Mapping):
        return {
            key: {sub: str(leaf) for sub, leaf in item.items()} if isinstance(item, Mapping) else str(item)
            for key, item in value.items()
        }
    return str(value)

