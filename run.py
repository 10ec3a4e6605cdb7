#!/usr/bin/env python3
"""Set up secu on a fresh machine with only Python 3.11, then run it.

    python3 run.py demo [--port 8000]    the service with a demo population, on SQLite
    python3 run.py test [pytest args]    the gates (ruff, then mypy), then the whole test suite on every core
    python3 run.py test --sans-controles [pytest args]   the tests alone (never in CI)
    python3 run.py secu ARGS             any `secu` command
    python3 run.py verrou                rewrite constraints.txt from pyproject.toml's pins (a scratch venv)

The first run creates `.venv` beside this file and installs the project with
exactly the versions of constraints.txt (every dependency, transitive ones
included); later runs reinstall only when pyproject.toml or constraints.txt
changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".secu-installed"
LOCK = ROOT / "constraints.txt"
SKIP_GATES = "--sans-controles"
LOCK_HEADER = """\
# Every package secu installs, transitive dependencies included, at the version CI tested.
# run.py installs with `pip install -c constraints.txt -e .[dev]`.
# Regenerate after changing a pin in pyproject.toml: python3 run.py verrou
"""


def _say(message: str) -> None:
    print(f"[secu] {message}", flush=True)


def _pip(python: Path, *args: str) -> None:
    subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *args], check=True)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py runs under whatever python3 the machine has
        sys.exit("secu demande Python 3.11 ou plus récent.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        _say(f"création de l'environnement virtuel {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    _say(f"installation des dépendances (versions verrouillées dans {LOCK.name})")
    _pip(BIN / "python", "-c", str(LOCK), "-e", f"{ROOT}[dev]")
    STAMP.write_text(wanted)


def write_lock() -> int:
    """Resolve pyproject.toml's pins in a scratch venv and freeze every installed version into constraints.txt."""
    with tempfile.TemporaryDirectory(prefix="secu-verrou-") as scratch:
        python = Path(scratch) / ("Scripts" if os.name == "nt" else "bin") / "python"
        _say(f"résolution des dépendances dans un environnement vierge ({scratch})")
        venv.EnvBuilder(with_pip=True).create(scratch)
        _pip(python, "-e", f"{ROOT}[dev]")
        frozen = subprocess.run(
            [str(python), "-m", "pip", "freeze", "--exclude-editable", "--disable-pip-version-check"],
            check=True, capture_output=True, text=True,
        ).stdout
    LOCK.write_text(LOCK_HEADER + "".join(sorted(frozen.splitlines(keepends=True), key=str.lower)))
    _say(f"{LOCK.name} réécrit ({len(frozen.splitlines())} paquets)")
    return 0


CHROMIUM = Path("/usr/bin/chromium")


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium (never a downloaded one): install it once if missing."""
    if CHROMIUM.exists():
        return
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("apt-get") is None:
        _say("Chromium est absent (/usr/bin/chromium) et seul root peut l'installer : "
             "lancez « apt-get install -y chromium » ; sans lui, les tests de navigateur (tests/web) échoueront.")
        return
    _say("installation de Chromium (paquet Debian « chromium ») pour les tests de navigateur")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    installed = subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], env=env)
    if installed.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env)
        installed = subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], env=env)
    if installed.returncode != 0 or not CHROMIUM.exists():
        _say("Chromium n'a pas pu être installé : les tests de navigateur (tests/web) échoueront.")


# The gates, in order, each with what it checks (configured in pyproject.toml).
GATES = (
    ("ruff", "style et erreurs courantes", ["ruff", "check", "."]),
    ("mypy", "types", ["mypy"]),
)


def run_gates() -> int:
    for name, what, command in GATES:
        _say(f"contrôle {name} ({what})")
        if subprocess.call([str(BIN / command[0]), *command[1:]], cwd=ROOT) != 0:
            _say(f"ÉCHEC du contrôle {name} ({what}) : corrigez les erreurs ci-dessus ; les tests n'ont pas été lancés.")
            return 1
    return 0


def pytest_arguments(rest: list[str]) -> list[str]:
    """On every core (pytest-xdist) unless the caller chose otherwise; tests/conftest.py keeps each module on one worker."""
    chosen = any(a in {"-n", "--numprocesses", "--dist", "no:xdist"} or a.startswith(("-n", "--numprocesses=", "--dist=")) for a in rest)
    return rest if chosen else ["-n", "auto", "--dist", "loadscope", *rest]


def test(rest: list[str]) -> int:
    skip = SKIP_GATES in rest or os.environ.get("SECU_SANS_CONTROLES") == "1"
    rest = [a for a in rest if a != SKIP_GATES]
    if skip and os.environ.get("CI"):
        _say("contrôles ruff et mypy maintenus : on ne les saute jamais en CI.")
        skip = False
    if not skip and run_gates() != 0:
        return 1
    ensure_chromium()
    return subprocess.call([str(BIN / "python"), "-m", "pytest", *pytest_arguments(rest)], cwd=ROOT)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "secu", "verrou"}:
        print(__doc__)
        return 2
    if argv[0] == "verrou":
        return write_lock()
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "test":
        return test(rest)
    if command == "demo":
        return subprocess.call([str(BIN / "secu"), "demo", *rest], cwd=ROOT)
    return subprocess.call([str(BIN / "secu"), *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
