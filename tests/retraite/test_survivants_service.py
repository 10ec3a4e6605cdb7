"""The réversion, the allocation veuvage and the ASPA as services, end to end, on SQLite and PostgreSQL (issue 14 §4).

Claim → instruction by the caisse retraite of the claimant's residence → decision and letter → monthly payment in the
caisse's one run (beside the pensions de droit propre) → revision of the resources → end; for the ASPA, the FSV's
books and the recovery on the estate. Sources of the amounts (the worked examples of the rules' own tests):

* réversion: 54 % of the deceased's pension (CSS art. D. 353-1; ppc-conseils.fr: 1 000 € → 540 €), here a pension
  of 15 000 € a year (the full career of test_demande_service.py: SAM 30 000 € × 50 %) → 8 100 € a year, 675 € a
  month; the 2025 ceiling of 2 080 × 11,88 € = 24 710,40 € (D. 353-1-1; circulaire Cnav 2012/4's formula) and the
  écrêtement by the excess (L. 353-1 al. 4): resources of 4 500 € a quarter, 18 000 € a year, + 8 100 € exceed the
  ceiling by 1 389,60 € → 6 710,40 € a year, 559,20 € a month; CSG 8,3 %, CRDS 0,5 %, CASA 0,3 % as on pensions
  (L. 136-8 III; test_paiement_retraite.py): 675 € → 56,03 + 3,38 + 2,03 € withheld, 613,56 € net;
* allocation veuvage: 713,17 € a month in 2025, 558,13 € with 1 000 € of resources in the quarter
  (la-retraite-en-clair.fr: ceiling 3,75 × the amount, the excess taken off a third a month); two years from the
  month of the death under 50 (D. 356-5);
* ASPA: service-public.fr 2025, alone, 1 034,28 € less 600 € of monthly resources = 434,28 € a month; the recovery on
  an estate of 130 000 € above the 2025 threshold of 107 616,60 € (affairesinternationales.fr), within the ASPA paid.
"""

from __future__ import annotations

from datetime import date
from itertools import count

import pytest
import sqlalchemy as sa

from secu.core import ledger
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.errors import Conflict, InvalidField
from secu.core.security import SYSTEM, Caller, JournalAcces, Role
from secu.organismes import route
from secu.register import schemas, service
from secu.retraite import demande as retraite
from secu.retraite import paiement
from secu.retraite import survivants as sv
from secu.retraite.models_pension import PensionRetraite, VersementRetraite
from secu.retraite.models_survivants import DemandeSolidarite, NotificationSolidarite, PrestationSolidarite, VersementSolidarite
from secu.verification import retraite as check_retraite
from secu.verification import sepa_totals
from tests.api.conftest import with_key

IBAN = "FR7630006000011234567890189"
COMMUNES = {"31": "31555", "45": "45234", "87": "87085", "59": "59350"}
TODAY = date(2026, 12, 1)
_NUMEROS = count(1)


@pytest.fixture(scope="module")
def sessions(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def _agent(departement: str) -> Caller:
    return Caller(user_id=None, role=Role.AGENT, organisme_code=route(departement, "retraite").code)


def _person(sessions, departement: str, born: date, sexe: str = "2") -> int:  # type: ignore[no-untyped-def]
    index = next(_NUMEROS)
    with unit_of_work(sessions) as s:
        return service.register_person(s, schemas.PersonneIn(
            nir=with_key(f"{sexe}{born:%y}{born:%m}{COMMUNES[departement]}{index:03d}"), nom_naissance=f"Survivant{index}", prenoms="Marie",
            date_naissance=born, sexe=sexe, departement=departement, commune=COMMUNES[departement]), caller=SYSTEM, today=date(2024, 1, 1)).id


def _deces(sessions, personne: int, jour: date) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        service.change_person(s, personne, schemas.PersonneChange(date_deces=jour), caller=SYSTEM, today=TODAY)


def _retraite(sessions, departement: str, personne: int, date_effet: date) -> int:  # type: ignore[no-untyped-def]
    """The deceased's pension de droit propre: 15 000 € a year (SAM 30 000 € at 50 %, 168/168)."""
    agent = _agent(departement)
    with unit_of_work(sessions) as s:
        demande = retraite.demander(s, agent, retraite.DemandeIn(personne_id=personne, date_demande=date_effet, date_effet=date_effet, iban=IBAN),
                                    today=TODAY)
        retraite.instruire(s, agent, demande.id, retraite.InstructionIn(sam_cents=3_000_000, trimestres_rg=168))
        retraite.decider(s, agent, demande.id, retraite.DecisionIn(decision="attribution", date_decision=date_effet))
        pension = s.scalar(sa.select(PensionRetraite.id).where(PensionRetraite.demande_id == demande.id))
    assert pension is not None
    return pension


def _demander(sessions, caller: Caller | None = None, **values) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        return sv.demander(s, caller or Caller(user_id=None, role=Role.ASSURE, personne_id=values["personne_id"]),
                           sv.DemandeSolidariteIn(iban=IBAN, **values), today=TODAY).id


def _instruire_et_attribuer(sessions, departement: str, demande: int, jour: date, **instruction) -> int:  # type: ignore[no-untyped-def]
    agent = _agent(departement)
    with unit_of_work(sessions) as s:
        sv.instruire(s, agent, demande, sv.InstructionSolidariteIn(**instruction))
        sv.decider(s, agent, demande, sv.DecisionSolidariteIn(decision="attribution", date_decision=jour))
        prestation = s.scalar(sa.select(PrestationSolidarite.id).where(PrestationSolidarite.demande_id == demande))
    assert prestation is not None
    return prestation


def _versements(sessions, prestation: int) -> list[tuple[date, int, int]]:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        return [(v.mois, v.brut_cents, v.net_cents) for v in s.scalars(
            sa.select(VersementSolidarite).where(VersementSolidarite.prestation_id == prestation).order_by(VersementSolidarite.mois))]


def test_reversion_from_the_claim_to_the_payment_run_with_the_droit_propre_then_revised(sessions) -> None:  # type: ignore[no-untyped-def]
    defunt = _person(sessions, "31", date(1961, 3, 10), sexe="1")
    pension = _retraite(sessions, "31", defunt, date(2025, 4, 1))
    conjoint = _person(sessions, "31", date(1962, 3, 2))
    caisse = route("31", "retraite").code

    with pytest.raises(InvalidField) as error:  # no death recorded yet
        _demander(sessions, nature="reversion", personne_id=conjoint, defunt_id=defunt, date_demande=date(2025, 6, 20))
    assert error.value.field == "defunt_id" and "décès" in error.value.message
    _deces(sessions, defunt, date(2025, 6, 10))
    with pytest.raises(InvalidField) as error:  # R. 353-7: within the year of the death, the month after the death at the earliest
        _demander(sessions, nature="reversion", personne_id=conjoint, defunt_id=defunt, date_demande=date(2025, 6, 20), date_effet=date(2025, 6, 1))
    assert error.value.field == "date_effet" and "R. 353-7" in error.value.message
    demande = _demander(sessions, nature="reversion", personne_id=conjoint, defunt_id=defunt, date_demande=date(2025, 6, 20), date_effet=date(2025, 7, 1))
    assert _demander(sessions, nature="reversion", personne_id=conjoint, defunt_id=defunt, date_demande=date(2025, 6, 20),
                     date_effet=date(2025, 7, 1)) == demande  # the same claim twice is one

    with unit_of_work(sessions) as s:
        file = sv.file_caisse(s, _agent("31"))
        assert demande in [d.id for d in file] and s.get(DemandeSolidarite, demande).organisme_code == caisse  # type: ignore[union-attr]
        with pytest.raises(Exception) as refus:  # another caisse's agent
            sv.lire_demande(s, _agent("87"), demande)
        assert refus.typename == "Forbidden"
    prestation = _instruire_et_attribuer(sessions, "31", demande, date(2025, 7, 20))
    with unit_of_work(sessions) as s:
        out = sv.lire_prestation(s, _agent("31"), prestation)
        assert out["montants"][0]["montant_mensuel_cents"] == 675_00  # 54 % of 15 000 €, a twelfth
        assert out["date_montant_definitif"] == date(2029, 3, 2)  # no own pensions yet: at 67 (R. 353-1-1)
        lettre = s.scalars(sa.select(NotificationSolidarite).where(NotificationSolidarite.demande_id == demande)).one()
        assert "Attribution de votre pension de réversion" in lettre.objet
        assert sv.lettre_pdf(sv.lire_notification(s, Caller(user_id=None, role=Role.ASSURE, personne_id=conjoint), lettre.id)).startswith(b"%PDF")

    # The caisse's one run for July 2025 pays a living pensioner's droit propre and the réversion, once each; the deceased's
    # pension ended with the month of his death (what it still owed is the heirs').
    vivant = _retraite(sessions, "31", _person(sessions, "31", date(1961, 3, 10)), date(2025, 7, 1))
    bilan = paiement.run_payments(sessions, caisse, date(2025, 8, 9), today=TODAY)
    assert (bilan.pensions, bilan.mois_payes, bilan.prestations, bilan.mois_prestations) == (1, 1, 1, 1)
    assert paiement.run_payments(sessions, caisse, date(2025, 8, 9), today=TODAY) == bilan  # twice is once
    assert _versements(sessions, prestation) == [(date(2025, 7, 1), 675_00, 675_00 - 56_03 - 3_38 - 2_03)]
    with unit_of_work(sessions) as s:
        assert [v.mois for v in s.scalars(sa.select(VersementRetraite).where(VersementRetraite.pension_id == vivant))] == [date(2025, 7, 1)]
        assert s.scalar(sa.select(sa.func.count(VersementRetraite.id)).where(VersementRetraite.pension_id == pension)) == 0
        assert s.get(PensionRetraite, pension).date_fin == date(2025, 7, 1)  # type: ignore[union-attr]
        assert check_retraite(s) == []
    assert sepa_totals(bilan.fichier_sepa) == (2, bilan.total_cents)

    # New resources from October: 4 500 € a quarter → écrêtée to 559,20 €; the same revision twice is one.
    revision = sv.RevisionIn(a_compter_du=date(2025, 10, 1), date_revision=date(2025, 9, 15), autres_ressources_3_mois=4_500_00)
    with unit_of_work(sessions) as s:
        assert sv.reviser(s, _agent("31"), prestation, revision).montant_mensuel_cents == 559_20
    with unit_of_work(sessions) as s:
        sv.reviser(s, _agent("31"), prestation, revision)
        with pytest.raises(InvalidField) as error:  # after the final amount, no revision
            sv.reviser(s, _agent("31"), prestation, sv.RevisionIn(a_compter_du=date(2029, 4, 1), date_revision=date(2029, 3, 20)))
        assert error.value.field == "a_compter_du" and "définitif" in error.value.message
    paiement.run_payments(sessions, caisse, date(2025, 11, 9), today=TODAY)  # October
    assert [(m, b) for m, b, _ in _versements(sessions, prestation)] == [
        (date(2025, 7, 1), 675_00), (date(2025, 8, 1), 675_00), (date(2025, 9, 1), 675_00), (date(2025, 10, 1), 559_20)]


def test_reversion_of_a_deceased_not_yet_retired_and_shared_with_an_ex_spouse(sessions) -> None:  # type: ignore[no-untyped-def]
    defunt = _person(sessions, "31", date(1961, 1, 5), sexe="1")
    conjoint = _person(sessions, "31", date(1963, 2, 1))
    _deces(sessions, defunt, date(2025, 3, 3))
    demande = _demander(sessions, nature="reversion", personne_id=conjoint, defunt_id=defunt, date_demande=date(2025, 3, 20), duree_mariage_mois=372)
    with unit_of_work(sessions) as s, pytest.raises(InvalidField) as error:
        sv.instruire(s, _agent("31"), demande, sv.InstructionSolidariteIn())
    assert error.value.field == "pension_defunt_cents"
    # ppc-conseils.fr: a pension of 1 000 € a month, marriages of 134 and 372 months → 397 € for the 372 months (L. 353-3)
    with unit_of_work(sessions) as s:
        sv.instruire(s, _agent("31"), demande, sv.InstructionSolidariteIn(pension_defunt_cents=12_000_00, trimestres_defunt=160,
                                                                          duree_mariages_total_mois=506))
        resultat = sv.demande_out(s, s.get(DemandeSolidarite, demande))  # type: ignore[arg-type]
    assert resultat["date_effet"] == date(2025, 4, 1)  # by default the first day of the month after the claim
    assert (resultat["instruction"]["montant_mensuel_cents"] + 50) // 100 == 397  # the source rounds to the euro


def test_allocation_veuvage_paid_two_years_then_over(sessions) -> None:  # type: ignore[no-untyped-def]
    defunt = _person(sessions, "45", date(1979, 1, 1), sexe="1")
    conjoint = _person(sessions, "45", date(1980, 6, 1))
    _deces(sessions, defunt, date(2025, 2, 10))
    demande = _demander(sessions, nature="veuvage", personne_id=conjoint, defunt_id=defunt, date_demande=date(2025, 3, 20),
                        date_effet=date(2025, 2, 1), ressources_trimestre=1_000_00)
    with unit_of_work(sessions) as s, pytest.raises(InvalidField) as error:
        sv.instruire(s, _agent("45"), demande, sv.InstructionSolidariteIn())
    assert error.value.field == "mois_affiliation_defunt"
    prestation = _instruire_et_attribuer(sessions, "45", demande, date(2025, 3, 25), mois_affiliation_defunt=12)
    with unit_of_work(sessions) as s:
        assert s.get(PrestationSolidarite, prestation).date_fin == date(2027, 2, 1)  # type: ignore[union-attr]  # D. 356-5: two years
    caisse = route("45", "retraite").code
    paiement.run_payments(sessions, caisse, date(2025, 4, 9), today=TODAY)  # March: February and March, reduced
    assert _versements(sessions, prestation) == [(date(2025, 2, 1), 558_13, 558_13), (date(2025, 3, 1), 558_13, 558_13)]
    with unit_of_work(sessions) as s:  # the next quarter's resources: none → the full allocation
        sv.reviser(s, _agent("45"), prestation, sv.RevisionIn(a_compter_du=date(2025, 4, 1), date_revision=date(2025, 4, 2), ressources_trimestre=0))
    paiement.run_payments(sessions, caisse, date(2025, 5, 9), today=TODAY)
    assert _versements(sessions, prestation)[-1] == (date(2025, 4, 1), 713_17, 713_17)
    paiement.run_payments(sessions, caisse, date(2027, 2, 9), today=date(2027, 2, 9))  # January 2027: the last month
    paiement.run_payments(sessions, caisse, date(2027, 3, 9), today=date(2027, 3, 9))
    mois = [m for m, _, _ in _versements(sessions, prestation)]
    assert len(mois) == 24 and mois[-1] == date(2027, 1, 1)


def test_aspa_paid_for_the_fsv_and_recovered_on_the_estate(sessions) -> None:  # type: ignore[no-untyped-def]
    personne = _person(sessions, "87", date(1955, 1, 1))
    demande = _demander(sessions, nature="aspa", personne_id=personne, date_demande=date(2025, 2, 10), autres_ressources_3_mois=1_800_00)
    prestation = _instruire_et_attribuer(sessions, "87", demande, date(2025, 2, 20))
    caisse = route("87", "retraite").code
    paiement.run_payments(sessions, caisse, date(2025, 4, 9), today=TODAY)
    assert _versements(sessions, prestation) == [(date(2025, 3, 1), 434_28, 434_28)]
    with unit_of_work(sessions) as s:
        entry = s.scalars(sa.select(ledger.Ecriture).where(ledger.Ecriture.cle_idempotence == f"retraite:aspa:{prestation}:2025-03")).one()
        lignes = {(ligne.branche, ligne.organisme_code, ligne.compte, ligne.montant_cents) for ligne in entry.lignes}
    assert lignes == {("retraite", caisse, "creances.fsv.aspa", 434_28), ("retraite", caisse, "tresorerie.virements_emis", -434_28),
                      ("fsv", "FSV", "charges.prestations.aspa", 434_28), ("fsv", "FSV", "dettes.caisses_retraite", -434_28)}

    with unit_of_work(sessions) as s, pytest.raises(InvalidField) as error:  # alive: no estate
        sv.recuperer(s, _agent("87"), prestation, sv.RecuperationIn(date_declaration=date(2025, 9, 1), notaire="Me Duval", actif_net_cents=130_000_00))
    assert error.value.field == "prestation_id"
    paiement.run_payments(sessions, caisse, date(2025, 5, 9), today=TODAY)  # April
    _deces(sessions, personne, date(2025, 5, 20))
    paiement.run_payments(sessions, caisse, date(2025, 7, 9), today=TODAY)  # June: the death known, nothing more into the account
    assert [m for m, _, _ in _versements(sessions, prestation)] == [date(2025, 3, 1), date(2025, 4, 1)]

    succession = sv.RecuperationIn(date_declaration=date(2025, 9, 1), notaire="Me Duval", actif_net_cents=130_000_00)
    with unit_of_work(sessions) as s:
        recuperation = sv.recuperer(s, _agent("87"), prestation, succession)
        # 22 383,40 € of the estate above the threshold, the annual limit not reached: the whole ASPA paid, 2 × 434,28 €
        assert (recuperation.aspa_versee_cents, recuperation.mois_versement, recuperation.montant_cents) == (2 * 434_28, 2, 2 * 434_28)
    with unit_of_work(sessions) as s:
        assert sv.recuperer(s, _agent("87"), prestation, succession).id == recuperation.id  # the same declaration twice is one
        with pytest.raises(Conflict):
            sv.recuperer(s, _agent("87"), prestation, succession.model_copy(update={"actif_net_cents": 90_000_00}))
        fsv = s.execute(sa.select(ledger.LigneEcriture.compte, ledger.LigneEcriture.montant_cents).join(ledger.Ecriture)
                        .where(ledger.Ecriture.cle_idempotence == f"retraite:recuperation_aspa:{prestation}")).all()
        assert set(fsv) == {("creances.successions.aspa", 2 * 434_28), ("produits.recuperations.aspa", -2 * 434_28)}
        assert check_retraite(s) == []


def test_french_refusals_name_the_field(sessions) -> None:  # type: ignore[no-untyped-def]
    personne = _person(sessions, "59", date(1950, 1, 1))
    for values, field in (
        ({"nature": "invalidite"}, "nature"),
        ({"nature": "reversion"}, "defunt_id"),
        ({"nature": "aspa", "date_effet": date(2025, 3, 15)}, "date_effet"),
        ({"nature": "aspa", "date_effet": date(2025, 1, 1)}, "date_effet"),
        ({"nature": "aspa", "date_demande": date(2027, 1, 1)}, "date_demande"),
        ({"nature": "aspa", "allocataires": 2}, "conjoint_id"),
    ):
        with pytest.raises(InvalidField) as error:
            _demander(sessions, personne_id=personne, **({"date_demande": date(2025, 2, 10)} | values))
        assert error.value.field == field, values
    demande = _demander(sessions, nature="aspa", personne_id=personne, date_demande=date(2025, 2, 10), autres_ressources_3_mois=5_000_00,
                        revenus_activite_3_mois=0)
    with unit_of_work(sessions) as s, pytest.raises(InvalidField) as error:  # over a quarter of the ceiling: the 12 months are needed
        sv.instruire(s, _agent("59"), demande, sv.InstructionSolidariteIn())
    assert error.value.field in ("revenus_activite_12_mois", "autres_ressources_12_mois")
    with unit_of_work(sessions) as s, pytest.raises(InvalidField) as error:
        sv.decider(s, _agent("59"), demande, sv.DecisionSolidariteIn(decision="rejet", date_decision=date(2025, 3, 1)))
    assert error.value.field == "motif"
    with unit_of_work(sessions) as s:
        sv.decider(s, _agent("59"), demande, sv.DecisionSolidariteIn(decision="rejet", date_decision=date(2025, 3, 1), motif="ressources trop élevées"))
        rows = s.scalar(sa.select(sa.func.count(JournalAcces.id)).where(JournalAcces.personne_id == personne, JournalAcces.ressource == "demande_solidarite"))
    assert rows >= 2  # the claim and the decision, journaled
