"""The monthly payment run on both databases: instalments, a backdated change, its indu recovered within the limit,
nothing paid twice, an interrupted run resumed, a dossier without IBAN waiting, a valid pain.001.

Expected amounts come from the law: BMAF 474,37 € from 1 April 2025; AF (CSS D521-1, first tranche of resources)
32 % of the BMAF for the 2nd child, 41 % for the 3rd: 151,80 € for two children, 151,80 + 194,49 = 346,29 € for three;
CRDS 0,5 % of the gross, rounded down to the cent (0,75 € and 1,73 €): net 151,05 € and 344,56 €.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
import sepaxml
import sqlalchemy as sa
import xmlschema

from secu.core import ledger
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.security import SYSTEM
from secu.famille import paiement, rules, schemas, service
from secu.famille.models import CampagneFamille, InduFamille, PaiementFamille
from secu.register import schemas as rs
from secu.register import service as register
from tests.api.conftest import with_key

PAIN_001 = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
CAF = "CAF-75"
AF2_NET, AF3_NET = 15_105, 34_456
IBAN_B = "FR7630004000031234567890143"


def _person(s, body: str, nom: str, prenom: str, born: date, sexe: str, iban: str | None = None) -> int:  # type: ignore[no-untyped-def]
    return register.register_person(s, rs.PersonneIn(nir=with_key(body), nom_naissance=nom, prenoms=prenom, date_naissance=born, sexe=sexe,
                                                      departement="75", commune="75111", iban=iban), caller=SYSTEM, today=date(2025, 4, 1)).id


def _household(s, prefix: str, nom: str, children: int, resources: int, iban: str | None, conjoint: bool = False) -> int:  # type: ignore[no-untyped-def]
    parent = _person(s, f"1850575115{prefix}01", nom, "Paul", date(1985, 5, 14), "1", iban)
    members = [schemas.MembreDeclare(personne_id=parent, role="allocataire", date_debut=date(2025, 4, 10))]
    if conjoint:
        members.append(schemas.MembreDeclare(personne_id=_person(s, f"2870575115{prefix}02", nom, "Anne", date(1987, 5, 1), "2"), role="conjoint",
                                             date_debut=date(2025, 4, 10)))
    for index, born in enumerate((date(2016, 3, 10), date(2018, 7, 1), date(2020, 9, 15))[:children]):
        child = _person(s, f"2{born:%y%m}75115{prefix}0{index + 3}", nom, f"Enfant{index}", born, "2")
        members.append(schemas.MembreDeclare(personne_id=child, role="enfant", date_debut=date(2025, 4, 10)))
    dossier = service.declare_household(s, schemas.DeclarationIn(
        membres=members, date_debut=date(2025, 4, 10),
        ressources=[schemas.RessourceIn(personne_id=parent, annee=2023, montant=resources)]), caller=SYSTEM, today=date(2025, 4, 30))
    return dossier.id


@pytest.fixture(scope="module")
def world(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    factory = session_factory(engine)
    with unit_of_work(factory) as s:
        a = _household(s, "1", "Durand", 3, 60_000, "FR7630006000011234567890189", conjoint=True)
        b = _household(s, "2", "Martin", 2, 45_000, None)
        c = _household(s, "3", "Petit", 2, 45_000, "FR7630001007941234567890185")
    yield factory, {"a": a, "b": b, "c": c}
    engine.dispose()


def _paid(factory, dossier_id: int) -> list[tuple[date, int, int, int]]:  # type: ignore[no-untyped-def]
    with unit_of_work(factory) as s:
        rows = s.execute(sa.select(CampagneFamille.mois, PaiementFamille.du_cents, PaiementFamille.retenue_cents, PaiementFamille.vire_cents)
                         .join(CampagneFamille).where(PaiementFamille.dossier_id == dossier_id).order_by(CampagneFamille.mois)).all()
    return [tuple(r) for r in rows]


def test_payment_date_is_the_fifth_of_the_next_month_or_the_nearest_working_day() -> None:
    assert paiement.payment_date(date(2025, 5, 1)) == date(2025, 6, 5)  # a Thursday
    assert paiement.payment_date(date(2025, 6, 1)) == date(2025, 7, 4)  # 5 July 2025 is a Saturday: Friday
    assert paiement.payment_date(date(2025, 9, 1)) == date(2025, 10, 6)  # 5 October 2025 is a Sunday: Monday


def test_an_interrupted_run_resumes_pays_once_and_a_dossier_without_iban_waits(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    factory, ids = world
    monkeypatch.setattr(paiement, "CHUNK", 1)
    original, calls = paiement._claim_chunk, {"n": 0}

    def crash_on_second(*args):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("coupure")
        return original(*args)

    monkeypatch.setattr(paiement, "_claim_chunk", crash_on_second)
    with pytest.raises(RuntimeError):
        paiement.run_payments(factory, CAF, date(2025, 5, 1))
    assert _paid(factory, ids["a"]) == [(date(2025, 5, 1), AF3_NET, 0, AF3_NET)] and _paid(factory, ids["c"]) == []
    monkeypatch.setattr(paiement, "_claim_chunk", original)

    bilan = paiement.run_payments(factory, CAF, date(2025, 5, 1))
    assert (bilan.dossiers, bilan.virements, bilan.total_cents) == (2, 2, AF3_NET + AF2_NET)
    assert bilan.date_execution == date(2025, 6, 5)
    assert _paid(factory, ids["b"]) == []  # no IBAN: waits
    assert paiement.run_payments(factory, CAF, date(2025, 5, 1)) == bilan  # run twice: nothing paid twice
    with unit_of_work(factory) as s:
        keys = s.scalars(sa.select(ledger.Ecriture.cle_idempotence).where(ledger.Ecriture.cle_idempotence.like("famille:paiement:%"))).all()
        charges = ledger.balances(s, ledger.FiltreSoldes(organisme_code=CAF, compte_prefixe="charges.prestations.af"))
        cades = ledger.balances(s, ledger.FiltreSoldes(organisme_code=CAF, compte_prefixe="dettes.attributaires.cades"))
    assert len(keys) == len(set(keys)) == 2
    assert [c.debit_cents for c in charges] == [34_629 + 15_180]
    assert [c.credit_cents for c in cades] == [173 + 75]


def test_the_file_is_a_valid_pain_001(world) -> None:  # type: ignore[no-untyped-def]
    factory, _ = world
    bilan = paiement.run_payments(factory, CAF, date(2025, 5, 1))
    schema = xmlschema.XMLSchema(str(PAIN_001))
    schema.validate(bilan.fichier_sepa)
    document = schema.to_dict(bilan.fichier_sepa)
    header = document["CstmrCdtTrfInitn"]["GrpHdr"]
    assert header["NbOfTxs"] == "2" and str(header["CtrlSum"]) == "495.61"
    amounts = sorted(str(tx["Amt"]["InstdAmt"]["$"]) for batch in document["CstmrCdtTrfInitn"]["PmtInf"] for tx in batch["CdtTrfTxInf"])
    assert amounts == ["151.05", "344.56"]


def test_a_dossier_given_an_iban_is_paid_its_arrears_as_a_rappel(world) -> None:  # type: ignore[no-untyped-def]
    factory, ids = world
    with unit_of_work(factory) as s:
        service.set_iban(s, ids["b"], IBAN_B, None, caller=SYSTEM)
    bilan = paiement.run_payments(factory, CAF, date(2025, 6, 1))
    assert bilan.rappels_cents == AF2_NET  # May for B
    assert _paid(factory, ids["b"]) == [(date(2025, 6, 1), 2 * AF2_NET, 0, 2 * AF2_NET)]
    assert bilan.total_cents == AF3_NET + AF2_NET + 2 * AF2_NET


def test_a_backdated_departure_creates_an_indu_recovered_within_the_limit(world) -> None:  # type: ignore[no-untyped-def]
    factory, ids = world
    with unit_of_work(factory) as s:
        dossier = s.get(service.DossierAllocataire, ids["a"])
        youngest = max((m for m in service._members_on(dossier, s) if m.role == "enfant"), key=lambda m: m.personne_id)
        # Recorded on 10 July: the youngest child left on 25 April, so May and June counted two children, not three.
        service.record_change(s, ids["a"], schemas.ChangementIn(nature="depart_enfant", date=date(2025, 4, 25), personne_id=youngest.personne_id),
                              caller=SYSTEM, today=date(2025, 7, 10))
    bilan = paiement.run_payments(factory, CAF, date(2025, 7, 1))
    overpaid = 2 * (AF3_NET - AF2_NET)  # 2 × 193,51 €
    assert bilan.indus_cents == overpaid and bilan.rappels_cents == 0
    # Limit (D553-1 III, 2020 barème): R = 60 000 / 12 + 151,80 = 5 151,80 €; N = 1 + 0,5 + 2 × 0,5 = 2,5 parts;
    # R / N = 2 060,72 €; 49 + 25 % × 131 + 35 % × 197 + 45 % × 199 + 60 % × 1 267,72 = 1 000,88 € ≥ the July payment.
    with unit_of_work(factory) as s:
        limit = s.scalar(sa.select(PaiementFamille.retenue_plafond_cents).join(CampagneFamille)
                         .where(PaiementFamille.dossier_id == ids["a"], CampagneFamille.mois == date(2025, 7, 1)))
    assert limit == 100_088
    paiement.run_payments(factory, CAF, date(2025, 8, 1))
    paiement.run_payments(factory, CAF, date(2025, 9, 1))
    assert _paid(factory, ids["a"])[2:] == [
        (date(2025, 7, 1), AF2_NET, AF2_NET, 0),
        (date(2025, 8, 1), AF2_NET, AF2_NET, 0),
        (date(2025, 9, 1), AF2_NET, overpaid - 2 * AF2_NET, AF2_NET - (overpaid - 2 * AF2_NET)),
    ]
    with unit_of_work(factory) as s:
        indus = s.scalars(sa.select(InduFamille).where(InduFamille.dossier_id == ids["a"])).all()
        owed = ledger.balances(s, ledger.FiltreSoldes(organisme_code=CAF, compte_prefixe="creances.allocataires.indus"))
        treasury = ledger.balances(s, ledger.FiltreSoldes(organisme_code=CAF, compte_prefixe="tresorerie"))
        runs = s.scalars(sa.select(CampagneFamille)).all()
    assert sorted(i.mois for i in indus) == [date(2025, 5, 1), date(2025, 6, 1)]
    assert all(i.recupere_cents == i.montant_cents == AF3_NET - AF2_NET for i in indus)
    assert [o.solde_cents for o in owed] == [0]  # recovered in full
    assert [t.credit_cents for t in treasury] == [sum(r.total_cents for r in runs)]


def _limite(ressources: int | None, prestations: int, adultes: int, enfants: int) -> dict:
    frame = pl.DataFrame({"mois": [date(2025, 7, 1)], "ressources_annuelles_cents": [ressources], "prestations_cents": [prestations],
                          "nb_adultes": [adultes], "nb_enfants": [enfants]}, schema_overrides={"ressources_annuelles_cents": pl.Int64})
    return rules.plafond_retenue(frame).row(0, named=True)


def test_the_limit_binds_on_a_low_income() -> None:
    # CSS D553-1 (barème of the arrêté du 20 décembre 2019, art. 5). Below the first threshold (266 €): the flat
    # deduction, 49 €. Couple, two children: (6 000 / 12 + 151,80) / 2,5 parts = 260,72 €.
    r = _limite(6_000_00, 15_180, 2, 2)
    assert (r["revenu_pondere_cents"], r["plafond_retenue_cents"]) == (260_72, 49_00)
    # Alone, no child, 12 000 € a year: R / N = 1 000 €; 49 + 32,75 + 68,95 + 89,55 + 60 % × 207 = 364,45 €.
    assert _limite(12_000_00, 0, 1, 0)["plafond_retenue_cents"] == 364_45
    # Resources unknown: the deemed income of 1 186 €.
    assert _limite(None, 0, 1, 0)["plafond_retenue_cents"] == 4_900 + 3_275 + 6_895 + 8_955 + 23_580
    # Couple and four children: 4,5 parts; (30 000 / 12 + 500) / 4,5 = 666,666… → 666,67 €;
    # 49 + 32,75 + 68,95 + 45 % × 72,67 = 183,4015 → 183,40 €, the sum rounded once.
    r = _limite(30_000_00, 500_00, 2, 4)
    assert (str(r["parts_retenue"]), r["revenu_pondere_cents"], r["plafond_retenue_cents"]) == ("4.500000000", 666_67, 183_40)
