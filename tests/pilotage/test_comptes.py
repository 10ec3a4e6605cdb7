"""The accounts in the CCSS's shape from a posted ledger, and closing an exercise, on both databases.

Each amount below is what the test posts: the accounts are sums over the ledger, so the test checks where each
euro lands (line, risk, branch, régime) and that the tableau d'équilibre is produits − charges of those lines.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from secu import branches
from secu.core import ledger
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.errors import Conflict, Forbidden, InvalidField
from secu.core.security import SYSTEM, Caller, JournalAcces, Role
from secu.pilotage import comptes as ccss
from secu.pilotage import export, service

ANALYSTE = Caller(user_id=None, role=Role.ANALYSTE)
AGENT = Caller(user_id=None, role=Role.AGENT, organisme_code="CPAM-75")


@pytest.fixture(scope="module")
def sessions(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    factory = session_factory(engine)
    cnam, cnaf, urssaf = (branches.caisse_nationale(b) for b in ("maladie", "famille", "recouvrement"))
    cnav, cnsa = branches.caisse_nationale("retraite"), branches.caisse_nationale("autonomie")

    def entry(key: str, day: date, *lignes: ledger.Ligne, rattache: int | None = None) -> ledger.NouvelleEcriture:
        return ledger.NouvelleEcriture(key, day, key, lignes, exercice_rattache=rattache)

    with unit_of_work(factory) as s:
        for i in range(12):  # twelve entries of soins: at least the secret statistique's threshold (11)
            ledger.post(s, entry(f"soins:{i}", date(2024, 3, 1 + i),
                                 ledger.Ligne("maladie", cnam, "charges.prestations.soins", 10_000),
                                 ledger.Ligne("maladie", cnam, "charges.prestations.participations_assures", -200),
                                 ledger.Ligne("maladie", cnam, "dettes.prestations.assures", -9_800)))
        ledger.post(s, entry("ij:maternite", date(2024, 4, 2), ledger.Ligne("maladie", cnam, "charges.prestations.ij.maternite", 50_000),
                             ledger.Ligne("maladie", cnam, "tresorerie.virements_emis", -50_000)))
        ledger.post(s, entry("af:agricole", date(2024, 5, 5), ledger.Ligne("famille", cnaf, "charges.prestations.af", 14_000, regime="agricole"),
                             ledger.Ligne("famille", cnaf, "tresorerie.virements_emis", -14_000, regime="agricole")))
        ledger.post(s, entry("dsn", date(2024, 2, 15), ledger.Ligne("recouvrement", urssaf, "creances.cotisants", 200_000),
                             ledger.Ligne("maladie", cnam, "produits.cotisations", -70_000, contrepartie=urssaf),
                             ledger.Ligne("maladie", cnam, "produits.csg", -30_000, contrepartie=urssaf),
                             ledger.Ligne("retraite", cnav, "produits.cotisations", -80_000, contrepartie=urssaf),
                             ledger.Ligne("autonomie", cnsa, "produits.csg", -20_000, contrepartie=urssaf)))
        ledger.post(s, entry("apa", date(2024, 6, 1), ledger.Ligne("autonomie", cnsa, "departement.75.charges.apa_domicile", 30_000),
                             ledger.Ligne("autonomie", cnsa, "departement.75.tresorerie.virements_emis", -30_000)))
        ledger.post(s, entry("sim", date(2024, 1, 31), ledger.Ligne("famille", cnaf, "simulation.charges.prestations.af", 1_000_000),
                             ledger.Ligne("famille", cnaf, "simulation.tresorerie.compte_courant", -1_000_000)))
        ledger.post(s, entry("inconnu", date(2024, 7, 1), ledger.Ligne("maladie", cnam, "charges.divers.inconnu", 500),
                             ledger.Ligne("maladie", cnam, "tresorerie.virements_emis", -500)))
    yield factory
    engine.dispose()


def _line(doc: dict, branche: str, sens: str, ligne: str, risque: str | None = None, regime: str = "general") -> int | None:  # type: ignore[type-arg]
    found = [r for r in doc["lignes"] if (r["branche"], r["sens"], r["ligne"], r["risque"], r["regime"]) == (branche, sens, ligne, risque, regime)]
    assert len(found) == 1, (branche, sens, ligne, risque, doc["lignes"])
    return found[0]["montant_cents"]  # type: ignore[no-any-return]


def test_the_ledger_in_the_ccss_shape(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        doc = service.lire_comptes(s, SYSTEM, 2024)
    # soins 12 × 100 € less 12 × 2 € of participations: prestations légales, risque maladie
    assert _line(doc, "maladie", "charge", "prestations_legales", "maladie") == 12 * 9_800
    assert _line(doc, "maladie", "charge", "prestations_legales", "maternite") == 50_000
    assert _line(doc, "maladie", "produit", "cotisations") == 70_000 and _line(doc, "maladie", "produit", "csg") == 30_000
    assert _line(doc, "vieillesse", "produit", "cotisations") == 80_000  # the ledger's « retraite » is the vieillesse branch
    assert _line(doc, "famille", "charge", "prestations_legales", "famille", regime="agricole") == 14_000
    tableau = {(c["branche"], c["regime"]): c for c in doc["tableau"]}
    assert tableau[("maladie", "robss")]["solde_cents"] == 100_000 - (12 * 9_800 + 50_000)
    assert tableau[("famille", "agricole")]["depenses_cents"] == tableau[("famille", "robss")]["depenses_cents"] == 14_000
    assert tableau[("toutes", "robss")]["recettes_cents"] == 200_000
    assert tableau[("toutes", "robss")]["depenses_cents"] == 12 * 9_800 + 50_000 + 14_000
    assert doc["hors_perimetre_charges_cents"] == 30_000  # the département's APA: not the ROBSS's
    assert doc["non_classes"] == [{"compte": "charges.divers.inconnu", "branche": "maladie", "regime": "general", "solde_cents": 500, "ecritures": 1}]
    assert all(r["montant_cents"] < 1_000_000 for r in doc["lignes"])  # the simulated year stays in its own book
    # beside it, the LFSS's values with their texts: 2024 executed maladie −13,8 Md€ (LFSS 2026 annex)
    maladie = {p["etat"]: p for p in doc["lfss"] if p["branche"] == "maladie"}
    assert maladie["execute"]["solde_md"] == "-13.8" and maladie["execute"]["statut"] == "secondaire" and "2025-1403" in maladie["execute"]["texte"]


def test_one_branch_and_the_simulated_year(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        famille = service.lire_comptes(s, SYSTEM, 2024, branche="famille")
        simulee = service.lire_comptes(s, SYSTEM, 2024, simulation=True)
        with pytest.raises(InvalidField) as bad:
            service.lire_comptes(s, SYSTEM, 2024, branche="chomage")
    assert bad.value.field == "branche"
    assert {r["branche"] for r in famille["lignes"]} == {"famille"} and {p["branche"] for p in famille["lfss"]} == {"famille"}
    assert [(r["branche"], r["montant_cents"]) for r in simulee["lignes"]] == [("famille", 1_000_000)]


def test_an_analyst_reads_aggregates_under_the_secret_statistique_and_an_agent_nothing(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        doc = service.lire_comptes(s, ANALYSTE, 2024)
        with pytest.raises(Forbidden):
            service.lire_comptes(s, AGENT, 2024)
    # twelve entries of soins are shown (each touches two accounts of the line: counted once); the one IJ maternité is not, nor the totals it is part of
    assert _line(doc, "maladie", "charge", "prestations_legales", "maladie") == 12 * 9_800
    assert _line(doc, "maladie", "charge", "prestations_legales", "maternite") is None
    tableau = {(c["branche"], c["regime"]): c for c in doc["tableau"]}
    assert tableau[("maladie", "robss")]["solde_cents"] is None and tableau[("toutes", "robss")]["solde_cents"] is None
    assert doc["hors_perimetre_charges_cents"] is None


def test_the_export_in_csv_and_parquet(sessions) -> None:  # type: ignore[no-untyped-def]
    import io

    import polars as pl

    with unit_of_work(sessions) as s:
        doc = service.lire_comptes(s, SYSTEM, 2024)
    csv, media, nom = export.exporter(doc, "tableau", "csv")
    assert media.startswith("text/csv") and nom == "comptes-2024-tableau.csv"
    assert csv.decode().splitlines()[0] == "annee;source;branche;libelle;regime;recettes_cents;depenses_cents;solde_cents"
    parquet, _, _ = export.exporter(doc, "lignes", "parquet")
    frame = pl.read_parquet(io.BytesIO(parquet))
    assert frame.filter(pl.col("risque") == "maternite")["montant_cents"].to_list() == [50_000]
    with pytest.raises(InvalidField) as bad:
        export.exporter(doc, "lignes", "xlsx")
    assert bad.value.field == "format"


def test_closing_an_exercise_locks_it_and_a_correction_goes_to_the_open_one(sessions) -> None:  # type: ignore[no-untyped-def]
    cnam = branches.caisse_nationale("maladie")
    late = ledger.NouvelleEcriture("tardive", date(2023, 12, 30), "tardive", (
        ledger.Ligne("maladie", cnam, "charges.prestations.soins", 1_000), ledger.Ligne("maladie", cnam, "tresorerie.virements_emis", -1_000)))
    with unit_of_work(sessions) as s:
        ledger.post(s, late)
    with unit_of_work(sessions) as s:
        with pytest.raises(InvalidField) as running:
            service.cloturer(s, SYSTEM, 2026, today=date(2026, 12, 8))
        assert running.value.field == "annee"
        with pytest.raises(Forbidden):
            service.cloturer(s, ANALYSTE, 2023)
        service.cloturer(s, Caller(user_id=None, role=Role.ADMIN), 2023)
        assert s.scalars(select(JournalAcces.ressource).where(JournalAcces.ressource == "pilotage.exercice")).all() == ["pilotage.exercice"]
    with unit_of_work(sessions) as s:
        with pytest.raises(Conflict):
            service.cloturer(s, SYSTEM, 2023)
        assert service.exercices(s, SYSTEM) == [2023]
        assert ledger.post(s, late).cle_idempotence == "tardive"  # the same entry again: the first, not a new one
    lines = (ledger.Ligne("maladie", cnam, "charges.prestations.soins", -300), ledger.Ligne("maladie", cnam, "tresorerie.virements_emis", 300))
    for post in (ledger.post, lambda s, e: ledger.post_many(s, [e])):
        with unit_of_work(sessions) as s, pytest.raises(InvalidField) as locked:
            post(s, ledger.NouvelleEcriture("dans-2023", date(2023, 6, 1), "x", lines))
        assert locked.value.field == "date_operation" and "2023 est clos" in locked.value.message
    with unit_of_work(sessions) as s:  # the simulated year's book is apart: a closing does not lock it
        ledger.post(s, ledger.NouvelleEcriture("simulee-2023", date(2023, 6, 1), "x", tuple(
            ledger.Ligne(ligne.branche, ligne.organisme_code, "simulation." + ligne.compte, ligne.montant_cents) for ligne in lines)))
    with unit_of_work(sessions) as s, pytest.raises(InvalidField) as open_year:
        ledger.post(s, ledger.NouvelleEcriture("rattachee-2024", date(2025, 2, 1), "x", lines, exercice_rattache=2024))
    assert open_year.value.field == "exercice_rattache"
    with unit_of_work(sessions) as s:
        ledger.post(s, ledger.NouvelleEcriture("correction-2023", date(2025, 2, 1), "Correction d'un indu de 2023", lines, exercice_rattache=2023))
    with unit_of_work(sessions) as s:
        clos, ouvert = service.lire_comptes(s, SYSTEM, 2023), service.lire_comptes(s, SYSTEM, 2025)
    assert clos["exercice_clos"] and _line(clos, "maladie", "charge", "prestations_legales", "maladie") == 1_000  # as closed
    assert not ouvert["exercice_clos"] and _line(ouvert, "maladie", "charge", "prestations_legales", "maladie") == -300
    assert ouvert["corrections_exercices_anterieurs"] == [
        {"exercice": 2023, "branche": "maladie", "regime": "general", "sens": "charge", "ligne": "prestations_legales", "montant_cents": -300, "ecritures": 1}]


def test_a_year_out_of_range_names_the_field() -> None:
    with pytest.raises(InvalidField) as bad:
        ccss.verifier_annee(1990)
    assert bad.value.field == "annee"


def test_a_closing_waits_for_the_posting_that_checked_the_year_before_it(database_url: str, sessions) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL: an entry checked while its year is open is committed before the year closes, never after."""
    import threading
    import time

    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: the race cannot happen")
    cnam = branches.caisse_nationale("maladie")
    checked, events = threading.Event(), {}
    engine = make_engine(database_url)
    other = session_factory(engine)

    def poster() -> None:
        with unit_of_work(sessions) as s:
            ledger.post(s, ledger.NouvelleEcriture("course-2021", date(2021, 12, 31), "course", (
                ledger.Ligne("maladie", cnam, "charges.prestations.soins", 700), ledger.Ligne("maladie", cnam, "tresorerie.virements_emis", -700))))
            checked.set()
            time.sleep(1.0)
        events["posted"] = time.monotonic()

    thread = threading.Thread(target=poster)
    thread.start()
    try:
        assert checked.wait(30)
        with unit_of_work(other) as s:
            service.cloturer(s, SYSTEM, 2021)
        events["closed"] = time.monotonic()
    finally:
        thread.join(30)
        engine.dispose()
    assert events["closed"] > events["posted"]  # the closing waited for the posting's commit
    with unit_of_work(sessions) as s:
        assert _line(service.lire_comptes(s, SYSTEM, 2021), "maladie", "charge", "prestations_legales", "maladie") == 700


def test_an_entry_touching_two_accounts_of_a_line_counts_once_for_the_secret(sessions) -> None:  # type: ignore[no-untyped-def]
    cnam = branches.caisse_nationale("maladie")
    with unit_of_work(sessions) as s:
        for i in range(10):  # ten entries, twenty lines on the same CCSS line: fewer than 11 entries
            ledger.post(s, ledger.NouvelleEcriture(f"dix:{i}", date(2022, 5, 1 + i), "soins", (
                ledger.Ligne("maladie", cnam, "charges.prestations.soins", 1_000),
                ledger.Ligne("maladie", cnam, "charges.prestations.participations_assures", -100),
                ledger.Ligne("maladie", cnam, "tresorerie.virements_emis", -900))))
    with unit_of_work(sessions) as s:
        assert _line(service.lire_comptes(s, SYSTEM, 2022), "maladie", "charge", "prestations_legales", "maladie") == 9_000
        assert _line(service.lire_comptes(s, ANALYSTE, 2022), "maladie", "charge", "prestations_legales", "maladie") is None
