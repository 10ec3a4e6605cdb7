"""The organism's identity on the pages: its name and its logo, set per installation (SECU_ORGANISME_*).

secu is deployed by caisses (organismes de droit privé) and possibly abroad: the pages carry the
organism's own name and logo, or secu's neutral ones, never a State's sign.

* ``SECU_ORGANISME_NOM`` — the name in the header, the page titles and the footer (default « secu »).
* ``SECU_ORGANISME_LOGO`` — a local SVG, PNG or JPEG file shown beside the name (default: secu's neutral logo).
  It is served by the application itself at ``/organisme/logo``: nothing is fetched from another site.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOGO_PAR_DEFAUT = Path(__file__).parent / "static" / "secu" / "logo-secu.svg"
TYPES_DE_LOGO = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


class Identite(BaseSettings):
    """The organism's name and logo file, read from SECU_ORGANISME_NOM and SECU_ORGANISME_LOGO."""

    model_config = SettingsConfigDict(env_prefix="SECU_ORGANISME_")

    nom: str = "secu"
    logo: Path = LOGO_PAR_DEFAUT

    @field_validator("nom")
    @classmethod
    def _nom(cls, value: str) -> str:
        value = value.strip()
        if not value or len(value) > 120:
            raise ValueError("SECU_ORGANISME_NOM : le nom de l'organisme doit compter de 1 à 120 caractères.")
        return value

    @field_validator("logo")
    @classmethod
    def _logo(cls, value: Path) -> Path:
        if value.suffix.lower() not in TYPES_DE_LOGO:
            raise ValueError(f"SECU_ORGANISME_LOGO : le logo doit être un fichier SVG, PNG ou JPEG ({value}).")
        if not value.is_file():
            raise ValueError(f"SECU_ORGANISME_LOGO : fichier introuvable ({value}).")
        return value

    @property
    def type_du_logo(self) -> str:
        return TYPES_DE_LOGO[self.logo.suffix.lower()]


@lru_cache
def identite() -> Identite:
    return Identite()
