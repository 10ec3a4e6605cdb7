"""The espace assuré in a real browser: every page, the PDF, the forms, and someone else's file refused."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import expect


def _ids(database_url: str) -> tuple[int, int]:
    """The demo assuré's own file, and a file that is neither theirs nor their child's."""
    engine = sa.create_engine(database_url)
    with engine.connect() as db:
        own = db.execute(sa.text("select personne_id from utilisateur where login = 'assure.demo'")).scalar_one()
        children = {r[0] for r in db.execute(sa.text("select enfant_id from ayant_droit where ouvrant_droit_id = :p"), {"p": own})}
        other = db.execute(sa.text("select id from personne where id <> :p order by id desc"), {"p": own}).scalars().all()
    engine.dispose()
    return own, next(i for i in other if i not in children)


def test_each_page_of_the_espace_assure(page, login, screenshot, database_url) -> None:  # type: ignore[no-untyped-def]
    own, _ = _ids(database_url)
    login(page, "assure.demo")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bonjour")
    screenshot(page, "assure-accueil")

    page.get_by_role("link", name="Attestation de droits").first.click()
    assert page.url.endswith(f"/assure/attestation/{own}")
    assert page.get_by_role("heading", name="Attestation de droits à l'assurance maladie").is_visible()
    assert "Droits ouverts" in page.locator("main").inner_text()
    screenshot(page, "assure-attestation")

    with page.expect_download() as download:
        page.locator("#telecharger-pdf").click()
    pdf = download.value
    assert pdf.suggested_filename.startswith("attestation-droits-")
    assert Path(pdf.path()).read_bytes()[:5] == b"%PDF-"

    page.goto("/assure/remboursements")
    assert page.get_by_role("heading", name="Mes remboursements").is_visible()
    first_line = page.locator(".govuk-accordion__section-button").first  # made a button by GOV.UK Frontend's script
    expect(first_line).to_have_attribute("aria-expanded", "false")
    first_line.click()
    steps = page.locator(f"#{first_line.get_attribute('aria-controls')} li").first
    expect(steps).to_be_visible()
    expect(steps).to_contain_text("Montant facturé")
    expect(first_line).to_have_attribute("aria-expanded", "true")
    screenshot(page, "assure-remboursements")

    page.goto("/assure/prestations?mois=2025-11")
    assert page.get_by_role("heading", name="Droits de novembre 2025").is_visible()
    assert page.get_by_text("Comment ces montants sont calculés").is_visible()
    screenshot(page, "assure-prestations")


def test_declaring_a_medecin_traitant(page, login, screenshot, database_url) -> None:  # type: ignore[no-untyped-def]
    engine = sa.create_engine(database_url)
    with engine.connect() as db:
        own = db.execute(sa.text("select personne_id from utilisateur where login = 'assure.demo'")).scalar_one()
        current = db.execute(sa.text("select professionnel_id from medecin_traitant where personne_id = :p and date_fin is null"),
                             {"p": own}).scalar()
        rpps = db.execute(sa.text("select rpps from professionnel_sante where profession = 'medecin' and secteur <> 3 "
                                  "and id <> coalesce(:c, 0) order by id"), {"c": current}).scalars().first()
        nurse = db.execute(sa.text("select rpps from professionnel_sante where profession <> 'medecin' order by id")).scalars().first()
    engine.dispose()
    login(page, "assure.demo")
    page.goto("/assure/medecin-traitant")
    # A wrong number: the French message sits beside the field.
    page.get_by_label("Numéro RPPS du médecin").fill("123")
    page.get_by_role("button", name="Déclarer ce médecin").click()
    assert "11 chiffres" in page.locator("#erreur-rpps").inner_text()
    assert page.locator(".govuk-error-summary a[href='#champ-rpps']").count() == 1
    if nurse:
        page.get_by_label("Numéro RPPS du médecin").fill(nurse)
        page.get_by_role("button", name="Déclarer ce médecin").click()
        assert page.locator("#erreur-rpps").text_content() == "Erreur : Le médecin traitant doit être un médecin."
        assert page.get_by_label("Numéro RPPS du médecin").get_attribute("aria-describedby") == "aide-rpps erreur-rpps"
        screenshot(page, "assure-medecin-traitant-erreur")
    page.get_by_label("Numéro RPPS du médecin").fill(rpps)
    page.get_by_role("button", name="Déclarer ce médecin").click()
    assert page.locator("#message-succes").is_visible()
    assert rpps in page.locator("#medecin-actuel").inner_text()
    screenshot(page, "assure-medecin-traitant")


def test_the_simulator_answers_in_place(page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    login(page, "assure.demo")
    page.goto("/assure/simulateur")
    page.get_by_label("Date de naissance de l'allocataire").fill("1985-03-01")
    page.get_by_label("Date de naissance du conjoint (en couple)").fill("1987-07-01")
    page.get_by_label("Revenus nets imposables du foyer, il y a deux ans (en euros)").fill("40000")
    page.get_by_label("Mois simulé").fill("2025-11")
    page.get_by_label("Date de naissance de l'enfant 1").fill("2012-05-01")
    page.get_by_label("Date de naissance de l'enfant 2").fill("2015-09-01")
    url = page.url
    page.get_by_role("button", name="Simuler").click()
    result = page.locator("#resultat-simulation")
    result.get_by_text("Allocations familiales").first.wait_for()
    assert "Estimation pour novembre 2025" in result.inner_text()
    assert page.url == url  # htmx swapped the result in; the page did not reload
    assert page.locator("style").count() == 0  # htmx was told to add no <style> of its own
    screenshot(page, "assure-simulateur")
    # A missing field is named beside it.
    page.get_by_label("Date de naissance de l'allocataire").fill("")
    page.get_by_role("button", name="Simuler").click()
    page.locator("#resultat-simulation .govuk-error-summary").wait_for()
    assert "Indiquez la date de naissance" in page.locator("#resultat-simulation").inner_text()
    # The summary leads to the field.
    assert page.locator("#resultat-simulation a[href='#champ-parent1']").count() == 1
    assert page.locator("#champ-parent1").count() == 1


def test_someone_elses_file_is_refused_without_showing_it(page, login, screenshot, database_url) -> None:  # type: ignore[no-untyped-def]
    _, other = _ids(database_url)
    login(page, "assure.demo")
    for url in (f"/assure/attestation/{other}", f"/assure/remboursements?personne={other}"):
        answer = page.goto(url)
        assert answer.status == 403
        assert page.get_by_role("heading", name="Accès refusé").is_visible()
        main = page.locator("main").inner_text()
        assert "ne relève pas de votre périmètre" in main
        assert "Numéro de sécurité sociale" not in main
    screenshot(page, "assure-refus")
    answer = page.request.get(f"/assure/attestation/{other}/pdf")
    assert answer.status == 403 and not answer.body().startswith(b"%PDF")
    engine = sa.create_engine(database_url)
    with engine.connect() as db:
        refusals = db.execute(sa.text("select count(*) from journal_acces where action = 'refus' and personne_id = :p"), {"p": other}).scalar_one()
    engine.dispose()
    assert refusals >= 1  # refusals are journalled, as through the API
