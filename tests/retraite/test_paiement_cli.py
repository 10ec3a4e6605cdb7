"""``secu retraite payer --caisse CODE --echeance AAAA-MM-09``: the run from the command line, on SQLite and PostgreSQL.

The pension of test_paiement_retraite.py (1 250 € a month from 1 April 2024, net 1 136,25 € at the taux normal); the
échéance of 9 July 2024 pays June with the arrears of April and May: 3 × 1 136,25 € = 3 408,75 €.
"""

from __future__ import annotations

from datetime import date

import pytest
import typer
from typer.testing import CliRunner

from secu.config import settings
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.security import SYSTEM, Caller, Role
from secu.organismes import route
from secu.register import schemas, service
from secu.retraite import demande as retraite
from secu.retraite.cli_demande import register
from secu.verification import sepa_totals
from tests.api.conftest import with_key

CAISSE = route("69", "retraite").code


@pytest.fixture(scope="module")
def url(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    agent = Caller(user_id=None, role=Role.AGENT, organisme_code=CAISSE)
    with unit_of_work(session_factory(engine)) as s:
        personne = service.register_person(s, schemas.PersonneIn(
            nir=with_key("2610369123777"), nom_naissance="Moreau", prenoms="Anne", date_naissance=date(1961, 3, 10), sexe="2",
            departement="69", commune="69123"), caller=SYSTEM, today=date(2024, 1, 1)).id
        demande = retraite.demander(s, agent, retraite.DemandeIn(personne_id=personne, date_demande=date(2024, 3, 1), date_effet=date(2024, 4, 1),
                                                                 iban="FR7630006000011234567890189"), today=date(2024, 3, 1))
        retraite.instruire(s, agent, demande.id, retraite.InstructionIn(sam_cents=3_000_000, trimestres_rg=168))
        retraite.decider(s, agent, demande.id, retraite.DecisionIn(decision="attribution", date_decision=date(2024, 3, 20)))
    engine.dispose()
    return database_url


@pytest.fixture
def cli(url, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SECU_DATABASE_URL", url)
    settings.cache_clear()
    app = typer.Typer()

    @app.callback()
    def retraite_commandes() -> None:
        """secu retraite"""

    register(app)
    yield lambda *args: CliRunner().invoke(app, ["payer", *args])
    settings.cache_clear()


def test_payer_pays_once_and_writes_the_file(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "retraite.xml"
    first = cli("--caisse", CAISSE, "--echeance", "2024-07-09", "--out", str(out))
    assert first.exit_code == 0, first.output
    assert "1 pension(s), 3 mois payé(s), 1 virement(s)" in first.output and "3 408,75" in first.output.replace("\u202f", " ").replace("\u00a0", " ")
    assert sepa_totals(out.read_text()) == (1, 340_875)
    again = cli("--caisse", CAISSE, "--echeance", "2024-07-09")
    assert again.exit_code == 0 and first.output.splitlines()[0] == again.output.splitlines()[0]  # the same run, nothing paid again


@pytest.mark.parametrize(("args", "words"), [
    (("--caisse", CAISSE, "--echeance", "2024-07-10"), "--echeance : l'échéance est le 9"),
    (("--caisse", CAISSE, "--echeance", "9 juillet"), "--echeance : date invalide"),
    (("--caisse", "CPAM-75", "--echeance", "2024-07-09"), "--caisse : CPAM-75 ne sert pas les pensions de retraite"),
])
def test_bad_options_exit_2_in_french_naming_the_option(cli, args, words) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.exit_code == 2 and words in " ".join(result.output.split()), result.output
