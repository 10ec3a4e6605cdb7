"""CSG, CRDS and CASA withheld on the pensions d'invalidité (issue 13 §5), to the cent.

Rates: CSG 3,8 % / 6,6 % / 8,3 % on pensions de retraite et d'invalidité (CSS L. 136-8, III), CRDS 0,5 %
(ordonnance n° 96-50, art. 14 et 19), CASA 0,3 % at the médian and normal rates (CASF L. 14-10-4, 2°); the 2025
RFR thresholds (N-2 = 2023 income) for one part: 12 817 € / 16 755 € / 26 004 €, + 3 422 € / 4 474 € / 6 941 € per
additional half-part (openfisca-france csg/remplacement/pensions_retraite_invalidite; service-public.fr's CSG
table for retirees). The payment run on SQLite and PostgreSQL: the SEPA file pays the net, the ledger entry
books the gross charge and the withholdings owed to the URSSAF, the CADES and the CNSA, balanced.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from sqlalchemy import func, select

from secu.core import ledger
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.errors import InvalidField
from secu.core.security import Caller, Role
from secu.especes import invalidite
from secu.especes import paiement_invalidite as paiement
from secu.especes.rules import prelevements_pension
from secu.organismes import route
from secu.verification import grand_livre, sepa_totals
from secu.verification import invalidite as check_invalidite
from tests.especes.test_invalidite_service import _grant, _person

MARS_2025 = date(2025, 3, 1)


def _one(**columns: object) -> dict[str, object]:
    row = {"montant": 123_457, "mois": MARS_2025} | columns
    return prelevements_pension(pl.DataFrame({k: [v] for k, v in row.items()})).row(0, named=True)


def test_worked_example_each_category_to_the_cent() -> None:
    # 1 234,57 € gross. Taux normal: CSG 8,3 % = 102,469 31 → 102,47; CRDS 0,5 % = 6,172 85 → 6,17; CASA 0,3 % = 3,703 71 → 3,70.
    normal = _one(categorie_csg="normal")
    assert (normal["csg"], normal["crds"], normal["casa"], normal["net"]) == (10_247, 617, 370, 112_223)
    # Taux médian: CSG 6,6 % = 81,481 62 → 81,48; CRDS and CASA as above.
    median = _one(categorie_csg="median")
    assert (median["csg"], median["crds"], median["casa"], median["net"]) == (8_148, 617, 370, 114_322)
    # Taux réduit: CSG 3,8 % = 46,913 66 → 46,91; CRDS 6,17; no CASA (L. 14-10-4 2° targets the 6,6 % and 8,3 % rates only).
    reduit = _one(categorie_csg="reduit")
    assert (reduit["csg"], reduit["crds"], reduit["casa"], reduit["net"]) == (4_691, 617, 0, 118_149)
    # Exonérée: nothing withheld (no CSG, hence no CRDS nor CASA).
    exoneree = _one(categorie_csg="exoneree")
    assert (exoneree["csg"], exoneree["crds"], exoneree["casa"], exoneree["net"]) == (0, 0, 0, 123_457)
    assert str(normal["crds_taux_reference"]).startswith("Ordonnance n° 96-50")


def test_the_category_from_the_rfr_and_the_parts_thresholds_included() -> None:
    # One part, 2025: ≤ 12 817 € exonérée, ≤ 16 755 € réduit, ≤ 26 004 € médian, above normal; "n'excède pas": equal stays below.
    assert _one(rfr=1_281_700, parts=1.0)["categorie_csg"] == "exoneree"
    assert _one(rfr=1_281_701, parts=1.0)["categorie_csg"] == "reduit"
    assert _one(rfr=1_675_500, parts=1.0)["categorie_csg"] == "reduit"
    assert _one(rfr=2_600_400, parts=1.0)["categorie_csg"] == "median"
    assert _one(rfr=2_600_401, parts=1.0)["categorie_csg"] == "normal"
    # Two parts (two more half-parts): 12 817 + 2 × 3 422 = 19 661 €; 16 755 + 2 × 4 474 = 25 703 €; 26 004 + 2 × 6 941 = 39 886 €.
    assert _one(rfr=1_966_100, parts=2.0)["categorie_csg"] == "exoneree"
    assert _one(rfr=2_570_300, parts=2.0)["categorie_csg"] == "reduit"
    assert _one(rfr=3_988_600, parts=2.0)["categorie_csg"] == "median"
    assert _one(rfr=3_988_601, parts=2.0)["categorie_csg"] == "normal"
    # 1,25 part (a quarter part): half a half-part, 12 817 + 1 711 = 14 528 €.
    assert _one(rfr=1_452_800, parts=1.25)["categorie_csg"] == "exoneree"
    assert _one(rfr=1_452_801, parts=1.25)["categorie_csg"] == "reduit"
    # 2024 thresholds apply in 2024 (12 230 € for one part): 12 500 € is réduit in 2024, exonérée in 2025.
    assert _one(rfr=1_250_000, parts=1.0, mois=date(2024, 6, 1))["categorie_csg"] == "reduit"
    assert _one(rfr=1_250_000, parts=1.0)["categorie_csg"] == "exoneree"
    # A known category wins over the RFR; nothing known: the taux normal, flagged.
    assert _one(categorie_csg="reduit", rfr=9_000_000, parts=1.0)["categorie_csg"] == "reduit"
    unknown = _one()
    assert (unknown["categorie_csg"], unknown["categorie_defaut"], unknown["net"]) == ("normal", True, 112_223)


@pytest.mark.parametrize(
    ("columns", "field"),
    [
        ({"categorie_csg": "plein"}, "categorie_csg"),
        ({"rfr": -1, "parts": 1.0}, "rfr"),
        ({"rfr": 100, "parts": 0.5}, "parts"),
        ({"rfr": 100, "parts": 1.1}, "parts"),
        ({"montant": -1}, "montant"),
    ],
)
def test_bad_input_names_the_field(columns: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidField) as error:
        _one(**columns)
    assert error.value.field == field


@pytest.fixture(scope="module")
def sessions(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def test_the_run_pays_the_net_and_books_the_withholdings_to_their_attributaires(sessions) -> None:  # type: ignore[no-untyped-def]
    caisse = route("75", "maladie").code
    agent = Caller(user_id=None, role=Role.AGENT, organisme_code=caisse)
    # four 1 000 € pensions (50 % × 24 000 € ÷ 12): taux normal by default, réduit by category, médian and exonérée by RFR
    pensions = [_grant(sessions, _person(sessions, 90 + i, date(1980, 1, 2)), salaires={2020: 2_400_000}) for i in range(4)]
    with unit_of_work(sessions) as s:
        invalidite.situation_csg(s, agent, pensions[1], categorie_csg="reduit")
        invalidite.situation_csg(s, agent, pensions[2], rfr_cents=2_000_000, parts=Decimal("1"))
        invalidite.situation_csg(s, agent, pensions[3], rfr_cents=1_900_000, parts=Decimal("2"))
    with unit_of_work(sessions) as s, pytest.raises(InvalidField) as error:
        invalidite.situation_csg(s, agent, pensions[0], rfr_cents=2_000_000)
    assert error.value.field == "parts"
    bilan = paiement.run_payments(sessions, caisse, date(2025, 6, 1))
    # normal 1 000 − 83 − 5 − 3 = 909 €; réduit 1 000 − 38 − 5 = 957 €; médian 1 000 − 66 − 5 − 3 = 926 €; exonérée 1 000 €
    assert (bilan.virements, bilan.total_cents) == (4, 90_900 + 95_700 + 92_600 + 100_000)
    assert sepa_totals(bilan.fichier_sepa) == (4, bilan.total_cents)
    with unit_of_work(sessions) as s:
        rows = {
            v.pension_id: v for v in s.scalars(select(invalidite.VersementInvalidite).where(invalidite.VersementInvalidite.campagne_id == bilan.campagne_id))
        }
        got = [(rows[p].csg_cents, rows[p].crds_cents, rows[p].casa_cents, rows[p].montant_cents) for p in pensions]
        assert got == [(8_300, 500, 300, 90_900), (3_800, 500, 0, 95_700), (6_600, 500, 300, 92_600), (0, 0, 0, 100_000)]
        steps = json.loads(rows[pensions[0]].explication)
        labels = [(step["etape"], step["reference"]) for step in steps]
        assert any(lib.startswith("CSG (8,3") and "L. 136-8" in (ref or "") for lib, ref in labels)
        assert any(lib.startswith("CRDS (0,5") and "96-50" in (ref or "") for lib, ref in labels)
        assert any(lib.startswith("CASA (0,3") and "L. 14-10-4" in (ref or "") for lib, ref in labels)
        assert steps[-1]["montant_cents"] == 90_900 and "taux normal appliqué" in json.dumps(steps, ensure_ascii=False)
        accounts = dict(
            s.execute(
                select(ledger.LigneEcriture.compte, func.sum(ledger.LigneEcriture.montant_cents))
                .join(ledger.Ecriture, ledger.Ecriture.id == ledger.LigneEcriture.ecriture_id)
                .where(ledger.Ecriture.document_source == f"campagne invalidité {bilan.campagne_id}")
                .group_by(ledger.LigneEcriture.compte)
            ).all()
        )
        assert accounts == {
            paiement.COMPTE_CHARGE: 400_000,
            "tresorerie.virements_emis": -bilan.total_cents,
            "dettes.attributaires.csg": -(8_300 + 3_800 + 6_600),
            "dettes.attributaires.cades": -1_500,
            "dettes.attributaires.cnsa": -600,
        }
        assert grand_livre(s) == [] and check_invalidite(s) == []
        assert invalidite.lire_pension(s, agent, pensions[1], date(2025, 6, 1))["versements"][0]["csg_cents"] == 3_800


def test_the_rfr_received_late_revises_the_months_already_paid_and_the_next_payment_refunds_them(sessions) -> None:  # type: ignore[no-untyped-def]
    # A 1 000 € pension (50 % × 24 000 € ÷ 12) paid for January and February 2026 at the taux normal, the RFR unknown:
    # 83 € of CSG (8,3 %), 5 € of CRDS, 3 € of CASA each month (service-public.fr F2971's rates). Its RFR of 2024 then
    # arrives: 12 000 € for one part, at most the 2026 exonération threshold (13 048 €): exonérée for 2026 (L. 136-8,
    # III). The contributions are due for the month the pension pays (CSS L. 136-1, R. 242-1): March's payment pays
    # March without any, and gives back the 2 × 91 € withheld on January and February: 1 000 € + 182 € = 1 182 €.
    caisse = route("75", "maladie").code
    agent = Caller(user_id=None, role=Role.AGENT, organisme_code=caisse)
    pension = _grant(sessions, _person(sessions, 120, date(1981, 3, 4)), salaires={2020: 2_400_000})
    for month in (date(2026, 1, 1), date(2026, 2, 1)):
        paiement.run_payments(sessions, caisse, month)
    with unit_of_work(sessions) as s:
        invalidite.situation_csg(s, agent, pension, rfr_cents=1_200_000, parts=Decimal("1"))
    mars = paiement.run_payments(sessions, caisse, date(2026, 3, 1))
    avril = paiement.run_payments(sessions, caisse, date(2026, 4, 1))
    with unit_of_work(sessions) as s:
        paid = {v.mois: v for v in s.scalars(select(invalidite.VersementInvalidite).where(invalidite.VersementInvalidite.pension_id == pension))}
        assert [(paid[m].csg_cents, paid[m].crds_cents, paid[m].casa_cents, paid[m].montant_cents) for m in sorted(paid)][:3] == [
            (8_300, 500, 300, 90_900), (8_300, 500, 300, 90_900), (-16_600, -1_000, -600, 118_200)]  # fmt: skip
        avril_paye = paid[date(2026, 4, 1)]  # revalued on 1 April; exonérée, nothing left to give back
        assert (avril_paye.csg_cents, avril_paye.montant_cents) == (0, avril_paye.pension_cents)
        steps = json.loads(paid[date(2026, 3, 1)].explication)
        assert any(step["etape"].startswith("Régularisation des prélèvements des mois déjà payés (01/2026 à 02/2026)") for step in steps)
        assert [step["montant_cents"] for step in steps if "remboursée sur ces mois" in step["etape"]] == [16_600, 1_000, 600]
        assert steps[-1]["montant_cents"] == 118_200 and "L. 136-1" in json.dumps(steps, ensure_ascii=False)
        # the debts to the URSSAF, the CADES and the CNSA are reduced by what is given back: over the three months, nothing owed
        owed = dict(
            s.execute(
                select(ledger.LigneEcriture.compte, func.sum(ledger.LigneEcriture.montant_cents))
                .join(ledger.Ecriture, ledger.Ecriture.id == ledger.LigneEcriture.ecriture_id)
                .where(ledger.Ecriture.cle_idempotence.in_([f"invalidite:versement:{pension}:2026-0{m}" for m in (1, 2, 3)]))
                .group_by(ledger.LigneEcriture.compte)
            ).all()
        )
        assert owed == {paiement.COMPTE_CHARGE: 300_000, "tresorerie.virements_emis": -300_000, "dettes.attributaires.csg": 0,
                        "dettes.attributaires.cades": 0, "dettes.attributaires.cnsa": 0}  # fmt: skip
        assert grand_livre(s) == [] and check_invalidite(s) == []
    assert sepa_totals(mars.fichier_sepa)[1] >= 118_200 and avril.total_cents >= 100_000
    # the run again: nothing refunded twice
    assert paiement.run_payments(sessions, caisse, date(2026, 3, 1)) == mars


def test_a_higher_rate_recorded_later_is_recovered_on_the_next_payment(sessions) -> None:  # type: ignore[no-untyped-def]
    # Recorded exonérée (the tax administration's category), then its RFR shows 30 000 € for one part: above the 2026
    # taux médian threshold (26 470 €), taux normal. January was paid without contributions: February withholds its own
    # 91 € and January's 91 € (8,3 % + 0,5 % + 0,3 % of 1 000 €): 1 000 − 182 = 818 €.
    caisse = route("13", "maladie").code
    agent = Caller(user_id=None, role=Role.AGENT, organisme_code=caisse)
    pension = _grant(sessions, _person(sessions, 121, date(1979, 5, 6), departement="13"), salaires={2020: 2_400_000}, departement="13")
    with unit_of_work(sessions) as s:
        invalidite.situation_csg(s, agent, pension, categorie_csg="exoneree")
    paiement.run_payments(sessions, caisse, date(2026, 1, 1))
    with unit_of_work(sessions) as s:
        invalidite.situation_csg(s, agent, pension, rfr_cents=3_000_000, parts=Decimal("1"))
    paiement.run_payments(sessions, caisse, date(2026, 2, 1))
    with unit_of_work(sessions) as s:
        paid = {v.mois: v for v in s.scalars(select(invalidite.VersementInvalidite).where(invalidite.VersementInvalidite.pension_id == pension))}
        assert [(paid[m].csg_cents, paid[m].crds_cents, paid[m].casa_cents, paid[m].montant_cents) for m in sorted(paid)] == [
            (0, 0, 0, 100_000), (16_600, 1_000, 600, 81_800)]
        steps = json.loads(paid[date(2026, 2, 1)].explication)
        assert [step["montant_cents"] for step in steps if "récupérée sur ces mois" in step["etape"]] == [8_300, 500, 300]
        assert grand_livre(s) == [] and check_invalidite(s) == []
