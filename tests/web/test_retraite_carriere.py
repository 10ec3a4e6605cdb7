"""The relevé de carrière and a correction in a real browser: the assuré reads his relevé, downloads it, asks for a
correction (a wrong form first, then a right one), an agent of his caisse de retraite accepts it, the assuré sees it."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import expect

from secu.core.db import session_factory, unit_of_work
from secu.core.security import Role
from secu.demo.population import DEMO_PASSWORD
from secu.utilisateurs.service import UtilisateurIn, create_user


def _agent_de_sa_caisse(database_url: str) -> str:
    """An agent of the demo assuré's caisse de retraite (the demo has none): his login."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as db:
            code = db.execute(sa.text(
                "select r.organisme_code from rattachement r join utilisateur u on u.personne_id = r.personne_id "
                "where u.login = 'assure.demo' and r.branche = 'retraite'")).scalar_one()
            exists = db.execute(sa.text("select count(*) from utilisateur where login = 'agent.retraite'")).scalar_one()
        if not exists:
            with unit_of_work(session_factory(engine)) as s:
                create_user(s, UtilisateurIn(login="agent.retraite", password=DEMO_PASSWORD, nom_affiche="Agent retraite", role=Role.AGENT,
                                             organisme_code=code))
    finally:
        engine.dispose()
    return "agent.retraite"


def test_the_releve_and_a_correction_request(page, login, screenshot, database_url) -> None:  # type: ignore[no-untyped-def]
    login(page, "assure.demo")
    page.get_by_role("link", name="Mon relevé de carrière").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon relevé de carrière")
    expect(page.locator("#total")).to_be_visible()
    screenshot(page, "retraite-releve")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le relevé (PDF)").click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

    page.get_by_role("link", name="Demander une correction").click()
    page.get_by_label("Année").fill("2015")
    page.get_by_label("Nature").select_option("chomage")
    page.get_by_label("Explication et justificatif").fill("Attestation de France Travail jointe")
    page.get_by_role("button", name="Envoyer la demande").click()
    # No days for a chômage line: the form comes back, the error beside the field and in the summary.
    expect(page.locator("#erreur-jours")).to_contain_text("indiquez le nombre de jours")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Jours")
    screenshot(page, "retraite-correction-erreur")
    page.get_by_label("Nombre de jours").fill("120")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Votre demande de correction est enregistrée")).to_be_visible()
    expect(page.locator("#corrections")).to_contain_text("en cours d'instruction")
    screenshot(page, "retraite-correction-demandee")

    agent = _agent_de_sa_caisse(database_url)
    page.context.clear_cookies()
    login(page, agent)
    page.goto("/agent")
    page.get_by_role("link", name="Corrections de carrière à instruire").click()
    section = page.locator("section", has_text="année 2015").first
    expect(section).to_contain_text("Attestation de France Travail jointe")
    section.get_by_role("button", name="Accepter").click()
    expect(page.get_by_text("est instruite")).to_be_visible()

    page.context.clear_cookies()
    login(page, "assure.demo")
    page.goto("/assure/retraite/carriere")
    expect(page.locator("#corrections")).to_contain_text("acceptée")
    expect(page.locator("#annee-2015")).to_contain_text("Chômage indemnisé : 2 (120 j)")  # R. 351-12 4° c): 120 // 50
    screenshot(page, "retraite-releve-corrige")


def _assure_en_activite(database_url: str) -> str:
    """An account for a demo person born 1970-1990 (the demo assuré is past 67: nothing left to estimate)."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as db:
            personne_id = db.execute(sa.text("select id from personne where date_naissance between '1970-01-01' and '1990-12-31' "
                                             "order by id limit 1")).scalar_one()
            exists = db.execute(sa.text("select count(*) from utilisateur where login = 'assure.actif'")).scalar_one()
        if not exists:
            with unit_of_work(session_factory(engine)) as s:
                create_user(s, UtilisateurIn(login="assure.actif", password=DEMO_PASSWORD, nom_affiche="Assuré en activité", role=Role.ASSURE,
                                             personne_id=personne_id))
    finally:
        engine.dispose()
    return "assure.actif"


def test_the_estimation_and_the_open_simulator(page, login, screenshot, database_url) -> None:  # type: ignore[no-untyped-def]
    login(page, _assure_en_activite(database_url))
    page.goto("/assure/retraite/estimation")
    page.get_by_label("Salaire annuel brut pour les années à venir (euros)").fill("32000")
    page.get_by_label("Évolution annuelle du salaire (%)").fill("1,5")
    page.get_by_role("button", name="Estimer").click()
    expect(page.locator("#scenarios")).to_contain_text("À l'âge légal")
    expect(page.locator("#scenarios")).to_contain_text("À 67 ans")
    expect(page.locator("#date-taux-plein")).to_be_visible()
    screenshot(page, "retraite-estimation")

    page.context.clear_cookies()
    page.goto("/")
    page.get_by_role("link", name="Simuler ma retraite de base, sans me connecter").click()
    page.get_by_label("Date de naissance").fill("1970-05-14")
    page.get_by_label("Trimestres déjà validés (tous régimes)").fill("120")
    page.get_by_label("Salaire annuel moyen actuel (euros)").fill("30000")
    page.get_by_label("Salaire annuel brut pour les années à venir (euros)").fill("35000")
    page.get_by_role("button", name="Estimer").click()
    # htmx swaps the result in; the âge légal of the generation 1970 is 64 (CSS L. 161-17-2): 1 June 2034
    expect(page.locator("#scenarios")).to_contain_text("1er juin 2034")
    expect(page.locator("#scenarios")).to_contain_text("42,5 %")
    screenshot(page, "retraite-simulateur")
