"""Benchmark: invalidity pensions in service per second (the monthly run's rules), and one payment run's rate.

    .venv/bin/python bench/invalidite.py                       # 1,000,000 pensions × one month, best of 3; a run of 2,000 on SQLite
    .venv/bin/python bench/invalidite.py --pensions 200000 --run 0

1. ``--pensions`` synthetic pensions (deterministic seed): catégories 1/2/3 (30/60/10 %), dates d'effet spread over
   2023-04 … 2026-03, SAM from 0 to 60 000 €; one month paid (2026-06). Times
   :func:`secu.especes.rules.pension_en_service` (liquidation at the date d'effet, the 1 April revaluations since,
   the minimum, the MTP) then :func:`secu.especes.rules.cumul_invalidite` (a third with earnings): CPU seconds
   (``time.process_time``), best of ``--essais``.
2. ``--run`` pensions granted in a fresh SQLite database (rows written directly, not through the claim workflow),
   then :func:`secu.especes.paiement_invalidite.run_payments` for one month: wall seconds, pensions per second
   (chunks of 200 committed one by one, ledger entries, SEPA file checked against its XSD).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from secu.especes.rules import cumul_invalidite, pension_en_service  # noqa: E402

MOIS = date(2026, 6, 1)


def pensions(n: int, seed: int = 17) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    mois_effet = rng.integers(0, 36, n)
    debut = pl.Series([date(2023 + (3 + m) // 12, (3 + m) % 12 + 1, 1) for m in range(36)])
    return pl.DataFrame(
        {
            "mois": [MOIS] * n,
            "date_effet": debut.gather(mois_effet),
            "categorie": rng.choice([1, 2, 3], n, p=[0.3, 0.6, 0.1]),
            "sam": rng.integers(0, 6_000_000, n),
        }
    )


def _rules(frame: pl.DataFrame) -> pl.DataFrame:
    out = pension_en_service(frame)
    n = out.height
    rng = np.random.default_rng(3)
    return cumul_invalidite(
        out.select("mois", "pension_mensuelle", "sam").with_columns(
            pensions_reference=pl.col("pension_mensuelle") * 12,
            revenus_reference=pl.Series(np.where(rng.random(n) < 1 / 3, rng.integers(0, 4_000_000, n), 0)),
            salaire_annee_precedente=pl.col("sam"),
            annee_precedente=pl.lit(2022),
        )
    )


def run(n: int) -> tuple[float, int]:
    from secu.core.db import make_engine, migrate, session_factory, unit_of_work
    from secu.core.security import SYSTEM
    from secu.especes import paiement_invalidite
    from secu.especes.invalidite import DemandeInvalidite, PensionInvalidite
    from secu.organismes import route
    from secu.register import schemas, service

    home = Path(tempfile.mkdtemp())
    engine = make_engine(f"sqlite:///{home / 'bench.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    caisse = route("75", "maladie").code
    with unit_of_work(sessions) as s:
        for i in range(n):
            personne = service.register_person(
                s,
                schemas.PersonneIn(
                    nir=_nir(i), nom_naissance=f"Banc{i}", prenoms="Paul", date_naissance=date(1975, 1, 1), sexe="1", departement="75", commune="75111"
                ),
                caller=SYSTEM,
                today=date(2025, 1, 1),
            )
            demande = DemandeInvalidite(
                personne_id=personne.id,
                organisme_code=caisse,
                departement="75",
                date_demande=date(2025, 1, 1),
                date_arret=date(2024, 1, 1),
                statut="accordee",
                avis_categorie=2,
                avis_date_effet=date(2025, 5, 1),
            )
            s.add(demande)
            s.flush()
            s.add(
                PensionInvalidite(
                    demande_id=demande.id,
                    personne_id=personne.id,
                    organisme_code=caisse,
                    categorie=2,
                    date_effet=date(2025, 5, 1),
                    sam_cents=2_400_000 + i,
                    annees_retenues=10,
                    montant_liquidation_cents=100_000,
                    annee_precedente=2023,
                    iban="FR7630006000011234567890189",
                    titulaire=f"Banc{i} Paul",
                    explication="{}",
                )
            )
    start = time.perf_counter()
    bilan = paiement_invalidite.run_payments(sessions, caisse, MOIS)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, bilan.versements


def _nir(i: int) -> str:
    from tests.api.conftest import with_key

    return with_key(f"175017511{i:04d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pensions", type=int, default=1_000_000)
    parser.add_argument("--essais", type=int, default=3)
    parser.add_argument("--run", type=int, default=2_000, help="pensions of the payment run on SQLite (0: none)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    frame = pensions(args.pensions)
    best_cpu, best_wall = float("inf"), float("inf")
    for _ in range(args.essais):
        cpu, wall = time.process_time(), time.perf_counter()
        out = _rules(frame)
        best_cpu, best_wall = min(best_cpu, time.process_time() - cpu), min(best_wall, time.perf_counter() - wall)
    print(
        f"règles : {args.pensions:,} pensions × 1 mois en {best_cpu:.2f} s CPU ({best_wall:.2f} s réelles) : "
        f"{args.pensions / best_cpu:,.0f} pensions par seconde CPU ; total versé {out['pension_versee'].sum() / 100:,.2f} €"
    )
    if args.run:
        elapsed, versements = run(args.run)
        print(f"campagne : {versements:,} pensions payées en {elapsed:.2f} s ({versements / elapsed:,.0f} par seconde, SQLite)")


if __name__ == "__main__":
    main()
