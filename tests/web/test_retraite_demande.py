"""The retirement claim in a real browser: the CARSAT agent instructs a claim (career facts → the pension and its steps →
attribution), the assuré reads the decision in « ma retraite » and downloads the letter.

The served demo database gets, for this module, a person of the Rhône born in March 1961 who filed a claim (date d'effet
1 April 2025), an agent of the Carsat Rhône-Alpes and the person's account. The amount: the full career of
tests/retraite/test_demande_service.py — a SAM of 30 000 € at the taux plein of 50 %, prorata 168/168 (CSS art. L. 351-1,
R. 351-27) — is 15 000 € a year, 1 250 € a month.
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from secu.core.db import make_engine, session_factory, unit_of_work
from secu.core.security import SYSTEM, Role
from secu.demo.population import DEMO_PASSWORD
from secu.organismes import route
from secu.register import schemas, service
from secu.retraite import demande as retraite
from secu.utilisateurs.service import UtilisateurIn, create_user
from tests.api.conftest import with_key


@pytest.fixture(scope="module")
def claim(database_url: str) -> tuple[int, int]:
    """The claim filed by the assuré, and a person of the same caisse with none yet (the agent files hers)."""
    engine = make_engine(database_url)
    try:
        with unit_of_work(session_factory(engine)) as s:
            personne = service.register_person(s, schemas.PersonneIn(
                nir=with_key("2610369123951"), nom_naissance="Retraitee", prenoms="Jeanne", date_naissance=date(1961, 3, 10), sexe="2",
                departement="69", commune="69123"), caller=SYSTEM, today=date(2024, 1, 1))
            create_user(s, UtilisateurIn(login="agent.carsat.test", password=DEMO_PASSWORD, role=Role.AGENT, nom_affiche="Agent de la Carsat",
                                         organisme_code=route("69", "retraite").code))
            create_user(s, UtilisateurIn(login="assure.retraite.test", password=DEMO_PASSWORD, role=Role.ASSURE, nom_affiche="Jeanne Retraitee",
                                         personne_id=personne.id))
            demande = retraite.demander(s, SYSTEM, retraite.DemandeIn(personne_id=personne.id, date_demande=date(2025, 2, 12),
                                                                      date_effet=date(2025, 4, 1), iban="FR7630006000011234567890189"))
            guichet = service.register_person(s, schemas.PersonneIn(
                nir=with_key("1600369123952"), nom_naissance="Guichet", prenoms="Henri", date_naissance=date(1960, 3, 2), sexe="1",
                departement="69", commune="69123"), caller=SYSTEM, today=date(2024, 1, 1))
            return demande.id, guichet.id
    finally:
        engine.dispose()


def test_the_agent_files_a_claim_received_at_the_counter(page, login, claim) -> None:  # type: ignore[no-untyped-def]
    _, guichet = claim
    login(page, "agent.carsat.test")
    page.goto("/agent/retraite")
    page.get_by_label("N° de dossier de l'assuré").fill(str(guichet))
    page.get_by_label("Reçue le").fill("2025-03-03")
    page.get_by_label("Date de départ souhaitée").fill("2025-03-01")
    page.get_by_label("IBAN").fill("FR7630006000011234567890189")
    page.get_by_role("button", name="Enregistrer la demande").click()
    page.wait_for_load_state()
    expect(page.locator("#erreur-date_effet")).to_contain_text("ne peut pas précéder la réception")  # R. 351-37
    page.get_by_label("Date de départ souhaitée").fill("2025-04-01")
    page.get_by_role("button", name="Enregistrer la demande").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Demande de retraite n°")).to_be_visible()
    expect(page.locator("#statut")).to_have_text("déposée, en attente d'instruction")
    expect(page.locator("main")).to_contain_text("Henri GUICHET")


def test_the_agent_instructs_and_grants_and_the_assure_reads_the_decision(page, login, screenshot, claim) -> None:  # type: ignore[no-untyped-def]
    claim, _ = claim
    login(page, "agent.carsat.test")
    page.goto("/agent/retraite")
    expect(page.get_by_role("heading", name="Demandes de retraite à instruire")).to_be_visible()
    page.get_by_role("link", name=f"Instruire la demande n° {claim}").click()
    page.wait_for_load_state()
    expect(page.locator("#statut")).to_have_text("déposée, en attente d'instruction")

    # a bad entry is said beside its field, in French
    page.get_by_label("Trimestres au régime général").fill("168")
    page.get_by_role("button", name="Calculer la pension").click()
    page.wait_for_load_state()
    expect(page.locator("#erreur-sam")).to_contain_text("Le compte de carrière de l'assuré est vide")

    page.get_by_label("Salaire annuel moyen (euros)").fill("30 000")
    page.get_by_label("Trimestres au régime général").fill("168")
    page.get_by_role("button", name="Calculer la pension").click()
    page.wait_for_load_state()
    expect(page.locator("#pension-calculee")).to_contain_text("1 250,00")
    expect(page.locator("#statut")).to_have_text("en cours d'instruction")
    screenshot(page, "retraite-agent-instruction")

    page.get_by_label("Attribuer la pension calculée").check()
    page.get_by_role("button", name="Décider et notifier").click()
    page.wait_for_load_state()
    expect(page.locator("#message-succes")).to_contain_text("La retraite est attribuée")
    expect(page.locator("#statut")).to_have_text("retraite attribuée")

    page.context.clear_cookies()
    login(page, "assure.retraite.test")
    page.goto("/assure/retraite")
    expect(page.locator(f"#demande-{claim}")).to_contain_text("retraite attribuée")
    expect(page.get_by_role("heading", name="Ma pension")).to_be_visible()
    expect(page.locator("main")).to_contain_text("1 250,00")
    screenshot(page, "retraite-assure-ma-retraite")
    with page.expect_download() as download:
        page.get_by_role("link", name="la lettre (PDF)").click()
    assert download.value.suggested_filename == f"notification-retraite-{claim}.pdf"
