"""A réversion claim in a real browser: the widow files it in her espace assuré (a date d'effet refused beside its field, in
French), the CARSAT agent instructs it (the deceased was not yet retired: the pension due is keyed) and grants it, the widow
reads the decision and downloads the letter.

The amount: 54 % of the deceased's pension (CSS art. D. 353-1; ppc-conseils.fr: a pension of 1 000 € a month gives a
réversion of 540 €), without resources, so below the ceiling (D. 353-1-1).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from secu.core.db import make_engine, session_factory, unit_of_work
from secu.core.security import SYSTEM, Role
from secu.demo.population import DEMO_PASSWORD
from secu.organismes import route
from secu.register import schemas, service
from secu.utilisateurs.service import UtilisateurIn, create_user
from tests.api.conftest import with_key

DECES = date.today() - timedelta(days=50)


@pytest.fixture(scope="module")
def defunt(database_url: str) -> int:
    """A man of the Rhône dead 50 days ago (not yet retired), his widow's account, an agent of the Carsat Rhône-Alpes."""
    engine = make_engine(database_url)
    try:
        with unit_of_work(session_factory(engine)) as s:
            mort = service.register_person(s, schemas.PersonneIn(
                nir=with_key("1590469123961"), nom_naissance="Defunt", prenoms="Marcel", date_naissance=date(1959, 4, 2), sexe="1",
                departement="69", commune="69123"), caller=SYSTEM, today=date(2024, 1, 1))
            service.change_person(s, mort.id, schemas.PersonneChange(date_deces=DECES), caller=SYSTEM, today=date.today())
            veuve = service.register_person(s, schemas.PersonneIn(
                nir=with_key("2580569123962"), nom_naissance="Veuve", prenoms="Odette", date_naissance=date(1958, 5, 20), sexe="2",
                departement="69", commune="69123"), caller=SYSTEM, today=date(2024, 1, 1))
            create_user(s, UtilisateurIn(login="veuve.reversion.test", password=DEMO_PASSWORD, role=Role.ASSURE, nom_affiche="Odette Veuve",
                                         personne_id=veuve.id))
            create_user(s, UtilisateurIn(login="agent.carsat.reversion", password=DEMO_PASSWORD, role=Role.AGENT, nom_affiche="Agent de la Carsat",
                                         organisme_code=route("69", "retraite").code))
            return mort.id
    finally:
        engine.dispose()


def test_a_reversion_claimed_instructed_granted_and_read(page, login, screenshot, defunt) -> None:  # type: ignore[no-untyped-def]
    login(page, "veuve.reversion.test")
    page.goto("/assure/retraite/survivants")
    expect(page.get_by_role("heading", name="Réversion, allocation veuvage, ASPA")).to_be_visible()
    page.get_by_label("N° de dossier de l'assuré décédé").fill(str(defunt))
    page.get_by_label("Date d'effet souhaitée").fill(DECES.replace(day=1).isoformat())  # the month of the death: too early (R. 353-7)
    page.get_by_label("IBAN").fill("FR7630006000011234567890189")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_load_state()
    expect(page.locator("#erreur-date_effet")).to_contain_text("ne peut pas précéder")
    page.get_by_label("Date d'effet souhaitée").fill("")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_load_state()
    expect(page.locator("#message-succes")).to_contain_text("Votre demande est enregistrée")
    expect(page.locator("main")).to_contain_text("déposée, en attente d'instruction")
    screenshot(page, "retraite-survivants-assure-demande")

    page.context.clear_cookies()
    login(page, "agent.carsat.reversion")
    page.goto("/agent/retraite/survivants")
    lien = page.get_by_role("link", name="Instruire la demande n°").last
    lien.click()
    page.wait_for_load_state()
    expect(page.locator("#statut")).to_have_text("déposée, en attente d'instruction")
    page.get_by_role("button", name="Calculer").click()
    page.wait_for_load_state()
    expect(page.locator("#erreur-pension_defunt")).to_contain_text("pension qui lui était due")
    page.get_by_label("Pension annuelle due à l'assuré décédé (euros)").fill("12 000")
    page.get_by_label("Trimestres de l'assuré au régime général").fill("160")
    page.get_by_role("button", name="Calculer").click()
    page.wait_for_load_state()
    expect(page.locator("#montant-calcule")).to_contain_text("540,00")
    page.get_by_label("Attribuer le montant calculé").check()
    page.get_by_role("button", name="Décider et notifier").click()
    page.wait_for_load_state()
    expect(page.locator("#message-succes")).to_contain_text("La prestation est attribuée")
    screenshot(page, "retraite-survivants-agent-instruction")

    page.context.clear_cookies()
    login(page, "veuve.reversion.test")
    page.goto("/assure/retraite/survivants")
    expect(page.locator("main")).to_contain_text("attribuée")
    expect(page.get_by_role("heading", name="Ma pension de réversion")).to_be_visible()
    expect(page.locator("main")).to_contain_text("540,00")
    with page.expect_download() as download:
        page.get_by_role("link", name="la lettre (PDF)").first.click()
    assert download.value.suggested_filename.startswith("lettre-retraite-")
