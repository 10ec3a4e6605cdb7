"""The estimation of a future pension (issue 14 item 5), like the estimation indicative globale of the Assurance retraite.

From a career (the compte de carrière of a person, or what the open simulator is given) and a salary assumption
(constant, or growing each year by a rate), the years until 67 are projected; the same rules as a liquidation then
give the quarters of each year (``annees_carriere``), the SAM at each date (``salaire_annuel_moyen``) and the pension
(``pension_droit_propre``) at three dates d'effet:

* **âge légal** — the first day of a month on or after the day the legal age of the generation is reached;
* **taux plein** — the first such date when the quarters (all régimes, with the majorations for children) reach the
  durée required, or the age of automatic taux plein, whichever comes first (never before the legal age);
* **67 ans** — the first such date on or after the 67th birthday.

Assumptions, said to the user with the result: future years are valued with the law and the values in force today
(the last PASS, SMIC, revaluation coefficients known: nothing is forecast); each year's quarters are taken as
validated from January on (a date in the year counts the quarters wholly before it); the SAM counts the years before
the year of the date d'effet; a SAM given to the simulator is kept as given (future salaries do not enter it), and the
quarters it is given are taken as validated before the âge légal (none counts for the surcote); no date is before
next month (a legal age already past: the first date still to come).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl
from pydantic import Field
from sqlalchemy.orm import Session

from secu.acces import Permission
from secu.core.entree import Entree
from secu.core.errors import InvalidField
from secu.core.money import arrondi_centime
from secu.core.security import Action, Caller, Ressource, journal
from secu.retraite import carriere

AGE_67_MOIS = 67 * 12
EVOLUTION_MAX = Decimal("10")  # percent a year: beyond, the projection means nothing
SCENARIOS = ("age_legal", "taux_plein", "age_67")
LIBELLES_SCENARIO = {"age_legal": "À l'âge légal", "taux_plein": "Au taux plein", "age_67": "À 67 ans"}


@dataclass(frozen=True)
class Hypothese:
    """The salary assumption: the gross annual salary of the first projected year (None: the last full year known)
    and its yearly evolution (a fraction: 0.015 is +1,5 % a year)."""

    salaire_cents: int | None = None
    evolution: Decimal = Decimal(0)


def hypothese_de(salaire: str | None, evolution: str | None) -> Hypothese:
    """Parse the assumption as a person types it (euros, percent), with French messages naming the field."""
    cents: int | None = None
    if salaire not in (None, ""):
        try:
            euros = Decimal(str(salaire).replace(" ", "").replace("\u00a0", "").replace(",", "."))
        except InvalidOperation:
            raise InvalidField("salaire", "salaire annuel en euros attendu, par exemple 32000") from None
        if euros < 0 or euros > Decimal(10**7):
            raise InvalidField("salaire", "le salaire annuel doit être compris entre 0 et 10 000 000 €")
        cents = arrondi_centime(euros, field="salaire")
    try:
        pourcent = Decimal(str(evolution or "0").replace(",", "."))
    except InvalidOperation:
        raise InvalidField("evolution", "évolution annuelle en pourcentage attendue, par exemple 1,5") from None
    if not (-EVOLUTION_MAX <= pourcent <= EVOLUTION_MAX) or pourcent != pourcent.quantize(Decimal("0.01")):
        raise InvalidField("evolution", "l'évolution annuelle est comprise entre -10 % et +10 %, deux décimales au plus")
    return Hypothese(cents, pourcent / 100)


# --------------------------------------------------------------------------
# Dates


def _plus_mois(naissance: date, mois: int) -> date:
    """The day ``mois`` months after the birth (the 29 February of a common year: the 28th, as core.ages does)."""
    index = naissance.year * 12 + naissance.month - 1 + mois
    annee, m = divmod(index, 12)
    for jour in (naissance.day, 30, 29, 28):
        try:
            return date(annee, m + 1, jour)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def date_effet_a(naissance: date, mois: int) -> date:
    """The first day of a month on or after the day an age of ``mois`` months is reached (a pension begins on the 1st)."""
    atteint = _plus_mois(naissance, mois)
    if atteint.day == 1:
        return atteint
    return date(atteint.year + (atteint.month == 12), atteint.month % 12 + 1, 1)


# --------------------------------------------------------------------------
# Projection


def projeter(passe: pl.DataFrame, hypothese: Hypothese, premiere_annee: int, derniere_annee: int, salaire_base: int) -> pl.DataFrame:
    """The career's years before ``premiere_annee`` as they are, then one projected year each until ``derniere_annee``:
    salary = base × (1 + evolution)^(years after the first), rounded to the cent; nothing assimilated."""
    garde = passe.filter(pl.col("annee") < premiere_annee).select("personne", "annee", "salaire", "salaire_avpf", "trimestres_assimiles",
                                                                  "trimestres_autres_regimes")
    personne = int(passe["personne"][0]) if passe.height else 0
    facteur = Decimal(1) + hypothese.evolution
    futur = pl.DataFrame(
        {
            "personne": [personne] * max(0, derniere_annee - premiere_annee + 1),
            "annee": list(range(premiere_annee, derniere_annee + 1)),
            "salaire": [arrondi_centime(Decimal(salaire_base) / 100 * facteur ** k) for k in range(max(0, derniere_annee - premiere_annee + 1))],
        },
        schema={"personne": pl.Int64, "annee": pl.Int32, "salaire": pl.Int64},
    ).with_columns(pl.lit(0, pl.Int64).alias("salaire_avpf"), pl.lit(0, pl.Int64).alias("trimestres_assimiles"),
                   pl.lit(0, pl.Int64).alias("trimestres_autres_regimes"))
    return pl.concat([garde.cast(futur.schema), futur]).sort("annee")


def trimestres_au(annees: pl.DataFrame, effet: date, colonne: str) -> int:
    """Quarters of ``colonne`` validated before ``effet``: whole years before, and the year's quarters wholly before the date
    (a year's quarters taken from January on)."""
    avant = int(annees.filter(pl.col("annee") < effet.year)[colonne].sum() or 0)
    annee = annees.filter(pl.col("annee") == effet.year)
    du_annee = int(annee[colonne].sum() or 0) if annee.height else 0
    return avant + min(du_annee, (effet.month - 1) // 3)


# --------------------------------------------------------------------------
# The pension at a date


@dataclass
class Carriere:
    """A career ready to estimate: its years after the rule (``annees_carriere``), the birth, children."""

    naissance: date
    annees: pl.DataFrame
    majorations: int = 0
    enfants: int = 0  # raised (the +10 % from 3, L. 351-12)
    enfants_mere: int = 0  # for the SAM of mothers (LFSS 2026)
    sam_fixe: int | None = None  # a SAM given as such (simulator)


def _droits(c: Carriere, dates: list[date], depuis_age_legal: date | None = None) -> pl.DataFrame:
    """``pension_droit_propre`` at each date (one row per date, in order), the SAM of the years before each date's year;
    with ``depuis_age_legal``, the quarters cotisés from that date on (the surcote's, L. 351-1-2), else the rule's assumption."""
    from secu.retraite.rules.carriere import salaire_annuel_moyen
    from secu.retraite.rules.droit_propre import pension_droit_propre

    rows = [{"personne": i, "naissance": c.naissance, "date_effet": d, "enfants_mere": c.enfants_mere} for i, d in enumerate(dates)]
    personnes = pl.DataFrame(rows, schema={"personne": pl.Int64, "naissance": pl.Date, "date_effet": pl.Date, "enfants_mere": pl.Int64})
    if c.sam_fixe is None:
        annees = pl.concat([c.annees.filter(pl.col("annee") < d.year).with_columns(pl.lit(i, pl.Int64).alias("personne"))
                            for i, d in enumerate(dates)])
        sam = _sam_par_personne(salaire_annuel_moyen(annees, personnes, projection=True), len(dates))
    else:
        sam = [c.sam_fixe] * len(dates)
    entree = personnes.with_columns(
        pl.Series("sam", sam, pl.Int64),
        pl.Series("trimestres", [trimestres_au(c.annees, d, "trimestres_tous_regimes") + c.majorations for d in dates], pl.Int64),
        pl.Series("trimestres_rg", [trimestres_au(c.annees, d, "trimestres_rg") for d in dates], pl.Int64),
        pl.Series("trimestres_cotises", [trimestres_au(c.annees, d, "trimestres_cotises") for d in dates], pl.Int64),
        pl.lit(c.enfants, pl.Int64).alias("enfants"),
    ).drop("enfants_mere")
    if depuis_age_legal is not None:
        avant = trimestres_au(c.annees, depuis_age_legal, "trimestres_cotises")
        entree = entree.with_columns(pl.Series("trimestres_apres_age_legal",
                                               [max(0, trimestres_au(c.annees, d, "trimestres_cotises") - avant) for d in dates], pl.Int64))
    out: pl.DataFrame = pension_droit_propre(entree).sort("personne")
    return out


def _sam_par_personne(result: Any, n: int) -> list[int]:
    """The SAM per person of ``salaire_annuel_moyen``'s answer (its persons' frame, first of a pair if a pair)."""
    frame = result[0] if isinstance(result, tuple) else result
    by = dict(zip(frame["personne"].to_list(), frame["sam"].to_list(), strict=True))
    return [int(by.get(i) or 0) for i in range(n)]


def estimer(c: Carriere, *, aujourd_hui: date) -> dict[str, Any]:
    """The three dates and pensions of an estimation, with the assumptions said."""
    d67 = date_effet_a(c.naissance, AGE_67_MOIS)
    if d67 <= aujourd_hui.replace(day=1):
        raise InvalidField("date_naissance", "l'estimation porte sur un départ futur : à 67 ans passés, demandez votre retraite")
    at67 = _droits(c, [d67]).row(0, named=True)
    age_legal = int(at67["age_legal_mois"])
    d_legal = date_effet_a(c.naissance, age_legal)
    for _ in range(3):  # the legal age depends on the date d'effet (LFSS 2026 suspension for pensions from 2026-09-01)
        try:
            at_legal = _droits(c, [d_legal]).row(0, named=True)
        except InvalidField as error:
            if error.field != "date_effet":
                raise
            age_legal += 3
            d_legal = date_effet_a(c.naissance, age_legal)
            continue
        if int(at_legal["age_legal_mois"]) == age_legal:
            break
        age_legal = int(at_legal["age_legal_mois"])
        d_legal = date_effet_a(c.naissance, age_legal)
    duree = int(at_legal["duree_requise"])
    d_auto = date_effet_a(c.naissance, int(at_legal["age_annulation_decote_mois"]))
    # A departure is estimated from next month on: a legal age already past gives the first date still to come.
    prochain = date(aujourd_hui.year + (aujourd_hui.month == 12), aujourd_hui.month % 12 + 1, 1)
    d_age_legal, d_legal = d_legal, max(d_legal, prochain)
    d_plein = max(d_auto, prochain)
    d = d_legal
    while d < d_auto:
        if trimestres_au(c.annees, d, "trimestres_tous_regimes") + c.majorations >= duree:
            d_plein = d
            break
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    dates = {"age_legal": d_legal, "taux_plein": max(d_plein, d_legal), "age_67": d67}
    resultats = _droits(c, list(dates.values()), depuis_age_legal=d_age_legal)
    scenarios = []
    for nom, row in zip(SCENARIOS, resultats.iter_rows(named=True), strict=True):
        scenarios.append({
            "scenario": nom, "libelle": LIBELLES_SCENARIO[nom], "date_effet": dates[nom],
            "age_mois": (dates[nom].year - c.naissance.year) * 12 + dates[nom].month - c.naissance.month - (dates[nom].day < c.naissance.day),
            "sam_cents": int(row["sam"]), "trimestres": int(row["trimestres"]), "trimestres_rg": int(row["trimestres_rg"]),
            "duree_requise": int(row["duree_requise"]), "taux_pourcent": f"{(Decimal(row['taux']) * 100).normalize():f}",
            "decote_trimestres": int(row["decote_trimestres"]),
            "surcote_trimestres": int(row["surcote_trimestres"]), "minimum_contributif": bool(row["minimum_contributif"]),
            "pension_annuelle_cents": int(row["pension_annuelle"]), "pension_mensuelle_cents": int(row["pension_mensuelle"]),
        })
    return {
        "date_taux_plein": dates["taux_plein"],
        "age_legal_mois": age_legal,
        "duree_requise": duree,
        "scenarios": scenarios,
        "hypotheses": [
            "les années futures sont évaluées avec la législation et les valeurs en vigueur aujourd'hui (plafond, SMIC, coefficients)",
            "les trimestres d'une année sont comptés à partir de janvier",
            "le salaire annuel moyen compte les années antérieures à l'année de départ",
            "montants bruts, avant CSG, CRDS et CASA ; retraite de base du régime général seulement (ni complémentaire, ni autres régimes)",
        ],
    }


# --------------------------------------------------------------------------
# From the compte de carrière


def estimer_compte(session: Session, caller: Caller, personne_id: int, hypothese: Hypothese, *, aujourd_hui: date | None = None) -> dict[str, Any]:
    """The estimation of a person from his compte (the relevé's access rules; the read is journaled)."""
    aujourd_hui = aujourd_hui or date.today()
    personne = carriere.personne_ou_404(session, personne_id)
    carriere.exiger_compte(session, caller, Permission.RETRAITE_LIRE_CARRIERE, personne)
    faits = carriere.faits(session, personne)
    passe = carriere.annees(faits)
    premiere = max(aujourd_hui.year, max(passe["annee"].to_list()) + 1) if passe.height else aujourd_hui.year
    base = hypothese.salaire_cents
    if base is None:
        connus = passe.filter((pl.col("annee") < aujourd_hui.year) & (pl.col("salaire") > 0))
        base = int(connus.sort("annee")["salaire"][-1]) if connus.height else None
    if base is None:
        raise InvalidField("salaire", "aucun salaire connu au compte : indiquez le salaire annuel supposé")
    if not passe.height:
        passe = pl.DataFrame({"personne": [personne.id]}, schema={"personne": pl.Int64})
    else:
        passe = passe.with_columns(pl.lit(personne.id, pl.Int64).alias("personne"))
    fin = date_effet_a(personne.date_naissance, AGE_67_MOIS).year
    annees = carriere.appliquer_regle(projeter(_colonnes(passe), hypothese, premiere, fin, base))
    majorations, _ = carriere.majorations_enfants(faits.enfants, aujourd_hui)
    c = Carriere(naissance=personne.date_naissance, annees=annees, majorations=majorations, enfants=len(faits.enfants),
                 enfants_mere=sum(1 for e in faits.enfants if e.parent == "mere"))
    out = estimer(c, aujourd_hui=aujourd_hui)
    out |= {"personne_id": personne.id, "salaire_hypothese_cents": base, "evolution_pourcent": str(hypothese.evolution * 100),
            "premiere_annee_projetee": premiere}
    journal(session, caller, Action.LECTURE, Ressource.ESTIMATION_RETRAITE, personne.id, personne_id=personne.id)
    return out


def _colonnes(passe: pl.DataFrame) -> pl.DataFrame:
    """The columns ``projeter`` keeps, zero when the compte has no year."""
    for name, dtype in (("annee", pl.Int32), ("salaire", pl.Int64), ("salaire_avpf", pl.Int64), ("trimestres_assimiles", pl.Int64),
                        ("trimestres_autres_regimes", pl.Int64)):
        if name not in passe.columns:
            passe = passe.with_columns(pl.lit(None, dtype).alias(name))
    return passe.filter(pl.col("annee").is_not_null())


# --------------------------------------------------------------------------
# The open simulator: nothing stored, nobody's file read


class SalairePasse(Entree):
    annee: int = Field(ge=1930, le=2100)
    salaire_cents: int = Field(ge=0, le=10**11, description="salaire annuel brut de l'année (centimes)")


class SimulationIn(Entree):
    date_naissance: date
    trimestres: int = Field(default=0, ge=0, le=300, description="trimestres déjà validés, tous régimes, majorations comprises (avec le SAM)")
    trimestres_rg: int | None = Field(default=None, ge=0, le=300, description="dont au régime général (défaut : tous)")
    trimestres_cotises: int | None = Field(default=None, ge=0, le=300, description="dont cotisés (défaut : ceux du régime général)")
    sam_cents: int | None = Field(default=None, ge=0, le=10**10, description="salaire annuel moyen actuel (centimes), ou bien les salaires")
    salaires: list[SalairePasse] = Field(default_factory=list, max_length=80, description="les salaires des années passées, ou bien le SAM")
    salaire_cents: int = Field(ge=0, le=10**9, description="salaire annuel brut supposé pour les années à venir (centimes)")
    evolution_pourcent: Decimal = Field(default=Decimal(0), ge=-10, le=10, description="évolution annuelle du salaire (%)")
    enfants: int = Field(default=0, ge=0, le=20)
    mere: bool = Field(default=False, description="la personne est la mère des enfants (majoration, SAM des mères)")


def simuler(data: SimulationIn, *, aujourd_hui: date | None = None) -> dict[str, Any]:
    """An estimation from what the person typed: nothing is stored, no file is read."""
    aujourd_hui = aujourd_hui or date.today()
    if data.date_naissance >= aujourd_hui:
        raise InvalidField("date_naissance", "la date de naissance doit être passée")
    if (data.sam_cents is None) == (not data.salaires):
        raise InvalidField("salaires", "donnez soit le salaire annuel moyen et les trimestres, soit les salaires des années passées")
    annees_vues = [s.annee for s in data.salaires]
    if len(set(annees_vues)) != len(annees_vues):
        raise InvalidField("salaires", "une même année est donnée deux fois")
    if any(a >= aujourd_hui.year or a < data.date_naissance.year for a in annees_vues):
        raise InvalidField("salaires", "les salaires passés vont de l'année de naissance à l'année dernière")
    hypothese = Hypothese(data.salaire_cents, Decimal(data.evolution_pourcent) / 100)
    rg = data.trimestres if data.trimestres_rg is None else data.trimestres_rg
    cotises = rg if data.trimestres_cotises is None else data.trimestres_cotises
    if rg > data.trimestres or cotises > rg:
        raise InvalidField("trimestres_rg", "les trimestres cotisés ≤ ceux du régime général ≤ le total")
    passe = pl.DataFrame(
        {"personne": [0] * len(data.salaires), "annee": annees_vues, "salaire": [s.salaire_cents for s in data.salaires]},
        schema={"personne": pl.Int64, "annee": pl.Int32, "salaire": pl.Int64},
    ).with_columns(pl.lit(0, pl.Int64).alias("salaire_avpf"), pl.lit(0, pl.Int64).alias("trimestres_assimiles"),
                   pl.lit(0, pl.Int64).alias("trimestres_autres_regimes"))
    fin = date_effet_a(data.date_naissance, AGE_67_MOIS).year
    annees = carriere.appliquer_regle(projeter(passe, hypothese, aujourd_hui.year, fin, data.salaire_cents))
    if data.sam_cents is not None:
        # The quarters already validated stand for the past, in the 16th year of age: counted at every date, and taken as
        # validated before the âge légal (none of them is a surcote's quarter).
        passees = pl.DataFrame({"annee": [data.date_naissance.year + 16], "trimestres_tous_regimes": [data.trimestres], "trimestres_rg": [rg],
                                "trimestres_cotises": [cotises]}, schema={"annee": pl.Int32, "trimestres_tous_regimes": pl.Int64,
                                                                          "trimestres_rg": pl.Int64, "trimestres_cotises": pl.Int64})
        annees = pl.concat([passees, annees.select(passees.columns)])
    majorations = 0  # the simulator's quarters already count them (« majorations comprises »)
    c = Carriere(naissance=data.date_naissance, annees=annees, majorations=majorations, enfants=data.enfants,
                 enfants_mere=data.enfants if data.mere else 0, sam_fixe=data.sam_cents)
    return estimer(c, aujourd_hui=aujourd_hui) | {"salaire_hypothese_cents": data.salaire_cents,
                                                 "evolution_pourcent": str(data.evolution_pourcent)}
