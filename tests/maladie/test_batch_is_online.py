"""One rule set: the batch and the online path give identical amounts on the same 10,000 lines.

A small register (patients with and without médecin traitant, ALD, C2S, minors;
a generalist, a specialist, a nurse, a physiotherapist, a pharmacy, a
laboratory, a taxi) receives 10,000 claim lines as feuilles de soins through
the API, in lots — one lot per professional and day of care, the days in
order — so the daily and yearly caps are reached along the way, both within
a lot (one vectorized liquidation) and from the counters the earlier lots
stored. The same lines, with the context the intake derived from the
register, are then written to a Parquet file, in the order the intake took
them (``ordre``), and run through ``secu liquidate``'s function in one go.
Every amount of every line must be equal.

The care days are a few dozen days spread over the two years (every
``SPACING`` days): the batch orders a patient's lines by date, then by
``ordre``, so the lots of one day, sent one after the other, take the
patient's lines in the batch's own order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

from secu.app import create_app
from secu.core.db import unit_of_work
from secu.core.security import SYSTEM, Caller, Role
from secu.maladie.batch import liquidate_file
from secu.maladie.rules import parcours_de_soins
from secu.organismes import all_organismes
from secu.register import schemas, service
from secu.utilisateurs.service import UtilisateurIn, create_user

LINES = int(__import__("os").environ.get("SECU_TEST_LINES", "10000"))
PATIENTS = 40  # few patients, many lines each: the yearly caps are reached
TODAY = date.today()
FIRST_DAY = TODAY - timedelta(days=700)  # within the two years of CSS L332-1, over the tariffs' changes
SPACING = 50  # days between two care days: 14 busy days over the period, each with several claims per patient


def rpps(n: int) -> str:
    body = f"1{n:09d}"
    return body + luhn.calc_check_digit(body)


@dataclass(frozen=True)
class Pro:
    rpps: str
    profession: str
    specialite: str | None
    actes: tuple[tuple[str, Decimal | None, Decimal | None], ...]  # (acte, coefficient, base_unitaire)


PROS = (
    Pro(rpps(1), "medecin", "medecine-generale", (("G", None, None), ("G", None, None), ("VG", None, None), ("TCG", None, None))),
    Pro(rpps(2), "medecin", "cardiologie", (("CS", None, None), ("APC", None, None), ("CCAM", None, Decimal("150.40")))),
    Pro(rpps(3), "infirmier", None, (("AMI", Decimal("1"), None), ("AMI", Decimal("4.1"), None), ("AMX", Decimal("3.5"), None))),
    Pro(rpps(4), "masseur-kinesitherapeute", None, (("AMK", Decimal("7.5"), None), ("AMS", Decimal("9.5"), None))),
    Pro(rpps(5), "pharmacien", None, (("PH4", None, Decimal("7.12")), ("PH2", None, Decimal("3.05")), ("PH7", None, Decimal("249.99")),
                                      ("PH1", None, Decimal("2.10")), ("LPP", None, Decimal("12.80")))),
    Pro(rpps(6), "biologiste", None, (("B", Decimal("27"), None), ("B", Decimal("70"), None))),
    Pro(rpps(7), "transporteur-sanitaire", None, (("TAX", None, Decimal("45.60")), ("VSL", None, Decimal("38.00")))),
    Pro(rpps(8), "medecin", "psychiatrie", (("CNPSY", None, None),)),  # accès direct spécifique from 16 to 25
    Pro(rpps(9), "medecin", "ophtalmologie", (("CS", None, None),)),  # accès direct spécifique
)


@dataclass(frozen=True)
class Patient:
    id: int
    nir: str
    naissance: date
    sexe: str
    medecin_traitant: bool
    ald: bool
    c2s: bool


@pytest.fixture(scope="module")
def world(tmp_path_factory):  # type: ignore[no-untyped-def]
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('db') / 'secu.db'}")
    rng = random.Random(2026)
    patients: list[Patient] = []
    with unit_of_work(app.state.sessions) as s:
        ids = {}
        for index, pro in enumerate(PROS):
            ids[pro.rpps] = service.register_professional(
                s, schemas.ProfessionnelIn(rpps=pro.rpps, nom=f"Pro{index}", prenom="Test", profession=pro.profession,
                                           specialite=pro.specialite, departement="75"), caller=SYSTEM,
            ).id
        mc = Caller(user_id=None, role=Role.MEDECIN_CONSEIL, organisme_code=next(
            o.code for o in all_organismes() if o.type == "DRSM" and "75" in o.departements))
        for n in range(PATIENTS):
            sexe = "1" if n % 2 else "2"
            born = date(1940 + (n * 7) % 80, 1 + n % 12, 1 + (n * 3) % 28)
            if n % 8 == 0:  # some minors, some turning 18 in the period
                born = TODAY - timedelta(days=365 * (5 + n % 14) + n)
            elif n % 8 == 1:  # young adults, in the psychiatrists' direct access
                born = TODAY - timedelta(days=365 * (18 + n % 7) + n)
            body = f"{sexe}{born:%y%m}75{111 if n % 2 else 112}{n + 1:03d}"
            number = body + stdnum_nir.calc_check_digits(body)
            person = service.register_person(
                s, schemas.PersonneIn(nir=number, nom_naissance=f"Patient{n}", prenoms="Test", date_naissance=born, sexe=sexe,
                                      departement="75", commune="75111"),
                caller=SYSTEM, today=TODAY,
            )
            service.open_affiliation(s, person.id, schemas.AffiliationIn(motif="residence", date_debut=max(born, date(2015, 1, 1))), caller=SYSTEM)
            patient = Patient(person.id, number, born, sexe, medecin_traitant=n % 3 != 0, ald=n % 5 == 0, c2s=n % 7 == 3)
            if patient.medecin_traitant:
                declared = schemas.MedecinTraitantIn(professionnel_id=ids[PROS[0].rpps], date_debut=FIRST_DAY - timedelta(days=30))
                service.declare_medecin_traitant(s, person.id, declared, caller=SYSTEM, today=TODAY)
            if patient.ald:
                service.admit_ald(s, person.id, schemas.AldIn(code="8", date_debut=FIRST_DAY - timedelta(days=30), protocole=f"PS-{n}"), caller=mc)
            if patient.c2s:
                start = FIRST_DAY - timedelta(days=30)
                while start <= TODAY:  # granted for a year at a time (CSS L861-5), renewed
                    service.open_c2s(s, person.id, schemas.C2SIn(date_debut=start, date_fin=start + timedelta(days=364)), caller=SYSTEM)
                    start += timedelta(days=365)
            patients.append(patient)
        create_user(s, UtilisateurIn(login="agent", password="mot-de-passe-de-test", nom_affiche="agent", role=Role.ADMIN))
    client = TestClient(app)
    token = client.post("/api/auth/jeton", data={"username": "agent", "password": "mot-de-passe-de-test"}).json()["access_token"]
    yield app, client, {"Authorization": f"Bearer {token}"}, patients, rng
    app.state.engine.dispose()


def _claims(patients: list[Patient], rng: random.Random) -> list[dict]:  # type: ignore[type-arg]
    """Feuilles de soins of 1 to 30 lines, 10,000 lines in all, in date order; every content unique (no DOUBLON).

    Long feuilles (a pharmacy's, a nurse's round) keep the number of claims, hence the test's time, down."""
    claims, total, serial = [], 0, 0
    while total < LINES:
        pro = rng.choice(PROS)
        patient = rng.choice(patients)
        day = FIRST_DAY + timedelta(days=rng.randrange(0, 699) // SPACING * SPACING)  # busy days: the daily caps are reached
        count = min(rng.choice((1, 2, 3, 5, 10, 20, 30)), LINES - total)
        lines = []
        for _ in range(count):
            serial += 1
            acte, coefficient, unit = rng.choice(pro.actes)
            quantity = rng.choice((1, 1, 1, 2, 3)) if unit is not None or acte in ("AMI", "B") else 1
            line: dict[str, object] = {"acte": acte, "quantite": quantity}
            if coefficient is not None:
                line["coefficient"] = str(coefficient)
            if unit is not None:
                line["base_unitaire"] = str(unit)
                line["montant"] = str(unit * quantity)
            else:
                line["montant"] = f"{rng.choice((20, 26, 30, 31, 35, 40, 60, 80))}.{serial % 100:02d}"  # some below the tariff, some above
            line["ald"] = rng.random() < 0.5
            lines.append(line)
        claim: dict[str, object] = {
            "numero": f"F{serial:06d}", "nir": patient.nir, "date_soins": day.isoformat(), "lignes": lines,
            "tiers_payant": rng.random() < 0.4, "maternite": patient.sexe == "2" and rng.random() < 0.03, "atmp": rng.random() < 0.03,
        }
        if pro.profession == "medecin" and rng.random() < 0.5:
            claim["parcours"] = rng.choice(("oriente", "urgence", "hors_parcours"))
        claims.append({"pro": pro, "patient": patient, "fse": claim})
        total += count
    claims.sort(key=lambda c: c["fse"]["date_soins"])  # each patient's claims in date order (stable within a day)
    return claims


def _lots(claims: list[dict]) -> list[tuple[Pro, list[dict]]]:  # type: ignore[type-arg]
    """One lot per (day, professional), the days in order, the professionals in a fixed order within a day."""
    lots: dict[tuple[str, int], list[dict]] = {}  # type: ignore[type-arg]
    for claim in claims:
        lots.setdefault((claim["fse"]["date_soins"], PROS.index(claim["pro"])), []).append(claim)
    return [(PROS[pro], lot) for (_, pro), lot in sorted(lots.items())]


def _parcours(sent: list[tuple[Pro, Patient, dict]]) -> list[bool]:  # type: ignore[type-arg]
    """What the intake derives from the register (CSS L162-5-3), restated for the batch file with the rules' own
    decision: for each (professional, patient, claim), in one call."""
    frame = pl.DataFrame({
        "situation_parcours": [claim.get("parcours") for _, _, claim in sent],
        "profession": [pro.profession for pro, _, _ in sent], "specialite": [pro.specialite for pro, _, _ in sent],
        "medecin_traitant": [patient.medecin_traitant and pro is PROS[0] for pro, patient, _ in sent],
        "a_medecin_traitant": [patient.medecin_traitant for _, patient, _ in sent],
        "date_naissance": [patient.naissance for _, patient, _ in sent],
        "date_soins": [date.fromisoformat(claim["date_soins"]) for _, _, claim in sent],
    }, schema_overrides={"situation_parcours": pl.String, "specialite": pl.String})
    return [bool(value) for value in parcours_de_soins(frame)]


AMOUNTS = ("base_remboursement", "depassement", "montant_amo", "ticket_moderateur", "participation_forfaitaire", "franchise", "rembourse")


def test_batch_and_online_give_identical_amounts_on_10000_lines(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app, client, headers, patients, rng = world
    claims = _claims(patients, rng)
    online: list[dict] = []  # type: ignore[type-arg]
    rows: list[dict] = []  # type: ignore[type-arg]
    order = 0
    for number, (pro, lot) in enumerate(_lots(claims)):
        body = {"numero": f"L{number}", "professionnel_rpps": pro.rpps, "fse": [claim["fse"] for claim in lot]}
        response = client.post("/api/maladie/lots", json=body, headers=headers)
        assert response.status_code == 200, response.text
        for claim, result in zip(lot, response.json()["resultats"], strict=True):
            patient, fse = claim["patient"], claim["fse"]
            assert result["statut"] == "liquidee", result
            online.extend(result["lignes"])
            order += 1
            for line in fse["lignes"]:
                rows.append({
                    "nir": patient.nir, "date_naissance": patient.naissance, "sexe": patient.sexe,
                    "date_soins": date.fromisoformat(fse["date_soins"]), "professionnel": pro.rpps, "specialite": pro.specialite,
                    "acte": line["acte"], "quantite": line["quantite"], "coefficient": line.get("coefficient", "1"),
                    "montant": line["montant"], "base_unitaire": line.get("base_unitaire"),
                    "ald": bool(line["ald"]) and patient.ald,
                    "maternite": fse["maternite"], "atmp": fse["atmp"], "c2s": patient.c2s, "invalidite": False,
                    "tiers_payant": fse["tiers_payant"], "ordre": order, "seance": fse["numero"],
                    "__pro": pro, "__patient": patient, "__fse": fse,
                })
    assert len(online) == len(rows) == LINES
    for row, parcours in zip(rows, _parcours([(row.pop("__pro"), row.pop("__patient"), row.pop("__fse")) for row in rows]), strict=True):
        row["parcours"] = parcours
    source, target = tmp_path / "lignes.parquet", tmp_path / "resultat.parquet"
    pl.DataFrame(rows).write_parquet(source)
    summary = liquidate_file(source, target)
    assert summary.rejetees == 0
    batch = pl.read_parquet(target).sort("ligne")

    expected = {name: [line[f"{name}_cents"] for line in online] for name in AMOUNTS}
    got = {name: [int(value * 100) for value in batch[name].to_list()] for name in AMOUNTS}
    for name in AMOUNTS:
        differences = [i for i, (a, b) in enumerate(zip(expected[name], got[name], strict=True)) if a != b]
        first = differences[0] if differences else None
        assert not differences, (f"{name}: {len(differences)} ligne(s) diffèrent, p. ex. ligne {first} : "
                                 f"en ligne {expected[name][first]}, lot {got[name][first]}")
    assert [Decimal(line["taux"]) if line["taux"] is not None else None for line in online] == batch["taux"].to_list()
    # The caps were reached along the way, so the identity covers them.
    assert sum(expected["participation_forfaitaire"]) > 0 and sum(expected["franchise"]) > 0
    capped = batch.filter(pl.col("motif") == "participation forfaitaire ou franchise réduite par un plafond").height
    assert capped > 50
