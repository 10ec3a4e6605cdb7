"""Benchmark of the online intake of feuilles de soins: FSE per second sustained over HTTP, on PostgreSQL.

    .venv/bin/python bench/intake.py                       # 10 minutes, 4 clients, lots of 300 FSE
    .venv/bin/python bench/intake.py --duree 30 --clients 4 --fse-par-lot 200 --workers 2

1. Creates a scratch schema in the PostgreSQL database (``--pg``, default the tests' server), migrates it and
   seeds a population: ``--professionnels`` generalists, pharmacists and nurses (the register's service), and
   ``--patients`` assurés with their affiliation, 60 % with a médecin traitant (in bulk), each in the
   patientèle of one professional of each profession — a lot carries patients of its professional.
2. Serves the real application with uvicorn (``--workers`` processes) on that schema.
3. ``--clients`` HTTP clients post lots of ``--fse-par-lot`` FSE (1 to 3 lines each, some sent again to
   test idempotence) for ``--duree`` seconds, while one more client sends single-FSE lots alongside.
4. Prints, side by side: FSE per second sustained, p50 / p99 per lot, p99 of the single-FSE requests, the
   errors (any answer but 200); then checks the database: every FSE acknowledged as liquidated stored once,
   none stored that was not acknowledged, one ledger entry each, the yearly counters equal to the sums of
   their claims' participations and franchises, no care liquidated twice. The schema is dropped at the end
   (``--garder`` keeps it).

The issue's target, on a quiet machine: ≥ 2,000 FSE/s for 10 minutes, p99 of a lot < 2 s, p99 of a
single-FSE request < 200 ms, 0 errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

ROOT = Path(__file__).resolve().parents[1]
TODAY = date.today()
PASSWORD = "mot-de-passe-de-banc"
ACTS = {  # profession: (acte, coefficient, base_unitaire, montant) choices
    "medecin": [("G", None, None, "30.00"), ("G", None, None, "35.00"), ("VG", None, None, "40.00")],
    "pharmacien": [("PH7", None, "7.12", "7.12"), ("PH4", None, "3.05", "3.05"), ("LPP", None, "12.80", "12.80")],
    "infirmier": [("AMI", "1", None, "3.15"), ("AMI", "4.1", None, "12.92"), ("AMX", "3.5", None, "11.03")],
}


def rpps(n: int) -> str:
    body = f"2{n:09d}"
    return body + luhn.calc_check_digit(body)


def seed(url: str, patients: int, professionals: int) -> tuple[list[tuple[str, str]], list[str]]:
    """The population: professionals through the register's service; assurés, their affiliation and médecin
    traitant in bulk (tens of thousands in seconds). Returns (rpps, profession) of each professional, the NIRs."""
    from secu.app import create_app
    from secu.core.db import table_of, unit_of_work
    from secu.core.security import SYSTEM
    from secu.organismes import route
    from secu.register import schemas, service
    from secu.register.models import Affiliation, MedecinTraitant, Personne
    from secu.utilisateurs.service import UtilisateurIn, create_user

    app = create_app(url)
    pros: list[tuple[str, str]] = []
    with unit_of_work(app.state.sessions) as s:
        doctors = []
        for n in range(professionals):
            profession = ("medecin", "pharmacien", "infirmier")[n % 3]
            number = rpps(n + 1)
            pro = service.register_professional(
                s,
                schemas.ProfessionnelIn(
                    rpps=number,
                    nom=f"Pro{n}",
                    prenom="Banc",
                    profession=profession,
                    specialite="medecine-generale" if profession == "medecin" else None,
                    departement="75",
                ),
                caller=SYSTEM,
            )
            pros.append((number, profession))
            if profession == "medecin":
                doctors.append(pro.id)
        create_user(s, UtilisateurIn(login="banc", password=PASSWORD, nom_affiche="banc", role="admin"))
    caisse = route("75", "maladie").code
    nirs = []
    rng = random.Random(2026)
    for start in range(0, patients, 5000):
        people = []
        for n in range(start, min(patients, start + 5000)):
            sexe = "1" if n % 2 else "2"
            born = date(1940 + n % 70, 1 + n % 12, 1 + n % 28)
            body = f"{sexe}{born:%y%m}75{101 + (n // 999) % 899:03d}{n % 999 + 1:03d}"
            nirs.append(body + stdnum_nir.calc_check_digits(body))
            people.append(
                {
                    "nir": nirs[-1],
                    "nom_naissance": f"Assure{n}",
                    "prenoms": "Banc",
                    "date_naissance": born,
                    "sexe": sexe,
                    "departement": "75",
                    "commune": "75111",
                    "regime": "general",
                }
            )
        with unit_of_work(app.state.sessions) as s:
            person = table_of(Personne)
            ids = s.execute(sa.insert(person).returning(person.c.id, sort_by_parameter_order=True), people).scalars().all()
            s.execute(
                sa.insert(table_of(Affiliation)),
                [{"personne_id": i, "regime": "general", "organisme_code": caisse, "motif": "residence", "date_debut": date(2015, 1, 1)} for i in ids],
            )
            s.execute(
                sa.insert(table_of(MedecinTraitant)),
                [  # 60 % have declared one: the doctor of their patientèle
                    {"personne_id": i, "professionnel_id": doctors[k % len(doctors)], "date_debut": date(2020, 1, 1)}
                    for k, i in enumerate(ids, start=start)
                    if doctors and rng.random() < 0.6
                ],
            )
    # The statistics a running register has (autovacuum would take a minute or more): the tables just seeded only.
    # An empty table analyzed would be recorded as empty, and the plans cached for the foreign keys' checks (a
    # claim's lot, for instance) would then scan it whole as it grows.
    with app.state.engine.begin() as c:
        c.execute(sa.text("ANALYZE personne, affiliation, medecin_traitant, professionnel_sante"))
    app.state.engine.dispose()
    return pros, nirs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(url: str, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    import secu

    # the code the bench itself imports (PYTHONPATH=…/src picks another checkout's, to compare two versions)
    env = {**os.environ, "SECU_DATABASE_URL": url, "PYTHONPATH": str(Path(secu.__file__).resolve().parents[1])}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "secu.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--workers",
            str(workers),
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/openapi.json")
            connection.getresponse().read()
            return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise SystemExit("le serveur n'a pas démarré") from None
            time.sleep(0.3)


@dataclass
class Tally:
    lots: list[float] = field(default_factory=list)
    singles: list[float] = field(default_factory=list)
    fse: int = 0
    errors: list[str] = field(default_factory=list)
    liquidated: dict[tuple[str, str], int] = field(default_factory=dict)  # (rpps, numero) -> fse_id
    resent_mismatch: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def patientele(nirs: list[str], pros: list[tuple[str, str]], index: int) -> list[str]:
    """The assurés a professional sees: patient k belongs to the k-th professional of each profession, in turn
    (so a doctor's lot and a pharmacy's share some patients, as they do in life)."""
    same = [i for i, (_, profession) in enumerate(pros) if profession == pros[index][1]]
    return nirs[same.index(index) :: len(same)]


def claim(rng: random.Random, nirs: list[str], profession: str, numero: str) -> dict[str, object]:
    lines = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        acte, coefficient, unit, amount = rng.choice(ACTS[profession])
        line: dict[str, object] = {"acte": acte, "montant": amount}
        if coefficient:
            line["coefficient"] = coefficient
        if unit:
            line["base_unitaire"] = unit
        lines.append(line)
    return {
        "numero": numero,
        "nir": rng.choice(nirs),
        "date_soins": (TODAY - timedelta(days=rng.randrange(1, 300))).isoformat(),
        "tiers_payant": rng.random() < 0.5,
        "lignes": lines,
    }


def client(port: int, token: str, pros: list[tuple[str, str]], nirs: list[str], size: int, until: float, tally: Tally, name: str, single: bool) -> None:
    rng = random.Random(name)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    sent: list[tuple[bytes, dict[str, int]]] = []
    pools = [patientele(nirs, pros, i) for i in range(len(pros))]
    serial = 0
    while time.monotonic() < until:
        if sent and not single and rng.random() < 0.05:  # the same lot again: the same answers, nothing new
            body, expected = rng.choice(sent)
        else:
            index = rng.randrange(len(pros))
            rpps_, profession = pros[index]
            serial += 1
            lot = {
                "numero": f"{name}-{serial}",
                "professionnel_rpps": rpps_,
                "fse": [claim(rng, pools[index], profession, f"{name}-{serial}-{i}") for i in range(1 if single else size)],
            }
            body, expected = json.dumps(lot).encode(), {}
        start = time.perf_counter()
        try:
            connection.request("POST", "/api/maladie/lots", body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            with tally.lock:
                tally.errors.append(f"{type(error).__name__}: {error}")
            continue
        elapsed = time.perf_counter() - start
        if response.status != 200:
            with tally.lock:
                tally.errors.append(f"HTTP {response.status}: {payload[:200]!r}")
            continue
        answer = json.loads(payload)
        lot_in = json.loads(body)
        ids = {r["numero"]: r["fse_id"] for r in answer["resultats"] if r["statut"] == "liquidee"}
        with tally.lock:
            (tally.singles if single else tally.lots).append(elapsed)
            if expected:
                tally.resent_mismatch += ids != expected
            else:
                tally.fse += len(answer["resultats"])
                for numero, fse_id in ids.items():
                    tally.liquidated[lot_in["professionnel_rpps"], numero] = fse_id
        if not expected and not single and len(sent) < 50:
            sent.append((body, ids))


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the uvicorn process and its workers so far: a figure the machine's load
    does not inflate, unlike wall-clock times."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for process in [str(pid), *children]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def database_cpu(url: str, name: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving the bench's server (its connections carry the
    application_name ``name``), read from /proc: the database's share of the work, which the server's CPU leaves out."""
    engine = sa.create_engine(url)
    with engine.connect() as c:
        pids = c.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"), {"name": name}).scalars().all()
    engine.dispose()
    tick, found = os.sysconf("SC_CLK_TCK"), {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # another machine's server, or a backend gone
        found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def sequential_reads(url: str) -> dict[str, int]:
    """Rows read by sequential scans so far, per table of the bench's schema: a look-up of a lot's keys that
    scans a whole table instead of its index shows here (and costs PostgreSQL more as the table grows)."""
    engine = sa.create_engine(url)
    with engine.connect() as c:
        found = {
            row.relname: int(row.seq_tup_read)
            for row in c.execute(sa.text("SELECT relname, seq_tup_read FROM pg_stat_user_tables WHERE schemaname = current_schema()"))
        }
    engine.dispose()
    return found


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def check(url: str, tally: Tally) -> list[str]:
    """The invariants after the run: nothing doubled, nothing lost."""
    engine = sa.create_engine(url)
    problems = []
    with engine.connect() as c:
        stored = {
            (r.rpps, r.numero): r.id
            for r in c.execute(
                sa.text("SELECT p.rpps, f.numero, f.id FROM fse f JOIN professionnel_sante p ON p.id = f.professionnel_id WHERE f.statut = 'liquidee'")
            )
        }
        if stored != tally.liquidated:
            lost = len(set(tally.liquidated.items()) - set(stored.items()))
            extra = len(set(stored.items()) - set(tally.liquidated.items()))
            problems.append(f"{lost} FSE acquittées absentes ou différentes, {extra} FSE stockées non acquittées")
        twins = c.scalar(
            sa.text("SELECT COUNT(*) FROM (SELECT soins_empreinte FROM fse WHERE statut = 'liquidee' GROUP BY soins_empreinte HAVING COUNT(*) > 1) t")
        )
        if twins:
            problems.append(f"{twins} soins liquidés deux fois")
        entries = c.scalar(sa.text("SELECT COUNT(*) FROM ecriture WHERE cle_idempotence LIKE 'liquidation:fse:%'"))
        with_money = c.scalar(
            sa.text(
                "SELECT COUNT(*) FROM fse WHERE statut = 'liquidee' AND EXISTS (SELECT 1 FROM ligne_fse l "
                "WHERE l.fse_id = fse.id AND (l.montant_amo_cents <> 0 OR l.participation_forfaitaire_cents <> 0 "
                "OR l.franchise_cents <> 0))"
            )
        )
        if entries != with_money:
            problems.append(f"{entries} écritures de liquidation pour {with_money} FSE à écrire")
        drift = c.scalar(
            sa.text(
                "SELECT COUNT(*) FROM compteur_annuel k LEFT JOIN (SELECT f.personne_id, EXTRACT(YEAR FROM f.date_soins)::int AS annee, "
                "SUM(l.participation_forfaitaire_cents) AS pf, SUM(l.franchise_cents) AS fr FROM fse f JOIN ligne_fse l ON l.fse_id = f.id "
                "WHERE f.statut = 'liquidee' GROUP BY 1, 2) s ON s.personne_id = k.personne_id AND s.annee = k.annee "
                "WHERE k.participation_forfaitaire_cents <> COALESCE(s.pf, 0) OR k.franchise_cents <> COALESCE(s.fr, 0)"
            )
        )
        if drift:
            problems.append(f"{drift} compteurs annuels différents de la somme de leurs FSE")
    engine.dispose()
    if tally.resent_mismatch:
        problems.append(f"{tally.resent_mismatch} lots renvoyés avec une autre réponse")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duree", type=float, default=600, help="secondes de charge (600 par défaut)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--fse-par-lot", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2, help="processus uvicorn")
    parser.add_argument("--patients", type=int, default=30000)
    parser.add_argument("--professionnels", type=int, default=30)
    parser.add_argument("--pg", default=os.environ.get("SECU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--garder", action="store_true", help="garder le schéma à la fin")
    args = parser.parse_args()

    schema = f"banc_intake_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(args.pg)
    with admin.begin() as c:
        c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{args.pg}{'&' if '?' in args.pg else '?'}options={quote(f'-csearch_path={schema}')}"
    served_url = f"{url}&application_name={schema}"  # the server's connections, to read their backends' CPU
    process = None
    try:
        t0 = time.perf_counter()
        pros, nirs = seed(url, args.patients, args.professionnels)
        print(f"population : {len(nirs)} assurés, {len(pros)} professionnels ({time.perf_counter() - t0:.0f} s) — schéma {schema}")
        process, port = serve(served_url, args.workers)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", "/api/auth/jeton", body=f"username=banc&password={PASSWORD}", headers={"Content-Type": "application/x-www-form-urlencoded"})
        token = json.loads(connection.getresponse().read())["access_token"]
        tally = Tally()
        until = time.monotonic() + args.duree
        threads = [threading.Thread(target=client, args=(port, token, pros, nirs, args.fse_par_lot, until, tally, f"C{i}", False)) for i in range(args.clients)]
        threads.append(threading.Thread(target=client, args=(port, token, pros, nirs, 1, until, tally, "S", True)))
        scanned0 = sequential_reads(url)
        cpu0, start, served0, base0 = time.process_time(), time.perf_counter(), server_cpu(process.pid), database_cpu(url, schema)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - start
        served = server_cpu(process.pid) - served0
        base = sum(seconds - base0.get(pid, 0.0) for pid, seconds in database_cpu(url, schema).items())
        bench_cpu = time.process_time() - cpu0
        print(
            f"charge : {args.clients} clients × lots de {args.fse_par_lot} FSE + 1 client de FSE unitaires, {wall:.0f} s, "
            f"{args.workers} worker(s) uvicorn (CPU du banc lui-même : {time.process_time() - cpu0:.0f} s)"
        )
        print(f"{'':28}{'mesuré':>12}{'objectif':>12}")
        print(f"{'FSE/s soutenues':28}{tally.fse / wall:>12.1f}{'≥ 2000':>12}")
        print(f"{'lots traités':28}{len(tally.lots):>12}")
        print(f"{'p50 d’un lot (s)':28}{percentile(tally.lots, 0.5):>12.3f}")
        print(f"{'p99 d’un lot (s)':28}{percentile(tally.lots, 0.99):>12.3f}{'< 2':>12}")
        print(
            f"{'p99 FSE unitaire (s)':28}{percentile(tally.singles, 0.99):>12.3f}{'< 0.2':>12}  "
            f"({len(tally.singles)} requêtes, p50 {statistics.median(tally.singles) if tally.singles else float('nan'):.3f})"
        )
        print(
            f"{'CPU du service par FSE (ms)':28}{1000 * served / max(tally.fse, 1):>12.2f}"
            f"  (uvicorn, hors PostgreSQL : {served:.0f} s pour {tally.fse} FSE ; soit {tally.fse / max(served, 1e-9):.0f} FSE par "
            f"seconde de CPU)"
        )
        print(f"{'CPU de PostgreSQL par FSE':28}{1000 * base / max(tally.fse, 1):>12.2f}  (ms ; ses processus servant le banc : {base:.0f} s)")
        total = served + base + bench_cpu
        print(
            f"{'CPU total par FSE (ms)':28}{1000 * total / max(tally.fse, 1):>12.2f}  (service + PostgreSQL + clients du banc : soit "
            f"{tally.fse / max(total, 1e-9):.0f} FSE par seconde de CPU, {2 * tally.fse / max(total, 1e-9):.0f} FSE/s sur 2 cœurs libres)"
        )
        time.sleep(1)  # the statistics collector's figures are flushed about each second
        scanned = {table: rows - scanned0.get(table, 0) for table, rows in sequential_reads(url).items()}
        worst = sorted((rows, table) for table, rows in scanned.items() if rows)[-3:][::-1]
        print(
            f"{'lignes lues en séquentiel':28}{sum(scanned.values()) / max(tally.fse, 1):>12.1f}  (par FSE ; "
            + (", ".join(f"{table} {rows}" for rows, table in worst) or "aucune")
            + ")"
        )
        print(f"{'charge de la machine':28}{os.getloadavg()[0]:>12.2f}  (uptime, moyenne sur 1 minute)")
        print(f"{'erreurs':28}{len(tally.errors):>12}{'0':>12}")
        for error in tally.errors[:5]:
            print("   ", error)
        problems = check(url, tally)
        print("vérification : " + ("rien de doublé ni de perdu" if not problems else "; ".join(problems)))
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if not args.garder:
            with admin.begin() as c:
                c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
