"""Security headers on every answer, and pages that pass a strict Content-Security-Policy (issue 12, defect 10).

Every browser test's tab reports CSP violations (tests/web/conftest.py's ``page``); here, one test proves that
report works, and the headers are read on pages, the API and files.
"""

from __future__ import annotations

import urllib.error
import urllib.request

from tests.web.conftest import csp_violations

PAGES = ["/", "/connexion", "/static/secu/secu.min.css", "/organisme/logo", "/api/auth/moi", "/docs", "/page-inconnue"]


def _headers(url: str) -> dict[str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return {k.lower(): v for k, v in answer.headers.items()}
    except urllib.error.HTTPError as error:  # a 401 or 404 carries them too
        return {k.lower(): v for k, v in error.headers.items()}


def test_every_answer_carries_the_security_headers(server: str) -> None:
    for path in PAGES:
        headers = _headers(server + path)
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "strict-transport-security" not in headers, path  # plain http here: HSTS only behind TLS
    page_policy = _headers(server + "/connexion")["content-security-policy"]
    assert "script-src 'self';" in page_policy and "style-src 'self';" in page_policy and "unsafe-inline" not in page_policy
    assert _headers(server + "/organisme/logo")["content-security-policy"].startswith("default-src 'none'")  # its own, kept


def test_the_pages_pass_the_policy_and_a_violation_would_be_seen(page, login) -> None:  # type: ignore[no-untyped-def]
    """The portals' pages with their scripts (GOV.UK Frontend, htmx) raise no violation; an inline style does."""
    for who, path in (("assure.demo", "/assure"), ("agent.demo", "/agent"), ("analyste", "/analyste")):
        page.context.clear_cookies()
        login(page, who)
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert not csp_violations(page.console_messages), (path, page.console_messages)
    # The report itself: a style attribute set by a script is refused under this policy, and reported.
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_timeout(200)
    assert any("style-src" in m for m in csp_violations(page.console_messages)), page.console_messages
    page.console_messages.clear()  # the deliberate violation is not the pages' fault
