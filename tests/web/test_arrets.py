"""« Mes arrêts et indemnités » in a real browser, over the demo (issue 13 §8): the demo assuré's own arrêt with its IJ
periods paid and the steps of each; the demo's invalid person's pension, its monthly payments and their steps."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect


def test_the_demo_assure_sees_the_ij_of_their_arret(page, login, screenshot, database_url) -> None:  # type: ignore[no-untyped-def]
    engine = sa.create_engine(database_url)
    with engine.connect() as db:
        own = db.execute(sa.text("select personne_id from utilisateur where login = 'assure.demo'")).scalar_one()
        paid = db.execute(sa.text("select count(*) from periode_ij where personne_id = :p and statut = 'payee'"), {"p": own}).scalar_one()
    engine.dispose()
    assert paid >= 1  # the demo employs its assuré, whose arrêt the demo liquidates and pays
    login(page, "assure.demo")
    page.goto("/assure/arrets")
    assert page.get_by_role("heading", name="Mes arrêts et indemnités").is_visible()
    arret = page.locator("section").filter(has=page.get_by_role("heading", level=2, name="Maladie du"))
    expect(arret).to_have_count(1)
    rows = arret.locator("table.govuk-table tbody tr")
    expect(rows).to_have_count(paid)
    assert all("payée" in row for row in rows.all_inner_texts())
    # the late avis (R. 321-2) and its avertissement, said to the assuré
    expect(arret).to_contain_text("envoyé en retard")
    button = arret.locator(".govuk-accordion__section-button").first
    button.click()
    steps = arret.locator(f"#{button.get_attribute('aria-controls')} li")
    expect(steps.first).to_be_visible()
    expect(arret.locator(f"#{button.get_attribute('aria-controls')}")).to_contain_text("Salaire journalier de base")
    expect(arret.locator(f"#{button.get_attribute('aria-controls')}")).to_contain_text("carence")
    screenshot(page, "assure-arrets")


def test_the_demo_invalid_person_sees_their_pension(page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    login(page, "invalide.demo")
    page.goto("/assure/arrets")
    heading = page.get_by_role("heading", level=2, name="Pension d'invalidité de 2e catégorie")
    expect(heading).to_be_visible()
    table = page.locator("#versements-pension-1")
    expect(table.locator("tbody tr")).to_have_count(3)  # October to December 2025 (secu.demo.invalidite.MOIS_PAYES)
    expect(table).to_contain_text("octobre 2025")
    button = page.locator("#pension-calcul-1 .govuk-accordion__section-button").first
    button.click()
    content = page.locator(f"#{button.get_attribute('aria-controls')}")
    expect(content).to_contain_text("SAM × 50 % ÷ 12")
    expect(content).to_contain_text("CSG")
    expect(content).to_contain_text("Montant net versé")
    screenshot(page, "assure-pension-invalidite")
