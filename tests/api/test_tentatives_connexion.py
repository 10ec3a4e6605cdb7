"""Sign-in under attack, over HTTP, on both databases: parallel guesses cannot pass the limit, an unknown login
is answered exactly like a known one (same status, same message, same argon2 work), and no one can lock an
account out: the throttle is per login and source, and a login under a distributed guess still opens from a
source it is known from."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import argon2
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import secu.core.security as security
from secu.config import settings
from secu.core.db import unit_of_work
from secu.core.security import Role
from secu.utilisateurs import service
from secu.utilisateurs.service import UtilisateurIn, create_user

PASSWORD = "mot-de-passe-de-test"
WRONG = "pas-le-bon-mot-de-passe"


class CountingHasher:
    """The argon2 hasher, counting its verifications (the work a sign-in does) and the hashes they check."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.checked: list[str] = []
        self.lock = threading.Lock()

    def hash(self, password: str) -> str:
        return self.real.hash(password)  # type: ignore[attr-defined,no-any-return]

    def verify(self, hashed: str, password: str) -> bool:
        with self.lock:
            self.checked.append(hashed)
        return self.real.verify(hashed, password)  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingHasher]:
    counting = CountingHasher(security._hasher)
    monkeypatch.setattr(security, "_hasher", counting)
    yield counting


def _account(app, login: str) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(app.state.sessions) as session:
        create_user(session, UtilisateurIn(login=login, password=PASSWORD, role=Role.ANALYSTE, nom_affiche=login))


def _client(app, source: str) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, client=(source, 50000))


def _try(client: TestClient, login: str, password: str) -> tuple[int, str]:
    response = client.post("/api/auth/jeton", data={"username": login, "password": password})
    return response.status_code, response.json().get("detail", {}).get("message", "") if response.status_code != 200 else ""


def test_parallel_guesses_are_checked_no_more_than_the_limit(app, hasher: CountingHasher) -> None:  # type: ignore[no-untyped-def]
    _account(app, "cible.parallele")
    guesses = 30
    barrier = threading.Barrier(guesses)
    answers: list[int] = []

    def guess() -> None:
        client = _client(app, "203.0.113.9")
        barrier.wait(timeout=30)
        answers.append(_try(client, "cible.parallele", WRONG)[0])

    threads = [threading.Thread(target=guess) for _ in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(answers)) == [401, 429], answers
    # Each attempt is counted before its password is checked, atomically: 30 at once get 5 checks, not 30.
    assert len(hasher.checked) == settings().max_failed_logins, len(hasher.checked)
    assert answers.count(401) == settings().max_failed_logins


def test_an_unknown_login_is_answered_like_a_known_one(app, hasher: CountingHasher) -> None:  # type: ignore[no-untyped-def]
    _account(app, "compte.existant")
    client = _client(app, "198.51.100.20")
    attempts = settings().max_failed_logins + 3
    known = [_try(client, "compte.existant", WRONG) for _ in range(attempts)]
    checked_for_known = list(hasher.checked)
    hasher.checked.clear()
    unknown = [_try(client, "compte.inexistant", WRONG) for _ in range(attempts)]
    # the same statuses and messages, 401 then 429, whether the account exists or not
    assert known == unknown
    assert [status for status, _ in known] == [401] * settings().max_failed_logins + [429] * 3
    # the same work: one argon2 verification per checked attempt, of a hash of the same cost
    assert len(hasher.checked) == len(checked_for_known) == settings().max_failed_logins
    costs = {repr(argon2.extract_parameters(h)) for h in hasher.checked + checked_for_known}
    assert len(costs) == 1, costs


def test_no_one_can_lock_someone_else_out(app) -> None:  # type: ignore[no-untyped-def]
    _account(app, "victime")
    attacker = _client(app, "192.0.2.66")
    answers = [_try(attacker, "victime", WRONG)[0] for _ in range(30)]
    assert answers[-1] == 429  # the attacker's own source is slowed down…
    # …but the rightful user, from elsewhere, signs in at once.
    assert _try(_client(app, "198.51.100.77"), "victime", PASSWORD)[0] == 200


@pytest.fixture
def low_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same rules with smaller numbers, so a botnet or a spray takes a few requests rather than dozens.
    monkeypatch.setattr(settings(), "max_failed_logins_per_source", 8)
    monkeypatch.setattr(settings(), "max_failed_logins_per_account", 8)


def test_a_distributed_guess_slows_new_sources_but_a_known_source_still_signs_in(app, low_thresholds) -> None:  # type: ignore[no-untyped-def]
    _account(app, "cible.distribuee")
    home = _client(app, "198.51.100.1")
    assert _try(home, "cible.distribuee", PASSWORD)[0] == 200  # the user's usual source
    for source in range(3):  # a botnet: each source under the per-source limit, together over the account's
        bot = _client(app, f"203.0.113.{100 + source}")
        for _ in range(settings().max_failed_logins):
            _try(bot, "cible.distribuee", WRONG)
    status, message = _try(_client(app, "198.51.100.99"), "cible.distribuee", PASSWORD)
    assert status == 429 and "réessayez" in message  # a new source waits, even with the right password
    assert _try(home, "cible.distribuee", PASSWORD)[0] == 200  # the known source is not locked out


def test_one_source_spraying_many_logins_is_slowed(app, low_thresholds) -> None:  # type: ignore[no-untyped-def]
    sprayer = _client(app, "192.0.2.200")
    answers = [_try(sprayer, f"essai.{index}", WRONG)[0] for index in range(settings().max_failed_logins_per_source + 2)]
    assert answers[: settings().max_failed_logins_per_source] == [401] * settings().max_failed_logins_per_source
    assert answers[-1] == 429
    _account(app, "voisin.du.pulverisateur")  # someone else, from another source, is not concerned
    assert _try(_client(app, "198.51.100.150"), "voisin.du.pulverisateur", PASSWORD)[0] == 200


def test_counters_that_say_nothing_any_more_are_purged(app, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    long_ago, recently = "2020-01-01 00:00:00", security.utcnow() - timedelta(days=10)
    with unit_of_work(app.state.sessions) as session:
        session.execute(sa.text("INSERT INTO limite_connexion (cle, echecs, prochain_essai, dernier_succes) VALUES "
                                "('oubliee', 3, :old, NULL), ('source-connue', 0, :old, :recent)"),
                        {"old": long_ago, "recent": recently})
    monkeypatch.setattr(service, "_last_purge", None)
    _try(_client(app, "198.51.100.250"), "quelquun", WRONG)
    with unit_of_work(app.state.sessions) as session:
        left = set(session.scalars(sa.text("SELECT cle FROM limite_connexion WHERE cle IN ('oubliee', 'source-connue')")))
    assert left == {"source-connue"}  # forgotten failures go; a source known from a recent success stays
