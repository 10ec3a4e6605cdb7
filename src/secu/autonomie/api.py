"""Autonomie over HTTP: the département's APA and PCH decisions, monthly payments, totals and a simulator.

Who may do what:

| role     | decide, pay | read a decision            | totals |
|----------|-------------|----------------------------|--------|
| admin    | yes         | all                        | yes (secret statistique) |
| agent of a département (``CD-<code>``) | for its residents | those it pays | no |
| other agents (CPAM, CAF…) | no | no                    | no     |
| assuré   | no          | his own and those of the minors attached to him | no |
| analyste | no          | no                         | yes (no person, no name; secret statistique) |

The simulator (``POST /api/autonomie/simulation``) computes an APA from the
figures sent and stores nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import select

from secu.acces import Permission, exiger
from secu.api.deps import CallerDep, IdPath, transaction
from secu.autonomie import explication, rules, service
from secu.autonomie.models import DecisionAutonomie, VersementAutonomie
from secu.core.entree import Centimes, Entree
from secu.core.errors import InvalidField, NotFound
from secu.core.security import Action, Ressource, journal
from secu.register.models import Personne
from secu.statistiques.rules import secret_statistique

router = APIRouter(prefix="/autonomie", tags=["autonomie"])


def _decision_out(session, decision: DecisionAutonomie) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    versements = session.scalars(select(VersementAutonomie).where(VersementAutonomie.decision_id == decision.id)
                                 .order_by(VersementAutonomie.mois)).all()
    personne = session.get(Personne, decision.personne_id)
    calcul = service.compute([decision], {personne.id: personne.date_naissance}, decision.date_debut)[decision.id]
    return {
        "id": decision.id, "personne_id": decision.personne_id, "departement": decision.departement, "prestation": decision.prestation,
        "gir": decision.gir, "plan_cents": decision.plan_cents, "tarif_gir56_cents": decision.tarif_gir56_cents,
        "ressources_cents": decision.ressources_cents, "couple": decision.couple, "heures_centiemes": decision.heures_centiemes,
        "mode_aide_humaine": decision.mode_aide_humaine,
        **{c: getattr(decision, c) for c in rules.PCH_ELEMENTS},
        "date_decision": decision.date_decision, "date_debut": decision.date_debut, "date_fin": decision.date_fin,
        "montant_mensuel_cents": calcul.montant_cents, "participation_cents": calcul.participation_cents,
        "concours_cnsa_cents": calcul.concours_cents, "explication": calcul.etapes,
        "versements": [{"mois": v.mois, "montant_cents": v.montant_cents, "participation_cents": v.participation_cents,
                        "concours_cnsa_cents": v.concours_cents} for v in versements],
    }


@router.post("/decisions", summary="Enregistrer une décision d'APA ou de PCH du département")
def decide(request: Request, caller: CallerDep, data: service.DecisionIn) -> dict[str, Any]:
    exiger(caller, Permission.GERER_AUTONOMIE)
    with transaction(request) as session:
        decision = service.decide(session, caller, data)
        return _decision_out(session, decision)


@router.get("/decisions/{decision_id}", summary="Une décision, son montant expliqué et ses versements")
def read_decision(request: Request, caller: CallerDep, decision_id: IdPath) -> dict[str, Any]:
    exiger(caller, Permission.LIRE_DECISION_AUTONOMIE)
    with transaction(request) as session:
        decision = session.get(DecisionAutonomie, decision_id)
        if decision is None:
            raise NotFound("décision introuvable", field="decision_id")
        service.require_read(session, caller, decision)
        journal(session, caller, Action.LECTURE, Ressource.DECISION_AUTONOMIE, decision.id, personne_id=decision.personne_id)
        return _decision_out(session, decision)


@router.get("/personnes/{personne_id}/decisions", summary="Les décisions d'APA et de PCH d'une personne")
def decisions_of(request: Request, caller: CallerDep, personne_id: IdPath) -> dict[str, Any]:
    with transaction(request) as session:
        decisions = service.decisions_of(session, caller, personne_id)
        return {"items": [_decision_out(session, d) for d in decisions], "total": len(decisions)}


class PaiementIn(Entree):
    departement: str
    mois: dt.date = Field(description="n'importe quel jour du mois payé")


@router.post("/paiements", summary="Lancer (ou relancer sans risque) le paiement mensuel d'un département")
def pay(request: Request, caller: CallerDep, data: PaiementIn) -> dict[str, Any]:
    exiger(caller, Permission.GERER_AUTONOMIE)
    from secu.organismes.territoire import validate_departement

    service.require_manage(caller, validate_departement(data.departement))
    bilan = service.run_payments(request.app.state.sessions, data.departement, data.mois)
    return dict(bilan.__dict__)


@router.get("/statistiques", summary="Montants versés et concours de la CNSA par département et prestation (sans donnée personnelle)")
def statistics(request: Request, caller: CallerDep, annee: Annotated[int, Query(ge=2000, le=2100)]) -> dict[str, Any]:
    exiger(caller, Permission.LIRE_STATISTIQUES)
    with transaction(request) as session:
        totals = service.totals(session, annee)
    return {"annee": annee, "lignes": _published(totals)}


_TOTALS = {"departement": pl.String, "prestation": pl.String, "beneficiaires": pl.Int64, "verse_cents": pl.Int64,
           "concours_cnsa_cents": pl.Int64}


def _published(totals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Secret statistique: a line of fewer beneficiaries than the threshold shows neither them nor their amounts."""
    cells = pl.DataFrame(totals, schema=_TOTALS).with_columns(date=pl.lit(dt.date.today()))
    return secret_statistique(cells, effectif="beneficiaires", masquer=["verse_cents", "concours_cnsa_cents"]).drop("date").to_dicts()


class SimulationIn(Entree):
    """An APA computed from the figures given; nothing is stored. Amounts in cents."""

    prestation: str = Field(default="apa_domicile", description="apa_domicile ou apa_etablissement")
    date: dt.date
    gir: int = Field(ge=1, le=6)
    age: int | None = Field(default=None, ge=0, le=150, description="âge à la date ; ou date_naissance")
    date_naissance: dt.date | None = None
    plan_cents: Centimes = Field(default=0, description="domicile : plan d'aide ; établissement : tarif dépendance du GIR")
    tarif_gir56_cents: Centimes = 0
    ressources_cents: Centimes
    couple: bool = False


@router.post("/simulation", summary="Simuler une APA (à domicile ou en établissement) sans rien enregistrer")
def simulate(data: SimulationIn) -> dict[str, Any]:
    """Open without signing in: it reads no one's file and stores nothing."""
    if data.prestation not in service.APA:
        raise InvalidField("prestation", "le simulateur calcule l'APA : apa_domicile ou apa_etablissement")
    age = data.age
    if age is None:
        if data.date_naissance is None:
            raise InvalidField("age", "l'âge ou la date de naissance est obligatoire")
        age = service.age_le(data.date_naissance, data.date)
    service.check_inputs(data.prestation, gir=data.gir, age=age, ressources_cents=data.ressources_cents, on=data.date,
                         plan_cents=data.plan_cents, tarif_gir56_cents=data.tarif_gir56_cents)
    if data.prestation == "apa_domicile":
        row = rules.apa_domicile(pl.DataFrame({"date": [data.date], "gir": [data.gir], "age": [age], "plan_cents": [data.plan_cents],
                                               "ressources_cents": [data.ressources_cents], "couple": [data.couple]})).row(0, named=True)
        out = {"plafond_cents": row["plafond_cents"], "plan_retenu_cents": row["plan_retenu_cents"]}
    else:
        row = rules.apa_etablissement(pl.DataFrame({"date": [data.date], "gir": [data.gir], "age": [age], "tarif_gir_cents": [data.plan_cents],
                                                    "tarif_gir56_cents": [data.tarif_gir56_cents], "ressources_cents": [data.ressources_cents],
                                                    "couple": [data.couple]})).row(0, named=True)
        out = {"tarif_gir_cents": row["tarif_gir_cents"]}
    return {
        "prestation": data.prestation, **out, "ressources_retenues_cents": row["ressources_retenues_cents"],
        "participation_cents": row["participation_cents"], "apa_cents": row["apa_cents"], "apa_versee_cents": row["apa_versee_cents"],
        "explication": explication.EXPLAIN[data.prestation](row),
    }
