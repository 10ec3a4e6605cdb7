"""``secu retraite survivants …``: the réversion, the allocation veuvage and the ASPA from the command line (issue 14 §4).

The caisse's back office, acting as the system (every write and read journaled as such), through the same service as
the API (:mod:`secu.retraite.survivants`): the same checks, the same French messages naming the field.

* ``demander FICHIER`` — a claim (JSON: the body of ``POST /api/retraite/survivants/demandes``);
* ``instruire DEMANDE [FICHIER]`` — the facts established (JSON, optional) and the rule's result, step by step;
* ``decider DEMANDE --decision attribution|rejet --date AAAA-MM-JJ [--motif …]``;
* ``reviser PRESTATION --a-compter-du AAAA-MM-01 FICHIER`` — new resources (JSON) from a month on;
* ``recuperer PRESTATION --actif-net EUROS --notaire NOM [--outre-mer]`` — ASPA: the recovery on the estate;
* ``lire PRESTATION`` — the amounts by period and the payments.

The payment is the caisse's monthly run, ``secu retraite payer``. :func:`register` adds the group to the ``secu retraite``
Typer app (the wiring is in ``secu/cli.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from secu.core.errors import SecuError
from secu.core.money import format_eur, to_cents

EXIT_BAD_INPUT = 2
T = TypeVar("T")
app = typer.Typer(help="Réversion, allocation veuvage et ASPA : demandes, instruction, décision, révision, récupération sur succession.",
                  no_args_is_help=True)


def _fail(message: str) -> None:
    Console(stderr=True, soft_wrap=True, highlight=False).print(f"[red]{message}[/red]")
    raise typer.Exit(EXIT_BAD_INPUT)


def _json(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        _fail(f"{path} : fichier JSON illisible ({error})")
    if not isinstance(data, dict):
        _fail(f"{path} : un objet JSON est attendu")
    return dict(data)


def _jour(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{option} : date invalide (format attendu : AAAA-MM-JJ)")
        raise


def _modele(cls: type[T], data: dict[str, Any]) -> T:
    try:
        return cls.model_validate(data)  # type: ignore[attr-defined, no-any-return]
    except ValidationError as error:
        first = error.errors()[0]
        _fail(f"{'.'.join(str(p) for p in first['loc']) or 'entrée'} : valeur invalide ({first['msg']})")
        raise


def _run(action: Callable[[Any], T], options: dict[str, str] | None = None) -> T:
    """The use case in one unit of work as the system; a refusal printed in French, naming the option or the field."""
    from secu.cli import _engine
    from secu.core.db import session_factory, unit_of_work

    engine = _engine()
    try:
        with unit_of_work(session_factory(engine)) as session:
            return action(session)
    except SecuError as error:
        champ = (options or {}).get(error.field or "", error.field)
        _fail(f"{champ} : {error.message}" if champ else error.message)
        raise
    finally:
        engine.dispose()


def _console() -> Console:
    return Console(soft_wrap=True, highlight=False)


def _etapes(etapes: list[dict[str, Any]]) -> None:
    table = Table("Étape", "Montant", "Référence")
    for step in etapes:
        table.add_row(step["etape"], "" if step["montant_cents"] is None else format_eur(step["montant_cents"]), step["reference"] or "")
    _console().print(table)


@app.command("demander", help="Déposer une demande de réversion, d'allocation veuvage ou d'ASPA (fichier JSON) ; la même demande deux fois n'en fait qu'une.")
def demander(fichier: Path = typer.Argument(..., help="la demande en JSON (nature, personne_id, defunt_id, date_demande, ressources, iban…)")) -> None:
    """File a claim (the same claim twice is one)."""
    from secu.core.security import SYSTEM
    from secu.retraite import survivants as sv

    data = _modele(sv.DemandeSolidariteIn, _json(fichier))
    out = _run(lambda s: sv.demande_out(s, sv.demander(s, SYSTEM, data)))
    _console().print(f"Demande {out['id']} ({sv.LIBELLES[out['nature']]}) : {out['statut']}, caisse {out['organisme_code']}, "
                     f"effet au {out['date_effet']:%d/%m/%Y}")


@app.command("instruire", help="Instruire une demande : les faits établis (fichier JSON facultatif), le calcul et ses étapes.")
def instruire(demande: int = typer.Argument(..., min=1), fichier: Path | None = typer.Argument(None, help="les faits établis en JSON")) -> None:
    """Run the rule on the claim and the facts; print its steps."""
    from secu.core.security import SYSTEM
    from secu.retraite import survivants as sv

    data = _modele(sv.InstructionSolidariteIn, _json(fichier))
    out = _run(lambda s: sv.demande_out(s, sv.instruire(s, SYSTEM, demande, data)))
    _console().print(f"Demande {demande} instruite : {format_eur(out['instruction']['montant_mensuel_cents'])} par mois")
    _etapes(out["instruction"]["etapes"])


@app.command("decider", help="Décider : attribuer la prestation instruite, ou rejeter la demande avec son motif ; la lettre est écrite.")
def decider(
    demande: int = typer.Argument(..., min=1),
    decision: str = typer.Option(..., "--decision", help="attribution ou rejet"),
    jour: str = typer.Option(..., "--date", help="date de la décision, AAAA-MM-JJ"),
    motif: str | None = typer.Option(None, "--motif", help="motif du rejet"),
) -> None:
    """Grant the instructed benefit, or reject the claim with its motif; the letter is written."""
    from secu.core.security import SYSTEM
    from secu.retraite import survivants as sv

    data = _modele(sv.DecisionSolidariteIn, {"decision": decision, "date_decision": _jour(jour, "--date"), "motif": motif})
    out = _run(lambda s: sv.demande_out(s, sv.decider(s, SYSTEM, demande, data)),
               {"decision": "--decision", "date_decision": "--date", "motif": "--motif"})
    suite = f", prestation {out['prestation_id']}" if out["prestation_id"] else ""
    _console().print(f"Demande {demande} : {out['statut']}{suite}")


@app.command("reviser", help="Réviser les ressources à compter d'un mois : le nouveau montant et ses étapes.")
def reviser(
    prestation: int = typer.Argument(..., min=1),
    a_compter_du: str = typer.Option(..., "--a-compter-du", help="premier jour du mois de la révision, AAAA-MM-01"),
    fichier: Path = typer.Argument(..., help="les ressources déclarées en JSON"),
) -> None:
    """New resources from a month on: the new amount and its steps."""
    from secu.core.security import SYSTEM
    from secu.retraite import survivants as sv

    debut = _jour(a_compter_du, "--a-compter-du")
    data = _modele(sv.RevisionIn, _json(fichier) | {"a_compter_du": debut, "date_revision": date.today()})
    montant = _run(lambda s: sv.reviser(s, SYSTEM, prestation, data), {"a_compter_du": "--a-compter-du"})
    _console().print(f"Prestation {prestation} : {format_eur(montant.montant_mensuel_cents)} par mois à compter du {montant.a_compter_du:%d/%m/%Y}"
                     f"{' (définitif)' if montant.definitif else ''}")


@app.command("recuperer", help="ASPA : la récupération sur la succession de l'allocataire décédé (CSS art. L. 815-13), notifiée et inscrite au FSV.")
def recuperer(
    prestation: int = typer.Argument(..., min=1),
    actif_net: str = typer.Option(..., "--actif-net", help="actif net successoral déclaré par le notaire, en euros"),
    notaire: str = typer.Option(..., "--notaire"),
    outre_mer: bool = typer.Option(False, "--outre-mer", help="succession relevant du seuil des DROM"),
) -> None:
    """ASPA: the créance on the dead beneficiary's estate (L. 815-13), notified and booked to the FSV."""
    from secu.core.security import SYSTEM
    from secu.retraite import survivants as sv

    try:
        cents = to_cents(actif_net)
    except SecuError:
        _fail("--actif-net : montant invalide (en euros, ex. 130000,00)")
        return
    data = _modele(sv.RecuperationIn, {"date_declaration": date.today(), "notaire": notaire, "actif_net_cents": cents, "outre_mer": outre_mer})
    r = _run(lambda s: sv.recuperer(s, SYSTEM, prestation, data), {"actif_net_cents": "--actif-net", "notaire": "--notaire"})
    _console().print(f"Succession : ASPA versée {format_eur(r.aspa_versee_cents)} sur {r.mois_versement} mois ; à récupérer {format_eur(r.montant_cents)}")


@app.command("lire", help="Une prestation : ses montants par période et ses versements.")
def lire(prestation: int = typer.Argument(..., min=1)) -> None:
    """A benefit: its amounts by period and its payments."""
    from secu.core.security import SYSTEM
    from secu.retraite import survivants as sv

    out = _run(lambda s: sv.lire_prestation(s, SYSTEM, prestation))
    console = _console()
    console.print(f"Prestation {out['id']} ({sv.LIBELLES[out['nature']]}), effet au {out['date_effet']:%d/%m/%Y}")
    for m in out["montants"]:
        console.print(f"  à compter du {m['a_compter_du']:%d/%m/%Y} : {format_eur(m['montant_mensuel_cents'])} par mois")
    table = Table("Mois", "Payé le", "Brut", "Net")
    for v in out["versements"]:
        table.add_row(f"{v['mois']:%m/%Y}", f"{v['date_paiement']:%d/%m/%Y}", format_eur(v["brut_cents"]), format_eur(v["net_cents"]))
    console.print(table)


def register(parent: typer.Typer) -> None:
    """Add the ``survivants`` group to the ``secu retraite`` commands."""
    parent.add_typer(app, name="survivants")


__all__ = ["app", "register"]
