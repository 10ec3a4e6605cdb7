"""The demo's sign-in retiree (``retraite.demo``, secu/demo/retraite.py) sees the pension the demo's claim was paid.

Runs once the claim service (secu.retraite.demande, its « Ma retraite » page) is installed beside the demo.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytest.importorskip("secu.retraite.demande", reason="le service des demandes de retraite n'est pas installé")


def test_the_demo_retiree_sees_her_pension_and_its_payments(page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    login(page, "retraite.demo")
    page.goto("/assure/retraite")
    expect(page.get_by_role("heading", name="Ma pension")).to_be_visible()
    expect(page.locator("main")).to_contain_text("retraite attribuée")
    expect(page.locator("main")).to_contain_text("€")
    screenshot(page, "retraite-demo-ma-retraite")
