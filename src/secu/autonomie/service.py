"""The département's decisions (APA, PCH), what they pay each month, and the monthly payment run.

A decision is checked against the rules before it is recorded: a GIR outside
the grille (1–6, ``aggir.*``), an APA for a person under ``apa.age_minimum``
(60) or in a GIR that does not open it (5-6, ``apa.gir_maximum``), negative resources, a plan
above the ceiling of the GIR or a PCH element above its maximum is refused
with a French message naming the field.

The payment run of a département for a month computes every decision in
force that month with :mod:`secu.autonomie.rules` (one frame, vectorised),
records one ``VersementAutonomie`` per (decision, month) — unique, so a run
repeated after a crash or by mistake pays nothing twice — and posts to the
ledger, per payment:

* the département's expense: ``departement.<code>.charges.<prestation>``
  debited, ``departement.<code>.tresorerie.virements_emis`` credited;
* the CNSA's concours on it: ``charges.concours.<apa|pch>`` of the CNSA
  debited, ``departement.<code>.produits.concours_cnsa`` credited.

The conseil départemental is not a caisse of the social-security network: it is
listed among the organisms (``CD-<département>``, :mod:`secu.organismes`) for its
agents, who alone decide and pay the APA and the PCH of its residents
(:mod:`secu.acces`), but its lines are kept in the branche autonomie
under the CNSA's code, with accounts prefixed ``departement.<code>.`` and the
counterpart ``departement:<code>``: the département's books are a filter on
that prefix. The concours uses the national average rate (see the parameters
``concours_cnsa.*``), not the per-département distribution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from pydantic import Field
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from secu.acces import Permission, Portee, couvre_organisme, exiger, payeur_autonomie, portee, refus
from secu.autonomie import explication, rules
from secu.autonomie.models import CampagneAutonomie, DecisionAutonomie, VersementAutonomie
from secu.core import ages, ledger, verrou
from secu.core.db import unit_of_work
from secu.core.entree import Centimes, Entree, Identifiant
from secu.core.errors import Conflict, InvalidField, NotFound
from secu.core.explication import Etape
from secu.core.money import format_eur
from secu.core.paiement import sans_attendre
from secu.core.parameters import parameters
from secu.core.security import Action, Caller, Ressource, journal
from secu.organismes.territoire import validate_departement
from secu.register.access import reaches
from secu.register.models import Personne

CAISSE = "CNSA"
BRANCHE = "autonomie"

APA = ("apa_domicile", "apa_etablissement")


class DecisionIn(Entree):
    """A decision as the département records it. Amounts in cents (integers), monthly unless said otherwise."""

    personne_id: Identifiant
    prestation: str = Field(description="apa_domicile, apa_etablissement ou pch")
    departement: str | None = Field(default=None, description="département payeur ; par défaut celui de résidence")
    gir: int | None = Field(default=None, ge=1, le=6, description="GIR de la grille AGGIR (APA)")
    plan_cents: Centimes = Field(default=0, description="APA à domicile : plan d'aide accepté ; en établissement : tarif dépendance du GIR")
    tarif_gir56_cents: Centimes = Field(default=0, description="APA en établissement : tarif dépendance des GIR 5-6")
    ressources_cents: Centimes = Field(description="APA : ressources mensuelles ; PCH : ressources annuelles retenues pour le taux")
    couple: bool = False
    heures_centiemes: int = Field(default=0, ge=0, le=100_000, description="PCH : heures d'aide humaine par mois, en centièmes d'heure")
    mode_aide_humaine: str | None = Field(default=None, description="PCH : prestataire, emploi_direct ou aidant_familial")
    aides_techniques_cents: Centimes = 0
    amenagement_logement_cents: Centimes = 0
    amenagement_vehicule_cents: Centimes = 0
    charges_specifiques_cents: Centimes = 0
    aide_animaliere_cents: Centimes = 0
    date_decision: date
    date_debut: date
    date_fin: date | None = None


def premier_du_mois(d: date) -> date:
    return d.replace(day=1)


def _fin_du_mois(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def age_le(naissance: date, le: date) -> int:
    """Whole years of age on ``le``, by the one age rule (:func:`secu.core.ages.age_le`)."""
    return ages.age_le(naissance, le)


# --------------------------------------------------------------------------
# Checks shared by the decisions and the simulator


def check_inputs(prestation: str, *, gir: int | None, age: int | None, ressources_cents: int, on: date,
                 plan_cents: int = 0, tarif_gir56_cents: int = 0, heures_centiemes: int = 0,
                 mode_aide_humaine: str | None = None, elements: dict[str, int] | None = None) -> None:
    """Refuse, in French and naming the field, what no rule can compute.

    Eligibility, ceilings and maxima are the rules' (:mod:`secu.autonomie.rules`): this only turns the rules'
    ``motif`` and columns of the one row into errors.
    """
    if prestation not in rules.PRESTATIONS:
        raise InvalidField("prestation", f"prestation inconnue : {prestation!r} (apa_domicile, apa_etablissement ou pch)")
    if ressources_cents < 0:
        raise InvalidField("ressources_cents", "les ressources ne peuvent pas être négatives")
    if prestation in APA:
        _check_apa(prestation, gir=gir, age=age, ressources_cents=ressources_cents, on=on, plan_cents=plan_cents,
                   tarif_gir56_cents=tarif_gir56_cents)
        return
    if heures_centiemes < 0:
        raise InvalidField("heures_centiemes", "le nombre d'heures d'aide humaine ne peut pas être négatif")
    if heures_centiemes and mode_aide_humaine not in rules.PCH_MODES:
        raise InvalidField("mode_aide_humaine", f"mode d'aide humaine inconnu : {mode_aide_humaine!r} ({', '.join(rules.PCH_MODES)})")
    amounts = {column: (elements or {}).get(column, 0) for column in rules.PCH_ELEMENTS}
    for column, amount in amounts.items():
        if amount < 0:
            raise InvalidField(column, "le montant d'un élément de la PCH ne peut pas être négatif")
    row = rules.pch(pl.DataFrame({"date": [on], "ressources_cents": [ressources_cents], "heures_centiemes": [heures_centiemes],
                                  "mode_aide_humaine": [mode_aide_humaine or ""], **{c: [a] for c, a in amounts.items()}})).row(0, named=True)
    for column, parameter in rules.PCH_ELEMENTS.items():
        maximum = row[parameter.replace(".", "_")]
        if amounts[column] > maximum:
            raise InvalidField(column, f"le montant ({format_eur(amounts[column])}) dépasse le montant maximal attribuable ({format_eur(maximum)})")


def _check_apa(prestation: str, *, gir: int | None, age: int | None, ressources_cents: int, on: date, plan_cents: int,
               tarif_gir56_cents: int) -> None:
    if gir is None:
        premier, dernier = (parameters().get(name).at(on).value for name in ("aggir.gir_minimum", "aggir.gir_maximum"))
        raise InvalidField("gir", f"le GIR doit être un entier compris entre {premier} et {dernier} (grille AGGIR)")
    if age is None:
        raise InvalidField("age", "l'âge ou la date de naissance est obligatoire")
    if plan_cents < 0:
        raise InvalidField("plan_cents", "le montant du plan d'aide ne peut pas être négatif")
    if tarif_gir56_cents < 0:
        raise InvalidField("tarif_gir56_cents", "le tarif dépendance ne peut pas être négatif")
    base = {"date": [on], "gir": [gir], "age": [age], "ressources_cents": [ressources_cents], "couple": [False]}
    if prestation == "apa_domicile":
        row = rules.apa_domicile(pl.DataFrame(base | {"plan_cents": [plan_cents]})).row(0, named=True)
    else:
        row = rules.apa_etablissement(pl.DataFrame(base | {"tarif_gir_cents": [plan_cents],
                                                           "tarif_gir56_cents": [tarif_gir56_cents]})).row(0, named=True)
    if row["motif"] == "GIR_INVALIDE":
        raise InvalidField("gir", f"le GIR doit être un entier compris entre {row['aggir_gir_minimum']} et "
                                  f"{row['aggir_gir_maximum']} (grille AGGIR)")
    if row["motif"] == "GIR_5_6":
        raise InvalidField("gir", f"les personnes classées en GIR {gir} n'ouvrent pas droit à l'APA "
                                  f"(GIR {row['aggir_gir_minimum']} à {row['apa_gir_maximum']} seulement)")
    if row["motif"] == "AGE":
        raise InvalidField("age", f"l'APA est réservée aux personnes âgées de {row['apa_age_minimum']} ans ou plus "
                                  f"(âge au {on:%d/%m/%Y} : {age} ans)")
    if prestation == "apa_domicile" and plan_cents > row["plafond_cents"]:
        raise InvalidField("plan_cents", f"le plan d'aide ({format_eur(plan_cents)}) dépasse le plafond du GIR {gir} "
                                         f"({format_eur(row['plafond_cents'])} au {on:%d/%m/%Y})")
    if prestation == "apa_etablissement" and tarif_gir56_cents > plan_cents:
        raise InvalidField("tarif_gir56_cents", "le tarif dépendance des GIR 5-6 ne peut pas dépasser celui du GIR du résident")


# --------------------------------------------------------------------------
# Who may do what


def may_manage(caller: Caller, departement: str) -> bool:
    """Admin everywhere; an agent of the département that pays (its organism ``CD-<département>``), nobody else."""
    return couvre_organisme(caller, portee(caller, Permission.GERER_AUTONOMIE), payeur_autonomie(departement))


def require_manage(caller: Caller, departement: str, personne_id: int | None = None) -> None:
    if not may_manage(caller, departement):
        raise refus("action réservée aux agents du département concerné ou à un administrateur", personne_id)


def _reaches_person(session: Session, caller: Caller, reach: Portee | None, personne_id: int) -> bool:
    personne = session.get(Personne, personne_id)
    return personne is not None and reaches(session, caller, reach, personne)


def require_read(session: Session, caller: Caller, decision: DecisionAutonomie) -> None:
    """The département that pays it, an administrator, the person and whoever answers for them (a parent)."""
    reach = portee(caller, Permission.LIRE_DECISION_AUTONOMIE)
    if reach is Portee.LE_SIEN and _reaches_person(session, caller, reach, decision.personne_id):
        return
    if couvre_organisme(caller, reach, payeur_autonomie(decision.departement)):
        return
    raise refus("accès refusé : ce dossier ne relève pas de votre périmètre", decision.personne_id)


def decisions_of(session: Session, caller: Caller, personne_id: int) -> list[DecisionAutonomie]:
    """The APA and PCH decisions of a person the caller may read (:mod:`secu.acces`); the reading is journaled.

    The person and whoever answers for them read them all, as a decision itself; the agent of a
    département reads the decisions his département pays, for a resident of it or a person it pays.
    """
    reach = exiger(caller, Permission.LIRE_DECISION_AUTONOMIE)
    personne = session.get(Personne, personne_id)
    if personne is None:
        raise NotFound("dossier introuvable", field="personne_id")
    query = (select(DecisionAutonomie).where(DecisionAutonomie.personne_id == personne_id)
             .order_by(DecisionAutonomie.date_debut, DecisionAutonomie.id))
    decisions = list(session.scalars(query))
    if reach is Portee.SA_CAISSE:
        decisions = [d for d in decisions if may_manage(caller, d.departement)]
        if not decisions:
            require_manage(caller, personne.departement, personne_id)
    elif reach is Portee.LE_SIEN and not reaches(session, caller, reach, personne):
        raise refus("accès refusé : ce dossier ne relève pas de votre périmètre", personne_id)
    journal(session, caller, Action.LECTURE, Ressource.DECISIONS_AUTONOMIE, personne_id, personne_id=personne_id)
    return decisions


# --------------------------------------------------------------------------
# Decisions


_ELEMENTS = tuple(rules.PCH_ELEMENTS)


def decide(session: Session, caller: Caller, data: DecisionIn) -> DecisionAutonomie:
    personne = session.get(Personne, data.personne_id)
    if personne is None:
        raise NotFound("personne introuvable", field="personne_id")
    departement = validate_departement(data.departement or personne.departement)
    require_manage(caller, departement, personne.id)
    if portee(caller, Permission.GERER_AUTONOMIE) is not Portee.TOUT and personne.departement != departement:
        # An agent decides for the residents of his département only (the domicile de secours elsewhere
        # is an administrator's case: not modelled).
        raise refus("accès refusé : cette personne ne réside pas dans votre département", personne.id)
    ensure_unique(session, data)
    if data.date_fin is not None and data.date_fin < data.date_debut:
        raise InvalidField("date_fin", "la date de fin précède la date de début")
    if data.date_decision > data.date_debut + timedelta(days=366 * 2):
        raise InvalidField("date_decision", "date de décision incohérente avec la date de début")
    check_inputs(
        data.prestation, gir=data.gir, age=age_le(personne.date_naissance, data.date_debut), ressources_cents=data.ressources_cents,
        on=data.date_debut, plan_cents=data.plan_cents, tarif_gir56_cents=data.tarif_gir56_cents,
        heures_centiemes=data.heures_centiemes, mode_aide_humaine=data.mode_aide_humaine,
        elements={c: getattr(data, c) for c in _ELEMENTS},
    )
    decision = DecisionAutonomie(
        personne_id=personne.id, departement=departement, prestation=data.prestation,
        gir=data.gir if data.prestation in APA else None, plan_cents=data.plan_cents, tarif_gir56_cents=data.tarif_gir56_cents,
        ressources_cents=data.ressources_cents, couple=data.couple, heures_centiemes=data.heures_centiemes,
        mode_aide_humaine=data.mode_aide_humaine, date_decision=data.date_decision, date_debut=data.date_debut,
        date_fin=data.date_fin, decidee_par=caller.user_id, **{c: getattr(data, c) for c in _ELEMENTS},
    )
    session.add(decision)
    session.flush()
    journal(session, caller, Action.CREATION, Ressource.DECISION_AUTONOMIE, decision.id, personne_id=personne.id, detail=data.prestation)
    return decision


# --------------------------------------------------------------------------
# What a set of decisions pays in a month (one frame per benefit)


@dataclass(frozen=True)
class Calcul:
    decision_id: int
    prestation: str
    montant_cents: int
    participation_cents: int
    concours_cents: int
    etapes: list[Etape]


def compute(decisions: Sequence[DecisionAutonomie], births: dict[int, date], mois: date) -> dict[int, Calcul]:
    """Run the rules on every decision for the month ``mois``: {decision id: amounts and steps}."""
    mois = premier_du_mois(mois)
    rows: dict[str, list[dict[str, Any]]] = {p: [] for p in rules.PRESTATIONS}
    for d in decisions:
        base = {"decision_id": d.id, "date": mois}
        if d.prestation == "apa_domicile":
            rows[d.prestation].append(base | {"gir": d.gir, "date_naissance": births[d.personne_id], "plan_cents": d.plan_cents,
                                              "ressources_cents": d.ressources_cents, "couple": d.couple})
        elif d.prestation == "apa_etablissement":
            rows[d.prestation].append(base | {"gir": d.gir, "date_naissance": births[d.personne_id], "tarif_gir_cents": d.plan_cents,
                                              "tarif_gir56_cents": d.tarif_gir56_cents, "ressources_cents": d.ressources_cents, "couple": d.couple})
        else:
            rows[d.prestation].append(base | {"ressources_cents": d.ressources_cents, "heures_centiemes": d.heures_centiemes,
                                              "mode_aide_humaine": d.mode_aide_humaine or "", **{c: getattr(d, c) for c in _ELEMENTS}})
    run = {"apa_domicile": rules.apa_domicile, "apa_etablissement": rules.apa_etablissement, "pch": rules.pch}
    amount_column = {"apa_domicile": "apa_versee_cents", "apa_etablissement": "apa_versee_cents", "pch": "pch_cents"}
    out: dict[int, Calcul] = {}
    for prestation, items in rows.items():
        if not items:
            continue
        frame = pl.DataFrame(items, schema_overrides={"gir": pl.Int64, "date_naissance": pl.Date} if prestation in APA else None)
        computed = run[prestation](frame)
        computed = computed.with_columns(montant_cents=pl.col(amount_column[prestation]), prestation=pl.lit(prestation))
        share = rules.concours_cnsa(computed.select("decision_id", "date", "prestation", "montant_cents"))
        concours = dict(zip(share["decision_id"].to_list(), share.iter_rows(named=True), strict=True))
        for row in computed.iter_rows(named=True):
            c = concours[row["decision_id"]]
            out[row["decision_id"]] = Calcul(
                decision_id=row["decision_id"], prestation=prestation, montant_cents=row["montant_cents"],
                participation_cents=row.get("participation_cents") or 0, concours_cents=c["concours_cents"],
                etapes=explication.EXPLAIN[prestation](row) + explication.explain_concours(c)[1:],
            )
    return out


# --------------------------------------------------------------------------
# The monthly payment run


@dataclass(frozen=True)
class Bilan:
    campagne_id: int
    departement: str
    mois: date
    versements: int
    total_cents: int
    concours_cents: int
    nouveaux: int


def _open_run(sessions: sessionmaker[Session], departement: str, mois: date) -> int:
    with unit_of_work(sessions) as session:
        run = session.scalar(select(CampagneAutonomie).where(CampagneAutonomie.departement == departement, CampagneAutonomie.mois == mois))
        if run is None:
            run = CampagneAutonomie(departement=departement, mois=mois)
            session.add(run)
            session.flush()
        return run.id


def _in_force(departement: str, mois: date):  # type: ignore[no-untyped-def]
    already = select(VersementAutonomie.decision_id).where(VersementAutonomie.mois == mois)
    return (
        select(DecisionAutonomie)
        .where(DecisionAutonomie.departement == departement, DecisionAutonomie.date_debut <= _fin_du_mois(mois),
               or_(DecisionAutonomie.date_fin.is_(None), DecisionAutonomie.date_fin >= mois),
               DecisionAutonomie.id.not_in(already))
        .order_by(DecisionAutonomie.id)
    )


def _post(session: Session, decision: DecisionAutonomie, mois: date, calcul: Calcul, campagne_id: int) -> None:
    dep = decision.departement
    tiers = f"departement:{dep}"
    month = f"{mois:%Y-%m}"
    source = f"campagne autonomie {campagne_id}"
    if calcul.montant_cents:
        ledger.post(session, ledger.NouvelleEcriture(
            cle_idempotence=f"autonomie:versement:{decision.id}:{month}", date_operation=mois,
            libelle=f"Versement {decision.prestation} {month} (décision {decision.id})", document_source=source,
            lignes=(
                ledger.Ligne(BRANCHE, CAISSE, f"departement.{dep}.charges.{decision.prestation}", calcul.montant_cents, contrepartie=tiers),
                ledger.Ligne(BRANCHE, CAISSE, f"departement.{dep}.tresorerie.virements_emis", -calcul.montant_cents, contrepartie=tiers),
            ),
        ))
    if calcul.concours_cents:
        kind = "pch" if decision.prestation == "pch" else "apa"
        ledger.post(session, ledger.NouvelleEcriture(
            cle_idempotence=f"autonomie:concours:{decision.id}:{month}", date_operation=mois,
            libelle=f"Concours CNSA {kind.upper()} {month} (décision {decision.id}, département {dep})", document_source=source,
            lignes=(
                ledger.Ligne(BRANCHE, CAISSE, f"charges.concours.{kind}", calcul.concours_cents, contrepartie=tiers),
                ledger.Ligne(BRANCHE, CAISSE, f"departement.{dep}.produits.concours_cnsa", -calcul.concours_cents, contrepartie=CAISSE),
            ),
        ))


def run_payments(sessions: sessionmaker[Session], departement: str, mois: date) -> Bilan:
    """Pay every decision of the département in force in ``mois`` that is not paid yet. Safe to run again."""
    departement = validate_departement(departement)
    mois = premier_du_mois(mois)
    # One run of a département at a time: two at once would each see the other's decisions as unpaid (skipped
    # under lock, or read before the other's commit) and close the run with totals that miss the other's share.
    with verrou.tenir(verrou.engine_of(sessions), f"paiement:autonomie:{departement}") as held:
        if not held:
            raise Conflict(f"une campagne de paiement du département {departement} est déjà en cours : relancer quand elle sera terminée",
                           field="departement")
        return _run(sessions, departement, mois)


def _run(sessions: sessionmaker[Session], departement: str, mois: date) -> Bilan:
    campagne_id = _open_run(sessions, departement, mois)
    nouveaux = 0
    with unit_of_work(sessions) as session:
        decisions = list(session.scalars(sans_attendre(session, _in_force(departement, mois))))
        personnes = {p.id: p for p in session.scalars(select(Personne).where(Personne.id.in_({d.personne_id for d in decisions})))}
        alive = [d for d in decisions if (deces := personnes[d.personne_id].date_deces) is None or deces >= mois]
        calculs = compute(alive, {i: p.date_naissance for i, p in personnes.items()}, mois) if alive else {}
        for decision in alive:
            calcul = calculs[decision.id]
            session.add(VersementAutonomie(decision_id=decision.id, campagne_id=campagne_id, mois=mois, montant_cents=calcul.montant_cents,
                                           participation_cents=calcul.participation_cents, concours_cents=calcul.concours_cents))
            _post(session, decision, mois, calcul, campagne_id)
            nouveaux += 1
        session.flush()
        run = session.get(CampagneAutonomie, campagne_id)
        assert run is not None
        totals = session.execute(
            select(func.count(VersementAutonomie.id), func.coalesce(func.sum(VersementAutonomie.montant_cents), 0),
                   func.coalesce(func.sum(VersementAutonomie.concours_cents), 0)).where(VersementAutonomie.campagne_id == campagne_id)
        ).one()
        run.versements, run.total_cents, run.concours_cents, run.statut = int(totals[0]), int(totals[1]), int(totals[2]), "terminee"
        return Bilan(run.id, departement, mois, run.versements, run.total_cents, run.concours_cents, nouveaux)


def totals(session: Session, annee: int) -> list[dict[str, Any]]:
    """Paid amounts and concours per département and benefit over a year: no person, no name."""
    if not 2000 <= annee <= 2100:
        raise InvalidField("annee", "année hors de la période gérée")
    query = (
        select(DecisionAutonomie.departement, DecisionAutonomie.prestation, func.count(func.distinct(DecisionAutonomie.personne_id)),
               func.coalesce(func.sum(VersementAutonomie.montant_cents), 0), func.coalesce(func.sum(VersementAutonomie.concours_cents), 0))
        .join(VersementAutonomie, VersementAutonomie.decision_id == DecisionAutonomie.id)
        .where(VersementAutonomie.mois >= date(annee, 1, 1), VersementAutonomie.mois <= date(annee, 12, 31))
        .group_by(DecisionAutonomie.departement, DecisionAutonomie.prestation)
        .order_by(DecisionAutonomie.departement, DecisionAutonomie.prestation)
    )
    return [
        {"departement": dep, "prestation": p, "beneficiaires": int(n), "verse_cents": int(total), "concours_cnsa_cents": int(c)}
        for dep, p, n, total, c in session.execute(query)
    ]


def ensure_unique(session: Session, data: DecisionIn) -> None:
    """A second decision for the same person, benefit and start date is a duplicate."""
    existing = session.scalar(select(DecisionAutonomie.id).where(
        DecisionAutonomie.personne_id == data.personne_id, DecisionAutonomie.prestation == data.prestation,
        DecisionAutonomie.date_debut == data.date_debut))
    if existing is not None:
        raise Conflict(f"une décision {data.prestation} commençant le {data.date_debut:%d/%m/%Y} existe déjà (n° {existing})", field="date_debut")
