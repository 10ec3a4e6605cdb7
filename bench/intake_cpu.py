"""CPU time of the intake itself, in process, per FSE: lots of N FSE through ``intake.receive_lot`` (no HTTP).

    PYTHONPATH=src .venv/bin/python bench/intake_cpu.py --base sqlite
    PYTHONPATH=/path/to/another/checkout/src .venv/bin/python bench/intake_cpu.py --base postgresql

CPU seconds (``time.process_time``) are what a loaded machine does not inflate much, so two versions of the
intake (this checkout and another, by PYTHONPATH) can be compared on a shared machine: run them alternately and
keep the best of each. Uses only ``intake.receive_lot`` and ``intake.LotIn``, which both versions have.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import claim, patientele, rpps  # noqa: E402  (the HTTP bench's population and claims)
from stdnum.fr import nir as stdnum_nir  # noqa: E402


def seed(url: str, patients: int, professionals: int) -> tuple[object, list[tuple[str, str]], list[str]]:
    from secu.app import create_app
    from secu.core.db import unit_of_work
    from secu.core.security import SYSTEM
    from secu.organismes import route
    from secu.register import schemas, service
    from secu.register.models import Affiliation, Personne

    app = create_app(url)
    pros = []
    with unit_of_work(app.state.sessions) as s:
        for n in range(professionals):
            profession = ("medecin", "pharmacien", "infirmier")[n % 3]
            service.register_professional(s, schemas.ProfessionnelIn(
                rpps=rpps(n + 1), nom=f"Pro{n}", prenom="Banc", profession=profession,
                specialite="medecine-generale" if profession == "medecin" else None, departement="75"), caller=SYSTEM)
            pros.append((rpps(n + 1), profession))
    nirs, people = [], []
    for n in range(patients):
        born = date(1940 + n % 70, 1 + n % 12, 1 + n % 28)
        body = f"{1 + n % 2}{born:%y%m}75{101 + (n // 999) % 899:03d}{n % 999 + 1:03d}"
        nirs.append(body + stdnum_nir.calc_check_digits(body))
        people.append({"nir": nirs[-1], "nom_naissance": f"A{n}", "prenoms": "B", "date_naissance": born, "sexe": str(1 + n % 2),
                       "departement": "75", "commune": "75111", "regime": "general"})
    with unit_of_work(app.state.sessions) as s:
        s.execute(sa.insert(Personne.__table__), people)
        ids = s.scalars(sa.select(Personne.id)).all()
        s.execute(sa.insert(Affiliation.__table__), [{"personne_id": i, "regime": "general", "organisme_code": route("75", "maladie").code,
                                                      "motif": "residence", "date_debut": date(2015, 1, 1)} for i in ids])
    return app, pros, nirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--fse-par-lot", type=int, default=200)
    parser.add_argument("--lots", type=int, default=8)
    parser.add_argument("--pg", default=os.environ.get("SECU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    from secu.core.db import unit_of_work
    from secu.core.security import SYSTEM
    from secu.maladie import intake

    schema, folder = None, tempfile.mkdtemp()
    if args.base == "sqlite":
        url = f"sqlite:///{folder}/banc.db"
    else:
        schema = f"banc_cpu_{uuid.uuid4().hex[:8]}"
        with sa.create_engine(args.pg).begin() as c:
            c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = f"{args.pg}?options={quote(f'-csearch_path={schema}')}"
    try:
        app, pros, nirs = seed(url, 6000, 6)
        rng = random.Random(7)
        pools = [patientele(nirs, pros, i) for i in range(len(pros))]
        times = []
        for n in range(args.lots + 1):
            i = n % len(pros)
            lot = intake.LotIn(numero=f"P{n}", professionnel_rpps=pros[i][0],
                               fse=[claim(rng, pools[i], pros[i][1], f"P{n}-{k}") for k in range(args.fse_par_lot)])
            start = time.process_time()
            with unit_of_work(app.state.sessions) as session:  # type: ignore[attr-defined]
                _, results = intake.receive_lot(session, SYSTEM, lot, today=date.today())
            if n:  # the first lot warms the caches (tariffs, parameters, the law table)
                times.append(time.process_time() - start)
            assert sum(r.statut == "liquidee" for r in results) > args.fse_par_lot // 2, [r.code for r in results][:5]
        best, median = min(times), sorted(times)[len(times) // 2]
        print(f"{args.base} : lots de {args.fse_par_lot} FSE — CPU par lot : meilleur {best:.3f} s, médian {median:.3f} s ; "
              f"par FSE : {1000 * best / args.fse_par_lot:.2f} ms (soit {args.fse_par_lot / best:.0f} FSE par seconde de CPU)"
              f"  [{Path(intake.__file__).parent}]")
    finally:
        if schema:
            with sa.create_engine(args.pg).begin() as c:
                c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
