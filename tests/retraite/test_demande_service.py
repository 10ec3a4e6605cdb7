"""The demande de retraite through its service, on SQLite and PostgreSQL (issue 14 §3).

Filed → routed to the caisse retraite of the residence → instructed by an agent of that caisse (career facts keyed,
the pension rule run) → attribution or rejet → the notification (message and PDF letter), every step journaled.

The liquidation case: a full career at taux plein, so the pension is the SAM × 50 % with a prorata of 1
(CSS art. L. 351-1 and R. 351-27: « SAM × taux × durée d'assurance au régime général / durée de référence »,
the formula the Assurance retraite and service-public.fr give for the retraite de base): a SAM of 30 000 € and
168 quarters for a person born in March 1961 (durée de référence of the generation 1961: 168 quarters,
L. 161-17-3), leaving at 63 (above the âge légal of 62 of that generation, L. 161-17-2) → 15 000 € a year,
1 250 € a month.
"""

from __future__ import annotations

from datetime import date
from itertools import count

import pytest
from sqlalchemy import func, select

from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.errors import Conflict, Forbidden, InvalidField
from secu.core.security import SYSTEM, Caller, JournalAcces, Role
from secu.organismes import route
from secu.register import schemas, service
from secu.retraite import demande as retraite
from secu.retraite.models_pension import DemandeRetraite, NotificationRetraite, PensionRetraite
from tests.api.conftest import with_key
from tests.concurrence import race

IBAN = "FR7630006000011234567890189"
CARSAT_RA = route("69", "retraite").code
AGENT_RA = Caller(user_id=None, role=Role.AGENT, organisme_code=CARSAT_RA)
AGENT_SUD_EST = Caller(user_id=None, role=Role.AGENT, organisme_code=route("13", "retraite").code)
AGENT_CPAM = Caller(user_id=None, role=Role.AGENT, organisme_code=route("69", "maladie").code)
TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def sessions(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


_NUMEROS = count(1)


def _person(sessions, born: date = date(1961, 3, 10)) -> int:  # type: ignore[no-untyped-def]
    index = next(_NUMEROS)
    with unit_of_work(sessions) as s:
        return service.register_person(s, schemas.PersonneIn(
            nir=with_key(f"2{born:%y}{born:%m}69123{index:03d}"), nom_naissance=f"Bernard{index}", prenoms="Louise", date_naissance=born,
            sexe="2", departement="69", commune="69123"), caller=SYSTEM, today=date(2024, 1, 1)).id


def _assure(personne_id: int) -> Caller:
    return Caller(user_id=None, role=Role.ASSURE, personne_id=personne_id)


def _demande(sessions, personne_id: int, caller: Caller | None = None, **kw) -> int:  # type: ignore[no-untyped-def]
    values = {"personne_id": personne_id, "date_demande": date(2025, 2, 12), "date_effet": date(2025, 4, 1), "iban": IBAN} | kw
    with unit_of_work(sessions) as s:
        return retraite.demander(s, caller or _assure(personne_id), retraite.DemandeIn(**values), today=TODAY).id


PLEIN = retraite.InstructionIn(sam_cents=3_000_000, trimestres_rg=168)


def test_the_claim_goes_to_the_carsat_of_the_residence_and_filing_it_twice_is_one(sessions) -> None:  # type: ignore[no-untyped-def]
    personne = _person(sessions)
    first = _demande(sessions, personne)
    assert _demande(sessions, personne) == first  # a double click, a retry: the same claim
    with unit_of_work(sessions) as s:
        demande = retraite.lire_demande(s, AGENT_RA, first)
        assert (demande.organisme_code, demande.statut, demande.date_effet) == (CARSAT_RA, "deposee", date(2025, 4, 1))
        assert CARSAT_RA.startswith("CARSAT")
        rows = s.scalar(select(func.count(JournalAcces.id)).where(JournalAcces.personne_id == personne, JournalAcces.ressource == "demande_retraite"))
    assert rows == 2  # the creation and the agent's read
    with pytest.raises(Conflict) as error, unit_of_work(sessions) as s:
        retraite.demander(s, _assure(personne), retraite.DemandeIn(personne_id=personne, date_demande=date(2025, 2, 12),
                                                                   date_effet=date(2025, 6, 1), iban=IBAN), today=TODAY)
    assert error.value.field == "personne_id" and "déjà en cours" in error.value.message


def test_without_a_date_d_effet_the_first_day_of_the_month_after_the_receipt(sessions) -> None:  # type: ignore[no-untyped-def]
    personne = _person(sessions)
    with unit_of_work(sessions) as s:
        demande = retraite.demander(s, _assure(personne), retraite.DemandeIn(personne_id=personne, date_demande=date(2025, 5, 20), iban=IBAN), today=TODAY)
        assert demande.date_effet == date(2025, 6, 1)  # R. 351-37


@pytest.mark.parametrize(("kw", "field", "words"), [
    ({"date_effet": date(2025, 4, 15)}, "date_effet", "premier jour d'un mois"),
    ({"date_effet": date(2025, 2, 1)}, "date_effet", "précéder la réception"),
    ({"date_demande": date(2027, 1, 5), "date_effet": date(2027, 2, 1)}, "date_demande", "future"),
    ({"iban": "FR7630006000011234567890180"}, "iban", ""),
])
def test_bad_input_is_refused_in_french_naming_the_field(sessions, kw, field, words) -> None:  # type: ignore[no-untyped-def]
    personne = _person(sessions)
    with pytest.raises(InvalidField) as error:
        _demande(sessions, personne, **kw)
    assert error.value.field == field and words in error.value.message


def test_a_claim_received_on_the_first_may_take_effect_that_day(sessions) -> None:  # type: ignore[no-untyped-def]
    """Cass. 2e civ., 30 mars 2017, n° 16-13.308: the date d'effet may be the day of the receipt when it is a 1st."""
    personne = _person(sessions)
    with unit_of_work(sessions) as s:
        demande = retraite.demander(s, _assure(personne), retraite.DemandeIn(
            personne_id=personne, date_demande=date(2025, 4, 1), date_effet=date(2025, 4, 1), iban=IBAN), today=TODAY)
        assert demande.date_effet == date(2025, 4, 1)


def test_only_the_caisse_of_the_claim_instructs_it(sessions) -> None:  # type: ignore[no-untyped-def]
    personne = _person(sessions)
    demande = _demande(sessions, personne)
    for other in (AGENT_SUD_EST, AGENT_CPAM, _assure(personne)):
        with pytest.raises(Forbidden), unit_of_work(sessions) as s:
            retraite.instruire(s, other, demande, PLEIN)
    with pytest.raises(Forbidden), unit_of_work(sessions) as s:  # someone else's claim
        retraite.demander(s, _assure(personne + 1), retraite.DemandeIn(personne_id=personne, date_demande=date(2025, 2, 12), iban=IBAN), today=TODAY)
    with unit_of_work(sessions) as s:
        assert demande in {d.id for d in retraite.file_caisse(s, AGENT_RA)}
        assert demande not in {d.id for d in retraite.file_caisse(s, AGENT_SUD_EST)}


def test_instruction_attribution_and_its_notification(sessions) -> None:  # type: ignore[no-untyped-def]
    personne = _person(sessions)
    demande_id = _demande(sessions, personne)
    with pytest.raises(Conflict), unit_of_work(sessions) as s:  # nothing to attribute before the instruction
        retraite.decider(s, AGENT_RA, demande_id, retraite.DecisionIn(decision="attribution", date_decision=date(2025, 3, 10)))
    with pytest.raises(InvalidField) as error, unit_of_work(sessions) as s:
        retraite.instruire(s, AGENT_RA, demande_id, retraite.InstructionIn(trimestres_rg=168))
    assert error.value.field == "sam_cents"
    with pytest.raises(InvalidField) as error, unit_of_work(sessions) as s:
        retraite.instruire(s, AGENT_RA, demande_id, retraite.InstructionIn(sam_cents=3_000_000, trimestres_rg=168, trimestres_cotises=170))
    assert error.value.field == "trimestres_cotises"
    with unit_of_work(sessions) as s:
        out = retraite.demande_out(s, retraite.instruire(s, AGENT_RA, demande_id, PLEIN))
    assert out["statut"] == "instruite" and out["instruction"]["origine_carriere"] == "agent"
    assert (out["instruction"]["pension_annuelle_cents"], out["instruction"]["pension_mensuelle_cents"]) == (1_500_000, 125_000)
    assert out["instruction"]["etapes"] and all(set(e) == {"etape", "montant_cents", "reference"} for e in out["instruction"]["etapes"])
    with unit_of_work(sessions) as s:
        retraite.decider(s, AGENT_RA, demande_id, retraite.DecisionIn(decision="attribution", date_decision=date(2025, 3, 10)))
    with pytest.raises(Conflict), unit_of_work(sessions) as s:
        retraite.decider(s, AGENT_RA, demande_id, retraite.DecisionIn(decision="rejet", motif="doublon", date_decision=date(2025, 3, 11)))
    with unit_of_work(sessions) as s:
        pension = s.scalars(select(PensionRetraite).where(PensionRetraite.demande_id == demande_id)).one()
        assert (pension.date_effet, pension.pension_mensuelle_cents, pension.organisme_code) == (date(2025, 4, 1), 125_000, CARSAT_RA)
        lettre = retraite.lire_notification(s, _assure(personne), demande_id)
        assert "Attribution" in lettre.objet and lettre.lue_le is not None
        pdf = retraite.lettre_pdf(lettre)
        etat = retraite.ma_retraite(s, _assure(personne), personne)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    assert "1 250,00" in " ".join(retraite.json.loads(lettre.contenu)["paragraphes"]).replace("\u202f", " ").replace("\u00a0", " ")
    assert "09/05/2025" in lettre.contenu  # the first payment: April, paid on the 9th of May (terme échu)
    assert etat["pension"]["pension_mensuelle_cents"] == 125_000 and etat["demandes"][0]["statut"] == "attribuee"


def test_a_rejection_needs_its_motif_and_is_notified(sessions) -> None:  # type: ignore[no-untyped-def]
    personne = _person(sessions)
    demande_id = _demande(sessions, personne)
    with pytest.raises(InvalidField) as error, unit_of_work(sessions) as s:
        retraite.decider(s, AGENT_RA, demande_id, retraite.DecisionIn(decision="rejet", date_decision=date(2025, 3, 10)))
    assert error.value.field == "motif"
    with pytest.raises(InvalidField) as error, unit_of_work(sessions) as s:
        retraite.decider(s, AGENT_RA, demande_id, retraite.DecisionIn(decision="accord", date_decision=date(2025, 3, 10)))
    assert error.value.field == "decision"
    with unit_of_work(sessions) as s:
        rejet = retraite.DecisionIn(decision="rejet", motif="pièces justificatives manquantes", date_decision=date(2025, 3, 10))
        retraite.decider(s, AGENT_RA, demande_id, rejet)
        lettre = s.scalars(select(NotificationRetraite).where(NotificationRetraite.demande_id == demande_id)).one()
        assert "Rejet" in lettre.objet and "pièces justificatives manquantes" in lettre.contenu
        assert s.scalar(select(PensionRetraite.id).where(PensionRetraite.demande_id == demande_id)) is None
    # once rejected, a new claim (another date d'effet) may be filed
    assert _demande(sessions, personne, date_effet=date(2025, 5, 1)) != demande_id


def test_a_departure_before_the_age_legal_is_refused_at_the_instruction(sessions) -> None:  # type: ignore[no-untyped-def]
    """Born in March 1966: 59 in 2025, under any âge légal (L. 161-17-2): the rule names the date d'effet."""
    personne = _person(sessions, born=date(1966, 3, 10))
    demande_id = _demande(sessions, personne)
    with pytest.raises(InvalidField) as error, unit_of_work(sessions) as s:
        retraite.instruire(s, AGENT_RA, demande_id, PLEIN)
    assert error.value.field == "date_effet"


def test_the_same_claim_filed_twice_at_once_is_one(database_url, sessions) -> None:  # type: ignore[no-untyped-def]
    """Two callers at once (a double submission): the unique (person, date d'effet) keeps one claim, both get it."""
    personne = _person(sessions)

    def file(factory):  # type: ignore[no-untyped-def]
        return _demande(factory, personne)

    outcomes = race(database_url, file)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert len(set(outcomes)) == 1
    with unit_of_work(sessions) as s:
        assert s.scalar(select(func.count()).select_from(DemandeRetraite).where(DemandeRetraite.personne_id == personne)) == 1


def test_the_instruction_reads_the_compte_de_carriere_when_the_agent_keys_no_sam(sessions) -> None:  # type: ignore[no-untyped-def]
    """A compte of 40 imported years (1985 to 2024) of 30 000 € each: 4 quarters a year (R. 351-9: 30 000 € is far above 150
    hours of SMIC), so 160 quarters, all cotisés, before a date d'effet of 1 April 2025; the SAM is the career rule's."""
    import polars as pl

    from secu.retraite import carriere
    from secu.retraite.models import ReportCarriere
    from secu.retraite.rules.carriere import salaire_annuel_moyen

    personne = _person(sessions)
    with unit_of_work(sessions) as s:
        for annee in range(1985, 2025):
            s.add(ReportCarriere(personne_id=personne, annee=annee, nature="salaire", montant_cents=3_000_000, source="import",
                                 cle=f"test:{personne}:{annee}", date_effet=date(2025, 1, 15)))
    demande_id = _demande(sessions, personne)
    with unit_of_work(sessions) as s:
        out = retraite.demande_out(s, retraite.instruire(s, AGENT_RA, demande_id, retraite.InstructionIn()))
        annees = carriere.appliquer_regle(carriere.annees(carriere.faits(s, s.get(retraite.Personne, personne))))
    attendu = salaire_annuel_moyen(annees.filter(pl.col("annee") < 2025), pl.DataFrame(
        {"personne": [personne], "naissance": [date(1961, 3, 10)], "date_effet": [date(2025, 4, 1)]})).personnes["sam"][0]
    instruction = out["instruction"]
    assert (instruction["origine_carriere"], instruction["trimestres"], instruction["trimestres_rg"], instruction["trimestres_cotises"]) == (
        "compte", 160, 160, 160)
    assert instruction["sam_cents"] == attendu > 0
