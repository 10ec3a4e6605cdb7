"""Le tableau de bord de l'analyste, in a real browser: charts with their tables, no name, no NIR; the simulated year."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

# A NIR, compact or spaced as it is usually written (13 digits, or 15 with its key).
_SP = "[ \u00a0\u202f]?"  # a NIR is often written in groups: 1 85 05 13 055 123 45
_GROUPS = ("[12]", r"\d\d", r"\d\d", r"(?:\d\d|2[AB])", r"\d{3}", r"\d{3}")
NIR_PATTERN = re.compile(r"(?<!\w)" + _SP.join(_GROUPS) + "(?:" + _SP + r"\d\d)?(?!\w)")


@pytest.fixture(scope="module")
def register(database_url: str) -> dict:  # type: ignore[type-arg]
    engine = sa.create_engine(database_url)
    with engine.connect() as db:
        people = db.execute(sa.text("SELECT nir, nom_naissance FROM personne")).all()
    engine.dispose()
    return {"nirs": {p.nir for p in people}, "noms": {p.nom_naissance for p in people}}


def _no_personal_data(page, register) -> None:  # type: ignore[no-untyped-def]
    text = page.inner_text("body")
    assert not NIR_PATTERN.search(text), NIR_PATTERN.search(text)
    html = page.content()
    assert not any(nir in html for nir in register["nirs"])
    words = set(re.findall(r"[A-ZÀ-Ý][A-ZÀ-Ý'-]{2,}", text))
    assert not (words & register["noms"]), words & register["noms"]


def test_the_dashboard_shows_charts_with_their_tables_and_no_nir(page, login, screenshot, register) -> None:  # type: ignore[no-untyped-def]
    login(page, "analyste")
    page.goto("/analyste")
    assert page.get_by_role("heading", name="Tableau de bord de l'analyste").is_visible()
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 1  # maladie at least: its months add up enough entries even in a 12-household demo
    # The secret statistique: in a 12-household demo, the months of the CAF's or the APA's few payments single
    # families out, so they are named but not shown.
    assert page.get_by_text("Secret statistique (moins de 11 écritures dans le mois)").count() >= 1
    first = charts.first
    labelled_by = (first.get_attribute("aria-labelledby") or "").split()
    assert labelled_by and page.locator(f"#{labelled_by[0]}").count() == 1  # a title the chart is named by
    assert first.locator("rect title").count() > 0
    # Each chart has its data table beside it.
    maladie = page.locator("#branche-maladie")
    assert maladie.locator("svg[role=img]").count() == 1
    table = maladie.locator("table")
    assert "Charges" in table.inner_text() and "€" in table.inner_text()
    _no_personal_data(page, register)
    screenshot(page, "analyste-tableau-de-bord")


def test_the_simulated_year_before_and_after_a_run(page, login, screenshot, register, demo_home: Path, database_url: str) -> None:  # type: ignore[no-untyped-def]
    login(page, "analyste")
    page.goto("/analyste/simulation")
    if not (demo_home / "simulations").exists():
        assert page.get_by_role("heading", name="Aucune année simulée").is_visible()
        screenshot(page, "analyste-simulation-aucune")

    out = demo_home / "simulations" / "essai-navigateur-2025"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECU_")} | {"SECU_HOME": str(demo_home)}
    done = subprocess.run(
        [sys.executable, "-c", "from secu.cli import app; app()", "simulate", "--year", "2025", "--scale", "0.00001",
         "--out", str(out), "--database", database_url, "--json"],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "resultat.json").is_file()

    page.goto("/analyste/simulation")
    assert page.get_by_role("heading", name=re.compile("2025 : l'année simulée comparée aux comptes publiés")).is_visible()
    comparison = page.locator("#table-comparaison").inner_text()
    for branch in ("Maladie", "Famille", "Vieillesse"):
        assert branch in comparison
    assert page.locator("svg[role=img]").count() >= 3  # recettes, dépenses, and the simulated months of the ledger
    _no_personal_data(page, register)
    screenshot(page, "analyste-simulation")

    page.goto("/analyste")
    assert page.get_by_text("Une année simulée a été passée au grand livre").is_visible()


def test_the_dashboard_is_for_analysts_only(page, login) -> None:  # type: ignore[no-untyped-def]
    login(page, "agent.demo")
    response = page.goto("/analyste")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="Accès refusé").is_visible()
