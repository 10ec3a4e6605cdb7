"""The same DSN deposited several times at once is one declaration, and every sender gets its answer (issue 12, defect 3).

Found by the fault-injection harness racing two DSN intakes: the loser of the unique (siret, mois, version) got an
IntegrityError (a 500) instead of the answer to a repeated deposit.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from secu.app import create_app
from secu.core.db import unit_of_work
from secu.core.security import SYSTEM
from secu.recouvrement import service
from secu.recouvrement.models import DeclarationDsn
from secu.register import schemas
from secu.register import service as register

SAMPLE = Path(__file__).parent / "dsn_samples" / "mensuelle_2026_03.dsn"
SENDERS = 4


def test_the_same_dsn_sent_four_times_at_once_is_one_declaration(database_url) -> None:  # type: ignore[no-untyped-def]
    app = create_app(database_url)
    try:
        with unit_of_work(app.state.sessions) as s:
            register.register_employer(s, schemas.EmployeurIn(
                siren="812345676", raison_sociale="Atelier Dupuis et fils",
                etablissements=[schemas.EtablissementIn(siret="81234567600025", code_naf="25.12Z", effectif=3, departement="69",
                                                        commune="69266")]), caller=SYSTEM)
        content = SAMPLE.read_bytes()
        barrier = threading.Barrier(SENDERS)
        answers: list[tuple[int, bool] | BaseException] = []

        def send() -> None:
            try:
                with unit_of_work(app.state.sessions) as s:
                    barrier.wait()
                    recu = service.receive(s, SYSTEM, content, today=date(2026, 4, 20))
                    answers.append((recu.declaration.id, recu.deja_recue))
            except BaseException as error:  # noqa: BLE001 - the assertion below shows what went wrong
                answers.append(error)

        threads = [threading.Thread(target=send) for _ in range(SENDERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert all(isinstance(a, tuple) for a in answers), answers
        assert len({a[0] for a in answers if isinstance(a, tuple)}) == 1
        assert sorted(a[1] for a in answers if isinstance(a, tuple)) == [False] + [True] * (SENDERS - 1)
        with unit_of_work(app.state.sessions) as s:
            assert s.scalar(sa.select(sa.func.count()).select_from(DeclarationDsn)) == 1
    finally:
        app.state.engine.dispose()
