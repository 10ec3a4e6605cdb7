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
from secu.core.money import to_cents
from secu.core.security import SYSTEM, Utilisateur
from secu.recouvrement import compte, service
from secu.recouvrement.dsn.ecriture import ArretAEcrire, signalement_text
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


def _demo_employees(session: Session, rng: random.Random, people_count: int) -> tuple[Employeur, list[Personne], dict[int, Decimal]] | None:
    """The demo employer, the employees the demo DSN declare and their monthly gross pay (None without the demo employer)."""
    employeur_id = session.scalar(select(Utilisateur.employeur_id).where(Utilisateur.login == "employeur.demo"))
    if employeur_id is None:
        return None
    employeur = session.get(Employeur, employeur_id)
    assert employeur is not None
    adults = [p for p in session.scalars(select(Personne).order_by(Personne.id)) if (date(2025, 1, 1) - p.date_naissance).days > 20 * 365
              and (date(2025, 1, 1) - p.date_naissance).days < 62 * 365]
    people = rng.sample(adults, min(people_count, len(adults)))
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


def demo_signalements(sessions: sessionmaker[Session], *, seed_value: int = 2026, people_count: int = 6) -> tuple[str, list[str]]:
    """The demo employer's SIRET and its signalements of January 2026, in the DSN text format (none without the demo employer).

    The same employees and pay as :func:`demo_declarations` (the salaries of the three months before are those the
    monthly DSN of MONTHS declared): in one signalement d'arrêt (nature 04), a congé de maternité for the first woman
    (16 weeks from 5 January, CSS L. 331-3), a maladie arrêt with subrogation for the first other employee and an
    accident du travail for the last; then the signalement de reprise (nature 05) of the maladie arrêt."""
    rng = random.Random(seed_value)
    with unit_of_work(sessions) as session:
        found = _demo_employees(session, rng, people_count)
        if found is None or not found[1]:
            return "", []
        employeur, people, salaries = found
        etab = employeur.etablissements[0]
        numero = {p.id: index for index, p in enumerate(people, start=1)}
        mere = next((p for p in people if p.sexe == "2"), None)
        others = [p for p in people if p is not mere]
        malade, accidente = (others[0], others[-1]) if others else (None, None)
        maladie = dict(motif="01", dernier_jour_travaille=date(2026, 1, 9), fin_previsionnelle=date(2026, 1, 23),
                       subrogation=(date(2026, 1, 10), date(2026, 1, 23), DEMO_IBAN_EMPLOYEUR, DEMO_BIC_EMPLOYEUR))  # fmt: skip
        arrets = []
        if malade is not None:
            arrets.append(_arret(malade, salaries, numero[malade.id], **maladie))
        if accidente is not None and accidente is not malade:
            arrets.append(_arret(accidente, salaries, numero[accidente.id], motif="06", dernier_jour_travaille=date(2026, 1, 12),
                                 fin_previsionnelle=date(2026, 2, 8), date_accident=date(2026, 1, 12)))  # fmt: skip
        if mere is not None:
            arrets.append(_arret(mere, salaries, numero[mere.id], motif="02", dernier_jour_travaille=date(2026, 1, 4),
                                 fin_previsionnelle=date(2026, 4, 26)))  # fmt: skip
        common = dict(siren=employeur.siren, nic=etab.siret[9:], raison_sociale=employeur.raison_sociale, apen=etab.code_naf.replace(".", ""))
        texts = [signalement_text(nature="04", numero_ordre=101, date_fichier=date(2026, 1, 14), arrets=arrets, **common)]
        if malade is not None:
            reprise = _arret(malade, salaries, numero[malade.id], **maladie, reprise=date(2026, 1, 26), motif_reprise="01")
            texts.append(signalement_text(nature="05", numero_ordre=102, date_fichier=date(2026, 1, 27), arrets=[reprise], **common))
        return etab.siret, texts
