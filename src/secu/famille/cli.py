"""`secu famille`: a household's family benefits for one month, with their explanation, for a quick check.

Registered on the `secu` application by ``secu/cli.py``. The household file
is the JSON of :mod:`secu.famille.foyer` (documented in the README); the
amounts come from the same vectorized rules as the monthly run
(:func:`secu.famille.rules.droits`) over a frame of one row. Output for people
is a Rich table and each benefit's steps; ``--json`` gives amounts in cents.
Bad input prints a French message naming the field on stderr and exits with
code 2; nothing is stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from secu.core.errors import SecuError
from secu.core.money import format_eur
from secu.recouvrement.cli import EXIT_BAD_INPUT, _fail, _month

commandes = typer.Typer()  # the commands this module adds to `secu` (secu/cli.py)


@commandes.command("famille", help="Prestations familiales d'un foyer pour un mois, avec leur explication.")
def famille(
    mois: str = typer.Option(..., "--mois", help="mois du droit, AAAA-MM"),
    foyer: Path = typer.Option(..., "--foyer", help="fichier JSON du foyer (format : README, section Famille)"),
    json_: bool = typer.Option(False, "--json", help="sortie JSON (montants en centimes)"),
) -> None:
    """Les prestations familiales d'un foyer pour un mois : brut, CRDS, net, et leur explication."""
    from secu.famille import foyer as foyer_file
    from secu.famille.explication import LIBELLES, explain
    from secu.famille.rules import droits, par_prestation

    month = _month(mois)
    try:
        text = foyer.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"foyer : fichier illisible ({foyer}) : {error}")
        return
    try:
        foyers, enfants = foyer_file.frames(text, [month])
        computed = droits(foyers, enfants)
    except SecuError as error:
        _fail(str(error))
        return
    row = computed.row(0, named=True)
    lines = par_prestation(computed).to_dicts()
    steps = explain(row)

    if json_:
        payload = {
            "mois": month.isoformat()[:7],
            "prestations": [
                {
                    "prestation": str(line["prestation"]), "libelle": LIBELLES[str(line["prestation"])],
                    "brut_cents": line["brut"], "crds_cents": line["crds"], "net_cents": line["net"],
                    "explication": steps.get(str(line["prestation"]), []),
                }
                for line in lines
            ],
            "total_brut_cents": sum(line["brut"] for line in lines),
            "total_crds_cents": sum(line["crds"] for line in lines),
            "total_net_cents": sum(line["net"] for line in lines),
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return

    out = Console(markup=False, highlight=False)
    out.width = max(out.width, 140)
    if not lines:
        out.print(f"Aucune prestation familiale due pour {month:%m/%Y}.")
        return
    table = Table(title=f"Prestations familiales de {month:%m/%Y}", title_justify="left")
    table.add_column("prestation")
    for name in ("brut", "CRDS", "net"):
        table.add_column(name, justify="right", no_wrap=True)
    for line in lines:
        table.add_row(LIBELLES[str(line["prestation"])], format_eur(line["brut"]), format_eur(line["crds"]), format_eur(line["net"]))
    table.add_row(
        "Total", format_eur(sum(x["brut"] for x in lines)), format_eur(sum(x["crds"] for x in lines)),
        format_eur(sum(x["net"] for x in lines)),
    )
    out.print(table)
    for line in lines:
        name = str(line["prestation"])
        out.print(f"\n{LIBELLES[name]}")
        for step in steps.get(name, []):
            amount = "" if step["montant_cents"] is None else f" : {format_eur(step['montant_cents'])}"
            reference = f"  [{step['reference']}]" if step["reference"] else ""
            out.print(f"  - {step['etape']}{amount}{reference}")


__all__ = ["commandes", "famille", "EXIT_BAD_INPUT"]
