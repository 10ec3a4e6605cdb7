"""Sign-in, sign-out, expired sessions and CSRF, in a real browser."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request

import sqlalchemy as sa
from playwright.sync_api import expect

from secu.demo.population import DEMO_PASSWORD


def test_sign_in_page_uses_the_vendored_design_system(page, server, screenshot) -> None:  # type: ignore[no-untyped-def]
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/connexion")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.title() == "Connexion — secu"
    # Everything comes from this site: the stylesheet, the script, the logo; no web font at all.
    assert requested and all(url.startswith(server) for url in requested), requested
    assert f"{server}/static/secu/secu.min.css" in requested and f"{server}/organisme/logo" in requested
    assert not any(url.endswith((".woff", ".woff2", ".ttf")) for url in requested)
    # The stylesheet is applied, with the system's fonts, and GOV.UK Frontend's script has started.
    heading = page.get_by_role("heading", name="Se connecter à secu")
    assert heading.evaluate("e => getComputedStyle(e).fontFamily").startswith("system-ui")
    page.wait_for_function("document.body.classList.contains('govuk-frontend-supported')")
    # No style written into the page, by the templates or by a script: a strict Content-Security-Policy can come.
    assert page.locator("style, [style]").count() == 0
    assert heading.is_visible()
    # Landmarks, and the skip link first in the tab order, visible when focused (RGAA 12.7, 10.7).
    for role in ("banner", "main", "contentinfo"):
        assert page.get_by_role(role).count() == 1
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Aller au contenu" and skip.get_attribute("href") == "#contenu"
    assert skip.is_visible()
    assert skip.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 221, 0)"  # the focus colour
    screenshot(page, "connexion")


def test_the_welcome_page(page, screenshot, database_url) -> None:  # type: ignore[no-untyped-def]
    engine = sa.create_engine(database_url)
    with engine.connect() as db:
        people = db.execute(sa.text("select count(*) from personne")).scalar_one()
    engine.dispose()
    page.goto("/")
    assert page.title() == "Accueil — secu"
    assert page.get_by_role("heading", level=1).inner_text() == "secu"
    counts = page.locator("#effectifs")
    assert counts.locator("dt").first.inner_text() == "Personnes" and counts.locator("dd").first.inner_text() == str(people)
    assert page.get_by_role("navigation", name="Menu principal").count() == 0  # no navigation before signing in
    page.get_by_role("banner").get_by_role("link", name="Se connecter").click()
    assert page.url.endswith("/connexion")
    page.goto("/")
    screenshot(page, "accueil")


def test_an_insured_person_signs_in_and_out(page, login) -> None:  # type: ignore[no-untyped-def]
    login(page, "assure.demo")
    assert page.url.endswith("/assure")
    assert page.get_by_role("button", name="Se déconnecter").is_visible()
    page.get_by_role("button", name="Se déconnecter").click()
    assert "/connexion" in page.url
    assert page.get_by_text("Vous êtes déconnecté").is_visible()
    page.goto("/assure")
    assert "/connexion?suite=/assure" in page.url


def test_on_a_phone_the_navigation_folds_behind_a_menu_button(page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, "assure.demo")
    button = page.get_by_role("button", name="Menu")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    links = page.locator("#menu-principal")
    expect(links).to_be_hidden()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(links.get_by_role("link", name="Simulateur")).to_be_visible()
    current = links.locator("[aria-current=page]")
    expect(current).to_have_text("Mon espace")
    screenshot(page, "assure-accueil-telephone")


def test_a_wrong_password_says_so_and_nothing_more(page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    login(page, "assure.demo", "pas-le-bon-mot-de-passe")
    alert = page.locator("#message-erreur")
    assert alert.inner_text().strip() == "Identifiant ou mot de passe incorrect."
    assert page.get_by_label("Identifiant", exact=True).input_value() == "assure.demo"
    screenshot(page, "connexion-erreur")
    # An unknown login gets the very same answer: nothing tells which accounts exist.
    login(page, "personne.inconnue", "pas-le-bon-mot-de-passe")
    assert page.locator("#message-erreur").inner_text().strip() == "Identifiant ou mot de passe incorrect."


def test_an_expired_session_sends_back_to_sign_in(page, login, database_url) -> None:  # type: ignore[no-untyped-def]
    login(page, "assure.demo")
    engine = sa.create_engine(database_url)
    with engine.begin() as db:
        user_id = db.execute(sa.text("select id from utilisateur where login = 'assure.demo'")).scalar_one()
        db.execute(sa.text("update jeton set expire_le = '2000-01-01 00:00:00' where utilisateur_id = :u and revoque = 0"), {"u": user_id})
    engine.dispose()
    page.goto("/assure/remboursements")
    assert re.search(r"/connexion\?suite=/assure/remboursements&expiree=1$", page.url)
    assert page.locator("#message-session").inner_text().strip() == "Votre session a expiré, reconnectez-vous."
    # Signing in again goes back where the person was.
    page.get_by_label("Identifiant", exact=True).fill("assure.demo")
    page.get_by_label("Mot de passe", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    assert page.url.endswith("/assure/remboursements")


def test_a_form_without_its_csrf_value_is_refused(page, login, server) -> None:  # type: ignore[no-untyped-def]
    login(page, "assure.demo")
    page.locator("input[name=csrf]").first.evaluate("el => el.value = 'falsifie'")
    page.get_by_role("button", name="Se déconnecter").click()
    assert page.get_by_role("heading", name="Accès refusé").is_visible()
    assert "ne vient pas de ce site" in page.locator("main").inner_text()
    # And the session was not closed by the forged post.
    page.goto("/assure")
    assert page.url.endswith("/assure")
    # A post from elsewhere (no CSRF cookie, no field) is refused too.
    body = urllib.parse.urlencode({"identifiant": "assure.demo", "mot_de_passe": DEMO_PASSWORD}).encode()
    try:
        urllib.request.urlopen(urllib.request.Request(f"{server}/connexion", data=body, method="POST"))
        raise AssertionError("un formulaire sans jeton CSRF a été accepté")
    except urllib.error.HTTPError as refused:
        assert refused.code == 403
        assert "Set-Cookie" not in refused.headers or "secu_session" not in refused.headers["Set-Cookie"]
