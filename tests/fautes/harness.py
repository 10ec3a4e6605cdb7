"""Fault injection: kill -9 a flow at a chosen point, resume it, check that nothing was lost, doubled or forked.

Used by ``tests/fautes/test_fautes.py`` (a few trials per flow) and ``bench/fautes.py`` (hundreds).

The flows are the operations an outage can cut: the intake of feuilles de soins (``saisie``), the maladie
payment run (``paiement_maladie``), the CAF payment run (``paiement_famille``), DSN intake (``dsn``),
``secu liquidate`` (``liquidation``), ``secu ij-payer`` (``paiement_ij``: the IJ periods liquidated then paid, per
caisse), the monthly run of the invalidity pensions (``paiement_invalidite``, three months) and the caisse retraite's
monthly run (``paiement_retraite``, three months: pensions de droit propre, a réversion, an ASPA). Each trial:

1. copies a prepared world (the demo population, liquidated feuilles to pay, the DSN and claims to send:
   :func:`build_world`) into a database of its own;
2. runs the flow in a child process that kills itself (``SIGKILL``: no handler, no cleanup, no flush) at
   the k-th **kill point**, k drawn at random between 1 and the number of points of a whole run. The points
   are every commit, just before it reaches the database and just after (SQLAlchemy's ``commit`` and
   ``after_commit`` events), and for ``liquidation`` every lot liquidated, the flush of the partial file,
   and the rename. With ``race``, a second child runs the same flow at the same time, unharmed;
3. checks what the dead child acknowledged (a feuille's result, a DSN received: written to a file once the
   call returned) is in the database, unchanged;
4. resumes: runs the flow again to its end, as an operator would;
5. checks the invariants of :mod:`secu.verification` (every closed run's SEPA file equals what it marks paid,
   nothing paid twice, ledger balanced, access journal's chain intact), and that the end state equals that
   of an uninterrupted run: the same rows in every business table, the same balance on every account
   (nothing lost, nothing doubled). For ``liquidation``: the target is the previous file or the whole new
   one at every moment, the same bytes' worth of rows as an uninterrupted run, nothing left beside it.

The children are forked from a server that has already imported secu (``multiprocessing``'s forkserver,
preloaded), so a trial costs the flow, not Python's start-up.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

FLOWS = ("saisie", "paiement_maladie", "paiement_famille", "dsn", "liquidation", "paiement_ij", "paiement_invalidite", "paiement_retraite")
PG_URL = os.environ.get("SECU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RUN_DATE = date(2026, 1, 5)
EXIT_REFUSED = 3
"""A child's exit code when the flow refused cleanly (a SecuError: "déjà en cours"…)."""
NOT_COMPARED = {"journal_acces", "jeton", "alembic_version"}
"""Tables whose row count may differ after a crash without anything being wrong (reads are journaled too)."""


# --------------------------------------------------------------------------
# The flows (run in a child, and again in the parent to resume)


def _sessions(url: str):  # type: ignore[no-untyped-def]
    from secu.core.db import make_engine, session_factory

    engine = make_engine(url)
    return engine, session_factory(engine)


def _ack(workdir: Path, line: str) -> None:
    """Acknowledge: the call returned. Written straight to the kernel (a kill -9 loses nothing written)."""
    with open(workdir / f"acks-{os.getpid()}.txt", "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


@contextmanager
def _chunk(module: Any, size: int) -> Iterator[None]:
    """Small chunks: many commits, many places to be cut (the module's own size is put back after)."""
    before, module.CHUNK = module.CHUNK, size
    try:
        yield
    finally:
        module.CHUNK = before


def flow_saisie(url: str, workdir: Path) -> None:
    from secu.core.security import SYSTEM
    from secu.demo.population import REFERENCE
    from secu.maladie import intake

    engine, sessions = _sessions(url)
    try:
        for index, (rpps, claim) in enumerate(json.loads((workdir / "claims.json").read_text())):
            # as the API does: a lot that collides with a concurrent one is run again and answers what the first wrote
            _, _, results = intake.receive_lot_retrying(sessions, SYSTEM, intake.LotIn(numero=f"H-{index:05d}", professionnel_rpps=rpps,
                                                                                    fse=[claim]), today=REFERENCE)
            for result in results:
                _ack(workdir, json.dumps([rpps, result.numero, result.statut, result.rembourse_cents]))
    finally:
        engine.dispose()


def flow_paiement_maladie(url: str, workdir: Path) -> None:
    from secu.core.db import unit_of_work
    from secu.maladie import paiement
    from secu.maladie.models import Fse

    engine, sessions = _sessions(url)
    try:
        with unit_of_work(sessions) as session:
            caisses = sorted(c for c in session.scalars(sa.select(Fse.organisme_code).distinct()) if c)
        with _chunk(paiement, 5):
            for caisse in caisses:
                paiement.run_payments(sessions, caisse, RUN_DATE)
    finally:
        engine.dispose()


def flow_paiement_famille(url: str, workdir: Path) -> None:
    from secu.core.db import unit_of_work
    from secu.demo.famille import MOIS_PAYES
    from secu.famille import paiement
    from secu.famille.models import DossierAllocataire

    engine, sessions = _sessions(url)
    try:
        with unit_of_work(sessions) as session:
            cafs = sorted(set(session.scalars(sa.select(DossierAllocataire.organisme_code))))
        with _chunk(paiement, 2):
            for mois in MOIS_PAYES[: int((workdir / "mois.txt").read_text())]:
                for caf in cafs:
                    paiement.run_payments(sessions, caf, mois)
    finally:
        engine.dispose()


def flow_dsn(url: str, workdir: Path) -> None:
    from secu.core.db import unit_of_work
    from secu.core.security import SYSTEM
    from secu.recouvrement import service

    engine, sessions = _sessions(url)
    try:
        for declaration in json.loads((workdir / "dsn.json").read_text()):
            with unit_of_work(sessions) as session:
                recu = service.receive(session, SYSTEM, declaration, today=date(2026, 1, 20))
                ack = json.dumps([recu.declaration.siret, recu.declaration.mois.isoformat(), recu.declaration.du_urssaf_cents])
            _ack(workdir, ack)
    finally:
        engine.dispose()


def flow_paiement_ij(url: str, workdir: Path) -> None:
    """What ``secu ij-payer`` does for each caisse with arrêts: liquidate the periods over by the day, then pay them."""
    from secu.core.db import unit_of_work
    from secu.demo.arrets import JOUR_DEMO
    from secu.especes import paiement, service
    from secu.especes.models import ArretTravail

    engine, sessions = _sessions(url)
    try:
        with unit_of_work(sessions) as session:
            caisses = sorted(set(session.scalars(sa.select(ArretTravail.organisme_code))))
        with _chunk(paiement, 2):
            for caisse in caisses:
                with unit_of_work(sessions) as session:
                    service.liquider_periodes(session, JOUR_DEMO, organisme_code=caisse)
                paiement.run_payments(sessions, caisse, JOUR_DEMO)
    finally:
        engine.dispose()


def flow_paiement_invalidite(url: str, workdir: Path) -> None:
    from secu.core.db import unit_of_work
    from secu.demo.invalidite import MOIS_PAYES
    from secu.especes import paiement_invalidite
    from secu.especes.invalidite import PensionInvalidite

    engine, sessions = _sessions(url)
    try:
        with unit_of_work(sessions) as session:
            caisses = sorted(set(session.scalars(sa.select(PensionInvalidite.organisme_code))))
        with _chunk(paiement_invalidite, 1):
            for mois in MOIS_PAYES:
                for caisse in caisses:
                    paiement_invalidite.run_payments(sessions, caisse, mois)
    finally:
        engine.dispose()


def flow_paiement_retraite(url: str, workdir: Path) -> None:
    """The caisses retraite's monthly runs (``secu retraite payer``'s): droit propre, then réversions and ASPA, month by month."""
    from secu.core.db import unit_of_work
    from secu.demo.retraite import MOIS_PAYES
    from secu.retraite import paiement, paiement_solidarite
    from secu.retraite.models_pension import PensionRetraite
    from secu.retraite.models_survivants import PrestationSolidarite

    engine, sessions = _sessions(url)
    try:
        with unit_of_work(sessions) as session:
            caisses = sorted(set(session.scalars(sa.select(PensionRetraite.organisme_code)))
                             | set(session.scalars(sa.select(PrestationSolidarite.organisme_code))))
        with _chunk(paiement, 1), _chunk(paiement_solidarite, 1):
            for mois in MOIS_PAYES:
                for caisse in caisses:
                    paiement.run_payments(sessions, caisse, paiement.echeance_du_mois(mois))
    finally:
        engine.dispose()


def flow_liquidation(url: str, workdir: Path) -> None:
    from secu.maladie.batch import liquidate_file

    liquidate_file(workdir / "lignes.parquet", workdir / "sortie" / "resultat.parquet", lignes_par_lot=40)


FLOW_FUNCTIONS: dict[str, Callable[[str, Path], None]] = {
    "saisie": flow_saisie, "paiement_maladie": flow_paiement_maladie, "paiement_famille": flow_paiement_famille,
    "dsn": flow_dsn, "liquidation": flow_liquidation, "paiement_ij": flow_paiement_ij, "paiement_invalidite": flow_paiement_invalidite,
    "paiement_retraite": flow_paiement_retraite,
}


# --------------------------------------------------------------------------
# The child: kill points, then the flow


def _install_kill_points(kill_at: int) -> tuple[list[int], Callable[[], None]]:
    """Count the kill points passed, SIGKILL at the ``kill_at``-th (0: never); and how to take the points out."""
    from sqlalchemy import Engine, event
    from sqlalchemy.orm import Session

    from secu.maladie import batch

    passed = [0]

    def point(*_args: object, **_kwargs: object) -> None:
        passed[0] += 1
        if passed[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(Engine, "commit", point)  # before the COMMIT reaches the database
    event.listen(Session, "after_commit", point)  # after it
    liquidate, durable = batch.liquidate_public, batch._durable

    def liquidate_public(lot):  # type: ignore[no-untyped-def]
        point()
        return liquidate(lot)

    def _durable(path):  # type: ignore[no-untyped-def]
        point()
        return durable(path)

    batch.liquidate_public, batch._durable = liquidate_public, _durable  # type: ignore[assignment]

    def undo() -> None:
        event.remove(Engine, "commit", point)
        event.remove(Session, "after_commit", point)
        batch.liquidate_public, batch._durable = liquidate, durable  # type: ignore[assignment]

    return passed, undo


def _child(flow: str, url: str, workdir: str, kill_at: int, count_file: str) -> None:
    from secu.core.errors import SecuError

    log = os.open(Path(workdir) / f"stderr-{os.getpid()}.txt", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 2)  # a failing child's traceback, for the report (read by _last_error)
    passed, _ = _install_kill_points(kill_at)
    try:
        FLOW_FUNCTIONS[flow](url, Path(workdir))
    except SecuError as error:
        Path(count_file).write_text(f"{passed[0]}\n{error}")
        sys.exit(EXIT_REFUSED)
    Path(count_file).write_text(f"{passed[0]}\n")


_CONTEXT: Any = None


def _context() -> Any:
    global _CONTEXT
    if _CONTEXT is None:
        import secu
        import tests

        # The fork server imports the preloaded modules before it learns the parent's sys.path: it must find this
        # very secu (not another checkout installed in the environment) through PYTHONPATH.
        ours = [str(Path(secu.__file__).resolve().parents[1]), str(Path(tests.__file__).resolve().parents[1])]
        os.environ["PYTHONPATH"] = os.pathsep.join([*ours, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])
        _CONTEXT = multiprocessing.get_context("forkserver")
        _CONTEXT.set_forkserver_preload([
            "sqlalchemy", "polars", "secu.maladie.intake", "secu.maladie.paiement", "secu.famille.paiement", "secu.recouvrement.service",
            "secu.maladie.batch", "secu.demo.population", "secu.demo.famille", "secu.verification", "tests.fautes.harness",
            "secu.especes.service", "secu.especes.paiement", "secu.especes.paiement_invalidite", "secu.demo.arrets", "secu.demo.invalidite",
            "secu.retraite.paiement", "secu.retraite.paiement_solidarite", "secu.demo.retraite",
        ])
    return _CONTEXT


def start_child(flow: str, url: str, workdir: Path, kill_at: int) -> tuple[Any, Path]:
    count_file = workdir / f"points-{uuid.uuid4().hex[:8]}.txt"
    process = _context().Process(target=_child, args=(flow, url, str(workdir), kill_at, str(count_file)))
    process.start()
    return process, count_file


def wait_child(process: Any, timeout: float = 300) -> int:
    process.join(timeout)
    if process.exitcode is None:  # hung: that is a finding too
        process.kill()
        process.join()
        return -999
    return int(process.exitcode)


# --------------------------------------------------------------------------
# Worlds: prepared once, copied for each trial


@dataclass
class World:
    kind: str  # "sqlite" or "postgresql"
    folder: Path
    template: str  # the SQLite file, or the PostgreSQL template database's name
    points: dict[str, int] = field(default_factory=dict)  # kill points of an uninterrupted run, per flow
    reference: dict[str, Any] = field(default_factory=dict)  # end state of an uninterrupted run, per flow
    copies: list[str] = field(default_factory=list)


def _pg_url(database: str) -> str:
    return PG_URL.rsplit("/", 1)[0] + "/" + database


def _pg(statement: str) -> None:
    """CREATE / DROP DATABASE: outside a transaction, on a connection closed right after."""
    engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as admin:
            admin.execute(sa.text(statement))
    finally:
        engine.dispose()


def build_world(kind: str, folder: Path, *, households: int = 10, claims: int = 10, claims_paid: int = 40, lines: int = 400,
                months: int = 2) -> World:
    """The demo population, liquidated feuilles waiting for payment, the demo's arrêts received (their IJ not yet
    liquidated) and its invalidity pension granted (not yet paid), and the inputs of the flows (claims, DSN, a batch file)."""
    import polars as pl

    from secu.core.db import make_engine, migrate, session_factory, unit_of_work
    from secu.demo.arrets import recevoir_arrets
    from secu.demo.dsn import demo_declarations
    from secu.demo.population import REFERENCE, seed
    from secu.demo.soins import plan_claims
    from secu.maladie.models import Fse
    from secu.register.models import Personne, ProfessionnelSante

    folder.mkdir(parents=True, exist_ok=True)
    name = f"secu_fautes_{uuid.uuid4().hex[:10]}"
    if kind == "sqlite":
        template, url = str(folder / "monde.db"), f"sqlite:///{folder / 'monde.db'}"
    else:
        _pg(f'CREATE DATABASE "{name}"')
        template, url = name, _pg_url(name)
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        seed(session, households=households, seed_value=7)
    rng = random.Random(11)
    planned = plan_claims(sessions, reference=REFERENCE, seed_value=7, patients=claims)
    (folder / "claims.json").write_text(json.dumps(planned[:claims], default=str))
    (folder / "mois.txt").write_text(str(months))  # months of family benefits the CAF run pays
    (folder / "dsn.json").write_text(json.dumps(demo_declarations(sessions, seed_value=7)[1], default=str))
    _pensions(sessions, 3)
    _retraites(sessions)
    recevoir_arrets(sessions, seed_value=7)  # the avis, the congé and the employer's signalements: the IJ to liquidate
    with unit_of_work(sessions) as session:  # feuilles liquidated earlier, waiting for their payment run
        people = list(session.scalars(sa.select(Personne).order_by(Personne.id)))
        pro = session.scalars(sa.select(ProfessionnelSante).where(ProfessionnelSante.iban.is_not(None)).order_by(ProfessionnelSante.id)).first()
        assert pro is not None
        for number in range(claims_paid):
            person = rng.choice(people)
            tiers_payant = rng.random() < 0.3
            owed = rng.choice((0, 0, 100, 200)) if tiers_payant else 0
            verse = rng.randrange(500, 6_000)
            session.add(Fse(professionnel_id=pro.id, numero=f"P{number:05d}", empreinte="x", soins_empreinte=f"p{number}", personne_id=person.id,
                            organisme_code=rng.choice(("CPAM-75", "CPAM-13")), date_soins=date(2025, 11, 1 + number % 28),
                            tiers_payant=tiers_payant, statut="liquidee", rembourse_cents=verse - owed, verse_cents=verse, a_recuperer_cents=owed))
    engine.dispose()
    acts = [("G", None, "30.00"), ("PH4", "7.00", "14.00"), ("AMI", None, "3.15"), ("TAX", "40.00", "40.00")]
    rows = []
    for _ in range(lines):
        acte, unit, amount = rng.choice(acts)
        rows.append({"nir": f"1{rng.randrange(25):012d}", "date_naissance": "1970-01-01", "sexe": "1",
                     "date_soins": date(2024, 1, 1 + rng.randrange(28)).isoformat(), "professionnel": "m1", "acte": acte, "quantite": "1",
                     "montant": amount, "base_unitaire": unit or "", "parcours": "1", "ald": "0", "maternite": "0", "atmp": "0", "c2s": "0"})
    pl.DataFrame(rows).write_parquet(folder / "lignes.parquet")  # not sorted by nir: partitions in a working folder
    return World(kind, folder, template)


def _pensions(sessions: Any, count: int) -> None:
    """Pensions d'invalidité granted through the services (claim, the médecin-conseil's avis, the decision), their
    months not paid yet: the first ``count`` adults under 58 attached to a CPAM, categories 1, 2, 3 in turn."""
    from secu.core import ages
    from secu.core.db import unit_of_work
    from secu.core.security import SYSTEM, Caller, Role
    from secu.demo.invalidite import IBAN_DEMO
    from secu.demo.population import REFERENCE, _drsm_of
    from secu.especes import invalidite
    from secu.register.models import Personne, Rattachement

    with unit_of_work(sessions) as session:
        attached = sa.select(Rattachement.personne_id).where(Rattachement.branche == "maladie")
        people = [p for p in session.scalars(sa.select(Personne).where(Personne.id.in_(attached), Personne.date_deces.is_(None)).order_by(Personne.id))
                  if 25 <= ages.age_le(p.date_naissance, REFERENCE) <= 58][:count]  # fmt: skip
        for index, personne in enumerate(people):
            demande = invalidite.demander(session, SYSTEM, invalidite.DemandeIn(
                personne_id=personne.id, date_demande=date(2025, 6, 2), date_arret=date(2024, 9, 2), iban=personne.iban or IBAN_DEMO,
                salaires_hors_secu=[invalidite.SalaireAnnuel(annee=a, salaire_cents=2_000_000 + 100_000 * index) for a in range(2014, 2024)]))  # fmt: skip
            medecin = Caller(user_id=None, role=Role.MEDECIN_CONSEIL, organisme_code=_drsm_of(personne))
            invalidite.donner_avis(session, medecin, demande.id, invalidite.AvisIn(categorie=1 + index % 3, date_effet=date(2025, 9, 1)))
            invalidite.decider(session, SYSTEM, demande.id, invalidite.DecisionIn(decision="accord", date_decision=date(2025, 8, 20)))


def _retraites(sessions: Any) -> None:
    """Retirement benefits granted through the services, their months not paid yet: the oldest person dies (recorded in
    the register), every person of 64 to 72 gets a pension de droit propre, the first of them the ASPA too,
    and the first person of 55 to 63 a réversion of the deceased's pension (keyed: he drew none here)."""
    from secu.core import ages
    from secu.core.db import unit_of_work
    from secu.core.security import SYSTEM
    from secu.demo.invalidite import IBAN_DEMO
    from secu.demo.population import REFERENCE
    from secu.register import schemas, service
    from secu.register.models import Personne
    from secu.retraite import demande, survivants

    deces = date(2025, 8, 10)
    with unit_of_work(sessions) as session:
        people = list(session.scalars(sa.select(Personne).where(Personne.date_deces.is_(None)).order_by(Personne.date_naissance, Personne.id)))
        age = {p.id: ages.age_le(p.date_naissance, REFERENCE) for p in people}
        defunt = people[0] if people and age[people[0].id] >= 70 else None
        if defunt is not None:
            service.change_person(session, defunt.id, schemas.PersonneChange(date_deces=deces), caller=SYSTEM, today=REFERENCE)
        retraites = [p for p in people if p is not defunt and 64 <= age[p.id] <= 72]  # the rules hold the generations from 1952
        for index, personne in enumerate(retraites):
            claim = demande.demander(session, SYSTEM, demande.DemandeIn(personne_id=personne.id, date_demande=date(2025, 7, 1), date_effet=date(2025, 9, 1),
                                                                        iban=personne.iban or IBAN_DEMO), today=REFERENCE)
            demande.instruire(session, SYSTEM, claim.id, demande.InstructionIn(sam_cents=2_400_000 + 100_000 * index, trimestres=172,
                                                                               trimestres_rg=172, trimestres_cotises=172))
            demande.decider(session, SYSTEM, claim.id, demande.DecisionIn(decision="attribution", date_decision=date(2025, 8, 20)))
        claims = []
        if retraites:
            aspa = survivants.DemandeSolidariteIn(nature="aspa", personne_id=retraites[0].id, date_demande=date(2025, 7, 1), date_effet=date(2025, 9, 1),
                                                  autres_ressources_3_mois=90_000, iban=retraites[0].iban or IBAN_DEMO)
            claims.append((aspa, survivants.InstructionSolidariteIn()))
        survivant = next((p for p in people if 55 <= age[p.id] <= 63), None)
        if defunt is not None and survivant is not None:
            claims.append((survivants.DemandeSolidariteIn(nature="reversion", personne_id=survivant.id, defunt_id=defunt.id, date_demande=date(2025, 8, 25),
                                                          date_effet=date(2025, 9, 1), iban=survivant.iban or IBAN_DEMO),
                           survivants.InstructionSolidariteIn(pension_defunt_cents=1_500_000, trimestres_defunt=172)))
        for claim_in, instruction in claims:
            claim = survivants.demander(session, SYSTEM, claim_in, today=REFERENCE)
            survivants.instruire(session, SYSTEM, claim.id, instruction)
            survivants.decider(session, SYSTEM, claim.id, survivants.DecisionSolidariteIn(decision="attribution", date_decision=date(2025, 8, 28)))


def copy_world(world: World, label: str) -> tuple[str, Path]:
    """A database and a folder of the world's own for one trial: (URL, folder)."""
    workdir = world.folder / f"essai-{label}-{uuid.uuid4().hex[:6]}"
    workdir.mkdir()
    for name in ("claims.json", "dsn.json", "lignes.parquet", "mois.txt"):
        shutil.copy(world.folder / name, workdir / name)
    (workdir / "sortie").mkdir()
    if world.kind == "sqlite":
        target = workdir / "secu.db"
        source = sqlite3.connect(world.template)
        destination = sqlite3.connect(target)
        source.backup(destination)  # a consistent copy, whatever the WAL holds
        source.close()
        destination.close()
        url = f"sqlite:///{target}"
    else:
        name = f"secu_fautes_{uuid.uuid4().hex[:10]}"
        _pg(f'CREATE DATABASE "{name}" TEMPLATE "{world.template}"')
        world.copies.append(name)
        url = _pg_url(name)
    return url, workdir


def drop_copy(world: World, url: str, workdir: Path) -> None:
    shutil.rmtree(workdir, ignore_errors=True)
    if world.kind == "postgresql":
        name = url.rsplit("/", 1)[1]
        _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        world.copies.remove(name)


def drop_world(world: World) -> None:
    for name in list(world.copies):
        drop_copy(world, _pg_url(name), world.folder / "-")
    if world.kind == "postgresql":
        _pg(f'DROP DATABASE IF EXISTS "{world.template}" WITH (FORCE)')
    shutil.rmtree(world.folder, ignore_errors=True)


# --------------------------------------------------------------------------
# What is checked


def state(url: str, workdir: Path, flow: str) -> dict[str, Any]:
    """What must be the same after a crash and a resume as after an uninterrupted run."""
    if flow == "liquidation":
        import polars as pl

        target = workdir / "sortie" / "resultat.parquet"
        return {"lignes": pl.read_parquet(target).sort("ligne").to_dicts() if target.exists() else None}
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            tables = sa.inspect(connection).get_table_names()
            counts = {t: connection.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar() for t in sorted(tables) if t not in NOT_COMPARED}
            balances = dict(connection.execute(sa.text(
                "SELECT organisme_code || ' ' || compte, sum(montant_cents) FROM ligne_ecriture GROUP BY organisme_code, compte")).all())
            fse = connection.execute(sa.text("SELECT numero, statut, rembourse_cents, recupere_cents, paiement_id IS NOT NULL FROM fse")).all()
    finally:
        engine.dispose()
    return {"lignes_par_table": counts, "soldes": {k: int(v) for k, v in balances.items()}, "feuilles": sorted(map(tuple, fse))}


def _differences(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    out = []
    for key in expected:
        if expected[key] == got.get(key):
            continue
        if isinstance(expected[key], dict):
            keys = sorted(set(expected[key]) | set(got.get(key) or {}))
            diff = [f"{k}: {expected[key].get(k)} attendu, {(got.get(key) or {}).get(k)} obtenu" for k in keys
                    if expected[key].get(k) != (got.get(key) or {}).get(k)]
            out.append(f"{key} différent de la référence : {'; '.join(diff[:5])}")
        else:
            out.append(f"{key} différent de la référence")
    return out


def _check_acks(url: str, workdir: Path, flow: str) -> list[str]:
    """Everything a dead child acknowledged is in the database, as it was acknowledged."""
    acks = [json.loads(line) for path in workdir.glob("acks-*.txt") for line in path.read_text().splitlines() if line]
    if not acks:
        return []
    engine = sa.create_engine(url)
    out = []
    try:
        with engine.connect() as connection:
            for ack in acks:
                if flow == "saisie":
                    rpps, numero, statut, rembourse = ack
                    row = connection.execute(sa.text(
                        "SELECT f.statut, f.rembourse_cents FROM fse f JOIN professionnel_sante p ON p.id = f.professionnel_id "
                        "WHERE p.rpps = :rpps AND f.numero = :numero"), {"rpps": rpps, "numero": numero}).all()
                    if [tuple(r) for r in row] != [(statut, rembourse)]:
                        out.append(f"feuille {numero} acquittée {statut} {rembourse} c, en base : {[tuple(r) for r in row]}")
                else:
                    siret, mois, du = ack
                    row = connection.execute(sa.text("SELECT du_urssaf_cents FROM declaration_dsn WHERE siret = :s AND mois = :m "
                                                     "AND remplacee_par_id IS NULL"), {"s": siret, "m": mois}).all()
                    if [r[0] for r in row] != [du]:
                        out.append(f"DSN {siret} {mois} acquittée ({du} c dus), en base : {[r[0] for r in row]}")
    finally:
        engine.dispose()
    return out


def _check_invariants(url: str) -> list[str]:
    from secu.core.db import make_engine, session_factory, unit_of_work
    from secu.verification import verifier

    engine = make_engine(url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            return verifier(session)
    finally:
        engine.dispose()


def _check_target_after_kill(world: World, workdir: Path) -> list[str]:
    """Right after the kill: the target is absent (there was none) or whole; never a part."""
    import polars as pl

    target = workdir / "sortie" / "resultat.parquet"
    if not target.exists():
        return []
    try:
        rows = pl.read_parquet(target).sort("ligne").to_dicts()
    except Exception as error:  # noqa: BLE001 - a corrupt file is the finding
        return [f"fichier résultat illisible après l'arrêt : {error}"]
    return [] if rows == world.reference["liquidation"]["lignes"] else ["fichier résultat incomplet après l'arrêt"]


# --------------------------------------------------------------------------
# Trials


@dataclass
class Essai:
    flow: str
    kill_at: int
    race: bool
    exitcodes: list[int]
    violations: list[str]
    erreurs: list[str] = field(default_factory=list)
    """A concurrent call that failed with an unexpected error (a 500 to its caller) while the invariants held."""


def calibrate(world: World, flow: str) -> None:
    """Run the flow once uninterrupted (here, not in a child): its number of kill points, and the end state to compare with."""
    url, workdir = copy_world(world, f"reference-{flow}")
    try:
        passed, undo = _install_kill_points(0)
        try:
            FLOW_FUNCTIONS[flow](url, workdir)
        finally:
            undo()
        world.points[flow] = passed[0]
        world.reference[flow] = state(url, workdir, flow)
    finally:
        drop_copy(world, url, workdir)


def _resume(flow: str, url: str, workdir: Path, patience: float = 30.0) -> list[str]:
    """Run the flow again to its end, as an operator would: told "déjà en cours", try again a moment later.

    A killed holder's claim is released when the database notices its connection is gone (PostgreSQL's backend
    may still be exiting when the parent sees the child dead): a few tries, then it is a finding.
    """
    from secu.core.errors import Conflict

    deadline = time.monotonic() + patience
    while True:
        try:
            FLOW_FUNCTIONS[flow](url, workdir)
            return []
        except Conflict as error:
            if time.monotonic() > deadline:
                return [f"reprise impossible après {patience:.0f} s : {error}"]
            time.sleep(0.2)
        except Exception as error:  # noqa: BLE001 - a resume that fails is the finding
            return [f"reprise en échec : {type(error).__name__}: {str(error)[:200]}"]


def _last_error(workdir: Path, pid: int) -> str:
    log = workdir / f"stderr-{pid}.txt"
    lines = [line for line in (log.read_text(errors="replace").splitlines() if log.exists() else []) if line.strip()]
    return next((line for line in reversed(lines) if not line.startswith((" ", "[", "(Background"))), "?")[:240]


def trial(world: World, flow: str, rng: random.Random, *, race: bool = False, kill_at: int | None = None) -> Essai:
    """One kill, one resume, every check. ``race``: a second, unharmed child runs the same flow at the same time."""
    if flow not in world.points:
        calibrate(world, flow)
    kill_at = kill_at or rng.randint(1, world.points[flow])
    url, workdir = copy_world(world, flow)
    try:
        children = [start_child(flow, url, workdir, kill_at)]
        if race:
            children.append(start_child(flow, url, workdir, 0))
        codes = [wait_child(process) for process, _ in children]
        violations = [f"processus bloqué (code {code})" for code in codes if code == -999]
        errors = [f"erreur inattendue du processus {index} (code {code}) : {_last_error(workdir, process.pid)}"
                  for index, ((process, _), code) in enumerate(zip(children, codes, strict=True))
                  if code not in (0, -signal.SIGKILL, EXIT_REFUSED, -999)]
        if flow == "liquidation":
            violations += _check_target_after_kill(world, workdir)
        else:
            violations += _check_acks(url, workdir, flow)
        violations += _resume(flow, url, workdir)
        if flow == "liquidation":
            left = [p.name for p in (workdir / "sortie").iterdir() if p.name != "resultat.parquet"]
            violations += [f"fichiers laissés à côté du résultat : {left}"] if left else []
        else:
            violations += _check_acks(url, workdir, flow) + _check_invariants(url)
        violations += _differences(world.reference[flow], state(url, workdir, flow))
        return Essai(flow, kill_at, race, codes, violations, errors)
    finally:
        drop_copy(world, url, workdir)
