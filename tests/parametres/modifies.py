"""Run a rule on a copy of the parameter tree where one value is changed (law as data: the outcome follows)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import secu.core.parameters.join as join
import secu.core.parameters.loading as loading
from secu.core.parameters import Parameters, load_parameters


@contextmanager
def parametre_modifie(tmp_path: Path, fichier: str, avant: str, apres: str) -> Iterator[Parameters]:
    """Copy the tree, replace ``avant`` by ``apres`` once in ``fichier`` (relative to the tree) and serve that tree.

    Every reader of ``parameters()`` (``join_parameters`` and the modules that import it) sees the changed tree
    until the block ends.
    """
    root = Path(tempfile.mkdtemp(dir=tmp_path)) / "parametres"
    shutil.copytree(loading.PARAMETRES_ROOT, root, ignore=shutil.ignore_patterns("*.py", "__pycache__", "*.md"))
    path = root / fichier
    text = path.read_text(encoding="utf-8")
    assert text.count(avant) == 1, f"{avant!r} doit figurer une fois dans {fichier}"
    path.write_text(text.replace(avant, apres), encoding="utf-8")
    changed = load_parameters(root)
    with pytest.MonkeyPatch.context() as patch:
        for module in _readers():
            patch.setattr(module, "parameters", lambda: changed)
        yield changed


def _readers() -> list[object]:
    """The modules that call ``parameters()`` by their own name (imported with ``from … import parameters``)."""
    import sys

    return [m for name, m in list(sys.modules.items())
            if name.startswith("secu.") and getattr(m, "parameters", None) is loading.parameters] + [join]
