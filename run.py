#!/usr/bin/env python3
"""Set up secu on a fresh machine with only Python 3.11, then run it.

    python3 run.py demo [--port 8000]   the service with a demo population, on SQLite
    python3 run.py test [pytest args]   the whole test suite
    python3 run.py secu ARGS            any `secu` command

The first run creates `.venv` beside this file and installs the project with
its pinned dependencies; later runs reinstall only when pyproject.toml changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".secu-installed"


def _say(message: str) -> None:
    print(f"[secu] {message}", flush=True)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit("secu demande Python 3.11 ou plus récent.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        _say(f"création de l'environnement virtuel {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    _say("installation des dépendances (versions épinglées dans pyproject.toml)")
    subprocess.run(
        [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", f"{ROOT}[dev]"],
        check=True,
    )
    STAMP.write_text(wanted)


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


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "secu"}:
        print(__doc__)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "test":
        ensure_chromium()
        args = [str(BIN / "python"), "-m", "pytest", *rest]
    elif command == "demo":
        args = [str(BIN / "secu"), "demo", *rest]
    else:
        args = [str(BIN / "secu"), *rest]
    return subprocess.call(args, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
