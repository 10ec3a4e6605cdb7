"""The compte de carrière of a person (issue 14 item 1): every source → one frame per year → the rule.

Sources, each read where secu keeps it:

| source | what | where |
|---|---|---|
| DSN | gross pay of the year, all contracts | ``remuneration`` of the declarations not replaced (recouvrement) |
| import | salaries, AVPF months, chômage / service national days, other régimes' quarters of past years | ``retraite_report`` (source ``import``) |
| correction | what an accepted correction adds | ``retraite_report`` (source ``correction``) |
| IJ | days of IJ maladie, maternité (and adoption), AT/MP paid by secu | ``periode_ij`` (paid) |
| invalidité | each calendar quarter with an instalment of the pension paid by secu | ``versement_invalidite`` |
| children | majorations de durée d'assurance (L. 351-4) | ``retraite_enfant`` |

The periods assimilées are counted here per R. 351-12 with the dated counts of ``parametres/retraite/assimilees``
(days of a calendar year counted in that year, as the CNAV's relevé shows them); the AVPF salary is 169 × the SMIC
horaire of 1 July of the year before × the months (D. 381-1). Then ``secu.retraite.rules.carriere.annees_carriere``
caps the salary at the PASS and turns it into quarters (R. 351-9): this module never counts a salary's quarters.

Who reads it: the assuré his own, the agents of his caisse de retraite (``rattachement`` branch ``retraite``);
every read is journaled. A correction is asked by the assuré on one year and instructed by an agent of that caisse:
accepted, it becomes a dated report row of the compte; refused, it keeps its motif.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from secu.acces import Permission, Portee, exiger, refus
from secu.core.entree import Entree
from secu.core.errors import Conflict, InvalidField, NotFound
from secu.core.parameters import parameters
from secu.core.security import Action, Caller, Ressource, journal
from secu.register.models import Personne, Rattachement
from secu.retraite.models import (
    NATURES,
    NATURES_JOURS,
    NATURES_MOIS,
    NATURES_SALAIRE,
    NATURES_TRIMESTRES,
    CorrectionCarriere,
    EnfantMajoration,
    ReportCarriere,
)
from secu.retraite.rules.carriere import annees_carriere, premiere_annee

LIBELLES_NATURE = {
    "salaire": "Salaire",
    "avpf": "Assurance vieillesse des parents au foyer (AVPF)",
    "chomage": "Chômage indemnisé",
    "service_national": "Service national",
    "maladie": "Maladie (indemnités journalières)",
    "maternite": "Maternité, adoption (indemnités journalières)",
    "atmp": "Accident du travail, maladie professionnelle",
    "invalidite": "Pension d'invalidité",
    "autre_regime": "Autre régime de retraite de base",
}
LIBELLES_SOURCE = {"dsn": "DSN", "import": "reprise des années passées", "correction": "correction acceptée", "ij": "IJ versées",
                   "invalidite": "pension d'invalidité versée"}

#: What each value of a fact is, in the messages.
QUOI = {"montant_cents": "le salaire brut", "mois": "les mois d'affiliation", "jours": "le nombre de jours", "trimestres": "les trimestres"}

#: The parameter counting the days of each period assimilée (R. 351-12); maternité is counted per congé.
JOURS_PAR_TRIMESTRE = {
    "maladie": "assimilees.maladie_jours",
    "atmp": "assimilees.atmp_jours",
    "maternite": "assimilees.maternite_jours",
    "chomage": "assimilees.chomage_jours",
    "service_national": "assimilees.service_national_jours",
}
#: The IJ risks of secu's arrêts as natures of the compte. Paternité: not a period assimilée of R. 351-12 (left out).
RISQUE_NATURE = {"maladie": "maladie", "maternite": "maternite", "adoption": "maternite", "atmp": "atmp"}

#: What ``annees_carriere`` adds to the years.
SORTIES_REGLE = ("salaire_plafonne", "trimestres_cotises", "trimestres_rg", "trimestres_tous_regimes")
REF_R351_12 = "CSS art. R. 351-12"
REF_AVPF = "CSS art. L. 381-1, D. 381-1"
REF_L351_4 = "CSS art. L. 351-4"


def _param(name: str, on: date) -> Any:
    return parameters().get(name).at(on).number()


def _reference(name: str, on: date) -> str:
    return parameters().get(name).at(on).reference or name


# --------------------------------------------------------------------------
# Who may read, ask, instruct


def caisse_retraite(session: Session, personne_id: int) -> str:
    """The caisse de retraite the person is attached to (CARSAT, CNAV in Île-de-France, CGSS)."""
    code = session.scalar(select(Rattachement.organisme_code).where(Rattachement.personne_id == personne_id, Rattachement.branche == "retraite"))
    if code is None:
        raise InvalidField("personne_id", "cette personne n'est rattachée à aucune caisse de retraite")
    return code


def personne_ou_404(session: Session, personne_id: int) -> Personne:
    personne = session.get(Personne, personne_id)
    if personne is None:
        raise NotFound("dossier introuvable", field="personne_id")
    return personne


def exiger_compte(session: Session, caller: Caller, permission: Permission, personne: Personne) -> None:
    """The assuré his own compte only; an agent the comptes of his caisse de retraite; nobody else."""
    reach = exiger(caller, permission)
    if reach is Portee.LE_SIEN and caller.personne_id == personne.id:
        return
    if reach is Portee.SA_CAISSE and caller.organisme_code is not None:
        code = session.scalar(select(Rattachement.organisme_code).where(Rattachement.personne_id == personne.id, Rattachement.branche == "retraite"))
        if code == caller.organisme_code:
            return
    raise refus("accès refusé : ce compte de carrière ne relève pas de votre périmètre", personne.id)


# --------------------------------------------------------------------------
# The facts


@dataclass
class Faits:
    """Everything the compte is built from, as rows: (annee, nature, source, montant_cents, jours, trimestres, mois, origine)."""

    personne_id: int
    naissance: date
    lignes: list[dict[str, Any]] = field(default_factory=list)
    enfants: list[EnfantMajoration] = field(default_factory=list)

    def ajouter(self, annee: int, nature: str, source: str, *, montant_cents: int = 0, jours: int = 0, trimestres: int = 0,
                mois: int = 0, origine: str = "") -> None:
        self.lignes.append({"annee": annee, "nature": nature, "source": source, "montant_cents": montant_cents, "jours": jours,
                            "trimestres": trimestres, "mois": mois, "origine": origine})


def _dsn(session: Session, personne_id: int) -> dict[tuple[int, str], int]:
    """Gross pay per (year, SIRET) from the DSN secu keeps (declarations not replaced)."""
    from secu.recouvrement.models import DeclarationDsn, Remuneration

    rows = session.execute(
        select(Remuneration.mois, Remuneration.siret, Remuneration.brut_cents)
        .join(DeclarationDsn, DeclarationDsn.id == Remuneration.declaration_id)
        .where(Remuneration.personne_id == personne_id, DeclarationDsn.remplacee_par_id.is_(None))
    ).all()
    out: dict[tuple[int, str], int] = defaultdict(int)
    for mois, siret, brut in rows:
        out[(mois.year, siret)] += int(brut)
    return out


def _jours_par_annee(debut: date, fin: date) -> dict[int, int]:
    out: dict[int, int] = {}
    while debut <= fin:
        last = min(fin, date(debut.year, 12, 31))
        out[debut.year] = out.get(debut.year, 0) + (last - debut).days + 1
        debut = last + timedelta(days=1)
    return out


def _ij(session: Session, personne_id: int) -> Iterable[tuple[int, str, int, int]]:
    """(year, nature, days, arrêt) of the IJ paid: the days paid are the last ``jours_indemnises`` of each period."""
    from secu.especes.models import PeriodeIJ

    rows = session.execute(
        select(PeriodeIJ.arret_id, PeriodeIJ.risque, PeriodeIJ.fin, PeriodeIJ.jours_indemnises)
        .where(PeriodeIJ.personne_id == personne_id, PeriodeIJ.statut == "payee", PeriodeIJ.jours_indemnises > 0)
    ).all()
    for arret_id, risque, fin, jours in rows:
        nature = RISQUE_NATURE.get(risque)
        if nature is None:
            continue
        for annee, n in _jours_par_annee(fin - timedelta(days=int(jours) - 1), fin).items():
            yield annee, nature, n, int(arret_id)


def _invalidite(session: Session, personne_id: int) -> dict[int, int]:
    """Calendar quarters with an instalment of the invalidity pension paid, per year (R. 351-12 3°)."""
    from secu.especes.invalidite import PensionInvalidite, VersementInvalidite

    mois = session.scalars(
        select(VersementInvalidite.mois).join(PensionInvalidite, PensionInvalidite.id == VersementInvalidite.pension_id)
        .where(PensionInvalidite.personne_id == personne_id)
    ).all()
    quarters: dict[int, set[int]] = defaultdict(set)
    for m in mois:
        quarters[m.year].add((m.month - 1) // 3)
    return {annee: len(q) for annee, q in quarters.items()}


def faits(session: Session, personne: Personne) -> Faits:
    """Every source of the person's compte, without any check of access (the callers check)."""
    out = Faits(personne_id=personne.id, naissance=personne.date_naissance)
    for (annee, siret), brut in sorted(_dsn(session, personne.id).items()):
        out.ajouter(annee, "salaire", "dsn", montant_cents=brut, origine=siret)
    for r in session.scalars(select(ReportCarriere).where(ReportCarriere.personne_id == personne.id).order_by(ReportCarriere.annee, ReportCarriere.id)):
        out.ajouter(r.annee, r.nature, r.source, montant_cents=r.montant_cents, jours=r.jours, trimestres=r.trimestres, mois=r.mois, origine=r.origine)
    ij: dict[tuple[int, str, int], int] = defaultdict(int)
    for annee, nature, jours, arret in _ij(session, personne.id):
        ij[(annee, nature, arret)] += jours
    for (annee, nature, _arret), jours in sorted(ij.items()):
        out.ajouter(annee, nature, "ij", jours=jours)
    for annee, trimestres in sorted(_invalidite(session, personne.id).items()):
        out.ajouter(annee, "invalidite", "invalidite", trimestres=trimestres)
    out.enfants = list(session.scalars(select(EnfantMajoration).where(EnfantMajoration.personne_id == personne.id).order_by(EnfantMajoration.date_naissance)))
    return out


# --------------------------------------------------------------------------
# The frame per year


def _trimestres_ligne(ligne: dict[str, Any]) -> int:
    """The quarters one fact gives by R. 351-12 (before the cap of 4 a year)."""
    nature, annee = ligne["nature"], ligne["annee"]
    if nature in NATURES_TRIMESTRES:
        return int(ligne["trimestres"])
    if nature not in JOURS_PAR_TRIMESTRE or not ligne["jours"]:
        return 0
    seuil = int(_param(JOURS_PAR_TRIMESTRE[nature], date(annee, 1, 1)))
    if nature == "maternite":  # R. 351-12 2°: the 90th day, each new 90 days; a shorter congé its last day's quarter
        return max(1, int(ligne["jours"]) // seuil)
    return int(ligne["jours"]) // seuil


def salaire_avpf(annee: int, mois: int) -> int:
    """The salary reported for ``mois`` months of AVPF in ``annee``: heures × SMIC horaire of 1 July of the year before."""
    if not mois:
        return 0
    juillet = date(annee - 1, 7, 1)
    heures = _param("assimilees.avpf_heures_mensuelles", date(annee, 1, 1))
    smic_cents = int(round(_param("smic.horaire", juillet) * 100))
    return int(heures * smic_cents * mois)  # heures has 2 decimals at most: whole hours here, exact


def annees(faits_: Faits) -> pl.DataFrame:
    """One row per year with a fact: the input of ``annees_carriere`` plus what the relevé shows.

    Columns: ``personne``, ``annee``, ``salaire`` (DSN + imports + corrections, cents), ``salaire_avpf``,
    ``trimestres_assimiles`` (R. 351-12, at most 4), ``trimestres_autres_regimes``, and per nature of period
    ``jours_<nature>`` / ``trimestres_<nature>``."""
    par_annee: dict[int, dict[str, int]] = {}
    for ligne in faits_.lignes:
        row = par_annee.setdefault(ligne["annee"], defaultdict(int))
        nature = ligne["nature"]
        if nature in NATURES_SALAIRE:
            row["salaire"] += int(ligne["montant_cents"])
        elif nature in NATURES_MOIS:
            row["mois_avpf"] += int(ligne["mois"])
        elif nature == "autre_regime":
            row["trimestres_autres_regimes"] += int(ligne["trimestres"])
        else:
            row[f"jours_{nature}"] += int(ligne["jours"])
            row[f"trimestres_{nature}"] += _trimestres_ligne(ligne)
    assimilees = (*NATURES_JOURS, "invalidite")
    rows = []
    for annee in sorted(par_annee):
        row = par_annee[annee]
        mois_avpf = min(12, row["mois_avpf"])
        out = {
            "personne": faits_.personne_id, "annee": annee, "salaire": row["salaire"], "salaire_avpf": salaire_avpf(annee, mois_avpf),
            "mois_avpf": mois_avpf,
            "trimestres_assimiles": min(4, sum(row[f"trimestres_{n}"] for n in assimilees)),
            "trimestres_autres_regimes": min(4, row["trimestres_autres_regimes"]),
        }
        for n in assimilees:
            out[f"jours_{n}"], out[f"trimestres_{n}"] = row[f"jours_{n}"], row[f"trimestres_{n}"]
        rows.append(out)
    schema: dict[str, Any] = {"personne": pl.Int64, "annee": pl.Int32, "salaire": pl.Int64, "salaire_avpf": pl.Int64, "mois_avpf": pl.Int64,
                              "trimestres_assimiles": pl.Int64, "trimestres_autres_regimes": pl.Int64}
    for n in assimilees:
        schema[f"jours_{n}"], schema[f"trimestres_{n}"] = pl.Int64, pl.Int64
    return pl.DataFrame(rows, schema=schema)


def appliquer_regle(frame: pl.DataFrame) -> pl.DataFrame:
    """The rule of the régime général on the years (PASS cap, quarters of R. 351-9): ``annees_carriere``."""
    if frame.is_empty():
        return frame.with_columns(*(pl.lit(0, pl.Int64).alias(c) for c in SORTIES_REGLE))
    out: pl.DataFrame = annees_carriere(frame)
    return out


def majorations_enfants(enfants: Iterable[EnfantMajoration], le: date | None = None) -> tuple[int, list[dict[str, Any]]]:
    """The majorations de durée d'assurance of L. 351-4 from the stored facts: (quarters, one line per child).

    The law of the day ``le`` (today by default) counts every child, whenever born: the loi n° 2009-1646 applies to
    the pensions taking effect from 2010 whatever the children's birth dates."""
    total, lignes = 0, []
    on = le or date.today()
    for e in enfants:
        maternite = int(_param("assimilees.majoration_maternite_trimestres", on))
        education = int(_param("assimilees.majoration_education_trimestres", on))
        adoption = int(_param("assimilees.majoration_adoption_trimestres", on))
        part_maternite = maternite if e.lien == "naissance" and e.parent == "mere" else 0
        if e.option_education == "partage":
            part = e.trimestres_education or 0
            share = (part, part if e.lien == "adoption" else 0)
        else:
            receives = e.option_education == e.parent
            share = (education if receives else 0, adoption if receives and e.lien == "adoption" else 0)
        quarters = part_maternite + share[0] + share[1]
        total += quarters
        lignes.append({"date_naissance": e.date_naissance, "lien": e.lien, "maternite_adoption": part_maternite + share[1],
                       "education": share[0], "trimestres": quarters, "option": e.option_education, "reference": REF_L351_4})
    return total, lignes


# --------------------------------------------------------------------------
# The relevé


def _releve(session: Session, personne: Personne) -> dict[str, Any]:
    f = faits(session, personne)
    frame = appliquer_regle(annees(f)) if f.lignes else None
    sources: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for ligne in f.lignes:
        sources[ligne["annee"]].append({
            "nature": ligne["nature"], "libelle": LIBELLES_NATURE[ligne["nature"]], "source": ligne["source"],
            "source_libelle": LIBELLES_SOURCE.get(ligne["source"], ligne["source"]), "montant_cents": ligne["montant_cents"],
            "jours": ligne["jours"], "trimestres": ligne["trimestres"], "mois": ligne["mois"], "origine": ligne["origine"]})
    years = []
    for row in (frame.iter_rows(named=True) if frame is not None else ()):
        years.append({
            "annee": row["annee"],
            "salaire_cents": row["salaire"],
            "salaire_avpf_cents": row["salaire_avpf"],
            "salaire_plafonne_cents": row["salaire_plafonne"],
            "trimestres_cotises": row["trimestres_cotises"],
            "trimestres_assimiles": row["trimestres_assimiles"],
            "assimiles": {n: {"jours": row[f"jours_{n}"], "trimestres": row[f"trimestres_{n}"]}
                          for n in (*NATURES_JOURS, "invalidite") if row[f"jours_{n}"] or row[f"trimestres_{n}"]},
            "trimestres_rg": row["trimestres_rg"],
            "trimestres_autres_regimes": row["trimestres_autres_regimes"],
            "trimestres_tous_regimes": row["trimestres_tous_regimes"],
            "sources": sources[row["annee"]],
        })
    majorations, enfants = majorations_enfants(f.enfants)
    rg = sum(y["trimestres_rg"] for y in years)
    tous = sum(y["trimestres_tous_regimes"] for y in years)
    return {
        "personne_id": personne.id,
        "nom": f"{personne.prenoms} {personne.nom_usage or personne.nom_naissance}",
        "nir": personne.nir,
        "date_naissance": personne.date_naissance,
        "annees": years,
        "enfants": enfants,
        "totaux": {
            "trimestres_cotises": sum(y["trimestres_cotises"] for y in years),
            "trimestres_rg": rg,
            "trimestres_tous_regimes": tous,
            "majorations_enfants": majorations,
            "trimestres_total": tous + majorations,
        },
        "references": {"trimestres": "CSS art. R. 351-9", "assimilees": REF_R351_12, "avpf": REF_AVPF, "majorations": REF_L351_4,
                       "plafond": "CSS art. R. 351-29 (salaire retenu dans la limite du plafond)"},
    }


def releve(session: Session, caller: Caller, personne_id: int, *, ressource: Ressource = Ressource.CARRIERE) -> dict[str, Any]:
    """The relevé de carrière of a person, year by year; the read is journaled."""
    personne = personne_ou_404(session, personne_id)
    exiger_compte(session, caller, Permission.RETRAITE_LIRE_CARRIERE, personne)
    out = _releve(session, personne)
    out["organisme_code"] = session.scalar(
        select(Rattachement.organisme_code).where(Rattachement.personne_id == personne.id, Rattachement.branche == "retraite"))
    out["corrections"] = [correction_out(c) for c in session.scalars(
        select(CorrectionCarriere).where(CorrectionCarriere.personne_id == personne.id).order_by(CorrectionCarriere.id.desc()))]
    journal(session, caller, Action.LECTURE, ressource, personne.id, personne_id=personne.id)
    return out


# --------------------------------------------------------------------------
# Corrections


class CorrectionIn(Entree):
    annee: int = Field(ge=1930, le=2100, description="l'année à corriger")
    nature: str = Field(max_length=20, description="salaire, avpf, chomage, service_national, maladie, maternite, atmp, invalidite, autre_regime")
    montant_cents: int = Field(default=0, ge=0, le=10**11, description="salaire manquant (centimes)")
    jours: int = Field(default=0, ge=0, le=366, description="jours de la période manquante")
    trimestres: int = Field(default=0, ge=0, le=4, description="trimestres d'un autre régime ou d'invalidité")
    mois: int = Field(default=0, ge=0, le=12, description="mois d'AVPF")
    origine: str = Field(default="", max_length=100, description="l'employeur, la caisse ou le régime concerné")
    explication: str = Field(min_length=1, max_length=2000, description="ce qui manque ou est faux, et le justificatif")


class InstructionIn(Entree):
    decision: str = Field(max_length=8, description="acceptee ou refusee")
    date_decision: date
    motif_refus: str | None = Field(default=None, max_length=500)


def verifier_fait(nature: str, montant_cents: int, jours: int, trimestres: int, mois: int, annee: int, *, today: date,
                  naissance: date | None = None) -> None:
    """One fact of the compte is consistent: the value its nature needs, and nothing else (French messages naming the field)."""
    if nature not in NATURES:
        raise InvalidField("nature", "nature inconnue : " + ", ".join(NATURES))
    if annee > today.year:
        raise InvalidField("annee", "une année future ne peut pas être portée au compte")
    if annee < premiere_annee():
        raise InvalidField("annee", f"les années antérieures à {premiere_annee()} ne sont pas tenues (CSS R. 351-9 : autres seuils de validation)")
    if naissance is not None and annee < naissance.year:
        raise InvalidField("annee", "l'année est antérieure à la naissance")
    attendu = {"montant_cents": nature in NATURES_SALAIRE, "mois": nature in NATURES_MOIS, "jours": nature in NATURES_JOURS,
               "trimestres": nature in NATURES_TRIMESTRES}
    valeurs = {"montant_cents": montant_cents, "mois": mois, "jours": jours, "trimestres": trimestres}
    for name, needed in attendu.items():
        if needed and valeurs[name] <= 0:
            raise InvalidField(name, f"{LIBELLES_NATURE[nature]} : indiquez {QUOI[name]} (un nombre positif)")
        if not needed and valeurs[name]:
            raise InvalidField(name, f"{LIBELLES_NATURE[nature]} : {QUOI[name]} ne s'indique pas pour cette nature")
    jours_annee = (date(annee, 12, 31) - date(annee, 1, 1)).days + 1
    if jours > jours_annee:
        raise InvalidField("jours", f"l'année {annee} n'a que {jours_annee} jours")


def demander_correction(session: Session, caller: Caller, personne_id: int, data: CorrectionIn, *, today: date | None = None) -> CorrectionCarriere:
    """The assuré asks for a correction of one year of his compte; his caisse de retraite will instruct it."""
    today = today or date.today()
    personne = personne_ou_404(session, personne_id)
    exiger_compte(session, caller, Permission.RETRAITE_DEMANDER_CORRECTION, personne)
    verifier_fait(data.nature, data.montant_cents, data.jours, data.trimestres, data.mois, data.annee, today=today, naissance=personne.date_naissance)
    if not data.explication.strip():
        raise InvalidField("explication", "expliquez ce qui manque ou est faux")
    correction = CorrectionCarriere(
        personne_id=personne.id, organisme_code=caisse_retraite(session, personne.id), annee=data.annee, nature=data.nature,
        montant_cents=data.montant_cents, jours=data.jours, trimestres=data.trimestres, mois=data.mois, origine=data.origine.strip(),
        explication=data.explication.strip(), statut="demandee", demandee_par=caller.user_id,
    )
    session.add(correction)
    session.flush()
    journal(session, caller, Action.CREATION, Ressource.CORRECTION_CARRIERE, correction.id, personne_id=personne.id)
    return correction


def _correction(session: Session, correction_id: int) -> CorrectionCarriere:
    correction = session.get(CorrectionCarriere, correction_id)
    if correction is None:
        raise NotFound("demande de correction introuvable", field="correction_id")
    return correction


def instruire_correction(session: Session, caller: Caller, correction_id: int, data: InstructionIn) -> CorrectionCarriere:
    """An agent of the person's caisse de retraite accepts (a dated report row feeds the compte) or refuses (motif)."""
    reach = exiger(caller, Permission.RETRAITE_INSTRUIRE_CORRECTION)
    correction = _correction(session, correction_id)
    if reach is not Portee.SA_CAISSE or caller.organisme_code != correction.organisme_code:
        raise refus("action refusée : cette demande relève d'une autre caisse de retraite", correction.personne_id)
    if correction.statut != "demandee":
        raise Conflict(f"cette demande est déjà instruite ({correction.statut})", field="correction_id")
    if data.decision not in ("acceptee", "refusee"):
        raise InvalidField("decision", "décision attendue : acceptee ou refusee")
    if data.date_decision < correction.demandee_le.date():
        raise InvalidField("date_decision", "la décision ne peut pas précéder la demande")
    if data.decision == "refusee":
        if not (data.motif_refus or "").strip():
            raise InvalidField("motif_refus", "un refus doit être motivé")
        correction.motif_refus = (data.motif_refus or "").strip()
    else:
        session.add(ReportCarriere(
            personne_id=correction.personne_id, annee=correction.annee, nature=correction.nature, montant_cents=correction.montant_cents,
            jours=correction.jours, trimestres=correction.trimestres, mois=correction.mois, origine=correction.origine, source="correction",
            cle=f"correction:{correction.id}", correction_id=correction.id, date_effet=data.date_decision,
        ))
    correction.statut, correction.date_decision, correction.instruite_par = data.decision, data.date_decision, caller.user_id
    session.flush()
    journal(session, caller, Action.MODIFICATION, Ressource.CORRECTION_CARRIERE, correction.id, personne_id=correction.personne_id,
            detail=data.decision)
    return correction


def corrections_a_instruire(session: Session, caller: Caller, limite: int = 200) -> list[CorrectionCarriere]:
    """The corrections waiting in the agent's caisse, oldest first; each listed one is journaled (whose file)."""
    reach = exiger(caller, Permission.RETRAITE_INSTRUIRE_CORRECTION)
    if reach is not Portee.SA_CAISSE or caller.organisme_code is None:
        raise refus("seul un agent d'une caisse de retraite instruit les corrections")
    rows = list(session.scalars(
        select(CorrectionCarriere).where(CorrectionCarriere.organisme_code == caller.organisme_code, CorrectionCarriere.statut == "demandee")
        .order_by(CorrectionCarriere.id).limit(limite)))
    for c in rows:
        journal(session, caller, Action.LECTURE, Ressource.CORRECTIONS_CARRIERE, c.id, personne_id=c.personne_id)
    return rows


def correction_out(c: CorrectionCarriere) -> dict[str, Any]:
    return {
        "id": c.id, "personne_id": c.personne_id, "organisme_code": c.organisme_code, "annee": c.annee, "nature": c.nature,
        "libelle": LIBELLES_NATURE.get(c.nature, c.nature), "montant_cents": c.montant_cents, "jours": c.jours, "trimestres": c.trimestres,
        "mois": c.mois, "origine": c.origine, "explication": c.explication, "statut": c.statut,
        "demandee_le": c.demandee_le.date() if isinstance(c.demandee_le, datetime) else c.demandee_le,
        "date_decision": c.date_decision, "motif_refus": c.motif_refus,
    }
