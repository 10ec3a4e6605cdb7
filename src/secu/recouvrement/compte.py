"""The employer's account with the URSSAF: what is due per due date, payments, late fees, formal notice.

Each movement is a row of ``mouvement_cotisant`` (positive: owed by the
employer; negative: paid) and a ledger entry, both under one idempotency key,
so nothing is booked twice. Payments settle the oldest periods first.

This module does the database work; the law is in ``secu.recouvrement.rules``
(dated parameters under ``src/secu/parametres/recouvrement/exigibilite``,
``majorations``, ``mise_en_demeure``):

* due date (CSS R243-6): ``rules.dates_exigibilite``;
* late fees (CSS R243-16 I and II): ``rules.majoration_de_retard`` on the
  contributions unpaid on the due date, ``rules.mois_de_retard`` and
  ``rules.majoration_complementaire`` for each month or fraction of month
  elapsed since; the bases (what is unpaid at each date) are read here;
* formal notice (mise en demeure, CSS L244-2): ``rules.dates_limites_mise_en_demeure``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secu.core import ledger
from secu.core.errors import Conflict, InvalidField
from secu.recouvrement import rules
from secu.recouvrement.models import MiseEnDemeure, MouvementCotisant

REFERENCE_EXIGIBILITE = "CSS R243-6 (date limite de paiement des cotisations, le mois suivant, selon l'effectif)"
REFERENCE_MISE_EN_DEMEURE = "CSS L244-2 (mise en demeure de régulariser sa situation)"
ACCOUNT = "creances.cotisants"
FENETRE_ANNEES = 10
"""How far back an account may be read or its fees computed: a bound on input, not law (contributions are
prescribed after three years, CSS L244-3; ten leave room for the older periods of a case in dispute)."""


def date_de_calcul(on: date, today: date, *, field: str = "au") -> date:
    """The date an account is read or its fees booked at: not in the future (fees for months still to come would
    be booked, and a far date would make a month of delay per row for millennia), not before the window."""
    if on > today:
        raise InvalidField(field, f"date dans le futur : les majorations se calculent au plus tard à aujourd'hui ({today:%d/%m/%Y})")
    earliest = today.replace(year=today.year - FENETRE_ANNEES, day=min(today.day, 28))
    if on < earliest:
        raise InvalidField(field, f"date trop ancienne : {FENETRE_ANNEES} ans au plus avant aujourd'hui (pas avant le {earliest:%d/%m/%Y})")
    return on


def due_date(mois: date, effectif: int, departement: str) -> date:
    """When the contributions on the pay of ``mois`` are due (the rule: ``rules.dates_exigibilite``, CSS R243-6)."""
    periods = pl.DataFrame({"mois": [mois], "effectif": [effectif], "departement": [departement]},
                           schema={"mois": pl.Date, "effectif": pl.Int64, "departement": pl.String})
    due: date = rules.dates_exigibilite(periods)["date_exigibilite"].item()
    return due


def _move(session: Session, *, siren: str, siret: str | None, urssaf: str, nature: str, mois: date | None, date_valeur: date,
          montant: int, libelle: str, reference: str | None, cle: str, declaration_id: int | None = None,
          ledger_lines: tuple[ledger.Ligne, ...] | None = None) -> MouvementCotisant | None:
    """Book one movement once (its key) with its ledger entry; returns None if it was already booked."""
    if session.scalar(select(MouvementCotisant.id).where(MouvementCotisant.cle_idempotence == cle)) is not None:
        return None
    move = MouvementCotisant(siren=siren, siret=siret, organisme_code=urssaf, nature=nature, mois=mois, date_valeur=date_valeur,
                             montant_cents=montant, libelle=libelle, reference=reference, cle_idempotence=cle, declaration_id=declaration_id)
    session.add(move)
    session.flush()
    lines = ledger_lines
    if lines is None and nature in ("majoration_retard", "majoration_complementaire"):
        lines = (ledger.Ligne("recouvrement", urssaf, ACCOUNT, montant), ledger.Ligne("recouvrement", urssaf, "produits.majorations", -montant))
    if lines:
        ledger.post(session, ledger.NouvelleEcriture(cle_idempotence=f"cotisant:{cle}", date_operation=date_valeur, libelle=libelle,
                                                   document_source=f"compte cotisant {siren}", lignes=lines))
    return move


# --------------------------------------------------------------------------
# Payments


def record_payment(session: Session, *, siren: str, urssaf: str, montant_cents: int, recu_le: date, reference: str) -> MouvementCotisant:
    """A payment received from the employer; the same bank reference twice is one payment."""
    if montant_cents <= 0:
        raise InvalidField("montant", "le montant du versement doit être positif")
    if not reference or len(reference) > 60:
        raise InvalidField("reference", "la référence du versement est obligatoire (60 caractères au plus)")
    key = f"versement:{siren}:{reference}"
    existing = session.scalar(select(MouvementCotisant).where(MouvementCotisant.cle_idempotence == key))
    if existing is not None:
        if existing.montant_cents != -montant_cents or existing.date_valeur != recu_le:
            raise Conflict("cette référence de versement a déjà servi pour un autre montant ou une autre date", field="reference")
        return existing
    move = _move(session, siren=siren, siret=None, urssaf=urssaf, nature="versement", mois=None, date_valeur=recu_le, montant=-montant_cents,
                 libelle=f"Versement reçu ({reference})", reference=None, cle=key,
                 ledger_lines=(ledger.Ligne("recouvrement", urssaf, "tresorerie.encaissements", montant_cents),
                               ledger.Ligne("recouvrement", urssaf, ACCOUNT, -montant_cents)))
    assert move is not None
    return move


# --------------------------------------------------------------------------
# Periods: what was due, what is left, on any date


@dataclass
class Periode:
    mois: date
    date_exigibilite: date
    du_cents: int = 0  # contributions (and regularisations) of the period
    majorations_cents: int = 0
    paye_cents: int = 0  # payments imputed on the period
    reste_du_cents: int = 0


@dataclass
class Compte:
    siren: str
    au: date
    periodes: list[Periode] = field(default_factory=list)
    mouvements: list[MouvementCotisant] = field(default_factory=list)
    solde_cents: int = 0
    non_impute_cents: int = 0  # paid in advance of anything due

    @property
    def en_retard(self) -> list[Periode]:
        return [p for p in self.periodes if p.reste_du_cents > 0 and p.date_exigibilite < self.au]


def _movements(session: Session, siren: str, until: date) -> list[MouvementCotisant]:
    return list(session.scalars(select(MouvementCotisant).where(MouvementCotisant.siren == siren, MouvementCotisant.date_valeur <= until)
                                .order_by(MouvementCotisant.date_valeur, MouvementCotisant.id)))


def account(session: Session, siren: str, on: date) -> Compte:
    """The account as it stands on ``on``: payments imputed on the oldest periods first, contributions before fees."""
    moves = _movements(session, siren, on)
    periods: dict[date, Periode] = {}
    for move in moves:
        if move.mois is None:
            continue
        period = periods.setdefault(move.mois, Periode(move.mois, move.date_valeur))
        if move.nature == "cotisations":
            period.date_exigibilite = move.date_valeur
        if move.nature.startswith("majoration"):
            period.majorations_cents += move.montant_cents
        else:
            period.du_cents += move.montant_cents
    paid = -sum(m.montant_cents for m in moves if m.nature == "versement")
    for period in sorted(periods.values(), key=lambda p: p.mois):
        owed = max(0, period.du_cents) + period.majorations_cents
        period.paye_cents = min(paid, owed)
        paid -= period.paye_cents
        period.reste_du_cents = owed - period.paye_cents
    ordered = sorted(periods.values(), key=lambda p: p.mois)
    return Compte(siren, on, ordered, moves, sum(m.montant_cents for m in moves), paid)


def _unpaid_contributions(session: Session, siren: str, mois: date, at: date) -> int:
    """Contributions of ``mois`` still unpaid at the end of day ``at`` (fees aside: they bear no fees)."""
    period = next((p for p in account(session, siren, at).periodes if p.mois == mois), None)
    if period is None:
        return 0
    return max(0, period.reste_du_cents - period.majorations_cents)


def _book_fee(session: Session, fee: dict[str, Any], *, siren: str, urssaf: str, nature: str, on: date, cle: str) -> MouvementCotisant | None:
    """Book one fee computed by the rules (its amount, label and reference) the day after ``on``, once (its key)."""
    return _move(session, siren=siren, siret=None, urssaf=urssaf, nature=nature, mois=fee["mois"], date_valeur=on + timedelta(days=1),
                 montant=fee["majoration_cents"], libelle=fee["libelle"], reference=fee["reference"], cle=cle)


def apply_late_fees(session: Session, *, siren: str, urssaf: str, on: date, today: date) -> list[MouvementCotisant]:
    """Book the late fees due by ``on`` (CSS R243-16: ``rules.majoration_de_retard``, ``rules.majoration_complementaire``).

    The fees are booked one at a time, in date order: each base is what is unpaid at its date, and
    payments are imputed on the fees already booked, so a fee moves the base of the next ones.
    Booking again the same day adds nothing. ``on`` is at most ``today`` (``date_de_calcul``).
    """
    date_de_calcul(on, today)
    booked: list[MouvementCotisant] = []
    for period in account(session, siren, on).periodes:
        due = period.date_exigibilite
        if due >= on:
            continue
        unpaid = _unpaid_contributions(session, siren, period.mois, due)
        if unpaid > 0:
            fee = rules.majoration_de_retard(pl.DataFrame({"mois": [period.mois], "date_exigibilite": [due], "impaye_cents": [unpaid]})).row(0, named=True)
            move = _book_fee(session, fee, siren=siren, urssaf=urssaf, nature="majoration_retard", on=due, cle=f"majoration:{siren}:{period.mois}:retard")
            if move:
                booked.append(move)
        delays = rules.mois_de_retard(pl.DataFrame({"mois": [period.mois], "date_exigibilite": [due]}), on)
        for month in delays.iter_rows(named=True):  # each month or fraction of month elapsed since the due date
            unpaid = _unpaid_contributions(session, siren, period.mois, month["debut"])
            if unpaid <= 0:
                break
            fee = rules.majoration_complementaire(pl.DataFrame([month | {"impaye_cents": unpaid}])).row(0, named=True)
            move = _book_fee(session, fee, siren=siren, urssaf=urssaf, nature="majoration_complementaire", on=month["debut"],
                             cle=f"majoration:{siren}:{period.mois}:complementaire:{month['rang']}")
            if move:
                booked.append(move)
    return booked


def issue_formal_notice(session: Session, *, siren: str, urssaf: str, on: date, today: date, emise_par: int | None) -> MiseEnDemeure:
    """A mise en demeure for every period overdue on ``on``, to be settled within the delay of CSS L244-2 (``_time_limit``)."""
    date_de_calcul(on, today)
    existing = session.scalar(select(MiseEnDemeure).where(MiseEnDemeure.siren == siren, MiseEnDemeure.date_emission == on))
    if existing is not None:
        return existing
    apply_late_fees(session, siren=siren, urssaf=urssaf, on=on, today=today)
    overdue = account(session, siren, on).en_retard
    if not overdue:
        raise InvalidField("siren", "aucune période échue impayée : pas de mise en demeure à adresser")
    fees = sum(min(p.majorations_cents, p.reste_du_cents) for p in overdue)
    total = sum(p.reste_du_cents for p in overdue)
    notice = MiseEnDemeure(
        siren=siren, organisme_code=urssaf, date_emission=on, date_limite=_time_limit(on), cotisations_cents=total - fees,
        majorations_cents=fees, emise_par=emise_par,
        periodes=json.dumps([{"mois": p.mois.isoformat(), "date_exigibilite": p.date_exigibilite.isoformat(), "reste_du_cents": p.reste_du_cents}
                             for p in overdue]),
    )
    session.add(notice)
    session.flush()
    return notice


def _time_limit(on: date) -> date:
    """The day the mise en demeure issued on ``on`` must be settled by (``rules.dates_limites_mise_en_demeure``, CSS L244-2)."""
    limit: date = rules.dates_limites_mise_en_demeure(pl.DataFrame({"date_emission": [on]}))["date_limite"].item()
    return limit


def notices(session: Session, siren: str) -> list[MiseEnDemeure]:
    return list(session.scalars(select(MiseEnDemeure).where(MiseEnDemeure.siren == siren).order_by(MiseEnDemeure.date_emission)))


def balance(session: Session, siren: str, on: date) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(MouvementCotisant.montant_cents), 0))
                              .where(MouvementCotisant.siren == siren, MouvementCotisant.date_valeur <= on)) or 0)
