"""Feuilles de soins sent at the same moment, on both databases: one claim, the same answer to each, never a 500.

Each test forces its race on every run: the requests wait for each other at a barrier just before the statement
where they would collide (their first write), on two or more real connections of the application's pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa

from secu.core import ledger
from secu.core.db import unit_of_work
from secu.core.security import JournalAcces, verify_journal
from secu.maladie.models import CompteurAnnuel, Fse
from tests.api.conftest import World, with_key
from tests.maladie.test_intake import fse, send

PARENT_NIR, OTHER_NIR = with_key("1850575115001"), with_key("2900313055001")


def race(app, count: int, meeting: str, submit: Callable[[int], object]) -> list[object]:  # type: ignore[no-untyped-def]
    """Run ``submit(i)`` in ``count`` threads that meet before their first statement containing ``meeting``."""
    barrier, met = threading.Barrier(count, timeout=30), set()

    def meet(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if meeting in statement and threading.get_ident() not in met:
            met.add(threading.get_ident())
            barrier.wait()  # a BrokenBarrierError fails the request, and the test: the race must happen

    results: list[object] = [None] * count

    def run(i: int) -> None:
        try:
            results[i] = submit(i)
        except Exception as error:  # noqa: BLE001 - recorded and asserted by the caller
            results[i] = error

    sa.event.listen(app.state.engine, "before_cursor_execute", meet)
    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sa.event.remove(app.state.engine, "before_cursor_execute", meet)
    assert len(met) == count and not barrier.broken, "the requests did not meet"
    return results


def test_the_same_lot_posted_six_times_at_once_is_one_claim_and_six_identical_answers(app, world: World) -> None:  # type: ignore[no-untyped-def]
    feuilles = [fse("R1", day=date(2025, 4, 7)), fse("R2", nir=OTHER_NIR, day=date(2025, 4, 7))]
    answers = race(app, 6, "INSERT INTO lot_fse", lambda _i: send(world, "LR-SAME", feuilles))
    assert [getattr(a, "status_code", a) for a in answers] == [200] * 6, [getattr(a, "text", a) for a in answers]
    bodies = [a.json() for a in answers]  # type: ignore[union-attr]
    assert all(body == bodies[0] for body in bodies), bodies
    assert [r["statut"] for r in bodies[0]["resultats"]] == ["liquidee", "liquidee"]
    with unit_of_work(app.state.sessions) as s:
        claims = s.scalars(sa.select(Fse).where(Fse.numero.in_(["R1", "R2"]))).all()
        keys = [f"liquidation:fse:{claim.id}" for claim in claims]
        entries = s.scalar(sa.select(sa.func.count()).select_from(ledger.Ecriture).where(ledger.Ecriture.cle_idempotence.in_(keys)))
        created = s.scalar(sa.select(sa.func.count()).select_from(JournalAcces).where(
            JournalAcces.ressource == "fse", JournalAcces.ressource_id.in_([str(claim.id) for claim in claims])))
        broken = verify_journal(s).lignes_alterees + verify_journal(s).anomalies
    assert len(claims) == 2 and entries == 2 and created == 2 and broken == []


def test_the_same_care_under_two_numbers_at_once_is_paid_once(app, world: World) -> None:  # type: ignore[no-untyped-def]
    """Two lots carry the same consultation under different FSE numbers: one is liquidated, the other is a DOUBLON."""
    care = {"day": date(2025, 4, 8), "lignes": [{"acte": "G", "montant": "30.00"}]}
    answers = race(app, 2, "INSERT INTO lot_fse", lambda i: send(world, f"LR-TWIN-{i}", [fse(f"T{i}", **care)]))
    assert [getattr(a, "status_code", a) for a in answers] == [200, 200], [getattr(a, "text", a) for a in answers]
    outcomes = sorted((a.json()["resultats"][0]["statut"], a.json()["resultats"][0]["code"]) for a in answers)  # type: ignore[union-attr]
    assert outcomes == [("liquidee", None), ("rejetee", "DOUBLON")]
    with unit_of_work(app.state.sessions) as s:
        paid = s.scalar(sa.select(sa.func.count()).select_from(Fse).where(Fse.numero.in_(["T0", "T1"]), Fse.statut == "liquidee"))
    assert paid == 1


def test_crossed_lots_of_two_patients_neither_deadlock_nor_fail(app, world: World) -> None:  # type: ignore[no-untyped-def]
    """Lot A carries patient 1 then patient 2, lot B the reverse: both are taken, the counters add up.

    On PostgreSQL they meet before their first statement on the counters (locking one patient's row, then
    wanting the other's, they deadlocked); on SQLite, one writer at a time, before their first write."""
    year = 2024
    with unit_of_work(app.state.sessions) as s:
        before = {p: (s.get(CompteurAnnuel, (p, year)) or CompteurAnnuel(participation_forfaitaire_cents=0)).participation_forfaitaire_cents
                  for p in (world.parent_id, world.other_id)}

    def submit(i: int) -> object:
        pair = [fse(f"X{i}P", nir=PARENT_NIR, day=date(2024, 11, 4 + i)), fse(f"X{i}O", nir=OTHER_NIR, day=date(2024, 11, 4 + i))]
        return send(world, f"LR-CROSS-{i}", pair if i == 0 else pair[::-1])

    meeting = "compteur_annuel" if app.state.engine.dialect.name == "postgresql" else "INSERT INTO lot_fse"
    answers = race(app, 2, meeting, submit)
    assert [getattr(a, "status_code", a) for a in answers] == [200, 200], [getattr(a, "text", a) for a in answers]
    assert all(r["statut"] == "liquidee" for a in answers for r in a.json()["resultats"])  # type: ignore[union-attr]
    with unit_of_work(app.state.sessions) as s:
        after = {p: s.get(CompteurAnnuel, (p, year)).participation_forfaitaire_cents for p in before}  # type: ignore[union-attr]
    assert {p: after[p] - before[p] for p in before} == {world.parent_id: 400, world.other_id: 400}


def test_a_rejected_feuille_corrected_and_sent_twice_at_once_is_one_claim(app, world: World) -> None:  # type: ignore[no-untyped-def]
    """A feuille refused for an unknown act, corrected, and sent again by two lots at once: one claim, the same answer."""
    wrong = send(world, "LR-FIX", [fse("Q1", day=date(2025, 4, 9), lignes=[{"acte": "ZZZ", "montant": "30.00"}])]).json()
    assert wrong["resultats"][0]["code"] == "ACTE_INCONNU"
    # PostgreSQL: both read the stored rejection before either writes; SQLite (one writer): both before their first write.
    meeting = "FROM fse" if app.state.engine.dialect.name == "postgresql" else "INSERT INTO lot_fse"
    answers = race(app, 2, meeting, lambda i: send(world, f"LR-FIX-{i}", [fse("Q1", day=date(2025, 4, 9))]))
    assert [getattr(a, "status_code", a) for a in answers] == [200, 200], [getattr(a, "text", a) for a in answers]
    results = [a.json()["resultats"][0] for a in answers]  # type: ignore[union-attr]
    assert results[0] == results[1] and results[0]["statut"] == "liquidee"
    with unit_of_work(app.state.sessions) as s:
        claim = s.scalar(sa.select(Fse).where(Fse.numero == "Q1"))
        assert claim is not None and claim.id == results[0]["fse_id"] and len(claim.lignes) == 1
        key = f"liquidation:fse:{claim.id}"
        assert s.scalar(sa.select(sa.func.count()).select_from(ledger.Ecriture).where(ledger.Ecriture.cle_idempotence == key)) == 1


def test_the_same_care_spelt_otherwise_is_still_a_doublon_and_a_fraction_of_a_cent_sinks_only_its_feuille(app, world: World) -> None:  # type: ignore[no-untyped-def]
    day = date(2025, 4, 10)
    first = send(world, "LS-1", [fse("S1", day=day, lignes=[{"acte": "G", "montant": "30.00"}])]).json()["resultats"][0]
    assert first["statut"] == "liquidee"
    again = send(world, "LS-2", [fse("S2", day=day, lignes=[{"acte": "g", "montant": 30, "coefficient": "1.0"}]),
                                 fse("S3", day=day, lignes=[{"acte": "G", "montant": "31.005"}]),
                                 fse("S4", day=day, lignes=[{"acte": "G", "montant": "31.00"}])]).json()["resultats"]
    assert [(r["numero"], r["code"]) for r in again] == [("S2", "DOUBLON"), ("S3", "FORMAT"), ("S4", None)]
    assert again[1]["champ"] == "fse[1].lignes.0.montant"
