"""What a lot needs from the database, in a few set-based queries: one per kind of fact, for all its FSE at once.

Each function takes the keys of the whole lot (persons, days, numbers) and answers a dictionary; the checks and
the liquidation then read those dictionaries, never the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Executable, Row, String, literal_column, or_, select, text, tuple_
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session, selectinload

from secu.core.db import among, table_of
from secu.core.money import to_cents
from secu.core.parameters import parameters
from secu.maladie.models import CompteurAnnuel, Fse, LigneFse
from secu.maladie.tarifs import tarifs
from secu.organismes import get_organisme
from secu.register.attestation import motif_sans_droits
from secu.register.models import Affiliation, Ald, AyantDroit, MedecinTraitant, PeriodeC2S, Personne

PersonKey = tuple[int, date]  # (personne_id, date of care)

LIQUIDEE = literal_column("'liquidee'", String())
"""``statut = 'liquidee'`` written in the statement, not bound: a plan PostgreSQL keeps for a prepared statement
(its "generic" plan, used after five executions) cannot prove a bound ``statut = $2`` matches the predicate of the
partial unique index on the care's fingerprint, and scanned the whole ``fse`` table for each lot instead."""


@dataclass(frozen=True)
class Patient:
    id: int
    nir: str
    date_naissance: date
    sexe: str
    date_deces: date | None


@dataclass(frozen=True)
class Droits:
    """The rights on a day, as the attestation de droits gives them (register/attestation.py), for the intake."""

    organisme_code: str | None
    motif_absence: str | None = None


@dataclass(frozen=True)
class Contexte:
    """What the register says of a patient on the day of care that changes the amounts."""

    ald: bool
    c2s: bool
    medecin_traitant_id: int | None
    invalidite: bool = False
    """A pension d'invalidité in service that day: the exonération of CSS L. 160-14 (secu.especes.invalidite)."""


def patients(session: Session, nirs: Iterable[str]) -> dict[str, Patient]:
    rows = session.execute(
        select(Personne.id, Personne.nir, Personne.date_naissance, Personne.sexe, Personne.date_deces).where(among(session, Personne.nir, set(nirs)))
    ).all()
    return {row.nir: Patient(row.id, row.nir, row.date_naissance, row.sexe, row.date_deces) for row in rows}


def _in_force(start: date, end: date | None, on: date) -> bool:
    return start <= on and (end is None or end >= on)


def _affiliations(session: Session, ids: set[int]) -> dict[int, list[Row]]:  # type: ignore[type-arg]
    by_person: dict[int, list[Row]] = defaultdict(list)  # type: ignore[type-arg]
    if ids:
        query = select(Affiliation.personne_id, Affiliation.organisme_code, Affiliation.date_debut, Affiliation.date_fin)
        for row in session.execute(query.where(among(session, Affiliation.personne_id, ids)).order_by(Affiliation.date_debut.desc(), Affiliation.id)):
            by_person[row.personne_id].append(row)
    return by_person


def _affiliation_on(periods: list[Row], on: date) -> str | None:  # type: ignore[type-arg]
    """The organism of the latest affiliation in force on ``on`` (periods are sorted latest first)."""
    return next((p.organisme_code for p in periods if _in_force(p.date_debut, p.date_fin, on)), None)


def droits(session: Session, asks: set[tuple[Patient, date]]) -> dict[PersonKey, Droits]:
    """Covered in one's own right, or as the ayant droit of a parent covered that day (CSS L160-1, L160-2)."""
    own = _affiliations(session, {patient.id for patient, _ in asks})
    organisme: dict[PersonKey, str | None] = {(p.id, day): _affiliation_on(own.get(p.id, []), day) for p, day in asks}
    orphans = {p.id for p, day in asks if organisme[p.id, day] is None}
    if orphans:
        links = session.execute(
            select(AyantDroit.enfant_id, AyantDroit.ouvrant_droit_id, AyantDroit.date_debut, AyantDroit.date_fin)
            .where(among(session, AyantDroit.enfant_id, orphans))
            .order_by(AyantDroit.id)
        ).all()
        parents = _affiliations(session, {link.ouvrant_droit_id for link in links})
        for patient, day in asks:
            if organisme[patient.id, day] is None:
                organisme[patient.id, day] = next(
                    (
                        code
                        for link in links
                        if link.enfant_id == patient.id and _in_force(link.date_debut, link.date_fin, day)
                        for code in [_affiliation_on(parents.get(link.ouvrant_droit_id, []), day)]
                        if code is not None
                    ),
                    None,
                )
    result = {}
    for patient, day in asks:
        code = organisme[patient.id, day]
        if patient.date_deces is not None and patient.date_deces < day:
            code = None
        result[patient.id, day] = Droits(get_organisme(code).code) if code else Droits(None, motif_sans_droits(patient, day))  # type: ignore[arg-type]
    return result


def contextes(session: Session, asks: set[PersonKey]) -> dict[PersonKey, Contexte]:
    """ALD, C2S and a pension d'invalidité in force, and the médecin traitant declared, on each (person, day)."""
    ids = {pid for pid, _ in asks}
    alds: dict[int, list[Row]] = defaultdict(list)  # type: ignore[type-arg]
    c2s: dict[int, list[Row]] = defaultdict(list)  # type: ignore[type-arg]
    mts: dict[int, list[Row]] = defaultdict(list)  # type: ignore[type-arg]
    if ids:
        for ald in session.execute(select(Ald.personne_id, Ald.date_debut, Ald.date_fin).where(among(session, Ald.personne_id, ids))):
            alds[ald.personne_id].append(ald)
        periods = select(PeriodeC2S.personne_id, PeriodeC2S.date_debut, PeriodeC2S.date_fin)
        for period in session.execute(periods.where(among(session, PeriodeC2S.personne_id, ids))):
            c2s[period.personne_id].append(period)
        query = select(MedecinTraitant.personne_id, MedecinTraitant.professionnel_id, MedecinTraitant.date_debut, MedecinTraitant.date_fin)
        for mt in session.execute(query.where(among(session, MedecinTraitant.personne_id, ids)).order_by(MedecinTraitant.id)):
            mts[mt.personne_id].append(mt)
    from secu.especes.invalidite import pensionnes_le

    pensionnes = pensionnes_le(session, asks)
    return {
        (pid, day): Contexte(
            invalidite=(pid, day) in pensionnes,
            ald=any(_in_force(a.date_debut, a.date_fin, day) for a in alds[pid]),
            c2s=any(c.date_debut <= day <= c.date_fin for c in c2s[pid]),
            medecin_traitant_id=next((m.professionnel_id for m in mts[pid] if _in_force(m.date_debut, m.date_fin, day)), None),
        )
        for pid, day in asks
    }


def existing_claims(session: Session, professionnel_id: int, numeros: Iterable[str]) -> dict[str, Fse]:
    """The FSE already stored under these numbers for this professional, with their lines."""
    query = select(Fse).options(selectinload(Fse.lignes)).where(Fse.professionnel_id == professionnel_id, among(session, Fse.numero, set(numeros)))
    return {fse.numero: fse for fse in session.scalars(query)}


def liquidated_twins(session: Session, cares: Iterable[str]) -> dict[str, str]:
    """For each care fingerprint already liquidated: the number of the feuille that carried it."""
    query = select(Fse.soins_empreinte, Fse.numero).where(among(session, Fse.soins_empreinte, set(cares)), Fse.statut == LIQUIDEE)
    return {row.soins_empreinte: row.numero for row in session.execute(query)}


def counters(session: Session, keys: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """The yearly counters (PF, franchise) of these person-years as they stand, (0, 0) for those not yet created."""
    found: dict[tuple[int, int], tuple[int, int]] = dict.fromkeys(keys, (0, 0))
    if keys:
        for row in session.execute(*_counters_query(session, sorted(keys), lock=False)):
            found[row.personne_id, row.annee] = (row.participation_forfaitaire_cents, row.franchise_cents)
    return found


def _counters_query(session: Session, ordered: list[tuple[int, int]], *, lock: bool) -> tuple[Executable, dict[str, list[int]]]:
    """The counters of these person-years, in (person, year) order (locked, with ``lock``). On PostgreSQL a join with
    the keys as two arrays (two parameters, one plan), elsewhere a list of pairs."""
    if session.get_bind().dialect.name == "postgresql":
        return text(
            "SELECT k.personne_id, k.annee, k.participation_forfaitaire_cents, k.franchise_cents FROM compteur_annuel AS k "
            "JOIN unnest(CAST(:p AS integer[]), CAST(:a AS integer[])) AS v(p, a) ON k.personne_id = v.p AND k.annee = v.a "
            "ORDER BY k.personne_id, k.annee" + (" FOR UPDATE OF k" if lock else "")
        ), {"p": [p for p, _ in ordered], "a": [a for _, a in ordered]}
    table = table_of(CompteurAnnuel)
    query = (
        select(table.c.personne_id, table.c.annee, table.c.participation_forfaitaire_cents, table.c.franchise_cents)
        .where(tuple_(table.c.personne_id, table.c.annee).in_(ordered))
        .order_by(table.c.personne_id, table.c.annee)
    )
    return (query.with_for_update() if lock else query), {}


def lock_counters(session: Session, keys: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """The yearly counters (PF, franchise) of these person-years, created if missing, locked until commit.

    Every lot locks its counters in one statement, in the same order (person, year): two lots that share
    patients wait for each other, never deadlock."""
    if not keys:
        return {}
    ordered = sorted(keys)
    if session.get_bind().dialect.name == "postgresql":  # one statement, the rows inserted in (person, year) order
        session.execute(
            text(
                "INSERT INTO compteur_annuel (personne_id, annee, participation_forfaitaire_cents, franchise_cents) "
                "SELECT v.p, v.a, 0, 0 FROM unnest(CAST(:p AS integer[]), CAST(:a AS integer[])) AS v(p, a) ORDER BY v.p, v.a "
                "ON CONFLICT DO NOTHING"
            ),
            {"p": [p for p, _ in ordered], "a": [a for _, a in ordered]},
        )
    else:
        session.execute(
            sqlite.insert(CompteurAnnuel).on_conflict_do_nothing(),
            [{"personne_id": pid, "annee": year, "participation_forfaitaire_cents": 0, "franchise_cents": 0} for pid, year in ordered],
        )
    query, parameters = _counters_query(session, ordered, lock=True)
    return {(row.personne_id, row.annee): (row.participation_forfaitaire_cents, row.franchise_cents) for row in session.execute(query, parameters)}


def franchise_kind(acte: str, day: date) -> str | None:
    """The kind of franchise an act bears on a day (boite, paramedical, transport), None for none or unknown."""
    from secu.core.errors import SecuError

    table = tarifs()
    try:
        return table.categories[table.at(acte, day).categorie].franchise
    except SecuError:
        return None  # an unknown act: the rules reject the line


def borne_today(session: Session, professionnel_id: int, asks: set[PersonKey]) -> dict[PersonKey, tuple[int, dict[str | None, int]]]:
    """What each patient already bore on the day in earlier claims, as the daily caps count it.

    The participations forfaitaires are capped per professional and per day in
    number of acts (CSS L160-13 II), the franchises per kind and per day in
    euros (CSS L160-13 III, décret n° 2007-1937): for each (person, day), the
    acts that bore a participation with this professional, and the franchise
    cents by kind. Read after the person-years' counters: a claim written since
    would have raised its counter (every line counted here does), which the lot
    sees when it locks them (lot._Lot._liquidated) and then reads this again.
    """
    result: dict[PersonKey, tuple[int, dict[str | None, int]]] = {key: (0, {}) for key in asks}
    if not asks:
        return result
    ids, days = {pid for pid, _ in asks}, {day for _, day in asks}
    query = (
        select(Fse.personne_id, Fse.date_soins, Fse.professionnel_id, LigneFse.acte, LigneFse.participation_forfaitaire_cents, LigneFse.franchise_cents)
        .join(Fse)
        .where(
            among(session, Fse.personne_id, ids),
            among(session, Fse.date_soins, days),
            Fse.statut == "liquidee",  # bound, not LIQUIDEE: written out, it let the planner walk the whole partial index
            or_(LigneFse.participation_forfaitaire_cents != 0, LigneFse.franchise_cents != 0),
        )
    )
    pf_cents: dict[PersonKey, int] = defaultdict(int)
    by_kind: dict[PersonKey, dict[str | None, int]] = defaultdict(dict)
    for row in session.execute(query):
        key = (row.personne_id, row.date_soins)
        if key not in result:
            continue
        if row.professionnel_id == professionnel_id:
            pf_cents[key] += row.participation_forfaitaire_cents
        if row.franchise_cents:
            kind = franchise_kind(row.acte, row.date_soins)
            by_kind[key][kind] = by_kind[key].get(kind, 0) + row.franchise_cents
    for key in set(pf_cents) | set(by_kind):
        unit = parameters().get("participation_forfaitaire.montant").at(key[1]).value
        assert isinstance(unit, (Decimal, int))
        unit_cents = to_cents(unit)
        acts = -(-pf_cents[key] // unit_cents) if unit_cents else 0  # an act capped to part of its participation still counts as one
        result[key] = (acts, by_kind.get(key, {}))
    return result
