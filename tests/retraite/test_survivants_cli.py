"""``secu retraite survivants …``: an ASPA from the command line, on SQLite and PostgreSQL; French errors naming the option or field.

The amount: service-public.fr 2025, a person alone, 1 034,28 € less 600 € of monthly resources (1 800 € a quarter) = 434,28 €
a month (CSS art. L. 815-4, D. 815-1, D. 815-2).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import typer
from typer.testing import CliRunner

from secu.config import settings
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.security import SYSTEM
from secu.register import schemas, service
from secu.retraite.cli_survivants import register
from tests.api.conftest import with_key


@pytest.fixture(scope="module")
def url(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    with unit_of_work(session_factory(engine)) as s:
        service.register_person(s, schemas.PersonneIn(
            nir=with_key("2550133063777"), nom_naissance="Lefebvre", prenoms="Rose", date_naissance=date(1955, 1, 1), sexe="2",
            departement="33", commune="33063"), caller=SYSTEM, today=date(2024, 1, 1))
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
    yield lambda *args: CliRunner().invoke(app, ["survivants", *[str(a) for a in args]])
    settings.cache_clear()


def _texte(output: str) -> str:
    return " ".join(output.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_an_aspa_claimed_instructed_granted_and_read(cli, url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    with engine.connect() as connection:
        personne = connection.exec_driver_sql("select id from personne where nom_naissance = 'LEFEBVRE'").scalar_one()
    engine.dispose()
    claim = tmp_path / "demande.json"
    claim.write_text(json.dumps({"nature": "aspa", "personne_id": personne, "date_demande": "2025-02-10", "autres_ressources_3_mois": 180_000,
                                 "iban": "FR7630006000011234567890189"}))
    first = cli("demander", claim)
    assert first.exit_code == 0, first.output
    assert "effet au 01/03/2025" in first.output
    demande = int(first.output.split()[1])
    assert cli("demander", claim).output == first.output  # twice is one
    instruite = cli("instruire", demande)
    assert instruite.exit_code == 0 and "434,28 € par mois" in _texte(instruite.output), instruite.output
    decidee = cli("decider", demande, "--decision", "attribution", "--date", "2025-02-20")
    assert decidee.exit_code == 0 and "attribuee, prestation" in decidee.output, decidee.output
    lue = cli("lire", decidee.output.split()[-1])
    assert lue.exit_code == 0 and "434,28 € par mois" in _texte(lue.output)


def test_refusals_in_french_naming_the_option_or_the_field(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"nature": "invalidite", "personne_id": 1, "date_demande": "2025-02-10", "iban": "FR7630006000011234567890189"}))
    result = cli("demander", bad)
    assert result.exit_code == 2 and "nature : nature inconnue" in _texte(result.output), result.output
    result = cli("decider", 1, "--decision", "attribution", "--date", "20 février")
    assert result.exit_code == 2 and "--date : date invalide" in _texte(result.output)
    result = cli("recuperer", 1, "--actif-net", "beaucoup", "--notaire", "Me Duval")
    assert result.exit_code == 2 and "--actif-net : montant invalide" in _texte(result.output)
