"""Benchmark: what the input bounds of issue 12 (defect 8) cost per request, side by side in one run.

    .venv/bin/python bench/entrees.py                 # 5 alternating rounds
    .venv/bin/python bench/entrees.py --tours 9 --fse 500

Two costs, each printed with its floor, in CPU time (``time.process_time``), best of ``--tours`` rounds run in
alternation (the machine is shared: wall-clock time is not a measure here):

1. **Validation of an intake lot** of ``--fse`` feuilles (each then validated alone, as ``intake`` does): the
   input models as shipped (``Entree``: every text field walked for control characters) against the same models
   without that walk (the floor).
2. **A request through the application**: ``GET /api/parametres`` (small, no database write) and a refused
   ``POST /api/personnes`` without a token, through the shipped application (size limit, control characters,
   token before the body, security headers) against the same application with those middlewares removed.
3. With ``--corps-50mo``: the server (uvicorn, in a child process on this tree's ``PYTHONPATH``) sent 50 Mo of
   JSON without a token on ``POST /api/recouvrement/dsn/json``: the time to its answer and the server's peak
   memory (``VmHWM``). Run it with ``PYTHONPATH`` on an older tree to see the figures before.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from secu.maladie import intake


def _lot(count: int) -> dict[str, Any]:
    return {"numero": "BENCH-1", "professionnel_rpps": "10003456786", "fse": [
        {"numero": f"F{i}", "nir": "185057511500189", "date_soins": "2026-01-05", "tiers_payant": False,
         "lignes": [{"acte": "G", "montant": "30.00"}, {"acte": "PH4", "quantite": 2, "montant": "10.00", "base_unitaire": "5.00"}]}
        for i in range(count)]}


def _without_walk() -> tuple[type, type]:
    """The same intake models, the control-character walk switched off: the floor of the validation."""

    class LigneIn(intake.LigneIn):
        champs_examines_ailleurs = frozenset(intake.LigneIn.model_fields)

    class FseIn(intake.FseIn):
        champs_examines_ailleurs = frozenset(intake.FseIn.model_fields)
        lignes: list[LigneIn]  # type: ignore[assignment]

    class LotIn(intake.LotIn):
        champs_examines_ailleurs = frozenset(intake.LotIn.model_fields)

    return LotIn, FseIn


def _validate(lot_model: type, fse_model: type, lot: dict[str, Any]) -> Callable[[], None]:
    def run() -> None:
        for fse in lot_model.model_validate(lot).fse:  # type: ignore[attr-defined]
            fse_model.model_validate(fse)  # type: ignore[attr-defined]

    return run


def _requests(client: TestClient, count: int) -> Callable[[], None]:
    def run() -> None:
        for _ in range(count):
            client.get("/api/parametres")
            client.post("/api/personnes", json={"nom_naissance": "x"})

    return run


def _best(runs: dict[str, Callable[[], None]], rounds: int) -> dict[str, float]:
    best = {name: float("inf") for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():  # alternated, so a burst of load hits both alike
            start = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - start)
    return best


def _peak_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status", encoding="ascii"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def corps_sans_jeton(megaoctets: int = 50) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "SECU_HOME": home}
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "secu.app:create_app", "--port", str(port), "--log-level",
                                   "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/api/parametres", timeout=2).close()
                    break
                except OSError:
                    time.sleep(0.2)
            before = _peak_kib(server.pid)
            body = b'{"contenu": "' + b"x" * (megaoctets * 1024 * 1024) + b'"}'
            request = urllib.request.Request(base + "/api/recouvrement/dsn/json", data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
            start = time.perf_counter()
            try:
                status = urllib.request.urlopen(request, timeout=120).status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError as error:  # the server answered and closed before the whole body was sent
                status = -1
                print(f"  (connexion fermée par le serveur : {error})")
            elapsed = time.perf_counter() - start
            print(f"POST de {megaoctets} Mo sans jeton : réponse {status} en {elapsed:.2f} s ; "
                  f"mémoire de pointe du serveur {before / 1024:.0f} Mo avant, {_peak_kib(server.pid) / 1024:.0f} Mo après")
        finally:
            server.terminate()
            server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tours", type=int, default=5)
    parser.add_argument("--fse", type=int, default=1000)
    parser.add_argument("--requetes", type=int, default=200)
    parser.add_argument("--corps-50mo", action="store_true", help="mesurer aussi un corps de 50 Mo envoyé sans jeton")
    args = parser.parse_args()
    if args.corps_50mo:
        corps_sans_jeton()

    lot = _lot(args.fse)
    bare_lot, bare_fse = _without_walk()
    validation = _best({"secu": _validate(intake.LotIn, intake.FseIn, lot), "plancher": _validate(bare_lot, bare_fse, lot)}, args.tours)
    print(f"validation d'un lot de {args.fse} FSE (temps CPU, meilleur de {args.tours}) :")
    print(f"  secu (Entree)        {validation['secu'] * 1000:8.1f} ms")
    print(f"  sans le contrôle     {validation['plancher'] * 1000:8.1f} ms   rapport {validation['secu'] / validation['plancher']:.2f}")

    from secu.app import create_app

    shipped = create_app("sqlite://")
    bare = create_app("sqlite://")
    bare.user_middleware = []  # before the first request: the stack is built then
    requests = _best({"secu": _requests(TestClient(shipped), args.requetes), "plancher": _requests(TestClient(bare), args.requetes)}, args.tours)
    per = {name: value / (2 * args.requetes) * 1e6 for name, value in requests.items()}
    print(f"une requête (GET /api/parametres, POST /api/personnes refusé sans jeton ; temps CPU, meilleur de {args.tours}) :")
    print(f"  secu (intergiciels)  {per['secu']:8.0f} µs")
    print(f"  sans intergiciels    {per['plancher']:8.0f} µs   rapport {per['secu'] / per['plancher']:.2f}")


if __name__ == "__main__":
    main()
