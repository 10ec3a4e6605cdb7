"""Invalidité and capital décès through their services, on SQLite and PostgreSQL (issue 13 §5-§7).

The claim → the médecin-conseil's queue and avis → the caisse's decision (the SAM from the DSN secu keeps) → the
monthly payment run: twice is once, the SEPA file is what the run marked paid, the ledger has one entry per
payment; the cumul with the DSN pay of the reference period; the hand-over at the legal age; the stop at death;
the capital décès decided in the legal order and paid once.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from secu.core import ledger
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.errors import Conflict, Forbidden, InvalidField
from secu.core.paiement import ouvrir, payer_un_lot
from secu.core.security import SYSTEM, Caller, JournalAcces, Role
from secu.especes import deces, invalidite
from secu.especes import paiement_invalidite as paiement
from secu.organismes import route
from secu.recouvrement.models import DeclarationDsn, Remuneration
from secu.register import schemas, service
from secu.verification import invalidite as check_invalidite
from secu.verification import sepa_totals
from tests.api.conftest import drsm_for, with_key
from tests.concurrence import race

IBAN = "FR7630006000011234567890189"
MC_IDF = Caller(user_id=None, role=Role.MEDECIN_CONSEIL, organisme_code=drsm_for("75"))
MC_PACA = Caller(user_id=None, role=Role.MEDECIN_CONSEIL, organisme_code=drsm_for("13"))
CPAM = route("75", "maladie").code
AGENT = Caller(user_id=None, role=Role.AGENT, organisme_code=CPAM)


@pytest.fixture(scope="module")
def sessions(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


COMMUNES = {"75": "75111", "13": "13055", "69": "69123", "33": "33063", "44": "44109"}


def _person(sessions, index: int, born: date, departement: str = "75") -> int:  # type: ignore[no-untyped-def]
    """A person of a département: each test that runs payments has its caisse's months to itself (a closed run pays no one new)."""
    with unit_of_work(sessions) as s:
        return service.register_person(
            s,
            schemas.PersonneIn(
                nir=with_key(f"1{born:%y}{born:%m}75115{index:03d}"),
                nom_naissance=f"Martin{index}",
                prenoms="Paul",
                date_naissance=born,
                sexe="1",
                departement=departement,
                commune=COMMUNES[departement],
            ),
            caller=SYSTEM,
            today=date(2025, 1, 1),
        ).id


def _dsn(sessions, personne_id: int, months: dict[date, int]) -> None:  # type: ignore[no-untyped-def]
    """Salary records as the DSN intake leaves them (one declaration per month, not replaced)."""
    with unit_of_work(sessions) as s:
        for mois, brut in months.items():
            declaration = DeclarationDsn(
                siren="552100554",
                siret="55210055400013",
                mois=mois,
                version=1,
                type_declaration="normale",
                empreinte=f"{personne_id}-{mois}",
                format="json",
                contenu="{}",
                organisme_code="URSSAF-IDF",
                effectif=1,
                salaries=1,
                date_exigibilite=mois,
                brut_cents=brut,
                salarial_cents=0,
                patronal_cents=0,
                du_urssaf_cents=0,
            )
            s.add(declaration)
            s.flush()
            s.add(
                Remuneration(
                    declaration_id=declaration.id,
                    nir="x",
                    personne_id=personne_id,
                    siret="55210055400013",
                    mois=mois,
                    brut_cents=brut,
                    cadre=False,
                    salarial_cents=0,
                    patronal_cents=0,
                    net_avant_impot_cents=0,
                )
            )


def _grant(
    sessions,
    personne_id: int,
    *,
    categorie: int = 2,
    date_effet: date = date(2025, 5, 1),
    date_arret: date = date(2024, 3, 1),  # type: ignore[no-untyped-def]
    salaires: dict[int, int] | None = None,
    departement: str = "75",
) -> int:
    medecin = Caller(user_id=None, role=Role.MEDECIN_CONSEIL, organisme_code=drsm_for(departement))
    with unit_of_work(sessions) as s:
        demande = invalidite.demander(
            s,
            SYSTEM,
            invalidite.DemandeIn(
                personne_id=personne_id,
                date_demande=date(2025, 3, 1),
                date_arret=date_arret,
                iban=IBAN,
                salaires_hors_secu=[invalidite.SalaireAnnuel(annee=a, salaire_cents=m) for a, m in (salaires or {}).items()],
            ),
        )
        demande_id = demande.id
    with unit_of_work(sessions) as s:
        invalidite.donner_avis(s, medecin, demande_id, invalidite.AvisIn(categorie=categorie, date_effet=date_effet))
    with unit_of_work(sessions) as s:
        invalidite.decider(s, SYSTEM, demande_id, invalidite.DecisionIn(decision="accord", date_decision=date(2025, 4, 15)))
        pension = s.scalar(select(invalidite.PensionInvalidite).where(invalidite.PensionInvalidite.demande_id == demande_id))
        assert pension is not None
        return pension.id


def test_the_workflow_claim_queue_avis_decision_and_the_sam_from_the_dsn(sessions) -> None:  # type: ignore[no-untyped-def]
    pid = _person(sessions, 1, date(1975, 5, 14))
    # 12 × 2 500 € in 2022 and 2023 (30 000 € a year, under the PASS), and one older year given by the claim (18 000 €).
    _dsn(sessions, pid, {date(y, m, 1): 250_000 for y in (2022, 2023) for m in range(1, 13)})
    with unit_of_work(sessions) as s:
        demande = invalidite.demander(
            s,
            Caller(user_id=None, role=Role.ASSURE, personne_id=pid),
            invalidite.DemandeIn(
                personne_id=pid,
                date_demande=date(2025, 3, 1),
                date_arret=date(2024, 3, 1),
                iban=IBAN,
                salaires_hors_secu=[invalidite.SalaireAnnuel(annee=2015, salaire_cents=1_800_000)],
            ),
        )
        demande_id = demande.id
    with unit_of_work(sessions) as s:
        with pytest.raises(Conflict):
            invalidite.decider(s, AGENT, demande_id, invalidite.DecisionIn(decision="accord", date_decision=date(2025, 4, 1)))
    with unit_of_work(sessions) as s:
        assert demande_id in [d.id for d in invalidite.file_medecin_conseil(s, MC_IDF)]
        assert demande_id not in [d.id for d in invalidite.file_medecin_conseil(s, MC_PACA)]
        assert s.scalar(select(func.count()).select_from(JournalAcces).where(JournalAcces.ressource == "file_invalidite")) >= 1
    with unit_of_work(sessions) as s, pytest.raises(Forbidden):
        invalidite.donner_avis(s, MC_PACA, demande_id, invalidite.AvisIn(categorie=2, date_effet=date(2025, 5, 1)))
    with unit_of_work(sessions) as s, pytest.raises(InvalidField) as error:
        invalidite.donner_avis(s, MC_IDF, demande_id, invalidite.AvisIn(categorie=2))
    assert error.value.field == "date_effet"
    with unit_of_work(sessions) as s:
        invalidite.donner_avis(s, MC_IDF, demande_id, invalidite.AvisIn(categorie=2, date_effet=date(2025, 5, 1), motif="lombalgie"))
    with unit_of_work(sessions) as s, pytest.raises(Forbidden):
        other = Caller(user_id=None, role=Role.AGENT, organisme_code=route("13", "maladie").code)
        invalidite.decider(s, other, demande_id, invalidite.DecisionIn(decision="accord", date_decision=date(2025, 4, 15)))
    with unit_of_work(sessions) as s:
        invalidite.decider(s, AGENT, demande_id, invalidite.DecisionIn(decision="accord", date_decision=date(2025, 4, 15)))
        assert invalidite.demande_out(s.get(invalidite.DemandeInvalidite, demande_id), AGENT, s)["avis"]["motif"] is None  # secret médical
        pension = s.scalar(select(invalidite.PensionInvalidite).where(invalidite.PensionInvalidite.demande_id == demande_id))
        assert pension is not None
        detail = invalidite.lire_pension(s, AGENT, pension.id, date(2025, 5, 1))
    # 2022 and 2023 revalued to 2025-05-01 (× 1,046 × 1,017 from 2024-04 and 2025-04; 2022 also × 1,015385 in 2023-04):
    # 30 000 × 1,015385 = 30 461,55 → × 1,046 = 31 862,78 → × 1,017 = 32 404,45; 2023: 31 380,00 → 31 913,46; 2015: 18 000 (as given).
    assert [step["montant_cents"] for step in detail["sam"]][:3] == [1_800_000, 3_240_445, 3_191_346]
    assert detail["sam_cents"] == 2_743_930  # (18 000 + 32 404,45 + 31 913,46) ÷ 3 = 27 439,3033… €, half up to the cent
    assert detail["pension_mensuelle_cents"] == 114_330  # × 50 % ÷ 12 = 1 143,3042… €


def test_monthly_payment_twice_is_once_and_the_file_is_what_is_marked_paid(sessions) -> None:  # type: ignore[no-untyped-def]
    ids = [_person(sessions, 10 + i, date(1980, 1, 2)) for i in range(3)]
    pensions = [_grant(sessions, pid, salaires={2020: 2_400_000 + 600_000 * i}) for i, pid in enumerate(ids)]
    first = paiement.run_payments(sessions, CPAM, date(2025, 6, 1))
    again = paiement.run_payments(sessions, CPAM, date(2025, 6, 15))
    assert again == first and first.versements >= 3
    assert sepa_totals(first.fichier_sepa) == (first.virements, first.total_cents)
    with unit_of_work(sessions) as s:
        mine = dict(
            s.execute(
                select(invalidite.VersementInvalidite.pension_id, invalidite.VersementInvalidite.pension_cents).where(
                    invalidite.VersementInvalidite.pension_id.in_(pensions), invalidite.VersementInvalidite.mois == date(2025, 6, 1)
                )
            ).all()
        )
        assert mine == {pensions[0]: 100_000, pensions[1]: 125_000, pensions[2]: 150_000}  # 50 % × 24 000 / 30 000 / 36 000 ÷ 12
        nets = s.scalars(
            select(invalidite.VersementInvalidite.montant_cents)
            .where(invalidite.VersementInvalidite.pension_id.in_(pensions), invalidite.VersementInvalidite.mois == date(2025, 6, 1))
            .order_by(invalidite.VersementInvalidite.pension_id)
        ).all()
        # no RFR known: taux normal, CSG 8,3 % + CRDS 0,5 % + CASA 0,3 % (L. 136-8 III): 1 000 € → 909 €, 1 250 € → 1 136,25 €
        assert list(nets) == [90_900, 113_625, 136_350]
        marked = s.scalar(
            select(func.coalesce(func.sum(invalidite.VersementInvalidite.montant_cents), 0)).where(
                invalidite.VersementInvalidite.campagne_id == first.campagne_id
            )
        )
        booked = s.scalar(
            select(func.coalesce(func.sum(ledger.LigneEcriture.montant_cents), 0)).where(
                ledger.LigneEcriture.compte == paiement.COMPTE_CHARGE, ledger.LigneEcriture.organisme_code == CPAM
            )
        )
        keys = s.scalar(select(func.count()).select_from(ledger.Ecriture).where(ledger.Ecriture.cle_idempotence.like("invalidite:versement:%:2025-06")))
    assert marked == first.total_cents and keys == first.versements and booked >= marked
    # Revaluation on 1 April 2026 (× 1,008, non vérifié): 1 000 € → 1 008 €.
    april = paiement.run_payments(sessions, CPAM, date(2026, 4, 1))
    with unit_of_work(sessions) as s:
        paid = s.scalar(
            select(invalidite.VersementInvalidite.pension_cents).where(
                invalidite.VersementInvalidite.pension_id == pensions[0], invalidite.VersementInvalidite.mois == date(2026, 4, 1)
            )
        )
    assert paid == 100_800 and sepa_totals(april.fichier_sepa) == (april.virements, april.total_cents)
    with unit_of_work(sessions) as s:
        assert check_invalidite(s) == []  # what `secu verifier` checks


def test_cumul_with_the_dsn_pay_of_the_reference_period(sessions) -> None:  # type: ignore[no-untyped-def]
    """A 1re catégorie pensioner working again: DSN pay from 2025-05 to 2026-04 (13th to 2nd month before June 2026)."""
    pid = _person(sessions, 30, date(1978, 3, 3), "69")
    pension_id = _grant(sessions, pid, categorie=1, date_effet=date(2025, 5, 1), salaires={2021: 3_000_000, 2022: 3_000_000}, departement="69")
    caisse = route("69", "maladie").code
    paiement.run_payments(sessions, caisse, date(2025, 5, 1))
    _dsn(sessions, pid, {date(2025, m, 1): 300_000 for m in range(5, 13)} | {date(2026, m, 1): 300_000 for m in range(1, 5)})
    for month in range(6, 13):
        paiement.run_payments(sessions, caisse, date(2025, month, 1))
    for month in range(1, 7):
        paiement.run_payments(sessions, caisse, date(2026, month, 1))
    with unit_of_work(sessions) as s:
        row = s.scalar(
            select(invalidite.VersementInvalidite).where(
                invalidite.VersementInvalidite.pension_id == pension_id, invalidite.VersementInvalidite.mois == date(2026, 6, 1)
            )
        )
        assert row is not None
        window = s.scalar(
            select(func.sum(invalidite.VersementInvalidite.pension_cents)).where(
                invalidite.VersementInvalidite.pension_id == pension_id,
                invalidite.VersementInvalidite.mois >= date(2025, 5, 1),
                invalidite.VersementInvalidite.mois <= date(2026, 4, 1),
            )
        )
    # R. 341-17: pension 30 % × 30 000 ÷ 12 = 750 €, 756 € from 2026-04-01 (× 1,008): 11 × 750 + 756 = 9 006 € in the window;
    # seuil = SAM 30 000 € (no salary of 2023 known); 9 006 + 12 × 3 000 = 45 006 €, excess 15 006 €, half 7 503 €, a twelfth 625,25 €.
    assert window == 11 * 75_000 + 75_600
    assert (row.pension_cents, row.reduction_cents) == (75_600, 62_525)  # 130,75 € after the cumul
    # withheld on the pension after the cumul, taux normal (no RFR): CSG 10,85 €, CRDS 0,65 €, CASA 0,39 € (half up)
    assert (row.csg_cents, row.crds_cents, row.casa_cents, row.montant_cents) == (1_085, 65, 39, 11_886)


def test_hand_over_at_the_legal_age_and_stop_at_death(sessions) -> None:  # type: ignore[no-untyped-def]
    old = _person(sessions, 40, date(1963, 5, 17), "13")
    pension_old = _grant(sessions, old, salaires={2020: 2_400_000}, departement="13")
    dead = _person(sessions, 41, date(1970, 1, 1), "13")
    pension_dead = _grant(sessions, dead, salaires={2020: 2_400_000}, departement="13")
    caisse = route("13", "maladie").code
    paiement.run_payments(sessions, caisse, date(2025, 5, 1))
    with unit_of_work(sessions) as s:
        record = deces.declarer(s, SYSTEM, deces.DecesIn(personne_id=dead, date_deces=date(2025, 5, 20)))
        assert (record.droit_ouvert, record.situation_retenue, record.capital_cents) == (True, "pension_invalidite", 397_700)
    paiement.run_payments(sessions, caisse, date(2025, 6, 1))
    with unit_of_work(sessions) as s:
        paid = {p for (p,) in s.execute(select(invalidite.VersementInvalidite.pension_id).where(invalidite.VersementInvalidite.mois == date(2025, 6, 1)))}
        conversion = s.scalar(select(invalidite.ConversionRetraite).where(invalidite.ConversionRetraite.pension_id == pension_old))
        assert conversion is not None and (conversion.date_conversion, conversion.derniere_pension_cents) == (date(2025, 6, 1), 100_000)
        assert s.get(invalidite.PensionInvalidite, pension_dead).date_fin == date(2025, 5, 21)  # type: ignore[union-attr]
    assert pension_old not in paid and pension_dead not in paid


def test_capital_deces_decided_in_order_and_paid_once(sessions) -> None:  # type: ignore[no-untyped-def]
    pid = _person(sessions, 50, date(1970, 2, 2))
    _dsn(sessions, pid, {date(2025, 4, 1): 200_000})
    with unit_of_work(sessions) as s:
        record = deces.declarer(s, AGENT, deces.DecesIn(personne_id=pid, date_deces=date(2025, 6, 10)))
        assert (record.droit_ouvert, record.situation_retenue) == (True, "activite_salariee")  # the DSN of April 2025
        deces_id = record.id
        for nom, lien, a_charge, jour in (("Anne", "conjoint", False, 20), ("Léo", "enfant", True, 25), ("Zoé", "enfant", True, 30)):
            deces.demander(
                s, AGENT, deces_id, deces.DemandeCapitalIn(nom="Martin", prenoms=nom, lien=lien, a_charge=a_charge, date_demande=date(2025, 6, jour), iban=IBAN)
            )
    with unit_of_work(sessions) as s:
        out = deces.deces_out(s, deces.decider(s, AGENT, deces_id, deces.DecisionCapitalIn(date_decision=date(2025, 7, 1))))
    assert [(d["prenoms"], d["ordre"], d["montant_cents"]) for d in out["demandes"]] == [
        ("Anne", None, 0),
        ("Léo", "prioritaire", 198_850),
        ("Zoé", "prioritaire", 198_850),
    ]
    first = deces.payer(sessions, AGENT, deces_id, date(2025, 7, 5))
    second = deces.payer(sessions, AGENT, deces_id, date(2025, 7, 9))
    assert first["fichier_sepa"] == second["fichier_sepa"] and sepa_totals(first["fichier_sepa"]) == (2, 397_700)
    with unit_of_work(sessions) as s:
        assert s.scalar(select(func.count()).select_from(deces.VersementCapitalDeces).where(deces.VersementCapitalDeces.deces_id == deces_id)) == 2
        assert (
            s.scalar(
                select(func.sum(ledger.LigneEcriture.montant_cents))
                .join(ledger.Ecriture)
                .where(
                    ledger.Ecriture.cle_idempotence.like("capital_deces:versement:%"),
                    ledger.LigneEcriture.compte == "charges.prestations.capital_deces",
                    ledger.Ecriture.document_source == f"capital décès {deces_id}",
                )
            )
            == 397_700
        )


def test_two_runs_of_a_caisse_at_once_pay_each_pension_once(sessions, database_url) -> None:  # type: ignore[no-untyped-def]
    """The run holds its caisse's claim (secu.core.verrou): the second caller is told « déjà en cours » or gets the result."""
    pensions = [_grant(sessions, _person(sessions, 60 + i, date(1981, 3, 3), "33"), salaires={2020: 2_400_000}, departement="33") for i in range(4)]
    caisse = route("33", "maladie").code
    outcomes = race(database_url, lambda own: paiement.run_payments(own, caisse, date(2025, 6, 1)))
    bilans = [o for o in outcomes if isinstance(o, paiement.Bilan)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(o, Conflict) and "déjà en cours" in o.message for o in refused), refused
    assert bilans and all(b.total_cents == 4 * 90_900 and b.virements == 4 for b in bilans)  # 1 000 € net of CSG, CRDS and CASA (taux normal)
    with unit_of_work(sessions) as s:
        paid = s.scalar(
            select(func.count())
            .select_from(invalidite.VersementInvalidite)
            .where(invalidite.VersementInvalidite.pension_id.in_(pensions), invalidite.VersementInvalidite.mois == date(2025, 6, 1))
        )
        assert paid == 4 and check_invalidite(s) == []


def test_a_run_cut_off_after_its_first_chunk_resumes_and_pays_nothing_twice(sessions, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Chunks commit one by one: a run killed after its first chunk (one pension here) resumes with the others only."""
    pensions = [_grant(sessions, _person(sessions, 70 + i, date(1982, 4, 4), "44"), salaires={2020: 2_400_000}, departement="44") for i in range(3)]
    caisse = route("44", "maladie").code
    monkeypatch.setattr(paiement, "CHUNK", 1)
    campagne = paiement._campagne(caisse, date(2025, 6, 1), date(2025, 7, 1))
    campagne_id = ouvrir(sessions, campagne)
    assert payer_un_lot(sessions, campagne, campagne_id) == 1  # … and the process dies here
    bilan = paiement.run_payments(sessions, caisse, date(2025, 6, 1))
    assert (bilan.campagne_id, bilan.versements, bilan.virements, bilan.total_cents) == (campagne_id, 3, 3, 272_700)  # 3 × 909 €, net of CSG, CRDS, CASA
    assert sepa_totals(bilan.fichier_sepa) == (3, 272_700)
    with unit_of_work(sessions) as s:
        rows = s.scalars(select(invalidite.VersementInvalidite.pension_id).where(invalidite.VersementInvalidite.campagne_id == campagne_id)).all()
        assert sorted(rows) == sorted(pensions) and check_invalidite(s) == []
