"""The `secu` command line (Typer + Rich).

One way to declare a command: the module that implements it declares it on a
Typer of its own, ``commandes = typer.Typer()``, with
``@commandes.command("nom", help="…")``; `app`, at the end of this module,
adds each module's ``commandes`` and Typer merges their commands into
``secu``'s. This module declares the service's own commands (migrate, serve,
demo, utilisateur, payer, verifier) the same way.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from secu.especes import cli as especes_cli
from secu.famille import cli as famille_cli
from secu.maladie import batch as maladie_batch
from secu.organismes import cli as organismes_cli
from secu.parametres import cli as parametres_cli
from secu.pilotage import cli as pilotage_cli
from secu.recouvrement import cli as recouvrement_cli
from secu.retraite import cli as retraite_cli
from secu.simulation import cli as simulation_cli
from secu.synth import cli as synth_cli

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

console = Console()
errors = Console(stderr=True)
commandes = typer.Typer()  # the service's own commands


def _engine() -> Engine:
    from secu.config import settings
    from secu.core.db import make_engine, migrate

    engine = make_engine(settings().resolved_database_url)
    migrate(engine)
    return engine


@commandes.command("migrate", help="Créer ou mettre à jour le schéma de la base (Alembic).")
def migrate_command() -> None:
    engine = _engine()
    console.print(f"Base à jour : {engine.url.render_as_string(hide_password=True)}")


def _serve(port: int, host: str) -> None:
    import uvicorn

    from secu.app import create_app

    console.print(f"[bold]secu[/bold] est servi sur [link]http://{host}:{port}/[/link] — API : http://{host}:{port}/docs")
    # The proxies' headers are read by the application itself (SECU_PROXIES_DE_CONFIANCE), whatever serves it.
    uvicorn.run(create_app(), host=host, port=port, log_level="warning", proxy_headers=False)


@commandes.command("serve", help="Servir l'API et les pages.")
def serve(
    port: int = typer.Option(8000, "--port", help="port d'écoute"),
    host: str = typer.Option("127.0.0.1", "--host", help="adresse d'écoute"),
) -> None:
    _engine()
    _serve(port, host)


@commandes.command("demo", help="Créer la base SQLite, la peupler d'une population de démonstration, et servir.")
def demo(
    port: int = typer.Option(8000, "--port", help="port d'écoute"),
    host: str = typer.Option("127.0.0.1", "--host", help="adresse d'écoute"),
    foyers: int = typer.Option(120, "--foyers", min=1, max=100_000, help="nombre de foyers de démonstration"),
    seed: int = typer.Option(2026, "--seed", help="graine du générateur (même graine, même population)"),
    no_serve: bool = typer.Option(False, "--no-serve", help="peupler sans servir"),
) -> None:
    from sqlalchemy import func, select

    from secu.core.db import session_factory, unit_of_work
    from secu.demo.population import DEMO_PASSWORD
    from secu.demo.population import seed as seed_population
    from secu.register.models import Personne

    engine = _engine()
    with unit_of_work(session_factory(engine)) as session:
        existing = session.scalar(select(func.count()).select_from(Personne)) or 0
        if existing:
            console.print(f"Répertoire déjà peuplé ({existing} personnes) : la population est conservée.")
            report = None
        else:
            with console.status("Création de la population de démonstration…"):
                report = seed_population(session, households=foyers, seed_value=seed)
        soins = None
    if report is not None:
        from secu.core.money import format_eur
        from secu.demo.population import REFERENCE
        from secu.demo.soins import seed_claims

        with console.status("Feuilles de soins de démonstration : liquidation et paiement…"):
            soins = seed_claims(session_factory(engine), reference=REFERENCE, seed_value=seed)
        from secu.demo.dsn import seed_dsn

        with console.status("DSN de démonstration : cotisations et compte de l'employeur…"):
            dsn_report = seed_dsn(session_factory(engine), seed_value=seed)
        from secu.demo.famille import seed_famille

        with console.status("Prestations familiales et APA de démonstration : paiements mensuels…"):
            famille_report = seed_famille(session_factory(engine), seed_value=seed)
        from secu.demo.invalidite import seed_invalidite

        with console.status("Pensions d'invalidité et capital décès de démonstration…"):
            invalidite_report = seed_invalidite(session_factory(engine), seed_value=seed)
        from secu.demo.arrets import JOUR_DEMO, seed_arrets

        with console.status("Arrêts de travail et congé maternité de démonstration : IJ liquidées et payées…"):
            arrets_report = seed_arrets(session_factory(engine), seed_value=seed)
        from secu.demo.retraite import seed_retraite

        with console.status("Retraités de démonstration : carrières, pensions, réversion, ASPA…"):
            retraite_report = seed_retraite(session_factory(engine), seed_value=seed)
    if report is not None:
        console.print(
            f"Population créée : {report.personnes} personnes (dont {report.enfants} enfants), {report.foyers} foyers, "
            f"{report.employeurs} employeurs, {report.professionnels} professionnels, {report.ald} ALD, {report.c2s} C2S."
        )
        table = Table(title=f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD})")
        table.add_column("identifiant")
        table.add_column("ce qu'il voit")
        for login, what in (report.comptes | invalidite_report.comptes | retraite_report.comptes).items():
            table.add_row(login, what)
        console.print(table)
    if soins is not None:
        console.print(
            f"Feuilles de soins : {soins.feuilles} reçues, {soins.rejetees} rejetée(s) ; remboursé {format_eur(soins.rembourse_cents)} ; "
            f"payé par virement SEPA {format_eur(soins.paye_cents)}."
        )
        console.print(
            f"DSN : {dsn_report.declarations} déclarations de l'employeur de démonstration ({dsn_report.salaries} bulletins) ; "
            f"dû à l'URSSAF {format_eur(dsn_report.du_cents)}, versé {format_eur(dsn_report.verse_cents)}."
        )
        console.print(
            f"Famille : {famille_report.dossiers} dossiers allocataires, prestations d'octobre à décembre 2025 versées "
            f"{format_eur(famille_report.verse_cents)} (rappels {format_eur(famille_report.rappels_cents)}, "
            f"indus {format_eur(famille_report.indus_cents)}, retenues {format_eur(famille_report.retenues_cents)}) ; "
            f"APA : {famille_report.apa} bénéficiaires, {format_eur(famille_report.apa_cents)} versés, "
            f"dont concours CNSA {format_eur(famille_report.concours_cnsa_cents)}."
        )
        console.print(
            f"Invalidité : {invalidite_report.pensions} pension en service (versé d'octobre à décembre 2025 "
            f"{format_eur(invalidite_report.verse_cents)}), {invalidite_report.en_attente} demande dans la file du médecin-conseil ; "
            f"capital décès versé {format_eur(invalidite_report.capital_cents)}."
        )
        console.print(
            f"Arrêts de travail : {arrets_report.arrets} arrêts (dont {arrets_report.conges_maternite} congé maternité, "
            f"{arrets_report.atmp} AT/MP, {arrets_report.avertissements} avis envoyé en retard) ; {arrets_report.periodes} périodes d'IJ "
            f"liquidées au {JOUR_DEMO:%d/%m/%Y}, {arrets_report.periodes_payees} payées : IJ versées {format_eur(arrets_report.verse_cents)} "
            f"(dont {format_eur(arrets_report.verse_employeur_cents)} à l'employeur subrogé)."
        )
        from secu.demo.retraite import LIBELLES

        pensions = ", ".join(f"{LIBELLES[role]} {format_eur(cents)}" for role, cents in retraite_report.pension_mensuelle_cents.items())
        console.print(
            f"Retraite : {retraite_report.retraites} retraités (pension mensuelle brute : {pensions}) ; réversion "
            f"{format_eur(retraite_report.reversion_mensuelle_cents)} par mois, ASPA {format_eur(retraite_report.aspa_mensuelle_cents)} par mois ; "
            f"un actif à {retraite_report.actif_trimestres} trimestres ; {retraite_report.lignes_au_compte} salaires importés au compte de carrière ; "
            + (f"{'pensions, réversion et ASPA' if retraite_report.solidarite else 'pensions'} demandées, attribuées et versées "
               f"{format_eur(retraite_report.verse_cents)}." if retraite_report.services
               else "pensions calculées par les règles (le service des demandes n'est pas installé).")
        )
    console.print(f"Base : {engine.url.render_as_string(hide_password=True)}")
    if not no_serve:
        _serve(port, host)


@commandes.command("utilisateur", help="Créer un compte (administration).")
def create_account(
    login: str = typer.Option(..., "--login"),
    role: str = typer.Option(..., "--role", help="assure, agent, medecin_conseil, professionnel, employeur, analyste, admin"),
    nom: str = typer.Option(..., "--nom", help="nom affiché"),
    organisme: str | None = typer.Option(None, "--organisme"),
    personne_id: int | None = typer.Option(None, "--personne"),
    employeur_id: int | None = typer.Option(None, "--employeur"),
    professionnel_id: int | None = typer.Option(None, "--professionnel"),
) -> None:
    from pydantic import ValidationError

    from secu.core.db import session_factory, unit_of_work
    from secu.core.errors import SecuError
    from secu.utilisateurs.service import UtilisateurIn, create_user

    password = os.environ.get("SECU_PASSWORD") or typer.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    try:
        data = UtilisateurIn.model_validate(
            {  # validates the role's text into a Role, with a French error naming it
                "login": login,
                "password": password,
                "role": role,
                "nom_affiche": nom,
                "organisme_code": organisme,
                "personne_id": personne_id,
                "employeur_id": employeur_id,
                "professionnel_id": professionnel_id,
            }
        )
        with unit_of_work(session_factory(_engine())) as session:
            user = create_user(session, data)
    except ValidationError as error:
        first = error.errors()[0]
        errors.print(f"[red]{'.'.join(str(p) for p in first['loc'])} : {_en_francais(first)}[/red]", markup=True, highlight=False)
        sys.exit(2)
    except SecuError as error:
        errors.print(f"[red]{error}[/red]")
        sys.exit(2)
    console.print(f"Compte créé : {user.login} ({user.role})")


def _en_francais(error: Any) -> str:
    """Pydantic's message for a field, in French (the fields of `utilisateur`: lengths, the role)."""
    context = error.get("ctx") or {}
    messages = {
        "enum": f"valeur inconnue ; valeurs possibles : {context.get('expected', '').replace(' or ', ', ')}",
        "string_too_short": f"{context.get('min_length')} caractères au moins",
        "string_too_long": f"{context.get('max_length')} caractères au plus",
        "missing": "obligatoire",
    }
    return messages.get(error["type"], "valeur invalide")


@commandes.command("payer", help="Lancer ou reprendre la campagne de paiement d'une caisse (fichier SEPA pain.001).")
def pay_command(
    organisme: str = typer.Option(..., "--organisme", help="code de la caisse, ex. CPAM-75"),
    date_execution: str = typer.Option(..., "--date", help="date d'exécution AAAA-MM-JJ"),
    out: str | None = typer.Option(None, "--out", help="où écrire le fichier SEPA"),
) -> None:
    from datetime import date as _date
    from pathlib import Path

    from secu.core.db import session_factory
    from secu.core.errors import SecuError
    from secu.maladie.paiement import run_payments

    try:
        day = _date.fromisoformat(date_execution)
    except ValueError:
        errors.print("[red]date : date invalide (format attendu : AAAA-MM-JJ)[/red]")
        sys.exit(2)
    try:
        bilan = run_payments(session_factory(_engine()), organisme, day)
    except SecuError as error:
        errors.print(f"[red]{error}[/red]")
        sys.exit(2)
    console.print(
        f"Campagne {bilan.campagne_id} ({bilan.organisme_code}, {bilan.date_execution:%d/%m/%Y}) : "
        f"{bilan.feuilles} feuilles, {bilan.virements} virements, {bilan.total_cents / 100:.2f} €"
    )
    if out and bilan.fichier_sepa:
        partial = Path(out).with_name(f".{Path(out).name}.secu-partiel-{os.getpid()}")
        partial.write_text(bilan.fichier_sepa, encoding="utf-8")
        os.replace(partial, out)  # the bank's file appears whole or not at all
        console.print(f"Fichier SEPA : {out}")


@commandes.command(
    "verifier",
    help="Vérifier les invariants de la base : fichiers SEPA = payé, rien de payé deux fois, grand livre équilibré, chaîne du journal des accès intacte.",
)
def verify_command() -> None:
    from secu.core.db import session_factory, unit_of_work
    from secu.verification import verifier

    engine = _engine()
    try:
        with unit_of_work(session_factory(engine)) as session:
            violations = verifier(session)
    finally:
        engine.dispose()
    for violation in violations:
        errors.print(violation, markup=False, highlight=False)
    if violations:
        errors.print(f"[red]{len(violations)} anomalie(s)[/red]")
        sys.exit(1)
    console.print("Aucune anomalie : fichiers SEPA conformes aux paiements, rien de payé deux fois, grand livre équilibré, journal intact.")


app = typer.Typer(help="secu — Sécurité sociale, régime général.", no_args_is_help=True, add_completion=False)
for declared in (
    commandes,
    parametres_cli.commandes,
    organismes_cli.commandes,
    maladie_batch.commandes,
    recouvrement_cli.commandes,
    famille_cli.commandes,
    especes_cli.commandes,
    simulation_cli.commandes,
    synth_cli.commandes,
    retraite_cli.commandes,
    pilotage_cli.commandes,
):
    app.add_typer(declared)
