"""Browser tests: the app served on a free port over a seeded demo database, driven by the Debian Chromium.

One demo database and one server for the whole run (seeding takes seconds);
each test gets a fresh browser context, so no cookie leaks between tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from secu.demo.population import DEMO_PASSWORD

CHROMIUM = Path(os.environ.get("SECU_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
DEMO_FOYERS = "12"  # enough for an assuré with children, claims and a CAF file, still quick to seed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECU_")}
    env["SECU_HOME"] = str(home)
    return env


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SECU_HOME holding a SQLite database seeded exactly as `secu demo` does."""
    home = tmp_path_factory.mktemp("secu-demo")
    done = subprocess.run(
        [sys.executable, "-c", "from secu.cli import app; app()", "demo", "--no-serve", "--foyers", DEMO_FOYERS],
        env=_environment(home), capture_output=True, text=True, timeout=600,
    )
    if done.returncode != 0:
        pytest.fail(f"la population de démonstration n'a pas pu être créée :\n{done.stdout}\n{done.stderr}")
    return home


@pytest.fixture(scope="session")
def server(demo_home: Path) -> Iterator[str]:
    """The base URL of the app served by uvicorn in a child process."""
    port = _free_port()
    log = (demo_home / "uvicorn.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "secu.app:create_app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        env=_environment(demo_home), stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/connexion", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"le serveur n'a pas démarré :\n{(demo_home / 'uvicorn.log').read_text()}")
            time.sleep(0.2)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def database_url(demo_home: Path) -> str:
    """The served database, for a test that must change what the server sees (an expired token, say)."""
    return f"sqlite:///{(demo_home / 'secu.db').resolve()}"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium est introuvable ({CHROMIUM}) : les tests de navigateur en ont besoin. "
            "Lancez « python3 run.py test », qui l'installe (apt-get install -y chromium, en root), "
            "ou installez le paquet Debian chromium."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            # French dates in forms; as root in a container and on a closed network: no sandbox, no calls home.
            args=["--lang=fr-FR", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield launched
        launched.close()


REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) =>
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI || "inline"} ${event.sourceFile}:${event.lineNumber}`));"""
"""Run in every page before its own scripts (by the browser's debugging protocol, which the page's CSP does not govern)."""


def csp_violations(messages: list[str]) -> list[str]:
    return [m for m in messages if m.startswith("CSP violation") or "Content Security Policy" in m]


@pytest.fixture
def page(browser, server: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh tab; every page it shows, in every browser test, must pass the Content-Security-Policy."""
    context = browser.new_context(base_url=server, locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(REPORT_VIOLATIONS)
    tab = context.new_page()
    console: list[str] = []
    tab.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    tab.console_messages = console  # type: ignore[attr-defined]
    yield tab
    context.close()
    assert not csp_violations(console), csp_violations(console)


def sign_in(page, login: str, password: str = DEMO_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the form, as a person would."""
    page.goto("/connexion")
    page.get_by_label("Identifiant", exact=True).fill(login)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


@pytest.fixture
def login() -> Callable[..., None]:
    """`login(page, "assure.demo")` signs in with the demo password."""
    return sign_in


def take_screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """`screenshot(page, "assure-accueil")` writes test-output/screenshots/assure-accueil.png."""
    return take_screenshot
