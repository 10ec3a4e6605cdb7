"""Users, roles, bearer tokens and the access journal.

Passwords are hashed with argon2id; tokens are random and stored only as their
SHA-256, so a copy of the database lets no one sign in. The access journal
(`journal_acces`) is append-only — the database refuses UPDATE and DELETE —
and each row carries a hash of its content and of the row before it, so a
tampered or removed row shows.

The chain has one head (`journal_tete`, a single row): the rows a transaction
journals are chained when it commits, under the head's lock: next numbers, the
last hash, written back to the head, all in that transaction. Appends are thus
serialized (two readers journaling at once can no longer hang two rows from the
same predecessor), rows are numbered 1, 2, 3… with no gap, and the head
remembers the last number and hash, so even a deletion of the last rows shows.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, SessionTransaction, mapped_column
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.util import find_tables

from secu.core.db import Base, bulk_insert
from secu.core.errors import Unauthenticated


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    ASSURE = "assure"
    AGENT = "agent"
    MEDECIN_CONSEIL = "medecin_conseil"
    PROFESSIONNEL = "professionnel"
    EMPLOYEUR = "employeur"
    ANALYSTE = "analyste"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.ASSURE: "assuré",
    Role.AGENT: "agent de caisse",
    Role.MEDECIN_CONSEIL: "médecin-conseil",
    Role.PROFESSIONNEL: "professionnel de santé",
    Role.EMPLOYEUR: "employeur",
    Role.ANALYSTE: "analyste",
    Role.ADMIN: "administrateur",
}


class Utilisateur(Base):
    __tablename__ = "utilisateur"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    nom_affiche: Mapped[str] = mapped_column(String(150))
    organisme_code: Mapped[str | None] = mapped_column(String(20))  # agent, médecin-conseil
    personne_id: Mapped[int | None] = mapped_column(ForeignKey("personne.id"))  # assuré
    employeur_id: Mapped[int | None] = mapped_column(ForeignKey("employeur.id"))  # employeur
    professionnel_id: Mapped[int | None] = mapped_column(ForeignKey("professionnel_sante.id"))
    actif: Mapped[bool] = mapped_column(Boolean, default=True)
    # No longer read or written: the sign-in is throttled by limite_connexion (per login and source), never by a
    # lock on the account. Kept until a migration drops them (SQLite rebuilds the table to drop a column).
    echecs_connexion: Mapped[int] = mapped_column(Integer, default=0)
    bloque_jusqu_a: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LimiteConnexion(Base):
    """A sign-in counter: failed attempts of one key (a login and source, a login, a source) and when the next
    attempt may come. The key is a hash: a mistyped password typed as a login is never stored."""

    __tablename__ = "limite_connexion"

    cle: Mapped[str] = mapped_column(String(64), primary_key=True)
    echecs: Mapped[int] = mapped_column(Integer)
    prochain_essai: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    dernier_succes: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Jeton(Base):
    __tablename__ = "jeton"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    utilisateur_id: Mapped[int] = mapped_column(ForeignKey("utilisateur.id"), index=True)
    empreinte: Mapped[str] = mapped_column(String(64), unique=True)
    cree_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expire_le: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoque: Mapped[bool] = mapped_column(Boolean, default=False)


class JournalAcces(Base):
    """Who read or changed whose personal data, what, when — never the data itself."""

    __tablename__ = "journal_acces"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    horodatage: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    utilisateur_id: Mapped[int | None] = mapped_column(Integer, index=True)
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))  # lecture, creation, modification, refus
    ressource: Mapped[str] = mapped_column(String(40))
    ressource_id: Mapped[str | None] = mapped_column(String(40))
    personne_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str | None] = mapped_column(Text)
    empreinte_precedente: Mapped[str | None] = mapped_column(String(64))
    empreinte: Mapped[str] = mapped_column(String(64))
    # The place in the chain: 1, 2, 3… given under the head's lock, so unique and without gaps.
    numero: Mapped[int] = mapped_column(BigInteger, unique=True)


class JournalTete(Base):
    """The head of the journal's chain: one row, locked by every append (the append's serialization point)."""

    __tablename__ = "journal_tete"
    __table_args__ = (CheckConstraint("id = 1", name="une_seule_tete"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    numero: Mapped[int] = mapped_column(BigInteger)  # the last row's number (0: empty journal)
    empreinte: Mapped[str | None] = mapped_column(String(64))  # the last row's hash


# -- passwords -----------------------------------------------------------------

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# -- tokens ----------------------------------------------------------------------


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: Utilisateur, *, hours: int) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(hours=hours)
    session.add(Jeton(utilisateur_id=user.id, empreinte=_fingerprint(token), expire_le=expires))
    return token, expires


def user_for_token(session: Session, token: str) -> Utilisateur:
    jeton = session.scalar(select(Jeton).where(Jeton.empreinte == _fingerprint(token)))
    if jeton is None or jeton.revoque:
        raise Unauthenticated("jeton d'accès inconnu ou révoqué ; reconnectez-vous")
    if _aware(jeton.expire_le) <= utcnow():
        raise Unauthenticated("session expirée ; reconnectez-vous")
    user = session.get(Utilisateur, jeton.utilisateur_id)
    if user is None or not user.actif:
        raise Unauthenticated("compte désactivé")
    return user


def revoke_token(session: Session, token: str) -> None:
    jeton = session.scalar(select(Jeton).where(Jeton.empreinte == _fingerprint(token)))
    if jeton is not None:
        jeton.revoque = True


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; we only ever store UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- the caller --------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """Who is asking: what the access policy needs, and nothing more."""

    user_id: int | None
    role: Role
    organisme_code: str | None = None
    personne_id: int | None = None
    employeur_id: int | None = None
    professionnel_id: int | None = None

    @classmethod
    def of(cls, user: Utilisateur) -> Caller:
        return cls(
            user_id=user.id,
            role=Role(user.role),
            organisme_code=user.organisme_code,
            personne_id=user.personne_id,
            employeur_id=user.employeur_id,
            professionnel_id=user.professionnel_id,
        )


SYSTEM = Caller(user_id=None, role=Role.ADMIN)


# -- the access journal ----------------------------------------------------------------


def _row_hash(previous: str | None, fields: dict[str, object]) -> str:
    payload = json.dumps({"precedente": previous, **fields}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


class Action(StrEnum):
    """What was done to personal data (the journal's ``action`` column)."""

    LECTURE = "lecture"
    CREATION = "creation"
    MODIFICATION = "modification"
    REFUS = "refus"


class Ressource(StrEnum):
    """What was read or changed (the journal's ``ressource`` column); the values are the stored strings."""

    # the répertoire
    PERSONNE = "personne"
    RECHERCHE_PERSONNE = "personne.recherche"
    ATTESTATION = "attestation"
    AYANT_DROIT = "ayant_droit"
    AYANTS_DROIT = "ayants_droit"
    AFFILIATION = "affiliation"
    AFFILIATIONS = "affiliations"
    CARTE_VITALE = "carte_vitale"
    CARTES_VITALE = "cartes_vitale"
    DROITS_CARTE_VITALE = "droits.carte_vitale"
    MEDECIN_TRAITANT = "medecin_traitant"
    ALD = "ald"
    C2S = "c2s"
    FOYER = "foyer"
    EMPLOYEUR = "employeur"
    ETABLISSEMENT = "etablissement"
    PROFESSIONNEL_SANTE = "professionnel_sante"
    JOURNAL_ACCES = "journal_acces"
    ESPACE_ASSURE = "espace_assure"
    # accounts and the ledger
    UTILISATEUR = "utilisateur"
    ECRITURE = "ecriture"
    FICHIER_SEPA = "fichier_sepa"  # a payment run's file: every payee's name and IBAN
    # maladie
    FSE = "fse"
    RETOUR_AMC = "fse.retour_amc"
    DECOMPTE = "decompte"
    # famille
    DOSSIER_ALLOCATAIRE = "dossier_allocataire"
    DROITS_FAMILLE = "droits_famille"
    PAIEMENTS_FAMILLE = "paiements_famille"
    # recouvrement
    DECLARATION_DSN = "declaration_dsn"
    REMUNERATION = "remuneration"
    REMUNERATIONS = "remunerations"
    # autonomie
    DECISION_AUTONOMIE = "decision_autonomie"
    DECISIONS_AUTONOMIE = "decisions_autonomie"
    # prestations en espèces
    ARRET_TRAVAIL = "arret_travail"
    ARRETS_TRAVAIL = "arrets_travail"
    ATTESTATION_SALAIRE = "attestation_salaire"
    ATTESTATION_PAIEMENT_IJ = "attestation_paiement_ij"
    IJ_SUBROGEES = "ij_subrogees"
    # prestations en espèces: invalidité, capital décès
    DEMANDE_INVALIDITE = "demande_invalidite"
    FILE_INVALIDITE = "file_invalidite"  # a claim listed in the médecin-conseil's queue
    PENSION_INVALIDITE = "pension_invalidite"
    DECES = "deces_assure"
    CAPITAL_DECES = "capital_deces"
    # retraite: the claim, the CARSAT's queue, the pension, the decision's letter
    DEMANDE_RETRAITE = "demande_retraite"
    FILE_RETRAITE = "file_retraite"  # a claim listed in the CARSAT's queue
    PENSION_RETRAITE = "pension_retraite"
    NOTIFICATION_RETRAITE = "notification_retraite"
    # retraite, survivors and minimum vieillesse: réversion, allocation veuvage, ASPA and its recovery on the estate
    DEMANDE_SOLIDARITE = "demande_solidarite"
    PRESTATION_SOLIDARITE = "prestation_solidarite"
    NOTIFICATION_SOLIDARITE = "notification_solidarite"
    RECUPERATION_ASPA = "recuperation_aspa"
    # retraite: the compte de carrière
    CARRIERE = "retraite.carriere"
    RELEVE_CARRIERE = "retraite.releve"  # the relevé de carrière in PDF
    CORRECTION_CARRIERE = "retraite.correction"
    CORRECTIONS_CARRIERE = "retraite.corrections"  # a caisse's queue of corrections to instruct
    IMPORT_CARRIERE = "retraite.import"
    ESTIMATION_RETRAITE = "retraite.estimation"
    # pilotage
    EXERCICE = "pilotage.exercice"  # closing an exercise of the ledger
    EXPORT_COMPTES = "pilotage.export"  # the national accounts taken away as a file


def journal(
    session: Session,
    caller: Caller,
    action: Action,
    ressource: Ressource,
    ressource_id: object = None,
    *,
    personne_id: int | None = None,
    detail: str | None = None,
) -> JournalAcces:
    """Write one row of the access journal, in the caller's transaction.

    Action and resource come from the vocabulary above (a string outside it is refused), so the
    journal can be searched by what was done to what."""
    return _append(session, caller, Action(action), Ressource(ressource).value, ressource_id, personne_id, detail)


def journal_refus(
    session: Session, caller: Caller, chemin: str, *, personne_id: int | None = None, detail: str | None = None
) -> JournalAcces:
    """Journal a refusal: its resource is the address that was asked for (cut to the column's 40 characters)."""
    return _append(session, caller, Action.REFUS, chemin[:40], personne_id, personne_id, detail)


def _append(
    session: Session,
    caller: Caller,
    action: Action,
    ressource: str,
    ressource_id: object,
    personne_id: int | None,
    detail: str | None,
) -> JournalAcces:
    """Queue the row in the session; it is chained and written when the transaction commits (see flush_journal).

    Taking the chain's head at the very end keeps its lock short (the commit, not the rest of the use case) and
    makes it the last lock a transaction takes, so it can never be part of a deadlock with the rows a use case
    locks (an intake lot journals each claim between two counters' locks)."""
    row = JournalAcces(
        horodatage=utcnow(),  # when the access happened; its place in the chain is the commit's order
        utilisateur_id=caller.user_id,
        role=str(caller.role),
        action=action.value,
        ressource=ressource,
        ressource_id=None if ressource_id is None else str(ressource_id),
        personne_id=personne_id,
        detail=detail,
    )
    pending: list[tuple[JournalAcces, SessionTransaction | None]] = session.info.setdefault(_PENDING, [])
    pending.append((row, session.get_nested_transaction()))
    return row


def journal_many(
    session: Session, caller: Caller, action: Action, ressource: Ressource, rows: Sequence[tuple[object, int | None]]
) -> None:
    """Journal one row per (ressource_id, personne_id), in that order: the same rows as :func:`journal` called
    once each (a lot of feuilles de soins touches many files at once); they are chained together at the commit,
    and written in bulk (their columns, not ORM objects: a lot's hundreds of rows cost one COPY on PostgreSQL)."""
    now, kind, what = utcnow(), Action(action).value, Ressource(ressource).value
    pending: list[tuple[JournalAcces | dict[str, object], SessionTransaction | None]] = session.info.setdefault(_PENDING, [])
    where = session.get_nested_transaction()
    for ressource_id, personne_id in rows:
        pending.append(({"horodatage": now, "utilisateur_id": caller.user_id, "role": str(caller.role), "action": kind, "ressource": what,
                         "ressource_id": None if ressource_id is None else str(ressource_id), "personne_id": personne_id, "detail": None},
                        where))


_PENDING = "journal_acces_en_attente"

# the head is written through Core statements: the ORM's bulk UPDATE costs more
_HEAD = cast(Table, JournalTete.__table__)


def flush_journal(session: Session) -> None:
    """Chain and write the rows this transaction journaled: lock the head, number them after it, hash each after
    the one before, move the head. Called by the commit (and by a read of the journal in the same transaction,
    so it sees its own rows); a test may call it to look at the rows before committing."""
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    rows = [row for row, _ in pending]
    last, previous = _take_head(session, len(rows))
    for numero, row in enumerate(rows, start=last - len(rows) + 1):
        if isinstance(row, dict):  # journal_many's rows: their columns
            row["numero"], row["empreinte_precedente"] = numero, previous
            row["empreinte"] = previous = _row_hash(previous, _fields_of(row))
        else:
            row.numero = numero
            row.empreinte_precedente = previous
            row.empreinte = previous = _row_hash(previous, _fields(row))
    session.add_all([row for row in rows if not isinstance(row, dict)])
    bulk_insert(session, cast(Table, JournalAcces.__table__), [row for row in rows if isinstance(row, dict)])
    session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(empreinte=previous))
    session.flush()


def _take_head(session: Session, count: int) -> tuple[int, str | None]:
    """Lock the chain's head, move its number on by ``count``: the new last number and the hash before them.

    One UPDATE … RETURNING: on PostgreSQL it locks the head row until the transaction ends (a concurrent append
    waits, then reads the committed head); on SQLite it is a write, so it holds the database's write lock before
    it reads."""
    taken = session.execute(
        update(_HEAD).where(_HEAD.c.id == 1).values(numero=_HEAD.c.numero + count).returning(_HEAD.c.numero, _HEAD.c.empreinte)
    ).one_or_none()
    if taken is None:  # a database built without the migrations (which create the head): create it, empty
        session.execute(insert(_HEAD).values(id=1, numero=count, empreinte=None))
        return count, None
    return int(taken.numero), taken.empreinte


@event.listens_for(Session, "before_commit")
def _write_journal_at_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's release is not the commit: the rows wait for it
        flush_journal(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back_rows(session: Session, previous: SessionTransaction) -> None:
    # Rows journaled in what was rolled back (the transaction, or a savepoint and what was nested in it) never
    # happened: they are dropped with it, as the rows they accompany are.
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if not previous.nested:
        session.info.pop(_PENDING, None)
        return
    session.info[_PENDING] = [(row, where) for row, where in pending if not _inside(where, previous)]


def _inside(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "do_orm_execute")
def _read_your_own_journal(state: ORMExecuteState) -> None:
    # A read of the journal in the transaction that journaled sees its own rows (the agent's page lists its read).
    # (Only when rows wait, which is rare among selects; a count or a subquery of the journal counts as a read.)
    if state.is_select and state.session.info.get(_PENDING) and JournalAcces.__table__ in find_tables(cast(ClauseElement, state.statement)):
        flush_journal(state.session)


@dataclass(frozen=True)
class EtatJournal:
    """The verification of the journal: the rows found altered (ids) and what is wrong, in French."""

    lignes_alterees: list[int]
    anomalies: list[str]

    @property
    def intact(self) -> bool:
        return not self.lignes_alterees and not self.anomalies


def _fields(row: JournalAcces) -> dict[str, object]:
    return {
        "horodatage": _aware(row.horodatage).astimezone(UTC).isoformat(),
        "utilisateur_id": row.utilisateur_id,
        "role": row.role,
        "action": row.action,
        "ressource": row.ressource,
        "ressource_id": row.ressource_id,
        "personne_id": row.personne_id,
        "detail": row.detail,
    }


def _fields_of(values: dict[str, object]) -> dict[str, object]:
    """:func:`_fields` of a row given by its columns (journal_many's)."""
    moment = values["horodatage"]
    assert isinstance(moment, datetime)
    return {"horodatage": _aware(moment).astimezone(UTC).isoformat(),
            **{name: values[name] for name in ("utilisateur_id", "role", "action", "ressource", "ressource_id", "personne_id", "detail")}}


def verify_journal(session: Session, *, batch: int = 5_000) -> EtatJournal:
    """Walk the chain in number order and say what breaks it.

    A row is altered when its hash no longer matches its content (an edit) or its predecessor is not the row
    numbered just before it (a deletion, an insertion, a renumbering). Numbers must run 1, 2, 3… (a gap is a
    deletion), no two rows may hang from the same predecessor (a fork), and the last row must be the head's
    (a deletion of the last rows). One pass in batches: memory does not grow with the journal."""
    altered: list[int] = []
    anomalies: list[str] = []
    expected, previous, last = 1, None, 0
    after = 0
    while True:
        rows = list(session.scalars(
            select(JournalAcces).where(JournalAcces.numero > after).order_by(JournalAcces.numero).limit(batch)
        ))
        for row in rows:
            broken = False
            if row.numero != expected:
                anomalies.append(f"lignes n° {expected} à {row.numero - 1} : manquent au journal")
                broken = True
            if row.empreinte_precedente != previous or _row_hash(row.empreinte_precedente, _fields(row)) != row.empreinte:
                broken = True
            if broken:
                altered.append(row.id)
            expected, previous, last = row.numero + 1, row.empreinte, row.numero
        if len(rows) < batch:
            break
        after = rows[-1].numero
    forks = session.execute(
        select(JournalAcces.empreinte_precedente, func.count())
        .group_by(JournalAcces.empreinte_precedente)
        .having(func.count() > 1)
    ).all()
    for predecessor, count in forks:
        anomalies.append(f"fourche : {count} lignes suivent la même ligne ({predecessor or 'début du journal'})")
    head = session.get(JournalTete, 1)
    head_numero, head_hash = (head.numero, head.empreinte) if head is not None else (0, None)
    if head_numero > last:
        anomalies.append(f"les dernières lignes manquent : le journal s'arrête au n° {last}, sa tête au n° {head_numero}")
    elif head_numero < last or head_hash != previous:
        anomalies.append(f"la tête du journal (n° {head_numero}) ne désigne pas sa dernière ligne (n° {last})")
    return EtatJournal(lignes_alterees=altered, anomalies=anomalies)
