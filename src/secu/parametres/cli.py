"""`secu param`: the history of a dated legal parameter, or its value on a date.

Registered on the `secu` application by ``secu/cli.py``. Output for people is
French (Rich); ``--json`` gives machine output with values as exact decimal
strings. Bad input (unknown name, malformed date, no value in force that day)
prints a French message on stderr and exits with code 2.
"""

from __future__ import annotations

import json
from datetime import date

import typer
from rich.console import Console
from rich.table import Table

from secu.core.errors import NotFound, UnknownParameter
from secu.core.parameters import (
    UNITS,
    Parameter,
    ParameterValue,
    format_value,
    parameters,
)

EXIT_BAD_INPUT = 2


def _fail(message: str) -> None:
    Console(stderr=True, soft_wrap=True, markup=False, highlight=False).print(message)
    raise typer.Exit(EXIT_BAD_INPUT)


def _parse_date(text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"date : « {text} » n'est pas une date valide (format attendu : AAAA-MM-JJ, par exemple 2026-01-15)")
        raise  # unreachable: _fail exits


def _json_value(value: object) -> str | None:
    return None if value is None else str(value)


def _history_json(parameter: Parameter) -> dict[str, object]:
    return {
        "name": parameter.name,
        "description": parameter.description,
        "unit": parameter.unit,
        "values": [
            {"date_effet": v.date_effet.isoformat(), "value": _json_value(v.value), "reference": v.reference, "note": v.note}
            for v in parameter.values
        ],
    }


def _at_json(parameter: Parameter, day: date, value: ParameterValue) -> dict[str, object]:
    return {
        "name": parameter.name,
        "unit": parameter.unit,
        "date": day.isoformat(),
        "date_effet": value.date_effet.isoformat(),
        "value": _json_value(value.value),
        "reference": value.reference,
    }


commandes = typer.Typer()  # the commands this module adds to `secu` (secu/cli.py)


@commandes.command("param", help="Historique d'un paramètre légal daté, ou sa valeur à une date.")
def param(
    name: str = typer.Argument(..., help="nom du paramètre, par exemple smic.horaire"),
    date_: str | None = typer.Option(None, "--date", help="date AAAA-MM-JJ : la valeur en vigueur ce jour-là"),
    json_: bool = typer.Option(False, "--json", help="sortie JSON (valeurs en texte décimal exact)"),
) -> None:
    """Historique d'un paramètre légal daté, ou sa valeur à une date."""
    catalogue = parameters()
    try:
        parameter = catalogue.get(name)
    except UnknownParameter as error:
        close = catalogue.close_names(name)
        hint = f" Noms proches : {', '.join(close)}." if close else f" Paramètres connus : {', '.join(catalogue.names())}."
        _fail(f"parametre : {error.message}.{hint}")
        return
    day = _parse_date(date_) if date_ is not None else None
    out = Console(soft_wrap=True, markup=False, highlight=False)

    if day is not None:
        try:
            value = parameter.at(day)
        except NotFound as error:
            first = parameter.values[0].date_effet
            _fail(f"date : {error.message} (première valeur connue : {first:%d/%m/%Y}).")
            return
        if json_:
            typer.echo(json.dumps(_at_json(parameter, day, value), ensure_ascii=False, indent=2))
            return
        out.print(f"{parameter.name} — {parameter.description}")
        out.print(
            f"Valeur le {day:%d/%m/%Y} : {format_value(value.value, parameter.unit)} "
            f"(en vigueur depuis le {value.date_effet:%d/%m/%Y})"
        )
        out.print(f"Référence : {value.reference}")
        if value.note:
            out.print(f"Note : {value.note}")
        return

    if json_:
        typer.echo(json.dumps(_history_json(parameter), ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{parameter.name} — {parameter.description}", title_justify="left", show_lines=True)
    table.add_column("date d'effet", no_wrap=True)
    table.add_column(f"valeur ({UNITS[parameter.unit].label.split(' (')[0]})", no_wrap=True, justify="right")
    table.add_column("référence", overflow="fold")
    for v in parameter.values:
        table.add_row(f"{v.date_effet:%d/%m/%Y}", format_value(v.value, parameter.unit), v.reference)
    out.print(table)
