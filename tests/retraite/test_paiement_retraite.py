"""The monthly payment of retirement pensions, on SQLite and PostgreSQL (issue 14 §3, §4).

Terme échu: month M is paid on the 9th of M+1 (CSS art. R. 355-2; the 9th of the Assurance retraite's
calendar, the working day before when the 9th is not one). The first payment carries the arrears since the date
d'effet. Each month: the gross revalued each 1 January (L. 161-23-1, L. 161-25: +2,2 % on 1 January 2025, the
revaluation of the pensions de vieillesse of the régime général for 2025), less the CSG at the taux normal 8,3 %,
the CRDS 0,5 % and the CASA 0,3 % (L. 136-8 III, ordonnance 96-50 art. 14, CASF L. 14-10-4: the rates
service-public.fr lists for retirement pensions). Each run pays once, whatever happens: twice is once, two
runs at once pay once, the SEPA file pays what the rows mark paid, every month paid has its balanced ledger entry.

The pension: 1 250 € a month from its date d'effet (the full career of test_demande_service.py: a SAM of 30 000 €
at 50 %, prorata 168/168).
"""

from __future__ import annotations

from datetime import date
from itertools import count

import pytest
import sqlalchemy as sa

from secu.core import ledger
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.errors import Conflict, InvalidField
from secu.core.paiement import ouvrir, payer_un_lot
from secu.core.security import SYSTEM, Caller, Role
from secu.organismes import route
from secu.register import schemas, service
from secu.retraite import demande as retraite
from secu.retraite import paiement
from secu.retraite.models_pension import CampagneRetraite, PensionRetraite, VersementRetraite
from secu.verification import retraite as check_retraite
from secu.verification import sepa_totals
from tests.api.conftest import with_key
from tests.concurrence import race

IBAN = "FR7630006000011234567890189"
COMMUNES = {"69": "69123", "13": "13055", "33": "33063", "44": "44109", "35": "35238", "21": "21231", "63": "63113"}
PENSION = 125_000
# taux normal: CSG 8,3 % of 1 250 € = 103,75 €; CRDS 0,5 % = 6,25 €; CASA 0,3 % = 3,75 €; net 1 136,25 €
CSG, CRDS, CASA, NET = 10_375, 625, 375, 113_625
# 2025: 1 250 € × 1,022 = 1 277,50 €; CSG 106,03 € (106,0325), CRDS 6,39 € (6,3875), CASA 3,83 € (3,8325): net 1 161,25 €
PENSION_2025, NET_2025 = 127_750, 127_750 - 10_603 - 639 - 383
_NUMEROS = count(1)


@pytest.fixture(scope="module")
def url(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    engine.dispose()
    return database_url


@pytest.fixture(scope="module")
def sessions(url):  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    yield session_factory(engine)
    engine.dispose()


def _pension(sessions, departement: str, date_effet: date, born: date = date(1961, 3, 10)) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A person of the département, her claim instructed and attributed: (personne, pension)."""
    index = next(_NUMEROS)
    caisse = route(departement, "retraite").code
    agent = Caller(user_id=None, role=Role.AGENT, organisme_code=caisse)
    with unit_of_work(sessions) as s:
        personne = service.register_person(s, schemas.PersonneIn(
            nir=with_key(f"2{born:%y}{born:%m}{COMMUNES[departement]}{index:03d}"), nom_naissance=f"Petit{index}", prenoms="Anne",
            date_naissance=born, sexe="2", departement=departement, commune=COMMUNES[departement]), caller=SYSTEM, today=date(2024, 1, 1)).id
        demande = retraite.demander(s, agent, retraite.DemandeIn(personne_id=personne, date_demande=date_effet.replace(day=1), date_effet=date_effet,
                                                                 iban=IBAN), today=date(2026, 12, 1))
        retraite.instruire(s, agent, demande.id, retraite.InstructionIn(sam_cents=3_000_000, trimestres_rg=168))
        retraite.decider(s, agent, demande.id, retraite.DecisionIn(decision="attribution", date_decision=date_effet))
        pension = s.scalar(sa.select(PensionRetraite.id).where(PensionRetraite.demande_id == demande.id))
    assert pension is not None
    return personne, pension


def _versements(sessions, pension: int) -> list[VersementRetraite]:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        return list(s.scalars(sa.select(VersementRetraite).where(VersementRetraite.pension_id == pension).order_by(VersementRetraite.mois)))


def test_the_echeance_is_the_9th_of_the_next_month_or_the_working_day_before() -> None:
    assert paiement.echeance_du_mois(date(2024, 6, 1)) == date(2024, 7, 9)
    assert paiement.date_execution(date(2024, 7, 9)) == date(2024, 7, 9)  # a Tuesday
    assert paiement.date_execution(date(2025, 2, 9)) == date(2025, 2, 7)  # Sunday 9 February 2025 → Friday 7
    assert paiement.date_execution(date(2022, 4, 9)) == date(2022, 4, 8)  # the calendar of 2022: March paid on 8 April
    with pytest.raises(InvalidField) as error:
        paiement.mois_de_l_echeance(date(2024, 7, 10))
    assert error.value.field == "echeance"


def test_first_payment_with_arrears_then_monthly_then_revalued_each_january(sessions) -> None:  # type: ignore[no-untyped-def]
    _, pension = _pension(sessions, "69", date(2024, 4, 1))
    caisse = route("69", "retraite").code
    bilan = paiement.run_payments(sessions, caisse, date(2024, 7, 9))  # pays June 2024: April, May and June
    assert (bilan.mois, bilan.pensions, bilan.mois_payes, bilan.virements) == (date(2024, 6, 1), 1, 3, 1)
    assert bilan.total_cents == 3 * NET and sepa_totals(bilan.fichier_sepa) == (1, 3 * NET)
    rows = _versements(sessions, pension)
    assert [r.mois for r in rows] == [date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 1)]
    assert {(r.brut_cents, r.csg_cents, r.crds_cents, r.casa_cents, r.net_cents) for r in rows} == {(PENSION, CSG, CRDS, CASA, NET)}
    assert paiement.run_payments(sessions, caisse, date(2024, 7, 9)) == bilan  # twice is once
    assert paiement.run_payments(sessions, caisse, date(2024, 8, 9)).total_cents == NET  # July alone
    assert paiement.run_payments(sessions, caisse, date(2025, 2, 9)).total_cents == 5 * NET + NET_2025  # August to December, and January revalued
    janvier = _versements(sessions, pension)[-1]
    assert (janvier.mois, janvier.brut_cents, janvier.net_cents) == (date(2025, 1, 1), PENSION_2025, NET_2025)
    with unit_of_work(sessions) as s:
        run = s.scalars(sa.select(CampagneRetraite).where(CampagneRetraite.organisme_code == caisse, CampagneRetraite.echeance == date(2025, 2, 9))).one()
        assert run.date_execution == date(2025, 2, 7)
        entries = s.scalars(sa.select(ledger.Ecriture).where(ledger.Ecriture.cle_idempotence.like(f"retraite:versement:{pension}:%"))).all()
        lignes = s.scalars(sa.select(ledger.LigneEcriture).where(ledger.LigneEcriture.ecriture_id == entries[-1].id)).all()
        assert check_retraite(s) == []
    assert len(entries) == 10  # April 2024 to January 2025, one entry a month
    assert {(ligne.branche, ligne.compte, ligne.montant_cents) for ligne in lignes} == {
        ("retraite", paiement.COMPTE_CHARGE, PENSION_2025), ("retraite", "tresorerie.virements_emis", -NET_2025),
        ("retraite", "dettes.attributaires.csg", -10_603), ("retraite", "dettes.attributaires.cades", -639), ("retraite", "dettes.attributaires.cnsa", -383)}


def test_the_csg_follows_the_rfr_band(sessions) -> None:  # type: ignore[no-untyped-def]
    """An RFR under the first threshold: exonérée, so no CRDS and no CASA either (L. 136-8 III): the net is the gross."""
    caisse = route("35", "retraite").code
    index = next(_NUMEROS)
    agent = Caller(user_id=None, role=Role.AGENT, organisme_code=caisse)
    with unit_of_work(sessions) as s:
        personne = service.register_person(s, schemas.PersonneIn(
            nir=with_key(f"2610335238{index:03d}"), nom_naissance="Leroy", prenoms="Anne", date_naissance=date(1961, 3, 10), sexe="2",
            departement="35", commune="35238"), caller=SYSTEM, today=date(2024, 1, 1)).id
        demande = retraite.demander(s, agent, retraite.DemandeIn(personne_id=personne, date_demande=date(2024, 4, 1), date_effet=date(2024, 4, 1),
                                                                 iban=IBAN), today=date(2026, 12, 1))
        with pytest.raises(InvalidField) as error:
            retraite.instruire(s, agent, demande.id, retraite.InstructionIn(sam_cents=3_000_000, trimestres_rg=168, rfr_cents=500_000))
        assert error.value.field == "parts"
        retraite.instruire(s, agent, demande.id, retraite.InstructionIn(sam_cents=3_000_000, trimestres_rg=168, categorie_csg="exoneree"))
        retraite.decider(s, agent, demande.id, retraite.DecisionIn(decision="attribution", date_decision=date(2024, 4, 2)))
    bilan = paiement.run_payments(sessions, caisse, date(2024, 5, 9))
    assert bilan.total_cents == PENSION


def test_once_the_death_is_known_the_run_pays_nothing_more_into_the_account(sessions) -> None:  # type: ignore[no-untyped-def]
    """The pension ends with the month of the death; the months owed to its end are the arrérages dus au décès, for the
    heirs on proof of their right, not a transfer to the deceased's account (réponse ministérielle, 2012: « dès lors que le
    décès d'un retraité du régime général est signalé, les paiements de la pension sont arrêtés »)."""
    personne, pension = _pension(sessions, "33", date(2024, 4, 1))
    caisse = route("33", "retraite").code
    paiement.run_payments(sessions, caisse, date(2024, 5, 9))
    with unit_of_work(sessions) as s:
        from secu.register.models import Personne

        person = s.get(Personne, personne)
        assert person is not None
        person.date_deces = date(2024, 6, 15)
    bilan = paiement.run_payments(sessions, caisse, date(2024, 7, 9))  # pays June: the death is known, nothing is transferred
    assert (bilan.mois_payes, bilan.virements, bilan.total_cents) == (0, 0, 0)
    assert [v.mois for v in _versements(sessions, pension)] == [date(2024, 4, 1)]
    with unit_of_work(sessions) as s:
        ended = s.get(PensionRetraite, pension)
        assert ended is not None and (ended.date_fin, ended.paiement_arrete_le) == (date(2024, 7, 1), date(2024, 7, 9))
    assert paiement.run_payments(sessions, caisse, date(2024, 8, 9)).mois_payes == 0


def test_refusals_name_the_field(sessions) -> None:  # type: ignore[no-untyped-def]
    for caisse, echeance, field in (("CPAM-75", date(2024, 7, 9), "organisme_code"), ("INCONNUE", date(2024, 7, 9), "organisme_code"),
                                    (route("44", "retraite").code, date(2024, 7, 1), "echeance"),
                                    (route("44", "retraite").code, paiement.echeance_du_mois(date.today()), "echeance")):  # not over yet
        with pytest.raises(InvalidField) as error:
            paiement.run_payments(sessions, caisse, echeance)
        assert error.value.field == field


@pytest.mark.parametrize("crashed_before", [False, True], ids=["fresh", "resumed"])
def test_two_runs_at_once_pay_once_and_the_file_is_what_is_recorded(url, sessions, monkeypatch, crashed_before) -> None:  # type: ignore[no-untyped-def]
    """Two callers at once on a fresh échéance, and on one a crash left open: one pays, the other says so or gives the bilan."""
    departement = "44" if not crashed_before else "21"
    caisse = route(departement, "retraite").code
    pensions = [_pension(sessions, departement, date(2024, 4, 1))[1] for _ in range(4)]
    monkeypatch.setattr(paiement, "CHUNK", 1)
    echeance = date(2024, 6, 9)  # pays May: April and May for each
    if crashed_before:
        ouvrir(sessions, paiement._campagne(caisse, echeance))
    outcomes = race(url, lambda factory: paiement.run_payments(factory, caisse, echeance))
    bilans = [o for o in outcomes if isinstance(o, paiement.Bilan)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(o, Conflict) and "déjà en cours" in o.message for o in refused), refused
    assert bilans and all(b == bilans[0] for b in bilans)
    if refused:
        assert paiement.run_payments(sessions, caisse, echeance) == bilans[0]
    assert (bilans[0].pensions, bilans[0].mois_payes, bilans[0].virements, bilans[0].total_cents) == (4, 8, 4, 8 * NET)
    assert sepa_totals(bilans[0].fichier_sepa) == (4, 8 * NET)
    for pension in pensions:
        assert [v.net_cents for v in _versements(sessions, pension)] == [NET, NET]
    with unit_of_work(sessions) as s:
        assert check_retraite(s) == []


def test_a_run_cut_off_after_a_chunk_resumes_and_pays_the_rest_once(sessions, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    caisse = route("63", "retraite").code
    pensions = [_pension(sessions, "63", date(2024, 5, 1))[1] for _ in range(3)]
    monkeypatch.setattr(paiement, "CHUNK", 1)
    campagne = paiement._campagne(caisse, date(2024, 6, 9))
    campagne_id = ouvrir(sessions, campagne)
    assert payer_un_lot(sessions, campagne, campagne_id) == 1  # one pension paid and committed, then the process dies
    bilan = paiement.run_payments(sessions, caisse, date(2024, 6, 9))
    assert (bilan.campagne_id, bilan.pensions, bilan.virements, bilan.total_cents) == (campagne_id, 3, 3, 3 * NET)
    assert all(len(_versements(sessions, p)) == 1 for p in pensions)
    with unit_of_work(sessions) as s:
        assert check_retraite(s) == []


def test_the_verification_finds_a_file_that_is_not_what_was_marked_paid(sessions) -> None:  # type: ignore[no-untyped-def]
    """secu verifier: a closed run whose file pays other than its rows, or a month paid without its ledger entry, is reported."""
    caisse = route("13", "retraite").code
    pension = _pension(sessions, "13", date(2024, 9, 1))[1]
    bilan = paiement.run_payments(sessions, caisse, date(2024, 10, 9))
    with unit_of_work(sessions) as s:
        assert check_retraite(s) == []
        run = s.get(CampagneRetraite, bilan.campagne_id)
        assert run is not None
        run.fichier_sepa = (run.fichier_sepa or "").replace(f"{NET / 100:.2f}", f"{(NET + 100) / 100:.2f}")
        s.flush()
        found = check_retraite(s)
        assert len(found) == 1 and f"campagne retraite {bilan.campagne_id}" in found[0]
        s.rollback()
    with unit_of_work(sessions) as s:
        s.add(VersementRetraite(pension_id=pension, campagne_id=bilan.campagne_id, mois=date(2030, 1, 1), brut_cents=1, net_cents=1, explication="[]"))
        s.flush()
        assert any("écriture(s) de paiement" in v for v in check_retraite(s))
        s.rollback()
