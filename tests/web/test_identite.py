"""The organism's identity (SECU_ORGANISME_NOM, SECU_ORGANISME_LOGO) and no State's brand asset in the package."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from pydantic import ValidationError

import secu.web
from secu.web import identite as identite_module
from secu.web.identite import LOGO_PAR_DEFAUT, Identite
from secu.web.session import templates

WEB = Path(secu.web.__file__).parent
SHIPPED = [p for folder in ("templates", "static") for p in (WEB / folder).rglob("*") if p.is_file()]

# What the DSFR and the French State's brand leave behind, and GOV.UK's typeface and crest: nowhere in the package.
FORBIDDEN_TEXT = re.compile(
    r"dsfr|marianne|r[ée]publique\s*(<br>)?\s*fran[çc]aise|\bfr-[a-z]|data-fr-|gds transport|govuk-crest",
    re.IGNORECASE,
)
# GOV.UK's brand slots (its logo, crown, Crown copyright): their rules may sit in the stylesheet, no page may fill them.
FORBIDDEN_IN_TEMPLATES = re.compile(
    r"govuk-header|govuk-logo|govuk-footer__crown|govuk-footer__copyright-logo|govuk-footer__licence|crown|royal arms", re.IGNORECASE)
FORBIDDEN_NAMES = re.compile(r"dsfr|marianne|spectral|crest|crown|govuk-icon|opengraph|\.woff2?$|\.ttf$|\.otf$", re.IGNORECASE)


def test_no_dsfr_file_nor_state_brand_asset_is_shipped() -> None:
    assert SHIPPED, "les gabarits et fichiers statiques des pages sont introuvables"
    assert not (WEB / "static" / "dsfr").exists()
    assert [p for p in SHIPPED if FORBIDDEN_NAMES.search(p.name)] == []
    found = []
    for path in SHIPPED:
        if path.suffix.lower() in (".png", ".ico", ".jpg"):
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(WEB)}: {m.group(0)}" for m in FORBIDDEN_TEXT.finditer(text)]
        if path.suffix == ".html":
            found += [f"{path.relative_to(WEB)}: {m.group(0)}" for m in FORBIDDEN_IN_TEMPLATES.finditer(text)]
    assert found == []


def test_the_stylesheet_loads_no_font_and_no_image() -> None:
    css = (WEB / "static" / "secu" / "secu.min.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@font-face" not in css
    assert "font-family:system-ui" in css


def test_no_inline_script_nor_style_in_the_templates() -> None:
    """Ready for a strict Content-Security-Policy: scripts and styles come from files only."""
    for path in (WEB / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\ssrc=)", text), path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", text, re.IGNORECASE), path


@pytest.fixture
def organisme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    logo = tmp_path / "logo-cpam.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    monkeypatch.setenv("SECU_ORGANISME_NOM", "CPAM d'Essai-sur-Mer")
    monkeypatch.setenv("SECU_ORGANISME_LOGO", str(logo))
    identite_module.identite.cache_clear()
    yield logo
    identite_module.identite.cache_clear()


def _page(name: str, **context: object) -> str:
    request = SimpleNamespace(url=SimpleNamespace(path="/connexion"))
    return templates.get_template(name).render(request=request, utilisateur=None, csrf_token="x",
                                               identite=identite_module.identite(), **context)


def test_the_organism_s_name_and_logo_come_from_the_settings(organisme: Path) -> None:
    html = _page("erreur.html", titre="Accès refusé", message="Non.")
    assert "<title>Accès refusé — CPAM d&#39;Essai-sur-Mer</title>" in html
    assert '<span class="secu-entete__nom">CPAM d&#39;Essai-sur-Mer</span>' in html
    assert '<img class="secu-entete__logo" src="/organisme/logo" alt="">' in html  # the name beside it is the link's text
    from secu.web.pages import logo

    served = logo()
    assert Path(served.path) == organisme and served.media_type == "image/png"


def test_secu_s_neutral_identity_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECU_ORGANISME_NOM", raising=False)
    monkeypatch.delenv("SECU_ORGANISME_LOGO", raising=False)
    chosen = Identite()
    assert chosen.nom == "secu" and chosen.logo == LOGO_PAR_DEFAUT and chosen.type_du_logo == "image/svg+xml"
    svg = ElementTree.parse(LOGO_PAR_DEFAUT).getroot()  # well-formed, and named for whoever opens it alone
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.findtext("{http://www.w3.org/2000/svg}title") == "secu"


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("SECU_ORGANISME_LOGO", "/nulle/part/logo.svg", "SECU_ORGANISME_LOGO : fichier introuvable"),
    ("SECU_ORGANISME_LOGO", str(LOGO_PAR_DEFAUT.with_suffix(".gif")), "SECU_ORGANISME_LOGO : le logo doit être un fichier SVG, PNG ou JPEG"),
    ("SECU_ORGANISME_NOM", "   ", "SECU_ORGANISME_NOM : le nom de l'organisme doit compter de 1 à 120 caractères"),
])
def test_a_wrong_setting_is_refused_in_french(monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=re.escape(message)):
        Identite()
