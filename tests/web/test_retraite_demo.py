"""The demo's sign-in retiree (``retraite.demo``, secu/demo/retraite.py) sees the pension the demo's claim was paid.

Runs once the claim service (secu.retraite.demande, its « Ma retraite » page) is installed beside the demo.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

pytest.importorskip("secu.retraite.demande", reason="le service des demandes de retraite n'est pas installé")


def _compte_seme(database_url: str, login: str) -> None:
    """The browser tests' demo has 12 households (conftest.DEMO_FOYERS): a part nobody fits is left out of it (`secu demo`'s 120 have them all)."""
    pytest.importorskip("secu.retraite.survivants", reason="le service des prestations de solidarité n'est pas installé")
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            found = connection.execute(sa.text("SELECT 1 FROM utilisateur WHERE login = :login"), {"login": login}).first()
    finally:
        engine.dispose()
    if found is None:
        pytest.skip(f"la population de démonstration de ce test n'a personne pour le compte {login}")


def test_the_demo_retiree_sees_her_pension_and_its_payments(page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    login(page, "retraite.demo")
    page.goto("/assure/retraite")
    expect(page.get_by_role("heading", name="Ma pension")).to_be_visible()
    expect(page.locator("main")).to_contain_text("retraite attribuée")
    expect(page.locator("main")).to_contain_text("€")
    screenshot(page, "retraite-demo-ma-retraite")


def test_the_demo_survivor_sees_her_reversion_and_its_payments(page, login, screenshot, database_url) -> None:  # type: ignore[no-untyped-def]
    _compte_seme(database_url, "reversion.demo")
    login(page, "reversion.demo")
    page.goto("/assure/retraite/survivants")
    expect(page.get_by_role("heading", name="Ma pension de réversion")).to_be_visible()
    expect(page.locator("main")).to_contain_text("pension de réversion : attribuée")
    payments = page.get_by_role("table").filter(has_text="Mes paiements")
    expect(payments).to_contain_text("octobre 2025")  # the first month after the death (CSS R. 353-7), paid with its arrears
    expect(payments).to_contain_text("janvier 2026")
    screenshot(page, "retraite-demo-reversion")


def test_the_demo_aspa_beneficiary_sees_her_aspa(page, login, screenshot, database_url) -> None:  # type: ignore[no-untyped-def]
    _compte_seme(database_url, "aspa.demo")
    login(page, "aspa.demo")
    page.goto("/assure/retraite/survivants")
    expect(page.get_by_role("heading", name="Ma allocation de solidarité aux personnes âgées (ASPA)")).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="Mes paiements")).to_contain_text("janvier 2026")
    screenshot(page, "retraite-demo-aspa")
