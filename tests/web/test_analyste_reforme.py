"""The analyst's reform page in a real browser: a bad file refused naming the field, a reform costed in the background."""

from __future__ import annotations

import re
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "reforme-sans-majoration-age.yaml"


def test_a_reform_is_uploaded_refused_or_costed(page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    login(page, "analyste")
    page.goto("/analyste")
    page.get_by_role("link", name="Chiffrer une réforme").click()
    assert page.get_by_role("heading", name="Chiffrer une réforme").is_visible()

    # A parameter the tree does not know: refused, in French, naming it; nothing starts.
    page.get_by_text("Ou coller le texte de la réforme").click()
    page.get_by_label("Texte YAML").fill("titre: Essai\nparametres:\n  af.tranch:\n    values: []\n")
    page.get_by_role("button", name="Lancer le chiffrage").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "parametres.af.tranch" in summary and "paramètre inconnu" in summary and "af.tranche" in summary
    screenshot(page, "analyste-reforme-refusee")

    page.goto("/analyste/reformes")
    page.get_by_label("Fichier de la réforme (YAML)").set_input_files(str(EXAMPLE))
    page.get_by_label("Échelle (part de la population simulée)").select_option("0.00001")
    page.get_by_role("button", name="Lancer le chiffrage").click()
    assert re.search(r"/analyste/reformes/[0-9a-f]{16}$", page.url)
    # The status block polls (htmx) and the page reloads itself with the result.
    page.get_by_role("heading", name="Écarts par branche").wait_for(timeout=240_000)
    ecarts = page.locator("#table-ecarts").inner_text()
    famille = next(line for line in ecarts.splitlines() if line.startswith("Famille"))
    # Without the majoration pour âge the branch pays less: a negative Δ dépenses, a positive Δ solde.
    depenses, solde = famille.split("\t")[2:4]
    assert depenses.strip().startswith("-") and solde.strip().startswith("+"), famille
    assert page.locator("svg[role=img]").count() == 2
    assert page.locator("#table-deciles tbody tr").count() == 10
    assert "Couple avec 3 enfants ou plus" in page.locator("#table-types").inner_text()
    screenshot(page, "analyste-reforme-chiffree")
    page.goto("/analyste/reformes")
    assert "terminé" in page.locator("#table-chiffrages").inner_text()
