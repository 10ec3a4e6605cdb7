"""The demo's retirees (issue 14): careers, pensions being paid, a survivor, an ASPA beneficiary, a working person.

Chosen among the demo population (deterministic by the seed), each with a career of yearly salaries reported au
compte from the first job (a share of the year's PASS, so that every decade's salary is of its time):

* three retirees who left at 64 (pensions from 2023 on): a full career, a short one (décote) and a low-paid one
  (minimum contributif); the first is the demo's sign-in retiree (``retraite.demo``);
* a survivor: one spouse of a couple dies on :data:`DECES`, recorded in the register; the réversion of the pension
  he or she drew from 64 (sign-in ``reversion.demo``);
* an ASPA beneficiary: someone of 67 or more living alone, a short low-paid career, retired at 67 (sign-in ``aspa.demo``);
* a working person in their fifties whose career so far gives an estimate of the pension (sign-in ``actif.demo``).

The career facts go through the retraite rules (:mod:`secu.retraite.rules.carriere` for the quarters and the SAM,
:mod:`~secu.retraite.rules.droit_propre`, :mod:`~secu.retraite.rules.reversion`, :mod:`~secu.retraite.rules.aspa`).
The hooks: when the compte de carrière (:mod:`secu.retraite.import_carriere`) is installed, the careers' salaries
are imported into it as past years (the relevé, and the working person's estimate, read them); when the claim
service (:mod:`secu.retraite.demande`) is, each retiree's claim is filed, instructed with those facts, decided and
paid by the monthly run on the 9th (:mod:`secu.retraite.paiement`) — "ma retraite" then shows it to
``retraite.demo``; the survivor's réversion and the ASPA are claimed, instructed and decided through
:mod:`secu.retraite.survivants` and paid by the same runs (their page: ``/assure/retraite/survivants``). Without
them, the pensions are computed only, and the report says so.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from secu.core import ages
from secu.core.db import unit_of_work
from secu.core.parameters import parameters
from secu.core.security import SYSTEM, Role, Utilisateur
from secu.demo.invalidite import IBAN_DEMO
from secu.demo.population import DEMO_PASSWORD, REFERENCE
from secu.register import schemas, service
from secu.register.models import MembreFoyer, Personne

DECES = date(2025, 9, 14)
"""The day the survivor's spouse dies (the réversion takes effect on the first day of the next month)."""
AGE_DEPART = 64
"""The demo's retirees leave at 64: at or above the âge légal of every generation (CSS L. 161-17-2)."""
AGE_ASPA_DEPART = 67
PREMIER_EMPLOI = 21
MOIS_PAYES = (date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1))
"""The months the claim service's runs pay (on the 9th of the next month), when it is installed."""
COMPTE = "retraite.demo"
COMPTE_ACTIF = "actif.demo"
"""The working person's sign-in: the relevé de carrière and the estimate of the compte de carrière."""
COMPTE_SURVIVANT = "reversion.demo"
"""The survivor's sign-in: the réversion, its letter and its payments."""
COMPTE_ASPA = "aspa.demo"
"""The ASPA beneficiary's sign-in: the pension de droit propre and the ASPA."""
COMPTES = {"retraite.complete": (COMPTE, "une retraitée : sa pension et ses paiements"),
           "actif": (COMPTE_ACTIF, "un actif : son relevé de carrière et l'estimation de sa retraite"),
           "survivant": (COMPTE_SURVIVANT, "un conjoint survivant : sa pension de réversion et ses paiements"),
           "aspa": (COMPTE_ASPA, "une bénéficiaire de l'ASPA : sa pension, l'ASPA et leurs paiements")}
"""Role → its sign-in and what it shows (the table of `secu demo`)."""
LIBELLES = {"retraite.complete": "carrière complète", "retraite.decote": "avec décote", "retraite.minimum": "au minimum contributif",
            "defunt": "conjoint décédé", "survivant": "conjoint survivant", "aspa": "bénéficiaire de l'ASPA", "actif": "actif"}
"""Each part's French name (the report of `secu demo`)."""
PREMIER_EFFET = date(2023, 1, 1)
"""secu's retirement parameters begin in 2023: no demo pension takes effect before."""


@dataclass
class Carriere:
    """A demo person's career: salaries as a share of each year's PASS, from ``debut`` to ``fin`` (years)."""

    personne: Personne
    role: str
    debut: int
    fin: int
    part_pass: float
    date_effet: date | None
    enfants: int = 0
    trous: tuple[int, ...] = ()
    """Years without any salary (unemployment not imported, time abroad…)."""


@dataclass
class RetraiteReport:
    retraites: int = 0
    pension_mensuelle_cents: dict[str, int] = field(default_factory=dict)
    """Role → gross monthly pension (droit propre) at its date d'effet."""
    reversion_mensuelle_cents: int = 0
    aspa_mensuelle_cents: int = 0
    actif_trimestres: int = 0
    """The working person's quarters to date (the estimate is the compte de carrière's, when installed)."""
    verse_cents: int = 0
    lignes_au_compte: int = 0
    """Salary lines imported into the compte de carrière (when it is installed)."""
    services: bool = False
    """Whether the claim service filed, decided and paid the pensions (else: computed by the rules only)."""
    solidarite: bool = False
    """Whether the réversion and the ASPA were claimed, decided and paid through :mod:`secu.retraite.survivants`."""
    comptes: dict[str, str] = field(default_factory=dict)
    """Sign-in → what it shows (the table of `secu demo`)."""


def _premier_du_mois_apres(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _effet_a(naissance: date, age: int) -> date:
    """The first day of the month after the birthday of ``age`` (CSS R. 351-37: the pension starts on a 1st)."""
    return _premier_du_mois_apres(date(naissance.year + age, naissance.month, 1))


def _couples(session: Session) -> dict[int, int]:
    """Person → spouse, from the register's households."""
    rows = session.execute(select(MembreFoyer.foyer_id, MembreFoyer.personne_id, MembreFoyer.role)
                           .where(MembreFoyer.role.in_(("allocataire", "conjoint")), MembreFoyer.date_fin.is_(None))).all()
    by_household: dict[int, list[int]] = {}
    for foyer, personne, _role in rows:
        by_household.setdefault(foyer, []).append(personne)
    return {a: b for members in by_household.values() if len(members) == 2 for a, b in (members, members[::-1])}


def plan(session: Session, seed_value: int) -> list[Carriere]:
    """Who plays each part, and their careers (deterministic by the seed); a part nobody fits is left out."""
    rng = random.Random(seed_value * 101 + 14)
    people = session.scalars(select(Personne).where(Personne.date_deces.is_(None) | (Personne.date_deces == DECES)).order_by(Personne.id)).all()
    age = {p.id: ages.age_le(p.date_naissance, REFERENCE) for p in people}
    couples = _couples(session)
    careers: list[Carriere] = []

    def first(candidates: list[Personne]) -> Personne | None:
        used = {c.personne.id for c in careers}
        return next((p for p in candidates if p.id not in used), None)

    def retired_at(p: Personne, age_depart: int) -> bool:
        return PREMIER_EFFET <= _effet_a(p.date_naissance, age_depart) <= REFERENCE

    retirees = [p for p in people if retired_at(p, AGE_DEPART) and p.id not in couples]
    for role, part, start, holes, kids in (("retraite.complete", 0.85, PREMIER_EMPLOI, (), 2),
                                          ("retraite.decote", 0.7, PREMIER_EMPLOI + 9, (1995, 1996, 2003), 1),
                                          ("retraite.minimum", 0.3, PREMIER_EMPLOI, (), 3)):
        p = first(retirees)
        if p is not None:
            effet = _effet_a(p.date_naissance, AGE_DEPART)
            careers.append(Carriere(p, role, p.date_naissance.year + start, effet.year - 1, part, effet, kids, holes))
    # The survivor: one spouse of a couple dies; he or she had retired at 64 (from 2023), the other is 55 or over.
    by_id = {p.id: p for p in people}
    for p in people:
        spouse = by_id.get(couples.get(p.id, -1))
        if spouse is None or first([p, spouse]) is not p or first([spouse]) is None or age[spouse.id] < 55:
            continue
        effet = _effet_a(p.date_naissance, AGE_DEPART)
        if PREMIER_EFFET <= effet <= DECES:
            careers.append(Carriere(p, "defunt", p.date_naissance.year + PREMIER_EMPLOI, effet.year - 1, 0.9, effet, 2))
            careers.append(Carriere(spouse, "survivant", 0, 0, 0.0, _premier_du_mois_apres(DECES), 2))
            break
    p = first([p for p in people if p.id not in couples and retired_at(p, AGE_ASPA_DEPART)])
    if p is not None:  # a late, short and low-paid career: 15 years from 40
        debut = p.date_naissance.year + 40
        careers.append(Carriere(p, "aspa", debut, debut + 14, 0.25, _effet_a(p.date_naissance, AGE_ASPA_DEPART)))
    p = first([p for p in people if 50 <= age[p.id] <= 57])
    if p is not None:
        careers.append(Carriere(p, "actif", p.date_naissance.year + PREMIER_EMPLOI + 1, REFERENCE.year - 1,
                                round(rng.uniform(0.6, 0.9), 2), None, 2))
    return careers


def annees(careers: list[Carriere]) -> pl.DataFrame:
    """One row per person × year worked: the salary as the share of that year's PASS (cents)."""
    rows = []
    pass_annuel = parameters().get("pss.annuel")
    for c in careers:
        for year in range(c.debut, c.fin + 1):
            if year in c.trous or not c.part_pass:
                continue
            rows.append({"personne": c.personne.id, "annee": year,
                         "salaire": round(float(pass_annuel.at(date(year, 1, 1)).number()) * c.part_pass * 100)})
    return pl.DataFrame(rows, schema={"personne": pl.Int64(), "annee": pl.Int32(), "salaire": pl.Int64()})


def pensions(careers: list[Carriere]) -> pl.DataFrame:
    """The career rules then the pension rule for every career with a date d'effet (the working person: at 64)."""
    from secu.retraite.rules.carriere import annees_carriere, salaire_annuel_moyen
    from secu.retraite.rules.droit_propre import pension_droit_propre

    worked = [c for c in careers if c.part_pass]
    effets = {c.personne.id: c.date_effet or _effet_a(c.personne.date_naissance, AGE_DEPART) for c in worked}
    years = annees_carriere(annees(worked))
    people = pl.DataFrame({
        "personne": [c.personne.id for c in worked], "naissance": [c.personne.date_naissance for c in worked],
        "date_effet": [effets[c.personne.id] for c in worked], "enfants_mere": [c.enfants if c.personne.sexe == "2" else 0 for c in worked],
        "enfants": [c.enfants for c in worked],
    })
    sam = salaire_annuel_moyen(years, people.drop("enfants")).personnes
    quarters = years.group_by("personne").agg(
        pl.col("trimestres_tous_regimes").sum().alias("trimestres"), pl.col("trimestres_rg").sum(), pl.col("trimestres_cotises").sum())
    frame = people.join(sam.select("personne", "sam"), on="personne").join(quarters, on="personne")
    return pension_droit_propre(frame.drop("enfants_mere"))


def _reversion(defunt: pl.DataFrame, survivant: Carriere) -> int:
    """The survivor's monthly réversion (no resources of his or her own in the demo: the full 54 %)."""
    from secu.retraite.rules.reversion import pension_reversion

    row = defunt.select(
        pl.lit(survivant.date_effet).alias("date_effet"), pl.lit(DECES).alias("date_deces"),
        pl.lit(survivant.personne.date_naissance).alias("naissance"),
        (pl.col("pension_annuelle") - pl.col("majoration_enfants")).alias("pension_defunt"),
        pl.col("trimestres_rg").alias("trimestres_defunt"),
        pl.lit(0, dtype=pl.Int64).alias("revenus_activite_3_mois"), pl.lit(0, dtype=pl.Int64).alias("autres_ressources_3_mois"),
        pl.lit(survivant.enfants, dtype=pl.Int64).alias("enfants"),
    )
    return int(pension_reversion(row)["reversion_mensuelle"][0])


def _aspa(pension: pl.DataFrame, naissance: date) -> int:
    """The monthly ASPA of January 2026 of a person living alone whose only resource is this pension."""
    from secu.retraite.rules.aspa import aspa

    mensuelle = int(pension["pension_mensuelle"][0])
    row = pl.DataFrame({"date_effet": [REFERENCE], "naissance": [naissance],
                        "revenus_activite_3_mois": [0], "autres_ressources_3_mois": [3 * mensuelle],
                        "revenus_activite_12_mois": [0], "autres_ressources_12_mois": [12 * mensuelle]})
    return int(aspa(row)["aspa_mensuelle"][0])


def _annees_dsn(session: Session, personnes: set[int]) -> dict[int, set[int]]:
    """The years whose salaries a DSN in force declared, per person."""
    from secu.recouvrement.models import DeclarationDsn, Remuneration

    found: dict[int, set[int]] = {}
    rows = session.execute(select(Remuneration.personne_id, Remuneration.mois).join(DeclarationDsn, DeclarationDsn.id == Remuneration.declaration_id)
                           .where(Remuneration.personne_id.in_(personnes), DeclarationDsn.remplacee_par_id.is_(None)))
    for personne, mois in rows:
        if personne is not None:
            found.setdefault(personne, set()).add(mois.year)
    return found


def _au_compte(sessions: sessionmaker[Session], careers: list[Carriere]) -> int:
    """The hook of the compte de carrière: the demo careers' salaries imported as past years (the documented CSV of
    :mod:`secu.retraite.import_carriere`), so that the relevé and the estimate of each show them; returns the lines
    added (0 when imported before)."""
    import csv
    import io

    from secu.retraite import import_carriere

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(import_carriere.COLONNES)
    years = annees(careers)
    nirs = {c.personne.id: c.personne.nir for c in careers}
    with unit_of_work(sessions) as session:
        declared = _annees_dsn(session, set(nirs))
    for row in years.iter_rows(named=True):
        if row["annee"] in declared.get(row["personne"], set()):
            continue  # the DSN reported that year's salaries au compte already
        cents = int(row["salaire"])
        writer.writerow([nirs[row["personne"]], row["annee"], "salaire", f"{cents // 100}.{cents % 100:02d}", "", "", "", "démonstration"])
    with unit_of_work(sessions) as session:
        bilan = import_carriere.importer(session, SYSTEM, out.getvalue().encode(), nom_fichier="demo-retraite.csv", today=REFERENCE)
    return int(bilan.ajoutees)


def _par_le_service(sessions: sessionmaker[Session], careers: list[Carriere], computed: pl.DataFrame, report: RetraiteReport) -> None:
    """The hook: each living retiree's claim filed, instructed with the career facts, decided; the réversion and the
    ASPA likewise; then the months of :data:`MOIS_PAYES` paid."""
    # Imported by name: the claim service is installed beside the demo, or not (seed_retraite asks).
    demande: Any = importlib.import_module("secu.retraite.demande")
    paiement: Any = importlib.import_module("secu.retraite.paiement")

    caisses: set[str] = set()
    by_id = {r["personne"]: r for r in computed.iter_rows(named=True)}
    with unit_of_work(sessions) as session:
        for c in careers:
            if c.role in ("defunt", "survivant", "actif") or c.date_effet is None or c.personne.id not in by_id:
                continue
            r = by_id[c.personne.id]
            personne = session.get(Personne, c.personne.id)
            assert personne is not None
            claim = demande.demander(session, SYSTEM, demande.DemandeIn(
                personne_id=personne.id, date_demande=date.fromordinal(c.date_effet.toordinal() - 90), date_effet=c.date_effet,
                enfants=c.enfants, iban=personne.iban or IBAN_DEMO), today=REFERENCE)
            caisses.add(claim.organisme_code)
            if claim.statut != "deposee":
                continue  # seeded before: decided already
            demande.instruire(session, SYSTEM, claim.id, demande.InstructionIn(
                sam_cents=int(r["sam"]), trimestres=int(r["trimestres"]), trimestres_rg=int(r["trimestres_rg"]),
                trimestres_cotises=int(r["trimestres_cotises"])))
            decided = date.fromordinal(c.date_effet.toordinal() - 30)
            demande.decider(session, SYSTEM, claim.id, demande.DecisionIn(decision="attribution", date_decision=decided))
        if importlib.util.find_spec("secu.retraite.survivants") is not None:
            caisses |= _solidarite(session, careers, by_id)
            report.solidarite = True
    for caisse in sorted(caisses):
        for month in MOIS_PAYES:
            report.verse_cents += paiement.run_payments(sessions, caisse, paiement.echeance_du_mois(month)).total_cents
    report.services = True


def _solidarite(session: Session, careers: list[Carriere], computed: dict[int, dict[str, Any]]) -> set[str]:
    """The survivor's réversion and the ASPA: claimed, instructed, decided through the service (once); their caisses.

    The late spouse's pension is keyed at the instruction (the pension « due »: the demo pays him no pension through
    the claim service); the survivor declares no resources (the full 54 %); the ASPA beneficiary declares her pension
    as her only resource, over the 3 months (and the 12) before the date d'effet, as :func:`_aspa` assumes."""
    survivants: Any = importlib.import_module("secu.retraite.survivants")

    by_role = {c.role: c for c in careers}
    claims: list[tuple[Any, Any]] = []
    survivant, defunt = by_role.get("survivant"), by_role.get("defunt")
    if survivant is not None and defunt is not None and survivant.date_effet is not None and defunt.personne.id in computed:
        r = computed[defunt.personne.id]
        claims.append((survivants.DemandeSolidariteIn(
            nature="reversion", personne_id=survivant.personne.id, defunt_id=defunt.personne.id, date_demande=date.fromordinal(DECES.toordinal() + 21),
            date_effet=survivant.date_effet, enfants=survivant.enfants, iban=survivant.personne.iban or IBAN_DEMO),
            survivants.InstructionSolidariteIn(pension_defunt_cents=int(r["pension_annuelle"]) - int(r["majoration_enfants"]),
                                               trimestres_defunt=int(r["trimestres_rg"]))))
    beneficiaire = by_role.get("aspa")
    if beneficiaire is not None and beneficiaire.date_effet is not None and beneficiaire.personne.id in computed:
        mensuelle = int(computed[beneficiaire.personne.id]["pension_mensuelle"])
        claims.append((survivants.DemandeSolidariteIn(
            nature="aspa", personne_id=beneficiaire.personne.id, date_demande=date.fromordinal(beneficiaire.date_effet.toordinal() - 90),
            date_effet=beneficiaire.date_effet, autres_ressources_3_mois=3 * mensuelle, autres_ressources_12_mois=12 * mensuelle,
            iban=beneficiaire.personne.iban or IBAN_DEMO), survivants.InstructionSolidariteIn()))
    caisses: set[str] = set()
    for claim_in, instruction in claims:
        claim = survivants.demander(session, SYSTEM, claim_in, today=REFERENCE)
        caisses.add(claim.organisme_code)
        if claim.statut != "deposee":
            continue  # seeded before: decided already
        survivants.instruire(session, SYSTEM, claim.id, instruction)
        decided = date.fromordinal(claim.date_demande.toordinal() + 30)
        survivants.decider(session, SYSTEM, claim.id, survivants.DecisionSolidariteIn(decision="attribution", date_decision=decided))
    return caisses


def seed_retraite(sessions: sessionmaker[Session], *, seed_value: int = 2026) -> RetraiteReport:
    """Choose the demo's retirees, compute their pensions, record the death, open the sign-ins (:data:`COMPTES`); file,
    decide and pay the claims through the claim services when they are installed."""
    from secu.utilisateurs.service import UtilisateurIn, create_user

    report = RetraiteReport()
    with unit_of_work(sessions) as session:
        careers = plan(session, seed_value)
        logins = [login for login, _ in COMPTES.values()]
        known = set(session.scalars(select(Utilisateur.login).where(Utilisateur.login.in_(logins))))  # seeded before: same people
        for c in careers:
            if c.role == "defunt" and c.personne.date_deces is None:
                service.change_person(session, c.personne.id, schemas.PersonneChange(date_deces=DECES), caller=SYSTEM, today=REFERENCE)
            login, what = COMPTES.get(c.role, (None, ""))
            if login is not None:
                report.comptes[login] = what
            if login is not None and login not in known:
                create_user(session, UtilisateurIn(login=login, password=DEMO_PASSWORD, role=Role.ASSURE,
                                                   nom_affiche=f"{c.personne.prenoms} {c.personne.nom_naissance}", personne_id=c.personne.id))
        session.expunge_all()
    computed = pensions([c for c in careers if c.role != "actif" and c.part_pass])
    actif = [c for c in careers if c.role == "actif"]
    if actif:
        from secu.retraite.rules.carriere import annees_carriere

        report.actif_trimestres = int(annees_carriere(annees(actif))["trimestres_tous_regimes"].sum())
    by_role = {c.role: c for c in careers}
    for c in careers:
        rows = computed.filter(pl.col("personne") == c.personne.id)
        if rows.height:
            report.pension_mensuelle_cents[c.role] = int(rows["pension_mensuelle"][0])
            report.retraites += c.role != "defunt"
        if c.role == "aspa" and rows.height:
            report.aspa_mensuelle_cents = _aspa(rows, c.personne.date_naissance)
    if "defunt" in by_role and "survivant" in by_role:
        report.reversion_mensuelle_cents = _reversion(computed.filter(pl.col("personne") == by_role["defunt"].personne.id), by_role["survivant"])
    if importlib.util.find_spec("secu.retraite.import_carriere") is not None:
        report.lignes_au_compte = _au_compte(sessions, [c for c in careers if c.part_pass and c.role != "defunt"])
    if importlib.util.find_spec("secu.retraite.demande") is not None:
        _par_le_service(sessions, careers, computed, report)
    return report
