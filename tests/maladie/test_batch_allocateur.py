"""secu sets Polars' allocator to keep the pages a lot frees (secu/core/allocateur.py): set before Polars is loaded,
never over the user's own setting, and the results are the same to the byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl

from secu.core import allocateur
from secu.maladie.batch import liquidate_file

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a fresh interpreter (Polars not yet loaded there), with this tree's sources."""
    environment = {k: v for k, v in os.environ.items() if k != allocateur.VARIABLE}
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), environment.get("PYTHONPATH", "")])
    environment.update(env or {})
    done = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


def test_the_command_sets_the_allocator_before_polars_and_polars_keeps_it() -> None:
    code = (
        "import secu.cli, os\n"  # secu.cli loads Polars (through the branches' commands) after secu set the variable
        "print(os.environ.get('_RJEM_MALLOC_CONF'))"
    )
    settings = _python(code)
    # Polars puts its own settings first and appends ours (a later jemalloc setting wins over an earlier one).
    assert settings.endswith("," + allocateur.SETTINGS), settings


def test_never_over_the_users_setting(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # As in a fresh process: Polars not loaded yet (the modules are put back after the test).
    monkeypatch.delitem(sys.modules, "polars")
    monkeypatch.delitem(sys.modules, "_polars_runtime_32", raising=False)
    monkeypatch.setenv(allocateur.VARIABLE, "dirty_decay_ms:0")
    assert allocateur.keep_freed_pages() is False
    assert os.environ[allocateur.VARIABLE] == "dirty_decay_ms:0"  # the user's choice
    monkeypatch.delenv(allocateur.VARIABLE)
    assert allocateur.keep_freed_pages() is True
    assert os.environ[allocateur.VARIABLE] == allocateur.SETTINGS


def test_too_late_once_polars_is_loaded() -> None:
    assert "polars" in sys.modules  # this test process imported it above
    before = os.environ.get(allocateur.VARIABLE)
    assert allocateur.keep_freed_pages() is False
    assert os.environ.get(allocateur.VARIABLE) == before


def test_the_same_output_to_the_byte_with_and_without_the_setting(tmp_path: Path) -> None:
    lines = 3000
    frame = pl.DataFrame(
        {
            "nir": [f"1{850575115000 + i // 7:012d}" for i in range(lines)],
            "date_naissance": ["1985-05-01"] * lines,
            "sexe": ["1"] * lines,
            "date_soins": [f"2025-0{1 + i % 9}-1{i % 10}" for i in range(lines)],
            "professionnel": [f"1000{i % 13}" for i in range(lines)],
            "acte": [("G", "PH7", "AMI", "B")[i % 4] for i in range(lines)],
            "quantite": [1 + i % 3 for i in range(lines)],
            "montant": [f"{25 + i % 40}.{i % 100:02d}" for i in range(lines)],
            "base_unitaire": ["7.00" if i % 4 == 1 else "" for i in range(lines)],
            "parcours": ["1"] * lines,
            "ald": ["1" if i % 11 == 0 else "0" for i in range(lines)],
            "maternite": ["0"] * lines,
            "atmp": ["0"] * lines,
            "c2s": ["0"] * lines,
        }
    )
    source = tmp_path / "lignes.csv"
    frame.write_csv(source)
    # With Polars' defaults (this process), then with the command's setting (a fresh process): the same bytes.
    for suffix in ("parquet", "csv"):
        liquidate_file(source, tmp_path / f"defaut.{suffix}", lignes_par_lot=1000)
    code = (
        "from secu.maladie.batch import liquidate_file\n"
        f"for suffix in ('parquet', 'csv'):\n    liquidate_file({str(source)!r}, {str(tmp_path)!r} + '/reglage.' + suffix, lignes_par_lot=1000)"
    )
    _python(code, {allocateur.VARIABLE: allocateur.SETTINGS})
    for suffix in ("parquet", "csv"):
        assert (tmp_path / f"defaut.{suffix}").read_bytes() == (tmp_path / f"reglage.{suffix}").read_bytes()
    assert pl.read_parquet(tmp_path / "reglage.parquet").height == lines
