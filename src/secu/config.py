"""Settings read from the environment (SECU_*), with defaults that work on a laptop."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SECU_")

    home: Path = Path("data")
    database_url: str | None = None
    # Keyed pseudonyms for analytics (HMAC of the NIR): never a plain hash, the NIR space is small.
    pseudonym_key: str = ""
    token_hours: int = 8
    # Sign-in throttling (secu.utilisateurs.service): free failures per login and source, per source, per login
    # (sources the account signed in from are exempt from the last two); then a delay starting at
    # login_delay_seconds, doubling with each failure, capped at lockout_seconds.
    max_failed_logins: int = 5
    max_failed_logins_per_source: int = 30
    max_failed_logins_per_account: int = 20
    login_delay_seconds: int = 30
    lockout_seconds: int = 300
    # The caisses' own account, debited by payment runs (a test account by default: set the real one).
    compte_payeur_iban: str = "FR7630001007941234567890185"
    compte_payeur_bic: str = "BDFEFRPPCCT"
    # The TLS proxies whose X-Forwarded-Proto and X-Forwarded-For are believed (addresses or networks, comma
    # separated; "*" believes anyone, never in production): behind them cookies are Secure and HSTS is sent.
    proxies_de_confiance: str = "127.0.0.1"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.home.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.home / 'secu.db').resolve()}"

    @property
    def resolved_pseudonym_key(self) -> bytes:
        if self.pseudonym_key:
            return self.pseudonym_key.encode()
        key_file = self.home / "pseudonym.key"
        if not key_file.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return key_file.read_text().strip().encode()


@lru_cache
def settings() -> Settings:
    return Settings()
