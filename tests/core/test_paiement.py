"""The payment-run skeleton (secu.core.paiement) with a branch of its own: a run table, a table of rows to pay, and
only the branch's queries. What it must give any branch (the invariants of ARCHITECTURE.md, "A crash or a second
caller never pays twice"): every payable row paid once, chunk by chunk; a run cut off resumes; the file holds
exactly the rows the run marked; a second caller gets « déjà en cours », or the closed run's bilan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from secu.core import verrou
from secu.core.db import make_engine, session_factory, unit_of_work
from secu.core.errors import Conflict
from secu.core.paiement import Campagne, Fichier, executer, sans_attendre
from secu.core.sepa import Compte, Virement, fichier_virements
from secu.verification import sepa_totals

IBAN = "FR7630006000011234567890189"
PAYEUR = Compte("Caisse d'essai", "FR7630001007941234567890185", "BDFEFRPPCCT")


class Base(DeclarativeBase):
    pass


class RunEssai(Base):
    __tablename__ = "essai_campagne"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisme_code: Mapped[str] = mapped_column(sa.String(20))
    mois: Mapped[date] = mapped_column(sa.Date)
    date_execution: Mapped[date] = mapped_column(sa.Date)
    statut: Mapped[str] = mapped_column(sa.String(12), default="en_cours")
    virements: Mapped[int] = mapped_column(default=0)
    total_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    fichier_sepa: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.UniqueConstraint("organisme_code", "mois"),)


class DuEssai(Base):
    __tablename__ = "essai_du"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisme_code: Mapped[str] = mapped_column(sa.String(20))
    montant_cents: Mapped[int] = mapped_column(sa.BigInteger)
    campagne_id: Mapped[int | None] = mapped_column(sa.ForeignKey("essai_campagne.id"))


CHUNK = 2


def _lot(session: Session, run: RunEssai) -> int:
    query = sa.select(DuEssai).where(DuEssai.organisme_code == run.organisme_code, DuEssai.campagne_id.is_(None)).order_by(DuEssai.id)
    rows = list(session.scalars(sans_attendre(session, query.limit(CHUNK))))
    for row in rows:
        row.campagne_id = run.id
    return len(rows)


def _fichier(session: Session, run: RunEssai) -> Fichier:
    rows = list(session.scalars(sa.select(DuEssai).where(DuEssai.campagne_id == run.id).order_by(DuEssai.id)))
    virements = [Virement(f"Assure {row.id}", IBAN, None, row.montant_cents, f"Essai {run.mois:%m/%Y}") for row in rows]
    return Fichier(fichier_virements(PAYEUR, run.date_execution, f"ESS{run.id:08d}", virements), len(rows), sum(r.montant_cents for r in rows))


def _bilan(session: Session, run: RunEssai) -> tuple[int, int, int, str]:
    return run.id, run.virements, run.total_cents, run.fichier_sepa or ""


def _campagne(caisse: str, lot=_lot) -> Campagne[RunEssai, tuple[int, int, int, str]]:  # type: ignore[no-untyped-def]
    return Campagne(modele=RunEssai, cle=f"paiement:essai:{caisse}", colonnes={"organisme_code": caisse, "mois": date(2025, 5, 1)},
                    a_la_creation={"date_execution": date(2025, 6, 5)}, lot=lot, fichier=_fichier, bilan=_bilan,
                    en_cours=f"une campagne d'essai de {caisse} est déjà en cours")


@pytest.fixture
def sessions(database_url) -> Iterator[sessionmaker[Session]]:  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    yield session_factory(engine)
    engine.dispose()


def _dus(sessions: sessionmaker[Session], caisse: str, montants: list[int]) -> None:
    with unit_of_work(sessions) as session:
        session.add_all(DuEssai(organisme_code=caisse, montant_cents=m) for m in montants)


def _paid(sessions: sessionmaker[Session], caisse: str) -> list[int | None]:
    with unit_of_work(sessions) as session:
        return list(session.scalars(sa.select(DuEssai.campagne_id).where(DuEssai.organisme_code == caisse).order_by(DuEssai.id)))


def test_a_run_cut_off_resumes_pays_each_row_once_and_files_exactly_the_marked_rows(sessions) -> None:  # type: ignore[no-untyped-def]
    _dus(sessions, "C1", [1_000, 2_000, 3_000, 4_000, 5_000])
    calls = {"n": 0}

    def coupure(session: Session, run: RunEssai) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("coupure")
        return _lot(session, run)

    with pytest.raises(RuntimeError):
        executer(sessions, _campagne("C1", coupure))
    assert _paid(sessions, "C1")[2:] == [None, None, None] and None not in _paid(sessions, "C1")[:2]  # the first chunk stays committed

    bilan = executer(sessions, _campagne("C1"))
    assert set(_paid(sessions, "C1")) == {bilan[0]}  # every row, by the one run (resumed, not a second one)
    assert bilan[1:3] == (5, 15_000) and sepa_totals(bilan[3]) == (5, 15_000)
    _dus(sessions, "C1", [700])  # due after the run closed: the closed run of this key pays nothing more
    assert executer(sessions, _campagne("C1")) == bilan and _paid(sessions, "C1")[-1] is None


def test_a_second_caller_gets_deja_en_cours_then_the_closed_runs_bilan(sessions) -> None:  # type: ignore[no-untyped-def]
    _dus(sessions, "C2", [1_500])
    engine = sessions.kw["bind"]
    with verrou.tenir(engine, "paiement:essai:C2") as held:  # another run of the caisse holds the claim
        assert held
        with pytest.raises(Conflict) as refused:
            executer(sessions, _campagne("C2"))
    assert "déjà en cours" in refused.value.message and refused.value.field == "organisme_code"
    assert _paid(sessions, "C2") == [None]
    bilan = executer(sessions, _campagne("C2"))
    with verrou.tenir(engine, "paiement:essai:C2") as held:
        assert held
        assert executer(sessions, _campagne("C2")) == bilan  # over: its bilan, nothing paid again
    assert bilan[1:3] == (1, 1_500)
