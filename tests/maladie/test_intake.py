"""Feuilles de soins through the API on both databases: taken or rejected one by one, idempotent, capped under concurrency."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import sqlalchemy as sa

from secu.core import ledger
from secu.core.db import unit_of_work
from secu.maladie.models import CompteurAnnuel
from tests.api.conftest import World, with_key

DOCTOR_RPPS = "10003456786"  # the parent's médecin traitant in the test world (secteur 1, généraliste)
DAY = date(2025, 3, 10)  # G = 30 € since 2024-12-22; PF = 2 € since 2024-05-15


def fse(numero: str, *, nir: str | None = None, day: date = DAY, **extra) -> dict:  # type: ignore[no-untyped-def]
    body = {"numero": numero, "nir": nir or with_key("1850575115001"), "date_soins": day.isoformat(), "lignes": [{"acte": "G", "montant": "30.00"}]}
    body.update(extra)
    return body


def send(world: World, numero: str, feuilles: list[dict], login: str = "docteur", rpps: str = DOCTOR_RPPS):  # type: ignore[no-untyped-def]
    return world.client.post("/api/maladie/lots", json={"numero": numero, "professionnel_rpps": rpps, "fse": feuilles}, headers=world.as_(login))


def test_a_lot_keeps_its_good_feuilles_and_rejects_the_others_one_by_one(app, world: World) -> None:  # type: ignore[no-untyped-def]
    response = send(
        world,
        "L1",
        [
            fse("A1"),
            fse("A2", nir="185057511500199"),
            fse("A3", nir=with_key("1850575115009")),
            fse("A4", day=date.today() + timedelta(days=3)),
            fse("A5", lignes=[{"acte": "G", "montant": "-30"}]),
            fse("A6", professionnel_rpps="10004567896"),
            fse("A7", lignes=[{"acte": "ZZZ", "montant": "30.00"}]),
            fse("A8", day=date.today() - timedelta(days=3 * 365)),
        ],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    codes = {r["numero"]: (r["statut"], r["code"]) for r in body["resultats"]}
    assert codes == {
        "A1": ("liquidee", None),
        "A2": ("rejetee", "NIR_INVALIDE"),
        "A3": ("rejetee", "PATIENT_INCONNU"),
        "A4": ("rejetee", "DATE_FUTURE"),
        "A5": ("rejetee", "FORMAT"),
        "A6": ("rejetee", "LOT_MIXTE"),
        "A7": ("rejetee", "ACTE_INCONNU"),
        "A8": ("rejetee", "DATE_PRESCRITE"),
    }
    assert body["acceptees"] == 1 and body["rejetees"] == 7
    assert all(r["motif"] for r in body["resultats"] if r["statut"] == "rejetee")
    first = body["resultats"][0]
    # Consultation at 30 €, 70 % = 21 €, minus the 2 € participation forfaitaire (CSS L160-13 II): 19 €.
    assert first["rembourse_cents"] == 1_900
    line = first["lignes"][0]
    assert (line["base_remboursement_cents"], line["montant_amo_cents"], line["participation_forfaitaire_cents"]) == (3_000, 2_100, 200)
    assert line["explication"] and all(step.get("reference") for step in line["explication"] if step.get("montant_cents"))


def test_the_same_feuille_twice_is_one_claim(app, world: World) -> None:  # type: ignore[no-untyped-def]
    first = send(world, "L2", [fse("B1", day=DAY + timedelta(days=1))]).json()["resultats"][0]
    second = send(world, "L2bis", [fse("B1", day=DAY + timedelta(days=1))]).json()["resultats"][0]
    assert first["fse_id"] == second["fse_id"] and second["statut"] == "liquidee"
    with unit_of_work(app.state.sessions) as s:
        key = f"liquidation:fse:{first['fse_id']}"
        entries = s.scalar(sa.select(sa.func.count()).select_from(ledger.Ecriture).where(ledger.Ecriture.cle_idempotence == key))
    assert entries == 1
    other = send(world, "L3", [fse("B1", day=DAY + timedelta(days=1), lignes=[{"acte": "G", "montant": "35.00"}])]).json()["resultats"][0]
    assert other["code"] == "NUMERO_REUTILISE"
    twin = send(world, "L4", [fse("B2", day=DAY + timedelta(days=1))]).json()["resultats"][0]
    assert twin["code"] == "DOUBLON"


def test_no_rights_and_unknown_act(app, world: World) -> None:  # type: ignore[no-untyped-def]
    before = send(world, "L5", [fse("C1", day=date(2009, 12, 1))]).json()["resultats"][0]
    assert before["code"] in ("SANS_DROITS", "DATE_PRESCRITE")


def test_concurrent_lots_never_exceed_the_yearly_cap(app, world: World) -> None:  # type: ignore[no-untyped-def]
    """Two lots at once for a patient 2 € short of the 50 € cap: together they bear 2 €, not 4 €.

    The race is forced on every run: both requests wait for each other at a barrier before the statement where they
    would collide — on PostgreSQL their first read of the counter (both read 48 €, both liquidate 2 €; the second to
    lock the counter finds 50 € and liquidates again), on SQLite (one writer at a time) their first write, the lot's
    INSERT. Without the counter's lock and its second reading, both would charge 2 €.
    The other patient (no médecin traitant) is used, so the other tests' patient keeps his counters."""
    year = 2025
    patient_id, patient_nir = world.other_id, with_key("2900313055001")
    with unit_of_work(app.state.sessions) as s:
        counter = s.get(CompteurAnnuel, (patient_id, year))
        if counter is None:
            s.add(CompteurAnnuel(personne_id=patient_id, annee=year, participation_forfaitaire_cents=4_800, franchise_cents=0))
        else:
            counter.participation_forfaitaire_cents = 4_800
    meeting = "FROM compteur_annuel" if app.state.engine.dialect.name == "postgresql" else "INSERT INTO lot_fse"
    barrier, met = threading.Barrier(2, timeout=30), set()

    def meet(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if meeting in statement and threading.get_ident() not in met:
            met.add(threading.get_ident())
            barrier.wait()  # a BrokenBarrierError fails the lot, and the test: the race must happen

    results: dict[str, object] = {}

    def submit(numero: str, day: date) -> None:
        try:
            results[numero] = send(world, f"LC-{numero}", [fse(numero, nir=patient_nir, day=day)]).json()
        except Exception as error:  # noqa: BLE001 - recorded and asserted below
            results[numero] = error

    sa.event.listen(app.state.engine, "before_cursor_execute", meet)
    try:
        threads = [threading.Thread(target=submit, args=(f"D{i}", date(2025, 6, 1 + i))) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sa.event.remove(app.state.engine, "before_cursor_execute", meet)
    assert len(met) == 2 and not barrier.broken, "the two lots did not meet"
    assert all(isinstance(r, dict) for r in results.values()), results
    taken = [r["resultats"][0] for r in results.values() if isinstance(r, dict)]
    assert [t["statut"] for t in taken] == ["liquidee", "liquidee"], taken
    with unit_of_work(app.state.sessions) as s:
        counter = s.get(CompteurAnnuel, (patient_id, year))
    assert sorted(t["lignes"][0]["participation_forfaitaire_cents"] for t in taken) == [0, 200]
    assert counter.participation_forfaitaire_cents == 5_000


def test_statement_amc_return_fhir_and_payment(app, world: World) -> None:  # type: ignore[no-untyped-def]
    taken = send(world, "L6", [fse("E1", day=DAY + timedelta(days=2), lignes=[{"acte": "G", "montant": "35.00"}], tiers_payant=True)]).json()["resultats"][0]
    assert taken["statut"] == "liquidee"
    line = taken["lignes"][0]
    assert line["depassement_cents"] == 500  # dépassement: never reimbursed
    # Tiers payant: the doctor is owed the AMO's whole 21 €; the 2 € participation is the assuré's debt (CSS L160-13).
    assert (line["verse_cents"], line["a_recuperer_cents"], line["rembourse_cents"]) == (2_100, 200, 1_900)
    with unit_of_work(app.state.sessions) as s:
        entry = s.scalar(sa.select(ledger.Ecriture).where(ledger.Ecriture.cle_idempotence == f"liquidation:fse:{taken['fse_id']}"))
        lines = {line.compte: line.montant_cents for line in entry.lignes}
    assert lines == {
        "charges.prestations.soins": 2_100,
        "charges.prestations.participations_assures": -200,
        "dettes.prestations.professionnels": -2_100,
        "creances.assures.participations": 200,
    }
    statement = world.client.get(f"/api/maladie/personnes/{world.parent_id}/decompte", headers=world.as_("assure.parent")).json()
    assert any(f["numero"] == "E1" for f in statement["items"])
    denied = world.client.get(f"/api/maladie/personnes/{world.parent_id}/decompte", headers=world.as_("assure.other"))
    assert denied.status_code == 403
    amc = world.client.get(f"/api/maladie/fse/{taken['fse_id']}/retour-amc", headers=world.as_("agent.paris")).json()["lignes"][0]
    parts = amc["amo_paye_cents"] + amc["ticket_moderateur_cents"] + amc["participation_forfaitaire_cents"] + amc["franchise_cents"]
    assert parts == amc["base_remboursement_cents"]
    assert amc["base_remboursement_cents"] + amc["depassement_cents"] == amc["montant_facture_cents"]

    claim = {
        "resourceType": "Claim",
        "identifier": [{"value": "FHIR-1"}],
        "status": "active",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
        "use": "claim",
        "patient": {"identifier": {"system": "urn:oid:1.2.250.1.213.1.4.8", "value": with_key("1850575115001")}},
        "created": "2025-03-20",
        "provider": {"identifier": {"system": "urn:oid:1.2.250.1.71.4.2.1", "value": DOCTOR_RPPS}},
        "priority": {"coding": [{"code": "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "AMO"}}],
        "item": [{"sequence": 1, "productOrService": {"coding": [{"code": "G"}]}, "servicedDate": "2025-03-20", "net": {"value": 30, "currency": "EUR"}}],
    }
    response = world.client.post("/fhir/Claim", json=claim, headers=world.as_("docteur"))
    assert response.status_code == 200, response.text
    adjudication = {a["category"]["coding"][0]["code"]: a for a in response.json()["item"][0]["adjudication"] if "amount" in a}
    assert adjudication["eligible"]["amount"]["value"] == 30 and adjudication["benefit"]["amount"]["value"] == 19
    broken = world.client.post("/fhir/Claim", json={"resourceType": "Claim", "status": "active"}, headers=world.as_("docteur"))
    assert broken.status_code == 422 and broken.json()["detail"]["message"]

    run = world.client.post(
        "/api/maladie/paiements", json={"organisme_code": world.cpam_paris, "date_execution": "2025-04-01"}, headers=world.as_("agent.paris")
    ).json()
    assert "feuilles" in run, run
    assert run["feuilles"] >= 1
    xml = world.client.get(run["fichier"], headers=world.as_("agent.paris"))
    assert xml.status_code == 200 and "pain.001.001.03" in xml.text
    paid = world.client.get("/api/maladie/professionnel/paiements", headers=world.as_("docteur")).json()
    assert any(p["fse"] == "E1" and p["paye_le"] == "2025-04-01" for p in paid["items"])


def test_a_childs_reimbursement_is_paid_to_the_parent(app, world: World) -> None:  # type: ignore[no-untyped-def]
    """The child has no account of their own: the parent through whom they are covered is paid."""
    child_nir = with_key("2150675115001")
    taken = send(world, "L-ENFANT", [fse("K1", nir=child_nir, day=date(2025, 9, 3))]).json()["resultats"][0]
    assert taken["statut"] == "liquidee" and taken["rembourse_cents"] == 2_100  # a minor owes no participation
    run = world.client.post(
        "/api/maladie/paiements", json={"organisme_code": world.cpam_paris, "date_execution": "2025-09-10"}, headers=world.as_("agent.paris")
    ).json()
    sepa = world.client.get(run["fichier"], headers=world.as_("agent.paris")).text
    assert "FR7630006000011234567890189" in sepa and "21.00" in sepa


def test_the_answer_is_a_lot_out_and_the_lines_read_as_stored(app, world: World) -> None:  # type: ignore[no-untyped-def]
    """The route writes its answer straight to JSON (no second pass through the response model): it is still a
    LotOut, its fields in their order; and a liquidated line's explanation, shown from the steps just computed, is
    the one stored: the same lot sent again, answered from the database, reads exactly the same."""
    from secu.maladie import etapes
    from secu.maladie.api import LotOut, ResultatOut
    from secu.maladie.models import LigneFse

    day = DAY + timedelta(days=24)
    feuilles = [
        fse("REPONSE-1", day=day, lignes=[{"acte": "G", "montant": "30.00"}, {"acte": "G", "montant": "35.00"}]),
        fse("REPONSE-2", day=day, lignes=[{"acte": "ZZZ", "montant": "30.00"}]),
    ]
    first, again = send(world, "L-REPONSE", feuilles), send(world, "L-REPONSE", feuilles)
    assert first.status_code == again.status_code == 200, first.text
    assert first.headers["content-type"] == "application/json"
    body = first.json()
    assert LotOut.model_validate(body).model_dump(mode="json") == body
    assert list(body) == list(LotOut.model_fields) and all(list(r) == list(ResultatOut.model_fields) for r in body["resultats"])
    assert [(r["statut"], r["code"]) for r in body["resultats"]] == [("liquidee", None), ("rejetee", "ACTE_INCONNU")]
    assert again.json() == body
    with unit_of_work(app.state.sessions) as s:
        stored = s.scalars(sa.select(LigneFse).where(LigneFse.fse_id == body["resultats"][0]["fse_id"]).order_by(LigneFse.numero)).all()
        read = etapes.expand(s, [line.explication for line in stored])
    assert [line["explication"] for line in body["resultats"][0]["lignes"]] == read
    # stored by reference to the shared steps: a few bytes a step, not its label and references written out
    assert all(len(line.explication) < 200 and isinstance(json.loads(line.explication)[0], list) for line in stored)
