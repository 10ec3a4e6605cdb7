"""The one skeleton of a payment run: exactly once, resumable, one run of a caisse at a time.

Every branch that pays in runs (maladie's feuilles, the IJ, the invalidity pensions, the CAF's rights, and
any new one) gives a :class:`Campagne`: its run row's model and key, its claim, and three callables over its
own tables (claim and pay a chunk, build the file, the bilan). :func:`executer` does the rest, the same for all:

1. take the caisse's claim (:func:`secu.core.verrou.tenir`); a second caller, not getting it, receives the
   bilan of the run of its key once that run is closed, else a Conflict « déjà en cours »;
2. open the run row of the key, or resume it (a run cut off halfway left it open);
3. unless it is closed, claim chunks of payable rows, each chunk in its own transaction with its ledger
   entries, until a chunk finds nothing (``lot`` marks the rows it pays with the run);
4. build the SEPA file from exactly the rows the run marked (``fichier``), and close the run in the same
   transaction;
5. answer the bilan, which a later call of the same key answers again without paying anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, cast

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from secu.core import verrou
from secu.core.db import unit_of_work
from secu.core.errors import Conflict


class LigneCampagne(Protocol):
    """The run row: keyed by caisse and date (or month) in the branch's table, closed by the skeleton."""

    # properties, so that a mapped class (its columns are descriptors) fits
    @property
    def id(self) -> int: ...

    @property
    def statut(self) -> str: ...  # en_cours, terminee

    @statut.setter
    def statut(self, value: str) -> None: ...

    @property
    def fichier_sepa(self) -> str | None: ...

    @fichier_sepa.setter
    def fichier_sepa(self, value: str | None) -> None: ...

    @property
    def virements(self) -> int: ...

    @virements.setter
    def virements(self, value: int) -> None: ...

    @property
    def total_cents(self) -> int: ...

    @total_cents.setter
    def total_cents(self, value: int) -> None: ...


R = TypeVar("R")  # a LigneCampagne (not a bound: mypy does not match mapped columns to it through a generic dataclass)
B = TypeVar("B")
Q = TypeVar("Q", bound=Select[Any])


@dataclass(frozen=True)
class Fichier:
    """A run's SEPA file and what it transfers ("" and zeros when it transfers nothing)."""

    xml: str
    virements: int
    total_cents: int


@dataclass(frozen=True)
class Campagne(Generic[R, B]):
    """What a branch gives the skeleton: only its own queries."""

    modele: type[R]
    """The run row's mapped class (columns ``id``, ``statut``, ``fichier_sepa``, ``virements``, ``total_cents``)."""
    cle: str
    """The claim of the caisse (``paiement:<branche>:<caisse>``), held from the first chunk to the file."""
    colonnes: Mapping[str, object]
    """The run's key in its table: ``organisme_code`` and ``date_execution`` (or ``mois``)."""
    lot: Callable[[Session, R], int]
    """Claim and pay one chunk of payable rows (marked with the run, ledger entries posted); how many were claimed."""
    fichier: Callable[[Session, R], Fichier]
    """The SEPA file of exactly the rows the run marked."""
    bilan: Callable[[Session, R], B]
    en_cours: str
    """The French message a second caller gets while the run is not over."""
    a_la_creation: Mapping[str, object] = field(default_factory=dict)
    """Other columns of a new run row (a monthly run's date of execution)."""
    champ: str = "organisme_code"

    def cherche(self, session: Session) -> R | None:
        """The run row of this key, whatever its state."""
        return session.scalar(select(self.modele).filter_by(**self.colonnes))


def executer(sessions: sessionmaker[Session], campagne: Campagne[R, B]) -> B:
    """Run the payment of ``campagne``, once. Safe to call again after a crash, after success, or at the same time."""
    with verrou.tenir(verrou.engine_of(sessions), campagne.cle) as held:
        if not held:
            return _terminee(sessions, campagne)
        campagne_id = ouvrir(sessions, campagne)
        with unit_of_work(sessions) as session:
            done = _ligne(session, campagne, campagne_id).statut == "terminee"
        if not done:
            while payer_un_lot(sessions, campagne, campagne_id):
                pass
            with unit_of_work(sessions) as session:
                run = _run(session, campagne, campagne_id)
                fichier = campagne.fichier(session, run)
                ligne = cast(LigneCampagne, run)
                ligne.fichier_sepa, ligne.virements, ligne.total_cents, ligne.statut = fichier.xml, fichier.virements, fichier.total_cents, "terminee"
        with unit_of_work(sessions) as session:
            return campagne.bilan(session, _run(session, campagne, campagne_id))


def ouvrir(sessions: sessionmaker[Session], campagne: Campagne[R, B]) -> int:
    """The id of the run row of the key, created if there is none (committed: a crash after it leaves it to resume)."""
    with unit_of_work(sessions) as session:
        run = campagne.cherche(session)
        if run is None:
            run = cast(Any, campagne.modele)(**campagne.colonnes, **campagne.a_la_creation)
            session.add(run)
            session.flush()
        return cast(LigneCampagne, run).id


def payer_un_lot(sessions: sessionmaker[Session], campagne: Campagne[R, B], campagne_id: int) -> int:
    """One chunk in its own transaction: how many rows it claimed (0 when nothing is left to pay)."""
    with unit_of_work(sessions) as session:
        return campagne.lot(session, _run(session, campagne, campagne_id))


def sans_attendre(session: Session, query: Q) -> Q:
    """A chunk's query: on PostgreSQL its rows are locked, and rows another transaction holds are skipped, not waited for."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def _terminee(sessions: sessionmaker[Session], campagne: Campagne[R, B]) -> B:
    """The answer to a call made while another run of the caisse holds its claim."""
    with unit_of_work(sessions) as session:
        run = campagne.cherche(session)
        if run is None or cast(LigneCampagne, run).statut != "terminee":
            raise Conflict(campagne.en_cours, field=campagne.champ)
        return campagne.bilan(session, run)


def _ligne(session: Session, campagne: Campagne[R, B], campagne_id: int) -> LigneCampagne:
    return cast(LigneCampagne, _run(session, campagne, campagne_id))


def _run(session: Session, campagne: Campagne[R, B], campagne_id: int) -> R:
    run = session.get(campagne.modele, campagne_id)
    assert run is not None
    return run
