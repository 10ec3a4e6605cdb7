"""The ledger: one book for every euro that moves, in double entry.

An écriture (journal entry) groups lignes whose amounts sum to zero: debits
are positive, credits negative, in integer cents. Each ligne is tagged with
the branch, the régime, the organism and the account, so the accounts of a
branch or a caisse are sums over the ledger, never a second computation.

Entries are append-only (the database refuses UPDATE and DELETE): a mistake
is corrected by a new entry. Each entry carries an idempotency key: posting
the same key twice returns the first entry, and posting different content
under a used key is refused.

An exercise (a calendar year) once closed (:class:`ExerciceClos`) is locked: no new entry is dated in it. A later
correction is a new entry dated in the open exercise, flagged as relating to the closed year
(``exercice_rattache``), so the closed accounts stay as they were approved and the correction shows where it was made.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    distinct,
    func,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from secu.core import money
from secu.core.db import Base, among, bulk_insert, table_of
from secu.core.errors import Conflict, InvalidField

BRANCHES = ("maladie", "atmp", "famille", "retraite", "autonomie", "recouvrement", "fsv")  # fsv: the Fonds de solidarité vieillesse (ASPA)
MONTANT_MAX_CENTS = money.MONTANT_MAX_CENTS
"""The largest line: any sum of the lines a balance adds up stays far within the database's 64-bit integers."""
MAX_LIGNES = 10_000
REGIMES = ("general", "agricole")
LIVRE_SIMULE = "simulation."
"""The prefix of the simulated year's accounts (secu.simulation.run): a book apart, which closing does not lock."""


class Ecriture(Base):
    __tablename__ = "ecriture"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    cle_idempotence: Mapped[str] = mapped_column(String(120), unique=True)
    date_operation: Mapped[date] = mapped_column(Date, index=True)
    libelle: Mapped[str] = mapped_column(String(200))
    document_source: Mapped[str | None] = mapped_column(String(120))
    empreinte: Mapped[str] = mapped_column(String(64))
    exercice_rattache: Mapped[int | None] = mapped_column(Integer, default=None)  # a correction of that closed exercise
    enregistre_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(UTC))

    lignes: Mapped[list[LigneEcriture]] = relationship(back_populates="ecriture", order_by="LigneEcriture.id")


class ExerciceClos(Base):
    """A closed exercise: its entries are final (closing is :func:`secu.pilotage.service.cloturer`, journaled)."""

    __tablename__ = "exercice_clos"

    annee: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    clos_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(UTC))
    clos_par: Mapped[int | None] = mapped_column(Integer)  # the user who closed it


class LigneEcriture(Base):
    __tablename__ = "ligne_ecriture"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    ecriture_id: Mapped[int] = mapped_column(ForeignKey("ecriture.id"), index=True)
    date_operation: Mapped[date] = mapped_column(Date, index=True)  # copied so balances need no join
    branche: Mapped[str] = mapped_column(String(20), index=True)
    regime: Mapped[str] = mapped_column(String(10))
    organisme_code: Mapped[str] = mapped_column(String(20), index=True)
    compte: Mapped[str] = mapped_column(String(60), index=True)
    montant_cents: Mapped[int] = mapped_column(BigInteger)
    contrepartie: Mapped[str | None] = mapped_column(String(120))

    ecriture: Mapped[Ecriture] = relationship(back_populates="lignes")


@dataclass(frozen=True)
class Ligne:
    branche: str
    organisme_code: str
    compte: str
    montant_cents: int
    regime: str = "general"
    contrepartie: str | None = None


@dataclass(frozen=True)
class NouvelleEcriture:
    cle_idempotence: str
    date_operation: date
    libelle: str
    lignes: tuple[Ligne, ...]
    document_source: str | None = None
    exercice_rattache: int | None = None
    """For a correction of a closed exercise: that exercise's year (the entry is dated in the open one)."""

    def fingerprint(self) -> str:
        content: dict[str, object] = {
            "date": self.date_operation.isoformat(),
            "libelle": self.libelle,
            "document": self.document_source,
            "lignes": [ligne.__dict__ for ligne in self.lignes],
        }
        if self.exercice_rattache is not None:  # only then: the fingerprints of every other entry stay as they were
            content["exercice_rattache"] = self.exercice_rattache
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


OrganismCheck = Callable[[str], bool]
_known_organism: OrganismCheck | None = None


def check_organisms_with(check: OrganismCheck) -> None:
    """Install the test of organism codes. The network of organisms is data above ``core``:
    ``secu.organismes`` installs its check when it is imported, so ``core`` never imports it."""
    global _known_organism
    _known_organism = check


def _organism_known(code: str) -> bool:
    if _known_organism is None:  # fail closed: an entry is never booked to a code nobody could check
        raise RuntimeError("no organism check installed in the ledger: import secu.organismes first")
    return _known_organism(code)


def _check(entry: NouvelleEcriture) -> None:
    if not entry.cle_idempotence.strip():
        raise InvalidField("cle_idempotence", "la clé d'idempotence est obligatoire")
    if len(entry.lignes) < 2:
        raise InvalidField("lignes", "une écriture comporte au moins deux lignes (débit et crédit)")
    if len(entry.lignes) > MAX_LIGNES:
        raise InvalidField("lignes", f"une écriture comporte au plus {MAX_LIGNES} lignes")
    for index, ligne in enumerate(entry.lignes):
        where = f"lignes[{index}]"
        if ligne.branche not in BRANCHES:
            raise InvalidField(f"{where}.branche", f"branche inconnue : {ligne.branche!r}")
        if ligne.regime not in REGIMES:
            raise InvalidField(f"{where}.regime", f"régime inconnu : {ligne.regime!r}")
        if not isinstance(ligne.montant_cents, int) or isinstance(ligne.montant_cents, bool):
            raise InvalidField(f"{where}.montant_cents", "le montant doit être un nombre entier de centimes")
        if ligne.montant_cents == 0:
            raise InvalidField(f"{where}.montant_cents", "une ligne d'écriture ne peut pas être nulle")
        if abs(ligne.montant_cents) > MONTANT_MAX_CENTS:
            raise InvalidField(f"{where}.montant_cents", f"montant hors limites ({MONTANT_MAX_CENTS} centimes au plus, en valeur absolue)")
        if not ligne.compte.strip():
            raise InvalidField(f"{where}.compte", "le compte est obligatoire")
        if not _organism_known(ligne.organisme_code):
            raise InvalidField(f"{where}.organisme_code", f"organisme inconnu : {ligne.organisme_code!r}")
    total = sum(ligne.montant_cents for ligne in entry.lignes)
    if total != 0:
        raise InvalidField("lignes", f"écriture déséquilibrée : débits et crédits diffèrent de {total} centimes")


def exercices_clos(session: Session, annees: set[int] | None = None) -> set[int]:
    """The closed exercises (among ``annees`` when given)."""
    query = select(ExerciceClos.annee)
    if annees is not None:
        if not annees:
            return set()
        query = query.where(ExerciceClos.annee.in_(sorted(annees)))
    return set(session.scalars(query))


def verrou_exercice(session: Session, annee: int, *, exclusif: bool = False) -> None:
    """Hold the exercise until the transaction ends (PostgreSQL): posting holds it shared, closing exclusive, so that
    an entry checked before a closing commits is committed before it, and one checked after sees it. SQLite has one
    writer at a time: a posting that read before a closing committed cannot write after it."""
    if session.get_bind().dialect.name == "postgresql":
        function = "pg_advisory_xact_lock" if exclusif else "pg_advisory_xact_lock_shared"
        session.execute(text(f"SELECT {function}(hashtext('secu.exercice.' || current_schema() || '.' || :annee))"), {"annee": str(annee)})


def _check_exercices(session: Session, entries: Sequence[NouvelleEcriture]) -> None:
    """No new entry dated in a closed exercise; a correction names a closed exercise before its own."""
    entries = [e for e in entries if not all(ligne.compte.startswith(LIVRE_SIMULE) for ligne in e.lignes)]
    years = {e.date_operation.year for e in entries} | {e.exercice_rattache for e in entries if e.exercice_rattache is not None}
    for year in sorted(years):
        verrou_exercice(session, year)
    closed = exercices_clos(session, years)
    for entry in entries:
        year = entry.date_operation.year
        if year in closed:
            raise InvalidField("date_operation", f"l'exercice {year} est clos : une correction s'écrit dans l'exercice ouvert, "
                                                 f"rattachée à {year} (exercice_rattache)")
        rattache = entry.exercice_rattache
        if rattache is not None and (rattache >= year or rattache not in closed):
            raise InvalidField("exercice_rattache", f"l'exercice de rattachement {rattache} doit être un exercice clos, "
                                                    f"antérieur à celui de l'écriture ({year})")


def post(session: Session, entry: NouvelleEcriture) -> Ecriture:
    """Record an entry once. The same key with the same content returns the first entry."""
    _check(entry)
    fingerprint = entry.fingerprint()
    existing = session.scalar(select(Ecriture).where(Ecriture.cle_idempotence == entry.cle_idempotence))
    if existing is not None:
        return _same_or_conflict(existing, fingerprint)
    _check_exercices(session, (entry,))
    ecriture = Ecriture(
        cle_idempotence=entry.cle_idempotence,
        date_operation=entry.date_operation,
        libelle=entry.libelle,
        document_source=entry.document_source,
        exercice_rattache=entry.exercice_rattache,
        empreinte=fingerprint,
        lignes=[
            LigneEcriture(
                date_operation=entry.date_operation,
                branche=ligne.branche,
                regime=ligne.regime,
                organisme_code=ligne.organisme_code,
                compte=ligne.compte,
                montant_cents=ligne.montant_cents,
                contrepartie=ligne.contrepartie,
            )
            for ligne in entry.lignes
        ],
    )
    try:
        with session.begin_nested():
            session.add(ecriture)
            session.flush()
    except IntegrityError:
        # Another transaction posted the same key first: fall back on its entry.
        existing = session.scalar(select(Ecriture).where(Ecriture.cle_idempotence == entry.cle_idempotence))
        if existing is None:
            raise
        return _same_or_conflict(existing, fingerprint)
    return ecriture


def post_many(session: Session, entries: Sequence[NouvelleEcriture]) -> None:
    """Record many entries at once: one query for the keys already recorded, then two bulk inserts.

    The same rules as :func:`post`: an entry whose key is recorded with the same content is skipped, with
    another content it is a Conflict. A key posted meanwhile by a concurrent transaction is left to the
    database's unique key (IntegrityError): the caller retries its whole transaction."""
    for entry in entries:
        _check(entry)
    fingerprints = {entry.cle_idempotence: entry.fingerprint() for entry in entries}
    if len(fingerprints) != len(entries):
        raise Conflict("la même clé d'idempotence figure deux fois dans les écritures", field="cle_idempotence")
    query = select(Ecriture.cle_idempotence, Ecriture.empreinte).where(among(session, Ecriture.cle_idempotence, fingerprints))
    recorded: dict[str, str] = {key: empreinte for key, empreinte in session.execute(query)} if entries else {}
    for key, fingerprint in recorded.items():
        if fingerprint != fingerprints[key]:
            raise Conflict("cette clé d'idempotence a déjà servi pour une autre écriture", field="cle_idempotence")
    new = [entry for entry in entries if entry.cle_idempotence not in recorded]
    if not new:
        return
    _check_exercices(session, new)
    ids = bulk_insert(session, table_of(Ecriture), [
        {"cle_idempotence": e.cle_idempotence, "date_operation": e.date_operation, "libelle": e.libelle,
         "document_source": e.document_source, "exercice_rattache": e.exercice_rattache,
         "empreinte": fingerprints[e.cle_idempotence]} for e in new], ids=True)
    bulk_insert(session, table_of(LigneEcriture), [
        {"ecriture_id": ecriture_id, "date_operation": entry.date_operation, "branche": ligne.branche, "regime": ligne.regime,
         "organisme_code": ligne.organisme_code, "compte": ligne.compte, "montant_cents": ligne.montant_cents,
         "contrepartie": ligne.contrepartie}
        for ecriture_id, entry in zip(ids, new, strict=True) for ligne in entry.lignes
    ])


def _same_or_conflict(existing: Ecriture, fingerprint: str) -> Ecriture:
    if existing.empreinte != fingerprint:
        raise Conflict(
            "cette clé d'idempotence a déjà servi pour une autre écriture", field="cle_idempotence"
        )
    return existing


@dataclass(frozen=True)
class Solde:
    compte: str
    branche: str
    organisme_code: str
    regime: str
    debit_cents: int
    credit_cents: int
    ecritures: int = 0  # how many entries the sums add up (the secret statistique counts them)

    @property
    def solde_cents(self) -> int:
        return self.debit_cents - self.credit_cents


@dataclass
class FiltreSoldes:
    du: date | None = None
    au: date | None = None
    branche: str | None = None
    organisme_code: str | None = None
    compte_prefixe: str | None = None
    regime: str | None = None
    organismes: tuple[str, ...] | None = field(default=None)


def balances(session: Session, filtre: FiltreSoldes) -> list[Solde]:
    """Debits, credits and balance per account, branch, organism and régime over a period."""
    debit = func.coalesce(func.sum(LigneEcriture.montant_cents).filter(LigneEcriture.montant_cents > 0), 0)
    credit = func.coalesce(-func.sum(LigneEcriture.montant_cents).filter(LigneEcriture.montant_cents < 0), 0)
    keys = (LigneEcriture.compte, LigneEcriture.branche, LigneEcriture.organisme_code, LigneEcriture.regime)
    entries = func.count(distinct(LigneEcriture.ecriture_id))
    query = select(*keys, debit, credit, entries).group_by(*keys).order_by(*keys)
    if filtre.du:
        query = query.where(LigneEcriture.date_operation >= filtre.du)
    if filtre.au:
        query = query.where(LigneEcriture.date_operation <= filtre.au)
    if filtre.branche:
        query = query.where(LigneEcriture.branche == filtre.branche)
    if filtre.organisme_code:
        query = query.where(LigneEcriture.organisme_code == filtre.organisme_code)
    if filtre.organismes is not None:
        query = query.where(LigneEcriture.organisme_code.in_(filtre.organismes))
    if filtre.regime:
        query = query.where(LigneEcriture.regime == filtre.regime)
    if filtre.compte_prefixe:
        query = query.where(LigneEcriture.compte.startswith(filtre.compte_prefixe, autoescape=True))
    return [
        Solde(compte=c, branche=b, organisme_code=o, regime=r, debit_cents=int(d), credit_cents=int(k), ecritures=int(n))
        for c, b, o, r, d, k, n in session.execute(query)
    ]
