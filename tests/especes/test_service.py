"""Arrêts de travail, attestations de salaire, liquidation of the IJ and their payment run, on both databases.

The figures are worked by hand from the texts the rules follow (CSS R. 323-4: three monthly pays ÷ 91,25;
R. 323-5: 50 %; R. 323-1 1°: three days of carence; L. 136-8 and ordonnance 96-50 art. 14: CSG 6,2 % and
CRDS 0,5 % on each payment's gross, rounded half up), the late-sending rules from R. 321-2 and D. 323-2.
"""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from secu.core import ledger
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.errors import Conflict, InvalidField, NotFound, SecuError
from secu.core.security import SYSTEM
from secu.especes import paiement, rules, service
from secu.especes.models import ArretTravail, AvisArret, CampagneIJ, PeriodeIJ
from secu.especes.schemas import AttestationSalaire, SalaireMois
from secu.register import schemas
from secu.register import service as register
from secu.verification import especes as check_especes
from secu.verification import grand_livre as check_grand_livre
from secu.verification import sepa_totals
from tests.api.conftest import with_key
from tests.concurrence import race

SIRET = "73282932000074"
IBAN_ASSURE = "FR7630006000011234567890189"
IBAN_EMPLOYEUR = "FR7630004000031234567890143"
TODAY = date.today()
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def url(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    with unit_of_work(session_factory(engine)) as s:
        register.register_employer(
            s,
            schemas.EmployeurIn(
                siren="732829320",
                raison_sociale="Exemple SA",
                etablissements=[schemas.EtablissementIn(siret=SIRET, code_naf="62.01Z", effectif=30, departement="75")],
            ),
            caller=SYSTEM,
        )
    engine.dispose()
    return database_url


@pytest.fixture(scope="module")
def sessions(url):  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    yield session_factory(engine)
    engine.dispose()


def _person(sessions, iban: str | None = IBAN_ASSURE) -> str:  # type: ignore[no-untyped-def]
    """A new assuré of Paris (CPAM-75); its NIR."""
    n = next(_numbers)
    nir = with_key(f"18505751150{n:02d}")
    with unit_of_work(sessions) as s:
        register.register_person(
            s,
            schemas.PersonneIn(
                nir=nir, nom_naissance=f"Arret{n}", prenoms="Jean", date_naissance=date(1985, 5, 14), sexe="1", departement="75", commune="75111", iban=iban
            ),
            caller=SYSTEM,
            today=TODAY,
        )
    return nir


def _avis(nir: str, numero: str, debut: date, fin: date, **extra) -> service.AvisIn:  # type: ignore[no-untyped-def]
    values = {"numero": numero, "nir": nir, "date_prescription": debut, "date_reception": debut + timedelta(days=1), "debut": debut, "fin": fin} | extra
    return service.AvisIn(**values)


def _attestation(nir: str, reference: str, debut: date, brut: int = 200_000, **extra) -> AttestationSalaire:  # type: ignore[no-untyped-def]
    mois = [service.mois_decale(debut, -k) for k in (3, 2, 1)]
    values = {
        "reference": reference,
        "nir": nir,
        "siret": SIRET,
        "risque": "maladie",
        "dernier_jour_travaille": debut - timedelta(days=1),
        "salaires": [SalaireMois(mois=m, brut=brut) for m in mois],
    } | extra
    return AttestationSalaire(**values)


def _receive(sessions, avis: service.AvisIn) -> service.Reception:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        reception = service.recevoir_avis(s, SYSTEM, avis, today=TODAY)
        s.expunge_all()
        return reception


def _periods(sessions, nir: str) -> list[PeriodeIJ]:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        rows = list(
            s.scalars(sa.select(PeriodeIJ).join(ArretTravail, ArretTravail.id == PeriodeIJ.arret_id).where(ArretTravail.nir == nir).order_by(PeriodeIJ.debut))
        )
        s.expunge_all()
        return rows


def _liquidate(sessions, au: date) -> service.Liquidation:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        return service.liquider_periodes(s, au)


# -- the same avis -------------------------------------------------------------------------------------------------


def test_the_same_avis_twice_is_one_arret_and_the_second_sender_gets_the_first_answer(sessions) -> None:  # type: ignore[no-untyped-def]
    nir = _person(sessions)
    avis = _avis(nir, "AV-TWICE-1", date(2025, 3, 3), date(2025, 3, 9))
    first, second = _receive(sessions, avis), _receive(sessions, avis)
    assert not first.deja_recu and second.deja_recu
    assert second.arret.id == first.arret.id and second.avis.id == first.avis.id
    with pytest.raises(Conflict) as error:  # the same number, another content
        _receive(sessions, _avis(nir, "AV-TWICE-1", date(2025, 3, 3), date(2025, 3, 10)))
    assert error.value.field == "numero"
    with unit_of_work(sessions) as s:
        assert s.scalar(sa.select(sa.func.count(ArretTravail.id)).where(ArretTravail.nir == nir)) == 1


@pytest.mark.parametrize("trial", range(3))
def test_senders_of_the_same_avis_at_once_make_one_arret(url, sessions, trial) -> None:  # type: ignore[no-untyped-def]
    """Three senders at once, three times: one arrêt, one avis, and every sender gets its answer (one "first")."""
    nir = _person(sessions)
    numero = f"AV-RACE-{trial}"
    avis = _avis(nir, numero, date(2025, 4, 7), date(2025, 4, 20))
    outcomes = race(url, lambda factory: service.recevoir_avis_retrying(factory, SYSTEM, avis, today=TODAY), callers=3)
    assert all(isinstance(o, dict) for o in outcomes), outcomes
    answers = [o for o in outcomes if isinstance(o, dict)]
    assert {a["arret"]["id"] for a in answers} == {answers[0]["arret"]["id"]}
    assert sorted(a["deja_recu"] for a in answers) == [False, True, True]
    with unit_of_work(sessions) as s:
        assert s.scalar(sa.select(sa.func.count(ArretTravail.id)).where(ArretTravail.nir == nir)) == 1
        assert s.scalar(sa.select(sa.func.count(AvisArret.id)).where(AvisArret.numero == numero)) == 1


# -- a 30-day arrêt, liquidated then paid ---------------------------------------------------------------------------


def test_a_30_day_arret_is_liquidated_into_14_day_periods_with_carence_then_paid_once(sessions) -> None:  # type: ignore[no-untyped-def]
    nir = _person(sessions)
    debut, fin = date(2025, 5, 5), date(2025, 6, 3)  # 30 days
    _receive(sessions, _avis(nir, "AV-30J", debut, fin))
    with unit_of_work(sessions) as s:
        service.recevoir_attestation_salaire(s, _attestation(nir, "ATT-30J", debut))  # 2 000 € in Feb., March, April 2025
    first = _liquidate(sessions, date(2025, 6, 30))
    again = _liquidate(sessions, date(2025, 6, 30))
    periods = _periods(sessions, nir)
    assert again.periodes == 0 and first.periodes >= 3
    # 3 × 2 000 € ÷ 91,25 = 65,7534 €; × 50 % = 32,8767 € → 32,88 € a day (R. 323-4, R. 323-5)
    assert [(p.debut, p.fin) for p in periods] == [
        (date(2025, 5, 5), date(2025, 5, 18)),
        (date(2025, 5, 19), date(2025, 6, 1)),
        (date(2025, 6, 2), date(2025, 6, 3)),
    ]
    assert {p.ij_journaliere_cents for p in periods} == {3288}
    assert [p.jours_carence for p in periods] == [3, 0, 0] and [p.jours_indemnises for p in periods] == [11, 14, 2]
    first_period = periods[0]
    assert first_period.brut_cents == 11 * 3288 == 36_168
    assert (first_period.csg_cents, first_period.crds_cents) == (2242, 181)  # 6,2 % of 361,68 € = 22,424 €; 0,5 % = 1,808 €
    whole = rules.ij_arret("maladie", debut, fin, (200_000, 200_000, 200_000))  # the same rule over the whole arrêt at once
    assert sum(p.brut_cents for p in periods) == whole["montant_brut"] == 27 * 3288
    steps = json.loads(first_period.explication)
    assert any("carence" in step["etape"].lower() for step in steps) and steps[-1]["montant_cents"] == first_period.net_cents

    one = paiement.run_payments(sessions, "CPAM-75", date(2025, 7, 1))
    two = paiement.run_payments(sessions, "CPAM-75", date(2025, 7, 1))  # run again: the same run, nothing more
    three = paiement.run_payments(sessions, "CPAM-75", date(2025, 7, 15))  # a later run: nothing left of this arrêt
    paid = _periods(sessions, nir)
    net = sum(p.net_cents for p in paid)
    assert all(p.statut == "payee" and p.campagne_id == one.campagne_id for p in paid)
    assert (two.campagne_id, two.total_cents, two.fichier_sepa) == (one.campagne_id, one.total_cents, one.fichier_sepa)
    with unit_of_work(sessions) as s:
        in_three = s.scalar(sa.select(sa.func.count(PeriodeIJ.id)).where(PeriodeIJ.campagne_id == three.campagne_id))
        keys = [f"especes:paiement:{p.id}" for p in paid]
        booked = s.scalar(
            sa.select(sa.func.sum(ledger.LigneEcriture.montant_cents))
            .join(ledger.Ecriture)
            .where(ledger.Ecriture.cle_idempotence.in_(keys), ledger.LigneEcriture.compte == "tresorerie.virements_emis")
        )
        charges = s.scalar(
            sa.select(sa.func.sum(ledger.LigneEcriture.montant_cents))
            .join(ledger.Ecriture)
            .where(
                ledger.Ecriture.cle_idempotence.in_([f"especes:liquidation:{p.id}" for p in paid]),
                ledger.LigneEcriture.compte == "charges.prestations.ij.maladie",
                ledger.LigneEcriture.branche == "maladie",
            )
        )
        violations = check_especes(s) + check_grand_livre(s)
    assert in_three == 0
    assert -int(booked) == net and int(charges) == sum(p.brut_cents for p in paid)
    assert f"{net / 100:.2f}" in one.fichier_sepa and one.total_cents >= net
    assert sepa_totals(one.fichier_sepa)[1] == one.total_cents
    assert violations == []


def test_a_prolongation_bears_no_new_carence_and_an_ald_arret_none_after_the_first(sessions) -> None:  # type: ignore[no-untyped-def]
    nir = _person(sessions)
    _receive(sessions, _avis(nir, "AV-PRO-1", date(2025, 2, 3), date(2025, 2, 9)))
    prolongation = _avis(nir, "AV-PRO-2", date(2025, 2, 10), date(2025, 2, 16), nature="prolongation", arret_numero="AV-PRO-1")
    reception = _receive(sessions, prolongation)
    assert (reception.arret.fin, reception.arret.prolongations) == (date(2025, 2, 16), 1)
    with unit_of_work(sessions) as s:
        service.recevoir_attestation_salaire(s, _attestation(nir, "ATT-PRO", date(2025, 2, 3)))
    _liquidate(sessions, date(2025, 3, 1))
    assert [p.jours_carence for p in _periods(sessions, nir)] == [3]  # one period of 14 days, carence once
    # ALD (R. 323-1 1°): the first arrêt for the affection bears the carence, the next ones within 3 years do not
    ald = _person(sessions)
    _receive(sessions, _avis(ald, "AV-ALD-1", date(2025, 1, 6), date(2025, 1, 12), ald=True))
    _receive(sessions, _avis(ald, "AV-ALD-2", date(2025, 3, 3), date(2025, 3, 9), ald=True))
    with unit_of_work(sessions) as s:
        service.recevoir_attestation_salaire(s, _attestation(ald, "ATT-ALD-1", date(2025, 1, 6)))
        service.recevoir_attestation_salaire(s, _attestation(ald, "ATT-ALD-2", date(2025, 3, 3)))
    _liquidate(sessions, date(2025, 3, 31))
    assert [p.jours_carence for p in _periods(sessions, ald)] == [3, 0]


def test_the_ij_of_earlier_arrets_count_towards_the_360(sessions) -> None:  # type: ignore[no-untyped-def]
    """R. 323-1: 360 IJ over 3 years outside ALD; the days paid on the assuré's earlier arrêts come from the database."""
    nir = _person(sessions)
    _receive(sessions, _avis(nir, "AV-360-1", date(2025, 1, 6), date(2025, 1, 19)))
    with unit_of_work(sessions) as s:
        service.recevoir_attestation_salaire(s, _attestation(nir, "ATT-360-1", date(2025, 1, 6)))
    _liquidate(sessions, date(2025, 1, 31))
    second = _receive(sessions, _avis(nir, "AV-360-2", date(2025, 3, 3), date(2025, 3, 9)))
    with unit_of_work(sessions) as s:
        arret = s.get(ArretTravail, second.arret.id)
        history = service._historiques(s, [arret])[arret.id]
    assert history == {"ald_arret_anterieur": False, "ald_debut": date(2025, 3, 3), "ij_deja_versees": 11}  # 14 days less 3 of carence


def test_an_attestation_received_before_its_arret_is_linked_when_the_avis_comes(sessions) -> None:  # type: ignore[no-untyped-def]
    nir = _person(sessions)
    with unit_of_work(sessions) as s:
        service.recevoir_attestation_salaire(s, _attestation(nir, "ATT-FIRST", date(2025, 9, 1)))
    assert _receive(sessions, _avis(nir, "AV-AFTER", date(2025, 9, 1), date(2025, 9, 10))).arret.statut == "indemnisable"


def test_no_ij_after_the_assures_death(sessions) -> None:  # type: ignore[no-untyped-def]
    from secu.register.models import Personne

    nir = _person(sessions)
    debut = date(2025, 11, 3)
    _receive(sessions, _avis(nir, "AV-DECES", debut, date(2025, 11, 30)))
    with unit_of_work(sessions) as s:
        service.recevoir_attestation_salaire(s, _attestation(nir, "ATT-DECES", debut))
        s.scalars(sa.select(Personne).where(Personne.nir == nir)).one().date_deces = date(2025, 11, 20)
    _liquidate(sessions, date(2025, 12, 31))
    assert [(p.debut, p.fin) for p in _periods(sessions, nir)] == [(debut, date(2025, 11, 16)), (date(2025, 11, 17), date(2025, 11, 20))]


def test_the_employers_signalement_de_reprise_ends_the_arret_the_day_before(sessions) -> None:  # type: ignore[no-untyped-def]
    """DSN nature 05: the attestation's ``reprise``; an avis de reprise does the same (its own test is the agent's page)."""
    nir = _person(sessions)
    debut = date(2025, 9, 1)
    _receive(sessions, _avis(nir, "AV-REPRISE", debut, date(2025, 9, 30)))
    with unit_of_work(sessions) as s:
        service.recevoir_attestation_salaire(s, _attestation(nir, "ATT-REPRISE", debut, reprise=date(2025, 9, 15)))
    _liquidate(sessions, date(2025, 10, 31))
    assert [(p.debut, p.fin) for p in _periods(sessions, nir)] == [(debut, date(2025, 9, 14))]
    later = _avis(nir, "AV-REPRISE-2", date(2025, 9, 20), date(2025, 9, 20), nature="reprise", arret_numero="AV-REPRISE", date_reprise=date(2025, 9, 10))
    with pytest.raises(Conflict) as error:  # IJ already liquidated beyond: an indu, not a silent change
        _receive(sessions, later)
    assert error.value.field == "date_reprise"


# -- subrogation -----------------------------------------------------------------------------------------------


def test_under_subrogation_the_ij_are_paid_to_the_employer(sessions) -> None:  # type: ignore[no-untyped-def]
    nir = _person(sessions, iban=None)  # no account of his own: under subrogation it does not matter
    debut = date(2025, 10, 6)
    _receive(sessions, _avis(nir, "AV-SUB", debut, date(2025, 10, 19)))
    with unit_of_work(sessions) as s:
        service.recevoir_attestation_salaire(s, _attestation(nir, "ATT-SUB", debut, subrogation=True, iban_employeur=IBAN_EMPLOYEUR))
    _liquidate(sessions, date(2025, 10, 31))
    [period] = _periods(sessions, nir)
    assert (period.beneficiaire, period.siret) == ("employeur", SIRET) and period.net_cents > 0
    bilan = paiement.run_payments(sessions, "CPAM-75", date(2025, 11, 3))
    [paid] = _periods(sessions, nir)
    assert paid.statut == "payee" and paid.iban == IBAN_EMPLOYEUR and paid.titulaire == "Exemple SA"
    assert IBAN_EMPLOYEUR in bilan.fichier_sepa and "Exemple SA" in bilan.fichier_sepa
    with unit_of_work(sessions) as s:
        debt = s.scalar(
            sa.select(sa.func.sum(ledger.LigneEcriture.montant_cents))
            .join(ledger.Ecriture)
            .where(
                ledger.Ecriture.cle_idempotence.in_([f"especes:liquidation:{paid.id}", f"especes:paiement:{paid.id}"]),
                ledger.LigneEcriture.compte == "dettes.prestations.employeurs",
            )
        )
        seen = service.ij_subrogees(s, SYSTEM, SIRET)
    assert int(debt) == 0  # owed at liquidation, settled by the payment
    assert any(row["id"] == paid.id for row in seen)


def test_a_period_is_cut_where_the_subrogation_ends_so_that_each_part_has_one_payee(sessions) -> None:  # type: ignore[no-untyped-def]
    nir = _person(sessions)
    debut = date(2025, 10, 6)
    _receive(sessions, _avis(nir, "AV-SUB-FIN", debut, date(2025, 10, 19)))
    with unit_of_work(sessions) as s:
        service.recevoir_attestation_salaire(
            s, _attestation(nir, "ATT-SUB-FIN", debut, subrogation=True, subrogation_fin=date(2025, 10, 12), iban_employeur=IBAN_EMPLOYEUR)
        )
    _liquidate(sessions, date(2025, 10, 31))
    periods = _periods(sessions, nir)
    assert [(p.debut, p.fin, p.beneficiaire) for p in periods] == [
        (debut, date(2025, 10, 12), "employeur"),  # days 1-7: 3 of carence, 4 paid to the employer who kept paying the salary
        (date(2025, 10, 13), date(2025, 10, 19), "assure"),
    ]
    assert [p.jours_indemnises for p in periods] == [4, 7]


# -- the late avis --------------------------------------------------------------------------------------------


def test_a_late_avis_is_warned_then_a_new_late_one_within_24_months_reduces_the_ij_by_half(sessions) -> None:  # type: ignore[no-untyped-def]
    nir = _person(sessions)
    # R. 321-2: two days; received on day 4 → late, the first time a warning (D. 323-2)
    warned = _receive(sessions, _avis(nir, "AV-LATE-1", date(2025, 1, 6), date(2025, 1, 12), date_reception=date(2025, 1, 10)))
    assert (warned.avis.tardif, warned.avis.sanction, warned.avis.reduction_debut) == (True, "avertissement", None)
    # on time: nothing
    on_time = _receive(sessions, _avis(nir, "AV-LATE-2", date(2025, 3, 3), date(2025, 3, 9), date_reception=date(2025, 3, 5)))
    assert (on_time.avis.tardif, on_time.avis.sanction) == (False, "aucune")
    # late again 11 months after the warned prescription: the IJ from the prescription to the day before the sending, halved
    debut = date(2025, 12, 1)
    reduced = _receive(sessions, _avis(nir, "AV-LATE-3", debut, date(2025, 12, 14), date_reception=date(2025, 12, 9)))
    assert reduced.avis.sanction == "reduction"
    assert (reduced.avis.reduction_debut, reduced.avis.reduction_fin) == (debut, date(2025, 12, 8))
    with unit_of_work(sessions) as s:
        service.recevoir_attestation_salaire(s, _attestation(nir, "ATT-LATE-3", debut))
    _liquidate(sessions, date(2025, 12, 31))
    [period] = [p for p in _periods(sessions, nir) if p.debut == debut]
    # days 1-3 carence; days 4-8 (4 to 8 December) reduced: 5 days × 32,88 € = 164,40 €, halved: 82,20 €
    assert (period.jours_carence, period.jours_indemnises, period.jours_reduits) == (3, 11, 5)
    assert period.reduction_cents == 8220 and period.brut_cents == 11 * 3288 - 8220
    assert period.csg_cents == round(period.brut_cents * 0.062) and period.net_cents == period.brut_cents - period.csg_cents - period.crds_cents
    # hospitalised (or unable to send in time): late, but no sanction
    excused = _receive(sessions, _avis(nir, "AV-LATE-4", date(2026, 1, 5), date(2026, 1, 11), date_reception=date(2026, 1, 12), empechement=True))
    assert (excused.avis.tardif, excused.avis.sanction) == (True, "aucune")


def test_a_period_straddled_by_a_refusal_and_a_reduction_pays_each_day_once_sanctioned(sessions) -> None:  # type: ignore[no-untyped-def]
    """CSS R. 323-12 (IJ of the days the caisse could not control refused, ``avis_arret.refus_controle_impossible`` = 1)
    and D. 323-2 (IJ from the prescription to the sending of a repeated late avis reduced by 50 %), on the IJ of
    32,88 € of the three monthly pays of 2 000 € (R. 323-4, R. 323-5: 6 000 € ÷ 91,25 × 50 %, as above).

    The initial avis (1-16 December) reaches the caisse on the 17th, after its last day: its days are refused; late
    after a warning, its days would also be reduced, but a day refused is not reduced too. The prolongation
    (17 December - 10 January), prescribed on the 17th, is sent on the 31st: late again, its days up to the 30th are
    halved. The second 14-day period (15-28 December) is straddled by both windows: 2 days refused, 12 halved."""
    nir = _person(sessions)
    _receive(sessions, _avis(nir, "AV-BOTH-W", date(2025, 1, 6), date(2025, 1, 12), date_reception=date(2025, 1, 10)))  # the warning
    debut = date(2025, 12, 1)
    initial = _receive(sessions, _avis(nir, "AV-BOTH-1", debut, date(2025, 12, 16), date_reception=date(2025, 12, 17)))
    assert (initial.avis.sanction, initial.avis.controle_impossible) == ("reduction", True)
    suite = _receive(sessions, service.AvisIn(
        numero="AV-BOTH-2", nature="prolongation", arret_numero="AV-BOTH-1", nir=nir, date_prescription=date(2025, 12, 17),
        date_reception=date(2025, 12, 31), debut=date(2025, 12, 17), fin=date(2026, 1, 10),
    ))  # fmt: skip
    assert (suite.avis.sanction, suite.avis.reduction_debut, suite.avis.reduction_fin) == ("reduction", date(2025, 12, 17), date(2025, 12, 30))
    assert not suite.avis.controle_impossible
    with unit_of_work(sessions) as s:
        service.recevoir_attestation_salaire(s, _attestation(nir, "ATT-BOTH-1", debut))
    _liquidate(sessions, date(2026, 1, 31))
    first, second, third = _periods(sessions, nir)
    ij = 3288
    # 1-14 December: 3 days of carence, the 11 others refused
    assert (first.jours_carence, first.jours_refuses, first.refus_cents, first.jours_reduits, first.brut_cents) == (3, 11, 11 * ij, 0, 0)
    assert first.jours_indemnises == 0 and first.motif_refus == "controle_impossible"
    # 15-28 December: 15 and 16 refused; 17 to 28 halved (12 × 32,88 € = 394,56 €, half: 197,28 €)
    assert (second.debut, second.fin) == (date(2025, 12, 15), date(2025, 12, 28))
    assert (second.jours_refuses, second.refus_cents, second.jours_reduits, second.reduction_cents) == (2, 2 * ij, 12, 19_728)
    assert second.jours_indemnises == 12 and second.brut_cents == 14 * ij - 2 * ij - 19_728 == 19_728
    # CSG 6,2 % and CRDS 0,5 % on what remains (L. 136-8 II; ordonnance 96-50 art. 14), half up: 12,2314 € → 12,23 €; 0,9864 € → 0,99 €
    assert (second.csg_cents, second.crds_cents, second.net_cents) == (1_223, 99, 19_728 - 1_223 - 99)
    assert second.motif_refus == "controle_impossible"
    steps = json.loads(second.explication)
    sanctions = [(step["montant_cents"], step["reference"]) for step in steps if (step["montant_cents"] or 0) < 0]
    assert [m for m, _ in sanctions] == [-2 * ij, -19_728]
    assert "R. 323-12" in sanctions[0][1] and "D. 323-2" in sanctions[1][1]
    assert any("AV-BOTH-1" in step["etape"] and "du 15/12/2025 au 16/12/2025" in step["etape"] for step in steps)
    assert [step["montant_cents"] for step in steps[-4:]] == [19_728, 1_223, 99, 18_406]
    # 29 December - 10 January: 29 and 30 halved (32,88 €), the 11 others whole
    assert (third.jours_reduits, third.reduction_cents, third.jours_refuses, third.brut_cents) == (2, ij, 0, 13 * ij - ij)
    assert third.motif_refus is None


def test_a_late_avis_more_than_24_months_after_the_warning_is_warned_again(sessions) -> None:  # type: ignore[no-untyped-def]
    nir = _person(sessions)
    _receive(sessions, _avis(nir, "AV-OLD-1", date(2023, 1, 2), date(2023, 1, 8), date_reception=date(2023, 1, 9)))
    later = _receive(sessions, _avis(nir, "AV-OLD-2", date(2025, 2, 3), date(2025, 2, 9), date_reception=date(2025, 2, 10)))
    assert later.avis.sanction == "avertissement"


# -- congés ------------------------------------------------------------------------------------------------------


def test_a_conge_maternite_is_declared_within_its_legal_length_and_bears_no_carence(sessions) -> None:  # type: ignore[no-untyped-def]
    n = next(_numbers)
    nir = with_key(f"29005751150{n:02d}")
    with unit_of_work(sessions) as s:
        register.register_person(
            s,
            schemas.PersonneIn(
                nir=nir,
                nom_naissance=f"Conge{n}",
                prenoms="Anne",
                date_naissance=date(1990, 5, 1),
                sexe="2",
                departement="75",
                commune="75111",
                iban=IBAN_ASSURE,
            ),
            caller=SYSTEM,
            today=TODAY,
        )
    debut = date(2025, 6, 2)
    with pytest.raises(InvalidField) as error, unit_of_work(sessions) as s:  # rang 1 ou 2: 16 weeks = 112 days (L. 331-3)
        service.declarer_conge(
            s, SYSTEM, service.CongeIn(nir=nir, risque="maternite", cas="rang_1_2", debut=debut, fin=debut + timedelta(days=112), date_reception=debut)
        )
    assert error.value.field == "fin"
    with unit_of_work(sessions) as s:
        service.declarer_conge(
            s, SYSTEM, service.CongeIn(nir=nir, risque="maternite", cas="rang_1_2", debut=debut, fin=debut + timedelta(days=111), date_reception=debut)
        )
        service.recevoir_attestation_salaire(s, _attestation(nir, "ATT-MAT", debut, risque="maternite"))
    _liquidate(sessions, date(2025, 6, 30))
    periods = _periods(sessions, nir)
    assert periods and all(p.jours_carence == 0 for p in periods) and periods[0].jours_indemnises == 14


# -- bad input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fin": date(2025, 1, 1)}, "fin"),
        ({"nature": "prolongation"}, "arret_numero"),
        ({"date_reception": date(2024, 12, 1)}, "date_reception"),
        ({"risque": "atmp"}, "sinistre_reference"),
        ({"nir": with_key("1850575115099")}, "nir"),
        ({"debut": date(2025, 1, 1), "date_prescription": date(2025, 1, 6), "date_reception": date(2025, 1, 7)}, "debut"),
        ({"debut": date(2021, 1, 4), "fin": date(2021, 1, 10), "date_prescription": date(2021, 1, 4), "date_reception": date(2021, 1, 5)}, "debut"),
        ({"fin": date(9999, 12, 31)}, "fin"),
    ],
)
def test_a_bad_avis_is_refused_naming_the_field_and_writes_nothing(sessions, change, field) -> None:  # type: ignore[no-untyped-def]
    nir = _person(sessions)
    values = {"nir": nir, "debut": date(2025, 1, 6), "fin": date(2025, 1, 12)} | change
    avis = _avis(values.pop("nir"), f"AV-BAD-{field}", values.pop("debut"), values.pop("fin"), **values)
    with pytest.raises(SecuError) as error:
        _receive(sessions, avis)
    assert error.value.field == field and error.value.message
    with unit_of_work(sessions) as s:
        assert s.scalar(sa.select(sa.func.count(AvisArret.id)).where(AvisArret.numero == avis.numero)) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"salaires": [SalaireMois(mois=date(2025, 4, 1), brut=200_000)]}, "salaires"),
        ({"subrogation": True}, "iban_employeur"),
        ({"siret": "55210055400013"}, "siret"),
        ({"salaires": [SalaireMois(mois=date(2025, 4, 2), brut=1)]}, "salaires[0].mois"),
    ],
)
def test_a_bad_attestation_is_refused_naming_the_field(sessions, change, field) -> None:  # type: ignore[no-untyped-def]
    nir = _person(sessions)
    with pytest.raises((InvalidField, NotFound)) as error, unit_of_work(sessions) as s:
        service.recevoir_attestation_salaire(s, _attestation(nir, f"ATT-BAD-{field}", date(2025, 5, 5), **change))
    assert error.value.field == field


def test_a_second_run_of_the_caisse_at_once_says_already_running(url, sessions) -> None:  # type: ignore[no-untyped-def]
    outcomes = race(url, lambda factory: paiement.run_payments(factory, "CPAM-75", date(2026, 1, 5)))
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(o, Conflict) and "déjà en cours" in o.message for o in refused), refused
    with unit_of_work(sessions) as s:
        assert s.scalar(sa.select(sa.func.count(CampagneIJ.id)).where(CampagneIJ.date_execution == date(2026, 1, 5))) == 1
        assert check_especes(s) == []


def test_secu_ij_payer_liquidates_then_pays_once_and_names_a_bad_option(url, sessions, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from secu.cli import app
    from secu.config import settings

    nir = _person(sessions)
    debut = date(2026, 2, 2)
    _receive(sessions, _avis(nir, "AV-CLI", debut, date(2026, 2, 15)))
    with unit_of_work(sessions) as s:
        service.recevoir_attestation_salaire(s, _attestation(nir, "ATT-CLI", debut))
    monkeypatch.setenv("SECU_DATABASE_URL", url)
    settings.cache_clear()
    try:
        runner = CliRunner()
        out = tmp_path / "ij.xml"
        first = runner.invoke(app, ["ij-payer", "--organisme", "CPAM-75", "--date", "2026-02-20", "--out", str(out)])
        second = runner.invoke(app, ["ij-payer", "--organisme", "CPAM-75", "--date", "2026-02-20"])
        bad = runner.invoke(app, ["ij-payer", "--organisme", "CPAM-75", "--date", "20-02-2026"])
        unknown = runner.invoke(app, ["ij-payer", "--organisme", "CPAM-999", "--date", "2026-02-20"])
    finally:
        settings.cache_clear()
    assert first.exit_code == 0, first.output
    assert "Liquidation au 20/02/2026" in first.output and out.read_text(encoding="utf-8").startswith("<?xml")
    assert second.exit_code == 0 and "Liquidation au 20/02/2026 : 0 période(s)" in second.output  # nothing liquidated twice
    [period] = _periods(sessions, nir)
    assert period.statut == "payee"
    assert bad.exit_code == 2 and "--date" in bad.output
    assert unknown.exit_code == 2 and "organisme" in unknown.output.lower()


def test_two_liquidations_at_once_store_and_book_each_period_once(url, sessions) -> None:  # type: ignore[no-untyped-def]
    nirs = [_person(sessions) for _ in range(3)]
    debut = date(2026, 3, 2)
    for index, nir in enumerate(nirs):
        _receive(sessions, _avis(nir, f"AV-LIQ-{index}", debut, date(2026, 3, 29)))
        with unit_of_work(sessions) as s:
            service.recevoir_attestation_salaire(s, _attestation(nir, f"ATT-LIQ-{index}", debut))

    def liquidate(factory):  # type: ignore[no-untyped-def]
        return service.retrying(factory, lambda s: service.liquider_periodes(s, date(2026, 3, 31)))

    outcomes = race(url, liquidate)
    assert all(isinstance(o, service.Liquidation) for o in outcomes), outcomes
    stored = sum(o.periodes for o in outcomes if isinstance(o, service.Liquidation))
    periods = [p for nir in nirs for p in _periods(sessions, nir)]
    assert len(periods) == 6 and stored == 6  # the second one stored none of the first one's
    with unit_of_work(sessions) as s:
        keys = [f"especes:liquidation:{p.id}" for p in periods]
        assert s.scalar(sa.select(sa.func.count(ledger.Ecriture.id)).where(ledger.Ecriture.cle_idempotence.in_(keys))) == 6
