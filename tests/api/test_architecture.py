"""The arrows between layers, read from the source (AST), lazy imports inside functions included.

``secu.core`` is the foundation: it imports nothing of secu outside itself. ``secu.api`` is the shared
HTTP kit: it may use the foundation and the settings, never a branch, the register, the pages or the
demo. Only the composition root ``secu.app`` assembles the branches' routers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import secu

SRC = Path(secu.__file__).parent


def _package_of(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1])  # a module's package; for an __init__, the package itself


def secu_imports(source: str, package: str) -> set[str]:
    """Every ``secu…`` module a source imports, absolute or relative, at any depth of the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            if base == "secu":  # from secu import demo: the module is the name imported
                found.update(f"secu.{alias.name}" for alias in node.names)
    return {name for name in found if name == "secu" or name.startswith("secu.")}


def _violations(package: str, allowed: tuple[str, ...]) -> dict[str, set[str]]:
    out = {}
    for path in sorted((SRC / package).rglob("*.py")):
        imports = secu_imports(path.read_text(encoding="utf-8"), _package_of(path))
        bad = {name for name in imports if not any(name == a or name.startswith(a + ".") for a in allowed)}
        if bad:
            out[str(path.relative_to(SRC.parent))] = bad
    return out


def test_core_imports_only_core() -> None:
    assert _violations("core", ("secu.core",)) == {}


def test_api_kit_imports_no_branch_page_or_demo() -> None:
    assert _violations("api", ("secu.api", "secu.core", "secu.config")) == {}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from secu.organismes import get_organisme\n", {"secu.organismes"}),
        ("def f():\n    import secu.web.pages\n", {"secu.web.pages"}),
        ("from secu import demo\n", {"secu", "secu.demo"}),
        ("from ..maladie import rules\n", {"secu.maladie"}),
        ("from . import money\n", {"secu.core"}),
        ("import polars as pl\n", set()),
    ],
)
def test_the_walk_sees_every_form_of_import(source: str, expected: set[str]) -> None:
    # The checker must see a lazy import, a relative one and ``from secu import x``, or it proves nothing.
    assert secu_imports(source, "secu.core") == expected
