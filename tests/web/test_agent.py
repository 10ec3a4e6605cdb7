"""Le bureau de l'agent, in a real browser: search, a file of the caisse and its audit, registering, refusals."""

from __future__ import annotations

import random
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from secu.organismes import get_organisme


@pytest.fixture(scope="module")
def caisse(database_url: str) -> dict:  # type: ignore[type-arg]
    """What the demo agent's caisse holds: one of its people, a place of residence, and someone of another caisse."""
    engine = sa.create_engine(database_url)
    with engine.connect() as db:
        organisme = db.execute(sa.text("SELECT organisme_code FROM utilisateur WHERE login = 'agent.demo'")).scalar_one()
        mine = db.execute(sa.text(
            "SELECT p.id, p.nom_naissance, p.prenoms, p.nir, p.departement, p.commune, p.code_postal FROM personne p "
            "JOIN rattachement r ON r.personne_id = p.id WHERE r.organisme_code = :o AND p.commune IS NOT NULL ORDER BY p.id LIMIT 1"
        ), {"o": organisme}).one()
        other = db.execute(sa.text(
            "SELECT id, nom_naissance, nir FROM personne WHERE id NOT IN "
            "(SELECT personne_id FROM rattachement WHERE organisme_code = :o) ORDER BY id LIMIT 1"
        ), {"o": organisme}).one()
        nirs = set(db.execute(sa.text("SELECT nir FROM personne")).scalars())
    engine.dispose()
    return {"organisme": organisme, "mine": mine, "other": other, "nirs": nirs}


def _nir(sexe: str, annee: int, mois: int, taken: set[str]) -> str:
    rng = random.Random(4242)
    while True:
        body = f"{sexe}{annee % 100:02d}{mois:02d}75056{rng.randint(1, 999):03d}"
        nir = body + f"{97 - int(body) % 97:02d}"
        if nir not in taken:
            return nir


def test_search_and_open_a_file_of_my_caisse_with_its_audit(page, login, screenshot, caisse) -> None:  # type: ignore[no-untyped-def]
    login(page, "agent.demo")
    page.goto("/agent")
    assert page.get_by_role("heading", name="Bureau de l'agent").is_visible()
    assert get_organisme(caisse["organisme"]).nom in page.inner_text("main")
    mine = caisse["mine"]
    page.get_by_label("Rechercher une personne").fill(mine.nom_naissance)
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state()
    results = page.locator("#table-resultats")
    assert mine.nom_naissance in results.inner_text()
    screenshot(page, "agent-recherche")

    page.locator(f"a[href='/agent/personnes/{mine.id}']").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/agent/personnes/{mine.id}")
    # The file is within the agent's desk: the navigation says so, and the breadcrumbs lead back.
    current = page.locator("#navigation-principale [aria-current]")
    assert current.count() == 1 and current.inner_text() == "Bureau de l'agent"
    assert page.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link", name="Bureau de l'agent").is_visible()
    main = page.inner_text("main")
    assert mine.prenoms in main and mine.nom_naissance in main
    for heading in ("Identité", "Médecin traitant", "Remboursements de soins (décompte)", "Prestations familiales", "Qui a consulté ce dossier"):
        assert page.get_by_role("heading", name=re.compile(re.escape(heading))).first.is_visible()
    assert page.get_by_role("heading", name=re.compile("Droits à l'assurance maladie")).is_visible()
    # Medical data never reaches an agent.
    assert "affection de longue durée" not in main.lower().replace("les affections de longue durée relèvent du secret médical", "")
    # The audit lists this very consultation, by an agent.
    audit = page.locator("#journal-acces table").inner_text()
    assert "agent de caisse" in audit and "consultation" in audit and "journal_acces" in audit
    screenshot(page, "agent-dossier")


def test_another_caisse_s_file_is_refused_and_journalled(page, login, screenshot, caisse, database_url) -> None:  # type: ignore[no-untyped-def]
    login(page, "agent.demo")
    other = caisse["other"]
    response = page.goto(f"/agent/personnes/{other.id}")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="Accès refusé").is_visible()
    content = page.content()
    assert other.nir not in content and other.nom_naissance not in content
    assert "ne relève pas de votre périmètre" in page.inner_text("main")
    screenshot(page, "agent-refus")
    engine = sa.create_engine(database_url)
    with engine.connect() as db:
        refusals = db.execute(sa.text(
            "SELECT count(*) FROM journal_acces WHERE action = 'refus' AND personne_id = :p"), {"p": other.id}).scalar_one()
    engine.dispose()
    assert refusals >= 1
    # The change form of that person is refused the same way.
    response = page.goto(f"/agent/personnes/{other.id}/changement")
    assert response is not None and response.status == 403


def test_register_a_person_an_invalid_field_then_fixed(page, login, screenshot, caisse) -> None:  # type: ignore[no-untyped-def]
    login(page, "agent.demo")
    mine = caisse["mine"]
    nir = _nir("2", 1991, 4, caisse["nirs"])
    page.goto("/agent/immatriculation")
    page.get_by_label("NIR").fill(nir[:-2] + f"{(int(nir[-2:]) + 1) % 97:02d}")  # a wrong key
    page.get_by_label("Nom de naissance").fill("Essai-Navigateur")
    page.get_by_label("Prénoms").fill("Camille")
    page.get_by_label("Date de naissance").fill("1991-04-17")
    page.locator("label[for=champ-sexe]").click()  # as a person clicks it: on the label beside the radio button
    page.get_by_label("Département de résidence").fill(mine.departement)
    page.get_by_label("Code commune INSEE").fill(mine.commune)
    page.get_by_label("Adresse", exact=True).fill("12 rue des Essais")
    page.get_by_role("button", name="Immatriculer").click()
    page.wait_for_load_state()
    group = page.locator("#groupe-nir")
    assert "govuk-form-group--error" in (group.get_attribute("class") or "")
    error = group.locator(".govuk-error-message").inner_text()
    assert error.startswith("Erreur :") and "clé" in error.lower()  # « Erreur : » is read out before the message
    nir_field = page.get_by_label("NIR")
    assert nir_field.get_attribute("aria-invalid") == "true"
    assert "erreur-nir" in (nir_field.get_attribute("aria-describedby") or "").split()
    # The summary at the top names the field and leads to it.
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and "NIR" in summary.inner_text()
    assert summary.locator("a[href='#champ-nir']").count() == 1
    expect(summary).to_be_focused()  # GOV.UK Frontend moves the focus to it, so a screen reader reads it first
    summary.locator("a[href='#champ-nir']").click()
    expect(nir_field).to_be_focused()
    assert page.get_by_label("Nom de naissance").input_value() == "Essai-Navigateur"  # nothing typed is lost
    screenshot(page, "agent-immatriculation-erreur")

    page.get_by_label("NIR").fill(nir)
    page.get_by_role("button", name="Immatriculer").click()
    page.wait_for_load_state()
    assert re.search(r"/agent/personnes/\d+", page.url)
    assert page.get_by_text("La personne est immatriculée.").is_visible()
    assert "ESSAI-NAVIGATEUR" in page.inner_text("main")
    screenshot(page, "agent-immatriculation-faite")


def test_record_a_change_of_address(page, login, screenshot, caisse) -> None:  # type: ignore[no-untyped-def]
    login(page, "agent.demo")
    mine = caisse["mine"]
    page.goto(f"/agent/personnes/{mine.id}/changement")
    page.get_by_label("Code postal").fill("1300A")
    page.get_by_role("button", name="Enregistrer le changement").click()
    page.wait_for_load_state()
    group = page.locator("#groupe-code_postal")
    assert "govuk-form-group--error" in (group.get_attribute("class") or "")
    assert "5 chiffres" in group.locator(".govuk-error-message").inner_text()
    assert page.locator(".govuk-error-summary a[href='#champ-code_postal']").count() == 1
    screenshot(page, "agent-changement-erreur")

    page.get_by_label("Code postal").fill(mine.code_postal or "13001")
    page.get_by_label("Adresse", exact=True).fill("3 place du Changement")
    page.get_by_role("button", name="Enregistrer le changement").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le changement est enregistré.").is_visible()
    assert "3 place du Changement" in page.inner_text("main")


def test_a_form_without_its_csrf_value_is_refused(page, login, caisse) -> None:  # type: ignore[no-untyped-def]
    login(page, "agent.demo")
    page.goto(f"/agent/personnes/{caisse['mine'].id}/changement")
    page.locator("form[action$='/changement'] input[name=csrf]").evaluate("e => e.value = 'faux'")
    page.get_by_label("Adresse", exact=True).fill("Ne doit pas être enregistrée")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le changement").click()
    assert page.get_by_role("heading", name="Accès refusé").is_visible()
    page.goto(f"/agent/personnes/{caisse['mine'].id}")
    assert "Ne doit pas être enregistrée" not in page.inner_text("main")


def test_the_agent_desk_is_for_agents_only(page, login) -> None:  # type: ignore[no-untyped-def]
    login(page, "analyste")
    response = page.goto("/agent")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="Accès refusé").is_visible()
