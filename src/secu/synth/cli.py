"""``secu synth --people N --out DIR``: write a calibrated synthetic France, one partition at a time."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from secu.core.errors import SecuError

console = Console()
errors = Console(stderr=True, soft_wrap=True)


commandes = typer.Typer()  # the commands this module adds to `secu` (secu/cli.py)


@commandes.command("synth", help="Générer une France synthétique calibrée (personnes, foyers, employeurs, professionnels), partition par partition.")
def synth(
    people: int = typer.Option(..., "--people", help="nombre de personnes à générer (1 à 80 millions)"),
    out: Path = typer.Option(..., "--out", help="dossier du jeu de données (vide, ou le même jeu à compléter)"),
    seed: int = typer.Option(2025, "--seed", help="graine : les mêmes arguments donnent les mêmes fichiers"),
    annee: int = typer.Option(2025, "--annee", help="année de référence"),
    partition_size: int = typer.Option(100_000, "--partition-size", help="personnes au plus par partition"),
    sans_progression: bool = typer.Option(False, "--sans-progression", help="sans barre de progression"),
) -> None:
    from secu.synth.generator import check_folder, check_request, manifest, plan, synthesize

    start = time.perf_counter()
    try:
        check_request(people, partition_size, annee)
        total = len(plan(people, partition_size))
        check_folder(out, manifest(people, seed, annee, partition_size, total))  # refused before any bar is drawn
        with Progress(TextColumn("partitions"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, disable=sans_progression) as progress:
            task = progress.add_task("synth", total=total)
            meta = synthesize(out, people, seed=seed, annee=annee, partition_size=partition_size,
                              progress=lambda index, count: progress.advance(task))
    except SecuError as error:
        errors.print(f"[red]{error}[/red]", markup=True, highlight=False)
        sys.exit(2)
    console.print(f"{meta['people']:,} personnes en {meta['partitions']} partition(s) dans {out} "
                  f"({time.perf_counter() - start:.1f} s)".replace(",", " "))
