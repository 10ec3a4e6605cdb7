"""The conditions d'ouverture checked at liquidation, and the avis received after the arrêt's end, on both databases.

CSS R. 313-3, 1° (the version secu's parameters follow, since décret n° 2015-86): 150 hours of salaried work over
the 3 calendar months before the arrêt, or contributions on pay ≥ 1 015 × the SMIC horaire over the 6 calendar
months before. 2° (beyond the 6th month of arrêt): 12 months of immatriculation and 600 hours, or pay ≥ 2 030 × the
SMIC horaire, over the 12 months before. The hours and pay are those secu keeps from the monthly DSN (the
``remuneration`` rows of the active versions), or those of the attestation de salaire for an employer whose DSN
secu does not have. SMIC horaire: 11,88 € from 2024-11-01, 11,65 € on 2024-01-01 (décrets de revalorisation).

CSS R. 323-12: « La caisse est fondée à refuser le bénéfice des indemnités journalières afférentes à la période
pendant laquelle son contrôle aura été rendu impossible » (cited by Cass. 2e civ., 11 February 2016, n° 14-27.021):
an avis received after the last day it prescribes.
"""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from secu.core import ledger
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.parameters import parameters
from secu.core.security import SYSTEM
from secu.especes import service
from secu.especes.models import ArretTravail, PeriodeIJ
from secu.especes.schemas import AttestationSalaire, SalaireMois
from secu.recouvrement.models import DeclarationDsn, Remuneration
from secu.register import schemas
from secu.register import service as register
from secu.register.models import Personne
from tests.api.conftest import with_key

SIRET = "73282932000074"
AUTRE_SIRET = "73282932000082"  # an establishment whose DSN secu does not have
TODAY = date.today()
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def sessions(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    with unit_of_work(session_factory(engine)) as s:
        register.register_employer(
            s,
            schemas.EmployeurIn(
                siren="732829320",
                raison_sociale="Exemple SA",
                etablissements=[
                    schemas.EtablissementIn(siret=SIRET, code_naf="62.01Z", effectif=30, departement="75"),
                    schemas.EtablissementIn(siret=AUTRE_SIRET, code_naf="62.01Z", effectif=3, departement="75"),
                ],
            ),
            caller=SYSTEM,
        )
    yield session_factory(engine)
    engine.dispose()


def _person(sessions) -> str:  # type: ignore[no-untyped-def]
    n = next(_numbers)
    nir = with_key(f"18505751160{n:02d}")
    with unit_of_work(sessions) as s:
        register.register_person(
            s,
            schemas.PersonneIn(
                nir=nir, nom_naissance=f"Ouverture{n}", prenoms="Paul", date_naissance=date(1985, 5, 14), sexe="1", departement="75", commune="75111"
            ),
            caller=SYSTEM,
            today=TODAY,
        )
    return nir


def _dsn(sessions, nir: str, mois: list[date], brut: int, heures: str | None) -> None:  # type: ignore[no-untyped-def]
    """The person's salary record in the monthly DSN of SIRET for each month (one declaration per month, shared)."""
    with unit_of_work(sessions) as s:
        personne_id = s.scalar(sa.select(Personne.id).where(Personne.nir == nir))
        for m in mois:
            declaration = s.scalar(sa.select(DeclarationDsn).where(DeclarationDsn.siret == SIRET, DeclarationDsn.mois == m))
            if declaration is None:
                declaration = DeclarationDsn(
                    siren=SIRET[:9], siret=SIRET, mois=m, version=1, type_declaration="normale", empreinte=f"test-{m}", format="json", contenu="{}",
                    organisme_code="URSSAF-75", effectif=30, salaries=1, date_exigibilite=m + timedelta(days=45), brut_cents=0,
                    salarial_cents=0, patronal_cents=0, du_urssaf_cents=0,
                )  # fmt: skip
                s.add(declaration)
                s.flush()
            s.add(
                Remuneration(
                    declaration_id=declaration.id, nir=nir, personne_id=personne_id, siret=SIRET, mois=m, brut_cents=brut, heures=heures,
                    cadre=False, salarial_cents=0, patronal_cents=0, net_avant_impot_cents=0,
                )
            )  # fmt: skip


def _mois(debut: date, n: int) -> list[date]:
    return [service.mois_decale(debut, -k) for k in range(n, 0, -1)]


def _arret(sessions, nir: str, numero: str, debut: date, fin: date, *, siret: str = SIRET, heures: str | None = None, **avis) -> None:  # type: ignore[no-untyped-def]
    values = {"numero": numero, "nir": nir, "date_prescription": debut, "date_reception": debut + timedelta(days=1), "debut": debut, "fin": fin} | avis
    with unit_of_work(sessions) as s:
        service.recevoir_avis(s, SYSTEM, service.AvisIn(**values), today=TODAY)
        salaires = [SalaireMois(mois=m, brut=200_000, heures=Decimal(heures) if heures else None) for m in _mois(debut, 3)]
        attestation = AttestationSalaire(
            reference=f"ATT-{numero}", nir=nir, siret=siret, risque="maladie", dernier_jour_travaille=debut - timedelta(days=1), salaires=salaires
        )
        service.recevoir_attestation_salaire(s, attestation)


def _liquidate_and_read(sessions, au: date, nir: str) -> tuple[list[PeriodeIJ], list[dict]]:  # type: ignore[type-arg, no-untyped-def]
    with unit_of_work(sessions) as s:
        service.liquider_periodes(s, au)
    with unit_of_work(sessions) as s:
        periods = list(
            s.scalars(sa.select(PeriodeIJ).join(ArretTravail, ArretTravail.id == PeriodeIJ.arret_id).where(ArretTravail.nir == nir).order_by(PeriodeIJ.debut))
        )
        personne_id = s.scalar(sa.select(Personne.id).where(Personne.nir == nir))
        arrets = service.arrets_of(s, SYSTEM, personne_id)
        s.expunge_all()
    return periods, arrets


def test_enough_hours_in_the_dsn_open_the_ij_though_the_pay_alone_would_not(sessions) -> None:  # type: ignore[no-untyped-def]
    nir = _person(sessions)
    debut = date(2025, 6, 2)
    # a full-time SMIC: 151,67 h and 1 801,80 € a month. Pay over Dec. 2024 - May 2025 (3 months known) = 5 405,40 €,
    # under 1 015 × 11,88 € = 12 058,20 €; but 455 h ≥ 150 over March - May 2025: R. 313-3, 1° is met by the hours.
    _dsn(sessions, nir, _mois(debut, 3), 180_180, "151.67")
    _arret(sessions, nir, "OUV-OK", debut, date(2025, 6, 15))
    periods, arrets = _liquidate_and_read(sessions, date(2025, 6, 30), nir)
    [period] = periods
    assert (period.jours_carence, period.jours_indemnises, period.motif_refus) == (3, 11, None)
    assert period.brut_cents == 11 * 3288
    steps = json.loads(period.explication)
    assert any(step["etape"] == "Conditions d'ouverture des droits remplies" and "R. 313-3" in step["reference"] for step in steps)
    assert arrets[0]["motifs"] == ["3 jour(s) de carence non indemnisé(s) (CSS R. 323-1, 1°)"]


def test_too_few_hours_and_too_little_pay_refuse_the_ij_with_the_motif_of_r_313_3(sessions) -> None:  # type: ignore[no-untyped-def]
    nir = _person(sessions)
    debut = date(2025, 6, 2)
    # 40 h and 500 € a month over the 6 months: 120 h < 150, 3 000 € < 12 058,20 €
    _dsn(sessions, nir, _mois(debut, 6), 50_000, "40")
    _arret(sessions, nir, "OUV-KO", debut, date(2025, 6, 22))
    periods, arrets = _liquidate_and_read(sessions, date(2025, 6, 30), nir)
    assert [(p.debut, p.fin) for p in periods] == [(debut, date(2025, 6, 15)), (date(2025, 6, 16), date(2025, 6, 22))]
    assert all(p.jours_indemnises == 0 and p.brut_cents == 0 and p.net_cents == 0 for p in periods)
    assert [p.motif_refus for p in periods] == ["conditions_ouverture"] * 2
    assert [p.jours_hors_droits for p in periods] == [11, 7]
    assert all("R. 313-3, 1°" in m for p in arrets[0]["periodes"] for m in p["motifs_refus"])
    assert arrets[0]["motifs"][1].startswith("18 jour(s) non indemnisé(s) : conditions d'ouverture des droits non remplies, CSS art. R. 313-3, 1°")
    with unit_of_work(sessions) as s:  # nothing owed, nothing booked
        booked = s.scalar(
            sa.select(sa.func.count(ledger.Ecriture.id)).where(ledger.Ecriture.cle_idempotence.in_([f"especes:liquidation:{p.id}" for p in periods]))
        )
    assert booked == 0


def test_an_employer_without_dsn_in_secu_the_attestations_hours_and_pay_are_read(sessions) -> None:  # type: ignore[no-untyped-def]
    debut = date(2025, 6, 2)
    sans_heures, peu, assez = _person(sessions), _person(sessions), _person(sessions)
    _arret(sessions, sans_heures, "OUV-ATT-0", debut, date(2025, 6, 15), siret=AUTRE_SIRET)
    _arret(sessions, peu, "OUV-ATT-1", debut, date(2025, 6, 15), siret=AUTRE_SIRET, heures="30")  # 90 h; 6 000 € over the 6 months
    _arret(sessions, assez, "OUV-ATT-2", debut, date(2025, 6, 15), siret=AUTRE_SIRET, heures="60")  # 180 h
    [p0], _ = _liquidate_and_read(sessions, date(2025, 6, 30), sans_heures)
    [p1], _ = _liquidate_and_read(sessions, date(2025, 6, 30), peu)
    [p2], _ = _liquidate_and_read(sessions, date(2025, 6, 30), assez)
    # nothing known beyond the attestation's pay: not checked, paid, and the period says so
    assert (p0.jours_indemnises, p0.motif_refus) == (11, None)
    assert json.loads(p0.explication)[0]["etape"].startswith("Conditions d'ouverture non vérifiées")
    assert (p1.jours_indemnises, p1.brut_cents, p1.motif_refus) == (0, 0, "conditions_ouverture")
    assert (p2.jours_indemnises, p2.motif_refus) == (11, None)


def test_beyond_six_months_the_12_month_conditions_are_checked(sessions) -> None:  # type: ignore[no-untyped-def]
    debut, fin = date(2025, 1, 6), date(2025, 8, 31)
    courte, longue = _person(sessions), _person(sessions)
    # both: 151,67 h a month in Oct. - Dec. 2024 (1° met). Only the second worked the 12 months (1 820 h ≥ 600).
    _dsn(sessions, courte, _mois(debut, 3), 180_180, "151.67")
    _dsn(sessions, longue, _mois(debut, 12), 180_180, "151.67")
    _arret(sessions, courte, "OUV-6M-1", debut, fin)
    _arret(sessions, longue, "OUV-6M-2", debut, fin)
    short, arrets = _liquidate_and_read(sessions, date(2025, 9, 30), courte)
    whole, _ = _liquidate_and_read(sessions, date(2025, 9, 30), longue)
    # R. 313-3, 2°: 455 h < 600 and 5 405,40 € < 2 030 × 11,65 € (SMIC of 2024-01-01) → no IJ after the 6th month
    # (the days from 6 July 2025); every day before is paid
    dernier = date(2025, 7, 5)
    assert sum(p.jours_indemnises for p in short) == (dernier - debut).days + 1 - 3
    assert all(p.motif_refus is None for p in short if p.fin <= dernier)
    assert all(p.motif_refus == "conditions_au_dela_6_mois" and p.jours_indemnises == 0 for p in short if p.debut > dernier)
    assert sum(p.jours_hors_droits for p in short) == (fin - dernier).days
    assert any("R. 313-3, 2°" in m for m in arrets[0]["motifs"])
    assert sum(p.jours_indemnises for p in whole) == (fin - debut).days + 1 - 3 and all(p.motif_refus is None for p in whole)


def test_an_avis_received_after_the_arrets_end_is_refused_for_the_days_the_caisse_could_not_control(sessions) -> None:  # type: ignore[no-untyped-def]
    value = parameters().get("avis_arret.refus_controle_impossible").at(date(2025, 3, 3))
    assert value.number() == 1 and "R. 323-12" in (value.reference or "")
    nir, excuse = _person(sessions), _person(sessions)
    debut = date(2025, 3, 3)
    # the initial avis (3-9 March) reaches the caisse on 12 March, after its last day; the prolongation is on time
    _arret(sessions, nir, "OUV-R32312", debut, date(2025, 3, 9), date_reception=date(2025, 3, 12))
    with unit_of_work(sessions) as s:
        suite = service.AvisIn(
            numero="OUV-R32312-P", nature="prolongation", arret_numero="OUV-R32312", nir=nir, date_prescription=date(2025, 3, 9),
            date_reception=date(2025, 3, 10), debut=date(2025, 3, 10), fin=date(2025, 3, 16),
        )  # fmt: skip
        service.recevoir_avis(s, SYSTEM, suite, today=TODAY)
    _arret(sessions, excuse, "OUV-R32312-H", debut, date(2025, 3, 9), date_reception=date(2025, 3, 12), empechement=True)
    [period], arrets = _liquidate_and_read(sessions, date(2025, 3, 31), nir)
    [excused], _ = _liquidate_and_read(sessions, date(2025, 3, 31), excuse)
    # days 1-3 carence; days 4-7 (6-9 March) refused: 4 × 32,88 €; days 8-14 (the prolongation) paid: 7 × 32,88 €
    assert (period.jours_carence, period.jours_indemnises, period.jours_refuses) == (3, 7, 4)  # refused days are not indemnified (nor count towards the 360)
    assert period.refus_cents == 4 * 3288 and period.brut_cents == 7 * 3288 and period.reduction_cents == 0
    assert period.motif_refus == "controle_impossible" and period.net_cents == period.brut_cents - period.csg_cents - period.crds_cents
    assert period.csg_cents == (7 * 3288 * 62 + 500) // 1000
    assert [a["controle_impossible"] for a in arrets[0]["avis"]] == [True, False]
    assert any("R. 323-12" in m and "4 jour(s)" in m for m in arrets[0]["motifs"])
    assert any("R. 323-12" in (step["reference"] or "") and step["montant_cents"] == -4 * 3288 for step in json.loads(period.explication))
    # in hospital (or unable to send it): late, no sanction of D. 323-2, and not refused
    assert (excused.jours_refuses, excused.jours_indemnises, excused.motif_refus) == (0, 4, None)
