"""« Pensions par génération », the analyst's page of the simulated year's retirees, in a real browser."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.web.test_analyste import _no_personal_data, register  # noqa: F401 - the fixture, and the check of no NIR nor name


def test_pensions_by_generation_after_a_simulated_year(page, login, screenshot, register, demo_home: Path, database_url: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    login(page, "analyste")
    page.goto("/analyste")
    page.get_by_role("link", name="pensions par génération").click()
    assert page.get_by_role("heading", name="Pensions de retraite par génération").is_visible()
    if not (demo_home / "simulations").exists():
        assert page.get_by_role("heading", name="Aucune année simulée").is_visible()

    out = demo_home / "simulations" / "essai-retraite-2025"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECU_")} | {"SECU_HOME": str(demo_home)}
    done = subprocess.run(
        [sys.executable, "-c", "from secu.cli import app; app()", "simulate", "--year", "2025", "--scale", "0.00002", "--seed", "3",
         "--out", str(out), "--database", database_url, "--json"],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr

    page.goto("/analyste/retraites")
    assert page.get_by_text(re.compile("de l'année simulée 2025, payés en décembre")).is_visible()
    assert page.get_by_text("essai-retraite-2025").is_visible()
    table = page.locator("#table-generations")
    headers = table.locator("thead th").all_inner_texts()
    assert headers[:4] == ["Génération", "Retraités", "Pension moyenne", "Au minimum contributif"]
    rows = table.locator("tbody tr")
    assert rows.count() >= 3
    last = rows.last.inner_text()
    assert last.startswith("Ensemble") and "€" in last and "%" in last
    # About 290 retirees in 1 368 people: the oldest and youngest generations hold fewer than 11, hidden.
    assert table.get_by_text("secret").count() >= 1
    assert page.get_by_text("Secret statistique : une génération de 1 à 10 retraités n'est pas montrée.").is_visible()
    _no_personal_data(page, register)
    screenshot(page, "analyste-retraites")


def test_the_page_is_for_analysts_only(page, login) -> None:  # type: ignore[no-untyped-def]
    login(page, "assure.demo")
    response = page.goto("/analyste/retraites")
    assert response is not None and response.status == 403
