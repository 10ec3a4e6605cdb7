"""`secu param`: the history of a dated legal parameter, its value on a date, or what is still unverified.

Registered on the `secu` application by ``secu/cli.py``. Output for people is
French (Rich); ``--json`` gives machine output with values as exact decimal
strings (a table as an object, a barème as a list of tranches). Bad input
(unknown name, malformed date, no value in force that day) prints a French
message on stderr and exits with code 2.

``secu param --non-verifies`` lists every parameter value whose ``statut`` is
not ``confirme``, by domain, and the tariff rows of ``maladie/data/tarifs.csv``
that are not either (read through ``secu.maladie.tarifs``), with their counts.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from secu.core.errors import NotFound, UnknownParameter
from secu.core.parameters import (
    UNITS,
    Parameter,
    Parameters,
    ParameterValue,
    json_value,
    parameters,
    value_lines,
)

if TYPE_CHECKING:
    from secu.maladie.tarifs import TarifRow

EXIT_BAD_INPUT = 2
CONFIRME = "confirme"
STATUT_LABELS = {"confirme": "confirmé", "secondaire": "source secondaire", "non-verifie": "non vérifié"}
"""The statuts as people read them."""
TARIFS_SOURCE = "maladie/data/tarifs.csv"


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


def _statut(value: ParameterValue) -> str:
    return STATUT_LABELS.get(value.statut, value.statut)


def _history_json(parameter: Parameter) -> dict[str, object]:
    return {
        "name": parameter.name,
        "description": parameter.description,
        "type": parameter.kind,
        "unit": parameter.unit,
        **({"unit_seuil": parameter.unit_seuil} if parameter.unit_seuil else {}),
        "values": [
            {"date_effet": v.date_effet.isoformat(), "value": json_value(v.value), "reference": v.reference, "statut": v.statut, "note": v.note}
            for v in parameter.values
        ],
    }


def _at_json(parameter: Parameter, day: date, value: ParameterValue) -> dict[str, object]:
    return {
        "name": parameter.name,
        "unit": parameter.unit,
        "date": day.isoformat(),
        "date_effet": value.date_effet.isoformat(),
        "value": json_value(value.value),
        "reference": value.reference,
        "statut": value.statut,
    }


def _unit_label(parameter: Parameter) -> str:
    label = UNITS[parameter.unit].label.split(" (")[0]
    if parameter.unit_seuil:
        return f"{label} ; seuils en {UNITS[parameter.unit_seuil].label}"
    return label


def _show_on(parameter: Parameter, day: date, json_: bool) -> None:
    try:
        value = parameter.at(day)
    except NotFound as error:
        first = parameter.values[0].date_effet
        _fail(f"date : {error.message} (première valeur connue : {first:%d/%m/%Y}).")
        return
    if json_:
        typer.echo(json.dumps(_at_json(parameter, day, value), ensure_ascii=False, indent=2))
        return
    out = Console(soft_wrap=True, markup=False, highlight=False)
    out.print(f"{parameter.name} — {parameter.description}")
    lines = value_lines(parameter, value.value)
    since = f"(en vigueur depuis le {value.date_effet:%d/%m/%Y})"
    if len(lines) == 1:
        out.print(f"Valeur le {day:%d/%m/%Y} : {lines[0]} {since}")
    else:
        out.print(f"Valeur le {day:%d/%m/%Y} {since} :")
        for line in lines:
            out.print(f"  {line}")
    out.print(f"Référence : {value.reference}")
    out.print(f"Statut : {_statut(value)}")
    if value.note:
        out.print(f"Note : {value.note}")


def _show_history(parameter: Parameter, json_: bool) -> None:
    if json_:
        typer.echo(json.dumps(_history_json(parameter), ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{parameter.name} — {parameter.description}", title_justify="left", show_lines=True)
    table.add_column("date d'effet", no_wrap=True)
    table.add_column(f"valeur ({_unit_label(parameter)})", justify="left" if parameter.kind != "scalaire" else "right")
    table.add_column("statut", no_wrap=True)
    table.add_column("référence", overflow="fold")
    for v in parameter.values:
        table.add_row(f"{v.date_effet:%d/%m/%Y}", "\n".join(value_lines(parameter, v.value)), _statut(v), v.reference)
    Console(soft_wrap=True, markup=False, highlight=False).print(table)


# --------------------------------------------------------------------------
# What remains to verify


def unverified_parameters(catalogue: Parameters) -> dict[str, list[tuple[Parameter, ParameterValue]]]:
    """Every value whose statut is not confirme, by domain (domains and names in order)."""
    found: dict[str, list[tuple[Parameter, ParameterValue]]] = defaultdict(list)
    for parameter in catalogue:
        for value in parameter.values:
            if value.statut != CONFIRME:
                found[parameter.domain or "?"].append((parameter, value))
    return dict(sorted(found.items()))


def _unverified_tariffs() -> list[TarifRow]:
    from secu.maladie.tarifs import tarifs  # read-only: the maladie branch's loader and checks

    return [row for row in tarifs().rows if row.statut != CONFIRME]


def _non_verifies(json_: bool) -> None:
    by_domain = unverified_parameters(parameters())
    rows = _unverified_tariffs()
    count = sum(len(values) for values in by_domain.values())
    if json_:
        payload = {
            "count": count + len(rows),
            "parametres": {
                "count": count,
                "par_domaine": {
                    domain: [{"name": p.name, "date_effet": v.date_effet.isoformat(), "statut": v.statut, "reference": v.reference,
                              "note": v.note} for p, v in values]
                    for domain, values in by_domain.items()
                },
            },
            "tarifs": {
                "count": len(rows),
                "source": TARIFS_SOURCE,
                "lignes": [{"acte": r.acte, "libelle": r.libelle, "date_effet": r.date_effet.isoformat(),
                            "statut": r.statut, "reference": r.reference, "note": r.note} for r in rows],
            },
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    out = Console(soft_wrap=True, markup=False, highlight=False)
    out.print(f"Valeurs non confirmées dans le texte officiel : {count + len(rows)} "
              f"({count} valeur(s) de paramètres, {len(rows)} ligne(s) de tarifs)")
    for domain, values in by_domain.items():
        out.print(f"\n{domain} — {len(values)} valeur(s)")
        for parameter, value in values:
            out.print(f"  {parameter.name} — {value.date_effet:%d/%m/%Y} — {_statut(value)}")
            out.print(f"    Référence : {value.reference}")
            if value.note:
                out.print(f"    Note : {value.note}")
    out.print(f"\nmaladie, tarifs ({TARIFS_SOURCE}) — {len(rows)} ligne(s)")
    for row in rows:
        out.print(f"  {row.acte} ({row.libelle}) — {row.date_effet:%d/%m/%Y} — "
                  f"{STATUT_LABELS.get(row.statut, row.statut)}")
        out.print(f"    Référence : {row.reference}")
        if row.note:
            out.print(f"    Note : {row.note}")


commandes = typer.Typer()  # the commands this module adds to `secu` (secu/cli.py)


@commandes.command("param", help="Historique d'un paramètre légal daté, sa valeur à une date, ou ce qui reste à vérifier (--non-verifies).")
def param(
    name: str | None = typer.Argument(None, help="nom du paramètre, par exemple smic.horaire"),
    date_: str | None = typer.Option(None, "--date", help="date AAAA-MM-JJ : la valeur en vigueur ce jour-là"),
    json_: bool = typer.Option(False, "--json", help="sortie JSON (valeurs en texte décimal exact)"),
    non_verifies: bool = typer.Option(False, "--non-verifies", help="les valeurs et tarifs dont le statut n'est pas « confirmé »"),
) -> None:
    """Historique d'un paramètre légal daté, sa valeur à une date, ou ce qui reste à vérifier (--non-verifies)."""
    if non_verifies:
        if name is not None or date_ is not None:
            _fail("--non-verifies s'emploie seul (avec --json au besoin), sans nom de paramètre ni --date.")
        _non_verifies(json_)
        return
    if name is None:
        _fail("parametre : indiquer le nom d'un paramètre (par exemple secu param smic.horaire), ou --non-verifies.")
        return
    catalogue = parameters()
    try:
        parameter = catalogue.get(name)
    except UnknownParameter as error:
        close = catalogue.close_names(name)
        hint = f" Noms proches : {', '.join(close)}." if close else f" Paramètres connus : {', '.join(catalogue.names())}."
        _fail(f"parametre : {error.message}.{hint}")
        return
    if date_ is not None:
        _show_on(parameter, _parse_date(date_), json_)
    else:
        _show_history(parameter, json_)
