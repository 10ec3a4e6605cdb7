"""Monthly DSN for the demo employer, sent through the real intake, and the payments the URSSAF received.

Each demo DSN is written in secu's JSON schema of the DSN (``secu-dsn/1``),
parsed and checked like any deposit, its contributions computed by the rules
and booked. The last month is left unpaid, so the employer's account shows
a balance due (and, on the demo's later dates, its late fees).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from secu.core import ages
from secu.core.db import unit_of_work
from secu.core.money import to_cents
from secu.core.security import SYSTEM, Utilisateur
from secu.recouvrement import compte, service
from secu.recouvrement.dsn.ecriture import ArretAEcrire, signalement_text
from secu.register.models import AyantDroit, Employeur, Personne, Rattachement

MONTHS = (date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1))


@dataclass
class DsnReport:
    declarations: int = 0
    salaries: int = 0
    du_cents: int = 0
    verse_cents: int = 0


def _declaration(employeur: Employeur, people: list[Personne], mois: date, salaries: dict[int, Decimal], numero: int) -> dict[str, object]:
    etab = employeur.etablissements[0]
    end = (mois.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    month = {"date_debut": mois.isoformat(), "date_fin": end.isoformat()}
    employees = []
    for index, person in enumerate(people, start=1):
        gross = f"{salaries[person.id]:.2f}"
        employees.append(
            {
                "nir": person.nir,
                "nom": person.nom_naissance,
                "prenoms": person.prenoms,
                "sexe": "01" if person.sexe == "1" else "02",
                "date_naissance": person.date_naissance.isoformat(),
                "matricule": f"D{index:04d}",
                "contrats": [
                    {
                        "date_debut": "2020-01-06",
                        "statut_conventionnel": "04" if index == 1 else "07",
                        "statut_categoriel": "01" if index == 1 else "04",
                        "pcs_ese": "388a" if index == 1 else "621a",
                        "libelle_emploi": "Cadre" if index == 1 else "Employé",
                        "nature": "01",
                        "dispositif": "99",
                        "numero": f"{index:05d}",
                        "unite_quotite": "10",
                        "quotite_categorie": "151.67",
                        "quotite": "151.67",
                        "modalite_temps": "10",
                        "convention_collective": "9999",
                        "code_risque_at": "751AA",
                        "taux_at": "1.40",
                    }
                ],
                "versements": [
                    {
                        "date": end.isoformat(),
                        "numero": "01",
                        "net_fiscal": gross,
                        "net_verse": gross,
                        "taux_pas": "0.00",
                        "type_taux_pas": "01",
                        "montant_pas": "0.00",
                        "remunerations": [
                            {**month, "numero_contrat": f"{index:05d}", "type": "001", "montant": gross},
                            {
                                **month,
                                "numero_contrat": f"{index:05d}",
                                "type": "002",
                                "montant": gross,
                                "activites": [{"type": "01", "mesure": "151.67", "unite": "10"}],
                            },
                        ],
                    }
                ],
            }
        )
    return {
        "format": "secu-dsn/1",
        "envoi": {
            "logiciel": "secu-demo",
            "editeur": "secu",
            "version_logiciel": "1",
            "essai_reel": "02",
            "norme": "P26V01",
            "point_depot": "01",
            "type_envoi": "01",
        },
        "emetteur": {"siren": employeur.siren, "nic": etab.siret[9:], "raison_sociale": employeur.raison_sociale[:80]},
        "contact": {"civilite": "02", "nom": "SERVICE PAIE", "email": "paie@demo.example", "telephone": "0100000000"},
        "declaration": {
            "nature": "01",
            "type": "01",
            "fraction": "11",
            "numero_ordre": numero,
            "mois": f"{mois:%Y-%m}",
            "date_fichier": (end + timedelta(days=3)).isoformat(),
            "champ": "01",
            "devise": "01",
        },
        "entreprise": {"siren": employeur.siren, "nic_siege": etab.siret[9:], "apen": etab.code_naf.replace(".", "")},
        "etablissement": {"nic": etab.siret[9:], "apet": etab.code_naf.replace(".", ""), "code_postal": "75011", "effectif": len(people)},
        "salaries": employees,
    }


def seed_dsn(sessions: sessionmaker[Session], *, seed_value: int = 2026, people_count: int = 6) -> DsnReport:
    """Three months of DSN for the demo employer's first establishment; the first two months paid on time."""
    report = DsnReport()
    siren, declarations = demo_declarations(sessions, seed_value=seed_value, people_count=people_count)
    for index, declaration in enumerate(declarations):
        with unit_of_work(sessions) as session:
            record = service.receive(session, SYSTEM, declaration, today=date(2026, 1, 20)).declaration
            report.declarations += 1
            report.salaries += record.salaries
            report.du_cents += record.du_urssaf_cents
            if index < len(declarations) - 1:  # paid on its due date; the last month stays due
                compte.record_payment(
                    session,
                    siren=siren,
                    urssaf=record.organisme_code,
                    montant_cents=record.du_urssaf_cents,
                    recu_le=record.date_exigibilite,
                    reference=f"DEMO-VIR-{record.mois:%Y%m}",
                )
                report.verse_cents += record.du_urssaf_cents
    return report


def _demo_employees(session: Session, rng: random.Random, people_count: int) -> tuple[Employeur, list[Personne], dict[int, Decimal]] | None:
    """The demo employer, the employees the demo DSN declare and their monthly gross pay (None without the demo employer)."""
    employeur_id = session.scalar(select(Utilisateur.employeur_id).where(Utilisateur.login == "employeur.demo"))
    if employeur_id is None:
        return None
    employeur = session.get(Employeur, employeur_id)
    assert employeur is not None
    adults = [
        p
        for p in session.scalars(select(Personne).order_by(Personne.id))
        if (date(2025, 1, 1) - p.date_naissance).days > 20 * 365 and (date(2025, 1, 1) - p.date_naissance).days < 62 * 365
    ]
    people = rng.sample(adults, min(people_count, len(adults)))
    assure_id = session.scalar(select(Utilisateur.personne_id).where(Utilisateur.login == "assure.demo"))
    assure = next((p for p in adults if p.id == assure_id), None)
    if assure is not None and assure not in people and len(people) > 1:
        people[-1] = assure  # the demo assuré works for the demo employer: their arrêt is the one the demo follows
    salaries = {p.id: Decimal(rng.choice((1801.80, 2100, 2450, 2900, 3600))) for p in people}
    if people:
        salaries[people[0].id] = Decimal(5200)  # a cadre above the plafond
    return employeur, people, salaries


def demo_declarations(sessions: sessionmaker[Session], *, seed_value: int = 2026, people_count: int = 6) -> tuple[str, list[dict[str, object]]]:
    """The demo employer's SIREN and the DSN of MONTHS :func:`seed_dsn` sends (none without the demo employer)."""
    rng = random.Random(seed_value)
    with unit_of_work(sessions) as session:
        found = _demo_employees(session, rng, people_count)
        if found is None:
            return "", []
        employeur, people, salaries = found
        declarations = [_declaration(employeur, people, mois, salaries, numero=index + 1) for index, mois in enumerate(MONTHS)]
        return employeur.siren, declarations


DEMO_IBAN_EMPLOYEUR, DEMO_BIC_EMPLOYEUR = "FR7630006000011234567890189", "AGRIFRPP"
"""The demo employer's account, where the caisse pays the IJ it keeps paying as salary (subrogation)."""


def _arret(person: Personne, salaries: dict[int, Decimal], numero: int, **fields: object) -> ArretAEcrire:
    monthly = to_cents(f"{salaries[person.id]:.2f}", field="salaire")
    return ArretAEcrire(
        nir=person.nir, nom=person.nom_naissance, prenoms=person.prenoms, sexe="01" if person.sexe == "1" else "02",
        date_naissance=person.date_naissance, numero_contrat=f"{numero:05d}", contrat_debut=date(2020, 1, 6),
        salaires=tuple((mois, monthly) for mois in MONTHS), **fields,  # type: ignore[arg-type]
    )  # fmt: skip


MATERNITE_DEBUT = date(2026, 1, 5)
"""The demo's congé de maternité begins here (the last day worked is the day before)."""
AGE_MAXIMUM_MATERNITE = 45
"""The demo gives its congé de maternité to a woman of at most this age on MATERNITE_DEBUT (a choice of the demo)."""


@dataclass(frozen=True)
class ArretDemo:
    """One arrêt of a demo employee: what the signalement d'arrêt declares, and what the caisse receives besides (the
    avis d'arrêt of the prescriber, or the declaration of the congé).

    ``role``: ``suivi`` (a maladie arrêt whose initial avis is sent late, then prolonged), ``subrogation`` (maladie,
    the employer maintains the pay and receives the IJ, CSS R. 323-11; it is also the ``suivi`` arrêt when no
    employee is featured), ``atmp`` (an accident du travail), ``maternite``."""

    role: str
    personne_id: int
    nir: str
    risque: str
    dernier_jour_travaille: date
    fin_initiale: date  # the end the initial avis prescribes (the signalement's fin prévisionnelle)
    fin: date  # the last day of the arrêt (its prolongation included) or of the congé
    envoi_tardif: bool = False
    subrogation: bool = False
    date_accident: date | None = None
    cas_conge: str | None = None

    @property
    def debut(self) -> date:
        return self.dernier_jour_travaille + timedelta(days=1)


@dataclass(frozen=True)
class PlanArrets:
    """The demo employer's SIRET, its employees' arrêts of January 2026, and its signalements (DSN text format)."""

    siret: str
    arrets: tuple[ArretDemo, ...]
    signalements: tuple[str, ...]


def _cas_maternite(session: Session, mere: Personne) -> tuple[str, date]:
    """The congé's case and last day: the 3rd child's 26 weeks when the mother already has two children in her charge
    (CSS L. 331-4), else 16 weeks (L. 331-3); lengths from the dated parameters (:func:`secu.especes.rules.duree_conge`)."""
    import polars as pl

    from secu.especes.rules import duree_conge

    enfants = session.scalar(select(func.count(AyantDroit.id)).where(AyantDroit.ouvrant_droit_id == mere.id)) or 0
    cas = "rang_3_plus" if enfants >= 2 else "rang_1_2"
    jours = int(duree_conge(pl.DataFrame({"conge": ["maternite"], "cas": [cas], "date": [MATERNITE_DEBUT]})).item(0, "jours_conge"))
    return cas, MATERNITE_DEBUT + timedelta(days=jours - 1)


def _featured(session: Session, alive: list[Personne]) -> Personne | None:
    """The employee whose arrêt the demo accounts see: the demo assuré when the demo employer employs them, else the
    first employee of the demo agent's caisse (None when neither exists)."""
    assure_id = session.scalar(select(Utilisateur.personne_id).where(Utilisateur.login == "assure.demo"))
    for personne in alive:
        if personne.id == assure_id:
            return personne
    caisse = session.scalar(select(Utilisateur.organisme_code).where(Utilisateur.login == "agent.demo"))
    if caisse is None:
        return None
    ids = set(session.scalars(select(Rattachement.personne_id).where(
        Rattachement.branche == "maladie", Rattachement.organisme_code == caisse, Rattachement.personne_id.in_([p.id for p in alive])
    )))  # fmt: skip
    return next((p for p in alive if p.id in ids), None)


def _roles(session: Session, people: list[Personne]) -> list[ArretDemo]:
    alive = [p for p in people if p.date_deces is None]
    suivi = _featured(session, alive)
    rest = [p for p in alive if p is not suivi]
    mere = next((p for p in rest if p.sexe == "2" and ages.age_le(p.date_naissance, MATERNITE_DEBUT) <= AGE_MAXIMUM_MATERNITE), None)
    others = [p for p in rest if p is not mere]
    malade, accidente = (others[0], others[-1]) if others else (None, None)
    out = []
    if malade is not None:
        suivi_ici = suivi is None  # no featured employee: the late avis and the prolongation are this arrêt's
        out.append(ArretDemo("subrogation", malade.id, malade.nir, "maladie", date(2026, 1, 9), date(2026, 1, 16) if suivi_ici else date(2026, 1, 23),
                             date(2026, 1, 23), envoi_tardif=suivi_ici, subrogation=True))  # fmt: skip
    if accidente is not None and accidente is not malade:
        out.append(ArretDemo("atmp", accidente.id, accidente.nir, "atmp", date(2026, 1, 12), date(2026, 2, 15), date(2026, 2, 15),
                             date_accident=date(2026, 1, 12)))  # fmt: skip
    if mere is not None:
        cas, fin = _cas_maternite(session, mere)
        out.append(ArretDemo("maternite", mere.id, mere.nir, "maternite", MATERNITE_DEBUT - timedelta(days=1), fin, fin, cas_conge=cas))
    if suivi is not None:
        out.append(ArretDemo("suivi", suivi.id, suivi.nir, "maladie", date(2026, 1, 12), date(2026, 1, 16), date(2026, 2, 1), envoi_tardif=True))
    return out


SIGNALEMENT_ARRET, SIGNALEMENT_REPRISE = date(2026, 1, 14), date(2026, 1, 27)
"""The dates of the demo's signalement d'arrêt (04) and de reprise (05) files."""


MOTIFS_DSN = {"maladie": "01", "maternite": "02", "atmp": "06"}
"""S21.G00.60.001, motif de l'arrêt: 01 maladie, 02 maternité, 06 accident du travail (``secu.recouvrement.dsn.codes``)."""


def plan_arrets(sessions: sessionmaker[Session], *, seed_value: int = 2026, people_count: int = 6) -> PlanArrets:
    """The demo employees' arrêts of January 2026 and the employer's signalements (none without the demo employer).

    The same employees and pay as :func:`demo_declarations` (the salaries of the three months before are those the
    monthly DSN of MONTHS declared), the dead left out. In one signalement d'arrêt (nature 04, 14 January): a maladie
    arrêt with subrogation for the first employee, an accident du travail for the last (past its 28th day: the IJ
    majorée, CSS R. 433-1), a congé de maternité for the
    first woman of at most AGE_MAXIMUM_MATERNITE (from 5 January; 16 or 26 weeks, CSS L. 331-3, L. 331-4) and, when an
    employee is featured (:func:`_featured`), a maladie arrêt for them; then the signalement de reprise (nature 05) of
    the subrogated arrêt."""
    rng = random.Random(seed_value)
    with unit_of_work(sessions) as session:
        found = _demo_employees(session, rng, people_count)
        if found is None or not found[1]:
            return PlanArrets("", (), ())
        employeur, people, salaries = found
        etab = employeur.etablissements[0]
        numero = {p.id: index for index, p in enumerate(people, start=1)}
        by_id = {p.id: p for p in people}
        arrets = _roles(session, people)
        ecrits, reprises = [], []
        for arret in arrets:
            fields: dict[str, object] = dict(motif=MOTIFS_DSN[arret.risque], dernier_jour_travaille=arret.dernier_jour_travaille,
                                             fin_previsionnelle=arret.fin_initiale, date_accident=arret.date_accident)  # fmt: skip
            if arret.subrogation:
                fields["subrogation"] = (arret.debut, arret.fin, DEMO_IBAN_EMPLOYEUR, DEMO_BIC_EMPLOYEUR)
            ecrits.append(_arret(by_id[arret.personne_id], salaries, numero[arret.personne_id], **fields))
            if arret.role == "subrogation":
                reprise = fields | {"fin_previsionnelle": arret.fin, "reprise": arret.fin + timedelta(days=3), "motif_reprise": "01"}
                reprises.append(_arret(by_id[arret.personne_id], salaries, numero[arret.personne_id], **reprise))
        common = dict(siren=employeur.siren, nic=etab.siret[9:], raison_sociale=employeur.raison_sociale, apen=etab.code_naf.replace(".", ""))
        texts = [signalement_text(nature="04", numero_ordre=101, date_fichier=SIGNALEMENT_ARRET, arrets=ecrits, **common)] if ecrits else []
        if reprises:
            texts.append(signalement_text(nature="05", numero_ordre=102, date_fichier=SIGNALEMENT_REPRISE, arrets=reprises, **common))
        return PlanArrets(etab.siret, tuple(arrets), tuple(texts))


def demo_signalements(sessions: sessionmaker[Session], *, seed_value: int = 2026, people_count: int = 6) -> tuple[str, list[str]]:
    """The demo employer's SIRET and its signalements of January 2026, in the DSN text format (:func:`plan_arrets`)."""
    plan = plan_arrets(sessions, seed_value=seed_value, people_count=people_count)
    return plan.siret, list(plan.signalements)
