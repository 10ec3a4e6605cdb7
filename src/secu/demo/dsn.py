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

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from secu.core.db import unit_of_work
from secu.core.security import SYSTEM, Utilisateur
from secu.recouvrement import compte, service
from secu.register.models import Employeur, Personne

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
        employees.append({
            "nir": person.nir, "nom": person.nom_naissance, "prenoms": person.prenoms, "sexe": "01" if person.sexe == "1" else "02",
            "date_naissance": person.date_naissance.isoformat(), "matricule": f"D{index:04d}",
            "contrats": [{
                "date_debut": "2020-01-06", "statut_conventionnel": "04" if index == 1 else "07", "statut_categoriel": "01" if index == 1 else "04",
                "pcs_ese": "388a" if index == 1 else "621a", "libelle_emploi": "Cadre" if index == 1 else "Employé", "nature": "01",
                "dispositif": "99", "numero": f"{index:05d}", "unite_quotite": "10", "quotite_categorie": "151.67", "quotite": "151.67",
                "modalite_temps": "10", "convention_collective": "9999", "code_risque_at": "751AA", "taux_at": "1.40",
            }],
            "versements": [{
                "date": end.isoformat(), "numero": "01", "net_fiscal": gross, "net_verse": gross, "taux_pas": "0.00", "type_taux_pas": "01",
                "montant_pas": "0.00",
                "remunerations": [
                    {**month, "numero_contrat": f"{index:05d}", "type": "001", "montant": gross},
                    {**month, "numero_contrat": f"{index:05d}", "type": "002", "montant": gross,
                     "activites": [{"type": "01", "mesure": "151.67", "unite": "10"}]},
                ],
            }],
        })
    return {
        "format": "secu-dsn/1",
        "envoi": {"logiciel": "secu-demo", "editeur": "secu", "version_logiciel": "1", "essai_reel": "02", "norme": "P26V01",
                  "point_depot": "01", "type_envoi": "01"},
        "emetteur": {"siren": employeur.siren, "nic": etab.siret[9:], "raison_sociale": employeur.raison_sociale[:80]},
        "contact": {"civilite": "02", "nom": "SERVICE PAIE", "email": "paie@demo.example", "telephone": "0100000000"},
        "declaration": {"nature": "01", "type": "01", "fraction": "11", "numero_ordre": numero, "mois": f"{mois:%Y-%m}",
                        "date_fichier": (end + timedelta(days=3)).isoformat(), "champ": "01", "devise": "01"},
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
                compte.record_payment(session, siren=siren, urssaf=record.organisme_code, montant_cents=record.du_urssaf_cents,
                                      recu_le=record.date_exigibilite, reference=f"DEMO-VIR-{record.mois:%Y%m}")
                report.verse_cents += record.du_urssaf_cents
    return report


def demo_declarations(sessions: sessionmaker[Session], *, seed_value: int = 2026, people_count: int = 6) -> tuple[str, list[dict[str, object]]]:
    """The demo employer's SIREN and the DSN of MONTHS :func:`seed_dsn` sends (none without the demo employer)."""
    rng = random.Random(seed_value)
    with unit_of_work(sessions) as session:
        employeur_id = session.scalar(select(Utilisateur.employeur_id).where(Utilisateur.login == "employeur.demo"))
        if employeur_id is None:
            return "", []
        employeur = session.get(Employeur, employeur_id)
        assert employeur is not None
        adults = [p for p in session.scalars(select(Personne).order_by(Personne.id)) if (date(2025, 1, 1) - p.date_naissance).days > 20 * 365
                  and (date(2025, 1, 1) - p.date_naissance).days < 62 * 365]
        people = rng.sample(adults, min(people_count, len(adults)))
        salaries = {p.id: Decimal(rng.choice((1801.80, 2100, 2450, 2900, 3600))) for p in people}
        if people:
            salaries[people[0].id] = Decimal(5200)  # a cadre above the plafond
        declarations = [_declaration(employeur, people, mois, salaries, numero=index + 1) for index, mois in enumerate(MONTHS)]
        return employeur.siren, declarations
