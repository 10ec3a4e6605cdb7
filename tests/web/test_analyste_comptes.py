"""Les comptes au format de la CCSS, in a real browser over the demo: the tables beside the LFSS, the charts with their
tables, the ONDAM, the export; and every account the demo posted has its line in the correspondence table."""

from __future__ import annotations

import sqlalchemy as sa

from secu.pilotage.comptes import correspondance
from tests.web.test_analyste import _no_personal_data, register  # noqa: F401  (the module's fixture)


def test_every_account_the_demo_posted_has_its_line(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    with engine.connect() as db:
        posted = db.execute(sa.text("SELECT DISTINCT compte FROM ligne_ecriture")).scalars().all()
    engine.dispose()
    assert len(posted) > 20  # the demo pays care, IJ, pensions, family benefits, the APA, and collects DSN
    table = correspondance()
    assert [c for c in posted if table.classer(c) is None] == []
    # the accounts classified by the database (the same patterns as SQL LIKE) leave nothing unclassed either
    from secu.core.db import make_engine, session_factory, unit_of_work
    from secu.pilotage.comptes import comptes

    engine = make_engine(database_url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            years = {int(str(d)[:4]) for d in session.execute(sa.text("SELECT DISTINCT date_operation FROM ligne_ecriture")).scalars()}
            for year in sorted(years):
                assert comptes(session, year)["non_classes"] == [], year
    finally:
        engine.dispose()


def test_the_accounts_page_shows_the_lfss_beside_the_ledger(page, login, screenshot, register) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    login(page, "analyste")
    page.goto("/analyste")
    page.get_by_role("link", name="Comptes (CCSS)").first.click()
    page.wait_for_load_state()
    page.select_option("#annee", "2026")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Comptes 2026 au format de la Commission des comptes").is_visible()
    equilibre = page.locator("#tableau-equilibre").inner_text()
    # LFSS 2026 (loi n° 2025-1403, annex): maladie 257,5 / 271,3 / −13,8 Md€, beside secu's own maladie line
    assert "257,5 Md€" in equilibre and "−13,8 Md€" in equilibre and "secu, régime général" in equilibre
    assert "secondaire" in equilibre
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 1 and charts.first.locator("rect title").count() > 0
    ondam = page.locator("#tableau-ondam").inner_text()
    assert "274,4" in ondam and "Dépenses de soins de ville" in ondam  # ONDAM 2026 voted (loi n° 2025-1403, art. 109)
    with page.expect_download() as download:
        page.get_by_role("link", name="tableau d'équilibre (CSV)").click()
    assert download.value.suggested_filename == "comptes-2026-tableau.csv"
    _no_personal_data(page, register)
    screenshot(page, "analyste-comptes-ccss")
