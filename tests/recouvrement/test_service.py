"""A DSN through the API on both databases: contributions stored and explained, the employer's account, the ledger's split.

The sample files are tests/recouvrement/dsn_samples (a small Lyon company, March 2026).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from secu.app import create_app
from secu.core import ledger
from secu.core.db import unit_of_work
from secu.core.errors import InvalidField
from secu.core.security import SYSTEM, Role
from secu.recouvrement import compte, dsn, financement, rules
from secu.recouvrement.models import DeclarationDsn, LigneCotisation
from secu.register import schemas, service
from secu.utilisateurs.service import UtilisateurIn, create_user

SAMPLES = Path(__file__).parent / "dsn_samples"
SIREN, SIRET = "812345676", "81234567600025"
PASSWORD = "mot-de-passe-de-test"


@pytest.fixture(scope="module")
def client(database_url):  # type: ignore[no-untyped-def]
    app = create_app(database_url)
    with unit_of_work(app.state.sessions) as s:
        employer = service.register_employer(s, schemas.EmployeurIn(
            siren=SIREN, raison_sociale="Atelier Dupuis et fils",
            etablissements=[schemas.EtablissementIn(siret=SIRET, code_naf="25.12Z", effectif=3, departement="69", commune="69266")]),
            caller=SYSTEM)
        accounts = {
            "admin": dict(role=Role.ADMIN),
            "employeur": dict(role=Role.EMPLOYEUR, employeur_id=employer.id),
            "urssaf.rhone": dict(role=Role.AGENT, organisme_code="URSSAF-RA"),
            "urssaf.idf": dict(role=Role.AGENT, organisme_code="URSSAF-IDF"),
            "cpam.lyon": dict(role=Role.AGENT, organisme_code="CPAM-69"),
        }
        for login, extra in accounts.items():
            create_user(s, UtilisateurIn(login=login, password=PASSWORD, nom_affiche=login, **extra))
    web = TestClient(app)
    tokens = {login: web.post("/api/auth/jeton", data={"username": login, "password": PASSWORD}).json()["access_token"] for login in accounts}
    web.headers_for = lambda login: {"Authorization": f"Bearer {tokens[login]}"}  # type: ignore[attr-defined]
    web.app_state = app.state  # type: ignore[attr-defined]
    yield web
    app.state.engine.dispose()


def post(client, name: str, login: str = "employeur"):  # type: ignore[no-untyped-def]
    return client.post("/api/recouvrement/dsn", content=(SAMPLES / name).read_bytes(), headers={**client.headers_for(login), "Content-Type": "text/plain"})


def test_urssaf_of_the_sample(client) -> None:  # type: ignore[no-untyped-def]
    from secu.organismes import route

    assert route("69", "recouvrement", commune="69266").code == "URSSAF-RA"


def test_a_dsn_is_stored_whole_with_every_line_explained_and_booked(client) -> None:  # type: ignore[no-untyped-def]
    response = post(client, "mensuelle_2026_03.dsn")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["siret"], body["mois"], body["version"], body["deja_recue"]) == (SIRET, "2026-03-01", 1, False)
    # Fewer than 50 employees: due on the 15th of the following month (CSS R243-6); 15/04/2026 is a Wednesday.
    assert body["date_exigibilite"] == "2026-04-15"

    # The stored lines are exactly what the rule computes on the DSN's payslips.
    declaration = dsn.parse_dsn((SAMPLES / "mensuelle_2026_03.dsn").read_bytes())
    expected = rules.contributions(dsn.payslips(declaration))
    assert body["salarial_cents"] == expected["montant_salarial_cents"].sum()
    assert body["patronal_cents"] == expected["montant_patronal_cents"].sum()
    detail = client.get(f"/api/recouvrement/dsn/{body['id']}", headers=client.headers_for("employeur")).json()
    assert len(detail["salaries_detail"]) == body["salaries"] == dsn.payslips(declaration).height
    for employee in detail["salaries_detail"]:
        assert employee["lignes"] and all(line["reference"] for line in employee["lignes"])
        assert employee["net_avant_impot_cents"] == employee["brut_cents"] - employee["salarial_cents"]

    # The ledger: the URSSAF's receivable equals what the branches and funds get, and the Agirc-Arrco share stays out.
    with unit_of_work(client.app_state.sessions) as s:
        entry = s.scalar(sa.select(ledger.Ecriture).where(ledger.Ecriture.cle_idempotence == f"dsn:{body['id']}"))
        lines = {(line.branche, line.compte): line.montant_cents for line in entry.lignes}
    assert sum(lines.values()) == 0
    assert lines[("recouvrement", "creances.cotisants")] == body["du_urssaf_cents"]
    for branche in ("maladie", "retraite", "famille", "autonomie", "atmp"):
        assert lines[(branche, "produits.cotisations")] < 0
    assert lines[("maladie", "produits.csg")] < 0 and lines[("recouvrement", "dettes.attributaires.csg.cades")] < 0
    agirc = expected.filter(pl.col("attributaire") == "agirc_arrco")
    assert body["du_urssaf_cents"] < body["salarial_cents"] + body["patronal_cents"]  # Agirc-Arrco is paid to its institutions
    assert agirc.height > 0


def test_the_same_file_twice_is_one_dsn_and_a_month_is_declared_once(client) -> None:  # type: ignore[no-untyped-def]
    again = post(client, "mensuelle_2026_03.dsn").json()
    assert again["deja_recue"] is True and again["version"] == 1
    text = (SAMPLES / "mensuelle_2026_03.dsn").read_bytes().replace(b"S20.G00.05.007,'05042026'", b"S20.G00.05.007,'06042026'")
    other = client.post("/api/recouvrement/dsn", content=text, headers={**client.headers_for("employeur"), "Content-Type": "text/plain"})
    assert other.status_code == 409 and "annule et remplace" in other.json()["detail"]["message"]


def test_a_replacement_replaces_never_adds(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get(f"/api/recouvrement/employeurs/{SIREN}/compte?au=2026-04-30", headers=client.headers_for("employeur")).json()
    response = post(client, "annule_remplace_2026_03.dsn")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == 2
    account = client.get(f"/api/recouvrement/employeurs/{SIREN}/compte?au=2026-04-30", headers=client.headers_for("employeur")).json()
    march = next(p for p in account["periodes"] if p["mois"] == "2026-03-01")
    assert march["du_cents"] == body["du_urssaf_cents"]  # not the sum of both versions
    assert account["solde_cents"] == first["solde_cents"] - first["periodes"][0]["du_cents"] + body["du_urssaf_cents"]
    assert [d["version"] for d in account["declarations"]] == [2]
    with unit_of_work(client.app_state.sessions) as s:
        balance = ledger.balances(s, ledger.FiltreSoldes(compte_prefixe="creances.cotisants"))
        active_lines = s.scalar(sa.select(sa.func.count()).select_from(LigneCotisation)
                                .join(LigneCotisation.remuneration).join(DeclarationDsn).where(DeclarationDsn.remplacee_par_id.is_(None)))
    assert sum(b.solde_cents for b in balance) == body["du_urssaf_cents"]  # the first version's entry was reversed
    assert active_lines > 0


def test_payment_late_fees_and_formal_notice(client) -> None:  # type: ignore[no-untyped-def]
    headers = client.headers_for("urssaf.rhone")
    account = client.get(f"/api/recouvrement/employeurs/{SIREN}/compte?au=2026-04-30", headers=headers).json()
    due = account["periodes"][0]["du_cents"]
    half = due // 2
    paid = client.post(f"/api/recouvrement/employeurs/{SIREN}/versements", json={"montant": f"{half / 100:.2f}", "date_reception": "2026-04-10",
                                                                                  "reference": "VIR-0001"}, headers=headers)
    assert paid.status_code == 200, paid.text
    twice = client.post(f"/api/recouvrement/employeurs/{SIREN}/versements", json={"montant": f"{half / 100:.2f}", "date_reception": "2026-04-10",
                                                                                   "reference": "VIR-0001"}, headers=headers)
    assert twice.status_code == 200
    fees = client.post(f"/api/recouvrement/employeurs/{SIREN}/majorations?au=2026-06-20", headers=headers).json()
    unpaid = due - half
    # 5 % of what was unpaid on 15/04/2026, then 0.2 % for each month or fraction of month: 15/04–15/05, 15/05–15/06, 15/06–20/06.
    retard = (unpaid * 5 + 50) // 100
    complementaire = (unpaid * 2 + 500) // 1000
    assert fees["total_cents"] == retard + 3 * complementaire
    assert client.post(f"/api/recouvrement/employeurs/{SIREN}/majorations?au=2026-06-20", headers=headers).json()["total_cents"] == 0
    notice = client.post(f"/api/recouvrement/employeurs/{SIREN}/mises-en-demeure?au=2026-06-20", headers=headers).json()
    assert notice["cotisations_cents"] == unpaid and notice["majorations_cents"] == retard + 3 * complementaire
    assert notice["date_limite"] == "2026-07-20" and "L244-2" in notice["reference"]
    seen = client.get(f"/api/recouvrement/employeurs/{SIREN}/compte?au=2026-06-20", headers=client.headers_for("employeur")).json()
    assert seen["solde_cents"] == unpaid + retard + 3 * complementaire and seen["mises_en_demeure"]


def test_who_may_see_and_act(client) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/recouvrement/employeurs/{SIREN}/compte"
    assert client.get(url, headers=client.headers_for("urssaf.idf")).status_code == 403
    assert client.get(url, headers=client.headers_for("cpam.lyon")).status_code == 403
    assert client.get(url).status_code == 401
    pay = {"montant": "10.00", "date_reception": "2026-04-10", "reference": "VIR-X"}
    assert client.post(f"/api/recouvrement/employeurs/{SIREN}/versements", json=pay, headers=client.headers_for("employeur")).status_code == 403
    assert post(client, "mensuelle_2026_03.dsn", login="urssaf.idf").status_code == 403


def test_a_broken_dsn_is_refused_whole_with_its_line(client) -> None:  # type: ignore[no-untyped-def]
    text = (SAMPLES / "annule_remplace_2026_03.dsn").read_bytes().replace(b"S21.G00.51.013,'5200.00'", b"S21.G00.51.013,'-5200.00'", 1)
    response = client.post("/api/recouvrement/dsn", content=text, headers={**client.headers_for("employeur"), "Content-Type": "text/plain"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    line = 1 + text.split(b"-5200.00")[0].count(b"\n")
    assert f"ligne {line}" in detail["message"] or f"ligne {line}" in str(detail.get("champ")), detail
    with unit_of_work(client.app_state.sessions) as s:
        versions = s.scalars(sa.select(DeclarationDsn.version).where(DeclarationDsn.siret == SIRET)).all()
    assert sorted(versions) == [1, 2]  # nothing half-written


def test_the_declaration_books_the_rule_s_split_to_the_cent() -> None:
    payslips = pl.DataFrame({"bulletin": [1, 2], "salarie": ["A", "B"], "mois": [date(2025, 3, 1)] * 2, "brut_cents": [180_000, 420_000],
                             "heures": [Decimal("151.67")] * 2, "effectif": [12, 12], "taux_atmp": [Decimal("0.0208")] * 2,
                             "cadre": [False, True]})
    lines = rules.contributions(payslips)
    recipients = financement.by_recipient(lines)
    assert sum(recipients.values()) == int((lines["montant_salarial_cents"] + lines["montant_patronal_cents"]).sum())
    csg = int(lines.filter(pl.col("attributaire") == "csg")["montant_salarial_cents"].sum())
    assert sum(v for k, v in recipients.items() if k.startswith("csg:")) == csg
    # 0.45 of 9.2 points to the CADES since 2024 (CSS L131-8), each payslip's share half-up or by largest remainder
    assert abs(recipients["csg:cades"] - csg * 45 / 920) <= 1


def test_due_dates() -> None:
    assert compte.due_date(date(2026, 4, 1), 60, "75") == date(2026, 5, 5)  # 5 May 2026, a Tuesday
    assert compte.due_date(date(2026, 7, 1), 10, "75") == date(2026, 8, 17)  # 15 August is a holiday, then a weekend


@pytest.mark.parametrize("au", ["2040-12-31", "9999-12-31"])
def test_late_fees_are_never_booked_for_months_to_come(client, au: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 12, defect 8: ``au=2040-12-31`` booked 12,043 € of fees for months to come; ``au=9999-12-31`` hung."""
    headers = client.headers_for("urssaf.rhone")
    with unit_of_work(client.app_state.sessions) as s:
        before = s.scalar(sa.select(sa.func.count()).select_from(ledger.Ecriture))
    for what in ("majorations", "mises-en-demeure"):
        refused = client.post(f"/api/recouvrement/employeurs/{SIREN}/{what}?au={au}", headers=headers)
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"]["champ"] == "au" and "futur" in refused.json()["detail"]["message"]
    read = client.get(f"/api/recouvrement/employeurs/{SIREN}/compte?au={au}", headers=headers)
    assert read.status_code == 422 and read.json()["detail"]["champ"] == "au"
    with unit_of_work(client.app_state.sessions) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(ledger.Ecriture)) == before


def test_late_fees_dates_have_a_window() -> None:
    today = date(2026, 12, 7)
    assert compte.date_de_calcul(today, today) == today
    assert compte.date_de_calcul(date(2016, 12, 7), today) == date(2016, 12, 7)
    with pytest.raises(InvalidField, match="trop ancienne"):
        compte.date_de_calcul(date(2016, 12, 6), today)
    with pytest.raises(InvalidField, match="futur"):
        compte.date_de_calcul(date(2026, 12, 8), today)


def test_a_nul_byte_in_a_dsn_file_is_refused_naming_its_line(client) -> None:  # type: ignore[no-untyped-def]
    """Issue 12, defect 8: a NUL reached PostgreSQL (500). It is refused, with the line, and nothing is stored."""
    lines = (SAMPLES / "mensuelle_2026_03.dsn").read_bytes().split(b"\n")
    target = next(i for i, line in enumerate(lines) if line.startswith(b"S21.G00.30.002"))
    lines[target] = lines[target].replace(b",'", b",'X\x00", 1)
    with unit_of_work(client.app_state.sessions) as s:
        before = s.scalar(sa.select(sa.func.count()).select_from(DeclarationDsn))
    answer = client.post("/api/recouvrement/dsn", content=b"\n".join(lines),
                         headers={**client.headers_for("employeur"), "Content-Type": "text/plain"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"]["message"].startswith(f"ligne {target + 1} : caractère de contrôle interdit")
    with unit_of_work(client.app_state.sessions) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(DeclarationDsn)) == before
