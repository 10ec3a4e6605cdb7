"""The isolated OpenFisca environments, built by the tests themselves.

OpenFisca is a reference to compare against, not a dependency of secu: it never
enters the project's ``.venv`` nor ``pyproject.toml``. An :class:`Environment`
is a separate virtual environment beside ``.venv`` (git-ignored; an
environment variable moves it), created with ``python -m venv`` and filled by
pip from a pinned ``requirements.txt``; :meth:`Environment.openfisca_python`
returns its interpreter. Two are declared: :data:`FRANCE` here
(OpenFisca-France, ``.venv-openfisca/``, ``SECU_OPENFISCA_VENV``, this
folder's ``requirements.txt``), and OpenFisca-France-Pension in
``tests/retraite/openfisca/`` (it needs an older OpenFisca-Core, so it cannot
share a venv). The module-level functions are :data:`FRANCE`'s.

* Built once: the SHA-256 of ``requirements.txt`` (and the Python version) is
  stored in ``<venv>/.secu-requirements-sha256``; the environment is
  rebuilt from scratch only when that file changes. On a clean clone (CI) the
  first differential test builds it (about 20 s here: wheels only, no
  compilation), later runs reuse it.
* Two pytest-xdist workers never build it at once: an exclusive ``fcntl``
  lock on ``<venv>.lock`` (beside the venv, since the venv itself is
  deleted on rebuild) guards the check and the build; the second worker waits
  and then finds the stamp.
* A failed build raises :class:`OpenFiscaUnavailable` with pip's output; the
  tests fail on it (they do not skip: a differential test that silently
  disappears protects nothing). ``SECU_SKIP_OPENFISCA=1`` skips them on an
  offline laptop, never in CI.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
REQUIREMENTS = HERE / "requirements.txt"
RUNNER = HERE / "runner.py"
STAMP_NAME = ".secu-requirements-sha256"


class OpenFiscaUnavailable(RuntimeError):
    """The OpenFisca environment could not be built."""


def _python(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / "python"


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise OpenFiscaUnavailable(
            f"échec de {' '.join(args[:4])} … (code {done.returncode})\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )


@dataclass(frozen=True)
class Environment:
    """One isolated OpenFisca venv: where it lives, what fills it, what proves it works."""

    label: str  # for messages: "OpenFisca-France"
    requirements: Path  # the pinned requirements.txt
    directory: str  # the venv's default name under ROOT: ".venv-openfisca"
    variable: str  # the environment variable that moves it: "SECU_OPENFISCA_VENV"
    smoke: str  # Python run in the new venv to check it: "import openfisca_core, openfisca_france"

    def venv_dir(self) -> Path:
        return Path(os.environ.get(self.variable, ROOT / self.directory)).resolve()

    def wanted_stamp(self) -> str:
        digest = hashlib.sha256(self.requirements.read_bytes()).hexdigest()
        return f"{digest} python{sys.version_info.major}.{sys.version_info.minor}"

    def openfisca_python(self, say: Callable[[str], None] = lambda message: None) -> Path:
        """The python of the venv, (re)built first if requirements.txt changed."""
        venv = self.venv_dir()
        venv.parent.mkdir(parents=True, exist_ok=True)
        stamp = venv / STAMP_NAME
        wanted = self.wanted_stamp()
        with open(venv.parent / f"{venv.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if stamp.exists() and stamp.read_text() == wanted and _python(venv).exists():
                return _python(venv)
            started = time.monotonic()
            say(f"construction de l'environnement {self.label} {venv} (requirements.txt a changé ou absent)")
            if venv.exists():
                shutil.rmtree(venv)
            base = getattr(sys, "_base_executable", None) or sys.executable
            _run([base, "-m", "venv", str(venv)])
            _run([
                str(_python(venv)), "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q",
                "-r", str(self.requirements),
            ])
            _run([str(_python(venv)), "-c", self.smoke])
            stamp.write_text(wanted)
            (venv / ".secu-build-seconds").write_text(f"{time.monotonic() - started:.1f}\n")
            say(f"environnement {self.label} prêt en {time.monotonic() - started:.0f} s")
            return _python(venv)

    def cache_dir(self) -> Path:
        """Where computed OpenFisca results are kept (inside the venv: dropped with it on rebuild)."""
        path = self.venv_dir() / "secu-results"
        path.mkdir(parents=True, exist_ok=True)
        return path


FRANCE = Environment(
    label="OpenFisca-France",
    requirements=REQUIREMENTS,
    directory=".venv-openfisca",
    variable="SECU_OPENFISCA_VENV",
    # The country package imports (its parameters load lazily later).
    smoke="import openfisca_core, openfisca_france",
)


def venv_dir() -> Path:
    return FRANCE.venv_dir()


def wanted_stamp() -> str:
    return FRANCE.wanted_stamp()


def openfisca_python(say: Callable[[str], None] = lambda message: None) -> Path:
    """The python of the OpenFisca-France venv, (re)built first if requirements.txt changed."""
    return FRANCE.openfisca_python(say)


def cache_dir() -> Path:
    return FRANCE.cache_dir()


if __name__ == "__main__":  # python tests/recouvrement/openfisca/environment.py
    print(openfisca_python(say=print))
